//! Meaning in search (issue 14): the sentence embedding of each search document, kept beside the record so that
//! a rebuild or a swap of an index sends the stored vector again instead of computing it anew. A row whose
//! `waiting` row waits for the embedding worker; `text_hash` says which text (and model) the vector is of.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchVector {
    Table,
    Kind,
    RecordId,
    Model,
    TextHash,
    Text,
    Vector,
    Waiting,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchVector::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(SearchVector::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(SearchVector::RecordId).integer().not_null())
                    .col(ColumnDef::new(SearchVector::Model).string_len(200).not_null())
                    .col(ColumnDef::new(SearchVector::TextHash).string_len(64).not_null())
                    .col(ColumnDef::new(SearchVector::Text).text().not_null())
                    .col(ColumnDef::new(SearchVector::Vector).binary().null())
                    .col(ColumnDef::new(SearchVector::Waiting).boolean().not_null())
                    .col(
                        ColumnDef::new(SearchVector::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(SearchVector::Kind).col(SearchVector::RecordId))
                    .to_owned(),
            )
            .await?;
        // The worker's queue: rows still without a vector.
        manager
            .create_index(
                Index::create()
                    .name("search_vector_waiting")
                    .table(SearchVector::Table)
                    .col(SearchVector::Waiting)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchVector::Table).to_owned())
            .await
    }
}
