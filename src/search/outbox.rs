//! The search outbox: every write queues its change in the same transaction; a worker sends the queue to
//! Meilisearch in batches, keeps a few tasks in flight, and deletes a batch's entries only once its tasks
//! succeeded. Of several processes on one database, only the holder of the outbox lease sends.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use meilisearch_sdk::task_info::TaskInfo;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use tokio::sync::{Notify, watch};

use super::{Family, Search};

/// Entries the worker sends in one batch (one Meilisearch task per index that has changes).
pub const WORKER_BATCH: u64 = 5_000;

/// Batches sent and not yet confirmed at one time: Meilisearch works on the earlier ones while the next is read
/// from the database. Meilisearch applies the tasks of one index in the order they came, so order is kept.
/// Meilisearch takes the tasks waiting for an index as one batch of work, and each batch costs it seconds of its
/// own once the index is large: with 4, a catch-up of 100,000 notices took it 11 batches, with 16 it took 4, with
/// 64 it takes 3, and the catch-up took 56-57 s against 65 s with 16 (docs/benchmarks.md). At 1,000,000 notices
/// its batches hold 320,000 documents and take it about 200 s each, within a task's 600 s wait. Only the entry
/// ids of a batch in flight are kept (20 KB); its documents are dropped once sent.
pub const IN_FLIGHT: usize = 64;

/// How the worker waits for a growing outbox to fill a batch before sending a partial one: while a bulk write
/// (an import committing batch after batch) is still adding entries, Meilisearch gets one large task rather than
/// one small task per look (each costs it nearly as much as a large one once the index is large).
#[derive(Clone, Copy, Debug)]
pub struct Hold {
    /// A partial batch of fewer entries is sent at once (single writes are never held).
    pub from: u64,
    /// A partial batch is sent once the outbox has not grown for this long (or for twice the longest pause
    /// between its growths seen in this hold, when that is longer: a slow writer's commits come further apart).
    pub quiet: Duration,
    /// Nor is one ever held longer than this.
    pub most: Duration,
}

/// The worker's hold: a tenth of its batch or more is held while the outbox grows, up to 5 s.
pub const WORKER_HOLD: Hold = Hold {
    from: WORKER_BATCH / 10,
    quiet: Duration::from_millis(300),
    most: Duration::from_secs(5),
};

/// How long the outbox lease lasts unless renewed: a holder that died (`kill -9`) is replaced after this.
pub const LEASE_TTL: Duration = Duration::from_secs(20);

/// Meilisearch tasks (or batch submissions) that failed since the process started; exported at `/metrics`.
pub static TASKS_FAILED: AtomicU64 = AtomicU64::new(0);

/// Outbox entries this process deleted since it last vacuumed the outbox.
static CLEARED_SINCE_VACUUM: AtomicU64 = AtomicU64::new(0);
/// Vacuums of the outbox this process made (PostgreSQL).
pub static VACUUMS: AtomicU64 = AtomicU64::new(0);
/// After deleting this many entries, a sender vacuums the outbox itself (PostgreSQL). Every anonymous request's
/// version read probes the outbox (`crate::db::freshness`), and until a vacuum those probes walk the dead rows of
/// the deleted entries: 9 ms a request after a catch-up of 1,000,000, with autovacuum busy elsewhere for 20
/// minutes (docs/benchmarks.md).
pub const VACUUM_AFTER: u64 = 10_000;

/// Vacuums the outbox when `cleared` more deletions take this process past [`VACUUM_AFTER`] since the last time.
/// PostgreSQL only: SQLite keeps no dead rows. A failure is logged; autovacuum does it later.
async fn vacuum_if_due(db: &DatabaseConnection, cleared: u64) {
    if db.get_database_backend() != DatabaseBackend::Postgres || cleared == 0 {
        return;
    }
    if CLEARED_SINCE_VACUUM.fetch_add(cleared, Ordering::Relaxed) + cleared < VACUUM_AFTER {
        return;
    }
    CLEARED_SINCE_VACUUM.store(0, Ordering::Relaxed);
    let t = Instant::now();
    match db.execute_unprepared("VACUUM (ANALYZE) search_outbox").await {
        Ok(_) => {
            VACUUMS.fetch_add(1, Ordering::Relaxed);
            tracing::info!(ms = t.elapsed().as_millis() as u64, "search outbox vacuumed");
        }
        Err(e) => tracing::warn!(error = %e, "search outbox: vacuum failed; autovacuum will do it later"),
    }
}

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
        let rows = chunk.iter().map(|(kind, id)| entity::ActiveModel {
            id: NotSet,
            entity: Set(kind.to_string()),
            entity_id: Set(*id),
            created_at: Set(now),
            attempts: Set(0),
            last_error: Set(None),
        });
        crate::db::bulk::insert(txn, rows.collect(), &[]).await?;
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

/// The lease on sending the outbox, kept in the table `search_lease`: of several processes on one database, only
/// the holder sends, so two senders never race (each sends the records' current state, and a slower sender
/// could let an older read overwrite a newer one). Times are the database's clock, in milliseconds.
pub struct Lease {
    holder: String,
    ttl: Duration,
}

/// The lease's row name.
const LEASE_NAME: &str = "search_outbox";

/// Who holds the lease now, and for how much longer unless renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    pub holder: String,
    pub expires_in: Duration,
}

/// The database's clock in milliseconds since 1970, as an SQL expression.
fn now_ms(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    }
}

/// The `n`th bind parameter (from 1) in the backend's syntax.
fn param(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

impl Lease {
    /// A would-be holder named after this host and process (shown by `/readyz`), unique among processes.
    pub fn new(ttl: Duration) -> Lease {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        let mut salt = [0u8; 4];
        let _ = getrandom::fill(&mut salt);
        Lease {
            holder: format!("{host} pid {} #{}", std::process::id(), hex(&salt)),
            ttl,
        }
    }

    /// The lease for a sender to this Meilisearch: it outlasts one request to Meilisearch (bounded by its
    /// timeout) by a margin, so a renewal made before a request still holds when the request arrives.
    pub fn for_search(search: &Search) -> Lease {
        Lease::new(LEASE_TTL.max(search.timeout() * 2 + Duration::from_secs(5)))
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Takes the lease when it is free or expired, or renews it when this process holds it: one statement,
    /// atomic on PostgreSQL and SQLite (the row is locked by the conflict). True when this process holds it.
    pub async fn acquire<C: ConnectionTrait>(&self, db: &C) -> Result<bool, sea_orm::DbErr> {
        let b = db.get_database_backend();
        let now = now_ms(b);
        let sql = format!(
            "INSERT INTO search_lease (name, holder, acquired_at, expires_at) VALUES ({p1}, {p2}, {now}, {now} + {p3}) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, \
             acquired_at = CASE WHEN search_lease.holder = excluded.holder THEN search_lease.acquired_at \
             ELSE excluded.acquired_at END \
             WHERE search_lease.holder = excluded.holder OR search_lease.expires_at < excluded.acquired_at",
            p1 = param(b, 1),
            p2 = param(b, 2),
            p3 = param(b, 3),
        );
        let r = db
            .execute_raw(Statement::from_sql_and_values(
                b,
                sql,
                [LEASE_NAME.into(), self.holder.clone().into(), self.ttl_ms().into()],
            ))
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Extends the lease only if this process still holds it (even expired: then nobody took it, so nobody sent
    /// meanwhile). False when another process took it: stop sending.
    pub async fn renew<C: ConnectionTrait>(&self, db: &C) -> Result<bool, sea_orm::DbErr> {
        let b = db.get_database_backend();
        let sql = format!(
            "UPDATE search_lease SET expires_at = {now} + {p1} WHERE name = {p2} AND holder = {p3}",
            now = now_ms(b),
            p1 = param(b, 1),
            p2 = param(b, 2),
            p3 = param(b, 3),
        );
        let r = db
            .execute_raw(Statement::from_sql_and_values(
                b,
                sql,
                [self.ttl_ms().into(), LEASE_NAME.into(), self.holder.clone().into()],
            ))
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Gives the lease up (on shutdown), so another process takes over at once rather than after it expires.
    pub async fn release<C: ConnectionTrait>(&self, db: &C) -> Result<(), sea_orm::DbErr> {
        let b = db.get_database_backend();
        let sql = format!(
            "DELETE FROM search_lease WHERE name = {} AND holder = {}",
            param(b, 1),
            param(b, 2)
        );
        db.execute_raw(Statement::from_sql_and_values(
            b,
            sql,
            [LEASE_NAME.into(), self.holder.clone().into()],
        ))
        .await?;
        Ok(())
    }

    fn ttl_ms(&self) -> i64 {
        i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 4)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Who holds the outbox lease now (None when nobody does or it expired); for `/readyz` and the CLI.
pub async fn lease_holder<C: ConnectionTrait>(db: &C) -> Result<Option<LeaseHolder>, sea_orm::DbErr> {
    let b = db.get_database_backend();
    let sql = format!(
        "SELECT holder, expires_at - {} AS left_ms FROM search_lease WHERE name = {}",
        now_ms(b),
        param(b, 1)
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(b, sql, [LEASE_NAME.into()]))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let holder: String = row.try_get("", "holder")?;
    let left: i64 = row.try_get("", "left_ms")?;
    Ok((left > 0).then(|| LeaseHolder {
        holder,
        expires_in: Duration::from_millis(left as u64),
    }))
}

/// One batch sent to Meilisearch and not yet confirmed: its entries and the tasks that carry it.
struct InFlight {
    entries: Vec<i32>,
    tasks: Vec<(TaskInfo, Duration)>,
}

/// Sends queued changes, up to [`IN_FLIGHT`] batches of `batch` entries at a time, until no entry is left beyond
/// those sent. Returns how many entries it cleared (0: the queue was empty). The caller holds `lease` (see
/// [`Lease::acquire`]); the lease is renewed before each batch goes out and while tasks are awaited, and when
/// another process took it, nothing more is sent (what is in flight is still confirmed).
///
/// A batch's entries are deleted only once its tasks succeeded; on a failure the failed batch's entries count
/// an attempt and keep the error, every unconfirmed entry stays, and the error is returned (the caller retries
/// later; records sent twice are harmless, as each send carries the record's current state).
pub async fn drain_once(db: &DatabaseConnection, search: &Search, lease: &Lease, batch: u64) -> anyhow::Result<usize> {
    drain_pipelined(db, search, lease, batch, IN_FLIGHT).await
}

/// [`drain_once`] with at most `depth` batches in flight (1: send a batch, wait for it, then read the next; the
/// worker's way before pipelining, kept for benches/notices.rs to compare).
pub async fn drain_pipelined(
    db: &DatabaseConnection,
    search: &Search,
    lease: &Lease,
    batch: u64,
    depth: usize,
) -> anyhow::Result<usize> {
    drain_held(db, search, lease, batch, depth, None).await
}

/// [`drain_pipelined`], and with `hold`, a partial batch of at least `hold.from` entries (everything left fits
/// in one task) waits while the outbox still grows, until a whole batch is there, the outbox stops growing or
/// `hold.most` has passed (see [`Hold`]). Batches already in flight are confirmed after the wait.
pub async fn drain_held(
    db: &DatabaseConnection,
    search: &Search,
    lease: &Lease,
    batch: u64,
    depth: usize,
    hold: Option<Hold>,
) -> anyhow::Result<usize> {
    let depth = depth.max(1);
    let mut in_flight: VecDeque<InFlight> = VecDeque::new();
    let mut after = 0;
    let mut exhausted = false;
    let mut cleared = 0;
    loop {
        while !exhausted && in_flight.len() < depth {
            // A batch takes up to a quarter more entries when they are the last: Meilisearch spends about as
            // long on a small task as on a large one once the index is large (a 144-document tail took 1.9 s
            // after 4,857 documents took 3.9 s), so a short tail rides with the batch before it.
            let reach = batch + batch / 4;
            let mut rows = read_after(db, after, reach + 1).await?;
            if let Some(h) = hold
                && (rows.len() as u64) <= reach
                && (rows.len() as u64) >= h.from
                && wait_growing(db, after, rows.len() as u64, reach, h).await?
            {
                rows = read_after(db, after, reach + 1).await?;
            }
            exhausted = (rows.len() as u64) <= reach;
            if !exhausted {
                rows.truncate(batch as usize);
            }
            let Some(last) = rows.last() else {
                exhausted = true;
                break;
            };
            after = last.id;
            let entries: Vec<i32> = rows.iter().map(|r| r.id).collect();
            match submit(db, search, lease, &rows).await {
                Ok(Some(tasks)) => in_flight.push_back(InFlight { entries, tasks }),
                Ok(None) => {
                    tracing::warn!("search outbox: another process took the lease; this one stops sending");
                    exhausted = true;
                }
                Err(e) => {
                    TASKS_FAILED.fetch_add(1, Ordering::Relaxed);
                    mark_failed(db, &entries, &e).await?;
                    return Err(e);
                }
            }
        }
        let Some(front) = in_flight.pop_front() else {
            vacuum_if_due(db, cleared as u64).await;
            return Ok(cleared);
        };
        match confirm(db, search, lease, &front.tasks).await {
            Ok(()) => {
                // The data version advances with the deletion (`commit`): search answers may differ now that
                // Meilisearch has the changes, and none kept from before is served again.
                let txn = crate::db::begin_write(db).await?;
                entity::Entity::delete_many()
                    .filter(entity::Column::Id.is_in(front.entries.iter().copied()))
                    .exec(&txn)
                    .await?;
                crate::db::commit(txn).await?;
                cleared += front.entries.len();
            }
            Err(e) => {
                TASKS_FAILED.fetch_add(1, Ordering::Relaxed);
                mark_failed(db, &front.entries, &e).await?;
                return Err(e);
            }
        }
    }
}

/// Up to `limit` entries after the id `after`, in id order.
async fn read_after(db: &DatabaseConnection, after: i32, limit: u64) -> Result<Vec<entity::Model>, sea_orm::DbErr> {
    entity::Entity::find()
        .filter(entity::Column::Id.gt(after))
        .order_by_asc(entity::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Waits while the entries after `after` (`seen` of them now) keep growing and are no more than `reach`; see
/// [`Hold`]. True when they grew (read them again).
async fn wait_growing(db: &DatabaseConnection, after: i32, seen: u64, reach: u64, hold: Hold) -> anyhow::Result<bool> {
    const LOOK: Duration = Duration::from_millis(50);
    let start = Instant::now();
    let mut seen = seen;
    let mut grown = Instant::now();
    let mut longest = Duration::ZERO;
    let mut grew = false;
    while start.elapsed() < hold.most && grown.elapsed() < hold.quiet.max(longest * 2) {
        tokio::time::sleep(LOOK).await;
        let now = entity::Entity::find()
            .filter(entity::Column::Id.gt(after))
            .limit(reach + 1)
            .count(db)
            .await?;
        if now > seen {
            longest = longest.max(grown.elapsed());
            grown = Instant::now();
            seen = now;
            grew = true;
            if now > reach {
                break;
            }
        }
    }
    Ok(grew)
}

/// Counts an attempt on entries whose batch failed and keeps the error (the start of it) for operators.
async fn mark_failed(db: &DatabaseConnection, entries: &[i32], e: &anyhow::Error) -> Result<(), sea_orm::DbErr> {
    let message: String = format!("{e:#}").chars().take(500).collect();
    entity::Entity::update_many()
        .col_expr(entity::Column::Attempts, Expr::col(entity::Column::Attempts).add(1))
        .col_expr(entity::Column::LastError, Expr::value(message))
        .filter(entity::Column::Id.is_in(entries.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Waits for a batch's tasks, renewing the lease while it waits (a long task must not let it lapse: another
/// process would then send behind this one's back). A task past its limit that Meilisearch still holds (a batch
/// of [`IN_FLIGHT`] tasks into a large index takes minutes) is waited for again: sending its documents once more
/// would only queue them behind it. Only a task that ended decides.
pub async fn confirm(
    db: &DatabaseConnection,
    search: &Search,
    lease: &Lease,
    tasks: &[(TaskInfo, Duration)],
) -> anyhow::Result<()> {
    let every = lease.ttl() / 4;
    for (task, limit) in tasks {
        let mut started = Instant::now();
        loop {
            let mut left = limit.saturating_sub(started.elapsed());
            if left.is_zero() {
                if search.under_way(task).await? {
                    tracing::warn!(
                        task = task.task_uid,
                        waited_s = limit.as_secs(),
                        "search outbox: a Meilisearch task is still under way past its limit; waiting on"
                    );
                    started = Instant::now();
                    continue;
                }
                // It ended: the wait below reads how.
                left = search.timeout();
            }
            // The slice ends before the wait's own limit, so a wait past the limit comes back here (above).
            match tokio::time::timeout(every.min(left), search.wait(task.clone(), left + every)).await {
                Ok(r) => {
                    r?;
                    break;
                }
                Err(_) => {
                    // Keep the lease while waiting; losing it changes nothing here (the task was sent while held).
                    let _ = lease.renew(db).await?;
                }
            }
        }
    }
    Ok(())
}

/// The ids of one kind of record in these entries, without repeats.
fn ids_of(rows: &[entity::Model], kind: &str) -> Vec<i32> {
    let mut ids: Vec<i32> = rows.iter().filter(|r| r.entity == kind).map(|r| r.entity_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A family's records as read now: the documents of those found, and the ids no longer in the database.
struct Read {
    uid: String,
    docs: Vec<serde_json::Value>,
    gone: Vec<i32>,
}

/// Reads the current documents of `ids` of one family, with their vectors (or the word that they have none).
async fn read_family(
    db: &DatabaseConnection,
    search: &Search,
    family: &dyn Family,
    uid: &str,
    ids: &[i32],
) -> anyhow::Result<Read> {
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
    Ok(Read {
        uid: uid.to_string(),
        docs: found.docs,
        gone,
    })
}

/// Enqueues the Meilisearch tasks that carry `read` without waiting for them.
async fn enqueue_tasks<D: serde::Serialize + Send + Sync>(
    search: &Search,
    uid: &str,
    docs: &[D],
    gone: &[i32],
) -> anyhow::Result<Vec<(TaskInfo, Duration)>> {
    let index = search.client.index(uid);
    let mut tasks = Vec::new();
    if !docs.is_empty() {
        let task = search
            .timed("add documents", index.add_or_replace(docs, Some("id")))
            .await?;
        tasks.push((task, Duration::from_secs(600)));
    }
    if !gone.is_empty() {
        let task = search.timed("delete documents", index.delete_documents(gone)).await?;
        tasks.push((task, Duration::from_secs(120)));
    }
    Ok(tasks)
}

/// Sends the current documents of `ids` (and deletes those no longer in the database) to one index and waits.
pub async fn send_documents<D: serde::Serialize + Send + Sync>(
    search: &Search,
    uid: &str,
    docs: &[D],
    gone: &[i32],
) -> anyhow::Result<()> {
    for (task, limit) in enqueue_tasks(search, uid, docs, gone).await? {
        search.wait(task, limit).await?;
    }
    Ok(())
}

/// Sends the current documents of `ids` of one family to the index `uid` and waits; ids no longer in the
/// database are deleted from it. For `zhiliang reindex`, which writes its own index.
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
    let read = read_family(db, search, family, uid, ids).await?;
    send_documents(search, uid, &read.docs, &read.gone).await
}

/// Reads the records of one batch, renews the lease, then enqueues the tasks. None when the lease passed to
/// another process (nothing is sent). The read comes before the renewal: whatever this process read, nobody
/// else sent anything between that read and these tasks, so no newer state can be overwritten by them.
async fn submit(
    db: &DatabaseConnection,
    search: &Search,
    lease: &Lease,
    rows: &[entity::Model],
) -> anyhow::Result<Option<Vec<(TaskInfo, Duration)>>> {
    if let Some(unknown) = rows.iter().find(|r| search.family_of_kind(&r.entity).is_none()) {
        anyhow::bail!("outbox entry {} has the unknown kind {:?}", unknown.id, unknown.entity);
    }
    let mut reads = Vec::new();
    for f in search.families {
        let ids = ids_of(rows, f.kind());
        if !ids.is_empty() {
            reads.push(read_family(db, search, *f, &search.index_uid(f.index()), &ids).await?);
        }
    }
    if !lease.renew(db).await? {
        return Ok(None);
    }
    let mut tasks = Vec::new();
    for r in reads {
        tasks.extend(enqueue_tasks(search, &r.uid, &r.docs, &r.gone).await?);
    }
    Ok(Some(tasks))
}

/// The background worker: while it holds the outbox lease, drains the outbox whenever told or every second, and
/// backs off while Meilisearch fails; otherwise it tries for the lease every second.
pub struct Worker {
    pub db: DatabaseConnection,
    pub search: Search,
    pub wake: std::sync::Arc<Notify>,
    pub shutdown: watch::Receiver<bool>,
}

impl Worker {
    pub async fn run(mut self) {
        let lease = Lease::for_search(&self.search);
        let mut settings_applied = false;
        let mut failures: u32 = 0;
        let mut held = false;
        loop {
            if *self.shutdown.borrow() {
                if held && let Err(e) = lease.release(&self.db).await {
                    tracing::warn!(error = %e, "search outbox: the lease was not released; it expires by itself");
                }
                return;
            }
            let step = async {
                let now_held = lease.acquire(&self.db).await?;
                if now_held != held {
                    tracing::info!(holder = lease.holder(), held = now_held, "search outbox lease");
                    held = now_held;
                }
                if !now_held {
                    return Ok(None);
                }
                // Only the holder applies settings and queues records again: the others would do it twice.
                if !settings_applied {
                    prepare(&self.db, &self.search).await?;
                    settings_applied = true;
                }
                refresh_statuses(&self.db, self.search.families).await?;
                drain_held(
                    &self.db,
                    &self.search,
                    &lease,
                    WORKER_BATCH,
                    IN_FLIGHT,
                    Some(WORKER_HOLD),
                )
                .await
                .map(Some)
            };
            let idle = match step.await {
                Ok(None) | Ok(Some(0)) => {
                    failures = 0;
                    Some(Duration::from_secs(1))
                }
                Ok(Some(n)) => {
                    failures = 0;
                    tracing::debug!(sent = n, "outbox batches indexed");
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
                // A holder waiting longer than its lease renews on the way (the wait is at most 30 s).
                let wait = if held { wait.min(lease.ttl() / 3) } else { wait };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.wake.notified() => {}
                    _ = self.shutdown.changed() => {}
                }
            }
        }
    }
}

/// Drains until the queue is empty or `deadline` passes; for the CLI after an import. It sends itself when it
/// can take the outbox lease; while a server holds it, it waits for that server to send. Returns how many
/// entries this process sent.
pub async fn drain_all(db: &DatabaseConnection, search: &Search, deadline: Duration) -> anyhow::Result<u64> {
    let lease = Lease::for_search(search);
    let result = drain_all_with(db, search, &lease, deadline).await;
    if let Err(e) = lease.release(db).await {
        tracing::warn!(error = %e, "search outbox: the lease was not released; it expires by itself");
    }
    result
}

async fn drain_all_with(
    db: &DatabaseConnection,
    search: &Search,
    lease: &Lease,
    deadline: Duration,
) -> anyhow::Result<u64> {
    let start = Instant::now();
    let mut sent = 0u64;
    let mut told = false;
    loop {
        if lease.acquire(db).await? {
            let n = drain_once(db, search, lease, 10_000).await?;
            if n == 0 {
                return Ok(sent);
            }
            sent += n as u64;
        } else {
            if pending(db).await? == 0 {
                return Ok(sent);
            }
            if let Some(e) = oldest(db).await?.filter(|e| e.attempts > 0) {
                anyhow::bail!(
                    "the process holding the outbox lease has not sent the changes yet: {}",
                    e.last_error.unwrap_or_default()
                );
            }
            if !told {
                let holder = lease_holder(db).await?.map(|h| h.holder).unwrap_or_default();
                tracing::info!(
                    holder,
                    "search outbox: another process holds the lease; waiting for it to send"
                );
                told = true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if start.elapsed() > deadline {
            return Ok(sent);
        }
    }
}

/// Not used by `zhiliang import`, which drains after storing: the peers bench measures this way against that one
/// (docs/benchmarks.md, "Whole batches and more tasks waiting": it did not pay on two cores).
///
/// Runs `write` (a bulk write, such as an import) while this process sends the outbox to Meilisearch beside it,
/// in whole batches as the worker does ([`WORKER_HOLD`]), whenever it can take the outbox lease (while a server
/// holds it, the server sends); then drains what is left as [`drain_all`] does. Returns what `write` returned,
/// and how many entries this process sent or the first error of sending (the write is not stopped by it: what
/// was not sent waits in the outbox).
pub async fn send_while<T>(
    db: &DatabaseConnection,
    search: &Search,
    write: impl std::future::Future<Output = T>,
    deadline: Duration,
) -> (T, anyhow::Result<u64>) {
    let lease = Lease::for_search(search);
    let (done_tx, mut done) = watch::channel(false);
    let writing = async {
        let out = write.await;
        let _ = done_tx.send(true);
        out
    };
    let sending = async {
        let mut sent = 0u64;
        while !*done.borrow() {
            if lease.acquire(db).await? {
                sent += drain_held(db, search, &lease, WORKER_BATCH, IN_FLIGHT, Some(WORKER_HOLD)).await? as u64;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = done.changed() => {}
            }
        }
        anyhow::Ok(sent)
    };
    let (out, beside) = tokio::join!(writing, sending);
    let result = match beside {
        Ok(n) => drain_all_with(db, search, &lease, deadline).await.map(|m| m + n),
        Err(e) => Err(e),
    };
    if let Err(e) = lease.release(db).await {
        tracing::warn!(error = %e, "search outbox: the lease was not released; it expires by itself");
    }
    (out, result)
}

/// The oldest entry's attempts and error, for `/readyz` and operators.
pub async fn oldest<C: ConnectionTrait>(db: &C) -> Result<Option<entity::Model>, sea_orm::DbErr> {
    entity::Entity::find().order_by_asc(entity::Column::Id).one(db).await
}
