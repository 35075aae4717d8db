//! The search document of a recall (product, companies, countries and risks in the words Chinese readers use), the
//! index settings, and the family's declaration for the outbox and `reindex`.

use chrono::Datelike;
use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::model::{RecallKind, RiskType, markets_of};
use super::store::{self, Recall};
use crate::catalog::notices::members::member;
use crate::search::family::{Documents, documents_of};
use crate::search::text::han_bigrams;
use crate::search::text::prepare_query;
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "recalls";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallDoc {
    pub id: i32,
    pub kind: String,
    pub reference: String,
    /// The reference with letters and digits only (`A1201234` for `A12/01234/23`... and the whole of it).
    pub reference_code: String,
    /// The product's name, else its kind: the headline.
    pub title: String,
    pub product: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub companies: Vec<String>,
    /// The notifying country and its union (`DEU`, `EU`): what the country filter matches.
    pub countries: Vec<String>,
    /// Chinese and English names of the notifying country and of the country of origin.
    pub country_names: Vec<String>,
    pub origin: Option<String>,
    pub risk_types: Vec<String>,
    /// 召回 / 退运 / 化学 ...: the kind and risks in Chinese, with the published wording.
    pub words: String,
    pub description: Option<String>,
    pub hs_prefixes: Vec<String>,
    pub year: i32,
    pub overlap: String,
}

fn kind_words(k: RecallKind) -> &'static str {
    match k {
        RecallKind::Recall => "国外通报召回 召回",
        RecallKind::BorderRejection => "拒绝入境 国外通报",
        RecallKind::ReturnedGoods => "出口退运 退运 退货",
        RecallKind::Alert => "国外通报 预警",
    }
}

fn risk_words(r: RiskType) -> &'static str {
    match r {
        RiskType::Chemical => "化学 化学危害",
        RiskType::Choking => "哽噎",
        RiskType::Injuries => "伤害",
        RiskType::ElectricShock => "电击 触电",
        RiskType::Fire => "火灾",
        RiskType::Burns => "烧伤 烫伤",
        RiskType::Microbiological => "微生物",
        RiskType::Strangulation => "勒颈",
        RiskType::Suffocation => "窒息",
        RiskType::Drowning => "溺水",
        RiskType::Entrapment => "夹伤",
        RiskType::Environment => "环境",
        RiskType::Hearing => "听力损伤",
        RiskType::Other => "",
    }
}

impl RecallDoc {
    pub fn from_recall(r: &Recall) -> RecallDoc {
        let d = &r.data;
        let mut names = Vec::new();
        for code in std::iter::once(&d.country).chain(d.origin.iter()) {
            let m = member(code);
            names.extend(m.name_zh);
            names.extend(m.name_en);
        }
        let mut words = vec![kind_words(d.kind).to_string()];
        words.extend(d.risk_types.iter().map(|r| risk_words(*r).to_string()));
        words.extend(d.risk_raw.clone());
        let mut prefixes: Vec<String> = Vec::new();
        for c in &d.hs_codes {
            for n in 2..=c.len() {
                let p = c[..n].to_string();
                if !prefixes.contains(&p) {
                    prefixes.push(p);
                }
            }
        }
        let title = d.name.clone().or_else(|| d.product.clone()).unwrap_or_default();
        let description = [&d.description, &d.risk_description, &d.reason, &d.measures, &d.port]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        let companies: Vec<String> = r.companies.iter().filter_map(|c| c.name.clone()).collect();
        RecallDoc {
            id: r.id,
            kind: d.kind.as_str().into(),
            reference_code: d.reference.chars().filter(char::is_ascii_alphanumeric).collect(),
            reference: d.reference.clone(),
            overlap: han_bigrams(
                [title.as_str(), description.as_str()]
                    .into_iter()
                    .chain(companies.iter().map(String::as_str)),
            ),
            title,
            product: d.product.clone(),
            category: d.category.clone(),
            brand: d.brand.clone(),
            model: d.model.clone(),
            companies,
            countries: markets_of(&d.country),
            country_names: names,
            origin: d.origin.clone(),
            risk_types: d.risk_types.iter().map(|r| r.as_str().to_string()).collect(),
            words: words.join(" "),
            description: (!description.is_empty()).then_some(description),
            hs_prefixes: prefixes,
            year: d.notified_on.year(),
        }
    }
}

pub const FACETS: [&str; 5] = ["kind", "countries", "riskTypes", "origin", "year"];

pub fn index_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &[
            "referenceCode",
            "reference",
            "title",
            "product",
            "companies",
            "brand",
            "model",
            "category",
            "words",
            "countryNames",
            "hsPrefixes",
            "description",
            "overlap",
        ],
        filterable: &["kind", "countries", "riskTypes", "origin", "year", "hsPrefixes"],
        sortable: &["year"],
        displayed: &["id", "reference", "title", "companies", "description"],
        no_typos: &["referenceCode", "reference", "hsPrefixes", "model"],
    })
}

/// What a recall search is narrowed by; values already validated (codes, enum names, digits).
#[derive(Debug, Clone, Default)]
pub struct RecallSearchFilter {
    pub countries: Vec<String>,
    pub kinds: Vec<String>,
    pub risk_types: Vec<String>,
    pub origins: Vec<String>,
    pub hs_prefix: Option<String>,
    pub year: Option<i32>,
}

fn any_of(field: &str, values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| {
        format!(
            "{field} IN [{}]",
            values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
        )
    })
}

pub async fn search(
    search: &Search,
    query: &str,
    f: &RecallSearchFilter,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let mut filters: Vec<String> = [
        any_of("countries", &f.countries),
        any_of("kind", &f.kinds),
        any_of("riskTypes", &f.risk_types),
        any_of("origin", &f.origins),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(p) = &f.hs_prefix {
        filters.push(format!("hsPrefixes = {}", quote(p)));
    }
    if let Some(y) = f.year {
        filters.push(format!("year = {y}"));
    }
    search
        .run(&SearchRequest {
            index: INDEX,
            query: prepare_query(query),
            exact: false,
            filters,
            highlight: &["title", "companies", "description"],
            crop: &[("description", Some(40))],
            facets: &FACETS,
            retrieve: &[],
            offset,
            limit,
            want,
        })
        .await
}

crate::search_family! {
    /// The recalls' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Recalls;
    kind: store::OUTBOX, settings: index_settings,
    meaning: &["title", "description"], entity: super::entity::recall;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        documents_of(store::recalls_by_ids(db, ids), |r| r.id, RecallDoc::from_recall)
    }
}
