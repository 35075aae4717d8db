//! The policy search document, its index settings, and search with facets by issuer and year.

use chrono::Datelike;
use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::store::{self, Policy};
use crate::search::family::{Documents, documents_of};
use crate::search::text::{han_bigrams, prepare_query};
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "policies";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDoc {
    pub id: i32,
    pub document_number: Option<String>,
    /// The number without brackets (`宁政办发201749`), which survives tokenising whole.
    pub number_code: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub year: Option<i32>,
    pub text: String,
    pub overlap: String,
}

impl PolicyDoc {
    pub fn from_policy(p: &Policy) -> PolicyDoc {
        PolicyDoc {
            id: p.id,
            document_number: p.document_number.clone(),
            number_code: p
                .document_number
                .as_ref()
                .map(|n| n.chars().filter(|c| !"〔〕号".contains(*c)).collect()),
            title: p.title.clone(),
            issuer: p.issuer.clone(),
            year: p.issued_on.map(|d| d.year()),
            text: p.body.clone(),
            overlap: han_bigrams([p.title.as_str()]),
        }
    }
}

pub const FACETS: [&str; 2] = ["issuer", "year"];

pub fn index_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &["numberCode", "documentNumber", "title", "issuer", "text", "overlap"],
        filterable: &["issuer", "year"],
        sortable: &["year"],
        displayed: &["id", "documentNumber", "title", "text"],
        no_typos: &["numberCode", "documentNumber"],
    })
}

pub async fn search(
    search: &Search,
    query: &str,
    issuer: Option<&str>,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let q = prepare_query(query);
    let (q, exact) = match super::number::DocumentNumber::parse(&q) {
        Ok(n) => (format!("{}{}{}", n.prefix, n.year, n.serial), true),
        Err(_) => (q, false),
    };
    search
        .run(&SearchRequest {
            index: INDEX,
            query: q,
            exact,
            filters: issuer
                .map(|i| vec![format!("issuer = {}", quote(i))])
                .unwrap_or_default(),
            highlight: &["title", "text"],
            crop: &[("text", Some(40))],
            facets: &FACETS,
            retrieve: &[],
            offset,
            limit,
            want,
        })
        .await
}

crate::search_family! {
    /// The policies' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Policies;
    kind: store::OUTBOX, settings: index_settings,
    meaning: &["title", "text"], entity: super::entity::policy;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        documents_of(store::by_ids(db, ids), |p| p.id, PolicyDoc::from_policy)
    }
}
