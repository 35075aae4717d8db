//! sea-orm entities of the follow tables (migration `m20261204_000001_follow`).

pub mod watch_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "watch_key")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub watch_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod notice_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice_change")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub notice_id: i32,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod watch_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "watch_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub watch_id: i32,
        pub notice_id: i32,
        /// `NEW_NOTICE`, `FOLLOW_UP` or `REMINDER`.
        pub kind: String,
        /// Unique per watch: `notice:<id>` or `reminder:<base>:<deadline>:<days>`.
        pub dedup: String,
        /// The event as JSON (`super::super::events::EventDetail`).
        pub detail: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod delivery {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub watch_id: i32,
        /// The event sent (webhook, immediate e-mail); none for a digest or a confirmation mail.
        pub event_id: Option<i32>,
        /// `webhook`, `email`, `digest` or `confirm`.
        pub channel: String,
        /// A digest's day (`2026-11-29`, Asia/Shanghai); unique per watch and channel.
        pub period: Option<String>,
        /// `pending`, `sent` or `failed`.
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub first_attempt_at: Option<DateTimeUtc>,
        /// A process that took the delivery holds it until then.
        pub lease_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
