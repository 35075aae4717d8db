//! GraphQL of enterprises, credit entries, brands, titles and demonstration zones. Every listing answers "now"
//! (today in Asia/Shanghai) and "as of a date".

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::model::{
    AwardStatus, BrandScheme, CreditList, Level, ListingKind, TitleScheme, ZoneKind, ZoneRole, ZoneStatus,
    award_status, covers,
};
use super::store::{self, Enterprise, EnterpriseQuery, Listing, ListingQuery, Membership, Zone, ZoneQuery};
use super::uscc::{self, Uscc};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::scalars::{Date, today_in_china};
use crate::graphql::{AppContext, ids};

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

fn day(on: Option<Date>) -> NaiveDate {
    on.map(|d| d.0).unwrap_or_else(today_in_china)
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
        match &self.region_code {
            None => Ok(None),
            Some(c) => Ok(Some(
                crate::catalog::divisions::region(&app(ctx).db, c)
                    .await
                    .map_err(ApiError::from)?,
            )),
        }
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
        let rows = store::listings_of(&app(ctx).db, self.id, ListingKind::Credit)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .filter(|l| as_of.is_none_or(|d| covers(l.started_on, l.ended_on, d.0)))
            .map(CreditEntry)
            .collect())
    }
    /// Brands; with `asOf`, only those valid on that day.
    async fn brands(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Brand>> {
        let rows = store::listings_of(&app(ctx).db, self.id, ListingKind::Brand)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(Brand)
            .filter(|b| as_of.is_none_or(|d| b.status_on(d.0) == AwardStatus::Valid))
            .collect())
    }
    /// Titles; with `asOf`, only those valid on that day.
    async fn titles(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Title>> {
        let rows = store::listings_of(&app(ctx).db, self.id, ListingKind::Title)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(Title)
            .filter(|t| as_of.is_none_or(|d| t.status_on(d.0) == AwardStatus::Valid))
            .collect())
    }
    /// Zone memberships; with `asOf`, only those in force on that day.
    async fn zones(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<ZoneMember>> {
        let rows = store::memberships(&app(ctx).db, None, Some(self.id))
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .filter(|m| as_of.is_none_or(|d| covers(m.admitted_on, m.exited_on, d.0)))
            .map(ZoneMember)
            .collect())
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
        };
        let page = crate::catalog::standards::store::list(
            &app(ctx).db,
            &q,
            crate::catalog::standards::store::SortField::IssueDate,
            &req,
        )
        .await
        .map_err(ApiError::from)?;
        Ok(page.rows)
    }
}

async fn enterprise_of(ctx: &Context<'_>, id: Option<i32>) -> Result<Option<Enterprise>> {
    match id {
        None => Ok(None),
        Some(id) => Ok(store::enterprises_by_ids(&app(ctx).db, &[id])
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .next()),
    }
}

/// An entry on a credit list. Removed entries stay: the public asks "was it listed on date X?".
pub struct CreditEntry(pub Listing);

#[Object]
impl CreditEntry {
    pub async fn id(&self) -> ID {
        ids::encode("CreditEntry", self.0.id)
    }
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    async fn list(&self) -> Option<CreditList> {
        CreditList::parse(&self.0.scheme)
    }
    /// 列入原因 (for a penalty: the facts and the penalty).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn listed_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    /// 作出决定机关
    async fn authority(&self) -> Option<&str> {
        self.0.authority.as_deref()
    }
    async fn document_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }
    /// The grade, for a credit-grade entry.
    async fn grade(&self) -> Option<&str> {
        self.0.details.grade.as_deref()
    }
    /// 移出日期
    async fn removed_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// 移出原因
    async fn removal_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    async fn removal_authority(&self) -> Option<&str> {
        self.0.end_authority.as_deref()
    }
    /// Whether the entry was in force on `on` (default today).
    async fn active(&self, on: Option<Date>) -> bool {
        covers(self.0.started_on, self.0.ended_on, day(on))
    }
}

/// A brand listing: 驰名商标, 名牌产品, 地理标志, 浙江制造, and the abolished schemes.
pub struct Brand(pub Listing);

impl Brand {
    fn scheme_value(&self) -> Option<BrandScheme> {
        BrandScheme::parse(&self.0.scheme)
    }
    pub fn status_on(&self, d: NaiveDate) -> AwardStatus {
        award_status(
            d,
            self.0.started_on,
            self.0.valid_until,
            self.0.ended_on,
            self.scheme_value().and_then(|s| s.abolished_from()),
        )
    }
}

#[Object]
impl Brand {
    pub async fn id(&self) -> ID {
        ids::encode("Brand", self.0.id)
    }
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    async fn scheme(&self) -> Option<BrandScheme> {
        self.scheme_value()
    }
    /// The mark, product name or certification name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn product(&self) -> Option<&str> {
        self.0.details.product.as_deref()
    }
    async fn level(&self) -> Option<Level> {
        self.0.level.as_deref().and_then(Level::parse)
    }
    async fn issuer(&self) -> Option<&str> {
        self.0.authority.as_deref()
    }
    /// For 浙江制造: the certification body.
    async fn certifier(&self) -> Option<&str> {
        self.0.details.certifier.as_deref()
    }
    async fn certificate_number(&self) -> Option<&str> {
        self.0.details.certificate_number.as_deref()
    }
    /// For 浙江制造: the `T/ZZB` standard the product meets.
    async fn standard_number(&self) -> Option<&str> {
        self.0.details.standard_number.as_deref()
    }
    async fn batch(&self) -> Option<&str> {
        self.0.batch.as_deref()
    }
    async fn announcement_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }
    async fn awarded_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    async fn valid_until(&self) -> Option<Date> {
        self.0.valid_until.map(Date)
    }
    async fn revoked_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// Status on `on` (default today).
    async fn status(&self, on: Option<Date>) -> AwardStatus {
        self.status_on(day(on))
    }
    /// For a geographical indication: the enterprises authorised to use it.
    async fn authorized_users(&self, ctx: &Context<'_>) -> Result<Vec<Enterprise>> {
        let mut out = Vec::new();
        for code in &self.0.details.authorized_users {
            if let Some(e) = store::enterprise_by_code(&app(ctx).db, code)
                .await
                .map_err(ApiError::from)?
            {
                out.push(e);
            }
        }
        Ok(out)
    }
}

/// A title: 政府质量奖, 单项冠军, 示范企业, 优质产品生产基地.
pub struct Title(pub Listing);

impl Title {
    pub fn status_on(&self, d: NaiveDate) -> AwardStatus {
        award_status(d, self.0.started_on, self.0.valid_until, self.0.ended_on, None)
    }
}

#[Object]
impl Title {
    pub async fn id(&self) -> ID {
        ids::encode("Title", self.0.id)
    }
    /// The enterprise, or null for a title given to a place.
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    /// The place of a title given to a place (a production base).
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    async fn scheme(&self) -> Option<TitleScheme> {
        TitleScheme::parse(&self.0.scheme)
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn level(&self) -> Option<Level> {
        self.0.level.as_deref().and_then(Level::parse)
    }
    async fn issuer(&self) -> Option<&str> {
        self.0.authority.as_deref()
    }
    /// Edition or batch (第三届, 第五批).
    async fn edition(&self) -> Option<&str> {
        self.0.batch.as_deref()
    }
    async fn announcement_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }
    async fn awarded_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    async fn valid_until(&self) -> Option<Date> {
        self.0.valid_until.map(Date)
    }
    async fn revoked_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    async fn status(&self, on: Option<Date>) -> AwardStatus {
        self.status_on(day(on))
    }
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
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, Some(self.0.enterprise_id)).await
    }
    async fn zone(&self, ctx: &Context<'_>) -> Result<Option<Zone>> {
        Ok(store::zones_by_ids(&app(ctx).db, &[self.0.zone_id])
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .next())
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
        match &self.data.region_code {
            None => Ok(None),
            Some(c) => Ok(Some(
                crate::catalog::divisions::region(&app(ctx).db, c)
                    .await
                    .map_err(ApiError::from)?,
            )),
        }
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

fn region_prefix(r: &Option<String>) -> ApiResult<Option<String>> {
    match r {
        None => Ok(None),
        Some(r) => {
            let r = r.trim();
            if r.is_empty() || r.len() > 12 || !r.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::bad_input(format!(
                    "region: {r:?} is not a division code prefix"
                )));
            }
            Ok(Some(r.to_string()))
        }
    }
}

async fn listing_query(
    ctx: &Context<'_>,
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
            match store::enterprise_by_code(&app(ctx).db, &code).await? {
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

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $count:path, $q:ty) => {
        #[derive(SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        pub struct $conn {
            edges: Vec<$edge>,
            page_info: PageInfo,
            query: Option<$q>,
        }

        #[Object]
        impl $conn {
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }
            async fn page_info(&self) -> &PageInfo {
                &self.page_info
            }
            /// Exact count; computed only when asked for.
            async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
                match &self.query {
                    None => Ok(0),
                    Some(q) => Ok($count(&app(ctx).db, q).await.map_err(ApiError::from)?),
                }
            }
        }
    };
}

connection!(
    EnterpriseConnection,
    EnterpriseEdge,
    Enterprise,
    store::count_enterprises,
    EnterpriseQuery
);
connection!(
    CreditEntryConnection,
    CreditEntryEdge,
    CreditEntry,
    store::count_listings,
    ListingQuery
);
connection!(BrandConnection, BrandEdge, Brand, store::count_listings, ListingQuery);
connection!(TitleConnection, TitleEdge, Title, store::count_listings, ListingQuery);

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
    let req = args.request(&|k| k.parse::<i32>().ok().map(Into::into))?;
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

/// Queries of enterprises, their listings and zones.
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
        let f = filter.unwrap_or_default();
        let db = &app(ctx).db;
        let zone_id = match &f.zone {
            None => None,
            Some(code) => match store::zone_by_code(db, code).await.map_err(ApiError::from)? {
                Some(z) => Some(z.id),
                None => return Err(ApiError::bad_input(format!("zone: no zone with the code {code:?}")).into()),
            },
        };
        let mut schemes: Vec<String> = f
            .brand_schemes
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        schemes.extend(
            f.title_schemes
                .unwrap_or_default()
                .iter()
                .map(|s| s.as_str().to_string()),
        );
        let q = EnterpriseQuery {
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
        };
        let args = KeysetArgs {
            listing: "enterprises",
            sort: "c",
            descending: false,
            first,
            after,
            last: None,
            before: None,
        };
        let req = args.request(&|k| Some(k.to_string().into()))?;
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
        let q = listing_query(ctx, ListingKind::Credit, schemes, filter.unwrap_or_default()).await?;
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
        let q = listing_query(ctx, ListingKind::Brand, schemes, filter.unwrap_or_default()).await?;
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
        let q = listing_query(ctx, ListingKind::Title, schemes, filter.unwrap_or_default()).await?;
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
        let req = args.request(&|k| Some(k.to_string().into()))?;
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
        let mut schemes: Vec<String> = f
            .brand_schemes
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        schemes.extend(
            f.title_schemes
                .unwrap_or_default()
                .iter()
                .map(|s| s.as_str().to_string()),
        );
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
        let out = super::search::search(&a.search, &query, &sf, offset, size)
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

/// Highlighted parts of a listing hit, HTML-escaped with `<mark>` around matches.
#[derive(SimpleObject, Default)]
pub struct ListingHighlights {
    pub name: Option<String>,
    pub product: Option<String>,
    pub enterprise_name: Option<String>,
    pub reason: Option<String>,
}

macro_rules! listing_search_result {
    ($result:ident, $edge:ident, $node:ty, $facets:literal) => {
        #[derive(SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
            pub highlights: ListingHighlights,
        }

        /// Results of a search.
        #[derive(SimpleObject)]
        pub struct $result {
            pub edges: Vec<$edge>,
            pub page_info: PageInfo,
            /// Meilisearch's estimate, not an exact count; it stops at 10,000.
            pub estimated_total_count: i32,
            #[doc = $facets]
            pub facets: Vec<crate::graphql::search::Facet>,
        }

        impl From<Hits<$node>> for $result {
            fn from(h: Hits<$node>) -> Self {
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
listing_search_result!(
    ZoneSearchResult,
    ZoneSearchEdge,
    Zone,
    "Counts by `level`, `kind`, `status` (today) and `regionPrefixes`."
);

/// Hits of a listing or zone search, loaded from the database in Meilisearch's order.
struct Hits<T> {
    rows: Vec<(String, T, ListingHighlights)>,
    page_info: PageInfo,
    total: i32,
    facets: Vec<crate::graphql::search::Facet>,
}

async fn listing_hits<T>(
    ctx: &Context<'_>,
    listing: &str,
    query: &str,
    filter: super::listing_search::ListingSearchFilter,
    first: Option<i32>,
    after: Option<String>,
    wrap: fn(Listing) -> T,
) -> ApiResult<Hits<T>> {
    use crate::graphql::search::{edges_in_hit_order, facets, search_page_info, search_window};
    let (offset, size) = search_window(listing, first, after)?;
    let a = app(ctx);
    let out = super::listing_search::search_listings(&a.search, query, &filter, offset, size)
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
) -> ApiResult<super::listing_search::ListingSearchFilter> {
    Ok(super::listing_search::ListingSearchFilter {
        kind: Some(kind),
        schemes,
        levels: names(levels, Level::as_str),
        region_prefix: region_prefix(region)?,
        active_today,
    })
}

/// Chinese full-text search of credit entries, brands, titles and zones.
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
        let out = super::listing_search::search_zones(
            &a.search,
            &query,
            &levels,
            region_prefix(&region)?.as_deref(),
            offset,
            size,
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

pub async fn enterprise_node(app: &AppContext, id: i32) -> ApiResult<Option<Enterprise>> {
    Ok(store::enterprises_by_ids(&app.db, &[id]).await?.into_iter().next())
}

pub async fn listing_node(app: &AppContext, id: i32) -> ApiResult<Option<Listing>> {
    Ok(store::listings_by_ids(&app.db, &[id]).await?.into_iter().next())
}

pub async fn zone_node(app: &AppContext, id: i32) -> ApiResult<Option<Zone>> {
    Ok(store::zones_by_ids(&app.db, &[id]).await?.into_iter().next())
}
