//! GraphQL of export profiles: the `ExportProduct` object (on `Enterprise.exportProducts`) and `Affected`, what
//! `Notice.affected` answers: the enterprises whose products a notice concerns, with those products, their zones
//! today and counts by region.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::store::{self, ExportProduct, Target};
use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise};
use crate::catalog::notices::members::{self, Member};
use crate::catalog::zones::store::{self as zone_store, Zone};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult, Code};
use crate::graphql::connection::{PageInfo, decode_cursor, encode_cursor, page_cost, page_size};
use crate::graphql::scalars::today_in_china;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// A product an enterprise exports.
#[Object]
impl ExportProduct {
    /// 产品名称: the product's name or description.
    async fn product(&self) -> &str {
        &self.product
    }
    /// HS codes, 2 to 10 digits, leading zeros kept.
    async fn hs_codes(&self) -> &[String] {
        &self.hs_codes
    }
    /// The WTO members it ships to; empty when the profile does not say.
    async fn markets(&self) -> Vec<Member> {
        self.markets.iter().map(|m| members::member(m)).collect()
    }
}

/// The export products of an enterprise, by name (for `Enterprise.exportProducts`).
pub(crate) async fn products_of(ctx: &Context<'_>, enterprise_id: i32) -> Result<Vec<ExportProduct>> {
    Ok(store::products_of(&app(ctx).db, enterprise_id)
        .await
        .map_err(ApiError::from)?)
}

/// What `Notice.affected` answers for one notice.
pub struct Affected(pub Target);

/// An enterprise a notice concerns, with its products that match.
#[derive(SimpleObject)]
pub struct AffectedEnterprise {
    pub enterprise: Enterprise,
    pub products: Vec<ExportProduct>,
}

#[derive(SimpleObject)]
pub struct AffectedEnterpriseEdge {
    pub cursor: String,
    pub node: AffectedEnterprise,
}

/// The affected enterprises in catalogue order (forward paging with `first` and `after`).
#[derive(SimpleObject)]
pub struct AffectedEnterpriseConnection {
    pub edges: Vec<AffectedEnterpriseEdge>,
    pub page_info: PageInfo,
}

/// A demonstration zone that affected enterprises are members of today.
#[derive(SimpleObject)]
pub struct AffectedZone {
    pub zone: Zone,
    /// How many of the affected enterprises are its members today.
    pub enterprise_count: u64,
}

/// How many affected enterprises are in a province, city or county.
#[derive(SimpleObject)]
pub struct RegionCount {
    /// Division code prefix: 2 digits a province, 4 a city, 6 a county.
    pub code: String,
    pub count: u64,
}

const LISTING: &str = "affected";

fn after_id(after: Option<&str>) -> ApiResult<Option<i32>> {
    match after {
        None => Ok(None),
        Some(c) => {
            let parts = decode_cursor(c, LISTING, 1)?;
            parts[0].parse().map(Some).map_err(|_| {
                ApiError::user(
                    Code::InvalidCursor,
                    format!("cursor {c:?} does not belong to this listing"),
                )
            })
        }
    }
}

/// Who a notice concerns: the enterprises with an export product sharing an HS prefix with the notice (either
/// code may be the longer) that lists no market or ships to a notifying member.
#[Object]
impl Affected {
    /// How many enterprises the notice concerns.
    async fn enterprise_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(store::enterprise_count(&app(ctx).db, &self.0)
            .await
            .map_err(ApiError::from)?)
    }
    /// The enterprises, each with its matching products.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn enterprises(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AffectedEnterpriseConnection> {
        let size = page_size(first, None)?;
        let after = after_id(after.as_deref())?;
        let db = &app(ctx).db;
        let mut ids = store::enterprise_ids(db, &self.0, after, size.limit + 1)
            .await
            .map_err(ApiError::from)?;
        let has_next_page = ids.len() as u64 > size.limit;
        ids.truncate(size.limit as usize);
        let mut products = store::matching_products(db, &self.0, &ids)
            .await
            .map_err(ApiError::from)?;
        let mut enterprises = enterprise_store::enterprises_by_ids(db, &ids)
            .await
            .map_err(ApiError::from)?;
        enterprises.sort_by_key(|e| e.id);
        let edges: Vec<AffectedEnterpriseEdge> = enterprises
            .into_iter()
            .map(|e| AffectedEnterpriseEdge {
                cursor: encode_cursor(&[LISTING, &e.id.to_string()]),
                node: AffectedEnterprise {
                    products: products.remove(&e.id).unwrap_or_default(),
                    enterprise: e,
                },
            })
            .collect();
        Ok(AffectedEnterpriseConnection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: after.is_some(),
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }
    /// The demonstration zones the affected enterprises are members of today (Asia/Shanghai), by zone code.
    async fn zones(&self, ctx: &Context<'_>) -> Result<Vec<AffectedZone>> {
        let db = &app(ctx).db;
        let counts = store::zone_counts(db, &self.0, today_in_china())
            .await
            .map_err(ApiError::from)?;
        let ids: Vec<i32> = counts.iter().map(|(z, _)| *z).collect();
        let mut zones: Vec<AffectedZone> = zone_store::zones_by_ids(db, &ids)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|zone| AffectedZone {
                enterprise_count: counts.iter().find(|(z, _)| *z == zone.id).map_or(0, |c| c.1),
                zone,
            })
            .collect();
        zones.sort_by(|a, b| a.zone.data.code.cmp(&b.zone.data.code));
        Ok(zones)
    }
    /// Affected enterprises by province, city and county (their region's 2-, 4- and 6-digit prefixes), by code.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<RegionCount>> {
        Ok(store::region_counts(&app(ctx).db, &self.0)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|(code, count)| RegionCount { code, count })
            .collect())
    }
}
