//! TBT/SPS notices, their symbols, HS/ICS codes and objectives for filtering, and the search outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notice {
    Table,
    Id,
    PrimarySymbol,
    BaseSymbol,
    Area,
    Kind,
    Member,
    LocalGovernment,
    Agency,
    Articles,
    DistributionDate,
    CommentDeadline,
    CommentDeadlineText,
    CommentDeadlineDerived,
    ProposedAdoptionDate,
    ProposedAdoptionDateText,
    ProposedEntryIntoForceDate,
    ProposedEntryIntoForceDateText,
    TitleZh,
    TitleEn,
    TitleOriginal,
    OriginalLanguage,
    DescriptionZh,
    DescriptionEn,
    ProductsText,
    Symbols,
    HsCodes,
    IcsCodes,
    Objectives,
    Keywords,
    Documents,
    AddendumReasons,
    RegionsAffected,
    Source,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NoticeSymbol {
    Table,
    Symbol,
    NoticeId,
    BaseSymbol,
    Member,
    Position,
}

#[derive(DeriveIden)]
enum NoticeHs {
    Table,
    NoticeId,
    Code,
}

#[derive(DeriveIden)]
enum NoticeIcs {
    Table,
    NoticeId,
    Code,
}

#[derive(DeriveIden)]
enum NoticeObjective {
    Table,
    NoticeId,
    Objective,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    Entity,
    EntityId,
    CreatedAt,
    Attempts,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Notice::Table)
                .col(pk_auto(Notice::Id))
                .col(string(Notice::PrimarySymbol).unique_key())
                .col(string(Notice::BaseSymbol))
                .col(string_len(Notice::Area, 3))
                .col(string_len(Notice::Kind, 32))
                .col(string_len(Notice::Member, 8))
                .col(text_null(Notice::LocalGovernment))
                .col(text_null(Notice::Agency))
                .col(text(Notice::Articles))
                .col(date(Notice::DistributionDate))
                .col(date_null(Notice::CommentDeadline))
                .col(text_null(Notice::CommentDeadlineText))
                .col(boolean(Notice::CommentDeadlineDerived).default(false))
                .col(date_null(Notice::ProposedAdoptionDate))
                .col(text_null(Notice::ProposedAdoptionDateText))
                .col(date_null(Notice::ProposedEntryIntoForceDate))
                .col(text_null(Notice::ProposedEntryIntoForceDateText))
                .col(text_null(Notice::TitleZh))
                .col(text_null(Notice::TitleEn))
                .col(text_null(Notice::TitleOriginal))
                .col(string_len_null(Notice::OriginalLanguage, 16))
                .col(text_null(Notice::DescriptionZh))
                .col(text_null(Notice::DescriptionEn))
                .col(text_null(Notice::ProductsText))
                .col(text(Notice::Symbols))
                .col(text(Notice::HsCodes))
                .col(text(Notice::IcsCodes))
                .col(text(Notice::Objectives))
                .col(text(Notice::Keywords))
                .col(text(Notice::Documents))
                .col(text(Notice::AddendumReasons))
                .col(text(Notice::RegionsAffected))
                .col(string_len(Notice::Source, 32))
                .col(timestamp_with_time_zone(Notice::CreatedAt))
                .col(timestamp_with_time_zone(Notice::UpdatedAt))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_notice_distribution", vec![Notice::DistributionDate, Notice::Id]),
            ("idx_notice_base", vec![Notice::BaseSymbol]),
            ("idx_notice_member", vec![Notice::Member]),
            ("idx_notice_deadline", vec![Notice::CommentDeadline]),
            ("idx_notice_updated", vec![Notice::UpdatedAt]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Notice::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(NoticeSymbol::Table)
                .col(string(NoticeSymbol::Symbol).primary_key())
                .col(integer(NoticeSymbol::NoticeId))
                .col(string(NoticeSymbol::BaseSymbol))
                .col(string_len(NoticeSymbol::Member, 8))
                .col(integer(NoticeSymbol::Position))
                .foreign_key(
                    ForeignKey::create()
                        .from(NoticeSymbol::Table, NoticeSymbol::NoticeId)
                        .to(Notice::Table, Notice::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_symbol_base")
                .table(NoticeSymbol::Table)
                .col(NoticeSymbol::BaseSymbol)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_symbol_notice")
                .table(NoticeSymbol::Table)
                .col(NoticeSymbol::NoticeId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_symbol_member")
                .table(NoticeSymbol::Table)
                .col(NoticeSymbol::Member)
                .col(NoticeSymbol::NoticeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(NoticeHs::Table)
                .col(integer(NoticeHs::NoticeId))
                .col(string_len(NoticeHs::Code, 12))
                .primary_key(Index::create().col(NoticeHs::NoticeId).col(NoticeHs::Code))
                .foreign_key(
                    ForeignKey::create()
                        .from(NoticeHs::Table, NoticeHs::NoticeId)
                        .to(Notice::Table, Notice::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_hs_code")
                .table(NoticeHs::Table)
                .col(NoticeHs::Code)
                .col(NoticeHs::NoticeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(NoticeIcs::Table)
                .col(integer(NoticeIcs::NoticeId))
                .col(string_len(NoticeIcs::Code, 16))
                .primary_key(Index::create().col(NoticeIcs::NoticeId).col(NoticeIcs::Code))
                .foreign_key(
                    ForeignKey::create()
                        .from(NoticeIcs::Table, NoticeIcs::NoticeId)
                        .to(Notice::Table, Notice::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_ics_code")
                .table(NoticeIcs::Table)
                .col(NoticeIcs::Code)
                .col(NoticeIcs::NoticeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(NoticeObjective::Table)
                .col(integer(NoticeObjective::NoticeId))
                .col(string_len(NoticeObjective::Objective, 48))
                .primary_key(
                    Index::create()
                        .col(NoticeObjective::NoticeId)
                        .col(NoticeObjective::Objective),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(NoticeObjective::Table, NoticeObjective::NoticeId)
                        .to(Notice::Table, Notice::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_objective")
                .table(NoticeObjective::Table)
                .col(NoticeObjective::Objective)
                .col(NoticeObjective::NoticeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SearchOutbox::Table)
                .col(pk_auto(SearchOutbox::Id))
                .col(string_len(SearchOutbox::Entity, 32))
                .col(integer(SearchOutbox::EntityId))
                .col(timestamp_with_time_zone(SearchOutbox::CreatedAt))
                .col(integer(SearchOutbox::Attempts).default(0))
                .col(text_null(SearchOutbox::LastError))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
