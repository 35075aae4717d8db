//! Reward clauses of a policy (seed 002, the Quzhou document): each clause as data — the fact it rewards, the
//! amount, the regions and the period it applies to, and its own text — kept with the policy as one JSON list.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Policy {
    Table,
    Rewards,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Policy::Table)
                .add_column(ColumnDef::new(Policy::Rewards).text().not_null().default("[]"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Policy::Table)
                .drop_column(Policy::Rewards)
                .to_owned(),
        )
        .await
    }
}
