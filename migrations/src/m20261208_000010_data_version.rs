//! The data version: one row whose number every committed write advances (`crate::db::commit`). Answers cached
//! by the service are kept under the version they were computed at, so an answer is never served once a write
//! that could change it has committed, in this process or in any other on the same database.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DataVersion::Table)
                .col(ColumnDef::new(DataVersion::Id).integer().not_null().primary_key())
                .col(ColumnDef::new(DataVersion::Version).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(DataVersion::Table)
                .columns([DataVersion::Id, DataVersion::Version])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DataVersion::Table).to_owned()).await
    }
}
