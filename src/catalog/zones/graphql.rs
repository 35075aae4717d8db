//! GraphQL of demonstration zones: the `Zone` object with its history and members "as of" a day, memberships,
//! lookups by ID or code, the filtered listing (paged by code), and search.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::model::{ZoneKind, ZoneRole, ZoneStatus};
use super::store::{self, Membership, Zone, ZoneQuery};
use crate::catalog::enterprises::graphql::enterprise_of;
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::listings::graphql::{ListingHighlights, listing_search_result};
use crate::catalog::region::region_prefix;
use crate::catalog::terms::{Level, covers, day};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// One step of a zone's history.
#[derive(SimpleObject)]
pub struct ZoneHistoryStep {
    pub status: ZoneStatus,
    pub date: Date,
    pub note: Option<String>,
}

/// An enterprise's membership of a zone.
pub struct ZoneMember(pub Membership);

#[Object]
impl ZoneMember {
    /// Opaque global ID of the membership: what `endRecord` (the member exits) and `deleteRecord` take.
    async fn id(&self) -> async_graphql::ID {
        crate::graphql::ids::encode("ZoneMembership", self.0.id)
    }
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, Some(self.0.enterprise_id)).await
    }
    async fn zone(&self, ctx: &Context<'_>) -> Result<Option<Zone>> {
        Ok(crate::graphql::loaders::of(ctx)
            .load_one(crate::graphql::loaders::ZoneId(self.0.zone_id))
            .await
            .map_err(crate::graphql::loaders::failed)?)
    }
    /// 龙头企业 (LEAD) or 示范企业 (MEMBER).
    async fn role(&self) -> Option<ZoneRole> {
        ZoneRole::parse(&self.0.role)
    }
    async fn admitted_on(&self) -> Option<Date> {
        self.0.admitted_on.map(Date)
    }
    async fn exited_on(&self) -> Option<Date> {
        self.0.exited_on.map(Date)
    }
    async fn exit_reason(&self) -> Option<&str> {
        self.0.exit_reason.as_deref()
    }
}

#[Object]
impl Zone {
    pub async fn id(&self) -> ID {
        ids::encode("Zone", self.id)
    }
    /// The zone's identifier in this catalogue (`zj-ninghai-stationery`).
    async fn code(&self) -> &str {
        &self.data.code
    }
    async fn name(&self) -> &str {
        &self.data.name
    }
    async fn kind(&self) -> ZoneKind {
        self.data.kind
    }
    async fn level(&self) -> Level {
        self.data.level
    }
    async fn region_code(&self) -> Option<&str> {
        self.data.region_code.as_deref()
    }
    /// The region with its names.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<crate::catalog::divisions::Region>> {
        crate::graphql::loaders::region(ctx, self.data.region_code.as_deref()).await
    }
    async fn industry(&self) -> Option<&str> {
        self.data.industry.as_deref()
    }
    async fn approving_authority(&self) -> Option<&str> {
        self.data.approving_authority.as_deref()
    }
    async fn announcement_number(&self) -> Option<&str> {
        self.data.announcement_number.as_deref()
    }
    async fn batch(&self) -> Option<&str> {
        self.data.batch.as_deref()
    }
    /// Every step, oldest first.
    async fn history(&self) -> Vec<ZoneHistoryStep> {
        self.data
            .history
            .iter()
            .map(|s| ZoneHistoryStep {
                status: s.status,
                date: Date(s.date),
                note: s.note.clone(),
            })
            .collect()
    }
    /// Phase on `on` (default today); null before the first step.
    async fn status(&self, on: Option<Date>) -> Option<ZoneStatus> {
        self.data.status_on(day(on))
    }
    /// Members in the zone on `asOf` (default today); `all: true` lists every membership ever.
    async fn members(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        role: Option<ZoneRole>,
        all: Option<bool>,
    ) -> Result<Vec<ZoneMember>> {
        let rows = store::memberships(&app(ctx).db, Some(self.id), None)
            .await
            .map_err(ApiError::from)?;
        let d = day(as_of);
        Ok(rows
            .into_iter()
            .filter(|m| all.unwrap_or(false) || covers(m.admitted_on, m.exited_on, d))
            .filter(|m| role.is_none_or(|r| m.role == r.as_str()))
            .map(ZoneMember)
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct ZoneEdge {
    pub cursor: String,
    pub node: Zone,
}

/// A page of zones.
#[derive(SimpleObject)]
pub struct ZoneConnection {
    pub edges: Vec<ZoneEdge>,
    pub nodes: Vec<Zone>,
    pub page_info: PageInfo,
    /// Exact number of zones that match.
    pub total_count: u64,
}

/// Queries of zones: one by ID or code, and the filtered listing.
#[derive(Default)]
pub struct ZoneQueries;

#[Object]
impl ZoneQueries {
    /// A zone by its global ID or by its code.
    async fn zone(&self, ctx: &Context<'_>, id: Option<ID>, code: Option<String>) -> Result<Option<Zone>> {
        let db = &app(ctx).db;
        match (id, code) {
            (Some(id), None) => {
                let (type_name, n) = ids::decode(&id)?;
                if type_name != "Zone" {
                    return Err(ApiError::user(
                        crate::error::Code::InvalidId,
                        format!("{:?} is not the ID of a zone", id.as_str()),
                    )
                    .into());
                }
                Ok(store::zones_by_ids(db, &[n])
                    .await
                    .map_err(ApiError::from)?
                    .into_iter()
                    .next())
            }
            (None, Some(code)) => Ok(store::zone_by_code(db, code.trim()).await.map_err(ApiError::from)?),
            _ => Err(ApiError::bad_input("give id or code, not both").into()),
        }
    }

    /// Demonstration zones by code, optionally only those in a phase on a day. `first` defaults to 20, at most 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn zones(
        &self,
        ctx: &Context<'_>,
        levels: Option<Vec<Level>>,
        kinds: Option<Vec<ZoneKind>>,
        region: Option<String>,
        industry: Option<String>,
        batch: Option<String>,
        status: Option<Vec<ZoneStatus>>,
        on: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ZoneConnection> {
        let q = ZoneQuery {
            levels: levels
                .unwrap_or_default()
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            kinds: kinds
                .unwrap_or_default()
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            region_prefix: region_prefix(&region)?,
            industry,
            batch,
        };
        let d = day(on);
        let args = KeysetArgs {
            listing: "zones",
            sort: "c",
            descending: false,
            first,
            after,
            last: None,
            before: None,
        };
        let req = args.request_for(ctx, &|k| Some(k.to_string().into()))?;
        let after_code: Option<String> = req.after.as_ref().and_then(|p| match &p.key {
            sea_orm::Value::String(Some(s)) => Some(s.to_string()),
            _ => None,
        });
        // Zones number in the hundreds and their phase comes from their history: filter, then page by code.
        let zones: Vec<Zone> = store::all_zones(&app(ctx).db, &q)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .filter(|z| match &status {
                None => true,
                Some(s) => z.data.status_on(d).is_some_and(|st| s.contains(&st)),
            })
            .collect();
        let total = zones.len() as u64;
        let start = match &after_code {
            None => 0,
            Some(c) => zones
                .iter()
                .position(|z| z.data.code.as_str() > c.as_str())
                .unwrap_or(zones.len()),
        };
        let end = (start + req.limit as usize).min(zones.len());
        let edges: Vec<ZoneEdge> = zones[start..end]
            .iter()
            .map(|z| ZoneEdge {
                cursor: args.cursor(&z.data.code, z.id),
                node: z.clone(),
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(ZoneConnection {
            nodes: edges.iter().map(|e| e.node.clone()).collect(),
            page_info: PageInfo::from_cursors(&cursors, end < zones.len(), start > 0),
            edges,
            total_count: total,
        })
    }
}

listing_search_result!(
    ZoneSearchResult,
    ZoneSearchEdge,
    Zone,
    "Counts by `level`, `kind`, `status` (today) and `regionPrefixes`."
);

/// Chinese full-text search of zones.
#[derive(Default)]
pub struct ZoneSearchQueries;

#[Object]
impl ZoneSearchQueries {
    /// Zones by name, industry or member enterprise.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_zones(
        &self,
        ctx: &Context<'_>,
        query: String,
        levels: Option<Vec<Level>>,
        region: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ZoneSearchResult> {
        use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window};
        let (offset, size) = search_window("search-zones", first, after)?;
        let levels: Vec<String> = levels
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let a = app(ctx);
        let out = super::search::search_zones(
            &a.search,
            &query,
            &levels,
            region_prefix(&region)?.as_deref(),
            offset,
            size,
            crate::graphql::search::wanted(ctx),
        )
        .await
        .map_err(ApiError::Search)?;
        let ids: Vec<i32> = out.hits.iter().map(|h| h.id).collect();
        let found = store::zones_by_ids(&a.db, &ids).await.map_err(ApiError::from)?;
        let edges = edges_in_hit_order(
            "search-zones",
            offset,
            &out.hits,
            found,
            |z| z.id,
            |cursor, node, hit| ZoneSearchEdge {
                cursor,
                node,
                highlights: ListingHighlights {
                    name: hit.highlight("name"),
                    product: hit.highlight("industry"),
                    enterprise_name: hit.highlight("members"),
                    reason: None,
                },
            },
        );
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(ZoneSearchResult {
            page_info: search_page_info(&cursors, offset, size, out.estimated_total),
            edges,
            estimated_total_count: out.estimated_total as i32,
            facets: facets(out.facets),
        })
    }
}

pub async fn zone_node(app: &AppContext, id: i32) -> ApiResult<Option<Zone>> {
    Ok(store::zones_by_ids(&app.db, &[id]).await?.into_iter().next())
}
