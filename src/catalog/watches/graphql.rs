//! GraphQL of watches: the `Watch` type, `watch(token:)` and the mutations `createWatch`, `updateWatch`,
//! `deleteWatch`. The token is taken as an argument, hashed at once and never logged.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::model::{self, Watch};
use super::store::{self, NewWatch, WatchChanges};
use crate::catalog::enterprises;
use crate::catalog::notices::graphql::NoticeFilter;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult, Code};
use crate::graphql::ids;

fn not_found() -> ApiError {
    ApiError::user(Code::WatchNotFound, "no watch has this token")
}

/// A saved notice filter, managed by the secret token `createWatch` returned.
#[Object]
impl Watch {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ids::encode("Watch", self.id)
    }

    async fn name(&self) -> &str {
        &self.name
    }

    /// The text query saved with the watch. Not yet applied by the feed, which follows the filter only.
    async fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The enterprise (unified social credit code) the watch is for, if any.
    async fn enterprise_credit_code(&self) -> Option<&str> {
        self.enterprise_credit_code.as_deref()
    }

    /// A paused watch keeps its feed but is meant to send nothing else.
    async fn paused(&self) -> bool {
        self.paused
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

#[derive(InputObject)]
pub struct CreateWatchInput {
    /// 1 to 200 characters.
    pub name: String,
    /// The same filter as `notices(filter:)`, with the same meaning.
    #[graphql(default)]
    pub filter: NoticeFilter,
    /// A text query kept with the watch (at most 500 characters); the feed does not apply it yet.
    pub query: Option<String>,
    /// An enterprise of the catalogue, by unified social credit code.
    pub enterprise_credit_code: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateWatchPayload {
    pub watch: Watch,
    /// The secret that manages the watch and names its feed. Shown this once: only its hash is stored.
    pub token: String,
}

/// Changes a watch; a field left out stays as it is, `query: null` clears the query.
#[derive(InputObject)]
pub struct UpdateWatchInput {
    pub token: String,
    pub name: Option<String>,
    /// Replaces the whole filter.
    pub filter: Option<NoticeFilter>,
    pub query: MaybeUndefined<String>,
    pub paused: Option<bool>,
}

#[derive(SimpleObject)]
pub struct UpdateWatchPayload {
    pub watch: Watch,
}

#[derive(InputObject)]
pub struct DeleteWatchInput {
    pub token: String,
}

#[derive(SimpleObject)]
pub struct DeleteWatchPayload {
    pub deleted_watch_id: ID,
}

/// The watch a token manages, or `WATCH_NOT_FOUND`.
pub async fn by_token(app: &AppContext, token: &str) -> ApiResult<Watch> {
    store::by_hash(&app.db, &model::token_hash(token))
        .await?
        .ok_or_else(not_found)
}

/// Queries of watches.
#[derive(Default)]
pub struct WatchQueries;

#[Object]
impl WatchQueries {
    /// The watch this token manages; `WATCH_NOT_FOUND` if none.
    async fn watch(&self, ctx: &Context<'_>, token: String) -> Result<Watch> {
        Ok(by_token(ctx.data_unchecked::<AppContext>(), &token).await?)
    }
}

/// Mutations of watches.
#[derive(Default)]
pub struct WatchMutations;

#[Object]
impl WatchMutations {
    /// Saves a notice filter as a watch and returns the token that manages it (shown once).
    async fn create_watch(&self, ctx: &Context<'_>, input: CreateWatchInput) -> Result<CreateWatchPayload> {
        let app = ctx.data_unchecked::<AppContext>();
        let name = model::check_name(&input.name)?;
        let query = model::check_query(input.query.as_deref())?;
        let filter = model::filter_json(&input.filter)?;
        let enterprise_credit_code = match input.enterprise_credit_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => {
                let code = code.to_ascii_uppercase();
                enterprises::store::enterprise_by_code(&app.db, &code)
                    .await
                    .map_err(ApiError::from)?
                    .ok_or_else(|| {
                        ApiError::bad_input(format!("enterpriseCreditCode: no enterprise has the code {code:?}"))
                    })?;
                Some(code)
            }
        };
        let (token, token_hash) = model::new_token().map_err(ApiError::from)?;
        let watch = store::create(
            &app.db,
            NewWatch {
                token_hash,
                name,
                filter,
                query,
                enterprise_credit_code,
            },
        )
        .await
        .map_err(ApiError::from)?;
        Ok(CreateWatchPayload { watch, token })
    }

    /// Renames, refilters, pauses or resumes a watch.
    async fn update_watch(&self, ctx: &Context<'_>, input: UpdateWatchInput) -> Result<UpdateWatchPayload> {
        let app = ctx.data_unchecked::<AppContext>();
        let changes = WatchChanges {
            name: input.name.as_deref().map(model::check_name).transpose()?,
            filter: input.filter.as_ref().map(model::filter_json).transpose()?,
            query: match input.query {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(q) => Some(model::check_query(Some(&q))?),
            },
            paused: input.paused,
        };
        let watch = store::update(&app.db, &model::token_hash(&input.token), changes)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(not_found)?;
        Ok(UpdateWatchPayload { watch })
    }

    /// Deletes a watch; its token and feed stop working.
    async fn delete_watch(&self, ctx: &Context<'_>, input: DeleteWatchInput) -> Result<DeleteWatchPayload> {
        let app = ctx.data_unchecked::<AppContext>();
        let id = store::delete(&app.db, &model::token_hash(&input.token))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(not_found)?;
        Ok(DeleteWatchPayload {
            deleted_watch_id: ids::encode("Watch", id),
        })
    }
}
