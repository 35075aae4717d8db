//! sea-orm entity of policy documents. Internal to the store.

pub mod policy {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "policy")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub document_number: Option<String>,
        pub issuer: Option<String>,
        pub title: String,
        pub issued_on: Option<Date>,
        pub effective_on: Option<Date>,
        pub replaces: String,
        pub body: String,
        #[sea_orm(unique)]
        pub fingerprint: String,
        pub source_files: String,
        /// Reward clauses as JSON (`super::super::rewards`).
        pub rewards: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
