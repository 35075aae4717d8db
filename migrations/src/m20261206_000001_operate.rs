//! Operate (issue 13): API keys (stored as hashes), the append-only audit trail (every write, in the write's own
//! transaction; triggers refuse UPDATE and DELETE on both backends), idempotency keys of mutations, import jobs
//! of uploaded files with their rejected rows (the file is kept until its job ends), and tombstones of deleted
//! records.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    Name,
    Prefix,
    KeyHash,
    Role,
    Catalogues,
    RegionPrefix,
    CreatedAt,
    CreatedBy,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    KeyId,
    Source,
    Action,
    RecordType,
    RecordId,
    RecordKey,
    Version,
    Before,
    After,
    RequestId,
    JobId,
}

#[derive(DeriveIden)]
enum Idempotency {
    Table,
    Id,
    KeyId,
    IdemKey,
    RequestHash,
    Response,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ImportJob {
    Table,
    Id,
    KeyId,
    Actor,
    FileName,
    Size,
    Content,
    Status,
    RowsDone,
    Added,
    Updated,
    Unchanged,
    Rejected,
    Error,
    RequestId,
    CreatedAt,
    StartedAt,
    FinishedAt,
    LeaseUntil,
}

#[derive(DeriveIden)]
enum ImportJobRejection {
    Table,
    Id,
    JobId,
    Line,
    Reason,
}

#[derive(DeriveIden)]
enum Tombstone {
    Table,
    Id,
    RecordType,
    RecordId,
    RecordKey,
    DeletedAt,
    AuditId,
}

fn ts(c: &mut ColumnDef) -> ColumnDef {
    c.timestamp_with_time_zone().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiKey::Table)
                .col(
                    ColumnDef::new(ApiKey::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(ApiKey::Name).string().not_null().unique_key())
                .col(ColumnDef::new(ApiKey::Prefix).string().not_null())
                .col(ColumnDef::new(ApiKey::KeyHash).string().not_null().unique_key())
                .col(ColumnDef::new(ApiKey::Role).string().not_null())
                .col(ColumnDef::new(ApiKey::Catalogues).text().not_null())
                .col(ColumnDef::new(ApiKey::RegionPrefix).string().null())
                .col(ts(ColumnDef::new(ApiKey::CreatedAt).not_null()))
                .col(ColumnDef::new(ApiKey::CreatedBy).string().not_null())
                .col(ts(ColumnDef::new(ApiKey::ExpiresAt).null()))
                .col(ts(ColumnDef::new(ApiKey::RevokedAt).null()))
                .col(ts(ColumnDef::new(ApiKey::LastUsedAt).null()))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(
                    ColumnDef::new(AuditLog::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ts(ColumnDef::new(AuditLog::At).not_null()))
                .col(ColumnDef::new(AuditLog::Actor).string().not_null())
                .col(ColumnDef::new(AuditLog::KeyId).integer().null())
                .col(ColumnDef::new(AuditLog::Source).string().not_null())
                .col(ColumnDef::new(AuditLog::Action).string().not_null())
                .col(ColumnDef::new(AuditLog::RecordType).string().not_null())
                .col(ColumnDef::new(AuditLog::RecordId).integer().null())
                .col(ColumnDef::new(AuditLog::RecordKey).text().null())
                .col(ColumnDef::new(AuditLog::Version).integer().not_null())
                .col(ColumnDef::new(AuditLog::Before).text().null())
                .col(ColumnDef::new(AuditLog::After).text().null())
                .col(ColumnDef::new(AuditLog::RequestId).string().null())
                .col(ColumnDef::new(AuditLog::JobId).integer().null())
                .to_owned(),
        )
        .await?;
        // One version per record: two writers that read the same version cannot both record the next one.
        m.create_index(
            Index::create()
                .name("idx_audit_record_version")
                .table(AuditLog::Table)
                .col(AuditLog::RecordType)
                .col(AuditLog::RecordId)
                .col(AuditLog::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_key")
                .table(AuditLog::Table)
                .col(AuditLog::KeyId)
                .col(AuditLog::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_at")
                .table(AuditLog::Table)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Idempotency::Table)
                .col(
                    ColumnDef::new(Idempotency::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Idempotency::KeyId).integer().not_null())
                .col(ColumnDef::new(Idempotency::IdemKey).string().not_null())
                .col(ColumnDef::new(Idempotency::RequestHash).string().not_null())
                .col(ColumnDef::new(Idempotency::Response).text().not_null())
                .col(ts(ColumnDef::new(Idempotency::CreatedAt).not_null()))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_created")
                .table(Idempotency::Table)
                .col(Idempotency::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_key")
                .table(Idempotency::Table)
                .col(Idempotency::KeyId)
                .col(Idempotency::IdemKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImportJob::Table)
                .col(
                    ColumnDef::new(ImportJob::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(ImportJob::KeyId).integer().null())
                .col(ColumnDef::new(ImportJob::Actor).string().not_null())
                .col(ColumnDef::new(ImportJob::FileName).string().not_null())
                .col(ColumnDef::new(ImportJob::Size).big_integer().not_null())
                .col(ColumnDef::new(ImportJob::Content).binary().not_null())
                .col(ColumnDef::new(ImportJob::Status).string().not_null())
                .col(ColumnDef::new(ImportJob::RowsDone).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportJob::Added).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportJob::Updated).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportJob::Unchanged).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportJob::Rejected).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportJob::Error).text().null())
                .col(ColumnDef::new(ImportJob::RequestId).string().null())
                .col(ts(ColumnDef::new(ImportJob::CreatedAt).not_null()))
                .col(ts(ColumnDef::new(ImportJob::StartedAt).null()))
                .col(ts(ColumnDef::new(ImportJob::FinishedAt).null()))
                .col(ts(ColumnDef::new(ImportJob::LeaseUntil).null()))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_import_job_status")
                .table(ImportJob::Table)
                .col(ImportJob::Status)
                .col(ImportJob::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImportJobRejection::Table)
                .col(
                    ColumnDef::new(ImportJobRejection::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(ImportJobRejection::JobId).integer().not_null())
                .col(ColumnDef::new(ImportJobRejection::Line).big_integer().not_null())
                .col(ColumnDef::new(ImportJobRejection::Reason).text().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_import_job_rejection")
                .table(ImportJobRejection::Table)
                .col(ImportJobRejection::JobId)
                .col(ImportJobRejection::Line)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Tombstone::Table)
                .col(
                    ColumnDef::new(Tombstone::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Tombstone::RecordType).string().not_null())
                .col(ColumnDef::new(Tombstone::RecordId).integer().not_null())
                .col(ColumnDef::new(Tombstone::RecordKey).text().null())
                .col(ts(ColumnDef::new(Tombstone::DeletedAt).not_null()))
                .col(ColumnDef::new(Tombstone::AuditId).integer().not_null())
                .to_owned(),
        )
        .await?;
        // The audit trail is append-only for everyone, the service included: the database refuses changes.
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
            }
        }
        Ok(())
    }
}
