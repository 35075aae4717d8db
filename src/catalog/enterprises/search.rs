//! The enterprise search document (the enterprise with what is listed about it today), its index settings, and
//! search with facets by region, industry, credit list and scheme.

use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::ConnectionTrait;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use super::store::Enterprise;
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::search::scheme_words;
use crate::catalog::listings::store::listings_of;
use crate::catalog::region::prefixes;
use crate::catalog::terms::covers;
use crate::catalog::zones::store::{memberships, zones_by_ids};
use crate::graphql::scalars::today_in_china;
use crate::search::family::{Documents, prepared_documents};
use crate::search::text::{han_bigrams, prepare_query};
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "enterprises";

/// What Meilisearch stores for an enterprise. Lists, schemes and zones are those of the day the document was
/// written; the worker writes it again when one of those dates passes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseDoc {
    pub id: i32,
    pub credit_code: String,
    /// The credit code and its organisation-code part, for typing either.
    pub codes: Vec<String>,
    pub name: Option<String>,
    pub former_names: Vec<String>,
    pub industry: Option<String>,
    pub region_code: Option<String>,
    /// Province, city and county prefixes of the region code.
    pub region_prefixes: Vec<String>,
    pub main_products: Vec<String>,
    pub address: Option<String>,
    /// Credit lists the enterprise is on today.
    pub lists: Vec<String>,
    /// Brand and title schemes it holds, valid today.
    pub schemes: Vec<String>,
    /// Names of its brands and titles (all, for search).
    pub honours: Vec<String>,
    /// Names of the zones it is a member of today.
    pub zones: Vec<String>,
    pub credit_code_valid: bool,
    /// The Chinese words of its current lists and schemes (`行政处罚`, `中国驰名商标 驰名商标`).
    pub labels: String,
    pub overlap: String,
    /// Pinyin of the name and former names (`search::pinyin`).
    pub pinyin: String,
}

/// Builds the document of one enterprise from the database.
pub async fn document<C: ConnectionTrait>(db: &C, e: &Enterprise) -> anyhow::Result<EnterpriseDoc> {
    let today = today_in_china();
    let mut lists = Vec::new();
    for l in listings_of(db, e.id, ListingKind::Credit).await? {
        if covers(l.started_on, l.ended_on, today) && !lists.contains(&l.scheme) {
            lists.push(l.scheme);
        }
    }
    let mut schemes = Vec::new();
    let mut honours = Vec::new();
    for kind in [ListingKind::Brand, ListingKind::Title] {
        for l in listings_of(db, e.id, kind).await? {
            if l.in_force_on(today) && !schemes.contains(&l.scheme) {
                schemes.push(l.scheme.clone());
            }
            honours.extend(l.name.clone());
            honours.extend(l.details.product.clone());
        }
    }
    let mut zones = Vec::new();
    for m in memberships(db, None, Some(e.id)).await? {
        if covers(m.admitted_on, m.exited_on, today)
            && let Some(z) = zones_by_ids(db, &[m.zone_id]).await?.into_iter().next()
        {
            zones.push(z.data.name);
        }
    }
    let region_prefixes = prefixes(e.region_code.as_deref());
    let mut codes = vec![e.credit_code.clone()];
    if e.credit_code.len() == 18 {
        codes.push(e.credit_code[8..17].to_string());
    }
    codes.extend(e.registration_number.clone());
    let texts: Vec<&str> = e
        .name
        .iter()
        .chain(e.former_names.iter())
        .chain(e.main_products.iter())
        .chain(e.industry.iter())
        .map(String::as_str)
        .collect();
    Ok(EnterpriseDoc {
        id: e.id,
        credit_code: e.credit_code.clone(),
        codes,
        name: e.name.clone(),
        former_names: e.former_names.clone(),
        industry: e.industry.clone(),
        region_code: e.region_code.clone(),
        region_prefixes,
        main_products: e.main_products.clone(),
        address: e.address.clone(),
        labels: lists
            .iter()
            .chain(schemes.iter())
            .map(|s| scheme_words(s))
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        lists,
        schemes,
        honours,
        zones,
        credit_code_valid: e.credit_code_valid,
        overlap: han_bigrams(texts),
        pinyin: crate::search::pinyin::terms(e.name.iter().chain(e.former_names.iter()).map(String::as_str)),
    })
}

pub const FACETS: [&str; 4] = ["regionCode", "industry", "lists", "schemes"];

pub fn index_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &[
            "codes",
            "name",
            "pinyin",
            "formerNames",
            "mainProducts",
            "industry",
            "honours",
            "labels",
            "zones",
            "address",
            "overlap",
        ],
        filterable: &[
            "regionPrefixes",
            "regionCode",
            "industry",
            "lists",
            "schemes",
            "creditCodeValid",
        ],
        sortable: &[],
        displayed: &["id", "name", "formerNames", "mainProducts", "industry", "address"],
        no_typos: &["codes", "pinyin"],
    })
}

/// Filters of an enterprise search.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseSearchFilter {
    pub region_prefix: Option<String>,
    pub industries: Vec<String>,
    pub lists: Vec<String>,
    pub schemes: Vec<String>,
}

pub fn filter_array(f: &EnterpriseSearchFilter) -> Vec<String> {
    let list = |vals: &[String]| vals.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    if let Some(r) = &f.region_prefix {
        out.push(format!("regionPrefixes = {}", quote(r)));
    }
    for (name, vals) in [
        ("industry", &f.industries),
        ("lists", &f.lists),
        ("schemes", &f.schemes),
    ] {
        if !vals.is_empty() {
            out.push(format!("{name} IN [{}]", list(vals)));
        }
    }
    out
}

pub async fn search(
    search: &Search,
    query: &str,
    f: &EnterpriseSearchFilter,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let q = prepare_query(query);
    // A credit code typed in part or whole is a code: every character must match.
    let compact: String = q
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let codey = compact.len() >= 9 && compact.chars().all(|c| c.is_ascii_alphanumeric());
    search
        .run(&SearchRequest {
            index: INDEX,
            query: if codey { compact } else { q },
            exact: codey,
            filters: filter_array(f),
            highlight: &["name", "formerNames", "mainProducts", "industry"],
            crop: &[],
            facets: &FACETS,
            retrieve: &[],
            offset,
            limit,
            want,
        })
        .await
}

crate::search_family! {
    /// The enterprises' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Enterprises;
    kind: super::store::OUTBOX_ENTERPRISE, settings: index_settings,
    meaning: &["name", "mainProducts", "industry"], entity: super::entity::enterprise;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        prepared_documents(documents(db, ids), |d| d.id)
    }

    fn changing_between<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        last: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(super::store::ids_changing_status(txn, last, today))
    }
}

/// The documents of the enterprises among `ids`.
async fn documents(db: &DatabaseConnection, ids: &[i32]) -> anyhow::Result<Vec<EnterpriseDoc>> {
    let found = super::store::enterprises_by_ids(db, ids).await?;
    let mut docs = Vec::with_capacity(found.len());
    for e in &found {
        docs.push(document(db, e).await?);
    }
    Ok(docs)
}
