//! GraphQL of enterprises: the `Enterprise` object (with its credit entries, brands, titles and zones "as of" a
//! day), lookups by credit code or name, the filtered listing, and search.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::store::{self, Enterprise, EnterpriseQuery};
use super::uscc::{self, Uscc};
use crate::catalog::counted::counted_connection;
use crate::catalog::listings::brand::{Brand, BrandScheme};
use crate::catalog::listings::credit::{CreditEntry, CreditList};
use crate::catalog::listings::model::{AwardStatus, ListingKind};
use crate::catalog::listings::title::{Title, TitleScheme};
use crate::catalog::region::region_prefix;
use crate::catalog::terms::covers;
use crate::catalog::zones::graphql::ZoneMember;
use crate::catalog::zones::store as zone_store;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::scalars::Date;
use crate::graphql::{ids, loaders};

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// The brand and title schemes of a filter together, by name.
fn scheme_names(brands: Option<Vec<BrandScheme>>, titles: Option<Vec<TitleScheme>>) -> Vec<String> {
    let brands = brands.unwrap_or_default().into_iter().map(|s| s.as_str());
    let titles = titles.unwrap_or_default().into_iter().map(|s| s.as_str());
    brands.chain(titles).map(str::to_string).collect()
}

/// `enterprises(filter:)`'s store query: the zone by its code, the brand and title schemes together. Used by the
/// resolver and by the exports.
pub(crate) async fn enterprise_query(
    db: &sea_orm::DatabaseConnection,
    f: EnterpriseFilter,
) -> ApiResult<EnterpriseQuery> {
    let zone_id = match &f.zone {
        None => None,
        Some(code) => match zone_store::zone_by_code(db, code).await? {
            Some(z) => Some(z.id),
            None => return Err(ApiError::bad_input(format!("zone: no zone with the code {code:?}"))),
        },
    };
    let schemes = scheme_names(f.brand_schemes, f.title_schemes);
    Ok(EnterpriseQuery {
        region_prefix: region_prefix(&f.region)?,
        industry: f.industry,
        name_contains: f.name,
        credit_code_valid: f.credit_code_valid,
        known_by_reference: f.known_only_by_reference,
        credit_lists: f
            .credit_lists
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        schemes,
        zone_id,
        on: f.on.map(|d| d.0),
    })
}

/// The parts of a credit code.
#[derive(SimpleObject)]
pub struct CreditCodeParts {
    /// Position 1 and its registering department.
    pub department_code: String,
    pub department: Option<String>,
    /// Positions 1-2 and the category they name (`91` 企业).
    pub category_code: String,
    pub category: Option<String>,
    /// Positions 3-8: division code of the registering authority when the code was issued.
    pub region_code: String,
    /// Positions 9-17.
    pub organization_code: String,
}

#[Object]
impl Enterprise {
    pub async fn id(&self) -> ID {
        ids::encode("Enterprise", self.id)
    }
    /// 统一社会信用代码, upper case.
    async fn credit_code(&self) -> &str {
        &self.credit_code
    }
    /// False when the check character does not agree with the other 17 (kept as published, flagged).
    async fn credit_code_valid(&self) -> bool {
        self.credit_code_valid
    }
    async fn credit_code_parts(&self) -> Option<CreditCodeParts> {
        let u = Uscc::read(&self.credit_code).ok()?;
        Some(CreditCodeParts {
            department_code: u.department_code().to_string(),
            department: uscc::department(u.department_code()).map(str::to_string),
            category_code: u.category_code().to_string(),
            category: uscc::category(u.category_code()).map(str::to_string),
            region_code: u.region_code().to_string(),
            organization_code: u.organization_code().to_string(),
        })
    }
    /// True when the enterprise is known only because a listing or zone named its code.
    async fn known_only_by_reference(&self) -> bool {
        self.known_by_reference
    }
    async fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    async fn former_names(&self) -> &[String] {
        &self.former_names
    }
    /// Legacy 15-digit registration number.
    async fn registration_number(&self) -> Option<&str> {
        self.registration_number.as_deref()
    }
    /// Division code (GB/T 2260) of the enterprise's region.
    async fn region_code(&self) -> Option<&str> {
        self.region_code.as_deref()
    }
    /// The region with its names (from the division list the catalogue has loaded).
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<crate::catalog::divisions::Region>> {
        crate::graphql::loaders::region(ctx, self.region_code.as_deref()).await
    }
    async fn industry(&self) -> Option<&str> {
        self.industry.as_deref()
    }
    async fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
    async fn main_products(&self) -> &[String] {
        &self.main_products
    }
    /// Credit entries; with `asOf`, only those in force on that day (listed and not yet removed).
    async fn credit_entries(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<CreditEntry>> {
        let rows = listings_of(ctx, self.id, ListingKind::Credit).await?;
        Ok(rows
            .into_iter()
            .filter(|l| as_of.is_none_or(|d| covers(l.started_on, l.ended_on, d.0)))
            .map(CreditEntry)
            .collect())
    }
    /// Brands; with `asOf`, only those valid on that day.
    async fn brands(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Brand>> {
        let rows = listings_of(ctx, self.id, ListingKind::Brand).await?;
        Ok(rows
            .into_iter()
            .map(Brand)
            .filter(|b| as_of.is_none_or(|d| b.status_on(d.0) == AwardStatus::Valid))
            .collect())
    }
    /// Titles; with `asOf`, only those valid on that day.
    async fn titles(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Title>> {
        let rows = listings_of(ctx, self.id, ListingKind::Title).await?;
        Ok(rows
            .into_iter()
            .map(Title)
            .filter(|t| as_of.is_none_or(|d| t.status_on(d.0) == AwardStatus::Valid))
            .collect())
    }
    /// Zone memberships; with `asOf`, only those in force on that day.
    async fn zones(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<ZoneMember>> {
        let rows = loaders::of(ctx)
            .load_one(loaders::MembershipsOf(self.id))
            .await
            .map_err(loaders::failed)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|m| as_of.is_none_or(|d| covers(m.admitted_on, m.exited_on, d.0)))
            .map(ZoneMember)
            .collect())
    }
    /// Foreign recalls, border rejections and returned exports that name it, newest first: those that name it for
    /// certain (by credit code or exact name), and with `includeCandidates` also those whose company may be it.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn recalls(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_candidates: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::catalog::recalls::graphql::RecallConnection> {
        Ok(
            crate::catalog::recalls::graphql::recalls_of_enterprise(ctx, self.id, include_candidates, first, after)
                .await?,
        )
    }
    /// The products it exports (its export profile), by name.
    async fn export_products(&self, ctx: &Context<'_>) -> Result<Vec<crate::catalog::exports::store::ExportProduct>> {
        crate::catalog::exports::graphql::products_of(ctx, self.id).await
    }
    /// The reward clauses of a policy (its global ID or document number) checked against this enterprise: which
    /// it meets, with the sum and the records that prove it (the standard and its drafting position, the brand and
    /// its award date), and which it does not and why (out of region, out of period, no such record). The period
    /// is each clause's validity narrowed to `from`/`to`.
    #[graphql(complexity = "10 + child_complexity")]
    async fn eligible_rewards(
        &self,
        ctx: &Context<'_>,
        policy: String,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<crate::catalog::policies::eligibility::RewardEligibility>> {
        crate::catalog::policies::eligibility::for_enterprise(ctx, self, policy, from, to).await
    }
    /// Standards whose drafting organisations name this enterprise's credit code, newest first.
    async fn standards_drafted(
        &self,
        ctx: &Context<'_>,
        lead_only: Option<bool>,
    ) -> Result<Vec<crate::catalog::standards::model::Standard>> {
        let q = crate::catalog::standards::store::StandardQuery {
            drafted_by: Some(self.credit_code.clone()),
            drafted_as_lead: lead_only.unwrap_or(false),
            ..Default::default()
        };
        let req = crate::catalog::paging::PageRequest {
            descending: true,
            after: None,
            before: None,
            limit: 100,
            from_end: false,
            other_side: false,
        };
        let page = crate::catalog::standards::query::list(
            &app(ctx).db,
            &q,
            crate::catalog::standards::store::SortField::IssueDate,
            &req,
        )
        .await
        .map_err(ApiError::from)?;
        Ok(page.rows)
    }
    /// Its self-declared enterprise standards (企业标准自我声明), newest first; `status` keeps only those.
    async fn declarations(
        &self,
        ctx: &Context<'_>,
        status: Option<Vec<crate::catalog::declarations::model::DeclarationStatus>>,
    ) -> Result<Vec<crate::catalog::declarations::store::Declaration>> {
        crate::catalog::declarations::graphql::of_enterprise(ctx, self.id, status).await
    }
}

/// The enterprise of a listing or membership.
pub(crate) async fn enterprise_of(ctx: &Context<'_>, id: Option<i32>) -> Result<Option<Enterprise>> {
    match id {
        None => Ok(None),
        Some(id) => Ok(loaders::of(ctx)
            .load_one(loaders::EnterpriseId(id))
            .await
            .map_err(loaders::failed)?),
    }
}

/// An enterprise's listings of one kind, loaded with its siblings' (`loaders`).
async fn listings_of(
    ctx: &Context<'_>,
    id: i32,
    kind: ListingKind,
) -> Result<Vec<crate::catalog::listings::store::Listing>> {
    Ok(loaders::of(ctx)
        .load_one(loaders::ListingsOf(id, kind))
        .await
        .map_err(loaders::failed)?
        .unwrap_or_default())
}

/// Narrows the enterprise listing.
#[derive(InputObject, Default)]
pub struct EnterpriseFilter {
    /// Division code prefix (`3302` Ningbo, `330226` Ninghai).
    pub region: Option<String>,
    /// Part of the industry.
    pub industry: Option<String>,
    /// Part of the current or a former name.
    pub name: Option<String>,
    pub credit_code_valid: Option<bool>,
    pub known_only_by_reference: Option<bool>,
    /// On any of these credit lists on `on`.
    pub credit_lists: Option<Vec<CreditList>>,
    /// Holding a brand of any of these schemes, valid on `on`.
    pub brand_schemes: Option<Vec<BrandScheme>>,
    /// Holding a title of any of these schemes, valid on `on`.
    pub title_schemes: Option<Vec<TitleScheme>>,
    /// Member of this zone (code) on `on`.
    pub zone: Option<String>,
    /// The day the list, brand, title and zone conditions are checked on (default today).
    pub on: Option<Date>,
}

counted_connection!(
    EnterpriseConnection,
    EnterpriseEdge,
    Enterprise,
    store::count_enterprises,
    EnterpriseQuery
);
/// Queries of enterprises: one by code or name, and the filtered listing.
#[derive(Default)]
pub struct EnterpriseQueries;

#[Object]
impl EnterpriseQueries {
    /// An enterprise by credit code (any case, spaces ignored) or by current or former name.
    async fn enterprise(
        &self,
        ctx: &Context<'_>,
        credit_code: Option<String>,
        name: Option<String>,
    ) -> Result<Option<Enterprise>> {
        let db = &app(ctx).db;
        match (credit_code, name) {
            (Some(c), None) => {
                let u = Uscc::read(&c).map_err(|e| ApiError::bad_input(format!("creditCode: {e}")))?;
                let found = store::enterprise_by_code(db, u.as_str())
                    .await
                    .map_err(ApiError::from)?;
                // A code that fails its check is answered when a register published it that way; otherwise it
                // is most likely mistyped, and the message says which check character the code calls for.
                if found.is_none()
                    && let Err(e) = Uscc::parse(&c)
                {
                    return Err(ApiError::bad_input(format!("creditCode: {e}")).into());
                }
                Ok(found)
            }
            (None, Some(n)) => Ok(store::enterprise_by_name(db, &n).await.map_err(ApiError::from)?),
            _ => Err(ApiError::bad_input("give creditCode or name, not both").into()),
        }
    }

    /// Enterprises by credit code; `first` defaults to 20, at most 100.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn enterprises(
        &self,
        ctx: &Context<'_>,
        filter: Option<EnterpriseFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EnterpriseConnection> {
        let db = &app(ctx).db;
        let q = enterprise_query(db, filter.unwrap_or_default()).await?;
        let args = KeysetArgs {
            listing: "enterprises",
            sort: "c",
            descending: false,
            first,
            after,
            last: None,
            before: None,
        };
        let req = args.request_for(ctx, &|k| Some(k.to_string().into()))?;
        let page = store::list_enterprises(db, &q, &req).await.map_err(ApiError::from)?;
        let edges: Vec<EnterpriseEdge> = page
            .rows
            .into_iter()
            .map(|e| EnterpriseEdge {
                cursor: args.cursor(&e.credit_code, e.id),
                node: e,
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(EnterpriseConnection {
            page_info: PageInfo::from_cursors(&cursors, page.has_next, page.has_previous),
            edges,
            query: Some(q),
        })
    }
}

/// Narrows an enterprise search (as of today).
#[derive(InputObject, Default)]
pub struct EnterpriseSearchFilter {
    /// Division code prefix: 2 (province), 4 (city) or 6 (county) digits.
    pub region: Option<String>,
    pub industries: Option<Vec<String>>,
    /// On any of these credit lists today.
    pub credit_lists: Option<Vec<CreditList>>,
    /// Holding a brand of any of these schemes, valid today.
    pub brand_schemes: Option<Vec<BrandScheme>>,
    /// Holding a title of any of these schemes, valid today.
    pub title_schemes: Option<Vec<TitleScheme>>,
}

/// Highlighted parts of an enterprise hit, HTML-escaped with `<mark>` around matches.
#[derive(SimpleObject, Default)]
pub struct EnterpriseHighlights {
    pub name: Option<String>,
    pub main_products: Option<String>,
    pub industry: Option<String>,
}

#[derive(SimpleObject)]
pub struct EnterpriseSearchEdge {
    pub cursor: String,
    pub node: Enterprise,
    pub highlights: EnterpriseHighlights,
}

/// Results of an enterprise search.
#[derive(SimpleObject)]
pub struct EnterpriseSearchResult {
    pub edges: Vec<EnterpriseSearchEdge>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate, not an exact count; it stops at 10,000.
    pub estimated_total_count: i32,
    /// Counts by `regionCode`, `industry`, `lists` (today) and `schemes` (valid today).
    pub facets: Vec<crate::graphql::search::Facet>,
}

#[derive(Default)]
pub struct EnterpriseSearchQueries;

#[Object]
impl EnterpriseSearchQueries {
    /// Full-text search of enterprises in Chinese: names (current and former), products, industry, brands,
    /// titles, zones; a credit code or its organisation-code part finds the enterprise.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_enterprises(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<EnterpriseSearchFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EnterpriseSearchResult> {
        use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window};
        let f = filter.unwrap_or_default();
        let schemes = scheme_names(f.brand_schemes, f.title_schemes);
        let sf = super::search::EnterpriseSearchFilter {
            region_prefix: region_prefix(&f.region)?,
            industries: f.industries.unwrap_or_default(),
            lists: f
                .credit_lists
                .unwrap_or_default()
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            schemes,
        };
        let (offset, size) = search_window("search-enterprises", first, after)?;
        let a = app(ctx);
        let out = super::search::search(
            &a.search,
            &query,
            &sf,
            offset,
            size,
            crate::graphql::search::wanted(ctx),
        )
        .await
        .map_err(ApiError::Search)?;
        let ids: Vec<i32> = out.hits.iter().map(|h| h.id).collect();
        let found = store::enterprises_by_ids(&a.db, &ids).await.map_err(ApiError::from)?;
        let edges = edges_in_hit_order(
            "search-enterprises",
            offset,
            &out.hits,
            found,
            |e| e.id,
            |cursor, node, hit| EnterpriseSearchEdge {
                cursor,
                node,
                highlights: EnterpriseHighlights {
                    name: hit.highlight("name"),
                    main_products: hit.highlight("mainProducts"),
                    industry: hit.highlight("industry"),
                },
            },
        );
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(EnterpriseSearchResult {
            page_info: search_page_info(&cursors, offset, size, out.estimated_total),
            edges,
            estimated_total_count: out.estimated_total as i32,
            facets: facets(out.facets),
        })
    }
}

pub async fn enterprise_node(app: &AppContext, id: i32) -> ApiResult<Option<Enterprise>> {
    Ok(store::enterprises_by_ids(&app.db, &[id]).await?.into_iter().next())
}
