//! sea-orm entity of enterprises. Internal to the store.

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
