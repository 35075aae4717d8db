//! sea-orm entities of the standards tables. Internal to the store.

pub mod standard {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "standard")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub number: String,
        pub raw_number: String,
        pub family_key: String,
        pub edition: String,
        pub level: String,
        pub prefix: String,
        pub nature: Option<String>,
        pub industry_code: Option<String>,
        pub region_code: Option<String>,
        pub group_org: Option<String>,
        pub sequence: String,
        pub year: Option<i32>,
        pub title_zh: Option<String>,
        pub title_en: Option<String>,
        pub status_label: Option<String>,
        pub issue_date: Option<Date>,
        /// The issue date, or 1900-01-01 when unknown: a non-null key for paging.
        pub issue_sort: Date,
        pub implementation_date: Option<Date>,
        pub withdrawal_date: Option<Date>,
        pub replaced_on: Option<Date>,
        pub adoption_degree: Option<String>,
        pub adoption_number: Option<String>,
        pub ics_codes: String,
        pub ccs_code: Option<String>,
        pub committee: Option<String>,
        pub committee_name: Option<String>,
        pub department: Option<String>,
        pub drafting_organizations: String,
        pub drafters: String,
        pub amendments: String,
        pub replaces: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod standard_ics {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "standard_ics")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub standard_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod standard_replacement {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "standard_replacement")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub standard_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub replaced_number: String,
        pub replaced_family: String,
        pub scope: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod standard_drafter {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "standard_drafter")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub standard_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub position: i32,
        pub name: String,
        pub credit_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
