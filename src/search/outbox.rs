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

use super::{Catalogue, Search};
use crate::catalog::notices;

pub const NOTICE: &str = "notice";

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
            entity::Entity::delete_many()
                .filter(entity::Column::Id.is_in(entry_ids))
                .exec(db)
                .await?;
            Ok(rows.len())
        }
        Err(e) => {
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

async fn send(db: &DatabaseConnection, search: &Search, rows: &[entity::Model]) -> anyhow::Result<()> {
    let mut notice_ids: Vec<i32> = rows
        .iter()
        .filter(|r| r.entity == NOTICE)
        .map(|r| r.entity_id)
        .collect();
    notice_ids.sort_unstable();
    notice_ids.dedup();
    if notice_ids.is_empty() {
        return Ok(());
    }
    let found = notices::store::by_ids(db, &notice_ids).await?;
    let docs: Vec<notices::search::NoticeDoc> = found.iter().map(notices::search::NoticeDoc::from_notice).collect();
    let gone: Vec<i32> = notice_ids
        .iter()
        .copied()
        .filter(|id| !found.iter().any(|n| n.id == *id))
        .collect();
    let index = search.client.index(search.index_uid(Catalogue::Notices));
    if !docs.is_empty() {
        let task = search
            .timed("add documents", index.add_or_replace(&docs, Some("id")))
            .await?;
        search.wait(task, Duration::from_secs(120)).await?;
    }
    if !gone.is_empty() {
        let task = search.timed("delete documents", index.delete_documents(&gone)).await?;
        search.wait(task, Duration::from_secs(120)).await?;
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
                    self.search.apply_settings().await?;
                    settings_applied = true;
                }
                drain_once(&self.db, &self.search, 1000).await
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
