//! Follow (issue 11): what a watch hears and how it is told.
//!
//! - `watch_key`: the keys under which a watch is found for a notice (an HS, member or ICS prefix, or `*`), so
//!   matching looks only at watches that can match;
//! - `notice_change`: one row per notice write, in the write's transaction (the matching outbox);
//! - `watch_event`: what a watch heard (a new match, a follow-up, a deadline reminder), one row per
//!   (watch, dedup key), so no event is made twice;
//! - `delivery`: one row per event and channel (webhook, e-mail) or per digest period, sent and retried by the
//!   follow worker;
//! - the watch's delivery settings: reminder days, webhook, e-mail and its confirmation, and the key that signs
//!   the links of its e-mail (confirm, unsubscribe).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Watch {
    Table,
    ReminderDays,
    WebhookUrl,
    WebhookSecret,
    WebhookFailedAt,
    WebhookLastError,
    Email,
    EmailMode,
    DigestHour,
    EmailConfirmedAt,
    LinkKey,
}

#[derive(DeriveIden)]
enum WatchKey {
    Table,
    WatchId,
    Key,
}

#[derive(DeriveIden)]
enum NoticeChange {
    Table,
    Id,
    NoticeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WatchEvent {
    Table,
    Id,
    WatchId,
    NoticeId,
    Kind,
    Dedup,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    Id,
    WatchId,
    EventId,
    Channel,
    Period,
    Status,
    Attempts,
    NextAttemptAt,
    FirstAttemptAt,
    LeaseUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            ColumnDef::new(Watch::ReminderDays)
                .string()
                .not_null()
                .default("[7,2]")
                .to_owned(),
            ColumnDef::new(Watch::WebhookUrl).text().null().to_owned(),
            ColumnDef::new(Watch::WebhookSecret).string().null().to_owned(),
            ColumnDef::new(Watch::WebhookFailedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Watch::WebhookLastError).text().null().to_owned(),
            ColumnDef::new(Watch::Email).string().null().to_owned(),
            ColumnDef::new(Watch::EmailMode)
                .string_len(16)
                .not_null()
                .default("immediate")
                .to_owned(),
            ColumnDef::new(Watch::DigestHour)
                .integer()
                .not_null()
                .default(8)
                .to_owned(),
            ColumnDef::new(Watch::EmailConfirmedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Watch::LinkKey).string_len(64).null().to_owned(),
        ];
        for mut c in columns {
            m.alter_table(Table::alter().table(Watch::Table).add_column(&mut c).to_owned())
                .await?;
        }
        m.create_table(
            Table::create()
                .table(WatchKey::Table)
                .col(integer(WatchKey::WatchId))
                .col(string_len(WatchKey::Key, 48))
                .primary_key(Index::create().col(WatchKey::Key).col(WatchKey::WatchId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_watch_key_watch")
                .table(WatchKey::Table)
                .col(WatchKey::WatchId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NoticeChange::Table)
                .col(pk_auto(NoticeChange::Id))
                .col(integer(NoticeChange::NoticeId))
                .col(timestamp_with_time_zone(NoticeChange::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WatchEvent::Table)
                .col(pk_auto(WatchEvent::Id))
                .col(integer(WatchEvent::WatchId))
                .col(integer(WatchEvent::NoticeId))
                .col(string_len(WatchEvent::Kind, 16))
                .col(string_len(WatchEvent::Dedup, 64))
                .col(text(WatchEvent::Detail))
                .col(timestamp_with_time_zone(WatchEvent::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_watch_event_dedup")
                .table(WatchEvent::Table)
                .col(WatchEvent::WatchId)
                .col(WatchEvent::Dedup)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_watch_event_notice")
                .table(WatchEvent::Table)
                .col(WatchEvent::NoticeId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Delivery::Table)
                .col(pk_auto(Delivery::Id))
                .col(integer(Delivery::WatchId))
                .col(integer_null(Delivery::EventId))
                .col(string_len(Delivery::Channel, 16))
                .col(string_len_null(Delivery::Period, 32))
                .col(string_len(Delivery::Status, 8))
                .col(integer(Delivery::Attempts))
                .col(timestamp_with_time_zone(Delivery::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Delivery::FirstAttemptAt))
                .col(timestamp_with_time_zone_null(Delivery::LeaseUntil))
                .col(text_null(Delivery::LastError))
                .col(timestamp_with_time_zone(Delivery::CreatedAt))
                .col(timestamp_with_time_zone_null(Delivery::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_delivery_due")
                .table(Delivery::Table)
                .col(Delivery::Status)
                .col(Delivery::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_delivery_watch")
                .table(Delivery::Table)
                .col(Delivery::WatchId)
                .col(Delivery::Channel)
                .col(Delivery::Id)
                .to_owned(),
        )
        .await?;
        // A digest period is claimed once per watch: a restarted server cannot send it twice.
        m.create_index(
            Index::create()
                .name("idx_delivery_period")
                .table(Delivery::Table)
                .col(Delivery::WatchId)
                .col(Delivery::Channel)
                .col(Delivery::Period)
                .unique()
                .to_owned(),
        )
        .await
    }
}
