//! GraphQL of recalls: the `Recall` object with the companies it names (matched enterprises, or candidates), the
//! `recalls` listing (keyset pages, a typed filter, `orderBy`) and the lookups by ID or by country and reference.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use super::model::{CompanyRole, RecallKind, RiskType, country_code};
use super::store::{self, Company, Recall, RecallQuery, Sort};
use crate::catalog::codes::hs_prefix;
use crate::catalog::counted::counted_connection;
use crate::catalog::enterprises::graphql::enterprise_of;
use crate::catalog::enterprises::store::{Enterprise, enterprise_by_code, enterprises_by_ids};
use crate::catalog::notices::graphql::OrderDirection;
use crate::catalog::notices::members::{Member, member};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// How sure the tie between a named company and an enterprise is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyMatch {
    /// By its credit code, or the only enterprise of exactly that Chinese name: `enterprise` is set.
    Confirmed,
    /// Enterprises it may be (`candidates`): the same trade name in Chinese or in pinyin, or several of the same
    /// name. Never taken as the enterprise.
    Candidate,
    /// No enterprise found.
    None,
}

/// A company a recall names.
pub struct RecallCompany(pub Company);

#[Object]
impl RecallCompany {
    async fn role(&self) -> CompanyRole {
        self.0.role
    }
    /// The name as published (Chinese, pinyin or English).
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn credit_code(&self) -> Option<&str> {
        self.0.credit_code.as_deref()
    }
    async fn r#match(&self) -> CompanyMatch {
        if self.0.enterprise_id.is_some() {
            CompanyMatch::Confirmed
        } else if self.0.candidates.is_empty() {
            CompanyMatch::None
        } else {
            CompanyMatch::Candidate
        }
    }
    /// How the enterprise or the candidates were found: `CREDIT_CODE`, `NAME` (certain); `SAME_NAME`,
    /// `TRADE_NAME`, `PINYIN` (candidates).
    async fn basis(&self) -> Option<&str> {
        self.0.basis.as_deref()
    }
    /// The enterprise it certainly is.
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    /// Enterprises it may be; for a person to check.
    async fn candidates(&self, ctx: &Context<'_>) -> Result<Vec<Enterprise>> {
        Ok(enterprises_by_ids(&app(ctx).db, &self.0.candidates)
            .await
            .map_err(ApiError::from)?)
    }
}

#[Object]
impl Recall {
    pub async fn id(&self) -> ID {
        ids::encode("Recall", self.id)
    }
    async fn kind(&self) -> RecallKind {
        self.data.kind
    }
    /// The format it was imported from: `safety-gate`, `cpsc`, `returns-sheet`, `jsonl`, `api`.
    async fn source(&self) -> &str {
        &self.source
    }
    /// The notifying country's own reference (Safety Gate `A12/01234/23`, a CPSC recall number).
    async fn reference(&self) -> &str {
        &self.data.reference
    }
    /// The notifying country (a WTO member code: ISO alpha-3, or `EU`) with its names.
    async fn country(&self) -> Member {
        member(&self.data.country)
    }
    /// The country as the source wrote it.
    async fn country_raw(&self) -> Option<&str> {
        self.data.country_raw.as_deref()
    }
    async fn authority(&self) -> Option<&str> {
        self.data.authority.as_deref()
    }
    async fn notified_on(&self) -> Date {
        Date(self.data.notified_on)
    }
    async fn category(&self) -> Option<&str> {
        self.data.category.as_deref()
    }
    /// What the product is (Safety Gate's "Product"; CPSC's recall title).
    async fn product(&self) -> Option<&str> {
        self.data.product.as_deref()
    }
    /// The product's name.
    async fn name(&self) -> Option<&str> {
        self.data.name.as_deref()
    }
    async fn brand(&self) -> Option<&str> {
        self.data.brand.as_deref()
    }
    /// Type or model numbers.
    async fn model(&self) -> Option<&str> {
        self.data.model.as_deref()
    }
    /// Batch numbers (and barcodes, as Safety Gate writes them together).
    async fn batch(&self) -> Option<&str> {
        self.data.batch.as_deref()
    }
    async fn barcodes(&self) -> &[String] {
        &self.data.barcodes
    }
    /// HS codes, digits only.
    async fn hs_codes(&self) -> &[String] {
        &self.data.hs_codes
    }
    async fn risk_types(&self) -> &[RiskType] {
        &self.data.risk_types
    }
    /// The risk type as published.
    async fn risk_raw(&self) -> Option<&str> {
        self.data.risk_raw.as_deref()
    }
    async fn risk_description(&self) -> Option<&str> {
        self.data.risk_description.as_deref()
    }
    /// Measures taken (by the authorities and economic operators; where else the product was found).
    async fn measures(&self) -> Option<&str> {
        self.data.measures.as_deref()
    }
    /// Country of origin (WTO member code) where the text names one.
    async fn origin(&self) -> Option<Member> {
        self.data.origin.as_deref().map(member)
    }
    async fn origin_raw(&self) -> Option<&str> {
        self.data.origin_raw.as_deref()
    }
    /// For returned goods: the port the goods came back through.
    async fn port(&self) -> Option<&str> {
        self.data.port.as_deref()
    }
    /// For returned goods: why they were returned or rejected.
    async fn reason(&self) -> Option<&str> {
        self.data.reason.as_deref()
    }
    /// Units concerned, as published.
    async fn units(&self) -> Option<&str> {
        self.data.units.as_deref()
    }
    async fn description(&self) -> Option<&str> {
        self.data.description.as_deref()
    }
    async fn links(&self) -> &[String] {
        &self.data.links
    }
    /// The companies named: manufacturers, exporters, importers, distributors, retailers.
    async fn companies(&self) -> Vec<RecallCompany> {
        self.companies.iter().cloned().map(RecallCompany).collect()
    }
}

/// Narrows a listing of recalls; each list matches any of its values.
#[derive(InputObject, Default)]
pub struct RecallFilter {
    /// Notifying countries or markets: codes (`USA`, `DEU`, `DE`), names (`Germany`, `德国`), or `EU` for every
    /// member state's alerts.
    pub countries: Option<Vec<String>>,
    pub kinds: Option<Vec<RecallKind>>,
    /// Notified on or after.
    pub from: Option<Date>,
    /// Notified on or before.
    pub to: Option<Date>,
    /// HS code prefixes (`9503`, `9503.00`).
    pub hs_prefixes: Option<Vec<String>>,
    pub risk_types: Option<Vec<RiskType>>,
    /// Countries of origin (`CN`, `CHN`, `China`, `中国`).
    pub origins: Option<Vec<String>>,
    /// Recalls naming this enterprise for certain.
    pub credit_code: Option<String>,
}

fn countries(field: &str, values: Option<Vec<String>>) -> ApiResult<Vec<String>> {
    values
        .unwrap_or_default()
        .iter()
        .map(|c| {
            country_code(c)
                .ok_or_else(|| ApiError::bad_input(format!("filter.{field}: {c:?} is not a country code or name")))
        })
        .collect()
}

impl RecallFilter {
    /// The store query; `None` when it names an enterprise the catalogue lacks (an empty listing).
    pub(crate) async fn into_query(self, db: &sea_orm::DatabaseConnection) -> ApiResult<Option<RecallQuery>> {
        if let (Some(a), Some(b)) = (self.from, self.to)
            && a.0 > b.0
        {
            return Err(ApiError::bad_input(format!("filter: from {} is after to {}", a.0, b.0)));
        }
        let mut hs = Vec::new();
        for p in self.hs_prefixes.unwrap_or_default() {
            hs.push(
                hs_prefix(&crate::catalog::codes::fold_width(&p))
                    .ok_or_else(|| ApiError::bad_input(format!("filter.hsPrefixes: {p:?} is not 1 to 10 digits")))?,
            );
        }
        let enterprise_id = match &self.credit_code {
            None => None,
            Some(c) => {
                let code: String = c
                    .chars()
                    .filter(|x| !x.is_whitespace())
                    .collect::<String>()
                    .to_ascii_uppercase();
                match enterprise_by_code(db, &code).await? {
                    Some(e) => Some(e.id),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(RecallQuery {
            countries: countries("countries", self.countries)?,
            kinds: self
                .kinds
                .unwrap_or_default()
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            hs_prefixes: hs,
            risk_types: self
                .risk_types
                .unwrap_or_default()
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
            origins: countries("origins", self.origins)?,
            enterprise_id,
            with_candidates: false,
        }))
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecallOrderField {
    /// The notification date.
    #[default]
    NotifiedOn,
    /// The order they were imported in.
    Imported,
}

/// Order of a recall listing; ties are broken by the internal id in the same direction.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct RecallOrder {
    #[graphql(default)]
    pub field: RecallOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

counted_connection!(RecallConnection, RecallEdge, Recall, store::count, RecallQuery);

/// The Relay arguments of a page.
#[derive(Default)]
pub(crate) struct Window {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A page of recalls for `query` (none: an empty listing).
pub(crate) async fn recall_page(
    ctx: &Context<'_>,
    listing: &'static str,
    query: Option<RecallQuery>,
    order: RecallOrder,
    window: Window,
) -> ApiResult<RecallConnection> {
    let Window {
        first,
        after,
        last,
        before,
    } = window;
    let sort = match order.field {
        RecallOrderField::NotifiedOn => Sort::NotifiedOn,
        RecallOrderField::Imported => Sort::Imported,
    };
    let args = KeysetArgs {
        listing,
        sort: match sort {
            Sort::NotifiedOn => "d",
            Sort::Imported => "i",
        },
        descending: order.direction == OrderDirection::Desc,
        first,
        after,
        last,
        before,
    };
    let req = args.request_for(ctx, &|k| match sort {
        Sort::NotifiedOn => k.parse::<chrono::NaiveDate>().ok().map(Into::into),
        Sort::Imported => k.parse::<i32>().ok().map(Into::into),
    })?;
    let Some(q) = query else {
        return Ok(RecallConnection {
            edges: Vec::new(),
            page_info: PageInfo::default(),
            query: None,
        });
    };
    let page = store::list(&app(ctx).db, &q, sort, &req).await?;
    let edges: Vec<RecallEdge> = page
        .rows
        .into_iter()
        .map(|r| {
            let key = match sort {
                Sort::NotifiedOn => r.data.notified_on.to_string(),
                Sort::Imported => r.id.to_string(),
            };
            RecallEdge {
                cursor: args.cursor(&key, r.id),
                node: r,
            }
        })
        .collect();
    let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
    Ok(RecallConnection {
        edges,
        page_info: PageInfo::from_cursors(&cursors, page.has_next, page.has_previous),
        query: Some(q),
    })
}

#[derive(Default)]
pub struct RecallQueries;

#[Object]
impl RecallQueries {
    /// Foreign recalls, border rejections and returned exports, newest notification first unless `orderBy` says
    /// otherwise.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn recalls(
        &self,
        ctx: &Context<'_>,
        filter: Option<RecallFilter>,
        order_by: Option<RecallOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RecallConnection> {
        let q = filter.unwrap_or_default().into_query(&app(ctx).db).await?;
        let window = Window {
            first,
            after,
            last,
            before,
        };
        Ok(recall_page(ctx, "recalls", q, order_by.unwrap_or_default(), window).await?)
    }

    /// A recall by its global ID, or by the notifying country and its reference (`country: "USA", reference: "24123"`).
    async fn recall(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        country: Option<String>,
        reference: Option<String>,
    ) -> Result<Option<Recall>> {
        match (id, country, reference) {
            (Some(id), None, None) => {
                let (t, n) = ids::decode(&id)?;
                if t != "Recall" {
                    return Ok(None);
                }
                Ok(node_by_id(app(ctx), n).await?)
            }
            (None, Some(c), Some(r)) => {
                let code =
                    country_code(&c).ok_or_else(|| ApiError::bad_input(format!("country: {c:?} is not a country")))?;
                Ok(store::recall_by_reference(&app(ctx).db, &code, &r)
                    .await
                    .map_err(ApiError::from)?)
            }
            _ => Err(ApiError::bad_input("give `id`, or `country` and `reference`").into()),
        }
    }
}

pub async fn node_by_id(app: &AppContext, id: i32) -> ApiResult<Option<Recall>> {
    Ok(store::recalls_by_ids(&app.db, &[id]).await?.into_iter().next())
}

/// The recalls naming an enterprise (`Enterprise.recalls`).
pub(crate) async fn recalls_of_enterprise(
    ctx: &Context<'_>,
    enterprise_id: i32,
    include_candidates: bool,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<RecallConnection> {
    let q = RecallQuery {
        enterprise_id: Some(enterprise_id),
        with_candidates: include_candidates,
        ..Default::default()
    };
    let listing = if include_candidates {
        "enterprise-recalls-c"
    } else {
        "enterprise-recalls"
    };
    let window = Window {
        first,
        after,
        ..Default::default()
    };
    recall_page(ctx, listing, Some(q), RecallOrder::default(), window).await
}

/// Narrows `searchRecalls`.
#[derive(InputObject, Default)]
pub struct RecallSearchFilter {
    /// Notifying countries or markets, as in `recalls`.
    pub countries: Option<Vec<String>>,
    pub kinds: Option<Vec<RecallKind>>,
    pub risk_types: Option<Vec<RiskType>>,
    pub origins: Option<Vec<String>>,
    /// One HS prefix of 2 to 10 digits.
    pub hs_prefix: Option<String>,
    /// The year notified.
    pub year: Option<i32>,
}

/// Highlighted parts of a recall hit, HTML-escaped with `<mark>` around matches.
#[derive(SimpleObject, Default)]
pub struct RecallHighlights {
    /// The product's name.
    pub title: Option<String>,
    pub companies: Option<String>,
    /// Words of the description, risk, reason and measures around the matches.
    pub description: Option<String>,
}

#[derive(SimpleObject)]
pub struct RecallSearchEdge {
    pub cursor: String,
    pub node: Recall,
    pub highlights: RecallHighlights,
}

/// Results of `searchRecalls`.
#[derive(SimpleObject)]
pub struct RecallSearchResult {
    pub edges: Vec<RecallSearchEdge>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate, not an exact count; it stops at 10,000.
    pub estimated_total_count: i32,
    /// Counts by `kind`, `countries`, `riskTypes`, `origin` and `year`.
    pub facets: Vec<crate::graphql::search::Facet>,
}

#[derive(Default)]
pub struct RecallSearchQueries;

#[Object]
impl RecallSearchQueries {
    /// Chinese full-text search of recalls: product, companies, brand, model, risk and reason, countries in Chinese
    /// and English, HS codes and references.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_recalls(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<RecallSearchFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RecallSearchResult> {
        use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window, wanted};
        const LISTING: &str = "search-recalls";
        let f = filter.unwrap_or_default();
        let hs_prefix = match f.hs_prefix {
            None => None,
            Some(p) => Some(
                hs_prefix(&crate::catalog::codes::fold_width(&p))
                    .filter(|d| d.len() >= 2)
                    .ok_or_else(|| ApiError::bad_input(format!("filter.hsPrefix: {p:?} is not 2 to 10 digits")))?,
            ),
        };
        let filter = super::search::RecallSearchFilter {
            countries: countries("countries", f.countries)?,
            kinds: f
                .kinds
                .unwrap_or_default()
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            risk_types: f
                .risk_types
                .unwrap_or_default()
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
            origins: countries("origins", f.origins)?,
            hs_prefix,
            year: f.year,
        };
        let (offset, size) = search_window(LISTING, first, after)?;
        let a = app(ctx);
        let out = super::search::search(&a.search, &query, &filter, offset, size, wanted(ctx))
            .await
            .map_err(ApiError::Search)?;
        let ids: Vec<i32> = out.hits.iter().map(|h| h.id).collect();
        let found = store::recalls_by_ids(&a.db, &ids).await.map_err(ApiError::from)?;
        let edges = edges_in_hit_order(
            LISTING,
            offset,
            &out.hits,
            found,
            |r| r.id,
            |cursor, node, hit| RecallSearchEdge {
                cursor,
                node,
                highlights: RecallHighlights {
                    title: hit.highlight("title"),
                    companies: hit.highlight("companies"),
                    description: hit.highlight("description"),
                },
            },
        );
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(RecallSearchResult {
            page_info: search_page_info(&cursors, offset, size, out.estimated_total),
            edges,
            estimated_total_count: out.estimated_total as i32,
            facets: facets(out.facets),
        })
    }
}
