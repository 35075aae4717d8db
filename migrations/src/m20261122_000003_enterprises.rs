//! Enterprises, their listings (credit entries, brands, titles), demonstration zones with members, policies.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
    CreditCode,
    CreditCodeValid,
    KnownByReference,
    Name,
    FormerNames,
    RegistrationNumber,
    RegionCode,
    Industry,
    Address,
    MainProducts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Listing {
    Table,
    Id,
    Kind,
    Scheme,
    EnterpriseId,
    RegionCode,
    Name,
    Level,
    Authority,
    Batch,
    DocumentNumber,
    Reason,
    StartedOn,
    ValidUntil,
    EndedOn,
    EndReason,
    EndAuthority,
    Details,
    NaturalKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
    Code,
    Name,
    Kind,
    Level,
    RegionCode,
    Industry,
    ApprovingAuthority,
    AnnouncementNumber,
    Batch,
    History,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ZoneMembership {
    Table,
    Id,
    ZoneId,
    EnterpriseId,
    Role,
    AdmittedOn,
    ExitedOn,
    ExitReason,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Policy {
    Table,
    Id,
    DocumentNumber,
    Issuer,
    Title,
    IssuedOn,
    EffectiveOn,
    Replaces,
    Body,
    Fingerprint,
    SourceFiles,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Enterprise::Table)
                .col(pk_auto(Enterprise::Id))
                .col(string_len(Enterprise::CreditCode, 18).unique_key())
                .col(boolean(Enterprise::CreditCodeValid))
                .col(boolean(Enterprise::KnownByReference))
                .col(string_null(Enterprise::Name))
                .col(text(Enterprise::FormerNames))
                .col(string_len_null(Enterprise::RegistrationNumber, 32))
                .col(string_len_null(Enterprise::RegionCode, 12))
                .col(string_null(Enterprise::Industry))
                .col(text_null(Enterprise::Address))
                .col(text(Enterprise::MainProducts))
                .col(timestamp_with_time_zone(Enterprise::CreatedAt))
                .col(timestamp_with_time_zone(Enterprise::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enterprise_name")
                .table(Enterprise::Table)
                .col(Enterprise::Name)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enterprise_region")
                .table(Enterprise::Table)
                .col(Enterprise::RegionCode)
                .col(Enterprise::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Listing::Table)
                .col(pk_auto(Listing::Id))
                .col(string_len(Listing::Kind, 16))
                .col(string_len(Listing::Scheme, 48))
                .col(integer_null(Listing::EnterpriseId))
                .col(string_len_null(Listing::RegionCode, 12))
                .col(string_null(Listing::Name))
                .col(string_len_null(Listing::Level, 16))
                .col(string_null(Listing::Authority))
                .col(string_null(Listing::Batch))
                .col(string_null(Listing::DocumentNumber))
                .col(text_null(Listing::Reason))
                .col(date_null(Listing::StartedOn))
                .col(date_null(Listing::ValidUntil))
                .col(date_null(Listing::EndedOn))
                .col(text_null(Listing::EndReason))
                .col(string_null(Listing::EndAuthority))
                .col(text(Listing::Details))
                .col(string(Listing::NaturalKey).unique_key())
                .col(timestamp_with_time_zone(Listing::CreatedAt))
                .col(timestamp_with_time_zone(Listing::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Listing::Table, Listing::EnterpriseId)
                        .to(Enterprise::Table, Enterprise::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_listing_enterprise", vec![Listing::EnterpriseId, Listing::Kind]),
            (
                "idx_listing_kind_start",
                vec![Listing::Kind, Listing::StartedOn, Listing::Id],
            ),
            ("idx_listing_scheme", vec![Listing::Scheme]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Listing::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(Zone::Table)
                .col(pk_auto(Zone::Id))
                .col(string(Zone::Code).unique_key())
                .col(string(Zone::Name))
                .col(string_len(Zone::Kind, 24))
                .col(string_len(Zone::Level, 16))
                .col(string_len_null(Zone::RegionCode, 12))
                .col(string_null(Zone::Industry))
                .col(string_null(Zone::ApprovingAuthority))
                .col(string_null(Zone::AnnouncementNumber))
                .col(string_null(Zone::Batch))
                .col(text(Zone::History))
                .col(timestamp_with_time_zone(Zone::CreatedAt))
                .col(timestamp_with_time_zone(Zone::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ZoneMembership::Table)
                .col(pk_auto(ZoneMembership::Id))
                .col(integer(ZoneMembership::ZoneId))
                .col(integer(ZoneMembership::EnterpriseId))
                .col(string_len(ZoneMembership::Role, 16))
                .col(date_null(ZoneMembership::AdmittedOn))
                .col(date_null(ZoneMembership::ExitedOn))
                .col(text_null(ZoneMembership::ExitReason))
                .col(timestamp_with_time_zone(ZoneMembership::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ZoneMembership::Table, ZoneMembership::ZoneId)
                        .to(Zone::Table, Zone::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ZoneMembership::Table, ZoneMembership::EnterpriseId)
                        .to(Enterprise::Table, Enterprise::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_zone_member_unique")
                .table(ZoneMembership::Table)
                .col(ZoneMembership::ZoneId)
                .col(ZoneMembership::EnterpriseId)
                .col(ZoneMembership::AdmittedOn)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_zone_member_enterprise")
                .table(ZoneMembership::Table)
                .col(ZoneMembership::EnterpriseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Policy::Table)
                .col(pk_auto(Policy::Id))
                .col(string_null(Policy::DocumentNumber).unique_key())
                .col(string_null(Policy::Issuer))
                .col(text(Policy::Title))
                .col(date_null(Policy::IssuedOn))
                .col(date_null(Policy::EffectiveOn))
                .col(text(Policy::Replaces))
                .col(text(Policy::Body))
                .col(string_len(Policy::Fingerprint, 64).unique_key())
                .col(text(Policy::SourceFiles))
                .col(timestamp_with_time_zone(Policy::CreatedAt))
                .col(timestamp_with_time_zone(Policy::UpdatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
