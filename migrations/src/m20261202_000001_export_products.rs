//! Export profiles: an enterprise's export products, their HS codes (indexed for prefix matches with notices)
//! and the markets (WTO members) they ship to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ExportProduct {
    Table,
    Id,
    EnterpriseId,
    Product,
    HsCodes,
    Markets,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ExportProduct::Table)
                .col(pk_auto(ExportProduct::Id))
                .col(integer(ExportProduct::EnterpriseId))
                .col(string(ExportProduct::Product))
                .col(text(ExportProduct::HsCodes))
                .col(text(ExportProduct::Markets))
                .col(timestamp_with_time_zone(ExportProduct::CreatedAt))
                .col(timestamp_with_time_zone(ExportProduct::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ExportProduct::Table, ExportProduct::EnterpriseId)
                        .to(Enterprise::Table, Enterprise::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_export_product_enterprise_product")
                .table(ExportProduct::Table)
                .col(ExportProduct::EnterpriseId)
                .col(ExportProduct::Product)
                .unique()
                .to_owned(),
        )
        .await?;
        values_table(m, "export_product_hs", "code", 10).await?;
        values_table(m, "export_product_market", "member", 8).await
    }
}

/// A table of one product's values (`column`, at most `len` characters), keyed by product and value, deleted with
/// the product, with an index by value (then product) for lookups.
async fn values_table(m: &SchemaManager<'_>, table: &str, column: &str, len: u32) -> Result<(), DbErr> {
    let (t, c, product) = (Alias::new(table), Alias::new(column), Alias::new("product_id"));
    m.create_table(
        Table::create()
            .table(t.clone())
            .col(integer(product.clone()))
            .col(string_len(c.clone(), len))
            .primary_key(Index::create().col(product.clone()).col(c.clone()))
            .foreign_key(
                ForeignKey::create()
                    .from(t.clone(), product.clone())
                    .to(ExportProduct::Table, ExportProduct::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name(format!("idx_{table}_{column}"))
            .table(t)
            .col(c)
            .col(product)
            .to_owned(),
    )
    .await
}
