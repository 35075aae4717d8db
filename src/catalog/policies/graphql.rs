//! GraphQL of policy documents.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::number::DocumentNumber;
use super::store::{self, Policy, PolicyQuery};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

#[Object]
impl Policy {
    pub async fn id(&self) -> ID {
        ids::encode("Policy", self.id)
    }
    /// Canonical document number (`宁政办发〔2017〕49号`), when the document has one.
    async fn document_number(&self) -> Option<&str> {
        self.document_number.as_deref()
    }
    async fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
    async fn title(&self) -> &str {
        &self.title
    }
    async fn issued_on(&self) -> Option<Date> {
        self.issued_on.map(Date)
    }
    async fn effective_on(&self) -> Option<Date> {
        self.effective_on.map(Date)
    }
    /// Numbers of the documents this one replaces.
    async fn replaces(&self) -> &[String] {
        &self.replaces
    }
    /// Documents in the catalogue that replace this one.
    async fn replaced_by(&self, ctx: &Context<'_>) -> Result<Vec<Policy>> {
        match &self.document_number {
            None => Ok(Vec::new()),
            Some(n) => Ok(store::replaced_by(&app(ctx).db, n).await.map_err(ApiError::from)?),
        }
    }
    /// Full text as published (empty for a document known only by reference).
    async fn text(&self) -> &str {
        &self.body
    }
    /// The files it was read from (copies of one document from several websites are one policy).
    async fn source_files(&self) -> &[String] {
        &self.source_files
    }
    /// The reward clauses it promises, as data (what fact each rewards, the sum, the regions and the period);
    /// `Enterprise.eligibleRewards` checks an enterprise against them.
    async fn reward_clauses(&self) -> Vec<super::eligibility::RewardClauseObject> {
        super::eligibility::clauses_of(self)
    }
}

#[derive(InputObject, Default)]
pub struct PolicyFilter {
    /// Part of the issuer's name.
    pub issuer: Option<String>,
    /// Part of the title.
    pub title: Option<String>,
    pub issued_from: Option<Date>,
    pub issued_to: Option<Date>,
}

#[derive(SimpleObject)]
pub struct PolicyEdge {
    pub cursor: String,
    pub node: Policy,
}

pub struct PolicyConnection {
    edges: Vec<PolicyEdge>,
    page_info: PageInfo,
    query: PolicyQuery,
}

#[Object]
impl PolicyConnection {
    async fn edges(&self) -> &[PolicyEdge] {
        &self.edges
    }
    async fn nodes(&self) -> Vec<&Policy> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// Exact count; computed only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(store::count(&app(ctx).db, &self.query).await.map_err(ApiError::from)?)
    }
}

#[derive(Default)]
pub struct PolicyQueries;

#[Object]
impl PolicyQueries {
    /// A policy by its document number, with any brackets (`宁政办发[2017]49号`).
    async fn policy(&self, ctx: &Context<'_>, document_number: String) -> Result<Option<Policy>> {
        let n =
            DocumentNumber::parse(&document_number).map_err(|e| ApiError::bad_input(format!("documentNumber: {e}")))?;
        Ok(store::by_number(&app(ctx).db, &n).await.map_err(ApiError::from)?)
    }

    /// Policies, newest imported first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn policies(
        &self,
        ctx: &Context<'_>,
        filter: Option<PolicyFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<PolicyConnection> {
        let f = filter.unwrap_or_default();
        if let (Some(a), Some(b)) = (f.issued_from, f.issued_to)
            && a.0 > b.0
        {
            return Err(ApiError::bad_input(format!("issuedFrom {} is after issuedTo {}", a.0, b.0)).into());
        }
        let q = PolicyQuery {
            issuer: f.issuer,
            title: f.title,
            issued_from: f.issued_from.map(|d| d.0),
            issued_to: f.issued_to.map(|d| d.0),
        };
        let args = KeysetArgs {
            listing: "policies",
            sort: "i",
            descending: true,
            first,
            after,
            last: None,
            before: None,
        };
        let req = args.request_for(ctx, &|k| k.parse::<i32>().ok().map(Into::into))?;
        let page = store::list(&app(ctx).db, &q, &req).await.map_err(ApiError::from)?;
        let edges: Vec<PolicyEdge> = page
            .rows
            .into_iter()
            .map(|p| PolicyEdge {
                cursor: args.cursor(&p.id.to_string(), p.id),
                node: p,
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(PolicyConnection {
            page_info: PageInfo::from_cursors(&cursors, page.has_next, page.has_previous),
            edges,
            query: q,
        })
    }
}

/// Highlighted parts of a policy hit, HTML-escaped with `<mark>` around matches; the text cropped around them.
#[derive(SimpleObject, Default)]
pub struct PolicyHighlights {
    pub title: Option<String>,
    pub text: Option<String>,
}

#[derive(SimpleObject)]
pub struct PolicySearchEdge {
    pub cursor: String,
    pub node: Policy,
    pub highlights: PolicyHighlights,
}

/// Results of a policy search.
#[derive(SimpleObject)]
pub struct PolicySearchResult {
    pub edges: Vec<PolicySearchEdge>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate, not an exact count; it stops at 10,000.
    pub estimated_total_count: i32,
    /// Counts by `issuer` and `year`.
    pub facets: Vec<crate::graphql::search::Facet>,
}

#[derive(Default)]
pub struct PolicySearchQueries;

#[Object]
impl PolicySearchQueries {
    /// Full-text search of policies in Chinese: number (any brackets), title, issuer, full text.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_policies(
        &self,
        ctx: &Context<'_>,
        query: String,
        issuer: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<PolicySearchResult> {
        use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window};
        let (offset, size) = search_window("search-policies", first, after)?;
        let a = app(ctx);
        let out = super::search::search(
            &a.search,
            &query,
            issuer.as_deref(),
            offset,
            size,
            crate::graphql::search::wanted(ctx),
        )
        .await
        .map_err(ApiError::Search)?;
        let ids: Vec<i32> = out.hits.iter().map(|h| h.id).collect();
        let found = store::by_ids(&a.db, &ids).await.map_err(ApiError::from)?;
        let edges = edges_in_hit_order(
            "search-policies",
            offset,
            &out.hits,
            found,
            |p| p.id,
            |cursor, node, hit| PolicySearchEdge {
                cursor,
                node,
                highlights: PolicyHighlights {
                    title: hit.highlight("title"),
                    text: hit.highlight("text"),
                },
            },
        );
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(PolicySearchResult {
            page_info: search_page_info(&cursors, offset, size, out.estimated_total),
            edges,
            estimated_total_count: out.estimated_total as i32,
            facets: facets(out.facets),
        })
    }
}

pub async fn node_by_id(app: &AppContext, id: i32) -> ApiResult<Option<Policy>> {
    Ok(store::by_ids(&app.db, &[id]).await?.into_iter().next())
}
