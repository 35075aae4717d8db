//! sea-orm entities of the notice tables. Internal to the store: GraphQL never sees them.

pub mod notice {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub primary_symbol: String,
        pub base_symbol: String,
        pub area: String,
        pub kind: String,
        pub member: String,
        pub local_government: Option<String>,
        pub agency: Option<String>,
        pub articles: String,
        pub distribution_date: Date,
        pub comment_deadline: Option<Date>,
        pub comment_deadline_text: Option<String>,
        pub comment_deadline_derived: bool,
        /// The deadline in force: `comment_deadline`, or the one a later addendum or corrigendum set.
        pub deadline_in_force: Option<Date>,
        /// The notice (an addendum or corrigendum) that set `deadline_in_force`; null when it is the own one.
        pub deadline_set_by: Option<i32>,
        pub proposed_adoption_date: Option<Date>,
        pub proposed_adoption_date_text: Option<String>,
        pub proposed_entry_into_force_date: Option<Date>,
        pub proposed_entry_into_force_date_text: Option<String>,
        pub title_zh: Option<String>,
        pub title_en: Option<String>,
        pub title_original: Option<String>,
        pub original_language: Option<String>,
        pub description_zh: Option<String>,
        pub description_en: Option<String>,
        pub products_text: Option<String>,
        pub symbols: String,
        pub hs_codes: String,
        pub ics_codes: String,
        pub objectives: String,
        pub keywords: String,
        pub documents: String,
        pub addendum_reasons: String,
        pub regions_affected: String,
        pub source: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod notice_symbol {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice_symbol")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub symbol: String,
        pub notice_id: i32,
        pub base_symbol: String,
        pub member: String,
        pub position: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod notice_hs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice_hs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub notice_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod notice_ics {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice_ics")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub notice_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod notice_objective {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice_objective")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub notice_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub objective: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
