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
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
