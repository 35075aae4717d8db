//! Administrative divisions (GB/T 2260 codes and names), loaded through the import.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Division {
    Table,
    Code,
    Name,
    ParentCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Division::Table)
                .col(string_len(Division::Code, 12).primary_key())
                .col(string(Division::Name))
                .col(string_len_null(Division::ParentCode, 12))
                .to_owned(),
        )
        .await
    }
}
