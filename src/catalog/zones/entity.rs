//! sea-orm entities of zones and zone memberships. Internal to the store.

pub mod zone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "zone")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub kind: String,
        pub level: String,
        pub region_code: Option<String>,
        pub industry: Option<String>,
        pub approving_authority: Option<String>,
        pub announcement_number: Option<String>,
        pub batch: Option<String>,
        pub history: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod zone_membership {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "zone_membership")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub zone_id: i32,
        pub enterprise_id: i32,
        pub role: String,
        pub admitted_on: Option<Date>,
        pub exited_on: Option<Date>,
        pub exit_reason: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
