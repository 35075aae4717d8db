//! Self-declared enterprise standards (企业产品和服务标准自我声明): one row a declaration of an enterprise that it
//! follows a standard edition, with the declared products and key indicators, its status and the platform's id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Declaration {
    Table,
    Id,
    EnterpriseId,
    StandardNumber,
    StandardNumberRaw,
    StandardEdition,
    StandardFamily,
    StandardName,
    Products,
    ProductsText,
    Indicators,
    DeclaredOn,
    Status,
    StatusLabel,
    WithdrawnOn,
    SourceId,
    NaturalKey,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Declaration::Table)
                .col(pk_auto(Declaration::Id))
                .col(integer(Declaration::EnterpriseId))
                .col(string(Declaration::StandardNumber))
                .col(string(Declaration::StandardNumberRaw))
                .col(string(Declaration::StandardEdition))
                .col(string(Declaration::StandardFamily))
                .col(text_null(Declaration::StandardName))
                .col(text(Declaration::Products))
                .col(text(Declaration::ProductsText))
                .col(text(Declaration::Indicators))
                .col(date(Declaration::DeclaredOn))
                .col(string_len(Declaration::Status, 16))
                .col(string_null(Declaration::StatusLabel))
                .col(date_null(Declaration::WithdrawnOn))
                .col(string_null(Declaration::SourceId))
                .col(string(Declaration::NaturalKey).unique_key())
                .col(timestamp_with_time_zone(Declaration::CreatedAt))
                .col(timestamp_with_time_zone(Declaration::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Declaration::Table, Declaration::EnterpriseId)
                        .to(Enterprise::Table, Enterprise::Id),
                )
                .to_owned(),
        )
        .await?;
        // Keyset pages (newest declared first, or by number), and the links to enterprises and standards.
        for (name, cols) in [
            (
                "idx_declaration_declared_on",
                vec![Declaration::DeclaredOn, Declaration::Id],
            ),
            (
                "idx_declaration_number",
                vec![Declaration::StandardNumber, Declaration::Id],
            ),
            (
                "idx_declaration_enterprise",
                vec![Declaration::EnterpriseId, Declaration::DeclaredOn],
            ),
            ("idx_declaration_edition", vec![Declaration::StandardEdition]),
            ("idx_declaration_family", vec![Declaration::StandardFamily]),
            ("idx_declaration_source", vec![Declaration::SourceId]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Declaration::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }
}
