//! The audit trail's row images (`before`, `after`) compressed with lz4 on PostgreSQL: every audited write stores
//! the whole row as JSON, large enough to be compressed, and PostgreSQL's default method (pglz) was a tenth of the
//! database's time in a bulk import of notices. lz4 compresses several times faster for a slightly larger result.
//! Values already stored keep their method; a server built without lz4 (or older than PostgreSQL 14) keeps pglz.
//! SQLite has no such setting.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sets the method of both row images on PostgreSQL, unless the server cannot (then nothing changes).
async fn set_compression(m: &SchemaManager<'_>, method: &str) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let sql = format!(
        "DO $$ BEGIN \
           EXECUTE 'ALTER TABLE audit_log ALTER COLUMN before SET COMPRESSION {method}, \
                    ALTER COLUMN after SET COMPRESSION {method}'; \
         EXCEPTION WHEN feature_not_supported OR syntax_error THEN \
           RAISE NOTICE 'audit_log keeps its compression: %', SQLERRM; \
         END $$"
    );
    m.get_connection().execute_unprepared(&sql).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_compression(m, "lz4").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_compression(m, "pglz").await
    }
}
