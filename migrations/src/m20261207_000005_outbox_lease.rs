//! The search outbox's lease: of several `zhiliang serve` processes on one database, only the one holding the
//! lease sends the outbox to Meilisearch (two senders could let an older read of a record overwrite a newer one).
//! One row per lease; times are milliseconds since 1970 by the database's clock, so the servers' clocks need not
//! agree.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchLease {
    Table,
    Name,
    Holder,
    AcquiredAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SearchLease::Table)
                .col(
                    ColumnDef::new(SearchLease::Name)
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(SearchLease::Holder).string_len(200).not_null())
                .col(ColumnDef::new(SearchLease::AcquiredAt).big_integer().not_null())
                .col(ColumnDef::new(SearchLease::ExpiresAt).big_integer().not_null())
                .to_owned(),
        )
        .await
    }
}
