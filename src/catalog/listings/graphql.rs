//! GraphQL of credit entries, brands and titles together: the listing filter, keyset pages of one kind, the
//! queries, and search (one `listings` index). The objects of each kind are in `credit.rs`, `brand.rs` and
//! `title.rs`.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use super::brand::{Brand, BrandScheme};
use super::credit::{CreditEntry, CreditList};
use super::model::ListingKind;
use super::store::{self, Listing, ListingQuery};
use super::title::{Title, TitleScheme};
use crate::catalog::counted::counted_connection;
use crate::catalog::enterprises::store as enterprise_store;
use crate::catalog::region::region_prefix;
use crate::catalog::terms::Level;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::scalars::Date;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// Narrows credit entries, brands or titles.
#[derive(InputObject, Default)]
pub struct ListingFilter {
    /// Enterprise credit code.
    pub credit_code: Option<String>,
    /// Division code prefix of the enterprise (or of the place, for titles of places).
    pub region: Option<String>,
    pub levels: Option<Vec<Level>>,
    /// In force on this day.
    pub active_on: Option<Date>,
    /// Listed or awarded on or after.
    pub from: Option<Date>,
    /// Listed or awarded on or before.
    pub to: Option<Date>,
}

/// The store query of a listing of one kind; `None` when the filter names an enterprise the catalogue lacks.
/// Also the query of the `/embed/` widgets of brands, titles and credit lists.
pub(crate) async fn listing_query(
    db: &sea_orm::DatabaseConnection,
    kind: ListingKind,
    schemes: Vec<String>,
    f: ListingFilter,
) -> ApiResult<Option<ListingQuery>> {
    let enterprise_id = match &f.credit_code {
        None => None,
        Some(c) => {
            let code: String = c
                .chars()
                .filter(|x| !x.is_whitespace())
                .collect::<String>()
                .to_ascii_uppercase();
            match enterprise_store::enterprise_by_code(db, &code).await? {
                Some(e) => Some(e.id),
                None => return Ok(None),
            }
        }
    };
    if let (Some(a), Some(b)) = (f.from, f.to)
        && a.0 > b.0
    {
        return Err(ApiError::bad_input(format!("from {} is after to {}", a.0, b.0)));
    }
    Ok(Some(ListingQuery {
        kind: Some(kind),
        schemes,
        levels: f
            .levels
            .unwrap_or_default()
            .iter()
            .map(|l| l.as_str().to_string())
            .collect(),
        enterprise_id,
        region_prefix: region_prefix(&f.region)?,
        active_on: f.active_on.map(|d| d.0),
        started_from: f.from.map(|d| d.0),
        started_to: f.to.map(|d| d.0),
    }))
}

counted_connection!(
    CreditEntryConnection,
    CreditEntryEdge,
    CreditEntry,
    store::count_listings,
    ListingQuery
);
counted_connection!(BrandConnection, BrandEdge, Brand, store::count_listings, ListingQuery);
counted_connection!(TitleConnection, TitleEdge, Title, store::count_listings, ListingQuery);

/// Pages of listings of one kind, newest imported first; `wrap` makes the GraphQL type.
async fn listing_page<T>(
    ctx: &Context<'_>,
    listing: &'static str,
    query: Option<ListingQuery>,
    first: Option<i32>,
    after: Option<String>,
    wrap: fn(Listing) -> T,
) -> ApiResult<(Vec<(String, T)>, PageInfo, Option<ListingQuery>)> {
    let args = KeysetArgs {
        listing,
        sort: "i",
        descending: true,
        first,
        after,
        last: None,
        before: None,
    };
    let req = args.request_for(ctx, &|k| k.parse::<i32>().ok().map(Into::into))?;
    let Some(q) = query else {
        return Ok((Vec::new(), PageInfo::default(), None));
    };
    let page = store::list_listings(&app(ctx).db, &q, &req).await?;
    let rows: Vec<(String, T)> = page
        .rows
        .into_iter()
        .map(|l| (args.cursor(&l.id.to_string(), l.id), wrap(l)))
        .collect();
    let cursors: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    Ok((
        rows,
        PageInfo::from_cursors(&cursors, page.has_next, page.has_previous),
        Some(q),
    ))
}

/// Queries of credit entries, brands and titles.
#[derive(Default)]
pub struct ListingQueries;

#[Object]
impl ListingQueries {
    /// Credit entries, newest first. `activeOn` answers "who was listed on that day".
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn credit_entries(
        &self,
        ctx: &Context<'_>,
        lists: Option<Vec<CreditList>>,
        filter: Option<ListingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CreditEntryConnection> {
        let schemes = lists
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let q = listing_query(&app(ctx).db, ListingKind::Credit, schemes, filter.unwrap_or_default()).await?;
        let (rows, page_info, query) = listing_page(ctx, "credit-entries", q, first, after, CreditEntry).await?;
        Ok(CreditEntryConnection {
            edges: rows
                .into_iter()
                .map(|(cursor, node)| CreditEntryEdge { cursor, node })
                .collect(),
            page_info,
            query,
        })
    }

    /// Brand listings, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn brands(
        &self,
        ctx: &Context<'_>,
        schemes: Option<Vec<BrandScheme>>,
        filter: Option<ListingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<BrandConnection> {
        let schemes = schemes
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let q = listing_query(&app(ctx).db, ListingKind::Brand, schemes, filter.unwrap_or_default()).await?;
        let (rows, page_info, query) = listing_page(ctx, "brands", q, first, after, Brand).await?;
        Ok(BrandConnection {
            edges: rows
                .into_iter()
                .map(|(cursor, node)| BrandEdge { cursor, node })
                .collect(),
            page_info,
            query,
        })
    }

    /// Titles, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn titles(
        &self,
        ctx: &Context<'_>,
        schemes: Option<Vec<TitleScheme>>,
        filter: Option<ListingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<TitleConnection> {
        let schemes = schemes
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let q = listing_query(&app(ctx).db, ListingKind::Title, schemes, filter.unwrap_or_default()).await?;
        let (rows, page_info, query) = listing_page(ctx, "titles", q, first, after, Title).await?;
        Ok(TitleConnection {
            edges: rows
                .into_iter()
                .map(|(cursor, node)| TitleEdge { cursor, node })
                .collect(),
            page_info,
            query,
        })
    }
}

/// Highlighted parts of a listing hit, HTML-escaped with `<mark>` around matches.
#[derive(SimpleObject, Default)]
pub struct ListingHighlights {
    pub name: Option<String>,
    pub product: Option<String>,
    pub enterprise_name: Option<String>,
    pub reason: Option<String>,
}

/// The edge and result types of a listing or zone search: `From<Hits<$node>>` fills them.
macro_rules! listing_search_result {
    ($result:ident, $edge:ident, $node:ty, $facets:literal) => {
        #[derive(::async_graphql::SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
            pub highlights: $crate::catalog::listings::graphql::ListingHighlights,
        }

        /// Results of a search.
        #[derive(::async_graphql::SimpleObject)]
        pub struct $result {
            pub edges: Vec<$edge>,
            pub page_info: $crate::graphql::connection::PageInfo,
            /// Meilisearch's estimate, not an exact count; it stops at 10,000.
            pub estimated_total_count: i32,
            #[doc = $facets]
            pub facets: Vec<crate::graphql::search::Facet>,
        }

        impl From<$crate::catalog::listings::graphql::Hits<$node>> for $result {
            fn from(h: $crate::catalog::listings::graphql::Hits<$node>) -> Self {
                $result {
                    edges: h
                        .rows
                        .into_iter()
                        .map(|(cursor, node, highlights)| $edge {
                            cursor,
                            node,
                            highlights,
                        })
                        .collect(),
                    page_info: h.page_info,
                    estimated_total_count: h.total,
                    facets: h.facets,
                }
            }
        }
    };
}
pub(crate) use listing_search_result;

listing_search_result!(
    CreditEntrySearchResult,
    CreditEntrySearchEdge,
    CreditEntry,
    "Counts by `scheme` (list), `level`, `regionPrefixes` and `year`."
);
listing_search_result!(
    BrandSearchResult,
    BrandSearchEdge,
    Brand,
    "Counts by `scheme`, `level`, `regionPrefixes` and `year`."
);
listing_search_result!(
    TitleSearchResult,
    TitleSearchEdge,
    Title,
    "Counts by `scheme`, `level`, `regionPrefixes` and `year`."
);
/// Hits of a listing search, loaded from the database in Meilisearch's order.
pub(crate) struct Hits<T> {
    pub(crate) rows: Vec<(String, T, ListingHighlights)>,
    pub(crate) page_info: PageInfo,
    pub(crate) total: i32,
    pub(crate) facets: Vec<crate::graphql::search::Facet>,
}

async fn listing_hits<T>(
    ctx: &Context<'_>,
    listing: &str,
    query: &str,
    filter: super::search::ListingSearchFilter,
    first: Option<i32>,
    after: Option<String>,
    wrap: fn(Listing) -> T,
) -> ApiResult<Hits<T>> {
    use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window};
    let (offset, size) = search_window(listing, first, after)?;
    let a = app(ctx);
    let out = super::search::search_listings(
        &a.search,
        query,
        &filter,
        offset,
        size,
        crate::graphql::search::wanted(ctx),
    )
    .await
    .map_err(ApiError::Search)?;
    let ids: Vec<i32> = out.hits.iter().map(|h| h.id).collect();
    let found = store::listings_by_ids(&a.db, &ids).await?;
    let rows = edges_in_hit_order(
        listing,
        offset,
        &out.hits,
        found,
        |l| l.id,
        |cursor, l, hit| {
            (
                cursor,
                wrap(l),
                ListingHighlights {
                    name: hit.highlight("name"),
                    product: hit.highlight("product"),
                    enterprise_name: hit.highlight("enterpriseName"),
                    reason: hit.highlight("reason"),
                },
            )
        },
    );
    let cursors: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    Ok(Hits {
        page_info: search_page_info(&cursors, offset, size, out.estimated_total),
        rows,
        total: out.estimated_total as i32,
        facets: facets(out.facets),
    })
}

/// Enum values as the names the index stores.
fn names<T: Copy>(values: Option<Vec<T>>, name: fn(T) -> &'static str) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|v| name(v).to_string())
        .collect()
}

/// The filter of a listing search of one kind.
fn listing_filter(
    kind: ListingKind,
    schemes: Vec<String>,
    levels: Option<Vec<Level>>,
    region: &Option<String>,
    active_today: Option<bool>,
) -> ApiResult<super::search::ListingSearchFilter> {
    Ok(super::search::ListingSearchFilter {
        kind: Some(kind),
        schemes,
        levels: names(levels, Level::as_str),
        region_prefix: region_prefix(region)?,
        active_today,
    })
}

/// Chinese full-text search of credit entries, brands and titles.
#[derive(Default)]
pub struct ListingSearchQueries;

#[Object]
impl ListingSearchQueries {
    /// Credit entries by reason, enterprise, authority or document number.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn search_credit_entries(
        &self,
        ctx: &Context<'_>,
        query: String,
        lists: Option<Vec<CreditList>>,
        region: Option<String>,
        active_today: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CreditEntrySearchResult> {
        let filter = listing_filter(
            ListingKind::Credit,
            names(lists, CreditList::as_str),
            None,
            &region,
            active_today,
        )?;
        Ok(
            listing_hits(ctx, "search-credit-entries", &query, filter, first, after, CreditEntry)
                .await?
                .into(),
        )
    }

    /// Brands by name, product or enterprise.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn search_brands(
        &self,
        ctx: &Context<'_>,
        query: String,
        schemes: Option<Vec<BrandScheme>>,
        levels: Option<Vec<Level>>,
        region: Option<String>,
        active_today: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<BrandSearchResult> {
        let filter = listing_filter(
            ListingKind::Brand,
            names(schemes, BrandScheme::as_str),
            levels,
            &region,
            active_today,
        )?;
        Ok(listing_hits(ctx, "search-brands", &query, filter, first, after, Brand)
            .await?
            .into())
    }

    /// Titles by name, enterprise or issuer.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn search_titles(
        &self,
        ctx: &Context<'_>,
        query: String,
        schemes: Option<Vec<TitleScheme>>,
        levels: Option<Vec<Level>>,
        region: Option<String>,
        active_today: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<TitleSearchResult> {
        let filter = listing_filter(
            ListingKind::Title,
            names(schemes, TitleScheme::as_str),
            levels,
            &region,
            active_today,
        )?;
        Ok(listing_hits(ctx, "search-titles", &query, filter, first, after, Title)
            .await?
            .into())
    }
}

pub async fn listing_node(app: &AppContext, id: i32) -> ApiResult<Option<Listing>> {
    Ok(store::listings_by_ids(&app.db, &[id]).await?.into_iter().next())
}
