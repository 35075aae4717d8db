//! sea-orm entities of recalls and the companies they name. Internal to the store.

pub mod recall {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "recall")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub natural_key: String,
        pub kind: String,
        pub source: String,
        pub reference: String,
        pub country: String,
        pub country_raw: Option<String>,
        pub authority: Option<String>,
        pub notified_on: Date,
        pub category: Option<String>,
        pub product: Option<String>,
        pub name: Option<String>,
        pub brand: Option<String>,
        pub model: Option<String>,
        pub batch: Option<String>,
        /// JSON list.
        pub barcodes: String,
        /// `|950300|392690|`: every code between bars, so that `|9503` finds a prefix.
        pub hs_codes: String,
        /// `|CHEMICAL|INJURIES|`.
        pub risk_types: String,
        pub risk_raw: Option<String>,
        pub risk_description: Option<String>,
        pub measures: Option<String>,
        pub origin: Option<String>,
        pub origin_raw: Option<String>,
        pub port: Option<String>,
        pub reason: Option<String>,
        pub units: Option<String>,
        pub description: Option<String>,
        /// JSON list.
        pub links: String,
        /// `|DEU|EU|`: the notifying country and the union it belongs to, what a watch's markets match.
        pub markets: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod recall_company {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "recall_company")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub recall_id: i32,
        pub position: i32,
        pub role: String,
        pub name: Option<String>,
        pub credit_code: Option<String>,
        /// The enterprise the company certainly is (by credit code or its exact Chinese name).
        pub enterprise_id: Option<i32>,
        /// How `enterprise_id` or the candidates were found.
        pub basis: Option<String>,
        /// `|12|40|`: enterprises the company may be, never confirmed.
        pub candidates: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod recall_change {
    use sea_orm::entity::prelude::*;

    /// A recall written and not yet matched against the watches (`follow::recalls`).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "recall_change")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub recall_id: i32,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
