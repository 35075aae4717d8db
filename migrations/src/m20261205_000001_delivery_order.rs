//! Deliveries are taken oldest first among the pending ones: an index on (status, id) lets a round stop after the
//! rows it takes, where (status, next_attempt_at) made every round read and sort all pending rows (measured in
//! benches/follow.rs: 1.7 s a round with 71,532 pending on SQLite), and an index on (watch_id, channel, status, id)
//! answers the "older pending delivery of this watch" check of each row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Delivery {
    Table,
    WatchId,
    Channel,
    Status,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_delivery_due").table(Delivery::Table).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("idx_delivery_pending")
                .table(Delivery::Table)
                .col(Delivery::Status)
                .col(Delivery::Id)
                .to_owned(),
        )
        .await?;
        // "Is an older delivery of this watch and channel still pending?" answered from the index alone.
        m.drop_index(
            Index::drop()
                .name("idx_delivery_watch")
                .table(Delivery::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_delivery_watch_pending")
                .table(Delivery::Table)
                .col(Delivery::WatchId)
                .col(Delivery::Channel)
                .col(Delivery::Status)
                .col(Delivery::Id)
                .to_owned(),
        )
        .await
    }
}
