//! An index of the search outbox by entity kind: a search reads whether any change of its kind is still waiting
//! to reach Meilisearch (`crate::db::freshness`) on every request, and that must be a probe, not a scan of a
//! queue that an import has filled with a hundred thousand entries of other kinds.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Entity,
    Id,
}

const NAME: &str = "idx_search_outbox_entity";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(NAME)
                .table(SearchOutbox::Table)
                .col(SearchOutbox::Entity)
                .col(SearchOutbox::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table(SearchOutbox::Table).to_owned())
            .await
    }
}
