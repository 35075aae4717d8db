//! Connections held back from the pool between the reads of busy requests (PostgreSQL).
//!
//! The pool (sqlx) pings every connection it takes back, before it hands it out again: one more round trip to
//! PostgreSQL for each statement a request borrows a connection for, and it cannot be turned off. A read through
//! [`Warm`] takes a connection that an earlier read left here, or one from the pool, and leaves it here again when
//! its statement succeeded: reads that follow each other closely share connections without that ping.
//!
//! What keeps this safe:
//! - a connection left here longer than [`LINGER`] goes back to the pool (pinged there, as always), checked on
//!   every read and by a task every [`LINGER`], so while nothing reads, writers and other reads have the whole pool;
//! - at most half the pool's connections are held here, so the others are always the pool's;
//! - a statement that fails, or a read abandoned midway (its request gone), hands its connection to the pool, which
//!   pings it and closes it if broken; only a connection whose statement succeeded is kept;
//! - a connection is never idle here longer than the pool's own `PING_AFTER_IDLE`, so it is as fresh as one the pool
//!   would hand out without a ping.
//!
//! On SQLite (no network round trip; the pool's ping is a message to the connection's thread) reads go to the pool.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{PgPool, Postgres};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr,
    Statement,
};

/// How long a connection may wait here for the next read before it goes back to the pool.
pub const LINGER: Duration = Duration::from_millis(250);

const _: () = assert!(LINGER.as_millis() < super::PING_AFTER_IDLE.as_millis());

/// Connections kept between reads; see the module's documentation.
pub struct Warm {
    db: DatabaseConnection,
    pool: Option<PgPool>,
    /// Oldest first: a read takes the last one, the most recently used.
    idle: Mutex<Vec<(PoolConnection<Postgres>, Instant)>>,
    keep: usize,
    queries: Arc<AtomicU64>,
    /// Reads answered with a connection kept here, and with one taken from the pool.
    pub kept: AtomicU64,
    pub pooled: AtomicU64,
}

impl Warm {
    /// Reads of `db`; each statement sent counts in `queries` (as the connection's metric callback counts the
    /// pool's). Starts the task that returns connections waiting too long (it ends with the last `Arc`).
    pub fn new(db: &DatabaseConnection, queries: Arc<AtomicU64>) -> Arc<Warm> {
        let pool =
            (db.get_database_backend() == DbBackend::Postgres).then(|| db.get_postgres_connection_pool().clone());
        let keep = pool
            .as_ref()
            .map_or(0, |p| (p.options().get_max_connections() / 2) as usize);
        let warm = Arc::new(Warm {
            db: db.clone(),
            pool,
            idle: Mutex::new(Vec::new()),
            keep,
            queries,
            kept: AtomicU64::new(0),
            pooled: AtomicU64::new(0),
        });
        if warm.pool.is_some() {
            let weak: Weak<Warm> = Arc::downgrade(&warm);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(LINGER).await;
                    match weak.upgrade() {
                        Some(w) => w.expire(),
                        None => break,
                    }
                }
            });
        }
        warm
    }

    /// The connection for reads through the held-back connections.
    pub fn reads(&self) -> WarmRead<'_> {
        WarmRead { warm: self }
    }

    /// Connections held here now.
    pub fn held(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(PoolConnection<Postgres>, Instant)>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hands every connection that waited longer than `LINGER` back to the pool (outside the lock: the pool's
    /// return spawns a task).
    fn expire(&self) {
        let old = Self::stale(&mut self.lock());
        drop(old);
    }

    /// Takes out the connections that waited longer than `LINGER` (the oldest come first).
    fn stale(idle: &mut Vec<(PoolConnection<Postgres>, Instant)>) -> Vec<(PoolConnection<Postgres>, Instant)> {
        let stale = idle.iter().take_while(|(_, at)| at.elapsed() >= LINGER).count();
        idle.drain(..stale).collect()
    }

    async fn connection(&self, pool: &PgPool) -> Result<PoolConnection<Postgres>, DbErr> {
        // One lock: the stale ones out (handed back outside it), the most recent one taken.
        let (stale, kept) = {
            let mut idle = self.lock();
            let stale: Vec<_> = Self::stale(&mut idle);
            (stale, idle.pop())
        };
        drop(stale);
        match kept {
            Some((conn, _)) => {
                self.kept.fetch_add(1, Ordering::Relaxed);
                Ok(conn)
            }
            None => {
                self.pooled.fetch_add(1, Ordering::Relaxed);
                pool.acquire().await.map_err(acquire_error)
            }
        }
    }

    /// Keeps a connection whose statement succeeded, or hands it to the pool when enough are kept.
    fn keep(&self, conn: PoolConnection<Postgres>) {
        let mut idle = self.lock();
        if idle.len() < self.keep {
            idle.push((conn, Instant::now()));
        } else {
            drop(idle);
            drop(conn);
        }
    }

    async fn rows(&self, stmt: Statement, one: bool) -> Result<Vec<QueryResult>, DbErr> {
        let Some(pool) = &self.pool else {
            return if one {
                Ok(self.db.query_one_raw(stmt).await?.into_iter().collect())
            } else {
                self.db.query_all_raw(stmt).await
            };
        };
        let mut conn = self.connection(pool).await?;
        self.queries.fetch_add(1, Ordering::Relaxed);
        let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
        let query = sea_orm::sqlx::query_with(
            sea_orm::sqlx::AssertSqlSafe(stmt.sql.as_str()),
            sea_query_sqlx::SqlxValues(values),
        );
        // A failed statement's connection goes to the pool (pinged there, closed if broken), not back here.
        let rows = if one {
            query.fetch_optional(&mut *conn).await.map(|r| r.into_iter().collect())
        } else {
            query.fetch_all(&mut *conn).await
        }
        .map_err(|e| DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))))?;
        self.keep(conn);
        Ok(rows.into_iter().map(QueryResult::from).collect())
    }
}

/// A pool error as sea-orm reports it (a timeout or a closed pool is `ConnectionAcquire`, as for its own reads).
fn acquire_error(e: sea_orm::sqlx::Error) -> DbErr {
    match e {
        sea_orm::sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sea_orm::sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))),
    }
}

impl Drop for Warm {
    fn drop(&mut self) {
        // Handing a connection back spawns a task; without a runtime (a process ending) they simply close.
        let idle = std::mem::take(&mut *self.lock());
        if tokio::runtime::Handle::try_current().is_ok() {
            drop(idle);
        } else {
            for (conn, _) in idle {
                drop(conn.detach());
            }
        }
    }
}

/// The database as reads through [`Warm`] see it: statements that return rows use the held-back connections;
/// anything else goes to the pool as usual.
pub struct WarmRead<'a> {
    warm: &'a Warm,
}

#[async_trait::async_trait]
impl ConnectionTrait for WarmRead<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.warm.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.warm.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.warm.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        Ok(self.warm.rows(stmt, true).await?.into_iter().next())
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.warm.rows(stmt, false).await
    }
}
