//! The search document of a declaration (standard number in compact codes, products, indicators, enterprise),
//! the index settings, and search with facets by status, standard level, region and year.

use chrono::Datelike;
use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};

use super::model::DeclarationStatus;
use super::store::{self, Declaration};
use crate::catalog::enterprises::store::{Enterprise, enterprises_by_ids};
use crate::catalog::region::prefixes;
use crate::catalog::standards::number::StandardNumber;
use crate::catalog::standards::search::number_codes;
use crate::search::family::{Documents, prepared_documents};
use crate::search::text::han_bigrams;
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "declarations";

/// What Meilisearch stores for a declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationDoc {
    pub id: i32,
    /// Canonical form.
    pub standard_number: String,
    /// Compact forms that survive tokenising: `QNHXH001`, `QNHXH0012021`, `001`, `0012021`.
    pub number_codes: Vec<String>,
    pub family_key: String,
    pub standard_level: String,
    pub standard_name: Option<String>,
    pub products: Vec<String>,
    /// Names of the declared indicators.
    pub indicators: Vec<String>,
    pub enterprise_name: Option<String>,
    pub credit_code: String,
    pub status: String,
    pub region_prefixes: Vec<String>,
    pub year: i32,
    /// `企业标准自我声明` and the level's words, so that those words find declarations.
    pub labels: String,
    pub overlap: String,
}

/// The document of `d`, whose enterprise is `e` (loaded by the caller for a whole batch).
pub fn declaration_document(d: &Declaration, e: Option<&Enterprise>) -> DeclarationDoc {
    let number = StandardNumber::parse(&d.standard_number).ok();
    let level = number.as_ref().map(|n| n.level().as_str()).unwrap_or("ENTERPRISE");
    let enterprise_name = e.and_then(|e| e.name.clone());
    let indicators: Vec<String> = d.indicators.iter().map(|i| i.name.clone()).collect();
    DeclarationDoc {
        id: d.id,
        standard_number: d.standard_number.clone(),
        number_codes: number.as_ref().map(number_codes).unwrap_or_default(),
        family_key: d.standard_family.clone(),
        standard_level: level.to_string(),
        overlap: han_bigrams(
            d.products
                .iter()
                .map(String::as_str)
                .chain(d.standard_name.as_deref())
                .chain(enterprise_name.as_deref()),
        ),
        standard_name: d.standard_name.clone(),
        products: d.products.clone(),
        indicators,
        credit_code: e.map(|e| e.credit_code.clone()).unwrap_or_default(),
        enterprise_name,
        status: d.status.as_str().to_string(),
        region_prefixes: prefixes(e.and_then(|e| e.region_code.as_deref())),
        year: d.declared_on.year(),
        labels: match level {
            "ENTERPRISE" => "企业标准自我声明 自我声明 企业标准",
            _ => "企业标准自我声明 自我声明 执行标准",
        }
        .to_string(),
    }
}

pub const FACETS: [&str; 4] = ["status", "standardLevel", "regionPrefixes", "year"];

pub fn index_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &[
            "numberCodes",
            "standardNumber",
            "products",
            "standardName",
            "enterpriseName",
            "indicators",
            "creditCode",
            "labels",
            "overlap",
        ],
        filterable: &[
            "status",
            "standardLevel",
            "regionPrefixes",
            "year",
            "familyKey",
            "creditCode",
        ],
        sortable: &["year"],
        displayed: &["id", "standardNumber", "standardName", "products", "enterpriseName"],
        no_typos: &["numberCodes", "standardNumber", "creditCode"],
    })
}

/// Filters of a declaration search.
#[derive(Debug, Clone, Default)]
pub struct DeclarationSearchFilter {
    pub statuses: Vec<DeclarationStatus>,
    pub region_prefix: Option<String>,
}

fn filter_array(f: &DeclarationSearchFilter) -> Vec<String> {
    let mut out = Vec::new();
    if !f.statuses.is_empty() {
        let list: Vec<String> = f.statuses.iter().map(|s| quote(s.as_str())).collect();
        out.push(format!("status IN [{}]", list.join(", ")));
    }
    if let Some(r) = &f.region_prefix {
        out.push(format!("regionPrefixes = {}", quote(r)));
    }
    out
}

/// Searches declarations; a query that is a standard number in any written form matches its compact codes whole.
pub async fn search(
    search: &Search,
    query: &str,
    filter: &DeclarationSearchFilter,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let (q, exact) = crate::catalog::standards::search::plan(query);
    search
        .run(&SearchRequest {
            index: INDEX,
            query: q,
            exact,
            filters: filter_array(filter),
            highlight: &["standardNumber", "standardName", "products", "enterpriseName"],
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
    /// The declarations' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Declarations;
    kind: store::OUTBOX, settings: index_settings,
    meaning: &["products", "standardName"], entity: super::entity::declaration;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        prepared_documents(documents(db, ids), |d| d.id)
    }
}

/// The documents of the declarations among `ids`, their enterprises read in one query.
async fn documents<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<DeclarationDoc>> {
    let found = store::by_ids(db, ids).await?;
    let mut enterprise_ids: Vec<i32> = found.iter().map(|d| d.enterprise_id).collect();
    enterprise_ids.sort_unstable();
    enterprise_ids.dedup();
    let enterprises: std::collections::HashMap<i32, Enterprise> = enterprises_by_ids(db, &enterprise_ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(found
        .iter()
        .map(|d| declaration_document(d, enterprises.get(&d.enterprise_id)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_quoted() {
        let f = DeclarationSearchFilter {
            statuses: vec![DeclarationStatus::Withdrawn],
            region_prefix: Some("3302\" OR x".into()),
        };
        assert_eq!(
            filter_array(&f),
            vec![
                "status IN [\"WITHDRAWN\"]".to_string(),
                "regionPrefixes = \"3302\\\" OR x\"".to_string()
            ]
        );
    }
}
