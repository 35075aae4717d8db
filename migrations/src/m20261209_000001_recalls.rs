//! Foreign recalls, border rejections and returned exports: one `recall` row per notification (lists kept as
//! text), the companies each names with the enterprise they were matched to, or the candidates when the match
//! is uncertain, and `recall_change`, the recalls written and not yet matched against the watches.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Recall {
    Table,
    Id,
    NaturalKey,
    Kind,
    Source,
    Reference,
    Country,
    CountryRaw,
    Authority,
    NotifiedOn,
    Category,
    Product,
    Name,
    Brand,
    Model,
    Batch,
    Barcodes,
    HsCodes,
    RiskTypes,
    RiskRaw,
    RiskDescription,
    Measures,
    Origin,
    OriginRaw,
    Port,
    Reason,
    Units,
    Description,
    Links,
    Markets,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecallCompany {
    Table,
    Id,
    RecallId,
    Position,
    Role,
    Name,
    CreditCode,
    EnterpriseId,
    Basis,
    Candidates,
}

#[derive(DeriveIden)]
enum RecallChange {
    Table,
    Id,
    RecallId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Recall::Table)
                .col(pk_auto(Recall::Id))
                .col(string(Recall::NaturalKey).unique_key())
                .col(string_len(Recall::Kind, 24))
                .col(string_len(Recall::Source, 24))
                .col(string(Recall::Reference))
                .col(string_len(Recall::Country, 8))
                .col(text_null(Recall::CountryRaw))
                .col(text_null(Recall::Authority))
                .col(date(Recall::NotifiedOn))
                .col(text_null(Recall::Category))
                .col(text_null(Recall::Product))
                .col(text_null(Recall::Name))
                .col(text_null(Recall::Brand))
                .col(text_null(Recall::Model))
                .col(text_null(Recall::Batch))
                .col(text(Recall::Barcodes))
                .col(text(Recall::HsCodes))
                .col(text(Recall::RiskTypes))
                .col(text_null(Recall::RiskRaw))
                .col(text_null(Recall::RiskDescription))
                .col(text_null(Recall::Measures))
                .col(string_len_null(Recall::Origin, 8))
                .col(text_null(Recall::OriginRaw))
                .col(text_null(Recall::Port))
                .col(text_null(Recall::Reason))
                .col(text_null(Recall::Units))
                .col(text_null(Recall::Description))
                .col(text(Recall::Links))
                .col(text(Recall::Markets))
                .col(timestamp_with_time_zone(Recall::CreatedAt))
                .col(timestamp_with_time_zone(Recall::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recall_notified_on_id")
                .table(Recall::Table)
                .col(Recall::NotifiedOn)
                .col(Recall::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recall_updated_at")
                .table(Recall::Table)
                .col(Recall::UpdatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecallCompany::Table)
                .col(pk_auto(RecallCompany::Id))
                .col(integer(RecallCompany::RecallId))
                .col(integer(RecallCompany::Position))
                .col(string_len(RecallCompany::Role, 24))
                .col(text_null(RecallCompany::Name))
                .col(string_len_null(RecallCompany::CreditCode, 18))
                .col(integer_null(RecallCompany::EnterpriseId))
                .col(string_len_null(RecallCompany::Basis, 24))
                .col(text(RecallCompany::Candidates))
                .foreign_key(
                    ForeignKey::create()
                        .from(RecallCompany::Table, RecallCompany::RecallId)
                        .to(Recall::Table, Recall::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RecallCompany::Table, RecallCompany::EnterpriseId)
                        .to(Enterprise::Table, Enterprise::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recall_company_recall")
                .table(RecallCompany::Table)
                .col(RecallCompany::RecallId)
                .col(RecallCompany::Position)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recall_company_enterprise")
                .table(RecallCompany::Table)
                .col(RecallCompany::EnterpriseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecallChange::Table)
                .col(pk_auto(RecallChange::Id))
                .col(integer(RecallChange::RecallId))
                .col(timestamp_with_time_zone(RecallChange::CreatedAt))
                .to_owned(),
        )
        .await
    }
}
