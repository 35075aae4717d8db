//! sea-orm entity of watches. Internal to the store.

pub mod watch {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "watch")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Lowercase hex SHA-256 of the token; the token itself is never stored.
        pub token_hash: String,
        pub name: String,
        /// The `NoticeFilter` as GraphQL input JSON.
        pub filter: String,
        pub query: Option<String>,
        pub enterprise_credit_code: Option<String>,
        pub paused: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Days before the comment deadline in force at which a reminder is sent, as a JSON array (`[7,2]`).
        pub reminder_days: String,
        pub webhook_url: Option<String>,
        /// The HMAC-SHA256 key of the webhook's signature (shown once, at creation or when the URL changes).
        pub webhook_secret: Option<String>,
        /// When the last webhook delivery was given up; cleared by the next success.
        pub webhook_failed_at: Option<DateTimeUtc>,
        pub webhook_last_error: Option<String>,
        pub email: Option<String>,
        /// `immediate` or `digest`.
        pub email_mode: String,
        /// The hour (0-23, Asia/Shanghai) of the daily digest.
        pub digest_hour: i32,
        pub email_confirmed_at: Option<DateTimeUtc>,
        /// The key (random, base64url) whose HMAC of the address makes the confirmation and unsubscribe links.
        pub link_key: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
