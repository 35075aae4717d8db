//! sea-orm entities of export products, their HS codes and their markets. Internal to the store.

pub mod export_product {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "export_product")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub enterprise_id: i32,
        pub product: String,
        /// JSON list, in record order.
        pub hs_codes: String,
        /// JSON list of member codes, in record order.
        pub markets: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod export_product_hs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "export_product_hs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub product_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod export_product_market {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "export_product_market")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub product_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub member: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
