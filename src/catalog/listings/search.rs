//! The search document of credit entries, brands and titles (one `listings` index, told apart by `kind`), the
//! Chinese words of their schemes and lists, the index settings, and search with facets by scheme, level, region
//! and year.

use chrono::Datelike;
use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use super::model::ListingKind;
use super::store::Listing;
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::region::prefixes;
use crate::graphql::scalars::today_in_china;
use crate::search::family::{Documents, prepared_documents};
use crate::search::text::{han_bigrams, prepare_query};
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "listings";

/// What Meilisearch stores for a credit entry, brand or title.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingDoc {
    pub id: i32,
    pub kind: String,
    pub scheme: String,
    pub level: Option<String>,
    pub name: Option<String>,
    pub product: Option<String>,
    pub reason: Option<String>,
    pub authority: Option<String>,
    pub batch: Option<String>,
    pub document_number: Option<String>,
    pub enterprise_name: Option<String>,
    pub credit_code: Option<String>,
    /// Certificate and standard numbers of the listing.
    pub codes: Vec<String>,
    /// The scheme or list in Chinese words (`中国驰名商标 驰名商标`), so those words find the listing.
    pub labels: String,
    pub region_prefixes: Vec<String>,
    pub year: Option<i32>,
    /// In force on the day the document was written; refreshed when a date passes.
    pub active: bool,
    pub overlap: String,
    /// Pinyin of a brand's name (`search::pinyin`); empty for other listings.
    pub pinyin: String,
}

/// The words people use for a scheme or credit list.
pub fn scheme_words(scheme: &str) -> &'static str {
    match scheme {
        "WELL_KNOWN_TRADEMARK" => "中国驰名商标 驰名商标",
        "CHINA_FAMOUS_PRODUCT" => "中国名牌产品 中国名牌",
        "PROVINCIAL_FAMOUS_PRODUCT" => "省名牌产品 名牌产品",
        "GEOGRAPHICAL_INDICATION" => "地理标志 地理标志产品",
        "ZHEJIANG_MADE" => "浙江制造 品字标 浙江制造认证",
        "PROVINCIAL_FAMOUS_TRADEMARK" => "省著名商标 著名商标",
        "GOVERNMENT_QUALITY_AWARD" => "政府质量奖 质量奖",
        "SINGLE_CHAMPION" => "制造业单项冠军 单项冠军",
        "DEMONSTRATION_ENTERPRISE" => "示范企业",
        "QUALITY_PRODUCTION_BASE" => "优质产品生产基地 生产基地",
        "ABNORMAL_OPERATIONS" => "经营异常名录 经营异常",
        "SERIOUS_DISHONEST" => "严重违法失信名单 严重违法失信 黑名单",
        "ADMINISTRATIVE_PENALTY" => "行政处罚",
        "CREDIT_GRADE" => "质量信用等级 信用等级",
        "RED_LIST" => "守信激励 红名单",
        _ => "",
    }
}

/// The search document of a listing; `e` is its enterprise (loaded by the caller, one query for a whole batch).
pub fn listing_document(l: &Listing, e: Option<&Enterprise>) -> ListingDoc {
    let active = l.in_force_on(today_in_china());
    let region = e.as_ref().and_then(|e| e.region_code.clone()).or(l.region_code.clone());
    let enterprise_name = e.as_ref().and_then(|e| e.name.clone());
    ListingDoc {
        id: l.id,
        kind: l.kind.as_str().into(),
        scheme: l.scheme.clone(),
        level: l.level.clone(),
        overlap: han_bigrams(
            [&l.name, &l.details.product, &l.reason, &enterprise_name]
                .into_iter()
                .filter_map(|t| t.as_deref()),
        ),
        pinyin: match (l.kind, &l.name) {
            (ListingKind::Brand, Some(n)) => crate::search::pinyin::terms([n.as_str()]),
            _ => String::new(),
        },
        name: l.name.clone(),
        product: l.details.product.clone(),
        reason: l.reason.clone(),
        authority: l.authority.clone(),
        batch: l.batch.clone(),
        document_number: l.document_number.clone(),
        enterprise_name,
        credit_code: e.as_ref().map(|e| e.credit_code.clone()),
        codes: [&l.details.certificate_number, &l.details.standard_number]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        labels: scheme_words(&l.scheme).to_string(),
        region_prefixes: prefixes(region.as_deref()),
        year: l.started_on.map(|d| d.year()),
        active,
    }
}

pub const LISTING_FACETS: [&str; 4] = ["scheme", "level", "regionPrefixes", "year"];

pub fn listing_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &[
            "name",
            "pinyin",
            "product",
            "enterpriseName",
            "labels",
            "creditCode",
            "codes",
            "reason",
            "authority",
            "batch",
            "documentNumber",
            "overlap",
        ],
        filterable: &["kind", "scheme", "level", "regionPrefixes", "year", "active"],
        sortable: &["year"],
        displayed: &["id", "name", "product", "enterpriseName", "reason"],
        no_typos: &["creditCode", "codes", "documentNumber", "pinyin"],
    })
}

/// Filters shared by listing searches.
#[derive(Debug, Clone, Default)]
pub struct ListingSearchFilter {
    pub kind: Option<ListingKind>,
    pub schemes: Vec<String>,
    pub levels: Vec<String>,
    pub region_prefix: Option<String>,
    pub active_today: Option<bool>,
}

pub async fn search_listings(
    search: &Search,
    query: &str,
    f: &ListingSearchFilter,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let list = |vals: &[String]| vals.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ");
    let mut filters = Vec::new();
    if let Some(k) = f.kind {
        filters.push(format!("kind = {}", quote(k.as_str())));
    }
    if !f.schemes.is_empty() {
        filters.push(format!("scheme IN [{}]", list(&f.schemes)));
    }
    if !f.levels.is_empty() {
        filters.push(format!("level IN [{}]", list(&f.levels)));
    }
    if let Some(r) = &f.region_prefix {
        filters.push(format!("regionPrefixes = {}", quote(r)));
    }
    if let Some(a) = f.active_today {
        filters.push(format!("active = {a}"));
    }
    search
        .run(&SearchRequest {
            index: INDEX,
            query: prepare_query(query),
            exact: false,
            filters,
            highlight: &["name", "product", "enterpriseName", "reason"],
            crop: &[("reason", Some(30))],
            facets: &LISTING_FACETS,
            retrieve: &[],
            offset,
            limit,
            want,
        })
        .await
}

crate::search_family! {
    /// The listings' index (credit entries, brands, titles), as the search plumbing sees it (`catalog::FAMILIES`
    /// lists it).
    pub struct Listings;
    kind: super::store::OUTBOX_LISTING, settings: listing_settings,
    meaning: &["name", "product", "labels", "reason", "enterpriseName"], entity: super::entity::listing;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        prepared_documents(documents(db, ids), |d| d.id)
    }

    fn changing_between<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        last: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(super::store::listing_ids_changing_status(txn, last, today))
    }
}

/// The documents of the listings among `ids`, each with its enterprise (read once for all).
async fn documents(db: &DatabaseConnection, ids: &[i32]) -> anyhow::Result<Vec<ListingDoc>> {
    let found = super::store::listings_by_ids(db, ids).await?;
    let mut owner_ids: Vec<i32> = found.iter().filter_map(|l| l.enterprise_id).collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owners: std::collections::HashMap<i32, Enterprise> =
        crate::catalog::enterprises::store::enterprises_by_ids(db, &owner_ids)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
    Ok(found
        .iter()
        .map(|l| listing_document(l, l.enterprise_id.and_then(|id| owners.get(&id))))
        .collect())
}
