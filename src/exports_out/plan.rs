//! What an export holds: the listing named in the URL, its parameters read into the listing's own filter types
//! and store queries (the same ones the GraphQL resolvers build), the columns with the Chinese headers the
//! importers read, and the rows, read page by page in keyset order.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{EntityTrait, QueryOrder};

use super::params::{self, Kind, Pairs};
use crate::catalog::enterprises::entity::enterprise;
use crate::catalog::enterprises::graphql as enterprise_graphql;
use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise, EnterpriseQuery};
use crate::catalog::listings::brand::BrandScheme;
use crate::catalog::listings::credit::CreditList;
use crate::catalog::listings::entity::listing;
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::store::{self as listing_store, Listing, ListingQuery};
use crate::catalog::listings::title::TitleScheme;
use crate::catalog::notices::entity::notice;
use crate::catalog::notices::graphql::NoticeFilter;
use crate::catalog::notices::model::{Notice, NoticeKind};
use crate::catalog::notices::store::{self as notice_store, NoticeQuery, SortField};
use crate::catalog::paging::{PageRequest, Position};
use crate::catalog::region::region_prefix;
use crate::catalog::standards::entity::standard;
use crate::catalog::standards::filter::StandardFilter;
use crate::catalog::standards::model::{ReplacementScope, Standard, StandardNature};
use crate::catalog::standards::query as standard_query;
use crate::catalog::standards::store::{self as standard_store, StandardQuery};
use crate::catalog::terms::{Level, day};
use crate::catalog::zones::entity::{zone, zone_membership};
use crate::catalog::zones::model::{ZoneKind, ZoneStatus};
use crate::catalog::zones::store::{self as zone_store, Zone, ZoneQuery};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::scalars::{Date, today_in_china};

/// The listings that export, by the name of their GraphQL query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingName {
    Notices,
    Standards,
    Enterprises,
    CreditEntries,
    Brands,
    Titles,
    Zones,
}

impl ListingName {
    pub const ALL: [ListingName; 7] = [
        ListingName::Notices,
        ListingName::Standards,
        ListingName::Enterprises,
        ListingName::CreditEntries,
        ListingName::Brands,
        ListingName::Titles,
        ListingName::Zones,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ListingName::Notices => "notices",
            ListingName::Standards => "standards",
            ListingName::Enterprises => "enterprises",
            ListingName::CreditEntries => "creditEntries",
            ListingName::Brands => "brands",
            ListingName::Titles => "titles",
            ListingName::Zones => "zones",
        }
    }

    pub fn parse(s: &str) -> Option<ListingName> {
        ListingName::ALL.into_iter().find(|l| l.name() == s)
    }

    /// The Chinese name, for file names and feed titles.
    pub fn zh(self) -> &'static str {
        match self {
            ListingName::Notices => "技术性贸易措施通报",
            ListingName::Standards => "标准目录",
            ListingName::Enterprises => "企业名录",
            ListingName::CreditEntries => "信用名单",
            ListingName::Brands => "品牌名录",
            ListingName::Titles => "称号名录",
            ListingName::Zones => "出口产品质量安全示范区",
        }
    }

    /// The parameters: the listing's filter fields and arguments, by their GraphQL names.
    pub fn params(self) -> &'static [(&'static str, Kind)] {
        use Kind::*;
        match self {
            ListingName::Notices => NOTICE_FIELDS,
            ListingName::Standards => STANDARD_FIELDS,
            ListingName::Enterprises => ENTERPRISE_FIELDS,
            ListingName::CreditEntries => &[
                ("lists", Many),
                ("creditCode", One),
                ("region", One),
                ("levels", Many),
                ("activeOn", One),
                ("from", One),
                ("to", One),
            ],
            ListingName::Brands | ListingName::Titles => &[
                ("schemes", Many),
                ("creditCode", One),
                ("region", One),
                ("levels", Many),
                ("activeOn", One),
                ("from", One),
                ("to", One),
            ],
            ListingName::Zones => &[
                ("levels", Many),
                ("kinds", Many),
                ("region", One),
                ("industry", One),
                ("batch", One),
                ("status", Many),
                ("on", One),
            ],
        }
    }
}

const NOTICE_FIELDS: &[(&str, Kind)] = &[
    ("area", Kind::One),
    ("kinds", Kind::Many),
    ("members", Kind::Many),
    ("hsCodes", Kind::Many),
    ("icsCodes", Kind::Many),
    ("distributedFrom", Kind::One),
    ("distributedTo", Kind::One),
    ("openForCommentOn", Kind::One),
    ("objectives", Kind::Many),
    ("baseSymbol", Kind::One),
];

const STANDARD_FIELDS: &[(&str, Kind)] = &[
    ("levels", Kind::Many),
    ("natures", Kind::Many),
    ("status", Kind::Many),
    ("statusOn", Kind::One),
    ("industryCodes", Kind::Many),
    ("region", Kind::One),
    ("groupOrganizations", Kind::Many),
    ("icsCodes", Kind::Many),
    ("ccsCodes", Kind::Many),
    ("committee", Kind::One),
    ("draftedBy", Kind::One),
    ("draftedAsLead", Kind::Bool),
    ("issuedFrom", Kind::One),
    ("issuedTo", Kind::One),
    ("implementedFrom", Kind::One),
    ("implementedTo", Kind::One),
    ("family", Kind::One),
];

const ENTERPRISE_FIELDS: &[(&str, Kind)] = &[
    ("region", Kind::One),
    ("industry", Kind::One),
    ("name", Kind::One),
    ("creditCodeValid", Kind::Bool),
    ("knownOnlyByReference", Kind::Bool),
    ("creditLists", Kind::Many),
    ("brandSchemes", Kind::Many),
    ("titleSchemes", Kind::Many),
    ("zone", Kind::One),
    ("on", Kind::One),
];

const LISTING_FIELDS: &[(&str, Kind)] = &[
    ("creditCode", Kind::One),
    ("region", Kind::One),
    ("levels", Kind::Many),
    ("activeOn", Kind::One),
    ("from", Kind::One),
    ("to", Kind::One),
];

/// A column: its header, and whether it holds free text (which is guarded against formula injection; codes and
/// dates never are).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub free_text: bool,
}

const fn code(header: &'static str) -> Column {
    Column {
        header,
        free_text: false,
    }
}

const fn text(header: &'static str) -> Column {
    Column {
        header,
        free_text: true,
    }
}

/// The store query of the listing.
#[derive(Debug, Clone)]
pub enum Query {
    Notices(NoticeQuery),
    Standards(StandardQuery),
    Enterprises(EnterpriseQuery),
    /// `None`: the filter names an enterprise the catalogue lacks (the listing is empty, as in GraphQL).
    Listings(ListingKind, Option<ListingQuery>),
    Zones {
        query: ZoneQuery,
        status: Option<Vec<ZoneStatus>>,
        on: NaiveDate,
    },
}

/// Where the reading of a listing stands: after this position (keyset), or at the start.
pub type Cursor = Option<Position>;

/// An export or feed of one listing with its filter.
#[derive(Debug, Clone)]
pub struct Plan {
    pub listing: ListingName,
    pub query: Query,
    pub columns: Vec<Column>,
    /// At most this many rows (`first`).
    pub limit: Option<u64>,
    /// The parameters in a canonical order, for the ETag.
    pub canonical: String,
    /// The credit list a credit-entry export holds when the filter names exactly one list the importer tells
    /// apart by its reason column.
    single_list: Option<CreditList>,
}

/// Reads the parameters of `listing` into its store query, with the resolvers' checks and messages.
pub async fn plan(app: &AppContext, listing: ListingName, pairs: &Pairs) -> ApiResult<Plan> {
    params::check_known(pairs, listing.params())?;
    let limit = params::first(pairs)?;
    let mut sorted: Vec<(String, String)> = pairs.to_vec();
    sorted.sort();
    let canonical = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut single_list = None;
    let query = match listing {
        ListingName::Notices => Query::Notices(params::filter::<NoticeFilter>(pairs, NOTICE_FIELDS)?.to_query()?),
        ListingName::Standards => {
            Query::Standards(params::filter::<StandardFilter>(pairs, STANDARD_FIELDS)?.to_query()?)
        }
        ListingName::Enterprises => Query::Enterprises(
            enterprise_graphql::enterprise_query(&app.db, params::filter(pairs, ENTERPRISE_FIELDS)?).await?,
        ),
        ListingName::CreditEntries => {
            let lists: Vec<CreditList> = params::arg(pairs, "lists", Kind::Many)?.unwrap_or_default();
            if let [one] = lists.as_slice() {
                single_list = Some(*one);
            }
            let schemes = lists.iter().map(|l| l.as_str().to_string()).collect();
            Query::Listings(
                ListingKind::Credit,
                listing_query(app, ListingKind::Credit, schemes, pairs).await?,
            )
        }
        ListingName::Brands => {
            let s: Vec<BrandScheme> = params::arg(pairs, "schemes", Kind::Many)?.unwrap_or_default();
            let schemes = s.iter().map(|l| l.as_str().to_string()).collect();
            Query::Listings(
                ListingKind::Brand,
                listing_query(app, ListingKind::Brand, schemes, pairs).await?,
            )
        }
        ListingName::Titles => {
            let s: Vec<TitleScheme> = params::arg(pairs, "schemes", Kind::Many)?.unwrap_or_default();
            let schemes = s.iter().map(|l| l.as_str().to_string()).collect();
            Query::Listings(
                ListingKind::Title,
                listing_query(app, ListingKind::Title, schemes, pairs).await?,
            )
        }
        ListingName::Zones => {
            let levels: Vec<Level> = params::arg(pairs, "levels", Kind::Many)?.unwrap_or_default();
            let kinds: Vec<ZoneKind> = params::arg(pairs, "kinds", Kind::Many)?.unwrap_or_default();
            let region: Option<String> = params::arg(pairs, "region", Kind::One)?;
            let on: Option<Date> = params::arg(pairs, "on", Kind::One)?;
            Query::Zones {
                query: ZoneQuery {
                    levels: levels.iter().map(|l| l.as_str().to_string()).collect(),
                    kinds: kinds.iter().map(|l| l.as_str().to_string()).collect(),
                    region_prefix: region_prefix(&region)?,
                    industry: params::arg(pairs, "industry", Kind::One)?,
                    batch: params::arg(pairs, "batch", Kind::One)?,
                },
                status: params::arg(pairs, "status", Kind::Many)?,
                on: day(on),
            }
        }
    };
    let mut p = Plan {
        listing,
        query,
        columns: Vec::new(),
        limit,
        canonical,
        single_list,
    };
    p.columns = p.make_columns();
    Ok(p)
}

/// `creditEntries`/`brands`/`titles`'s store query, by the resolvers' own `listing_query`: `None` when the
/// credit code names no enterprise in the catalogue.
async fn listing_query(
    app: &AppContext,
    kind: ListingKind,
    schemes: Vec<String>,
    pairs: &Pairs,
) -> ApiResult<Option<ListingQuery>> {
    let f: crate::catalog::listings::graphql::ListingFilter = params::filter(pairs, LISTING_FIELDS)?;
    crate::catalog::listings::graphql::listing_query(&app.db, kind, schemes, f).await
}

/// The reason and date headers of a credit list, as the importer tells the lists apart.
fn credit_headers(list: Option<CreditList>) -> (&'static str, &'static str) {
    match list {
        Some(CreditList::SeriousDishonest) => ("列入严重违法失信名单原因", "列入日期"),
        Some(CreditList::AdministrativePenalty) => ("违法行为类型", "处罚决定日期"),
        Some(CreditList::AbnormalOperations) => ("列入经营异常名录原因", "列入日期"),
        // Several lists: the generic reason column, and each row's list in 名单.
        _ => ("列入原因", "列入日期"),
    }
}

pub fn credit_list_zh(l: CreditList) -> &'static str {
    match l {
        CreditList::AbnormalOperations => "经营异常名录",
        CreditList::SeriousDishonest => "严重违法失信名单",
        CreditList::AdministrativePenalty => "行政处罚",
        CreditList::CreditGrade => "质量信用等级",
        CreditList::RedList => "守信激励名单",
    }
}

pub fn brand_scheme_zh(s: BrandScheme) -> &'static str {
    match s {
        BrandScheme::WellKnownTrademark => "中国驰名商标",
        BrandScheme::ChinaFamousProduct => "中国名牌产品",
        BrandScheme::ProvincialFamousProduct => "省名牌产品",
        BrandScheme::GeographicalIndication => "地理标志",
        BrandScheme::ZhejiangMade => "浙江制造",
        BrandScheme::ProvincialFamousTrademark => "省著名商标",
    }
}

pub fn title_scheme_zh(s: TitleScheme) -> &'static str {
    match s {
        TitleScheme::GovernmentQualityAward => "政府质量奖",
        TitleScheme::SingleChampion => "制造业单项冠军",
        TitleScheme::DemonstrationEnterprise => "示范企业",
        TitleScheme::QualityProductionBase => "优质产品生产基地",
        TitleScheme::Other => "其他",
    }
}

pub fn level_zh(l: Level) -> &'static str {
    match l {
        Level::National => "国家级",
        Level::Provincial => "省级",
        Level::City => "市级",
        Level::County => "县级",
    }
}

pub fn zone_status_zh(s: ZoneStatus) -> &'static str {
    match s {
        ZoneStatus::Cultivating => "培育",
        ZoneStatus::Applying => "申报",
        ZoneStatus::Accepted => "验收",
        ZoneStatus::Revoked => "撤销",
    }
}

fn nature_zh(n: StandardNature) -> &'static str {
    match n {
        StandardNature::Mandatory => "强制性",
        StandardNature::Recommended => "推荐性",
        StandardNature::Guidance => "指导性",
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The largest of the change times given.
fn newest(times: impl IntoIterator<Item = Option<DateTime<Utc>>>) -> Option<DateTime<Utc>> {
    times.into_iter().flatten().max()
}

macro_rules! latest {
    ($db:expr, $entity:ty, $col:expr, $get:expr) => {
        <$entity>::find()
            .order_by_desc($col)
            .one($db)
            .await
            .map_err(anyhow::Error::from)?
            .map($get)
    };
}

impl Plan {
    fn make_columns(&self) -> Vec<Column> {
        match self.listing {
            // The ePing export's headers (what `zhiliang import` reads for notices), then the Chinese title and
            // description, which it does not read.
            ListingName::Notices => vec![
                code("Document symbol"),
                code("Notifying Member"),
                code("Distribution date"),
                code("Notification type"),
                text("Title"),
                text("Description"),
                text("Products covered"),
                code("HS code(s)"),
                code("ICS code(s)"),
                code("Objectives"),
                text("Keywords"),
                text("Final date for comments"),
                text("Proposed adoption date"),
                text("Proposed entry into force date"),
                text("中文标题"),
                text("中文描述"),
            ],
            ListingName::Standards => vec![
                code("标准号"),
                text("中文标准名称"),
                text("英文标准名称"),
                code("标准性质"),
                code("标准状态"),
                code("发布日期"),
                code("实施日期"),
                code("废止日期"),
                code("代替标准"),
                code("中国标准分类号"),
                code("国际标准分类号"),
                text("归口单位"),
                text("主管部门"),
                text("起草单位"),
                text("起草人"),
                code("采标情况"),
            ],
            ListingName::Enterprises => vec![
                code("统一社会信用代码"),
                text("企业名称"),
                code("注册号"),
                code("行政区划代码"),
                text("行业"),
                text("住所"),
                text("主要产品"),
                text("曾用名"),
            ],
            ListingName::CreditEntries => {
                let (reason, listed) = credit_headers(self.single_list);
                vec![
                    code("统一社会信用代码"),
                    text("企业名称"),
                    code("名单"),
                    text(reason),
                    code(listed),
                    text("作出决定机关"),
                    text("决定书文号"),
                    text("信用等级"),
                    text("移出原因"),
                    code("移出日期"),
                    text("移出决定机关"),
                ]
            }
            ListingName::Brands => vec![
                code("统一社会信用代码"),
                text("企业名称"),
                code("品牌类别"),
                text("品牌名称"),
                text("产品"),
                code("级别"),
                text("发布机关"),
                text("认证机构"),
                text("证书编号"),
                code("依据标准"),
                text("批次"),
                text("公告文号"),
                code("认定日期"),
                code("有效期至"),
                code("撤销日期"),
                code("授权使用企业"),
            ],
            ListingName::Titles => vec![
                code("统一社会信用代码"),
                text("企业名称"),
                code("行政区划代码"),
                code("称号类别"),
                text("称号名称"),
                code("级别"),
                text("发布机关"),
                text("届次"),
                text("公告文号"),
                code("授予日期"),
                code("有效期至"),
                code("撤销日期"),
            ],
            ListingName::Zones => vec![
                code("示范区代码"),
                text("示范区名称"),
                code("类别"),
                code("级别"),
                code("行政区划代码"),
                text("产业"),
                text("批准机关"),
                text("公告文号"),
                text("批次"),
                code("当前状态"),
                text("建设历程"),
            ],
        }
    }

    /// How many rows the export holds (before `first`).
    pub async fn count(&self, app: &AppContext) -> ApiResult<u64> {
        let db = &app.db;
        Ok(match &self.query {
            Query::Notices(q) => notice_store::count(db, q).await?,
            Query::Standards(q) => standard_query::count(db, q).await?,
            Query::Enterprises(q) => enterprise_store::count_enterprises(db, q).await?,
            Query::Listings(_, None) => 0,
            Query::Listings(_, Some(q)) => listing_store::count_listings(db, q).await?,
            Query::Zones { .. } => self.zones(app).await?.len() as u64,
        })
    }

    /// The newest change time of the tables the rows are read from.
    pub async fn latest_change(&self, app: &AppContext) -> ApiResult<Option<DateTime<Utc>>> {
        let db = &app.db;
        let enterprises = || async {
            Ok::<_, ApiError>(latest!(
                db,
                enterprise::Entity,
                enterprise::Column::UpdatedAt,
                |m: enterprise::Model| m.updated_at
            ))
        };
        let listings = || async {
            Ok::<_, ApiError>(latest!(
                db,
                listing::Entity,
                listing::Column::UpdatedAt,
                |m: listing::Model| m.updated_at
            ))
        };
        let zones = || async {
            Ok::<_, ApiError>(newest([
                latest!(db, zone::Entity, zone::Column::UpdatedAt, |m: zone::Model| m.updated_at),
                latest!(
                    db,
                    zone_membership::Entity,
                    zone_membership::Column::UpdatedAt,
                    |m: zone_membership::Model| m.updated_at
                ),
            ]))
        };
        Ok(match self.listing {
            ListingName::Notices => latest!(db, notice::Entity, notice::Column::UpdatedAt, |m: notice::Model| m
                .updated_at),
            ListingName::Standards => latest!(
                db,
                standard::Entity,
                standard::Column::UpdatedAt,
                |m: standard::Model| m.updated_at
            ),
            // An enterprise listing filters on its lists, brands, titles and zones.
            ListingName::Enterprises => newest([enterprises().await?, listings().await?, zones().await?]),
            ListingName::CreditEntries | ListingName::Brands | ListingName::Titles => {
                newest([listings().await?, enterprises().await?])
            }
            ListingName::Zones => zones().await?,
        })
    }

    async fn zones(&self, app: &AppContext) -> ApiResult<Vec<Zone>> {
        let Query::Zones { query, status, on } = &self.query else {
            return Ok(Vec::new());
        };
        // As `zones(...)`: zones are few, their phase comes from their history.
        Ok(zone_store::all_zones(&app.db, query)
            .await?
            .into_iter()
            .filter(|z| match status {
                None => true,
                Some(s) => z.data.status_on(*on).is_some_and(|st| s.contains(&st)),
            })
            .collect())
    }

    /// The next `n` rows after `cursor`, as cells, moving the cursor; empty at the end.
    pub async fn chunk(&self, app: &AppContext, cursor: &mut Cursor, n: u64) -> ApiResult<Vec<Vec<String>>> {
        let db = &app.db;
        let req = |descending: bool| PageRequest {
            descending,
            after: cursor.clone(),
            before: None,
            limit: n,
            from_end: false,
            other_side: false,
        };
        match &self.query {
            Query::Notices(q) => {
                let page = notice_store::list(db, q, SortField::DistributionDate, &req(true)).await?;
                if let Some(last) = page.rows.last() {
                    *cursor = Some(last.position(SortField::DistributionDate));
                }
                Ok(page.rows.iter().map(notice_row).collect())
            }
            Query::Standards(q) => {
                let page = standard_query::list(db, q, standard_store::SortField::IssueDate, &req(true)).await?;
                if let Some(last) = page.rows.last() {
                    *cursor = Some(Position {
                        key: last.data.issue_date.unwrap_or(standard_store::UNKNOWN_DATE).into(),
                        id: last.id,
                    });
                }
                Ok(page.rows.iter().map(standard_row).collect())
            }
            Query::Enterprises(q) => {
                let page = enterprise_store::list_enterprises(db, q, &req(false)).await?;
                if let Some(last) = page.rows.last() {
                    *cursor = Some(Position {
                        key: last.credit_code.clone().into(),
                        id: last.id,
                    });
                }
                Ok(page.rows.iter().map(enterprise_row).collect())
            }
            Query::Listings(_, None) => Ok(Vec::new()),
            Query::Listings(kind, Some(q)) => {
                let page = listing_store::list_listings(db, q, &req(true)).await?;
                if let Some(last) = page.rows.last() {
                    *cursor = Some(Position {
                        key: last.id.into(),
                        id: last.id,
                    });
                }
                let mut ids: Vec<i32> = page.rows.iter().filter_map(|l| l.enterprise_id).collect();
                ids.sort_unstable();
                ids.dedup();
                let enterprises = enterprise_store::enterprises_by_ids(db, &ids).await?;
                let of = |l: &Listing| l.enterprise_id.and_then(|id| enterprises.iter().find(|e| e.id == id));
                Ok(page
                    .rows
                    .iter()
                    .map(|l| match kind {
                        ListingKind::Credit => credit_row(l, of(l)),
                        ListingKind::Brand => brand_row(l, of(l)),
                        ListingKind::Title => title_row(l, of(l)),
                    })
                    .collect())
            }
            Query::Zones { on, .. } => {
                let after = cursor.as_ref().map(|p| p.id);
                let zones = self.zones(app).await?;
                let start = match after {
                    None => 0,
                    Some(id) => zones.iter().position(|z| z.id == id).map_or(zones.len(), |i| i + 1),
                };
                let rows: Vec<&Zone> = zones.iter().skip(start).take(n as usize).collect();
                if let Some(last) = rows.last() {
                    *cursor = Some(Position {
                        key: last.data.code.clone().into(),
                        id: last.id,
                    });
                }
                Ok(rows.into_iter().map(|z| zone_row(z, *on)).collect())
            }
        }
    }

    /// The file name: Chinese, and an ASCII fallback.
    pub fn file_names(&self, ext: &str) -> (String, String) {
        let today = today_in_china();
        (
            format!("{}-{today}.{ext}", self.listing.zh()),
            format!("{}-{today}.{ext}", self.listing.name()),
        )
    }
}

fn notice_row(n: &Notice) -> Vec<String> {
    let d = &n.data;
    let date_or_text = |date: Option<NaiveDate>, text: &Option<String>, derived: bool| {
        if derived {
            text.clone().or(date.map(|d| d.to_string())).unwrap_or_default()
        } else {
            date.map(|d| d.to_string()).or(text.clone()).unwrap_or_default()
        }
    };
    vec![
        d.symbols.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("; "),
        d.member.clone(),
        d.distribution_date.to_string(),
        match d.kind {
            NoticeKind::Emergency | NoticeKind::RecognitionOfEquivalence => d.kind.as_str().to_string(),
            _ => String::new(),
        },
        opt(&d.title_en),
        opt(&d.description_en),
        opt(&d.products_text),
        d.hs_codes.join(", "),
        d.ics_codes.join(", "),
        d.objectives.iter().map(|o| o.as_str()).collect::<Vec<_>>().join("; "),
        d.keywords.join("; "),
        date_or_text(d.comment_deadline, &d.comment_deadline_text, d.comment_deadline_derived),
        date_or_text(d.proposed_adoption_date, &d.proposed_adoption_date_text, false),
        date_or_text(
            d.proposed_entry_into_force_date,
            &d.proposed_entry_into_force_date_text,
            false,
        ),
        opt(&d.title_zh),
        opt(&d.description_zh),
    ]
}

fn standard_row(s: &Standard) -> Vec<String> {
    let d = &s.data;
    vec![
        d.number.to_string(),
        opt(&d.title_zh),
        opt(&d.title_en),
        d.nature.map(nature_zh).unwrap_or_default().to_string(),
        opt(&d.status_label),
        date(d.issue_date),
        date(d.implementation_date),
        date(d.withdrawal_date),
        d.replaces
            .iter()
            .map(|r| match r.scope {
                ReplacementScope::Partial => format!("部分代替{}", r.number),
                ReplacementScope::Whole => r.number.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、"),
        opt(&d.ccs_code),
        d.ics_codes.join("、"),
        d.committee_name.clone().or(d.committee.clone()).unwrap_or_default(),
        opt(&d.department),
        d.drafting_organizations
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        d.drafters.join("、"),
        d.adoption
            .as_ref()
            .map(|(deg, num)| format!("{num}, {}", deg.as_str()))
            .unwrap_or_default(),
    ]
}

fn enterprise_row(e: &Enterprise) -> Vec<String> {
    vec![
        e.credit_code.clone(),
        opt(&e.name),
        opt(&e.registration_number),
        opt(&e.region_code),
        opt(&e.industry),
        opt(&e.address),
        e.main_products.join("、"),
        e.former_names.join("、"),
    ]
}

fn who(e: Option<&Enterprise>) -> (String, String) {
    e.map(|e| (e.credit_code.clone(), opt(&e.name))).unwrap_or_default()
}

fn credit_row(l: &Listing, e: Option<&Enterprise>) -> Vec<String> {
    let (code, name) = who(e);
    vec![
        code,
        name,
        CreditList::parse(&l.scheme)
            .map(credit_list_zh)
            .unwrap_or(&l.scheme)
            .to_string(),
        opt(&l.reason),
        date(l.started_on),
        opt(&l.authority),
        opt(&l.document_number),
        opt(&l.details.grade),
        opt(&l.end_reason),
        date(l.ended_on),
        opt(&l.end_authority),
    ]
}

fn level_of(l: &Listing) -> String {
    l.level
        .as_deref()
        .and_then(Level::parse)
        .map(level_zh)
        .unwrap_or_default()
        .to_string()
}

fn brand_row(l: &Listing, e: Option<&Enterprise>) -> Vec<String> {
    let (code, name) = who(e);
    vec![
        code,
        name,
        BrandScheme::parse(&l.scheme)
            .map(brand_scheme_zh)
            .unwrap_or(&l.scheme)
            .to_string(),
        opt(&l.name),
        opt(&l.details.product),
        level_of(l),
        opt(&l.authority),
        opt(&l.details.certifier),
        opt(&l.details.certificate_number),
        opt(&l.details.standard_number),
        opt(&l.batch),
        opt(&l.document_number),
        date(l.started_on),
        date(l.valid_until),
        date(l.ended_on),
        l.details.authorized_users.join("、"),
    ]
}

fn title_row(l: &Listing, e: Option<&Enterprise>) -> Vec<String> {
    let (code, name) = who(e);
    vec![
        code,
        name,
        if l.enterprise_id.is_none() {
            opt(&l.region_code)
        } else {
            String::new()
        },
        TitleScheme::parse(&l.scheme)
            .map(title_scheme_zh)
            .unwrap_or(&l.scheme)
            .to_string(),
        opt(&l.name),
        level_of(l),
        opt(&l.authority),
        opt(&l.batch),
        opt(&l.document_number),
        date(l.started_on),
        date(l.valid_until),
        date(l.ended_on),
    ]
}

fn zone_row(z: &Zone, on: NaiveDate) -> Vec<String> {
    let d = &z.data;
    vec![
        d.code.clone(),
        d.name.clone(),
        match d.kind {
            ZoneKind::Industrial => "工业产品",
            ZoneKind::FoodAgricultural => "食品农产品",
        }
        .to_string(),
        level_zh(d.level).to_string(),
        opt(&d.region_code),
        opt(&d.industry),
        opt(&d.approving_authority),
        opt(&d.announcement_number),
        opt(&d.batch),
        d.status_on(on).map(zone_status_zh).unwrap_or_default().to_string(),
        // One step a line, its note after the phase: what the zone sheet reader (catalog/zones/import.rs) reads.
        d.history
            .iter()
            .map(|s| {
                let note = s
                    .note
                    .as_deref()
                    .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
                match note.filter(|n| !n.is_empty()) {
                    Some(n) => format!("{} {} {n}", s.date, zone_status_zh(s.status)),
                    None => format!("{} {}", s.date, zone_status_zh(s.status)),
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    ]
}
