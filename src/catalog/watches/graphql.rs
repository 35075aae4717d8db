//! GraphQL of watches: the `Watch` type with its events and channel states, `watch(token:)` and the mutations
//! `createWatch`, `createWatchForEnterprise`, `updateWatch`, `deleteWatch`. The token is taken as an argument,
//! hashed at once and never logged.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::model::{self, Watch};
use super::store::{self, NewWatch, WatchChanges};
use crate::catalog::enterprises;
use crate::catalog::exports::store as exports;
use crate::catalog::notices::graphql::NoticeFilter;
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store as notices;
use crate::context::{AppContext, ClientAddr};
use crate::error::{ApiError, ApiResult, Code};
use crate::follow::entity::watch_event;
use crate::follow::events::{EventDetail, EventKind};
use crate::follow::{deliver, email, webhook};
use crate::graphql::connection::{self, PageInfo};
use crate::graphql::ids;

fn not_found() -> ApiError {
    ApiError::user(Code::WatchNotFound, "no watch has this token")
}

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// How a watch's e-mail is sent.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmailMode {
    /// One mail per event.
    #[default]
    Immediate,
    /// One mail a day at `digestHour` (Asia/Shanghai) with the day's events, when there are any.
    Digest,
}

impl EmailMode {
    fn as_str(self) -> &'static str {
        match self {
            EmailMode::Immediate => "immediate",
            EmailMode::Digest => "digest",
        }
    }
    fn parse(s: &str) -> EmailMode {
        if s == "digest" {
            EmailMode::Digest
        } else {
            EmailMode::Immediate
        }
    }
}

/// The state of a watch's webhook.
#[derive(SimpleObject)]
pub struct WebhookState {
    pub url: String,
    /// When the last delivery was given up after its retries; cleared by the next success.
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
}

/// The state of a watch's e-mail.
#[derive(SimpleObject)]
pub struct EmailState {
    pub address: String,
    /// Nothing but the confirmation mail is sent before the link in it is followed.
    pub confirmed: bool,
    pub mode: EmailMode,
    pub digest_hour: i32,
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

    /// The filter as saved: the same fields as `notices(filter:)` takes.
    async fn filter(&self) -> Result<NoticeFilter> {
        Ok(self.notice_filter()?)
    }

    /// The text query saved with the watch: every word must occur in the notice's titles, description, products,
    /// keywords, symbols or codes (traditional characters read as simplified).
    async fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The enterprise (unified social credit code) the watch is for, if any.
    async fn enterprise_credit_code(&self) -> Option<&str> {
        self.enterprise_credit_code.as_deref()
    }

    /// A paused watch still records events (its feed and `events` go on) but sends nothing.
    async fn paused(&self) -> bool {
        self.paused
    }

    /// Days before the comment deadline in force at which a reminder is sent, largest first.
    async fn reminder_days(&self) -> Vec<i32> {
        self.reminder_days.iter().map(|d| *d as i32).collect()
    }

    async fn webhook(&self, ctx: &Context<'_>) -> Result<Option<WebhookState>> {
        let Some(url) = &self.webhook_url else { return Ok(None) };
        let db = &app(ctx).db;
        let (pending, sent, failed) = deliver::counts(db, self.id, "webhook").await.map_err(ApiError::from)?;
        // Read after the counts: a delivery given up and the watch's failure are written in one transaction, so
        // a count that includes it comes with the failure (the watch itself was read before the counts).
        let now = super::entity::watch::Entity::find_by_id(self.id)
            .one(db)
            .await
            .map_err(anyhow::Error::from)?;
        let (failed_at, last_error) = match now {
            Some(m) => (m.webhook_failed_at, m.webhook_last_error),
            None => (self.webhook_failed_at, self.webhook_last_error.clone()),
        };
        Ok(Some(WebhookState {
            url: url.clone(),
            failed_at,
            last_error,
            pending,
            sent,
            failed,
        }))
    }

    async fn email(&self) -> Option<EmailState> {
        self.email.as_ref().map(|a| EmailState {
            address: a.clone(),
            confirmed: self.email_confirmed_at.is_some(),
            mode: EmailMode::parse(&self.email_mode),
            digest_hour: self.digest_hour,
        })
    }

    /// What the watch heard, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "0 to 100, default 20")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<WatchEventConnection> {
        Ok(events_page(app(ctx), self.id, first, after.as_deref()).await?)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

/// Something a watch heard.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct WatchEvent {
    /// Opaque global ID; also the `id` of webhook bodies and the key of feed entries. Stable.
    pub id: ID,
    pub kind: EventKind,
    /// One line in Chinese: what happened.
    pub summary: String,
    /// For follow-ups: why it was issued (`COMMENT_PERIOD_CHANGED`, `MEASURE_ADOPTED`, `ENTERED_INTO_FORCE`,
    /// `WITHDRAWN`, ...).
    pub addendum_reasons: Vec<String>,
    /// For follow-ups: the symbol of the notice of the chain the watch matched.
    pub follow_up_of: Option<String>,
    /// The comment deadline in force of the notice's chain when the event was made.
    pub deadline_in_force: Option<chrono::NaiveDate>,
    /// For reminders: days left to the deadline (Asia/Shanghai).
    pub days_left: Option<i64>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub notice_id: i32,
    #[graphql(skip)]
    pub recall_id: Option<i32>,
}

#[ComplexObject]
impl WatchEvent {
    /// The notice the event is about (the follow-up itself for `FOLLOW_UP`); null if it was deleted since, and for
    /// `RECALL`.
    async fn notice(&self, ctx: &Context<'_>) -> Result<Option<Notice>> {
        Ok(notices::by_ids(&app(ctx).db, &[self.notice_id])
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .next())
    }

    /// For `RECALL`: the recall heard; null for other kinds, or if it was deleted since.
    async fn recall(&self, ctx: &Context<'_>) -> Result<Option<crate::catalog::recalls::store::Recall>> {
        let Some(id) = self.recall_id else { return Ok(None) };
        Ok(crate::catalog::recalls::store::recalls_by_ids(&app(ctx).db, &[id])
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .next())
    }
}

impl WatchEvent {
    pub fn from_row(e: &watch_event::Model) -> anyhow::Result<WatchEvent> {
        let d: EventDetail = serde_json::from_str(&e.detail)?;
        Ok(WatchEvent {
            id: ids::encode("WatchEvent", e.id),
            kind: d.kind,
            summary: d.summary_zh(),
            addendum_reasons: d.addendum_reasons.clone(),
            follow_up_of: d.follow_up_of.clone(),
            deadline_in_force: d.deadline_in_force,
            days_left: d.days_left,
            created_at: e.created_at,
            notice_id: e.notice_id,
            recall_id: d.recall_id,
        })
    }
}

#[derive(SimpleObject)]
pub struct WatchEventEdge {
    pub cursor: String,
    pub node: WatchEvent,
}

#[derive(SimpleObject)]
pub struct WatchEventConnection {
    pub edges: Vec<WatchEventEdge>,
    pub nodes: Vec<WatchEvent>,
    pub page_info: PageInfo,
    pub total_count: u64,
}

const EVENT_LISTING: &str = "watchEvents";

async fn events_page(
    app: &AppContext,
    watch_id: i32,
    first: Option<i32>,
    after: Option<&str>,
) -> ApiResult<WatchEventConnection> {
    let size = connection::page_size(first, None)?;
    let before_id = match after {
        Some(c) => Some(
            connection::decode_cursor(c, EVENT_LISTING, 1)?[0]
                .parse::<i32>()
                .map_err(|_| ApiError::user(Code::InvalidCursor, "not a cursor of this listing"))?,
        ),
        None => None,
    };
    let mut find = watch_event::Entity::find().filter(watch_event::Column::WatchId.eq(watch_id));
    if let Some(b) = before_id {
        find = find.filter(watch_event::Column::Id.lt(b));
    }
    let rows = find
        .order_by_desc(watch_event::Column::Id)
        .limit(size.limit + 1)
        .all(&app.db)
        .await
        .map_err(anyhow::Error::from)?;
    let total_count = watch_event::Entity::find()
        .filter(watch_event::Column::WatchId.eq(watch_id))
        .count(&app.db)
        .await
        .map_err(anyhow::Error::from)?;
    let has_next = rows.len() as u64 > size.limit;
    let mut edges = Vec::new();
    for r in rows.iter().take(size.limit as usize) {
        edges.push(WatchEventEdge {
            cursor: connection::encode_cursor(&[EVENT_LISTING, &r.id.to_string()]),
            node: WatchEvent::from_row(r).map_err(ApiError::from)?,
        });
    }
    let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
    Ok(WatchEventConnection {
        nodes: edges.iter().map(|e| e.node.clone()).collect(),
        edges,
        page_info: PageInfo::from_cursors(&cursors, has_next, before_id.is_some()),
        total_count,
    })
}

/// Delivery settings shared by `createWatch` and `createWatchForEnterprise`.
#[derive(InputObject)]
pub struct DeliveryInput {
    /// Days before the comment deadline in force to send reminders (0 to 60, at most 5); default `[7, 2]`.
    pub reminder_days: Option<Vec<i32>>,
    /// An http(s) URL that receives each event as a signed JSON POST. Loopback and private addresses are refused
    /// unless the settings allow them.
    pub webhook_url: Option<String>,
    /// An address that receives the events once it is confirmed by the link mailed to it.
    pub email: Option<String>,
    #[graphql(default)]
    pub email_mode: EmailMode,
    /// The hour (0-23, Asia/Shanghai) of the daily digest; default 8.
    #[graphql(default = 8)]
    pub digest_hour: i32,
}

impl Default for DeliveryInput {
    fn default() -> Self {
        DeliveryInput {
            reminder_days: None,
            webhook_url: None,
            email: None,
            email_mode: EmailMode::Immediate,
            digest_hour: 8,
        }
    }
}

#[derive(InputObject)]
pub struct CreateWatchInput {
    /// 1 to 200 characters.
    pub name: String,
    /// The same filter as `notices(filter:)`, with the same meaning.
    #[graphql(default)]
    pub filter: NoticeFilter,
    /// A text query (at most 500 characters): every word must occur in the notice (see `Watch.query`).
    pub query: Option<String>,
    /// An enterprise of the catalogue, by unified social credit code.
    pub enterprise_credit_code: Option<String>,
    #[graphql(default)]
    pub delivery: DeliveryInput,
}

/// A watch for an enterprise, its filter made from its export profile.
#[derive(InputObject)]
pub struct CreateWatchForEnterpriseInput {
    /// The unified social credit code of an enterprise with export products.
    pub credit_code: String,
    /// Default: the enterprise's name and 出口产品.
    pub name: Option<String>,
    #[graphql(default)]
    pub delivery: DeliveryInput,
}

#[derive(SimpleObject)]
pub struct CreateWatchPayload {
    pub watch: Watch,
    /// The secret that manages the watch and names its feed. Shown this once: only its hash is stored.
    pub token: String,
    /// The key of the webhook's signature (`Zhiliang-Signature`), when a webhook was given. Shown this once.
    pub webhook_secret: Option<String>,
    /// The feed's path, with the token: `/feeds/watches/{token}.atom`.
    pub feed_path: String,
}

/// Changes a watch; a field left out stays as it is, `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateWatchInput {
    pub token: String,
    pub name: Option<String>,
    /// Replaces the whole filter.
    pub filter: Option<NoticeFilter>,
    pub query: MaybeUndefined<String>,
    pub paused: Option<bool>,
    pub reminder_days: Option<Vec<i32>>,
    /// A new URL gets a new secret (returned once in `webhookSecret`); `null` removes the webhook.
    pub webhook_url: MaybeUndefined<String>,
    /// A new address must be confirmed again; `null` stops e-mail.
    pub email: MaybeUndefined<String>,
    pub email_mode: Option<EmailMode>,
    pub digest_hour: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateWatchPayload {
    pub watch: Watch,
    /// The new webhook secret, when `webhookUrl` was set. Shown this once.
    pub webhook_secret: Option<String>,
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

fn check_hour(h: i32) -> ApiResult<i32> {
    if (0..24).contains(&h) {
        Ok(h)
    } else {
        Err(ApiError::bad_input(format!(
            "digestHour: {h} is not an hour from 0 to 23"
        )))
    }
}

/// A webhook URL checked, with a new secret.
fn new_webhook(app: &AppContext, url: &str) -> ApiResult<(String, String)> {
    let url = webhook::check_url(url, &app.settings)?;
    Ok((url, model::random_secret().map_err(ApiError::from)?))
}

/// An e-mail address checked, with a new link key; refused when no SMTP server is configured.
fn new_email(app: &AppContext, address: &str) -> ApiResult<(String, String)> {
    if app.settings.smtp_host.is_none() {
        return Err(ApiError::bad_input(
            "email: this server has no SMTP server configured; use the feed or a webhook",
        ));
    }
    let address = email::check_address(address, &app.settings)?;
    Ok((address, model::random_secret().map_err(ApiError::from)?))
}

fn limit(ctx: &Context<'_>) -> ApiResult<()> {
    if let Some(ClientAddr(ip)) = ctx.data_opt::<ClientAddr>() {
        app(ctx).watch_limiter.take(*ip).map_err(|wait| {
            ApiError::user(
                Code::RateLimited,
                format!("too many watches created from this address; try again in {wait} s"),
            )
        })?;
    }
    Ok(())
}

async fn create(
    ctx: &Context<'_>,
    name: String,
    filter: &NoticeFilter,
    query: Option<String>,
    enterprise_credit_code: Option<String>,
    delivery: &DeliveryInput,
) -> ApiResult<CreateWatchPayload> {
    let app = app(ctx);
    let filter_json = model::filter_json(filter)?;
    let notice_query = filter.to_query()?;
    let reminder_days = match &delivery.reminder_days {
        Some(d) => model::check_reminder_days(d)?,
        None => model::DEFAULT_REMINDER_DAYS.to_vec(),
    };
    let hook = delivery
        .webhook_url
        .as_deref()
        .map(|u| new_webhook(app, u))
        .transpose()?;
    let mail = delivery.email.as_deref().map(|a| new_email(app, a)).transpose()?;
    let digest_hour = check_hour(delivery.digest_hour)?;
    limit(ctx)?;
    let (token, token_hash) = model::new_token().map_err(ApiError::from)?;
    let webhook_secret = hook.as_ref().map(|(_, s)| s.clone());
    let (email, link_key) = mail.unzip();
    let (webhook_url, secret) = hook.unzip();
    let watch = store::create(
        &app.db,
        NewWatch {
            token_hash,
            name,
            filter: filter_json,
            notice_query,
            query,
            enterprise_credit_code,
            reminder_days,
            webhook_url,
            webhook_secret: secret,
            email,
            email_mode: delivery.email_mode.as_str().to_string(),
            digest_hour,
            link_key,
        },
    )
    .await
    .map_err(ApiError::from)?;
    Ok(CreateWatchPayload {
        watch,
        feed_path: format!("/feeds/watches/{token}.atom"),
        token,
        webhook_secret,
    })
}

async fn enterprise_code(app: &AppContext, code: &str) -> ApiResult<enterprises::store::Enterprise> {
    let code = code.trim().to_ascii_uppercase();
    enterprises::store::enterprise_by_code(&app.db, &code)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::bad_input(format!("no enterprise has the credit code {code:?}")))
}

/// Queries of watches.
#[derive(Default)]
pub struct WatchQueries;

#[Object]
impl WatchQueries {
    /// The watch this token manages; `WATCH_NOT_FOUND` if none.
    async fn watch(&self, ctx: &Context<'_>, token: String) -> Result<Watch> {
        Ok(by_token(app(ctx), &token).await?)
    }
}

/// Mutations of watches.
#[derive(Default)]
pub struct WatchMutations;

#[Object]
impl WatchMutations {
    /// Saves a notice filter as a watch and returns the token that manages it (shown once). Creating watches is
    /// limited per client address (`RATE_LIMITED`).
    async fn create_watch(&self, ctx: &Context<'_>, input: CreateWatchInput) -> Result<CreateWatchPayload> {
        let app = app(ctx);
        let name = model::check_name(&input.name)?;
        let query = model::check_query(input.query.as_deref())?;
        let enterprise_credit_code = match input.enterprise_credit_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(
                enterprise_code(app, code)
                    .await
                    .map_err(|e| ApiError::bad_input(format!("enterpriseCreditCode: {}", e.message())))?
                    .credit_code,
            ),
        };
        Ok(create(ctx, name, &input.filter, query, enterprise_credit_code, &input.delivery).await?)
    }

    /// Makes a watch from an enterprise's export profile: the HS headings (first four digits) of its products and,
    /// when every product names its markets, those markets (a notice of another member is then not heard). One
    /// call; the answer is the same as `createWatch`'s.
    async fn create_watch_for_enterprise(
        &self,
        ctx: &Context<'_>,
        input: CreateWatchForEnterpriseInput,
    ) -> Result<CreateWatchPayload> {
        let app = app(ctx);
        let e = enterprise_code(app, &input.credit_code).await?;
        let products = exports::products_of(&app.db, e.id).await.map_err(ApiError::from)?;
        // Notices name HS codes at any level (9503, 950300, 95030090): a product is followed by its heading (the
        // first four digits), so a notice of the heading or of any code under it is heard.
        let mut hs: Vec<String> = products
            .iter()
            .flat_map(|p| p.hs_codes.iter().map(|c| c.chars().take(4).collect::<String>()))
            .collect();
        hs.sort();
        hs.dedup();
        if hs.is_empty() {
            return Err(ApiError::bad_input(format!(
                "the enterprise {} has no export products with HS codes; import its export profile first",
                e.credit_code
            ))
            .into());
        }
        // A code whose prefix is also listed adds nothing.
        let hs: Vec<String> = hs
            .iter()
            .filter(|c| !hs.iter().any(|p| p != *c && c.starts_with(p.as_str())))
            .cloned()
            .collect();
        let members = if products.iter().all(|p| !p.markets.is_empty()) {
            let mut m: Vec<String> = products.iter().flat_map(|p| p.markets.clone()).collect();
            m.sort();
            m.dedup();
            Some(m)
        } else {
            None
        };
        let filter = NoticeFilter {
            hs_codes: Some(hs),
            members,
            ..Default::default()
        };
        let name = match input.name.as_deref() {
            Some(n) => model::check_name(n)?,
            None => model::check_name(&format!("{} 出口产品", e.name.as_deref().unwrap_or(&e.credit_code)))?,
        };
        Ok(create(ctx, name, &filter, None, Some(e.credit_code.clone()), &input.delivery).await?)
    }

    /// Renames, refilters, pauses or resumes a watch, or changes how it is told.
    async fn update_watch(&self, ctx: &Context<'_>, input: UpdateWatchInput) -> Result<UpdateWatchPayload> {
        let app = app(ctx);
        let filter = match &input.filter {
            Some(f) => Some((model::filter_json(f)?, f.to_query()?)),
            None => None,
        };
        let webhook = match &input.webhook_url {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(u) => Some(Some(new_webhook(app, u)?)),
        };
        let webhook_secret = webhook.as_ref().and_then(|h| h.as_ref().map(|(_, s)| s.clone()));
        let changes = WatchChanges {
            name: input.name.as_deref().map(model::check_name).transpose()?,
            filter,
            query: match input.query {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(q) => Some(model::check_query(Some(&q))?),
            },
            paused: input.paused,
            reminder_days: input
                .reminder_days
                .as_deref()
                .map(model::check_reminder_days)
                .transpose()?,
            webhook,
            email: match &input.email {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(a) => Some(Some(new_email(app, a)?)),
            },
            email_mode: input.email_mode.map(|m| m.as_str().to_string()),
            digest_hour: input.digest_hour.map(check_hour).transpose()?,
        };
        let watch = store::update(&app.db, &model::token_hash(&input.token), changes)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(not_found)?;
        Ok(UpdateWatchPayload { watch, webhook_secret })
    }

    /// Deletes a watch with its events; its token and feed stop working.
    async fn delete_watch(&self, ctx: &Context<'_>, input: DeleteWatchInput) -> Result<DeleteWatchPayload> {
        let id = store::delete(&app(ctx).db, &model::token_hash(&input.token))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(not_found)?;
        Ok(DeleteWatchPayload {
            deleted_watch_id: ids::encode("Watch", id),
        })
    }
}
