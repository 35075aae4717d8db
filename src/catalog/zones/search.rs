//! The search document of a demonstration zone (its phase and members today), the index settings, and search with
//! facets by level, kind, phase and region.

use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use super::store::{Zone, memberships};
use crate::catalog::enterprises::store::enterprises_by_ids;
use crate::catalog::region::prefixes;
use crate::catalog::terms::covers;
use crate::graphql::scalars::today_in_china;
use crate::search::family::{Documents, prepared_documents};
use crate::search::text::{han_bigrams, prepare_query};
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "zones";

/// What Meilisearch stores for a zone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneDoc {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: String,
    pub industry: Option<String>,
    pub batch: Option<String>,
    pub region_prefixes: Vec<String>,
    /// Phase on the day the document was written.
    pub status: Option<String>,
    /// Names of the members today.
    pub members: Vec<String>,
    pub overlap: String,
    /// Pinyin of the name (`search::pinyin`).
    pub pinyin: String,
}

pub async fn zone_document<C: ConnectionTrait>(db: &C, z: &Zone) -> anyhow::Result<ZoneDoc> {
    let today = today_in_china();
    let mut members = Vec::new();
    for m in memberships(db, Some(z.id), None).await? {
        if covers(m.admitted_on, m.exited_on, today)
            && let Some(e) = enterprises_by_ids(db, &[m.enterprise_id]).await?.into_iter().next()
        {
            members.extend(e.name);
        }
    }
    Ok(ZoneDoc {
        id: z.id,
        code: z.data.code.clone(),
        overlap: han_bigrams([z.data.name.as_str()].into_iter().chain(z.data.industry.as_deref())),
        pinyin: crate::search::pinyin::terms([z.data.name.as_str()]),
        name: z.data.name.clone(),
        kind: z.data.kind.as_str().into(),
        level: z.data.level.as_str().into(),
        industry: z.data.industry.clone(),
        batch: z.data.batch.clone(),
        region_prefixes: prefixes(z.data.region_code.as_deref()),
        status: z.data.status_on(today).map(|s| s.as_str().to_string()),
        members,
    })
}

pub const ZONE_FACETS: [&str; 4] = ["level", "kind", "status", "regionPrefixes"];

pub fn zone_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &["name", "pinyin", "industry", "members", "batch", "code", "overlap"],
        filterable: &["level", "kind", "status", "regionPrefixes"],
        sortable: &[],
        displayed: &["id", "code", "name", "industry", "members"],
        no_typos: &["code", "pinyin"],
    })
}

pub async fn search_zones(
    search: &Search,
    query: &str,
    levels: &[String],
    region_prefix: Option<&str>,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let mut filters = Vec::new();
    if !levels.is_empty() {
        filters.push(format!(
            "level IN [{}]",
            levels.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(r) = region_prefix {
        filters.push(format!("regionPrefixes = {}", quote(r)));
    }
    search
        .run(&SearchRequest {
            index: INDEX,
            query: prepare_query(query),
            exact: false,
            filters,
            highlight: &["name", "industry", "members"],
            crop: &[],
            facets: &ZONE_FACETS,
            retrieve: &[],
            offset,
            limit,
            want,
        })
        .await
}

crate::search_family! {
    /// The zones' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Zones;
    kind: super::store::OUTBOX_ZONE, settings: zone_settings,
    meaning: &["name", "industry"], entity: super::entity::zone;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        prepared_documents(documents(db, ids), |d| d.id)
    }

    /// Zone phases come from a history kept as JSON, and zones are few: all are refreshed daily.
    fn changing_between<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        _last: chrono::NaiveDate,
        _today: chrono::NaiveDate,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(super::store::all_zone_ids(txn))
    }
}

/// The documents of the zones among `ids`.
async fn documents(db: &DatabaseConnection, ids: &[i32]) -> anyhow::Result<Vec<ZoneDoc>> {
    let found = super::store::zones_by_ids(db, ids).await?;
    let mut docs = Vec::with_capacity(found.len());
    for z in &found {
        docs.push(zone_document(db, z).await?);
    }
    Ok(docs)
}
