//! Schema assembly: the query root, `node`/`nodes`, limits on depth and complexity.

pub mod connection;
pub mod guard;
pub mod ids;
pub mod loaders;
pub mod phases;
pub mod scalars;
pub mod search;
pub mod selection;
pub mod shape;
pub mod subscriptions;
pub mod unified;

use async_graphql::{Context, ID, Interface, MergedObject, Object, Result, Schema};

use crate::catalog::declarations::graphql::DeclarationQueries;
use crate::catalog::declarations::store::Declaration;
use crate::catalog::enterprises::graphql::{EnterpriseQueries, EnterpriseSearchQueries};
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::listings::brand::Brand;
use crate::catalog::listings::credit::CreditEntry;
use crate::catalog::listings::graphql::{ListingQueries, ListingSearchQueries};
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::title::Title;
use crate::catalog::notices::graphql::NoticeQueries;
use crate::catalog::notices::model::Notice;
use crate::catalog::policies::graphql::{PolicyQueries, PolicySearchQueries};
use crate::catalog::policies::store::Policy;
use crate::catalog::recalls::graphql::{RecallQueries, RecallSearchQueries};
use crate::catalog::recalls::store::Recall;
use crate::catalog::standards::graphql::StandardQueries;
use crate::catalog::standards::model::Standard;
use crate::catalog::watches::graphql::{WatchMutations, WatchQueries};
use crate::catalog::zones::graphql::{ZoneQueries, ZoneSearchQueries};
use crate::catalog::zones::store::Zone;
use crate::catalog::{declarations, enterprises, listings, notices, policies, recalls, standards, zones};
use crate::context::AppContext;
use crate::error::{ApiError, Code};

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Notice(Notice),
    Standard(Standard),
    Enterprise(Enterprise),
    CreditEntry(CreditEntry),
    Brand(Brand),
    Title(Title),
    Zone(Zone),
    Policy(Policy),
    Declaration(Declaration),
    Recall(Recall),
}

#[derive(Default)]
pub struct NodeQueries;

/// The most IDs one `nodes` call takes.
pub const MAX_NODES: usize = 100;

pub(crate) async fn load_node(app: &AppContext, id: &str) -> Result<Option<Node>, ApiError> {
    let (type_name, n) = ids::decode(id)?;
    match type_name.as_str() {
        "Notice" => Ok(notices::graphql::node_by_id(app, n).await?.map(Node::Notice)),
        "Standard" => Ok(standards::graphql::node_by_id(app, n).await?.map(Node::Standard)),
        "Enterprise" => Ok(enterprises::graphql::enterprise_node(app, n)
            .await?
            .map(Node::Enterprise)),
        "Zone" => Ok(zones::graphql::zone_node(app, n).await?.map(Node::Zone)),
        "Policy" => Ok(policies::graphql::node_by_id(app, n).await?.map(Node::Policy)),
        "Declaration" => Ok(declarations::graphql::declaration_node(app, n)
            .await?
            .map(Node::Declaration)),
        "Recall" => Ok(recalls::graphql::node_by_id(app, n).await?.map(Node::Recall)),
        "CreditEntry" | "Brand" | "Title" => {
            Ok(listings::graphql::listing_node(app, n)
                .await?
                .and_then(|l| match (type_name.as_str(), l.kind) {
                    ("CreditEntry", ListingKind::Credit) => Some(Node::CreditEntry(CreditEntry(l))),
                    ("Brand", ListingKind::Brand) => Some(Node::Brand(Brand(l))),
                    ("Title", ListingKind::Title) => Some(Node::Title(Title(l))),
                    _ => None,
                }))
        }
        // IDs of this API whose objects are not nodes (read through their zone or enterprise, or by their own query).
        "ZoneMembership" | "ExportProduct" | "ApiKey" | "AuditEntry" | "ImportJob" => Ok(None),
        _ => Err(ApiError::user(
            Code::InvalidId,
            format!("{id:?} is not an ID of this API"),
        )),
    }
}

#[Object]
impl NodeQueries {
    /// Any object by its global ID.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        Ok(load_node(ctx.data_unchecked::<AppContext>(), &id).await?)
    }

    /// Several objects by global ID (at most 100), in the order asked; null where none exists.
    #[graphql(complexity = "ids.len().min(MAX_NODES) * child_complexity")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::user(Code::PageSizeInvalid, format!("at most {MAX_NODES} ids at once")).into());
        }
        let app = ctx.data_unchecked::<AppContext>();
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(load_node(app, id).await?);
        }
        Ok(out)
    }
}

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQueries,
    NoticeQueries,
    StandardQueries,
    EnterpriseQueries,
    ListingQueries,
    ZoneQueries,
    EnterpriseSearchQueries,
    ListingSearchQueries,
    ZoneSearchQueries,
    PolicyQueries,
    PolicySearchQueries,
    DeclarationQueries,
    RecallQueries,
    RecallSearchQueries,
    unified::UnifiedSearchQueries,
    WatchQueries,
    crate::operate::graphql::OperateQueries,
);

/// The mutation root: each mutation takes one `input` and returns a payload.
#[derive(MergedObject, Default)]
pub struct Mutation(WatchMutations, crate::operate::graphql::OperateMutations);

/// The subscription root (over WebSocket only, `graphql-transport-ws`; see `subscriptions`).
pub use subscriptions::Subscription;

pub type ZhiliangSchema = Schema<Query, Mutation, Subscription>;

/// Deepest query accepted (introspection excepted).
pub const MAX_DEPTH: usize = guard::MAX_DEPTH;
/// Largest complexity accepted: a page of 100 costs 100 times its fields.
pub const MAX_COMPLEXITY: usize = 20_000;

/// The schema without data: for `export-schema`.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        // Depth is checked by `guard` (introspection excepted, so that GraphiQL can read the schema); this is
        // a second fence.
        .limit_depth(2 * MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        // The text's nesting is refused at `guard::MAX_NESTING` before parsing; this is a second fence.
        .limit_recursive_depth(2 * guard::MAX_NESTING)
}

/// The schema of a server: its context, and the poller that feeds its subscriptions.
pub fn build_schema(ctx: AppContext, live: subscriptions::Live) -> ZhiliangSchema {
    let loaders = loaders::loaders(ctx.db.clone());
    schema_builder().data(ctx).data(live).data(loaders).finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
