//! Scratch PostgreSQL databases for the benchmarks: reach the server, create a database and give its URL, drop it.

use anyhow::{Context, anyhow};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A connection to the server through `url` (`ZHILIANG_TEST_PG_URL`), with advice when it is not there.
pub async fn admin(url: &str) -> anyhow::Result<DatabaseConnection> {
    Database::connect(url).await.map_err(|e| {
        anyhow!(
            "PostgreSQL is not reachable at {} ({e}); start it or set ZHILIANG_TEST_PG_URL",
            zhiliang::db::redact(url)
        )
    })
}

/// Creates the scratch database `name` (dropping one left by an earlier run); its URL.
pub async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let admin = admin(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .with_context(|| format!("creating the PostgreSQL database {name}"))?;
    admin.close().await?;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let root = base
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .map(|i| &base[..i])
        .unwrap_or(base);
    Ok(format!("{root}/{name}"))
}

pub async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let admin = admin(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    admin.close().await?;
    Ok(())
}
