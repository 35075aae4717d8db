//! Watches: saved notice filters managed by a secret token, of which only the SHA-256 is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Watch {
    Table,
    Id,
    TokenHash,
    Name,
    Filter,
    Query,
    EnterpriseCreditCode,
    Paused,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Watch::Table)
                .col(pk_auto(Watch::Id))
                .col(string_len(Watch::TokenHash, 64))
                .col(string(Watch::Name))
                .col(text(Watch::Filter))
                .col(text_null(Watch::Query))
                .col(string_len_null(Watch::EnterpriseCreditCode, 18))
                .col(boolean(Watch::Paused))
                .col(timestamp_with_time_zone(Watch::CreatedAt))
                .col(timestamp_with_time_zone(Watch::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_watch_token_hash")
                .table(Watch::Table)
                .col(Watch::TokenHash)
                .unique()
                .to_owned(),
        )
        .await
    }
}
