//! What the search plumbing needs of a catalogue family, and nothing more: its outbox kind, its index and
//! settings, the search documents of some of its records, which of them change with the day, and how to walk its
//! table for a rebuild. Families implement [`Family`] in their own folders; `catalog::FAMILIES` lists them, and
//! the outbox worker, `reindex` and the index set-up iterate that list. `search/` names no catalogue.

use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

/// The search documents of the records that still exist among some ids.
pub struct Documents {
    /// One JSON object per record found, with its `id`.
    pub docs: Vec<serde_json::Value>,
    /// The ids found; the others are deleted from the index.
    pub found: Vec<i32>,
}

impl Documents {
    /// Documents already made, each knowing its record's id.
    pub fn serialize<D: serde::Serialize>(docs: &[D], id: impl Fn(&D) -> i32) -> anyhow::Result<Documents> {
        Ok(Documents {
            docs: docs.iter().map(serde_json::to_value).collect::<Result<_, _>>()?,
            found: docs.iter().map(id).collect(),
        })
    }

    /// Documents from records and the function that makes each one's document.
    pub fn of<R, D: serde::Serialize>(
        records: &[R],
        id: impl Fn(&R) -> i32,
        doc: impl Fn(&R) -> D,
    ) -> anyhow::Result<Documents> {
        let mut docs = Vec::with_capacity(records.len());
        for r in records {
            docs.push(serde_json::to_value(doc(r))?);
        }
        Ok(Documents {
            docs,
            found: records.iter().map(id).collect(),
        })
    }
}

/// Ids of a family's table, for rebuilding its index.
pub trait RecordIds: Send + Sync {
    /// How many records there are.
    fn total<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, anyhow::Result<u64>>;
    /// Ids after `after`, in id order, at most `limit`.
    fn after<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        after: i32,
        limit: u64,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>>;
    /// Ids of records changed at or after `since`.
    fn updated_since<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        since: chrono::DateTime<chrono::Utc>,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>>;
}

/// What a family is, as data: its outbox kind, index, settings and table.
pub struct Spec {
    /// The outbox kind its writes queue (`notice`, `standard`, ...). Never renamed: queued entries carry it.
    pub kind: &'static str,
    /// Its index name, without the configured prefix.
    pub index: &'static str,
    /// The index settings, kept in code.
    pub settings: fn() -> IndexSettings,
    /// The document fields whose text is embedded for meaning (`search::meaning::text_of`), the most telling first.
    pub meaning: &'static [&'static str],
    /// Its table's ids, for a rebuild.
    pub table: &'static dyn RecordIds,
}

/// A catalogue family with a search index.
pub trait Family: Send + Sync {
    /// Its kind, index, settings and table.
    fn spec(&self) -> &Spec;
    /// The current search documents of `ids`.
    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>>;
    /// Records whose document changes when the day (Asia/Shanghai) moves from `last` to `today`: documents carry
    /// statuses computed from dates. None by default.
    fn changing_between<'a>(
        &'a self,
        _txn: &'a DatabaseTransaction,
        _last: NaiveDate,
        _today: NaiveDate,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn kind(&self) -> &'static str {
        self.spec().kind
    }
    fn index(&self) -> &'static str {
        self.spec().index
    }
    fn settings(&self) -> IndexSettings {
        (self.spec().settings)()
    }
    fn table(&self) -> &dyn RecordIds {
        self.spec().table
    }
}

/// `Family::documents` for a family whose documents are made from its records one by one: `load` reads them.
pub fn documents_of<'a, R: Send + 'a, D: serde::Serialize + 'a>(
    load: impl std::future::Future<Output = anyhow::Result<Vec<R>>> + Send + 'a,
    id: fn(&R) -> i32,
    doc: fn(&R) -> D,
) -> BoxFuture<'a, anyhow::Result<Documents>> {
    Box::pin(async move { Documents::of(&load.await?, id, doc) })
}

/// `Family::documents` for a family whose loader makes the documents itself (they need more reads).
pub fn prepared_documents<'a, D: serde::Serialize + Send + 'a>(
    load: impl std::future::Future<Output = anyhow::Result<Vec<D>>> + Send + 'a,
    id: fn(&D) -> i32,
) -> BoxFuture<'a, anyhow::Result<Documents>> {
    Box::pin(async move { Documents::serialize(&load.await?, id) })
}
