//! GraphQL of declarations: the `Declaration` object with its enterprise and standard, the filtered listing in
//! keyset pages (`declarations(filter:, orderBy:)`), lookups by ID or platform id, search, and the lists that
//! `Enterprise.declarations` and `Standard.declarations` answer.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::NaiveDate;

use super::model::{DeclarationStatus, Indicator};
use super::store::{self, Declaration, DeclarationQuery, SortField};
use crate::catalog::counted::counted_connection;
use crate::catalog::enterprises::graphql::enterprise_of;
use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise};
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::listings::graphql::{ListingHighlights, listing_search_result};
use crate::catalog::notices::graphql::OrderDirection;
use crate::catalog::region::region_prefix;
use crate::catalog::standards::model::Standard;
use crate::catalog::standards::number::{StandardLevel, StandardNumber};
use crate::catalog::standards::store as standard_store;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult, Code};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// A declaration (企业标准自我声明) on the enterprise standards platform: an enterprise states in public which
/// standard its products or services follow, and the key indicators it commits to.
#[Object]
impl Declaration {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode("Declaration", self.id)
    }
    /// The declaring enterprise's 统一社会信用代码.
    async fn credit_code(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(enterprise_of(ctx, Some(self.enterprise_id))
            .await?
            .map(|e| e.credit_code))
    }
    /// The declaring enterprise (created, known only by reference, when the declaration named it first).
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, Some(self.enterprise_id)).await
    }
    /// Canonical number of the standard declared (执行标准): ASCII, one space after the code (`Q/NHXH 001-2021`,
    /// `GB/T 19001-2016`).
    async fn standard_number(&self) -> &str {
        &self.standard_number
    }
    /// The number as the source wrote it.
    async fn raw_standard_number(&self) -> &str {
        &self.standard_number_raw
    }
    /// Code and sequence without the year (`Q/NHXH 001`).
    async fn standard_family_key(&self) -> &str {
        &self.standard_family
    }
    /// Level of the standard: ENTERPRISE for the enterprise's own `Q/...` standard, else the level of the one it
    /// adopts.
    async fn standard_level(&self) -> Option<StandardLevel> {
        StandardNumber::parse(&self.standard_number).ok().map(|n| n.level())
    }
    /// 标准名称, as declared.
    async fn standard_name(&self) -> Option<&str> {
        self.standard_name.as_deref()
    }
    /// The standard in the standards catalogue: this edition, or for a number without a year its newest edition;
    /// null when the catalogue lacks it (`standardNumber` still says which it is).
    async fn standard(&self, ctx: &Context<'_>) -> Result<Option<Standard>> {
        let db = &app(ctx).db;
        if let Some(s) = standard_store::by_edition(db, &self.standard_edition)
            .await
            .map_err(ApiError::from)?
        {
            return Ok(Some(s));
        }
        if self.standard_edition == self.standard_family {
            let editions = standard_store::editions(db, &self.standard_family)
                .await
                .map_err(ApiError::from)?;
            return Ok(editions.into_iter().next());
        }
        Ok(None)
    }
    /// 产品/服务名称.
    async fn products(&self) -> &[String] {
        &self.products
    }
    /// The declared key indicators (核心指标, 主要技术指标), in the order declared.
    async fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }
    /// 声明时间 / 公开时间.
    async fn declared_on(&self) -> Date {
        Date(self.declared_on)
    }
    async fn status(&self) -> DeclarationStatus {
        self.status
    }
    /// The status as the source wrote it (公开, 废止).
    async fn status_label(&self) -> Option<&str> {
        self.status_label.as_deref()
    }
    /// 废止时间, where given.
    async fn withdrawn_on(&self) -> Option<Date> {
        self.withdrawn_on.map(Date)
    }
    /// The record's id on the national platform (企业标准信息公共服务平台).
    async fn source_id(&self) -> Option<&str> {
        self.source_id.as_deref()
    }
}

/// Narrows a listing of declarations; every field given must hold.
#[derive(InputObject, Default, Clone)]
pub struct DeclarationFilter {
    /// The declaring enterprise's credit code (any case, spaces ignored).
    pub credit_code: Option<String>,
    /// A standard number in any written form (`Q／NHXH001—2021`, `GB/T19001-2016`): that edition; without a year,
    /// every edition.
    pub standard_number: Option<String>,
    /// Any of these statuses.
    pub status: Option<Vec<DeclarationStatus>>,
    /// Declared on or after.
    pub declared_from: Option<Date>,
    /// Declared on or before.
    pub declared_to: Option<Date>,
    /// A part of a product or service name.
    pub product: Option<String>,
    /// Division code prefix of the declaring enterprise (`3302` Ningbo, `330226` Ninghai).
    pub region: Option<String>,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeclarationOrderField {
    /// 声明时间.
    #[default]
    DeclaredOn,
    /// Canonical standard number.
    StandardNumber,
}

/// Order of a listing of declarations; ties broken by internal id in the same direction.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct DeclarationOrder {
    #[graphql(default)]
    pub field: DeclarationOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The store query of a filter; `None` when it names an enterprise the catalogue lacks (nothing matches).
pub(crate) async fn declaration_query(
    db: &sea_orm::DatabaseConnection,
    f: DeclarationFilter,
) -> ApiResult<Option<DeclarationQuery>> {
    let enterprise_id = match &f.credit_code {
        None => None,
        Some(c) => {
            let code = Uscc::read(c).map_err(|e| ApiError::bad_input(format!("creditCode: {e}")))?;
            match enterprise_store::enterprise_by_code(db, code.as_str()).await? {
                Some(e) => Some(e.id),
                None => return Ok(None),
            }
        }
    };
    let (edition, family) = match f.standard_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => (None, None),
        Some(n) => {
            let n = StandardNumber::parse(n).map_err(|e| ApiError::bad_input(format!("standardNumber: {e}")))?;
            if n.year().is_some() {
                (Some(n.edition()), None)
            } else {
                (None, Some(n.family_key()))
            }
        }
    };
    if let (Some(a), Some(b)) = (f.declared_from, f.declared_to)
        && a.0 > b.0
    {
        return Err(ApiError::bad_input(format!(
            "declaredFrom {} is after declaredTo {}",
            a.0, b.0
        )));
    }
    Ok(Some(DeclarationQuery {
        enterprise_id,
        edition,
        family,
        statuses: f.status.unwrap_or_default(),
        declared_from: f.declared_from.map(|d| d.0),
        declared_to: f.declared_to.map(|d| d.0),
        product: f.product.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
        region_prefix: region_prefix(&f.region)?,
    }))
}

counted_connection!(
    DeclarationConnection,
    DeclarationEdge,
    Declaration,
    store::count,
    DeclarationQuery
);

listing_search_result!(
    DeclarationSearchResult,
    DeclarationSearchEdge,
    Declaration,
    "Counts by `status`, `standardLevel`, `regionPrefixes` and `year` (declared)."
);

/// Queries of declarations: one by ID or platform id, the filtered listing, and search.
#[derive(Default)]
pub struct DeclarationQueries;

#[Object]
impl DeclarationQueries {
    /// A declaration by its global ID or by its id on the national platform.
    async fn declaration(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        source_id: Option<String>,
    ) -> Result<Option<Declaration>> {
        let db = &app(ctx).db;
        match (id, source_id) {
            (Some(id), None) => {
                let (type_name, n) = ids::decode(&id)?;
                if type_name != "Declaration" {
                    return Err(ApiError::user(
                        Code::InvalidId,
                        format!("{:?} is not the ID of a declaration", id.as_str()),
                    )
                    .into());
                }
                Ok(store::by_ids(db, &[n])
                    .await
                    .map_err(ApiError::from)?
                    .into_iter()
                    .next())
            }
            (None, Some(s)) => Ok(store::by_source_id(db, s.trim()).await.map_err(ApiError::from)?),
            _ => Err(ApiError::bad_input("give id or sourceId, not both").into()),
        }
    }

    /// Self-declared enterprise standards, newest declared first by default. `first`/`last` default to 20, at most
    /// 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::connection::page_cost(first.or(last), child_complexity)")]
    async fn declarations(
        &self,
        ctx: &Context<'_>,
        filter: Option<DeclarationFilter>,
        order_by: Option<DeclarationOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<DeclarationConnection> {
        let order = order_by.unwrap_or_default();
        let field = match order.field {
            DeclarationOrderField::DeclaredOn => SortField::DeclaredOn,
            DeclarationOrderField::StandardNumber => SortField::StandardNumber,
        };
        let args = KeysetArgs {
            listing: "declarations",
            sort: match field {
                SortField::DeclaredOn => "d",
                SortField::StandardNumber => "n",
            },
            descending: order.direction == OrderDirection::Desc,
            first,
            after,
            last,
            before,
        };
        let req = args.request_for(ctx, &|k| match field {
            SortField::DeclaredOn => k.parse::<NaiveDate>().ok().map(Into::into),
            SortField::StandardNumber => Some(k.to_string().into()),
        })?;
        let Some(query) = declaration_query(&app(ctx).db, filter.unwrap_or_default()).await? else {
            return Ok(DeclarationConnection {
                edges: Vec::new(),
                page_info: PageInfo::default(),
                query: None,
            });
        };
        let page = store::list(&app(ctx).db, &query, field, &req)
            .await
            .map_err(ApiError::from)?;
        let edges: Vec<DeclarationEdge> = page
            .rows
            .into_iter()
            .map(|d| {
                let key = match field {
                    SortField::DeclaredOn => d.declared_on.to_string(),
                    SortField::StandardNumber => d.standard_number.clone(),
                };
                DeclarationEdge {
                    cursor: args.cursor(&key, d.id),
                    node: d,
                }
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(DeclarationConnection {
            page_info: PageInfo::from_cursors(&cursors, page.has_next, page.has_previous),
            edges,
            query: Some(query),
        })
    }

    /// Declarations by product or service name, standard number (any written form: `Q/NHXH001-2021`, `GB/T19001`),
    /// standard name, indicator or enterprise.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_declarations(
        &self,
        ctx: &Context<'_>,
        query: String,
        status: Option<Vec<DeclarationStatus>>,
        region: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<DeclarationSearchResult> {
        use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window};
        let (offset, size) = search_window("search-declarations", first, after)?;
        let filter = super::search::DeclarationSearchFilter {
            statuses: status.unwrap_or_default(),
            region_prefix: region_prefix(&region)?,
        };
        let a = app(ctx);
        let out = super::search::search(
            &a.search,
            &query,
            &filter,
            offset,
            size,
            crate::graphql::search::wanted(ctx),
        )
        .await
        .map_err(ApiError::Search)?;
        let ids: Vec<i32> = out.hits.iter().map(|h| h.id).collect();
        let found = store::by_ids(&a.db, &ids).await.map_err(ApiError::from)?;
        let edges = edges_in_hit_order(
            "search-declarations",
            offset,
            &out.hits,
            found,
            |d| d.id,
            |cursor, node, hit| DeclarationSearchEdge {
                cursor,
                node,
                highlights: ListingHighlights {
                    name: hit.highlight("standardName"),
                    product: hit.highlight("products"),
                    enterprise_name: hit.highlight("enterpriseName"),
                    reason: None,
                },
            },
        );
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(DeclarationSearchResult {
            page_info: search_page_info(&cursors, offset, size, out.estimated_total),
            edges,
            estimated_total_count: out.estimated_total as i32,
            facets: facets(out.facets),
        })
    }
}

/// `Enterprise.declarations`: the enterprise's declarations, newest first, optionally of some statuses only.
pub async fn of_enterprise(
    ctx: &Context<'_>,
    enterprise_id: i32,
    status: Option<Vec<DeclarationStatus>>,
) -> Result<Vec<Declaration>> {
    let rows = crate::graphql::loaders::of(ctx)
        .load_one(crate::graphql::loaders::DeclarationsOf(enterprise_id))
        .await
        .map_err(crate::graphql::loaders::failed)?
        .unwrap_or_default();
    Ok(keep(rows, status))
}

/// `Standard.declarations`: who declared they follow this edition (or the standard without naming a year).
pub async fn of_standard(
    ctx: &Context<'_>,
    number: &StandardNumber,
    status: Option<Vec<DeclarationStatus>>,
) -> Result<Vec<Declaration>> {
    let rows = store::of_standard(&app(ctx).db, &number.edition(), &number.family_key())
        .await
        .map_err(ApiError::from)?;
    Ok(keep(rows, status))
}

fn keep(rows: Vec<Declaration>, status: Option<Vec<DeclarationStatus>>) -> Vec<Declaration> {
    rows.into_iter()
        .filter(|d| status.as_ref().is_none_or(|s| s.contains(&d.status)))
        .collect()
}

pub async fn declaration_node(app: &AppContext, id: i32) -> ApiResult<Option<Declaration>> {
    Ok(store::by_ids(&app.db, &[id]).await?.into_iter().next())
}
