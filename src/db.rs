//! Database connection (SQLite file or PostgreSQL) and migrations, run only by an explicit command.

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

pub mod bulk;
pub mod shared;
pub mod warm;

/// The file a `sqlite:` URL points at, if any (not for in-memory databases).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// A pooled connection idle at least this long is pinged before it is handed out (a dead one is replaced); one
/// used more recently is handed out as it is. Pinging on every acquire, the pool's default, cost every request one
/// more round trip to PostgreSQL for each connection it took, under any load (docs/benchmarks.md). The connections
/// that PostgreSQL, a proxy or a firewall drops are the idle ones; a connection dropped while busy fails its one
/// statement with a coded error, and the pool replaces it.
pub const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite
        && let Some(path) = sqlite_path(url)
        && let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .max_connections(if sqlite { 4 } else { 10 })
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE);
    let db = Database::connect(opts)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(url)))?;
    if sqlite {
        // Readers never wait for the writer; the setting stays with the file.
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
    }
    Ok(db)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await.context("applying migrations")?;
    Ok(pending)
}

/// Names of migrations not yet applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    Ok(Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_string())
        .collect())
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
/// transaction that reads first cannot upgrade its lock while another connection (the outbox worker) writes,
/// and SQLite then fails it at once ("database is locked") instead of waiting.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    } else {
        db.begin().await
    }
}

/// Commits a write transaction, advancing the data version (`data_version`, one row) in it: a reader that sees
/// the writes sees the new version, so an answer cached under an older version is never served after them.
/// Every write transaction ends here (clippy refuses `DatabaseTransaction::commit` elsewhere).
#[allow(clippy::disallowed_methods)]
pub async fn commit(txn: sea_orm::DatabaseTransaction) -> Result<(), sea_orm::DbErr> {
    advance(&txn).await?;
    txn.commit().await
}

/// Advances the data version on its own: for changes the database does not hold (a search index that caught up).
pub async fn advance<C: sea_orm::ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    db.execute_unprepared("UPDATE data_version SET version = version + 1 WHERE id = 1")
        .await
        .map(|_| ())
}

/// Releases a savepoint (a transaction begun inside another): its writes become part of the outer transaction,
/// whose `commit` advances the data version.
#[allow(clippy::disallowed_methods)]
pub async fn release(savepoint: sea_orm::DatabaseTransaction) -> Result<(), sea_orm::DbErr> {
    savepoint.commit().await
}

/// The data version together with the search families whose changes still wait in the search outbox, read in
/// one statement. A family with nothing waiting has every write up to that version in its Meilisearch index (an
/// outbox entry goes only once its task succeeded, and that advances the version), so a search of it may take
/// what the index stores instead of reading the hits back from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub version: i64,
    /// The outbox kinds (`Family::kind`) with entries waiting.
    pub pending: Vec<&'static str>,
}

impl Freshness {
    /// Whether every write of `kind` up to `version` is in the search index.
    pub fn indexed(&self, kind: &str) -> bool {
        !self.pending.contains(&kind)
    }
}

/// Reads the data version and, for each of `kinds` (at most 62), whether the search outbox holds an entry of it
/// (an index probe each, `idx_search_outbox_entity`, made only when the outbox is not empty).
pub async fn freshness<C: sea_orm::ConnectionTrait>(
    db: &C,
    kinds: &[&'static str],
) -> Result<Freshness, sea_orm::DbErr> {
    use std::fmt::Write;
    assert!(kinds.len() < 63, "freshness reads at most 62 kinds");
    // The kinds are probed only when the outbox holds anything: one probe instead of one a kind in the usual case, an
    // empty outbox (measured with pgbench, nine kinds: 0.17-0.20 ms a read instead of 0.27-0.30 ms).
    let mut sql = String::from("SELECT version, CASE WHEN EXISTS (SELECT 1 FROM search_outbox) THEN CAST(0 AS BIGINT)");
    for (bit, kind) in kinds.iter().enumerate() {
        // The kinds are the families' own constants, never input; quoted all the same.
        let kind = kind.replace('\'', "''");
        let _ = write!(
            sql,
            " + CASE WHEN EXISTS (SELECT 1 FROM search_outbox WHERE entity = '{kind}') THEN {} ELSE 0 END",
            1i64 << bit
        );
    }
    sql.push_str(" ELSE 0 END FROM data_version WHERE id = 1");
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("data_version".into()))?;
    let version = row.try_get_by_index::<i64>(0)?;
    let mask = row.try_get_by_index::<i64>(1)?;
    Ok(Freshness {
        version,
        pending: kinds
            .iter()
            .enumerate()
            .filter(|(bit, _)| mask & (1i64 << bit) != 0)
            .map(|(_, k)| *k)
            .collect(),
    })
}

/// [`freshness`] of every search family, shared by the requests that ask at the same time (`shared`): what an
/// anonymous query reads before it runs, and a keyed search beside its Meilisearch call.
pub type SharedFreshness = shared::Shared<Result<Freshness, std::sync::Arc<sea_orm::DbErr>>>;

pub fn shared_freshness(warm: std::sync::Arc<warm::Warm>) -> std::sync::Arc<SharedFreshness> {
    shared::Shared::new(
        move || {
            let warm = warm.clone();
            async move {
                freshness(&warm.reads(), crate::catalog::outbox_kinds())
                    .await
                    .map_err(std::sync::Arc::new)
            }
        },
        || {
            Err(std::sync::Arc::new(sea_orm::DbErr::Custom(
                "the data-version read was abandoned".into(),
            )))
        },
    )
}

pub async fn ping(db: &DatabaseConnection) -> anyhow::Result<()> {
    db.ping().await.context("database ping")
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn freshness_names_the_kinds_the_outbox_holds() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("f.db").display());
        let db = super::connect(&url).await.unwrap();
        super::migrate(&db).await.unwrap();
        let kinds = ["notice", "standard", "policy"];
        let read = || async { super::freshness(&db, &kinds).await.unwrap() };
        let empty = read().await;
        assert!(empty.pending.is_empty(), "{:?}", empty.pending);
        assert!(kinds.iter().all(|k| empty.indexed(k)));
        crate::search::outbox::enqueue_many(&db, &[("standard", 7)])
            .await
            .unwrap();
        assert_eq!(read().await.pending, vec!["standard"]);
        crate::search::outbox::enqueue_many(&db, &[("policy", 1), ("notice", 2), ("other", 3)])
            .await
            .unwrap();
        let all = read().await;
        assert_eq!(all.pending, vec!["notice", "standard", "policy"]);
        assert!(!all.indexed("notice"));
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("sqlite://data/z.db"), "sqlite://data/z.db");
        assert_eq!(
            super::sqlite_path("sqlite://data/z.db?mode=rwc").unwrap().to_str(),
            Some("data/z.db")
        );
    }
}
