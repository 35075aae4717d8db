//! sea-orm entity of declarations. Internal to the store.

pub mod declaration {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "declaration")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub enterprise_id: i32,
        /// Canonical form (`GB/T 19001-2016`, `Q/NHXH 001-2021`).
        pub standard_number: String,
        /// As the source wrote it.
        pub standard_number_raw: String,
        /// What `standard.number` holds for that edition: the link to the standards catalogue.
        pub standard_edition: String,
        pub standard_family: String,
        pub standard_name: Option<String>,
        /// JSON list of product or service names.
        pub products: String,
        /// The names joined by `、`: what the product filter matches.
        pub products_text: String,
        /// JSON list of declared indicators.
        pub indicators: String,
        pub declared_on: Date,
        pub status: String,
        pub status_label: Option<String>,
        pub withdrawn_on: Option<Date>,
        pub source_id: Option<String>,
        #[sea_orm(unique)]
        pub natural_key: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
