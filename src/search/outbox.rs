//! The search outbox: every write queues its change in the same transaction; a worker sends the queue to
//! Meilisearch in batches, waits for each task, and deletes the entries only once the task succeeded.

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::{Notify, watch};

use super::{Family, Search};

/// Sends to Meilisearch that failed (the entries stay queued and are sent again), for `/metrics`.
pub static FAILURES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Entries the worker sends in one batch: it waits for each Meilisearch task, so batches must be large.
pub const WORKER_BATCH: u64 = 5_000;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub entity: String,
        pub entity_id: i32,
        pub created_at: DateTimeUtc,
        pub attempts: i32,
        pub last_error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod state {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "app_state")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub value: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

const STATUS_DAY: &str = "standards_status_day";

/// Search documents carry statuses computed from dates (a standard in force, a brand valid, a zone's phase).
/// When the day changes, each family names the records whose status changed since the last refresh, and they
/// are queued again. Returns how many were queued.
pub async fn refresh_statuses(db: &DatabaseConnection, families: &[&'static dyn Family]) -> anyhow::Result<usize> {
    let today = crate::graphql::scalars::today_in_china();
    let stored = state::Entity::find_by_id(STATUS_DAY.to_string()).one(db).await?;
    let last = stored.as_ref().and_then(|s| s.value.parse::<chrono::NaiveDate>().ok());
    if last == Some(today) {
        return Ok(0);
    }
    let txn = crate::db::begin_write(db).await?;
    let mut queued = 0;
    if let Some(last) = last {
        for f in families {
            for id in f.changing_between(&txn, last, today).await? {
                enqueue(&txn, f.kind(), id).await?;
                queued += 1;
            }
        }
    }
    let row = state::ActiveModel {
        key: Set(STATUS_DAY.to_string()),
        value: Set(today.to_string()),
    };
    if stored.is_some() {
        state::Entity::update(row).exec(&txn).await?;
    } else {
        state::Entity::insert(row).exec_without_returning(&txn).await?;
    }
    crate::db::commit(txn).await?;
    Ok(queued)
}

/// Queues one record for (re)indexing. Call inside the transaction that changed it.
pub async fn enqueue<C: ConnectionTrait>(txn: &C, kind: &str, id: i32) -> Result<(), sea_orm::DbErr> {
    entity::Entity::insert(entity::ActiveModel {
        id: NotSet,
        entity: Set(kind.to_string()),
        entity_id: Set(id),
        created_at: Set(Utc::now()),
        attempts: Set(0),
        last_error: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Queues records for (re)indexing in multi-row inserts, in the order given. Call inside the transaction that
/// changed them.
pub async fn enqueue_many<C: ConnectionTrait>(txn: &C, entries: &[(&str, i32)]) -> Result<(), sea_orm::DbErr> {
    let now = Utc::now();
    for chunk in entries.chunks(1_000) {
        entity::Entity::insert_many(chunk.iter().map(|(kind, id)| entity::ActiveModel {
            id: NotSet,
            entity: Set(kind.to_string()),
            entity_id: Set(*id),
            created_at: Set(now),
            attempts: Set(0),
            last_error: Set(None),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Applies every index's settings and queues the records of an index that must be sent again whole (it gained
/// its embedder, so its documents lack their vectors).
pub async fn prepare(db: &DatabaseConnection, search: &Search) -> anyhow::Result<()> {
    for f in search.apply_settings().await? {
        let n = enqueue_all(db, f).await?;
        tracing::info!(
            kind = f.kind(),
            queued = n,
            "search: the index gained its embedder; its documents are sent again with their vectors"
        );
    }
    Ok(())
}

/// Queues every record of a family (its index must be sent again whole). Returns how many.
pub async fn enqueue_all(db: &DatabaseConnection, family: &dyn Family) -> anyhow::Result<usize> {
    let mut after = 0;
    let mut queued = 0;
    loop {
        let ids = family.table().after(db, after, 1_000).await?;
        let Some(&last) = ids.last() else { return Ok(queued) };
        after = last;
        let txn = crate::db::begin_write(db).await?;
        for id in &ids {
            enqueue(&txn, family.kind(), *id).await?;
        }
        crate::db::commit(txn).await?;
        queued += ids.len();
    }
}

/// Entries not yet confirmed by Meilisearch.
pub async fn pending<C: ConnectionTrait>(db: &C) -> Result<u64, sea_orm::DbErr> {
    entity::Entity::find().count(db).await
}

/// Sends one batch of queued changes; returns how many entries it cleared (0: the queue is empty).
pub async fn drain_once(db: &DatabaseConnection, search: &Search, batch: u64) -> anyhow::Result<usize> {
    let rows = entity::Entity::find()
        .order_by_asc(entity::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let entry_ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let result = send(db, search, &rows).await;
    match result {
        Ok(()) => {
            // The data version advances with the deletion (`commit`): search answers may differ now that
            // Meilisearch has the changes, and none kept from before is served again.
            let txn = crate::db::begin_write(db).await?;
            entity::Entity::delete_many()
                .filter(entity::Column::Id.is_in(entry_ids))
                .exec(&txn)
                .await?;
            crate::db::commit(txn).await?;
            Ok(rows.len())
        }
        Err(e) => {
            FAILURES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let message: String = format!("{e:#}").chars().take(500).collect();
            entity::Entity::update_many()
                .col_expr(entity::Column::Attempts, Expr::col(entity::Column::Attempts).add(1))
                .col_expr(entity::Column::LastError, Expr::value(message))
                .filter(entity::Column::Id.is_in(entry_ids))
                .exec(db)
                .await?;
            Err(e)
        }
    }
}

/// The ids of one kind of record in these entries, without repeats.
fn ids_of(rows: &[entity::Model], kind: &str) -> Vec<i32> {
    let mut ids: Vec<i32> = rows.iter().filter(|r| r.entity == kind).map(|r| r.entity_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Sends the current documents of `ids` (and deletes those no longer in the database) to one index.
pub async fn send_documents<D: serde::Serialize + Send + Sync>(
    search: &Search,
    uid: &str,
    docs: &[D],
    gone: &[i32],
) -> anyhow::Result<()> {
    let index = search.client.index(uid);
    if !docs.is_empty() {
        let task = search
            .timed("add documents", index.add_or_replace(docs, Some("id")))
            .await?;
        search.wait(task, Duration::from_secs(600)).await?;
    }
    if !gone.is_empty() {
        let task = search.timed("delete documents", index.delete_documents(gone)).await?;
        search.wait(task, Duration::from_secs(120)).await?;
    }
    Ok(())
}

/// Sends the current documents of `ids` of one family to the index `uid`; ids no longer in the database are
/// deleted from it.
pub async fn send_family(
    db: &DatabaseConnection,
    search: &Search,
    family: &dyn Family,
    uid: &str,
    ids: &[i32],
) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut found = family.documents(db, ids).await?;
    match &search.meaning {
        Some(m) => {
            super::meaning::store::attach(db, m, family, &mut found.docs).await?;
        }
        // Without an embedder, each document says it has no vector: an index that has the embedder (set up by
        // a process with the model) refuses new documents that say nothing, and one without ignores it.
        None => super::meaning::store::no_vectors(&mut found.docs),
    }
    let present: std::collections::HashSet<i32> = found.found.iter().copied().collect();
    let gone: Vec<i32> = ids.iter().copied().filter(|id| !present.contains(id)).collect();
    send_documents(search, uid, &found.docs, &gone).await
}

async fn send(db: &DatabaseConnection, search: &Search, rows: &[entity::Model]) -> anyhow::Result<()> {
    if let Some(unknown) = rows.iter().find(|r| search.family_of_kind(&r.entity).is_none()) {
        anyhow::bail!("outbox entry {} has the unknown kind {:?}", unknown.id, unknown.entity);
    }
    for f in search.families {
        send_family(db, search, *f, &search.index_uid(f.index()), &ids_of(rows, f.kind())).await?;
    }
    Ok(())
}

/// The background worker: drains the outbox whenever told or every second, backs off while Meilisearch fails.
pub struct Worker {
    pub db: DatabaseConnection,
    pub search: Search,
    pub wake: std::sync::Arc<Notify>,
    pub shutdown: watch::Receiver<bool>,
}

impl Worker {
    pub async fn run(mut self) {
        let mut settings_applied = false;
        let mut failures: u32 = 0;
        loop {
            if *self.shutdown.borrow() {
                return;
            }
            let step = async {
                if !settings_applied {
                    prepare(&self.db, &self.search).await?;
                    settings_applied = true;
                }
                refresh_statuses(&self.db, self.search.families).await?;
                drain_once(&self.db, &self.search, WORKER_BATCH).await
            };
            let idle = match step.await {
                Ok(0) => {
                    failures = 0;
                    Some(Duration::from_secs(1))
                }
                Ok(n) => {
                    failures = 0;
                    tracing::debug!(sent = n, "outbox batch indexed");
                    None
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait =
                        Duration::from_millis(250 * 2u64.pow(std::cmp::min(failures, 7))).min(Duration::from_secs(30));
                    tracing::warn!(error = format!("{e:#}"), retry_in = ?wait, "search outbox: Meilisearch did not take the batch");
                    Some(wait)
                }
            };
            if let Some(wait) = idle {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.wake.notified() => {}
                    _ = self.shutdown.changed() => {}
                }
            }
        }
    }
}

/// Drains until the queue is empty or `deadline` passes; for the CLI after an import.
pub async fn drain_all(db: &DatabaseConnection, search: &Search, deadline: Duration) -> anyhow::Result<u64> {
    let start = std::time::Instant::now();
    let mut sent = 0u64;
    loop {
        let n = drain_once(db, search, 10_000).await?;
        if n == 0 {
            return Ok(sent);
        }
        sent += n as u64;
        if start.elapsed() > deadline {
            return Ok(sent);
        }
    }
}

/// The oldest entry's attempts and error, for `/readyz` and operators.
pub async fn oldest<C: ConnectionTrait>(db: &C) -> Result<Option<entity::Model>, sea_orm::DbErr> {
    entity::Entity::find().order_by_asc(entity::Column::Id).one(db).await
}
