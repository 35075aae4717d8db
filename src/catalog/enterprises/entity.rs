//! sea-orm entities of enterprises, listings, zones and memberships. Internal to the store.

pub mod enterprise {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "enterprise")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub credit_code: String,
        pub credit_code_valid: bool,
        pub known_by_reference: bool,
        pub name: Option<String>,
        pub former_names: String,
        pub registration_number: Option<String>,
        pub region_code: Option<String>,
        pub industry: Option<String>,
        pub address: Option<String>,
        pub main_products: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

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
