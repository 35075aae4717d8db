//! sea-orm entities of the operate tables (migration m20261206_000001_operate). Internal to `operate`.

pub mod api_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_key")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        /// The first characters of the key (`zk_AbCd1234`), shown in lists so a person can tell keys apart.
        pub prefix: String,
        /// Lowercase hex SHA-256 of the key; the key itself is never stored.
        pub key_hash: String,
        pub role: String,
        /// JSON array of catalogue names (`["ZONES","LISTINGS"]`).
        pub catalogues: String,
        pub region_prefix: Option<String>,
        pub created_at: DateTimeUtc,
        pub created_by: String,
        pub expires_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
        pub last_used_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit_log {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub at: DateTimeUtc,
        pub actor: String,
        pub key_id: Option<i32>,
        pub source: String,
        pub action: String,
        pub record_type: String,
        pub record_id: Option<i32>,
        pub record_key: Option<String>,
        pub version: i32,
        pub before: Option<String>,
        pub after: Option<String>,
        pub request_id: Option<String>,
        pub job_id: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod idempotency {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub key_id: i32,
        pub idem_key: String,
        pub request_hash: String,
        pub response: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod import_job {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "import_job")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub key_id: Option<i32>,
        pub actor: String,
        pub file_name: String,
        /// Bytes of the file as uploaded (its content is emptied when the job ends).
        pub size: i64,
        pub content: Vec<u8>,
        /// `QUEUED`, `RUNNING`, `DONE` or `FAILED`.
        pub status: String,
        pub rows_done: i64,
        pub added: i64,
        pub updated: i64,
        pub unchanged: i64,
        pub rejected: i64,
        pub error: Option<String>,
        pub request_id: Option<String>,
        pub created_at: DateTimeUtc,
        pub started_at: Option<DateTimeUtc>,
        pub finished_at: Option<DateTimeUtc>,
        /// A running job whose lease passed belongs to a process that died: another takes it up.
        pub lease_until: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod import_job_rejection {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "import_job_rejection")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub job_id: i32,
        pub line: i64,
        pub reason: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tombstone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tombstone")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub record_type: String,
        pub record_id: i32,
        pub record_key: Option<String>,
        pub deleted_at: DateTimeUtc,
        pub audit_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
