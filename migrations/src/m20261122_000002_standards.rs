//! Standards: the record, its ICS codes, replacements and drafting organisations; a small key-value state table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Standard {
    Table,
    Id,
    Number,
    RawNumber,
    FamilyKey,
    Edition,
    Level,
    Prefix,
    Nature,
    IndustryCode,
    RegionCode,
    GroupOrg,
    Sequence,
    Year,
    TitleZh,
    TitleEn,
    StatusLabel,
    IssueDate,
    IssueSort,
    ImplementationDate,
    WithdrawalDate,
    ReplacedOn,
    AdoptionDegree,
    AdoptionNumber,
    IcsCodes,
    CcsCode,
    Committee,
    CommitteeName,
    Department,
    DraftingOrganizations,
    Drafters,
    Amendments,
    Replaces,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StandardIcs {
    Table,
    StandardId,
    Code,
}

#[derive(DeriveIden)]
enum StandardReplacement {
    Table,
    StandardId,
    ReplacedNumber,
    ReplacedFamily,
    Scope,
}

#[derive(DeriveIden)]
enum StandardDrafter {
    Table,
    StandardId,
    Position,
    Name,
    CreditCode,
}

#[derive(DeriveIden)]
enum AppState {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Standard::Table)
                .col(pk_auto(Standard::Id))
                .col(string(Standard::Number).unique_key())
                .col(string(Standard::RawNumber))
                .col(string(Standard::FamilyKey))
                .col(string(Standard::Edition))
                .col(string_len(Standard::Level, 16))
                .col(string_len(Standard::Prefix, 32))
                .col(string_len_null(Standard::Nature, 16))
                .col(string_len_null(Standard::IndustryCode, 8))
                .col(string_len_null(Standard::RegionCode, 8))
                .col(string_len_null(Standard::GroupOrg, 32))
                .col(string(Standard::Sequence))
                .col(integer_null(Standard::Year))
                .col(text_null(Standard::TitleZh))
                .col(text_null(Standard::TitleEn))
                .col(string_len_null(Standard::StatusLabel, 32))
                .col(date_null(Standard::IssueDate))
                .col(date(Standard::IssueSort))
                .col(date_null(Standard::ImplementationDate))
                .col(date_null(Standard::WithdrawalDate))
                .col(date_null(Standard::ReplacedOn))
                .col(string_len_null(Standard::AdoptionDegree, 8))
                .col(string_null(Standard::AdoptionNumber))
                .col(text(Standard::IcsCodes))
                .col(string_len_null(Standard::CcsCode, 8))
                .col(string_len_null(Standard::Committee, 32))
                .col(text_null(Standard::CommitteeName))
                .col(text_null(Standard::Department))
                .col(text(Standard::DraftingOrganizations))
                .col(text(Standard::Drafters))
                .col(text(Standard::Amendments))
                .col(text(Standard::Replaces))
                .col(timestamp_with_time_zone(Standard::CreatedAt))
                .col(timestamp_with_time_zone(Standard::UpdatedAt))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_standard_family", vec![Standard::FamilyKey, Standard::Year]),
            ("idx_standard_edition", vec![Standard::Edition]),
            ("idx_standard_level", vec![Standard::Level]),
            ("idx_standard_issue", vec![Standard::IssueSort, Standard::Id]),
            ("idx_standard_updated", vec![Standard::UpdatedAt]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Standard::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(StandardIcs::Table)
                .col(integer(StandardIcs::StandardId))
                .col(string_len(StandardIcs::Code, 16))
                .primary_key(Index::create().col(StandardIcs::StandardId).col(StandardIcs::Code))
                .foreign_key(
                    ForeignKey::create()
                        .from(StandardIcs::Table, StandardIcs::StandardId)
                        .to(Standard::Table, Standard::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_standard_ics_code")
                .table(StandardIcs::Table)
                .col(StandardIcs::Code)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(StandardReplacement::Table)
                .col(integer(StandardReplacement::StandardId))
                .col(string(StandardReplacement::ReplacedNumber))
                .col(string(StandardReplacement::ReplacedFamily))
                .col(string_len(StandardReplacement::Scope, 8))
                .primary_key(
                    Index::create()
                        .col(StandardReplacement::StandardId)
                        .col(StandardReplacement::ReplacedNumber),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(StandardReplacement::Table, StandardReplacement::StandardId)
                        .to(Standard::Table, Standard::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_standard_replaced")
                .table(StandardReplacement::Table)
                .col(StandardReplacement::ReplacedNumber)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(StandardDrafter::Table)
                .col(integer(StandardDrafter::StandardId))
                .col(integer(StandardDrafter::Position))
                .col(string(StandardDrafter::Name))
                .col(string_len_null(StandardDrafter::CreditCode, 18))
                .primary_key(
                    Index::create()
                        .col(StandardDrafter::StandardId)
                        .col(StandardDrafter::Position),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(StandardDrafter::Table, StandardDrafter::StandardId)
                        .to(Standard::Table, Standard::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_standard_drafter_name")
                .table(StandardDrafter::Table)
                .col(StandardDrafter::Name)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_standard_drafter_code")
                .table(StandardDrafter::Table)
                .col(StandardDrafter::CreditCode)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AppState::Table)
                .col(string_len(AppState::Key, 64).primary_key())
                .col(text(AppState::Value))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
