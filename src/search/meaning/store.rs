//! The stored vectors (`search_vector`): one row per record with the text it was computed from (as a hash) and
//! the model; rows without a vector wait for the worker.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};

use super::{EMBEDDER, Meaning, from_bytes, texts_of, to_bytes};
use crate::search::Family;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_vector")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_id: i32,
        pub model: String,
        pub text_hash: String,
        pub text: String,
        pub vector: Option<Vec<u8>>,
        pub waiting: bool,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{Column, Entity};

/// Ids per database read (SQLite's limit on bound values is far above it).
const CHUNK: usize = 1_000;

/// Which text under which model: a vector is reused only while both are the same.
fn hash(model: &str, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0u8]);
    h.update(text.as_bytes());
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Puts each document's stored vector in its `_vectors` (or `null` when it has none yet, as Meilisearch's
/// `userProvided` embedder requires) and queues the documents whose text is new or changed for the worker.
/// Returns how many wait.
pub async fn attach(
    db: &DatabaseConnection,
    meaning: &Meaning,
    family: &dyn Family,
    docs: &mut [serde_json::Value],
) -> anyhow::Result<usize> {
    let kind = family.kind();
    let model = meaning.model();
    let fields = family.spec().meaning;
    let mut stored: HashMap<i32, entity::Model> = HashMap::new();
    let ids: Vec<i32> = docs
        .iter()
        .filter_map(|d| d.get("id").and_then(|v| v.as_i64()).map(|v| v as i32))
        .collect();
    for chunk in ids.chunks(CHUNK) {
        for r in Entity::find()
            .filter(Column::Kind.eq(kind))
            .filter(Column::RecordId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            stored.insert(r.record_id, r);
        }
    }
    let now = Utc::now();
    let mut queue: Vec<entity::ActiveModel> = Vec::new();
    for doc in docs.iter_mut() {
        let Some(id) = doc.get("id").and_then(|v| v.as_i64()).map(|v| v as i32) else {
            continue;
        };
        // The texts, one a line: the whole text and the short values (`texts_of`), a vector each.
        let text = texts_of(doc, fields).join("\n");
        let h = hash(&model, &text);
        let vector = match stored.get(&id) {
            Some(r) if r.text_hash == h => r.vector.as_deref().map(from_bytes),
            _ => {
                if !text.is_empty() {
                    queue.push(entity::ActiveModel {
                        kind: Set(kind.to_string()),
                        record_id: Set(id),
                        model: Set(model.clone()),
                        text_hash: Set(h),
                        text: Set(text),
                        vector: Set(None),
                        waiting: Set(true),
                        updated_at: Set(now),
                    });
                }
                None
            }
        };
        let dims = meaning.dimensions();
        let vectors: Option<Vec<&[f32]>> = vector
            .as_ref()
            .filter(|v| !v.is_empty() && v.len() % dims == 0)
            .map(|v| v.chunks(dims).collect());
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("_vectors".into(), serde_json::json!({ EMBEDDER: vectors }));
        }
    }
    let waiting = queue.len();
    if !queue.is_empty() {
        let txn = crate::db::begin_write(db).await?;
        for chunk in queue.chunks(CHUNK / 4) {
            let keys: Vec<i32> = chunk
                .iter()
                .filter_map(|r| match &r.record_id {
                    Set(id) => Some(*id),
                    _ => None,
                })
                .collect();
            Entity::delete_many()
                .filter(Column::Kind.eq(kind))
                .filter(Column::RecordId.is_in(keys))
                .exec(&txn)
                .await?;
            Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        crate::db::commit(txn).await?;
    }
    Ok(waiting)
}

/// Marks documents as having no vector (`_vectors: {"meaning": null}`), for a process without an embedder.
pub fn no_vectors(docs: &mut [serde_json::Value]) {
    for doc in docs {
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("_vectors".into(), serde_json::json!({ EMBEDDER: null }));
        }
    }
}

/// Rows waiting for a vector, oldest first.
pub async fn waiting<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<entity::Model>, sea_orm::DbErr> {
    Entity::find()
        .filter(Column::Waiting.eq(true))
        .order_by_asc(Column::UpdatedAt)
        .order_by_asc(Column::RecordId)
        .limit(limit)
        .all(db)
        .await
}

/// Stores the vectors of rows the worker took (each row's vectors one after another, one a line of its text),
/// where their text is still the one embedded, and queues those records for the search outbox, so their
/// documents are sent again with the vectors. Returns how many.
pub async fn save(db: &DatabaseConnection, rows: &[entity::Model], vectors: &[Vec<f32>]) -> anyhow::Result<usize> {
    let txn = crate::db::begin_write(db).await?;
    let mut saved = 0;
    for (r, v) in rows.iter().zip(vectors) {
        let res = Entity::update_many()
            .col_expr(Column::Vector, Expr::value(to_bytes(v)))
            .col_expr(Column::Waiting, Expr::value(false))
            .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(Column::Kind.eq(r.kind.as_str()))
            .filter(Column::RecordId.eq(r.record_id))
            .filter(Column::TextHash.eq(r.text_hash.as_str()))
            .exec(&txn)
            .await?;
        if res.rows_affected > 0 {
            crate::search::outbox::enqueue(&txn, &r.kind, r.record_id).await?;
            saved += 1;
        }
    }
    crate::db::commit(txn).await?;
    Ok(saved)
}

/// Texts waiting for a vector, and vectors stored: how far embedding has got.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Progress {
    pub waiting: u64,
    pub embedded: u64,
}

pub async fn progress<C: ConnectionTrait>(db: &C) -> Result<Progress, sea_orm::DbErr> {
    let waiting = Entity::find().filter(Column::Waiting.eq(true)).count(db).await?;
    let embedded = Entity::find().filter(Column::Waiting.eq(false)).count(db).await?;
    Ok(Progress { waiting, embedded })
}

/// Queues the records of `family` that have no row yet (records written before an embedder was configured):
/// their texts wait for the worker. Cheap when every record has its row (one count of each). Returns how many.
pub async fn queue_missing(db: &DatabaseConnection, meaning: &Meaning, family: &dyn Family) -> anyhow::Result<usize> {
    let kind = family.kind();
    let rows = Entity::find().filter(Column::Kind.eq(kind)).count(db).await?;
    if rows >= family.table().total(db).await? {
        return Ok(0);
    }
    let mut queued = 0;
    let mut after = 0;
    loop {
        let ids = family.table().after(db, after, CHUNK as u64).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let have: std::collections::HashSet<i32> = Entity::find()
            .select_only()
            .column(Column::RecordId)
            .filter(Column::Kind.eq(kind))
            .filter(Column::RecordId.is_in(ids.clone()))
            .into_tuple::<i32>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let missing: Vec<i32> = ids.into_iter().filter(|id| !have.contains(id)).collect();
        if !missing.is_empty() {
            let mut found = family.documents(db, &missing).await?;
            queued += attach(db, meaning, family, &mut found.docs).await?;
        }
    }
    Ok(queued)
}
