//! Database connection (SQLite file or PostgreSQL) and migrations, run only by an explicit command.

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

/// The file a `sqlite:` URL points at, if any (not for in-memory databases).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

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
    opts.sqlx_logging(false).max_connections(if sqlite { 4 } else { 10 });
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

/// The data version: it changes whenever a write has committed (`commit`).
pub async fn data_version<C: sea_orm::ConnectionTrait>(db: &C) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM data_version WHERE id = 1",
        ))
        .await?;
    match row {
        Some(r) => r.try_get_by_index::<i64>(0),
        None => Err(sea_orm::DbErr::RecordNotFound("data_version".into())),
    }
}

pub async fn ping(db: &DatabaseConnection) -> anyhow::Result<()> {
    db.ping().await.context("database ping")
}

#[cfg(test)]
mod tests {
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
