//! sea-orm entity of listings: credit entries, brands and titles in one table, told apart by `kind`. Internal to
//! the store.

pub mod listing {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "listing")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub kind: String,
        pub scheme: String,
        pub enterprise_id: Option<i32>,
        pub region_code: Option<String>,
        pub name: Option<String>,
        pub level: Option<String>,
        pub authority: Option<String>,
        pub batch: Option<String>,
        pub document_number: Option<String>,
        pub reason: Option<String>,
        pub started_on: Option<Date>,
        pub valid_until: Option<Date>,
        pub ended_on: Option<Date>,
        pub end_reason: Option<String>,
        pub end_authority: Option<String>,
        pub details: String,
        #[sea_orm(unique)]
        pub natural_key: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
