//! Every write of a record, by mutation, upload or the command line, goes through here: the key's scope is
//! checked against the record as it was and as it becomes, a stale `version` is a conflict, and the change is
//! written to the append-only audit trail (before and after) in the same transaction.
//!
//! A create-or-update first looks its record up by natural key (`import::locate`) and reads it as it is, then
//! writes in a savepoint: a new record, or one the lookup found, is kept as written once checked; one the lookup
//! missed (a notice under another of its symbols, a policy matched by likeness) is rolled back, read as it was
//! (its scope, its version, the audit's "before"), and written again.

use chrono::{NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, JsonValue, QueryFilter,
    QueryOrder, Statement, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::entity::{audit_log, tombstone};
use super::keys::{Catalogue, Principal, Role};
use crate::error::{ApiError, Code};
use crate::import::Valid;

/// Every kind of record that can be written.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordType {
    Notice,
    Standard,
    Enterprise,
    ExportProduct,
    CreditEntry,
    Brand,
    Title,
    Zone,
    ZoneMembership,
    Policy,
    /// A division code (GB/T 2260); admins only.
    Division,
    /// A self-declared enterprise standard (企业标准自我声明).
    Declaration,
    /// A foreign recall, border rejection or returned export.
    Recall,
}

impl RecordType {
    /// The name in global IDs and in the audit trail (the GraphQL type's name).
    pub fn type_name(self) -> &'static str {
        match self {
            RecordType::Notice => "Notice",
            RecordType::Standard => "Standard",
            RecordType::Enterprise => "Enterprise",
            RecordType::ExportProduct => "ExportProduct",
            RecordType::CreditEntry => "CreditEntry",
            RecordType::Brand => "Brand",
            RecordType::Title => "Title",
            RecordType::Zone => "Zone",
            RecordType::ZoneMembership => "ZoneMembership",
            RecordType::Policy => "Policy",
            RecordType::Division => "Division",
            RecordType::Declaration => "Declaration",
            RecordType::Recall => "Recall",
        }
    }

    pub fn from_type_name(s: &str) -> Option<RecordType> {
        ALL_TYPES.iter().copied().find(|t| t.type_name() == s)
    }

    /// The catalogue an editor key needs; `None` for divisions (admins only).
    pub fn catalogue(self) -> Option<Catalogue> {
        Some(match self {
            RecordType::Notice => Catalogue::Notices,
            RecordType::Standard => Catalogue::Standards,
            RecordType::Enterprise => Catalogue::Enterprises,
            RecordType::ExportProduct => Catalogue::ExportProfiles,
            RecordType::CreditEntry | RecordType::Brand | RecordType::Title => Catalogue::Listings,
            RecordType::Zone | RecordType::ZoneMembership => Catalogue::Zones,
            RecordType::Policy => Catalogue::Policies,
            // Declarations are published on the enterprise standards platform: the standards catalogue's editors.
            RecordType::Declaration => Catalogue::Standards,
            RecordType::Recall => Catalogue::Recalls,
            RecordType::Division => return None,
        })
    }

    fn table(self) -> &'static str {
        match self {
            RecordType::Notice => "notice",
            RecordType::Standard => "standard",
            RecordType::Enterprise => "enterprise",
            RecordType::ExportProduct => "export_product",
            RecordType::CreditEntry | RecordType::Brand | RecordType::Title => "listing",
            RecordType::Zone => "zone",
            RecordType::ZoneMembership => "zone_membership",
            RecordType::Policy => "policy",
            RecordType::Division => "division",
            RecordType::Declaration => "declaration",
            RecordType::Recall => "recall",
        }
    }

    /// The row of `id` with its key (what a person calls the record) and regions (the division codes that scope
    /// it: `zl_region`, and `zl_region2` where a second must hold too), in one query. The region of an enterprise
    /// is its own region code, else the one in its credit code (positions 3-8); a listing's is its own, else its
    /// enterprise's, and a listing of an enterprise is in that enterprise's region as well (a region code of its
    /// own cannot bring another county's enterprise in); a member's is its zone's.
    fn stored_sql(self, id: i32) -> String {
        self.stored_sql_where(&format!("t.id = {id}"))
    }

    /// `stored_sql` for the rows that meet `condition` (on `t`).
    fn stored_sql_where(self, condition: &str) -> String {
        let ent = "COALESCE(e.region_code, substr(e.credit_code, 3, 6))";
        let (from, key, region, region2) = match self {
            RecordType::Notice => (
                "notice t".to_string(),
                "t.primary_symbol".to_string(),
                "NULL".to_string(),
                "NULL",
            ),
            RecordType::Standard => ("standard t".into(), "t.number".into(), "t.region_code".into(), "NULL"),
            RecordType::Enterprise => (
                "enterprise t".into(),
                "t.credit_code".into(),
                "COALESCE(t.region_code, substr(t.credit_code, 3, 6))".into(),
                "NULL",
            ),
            RecordType::ExportProduct => (
                "export_product t JOIN enterprise e ON e.id = t.enterprise_id".into(),
                "e.credit_code || ' ' || t.product".into(),
                ent.into(),
                "NULL",
            ),
            RecordType::CreditEntry | RecordType::Brand | RecordType::Title => (
                "listing t LEFT JOIN enterprise e ON e.id = t.enterprise_id".into(),
                "t.natural_key".into(),
                format!("COALESCE(t.region_code, {ent})"),
                ent,
            ),
            RecordType::Zone => ("zone t".into(), "t.code".into(), "t.region_code".into(), "NULL"),
            RecordType::ZoneMembership => (
                "zone_membership t JOIN zone z ON z.id = t.zone_id JOIN enterprise e ON e.id = t.enterprise_id".into(),
                "z.code || ' ' || e.credit_code".into(),
                "z.region_code".into(),
                "NULL",
            ),
            RecordType::Policy => (
                "policy t".into(),
                "COALESCE(t.document_number, t.title)".into(),
                "NULL".into(),
                "NULL",
            ),
            RecordType::Division => ("division t".into(), "t.code".into(), "NULL".into(), "NULL"),
            RecordType::Declaration => (
                "declaration t JOIN enterprise e ON e.id = t.enterprise_id".into(),
                "t.natural_key".into(),
                ent.into(),
                "NULL",
            ),
            RecordType::Recall => ("recall t".into(), "t.natural_key".into(), "NULL".into(), "NULL"),
        };
        format!(
            "SELECT t.*, {key} AS zl_key, {region} AS zl_region, {region2} AS zl_region2 FROM {from} WHERE {condition}"
        )
    }

    /// The search outbox kinds a change of this record queues (its own index; none for export products and
    /// divisions, which have none).
    fn outbox_kind(self) -> Option<&'static str> {
        use crate::catalog::*;
        match self {
            RecordType::Notice => Some(notices::store::OUTBOX),
            RecordType::Standard => Some(standards::store::OUTBOX),
            RecordType::Enterprise => Some(enterprises::store::OUTBOX_ENTERPRISE),
            RecordType::CreditEntry | RecordType::Brand | RecordType::Title => Some(listings::store::OUTBOX_LISTING),
            RecordType::Zone => Some(zones::store::OUTBOX_ZONE),
            RecordType::Policy => Some(policies::store::OUTBOX),
            RecordType::Declaration => Some(declarations::store::OUTBOX),
            RecordType::Recall => Some(recalls::store::OUTBOX),
            RecordType::ExportProduct | RecordType::ZoneMembership | RecordType::Division => None,
        }
    }
}

pub const ALL_TYPES: [RecordType; 13] = [
    RecordType::Notice,
    RecordType::Standard,
    RecordType::Enterprise,
    RecordType::ExportProduct,
    RecordType::CreditEntry,
    RecordType::Brand,
    RecordType::Title,
    RecordType::Zone,
    RecordType::ZoneMembership,
    RecordType::Policy,
    RecordType::Division,
    RecordType::Declaration,
    RecordType::Recall,
];

/// How a write reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cli,
    Mutation,
    Upload,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Cli => "CLI",
            Source::Mutation => "MUTATION",
            Source::Upload => "UPLOAD",
        }
    }
}

/// Who writes, and from where: what the audit trail records.
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub source: Source,
    pub request_id: Option<String>,
    pub job_id: Option<i32>,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            principal: Principal::cli(),
            source: Source::Cli,
            request_id: None,
            job_id: None,
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    Created,
    Updated,
    Ended,
    Deleted,
    /// Written again with what it already said: no new version and no audit entry.
    Unchanged,
    KeyCreated,
    KeyRevoked,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "CREATED",
            Action::Updated => "UPDATED",
            Action::Ended => "ENDED",
            Action::Deleted => "DELETED",
            Action::Unchanged => "UNCHANGED",
            Action::KeyCreated => "KEY_CREATED",
            Action::KeyRevoked => "KEY_REVOKED",
        }
    }
}

/// A write done and audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub record_type: RecordType,
    /// The row id; `None` for a division.
    pub id: Option<i32>,
    pub key: Option<String>,
    pub action: Action,
    pub version: i32,
    /// The audit entry; none when nothing changed.
    pub audit_id: Option<i32>,
}

/// Why a write was refused. Nothing of it was kept.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The record does not pass the import's validation, or the change makes no sense.
    #[error("{0}")]
    Invalid(String),
    /// Outside the key's role, catalogues or region.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// `expectedVersion` is not the record's version.
    #[error("version conflict: the record is at version {current}, not {expected}; read it again")]
    Conflict { current: i32, expected: i32 },
    #[error("{0}")]
    NotFound(String),
    /// Other records still point at it.
    #[error("{0}")]
    InUse(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> ApiError {
        match e {
            WriteError::Invalid(m) => ApiError::bad_input(m),
            e @ WriteError::Forbidden(_) => ApiError::user(Code::Forbidden, e.to_string()),
            e @ WriteError::Conflict { .. } => ApiError::user(Code::VersionConflict, e.to_string()),
            WriteError::NotFound(m) => ApiError::user(Code::RecordNotFound, m),
            WriteError::InUse(m) => ApiError::user(Code::RecordInUse, m),
            WriteError::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

/// Whether `p` may write a record of `ty` in `region` (`None`: the record has none).
pub fn check_scope(p: &Principal, ty: RecordType, region: Option<&str>) -> Result<(), WriteError> {
    match p.role {
        Role::Admin => return Ok(()),
        Role::Reader => return Err(WriteError::Forbidden("a READER key writes nothing".into())),
        Role::Editor => {}
    }
    let Some(cat) = ty.catalogue() else {
        return Err(WriteError::Forbidden(format!(
            "only an ADMIN key writes {} records",
            ty.type_name()
        )));
    };
    if !p.catalogues.contains(&cat) {
        let have: Vec<&str> = p.catalogues.iter().map(|c| c.as_str()).collect();
        return Err(WriteError::Forbidden(format!(
            "this key writes {}, not {} ({} records)",
            have.join(", "),
            cat.as_str(),
            ty.type_name()
        )));
    }
    if let Some(prefix) = &p.region_prefix {
        match region {
            None => {
                return Err(WriteError::Forbidden(format!(
                    "this key is held to region {prefix}, and this {} record has no region",
                    ty.type_name()
                )));
            }
            Some(r) if !r.starts_with(prefix.as_str()) => {
                return Err(WriteError::Forbidden(format!(
                    "this {} record is in region {r}, outside this key's region {prefix}",
                    ty.type_name()
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The regions a record is in: none, one, or (a listing of an enterprise) two that must both be in scope.
#[derive(Debug, Default)]
struct Regions(Vec<String>);

impl Regions {
    fn check(&self, p: &Principal, ty: RecordType) -> Result<(), WriteError> {
        if self.0.is_empty() {
            return check_scope(p, ty, None);
        }
        self.0.iter().try_for_each(|r| check_scope(p, ty, Some(r)))
    }
}

/// A stored record as the audit trail and the scope checks see it.
#[derive(Debug, Default)]
struct Stored {
    /// The row as JSON, column names as keys: the audit trail's before and after.
    row: String,
    key: Option<String>,
    regions: Regions,
}

/// The stored record of `id`, `None` when there is none (divisions have no id and are never read here).
async fn stored<C: ConnectionTrait>(db: &C, ty: RecordType, id: i32) -> Result<Option<Stored>, sea_orm::DbErr> {
    if ty == RecordType::Division {
        return Ok(None);
    }
    let stmt = Statement::from_string(db.get_database_backend(), ty.stored_sql(id));
    let Some(row) = db.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    let row = row_json(&row)?;
    let (row, key, regions) = split_stored(row);
    Ok(Some(Stored {
        row: row.to_string(),
        key,
        regions,
    }))
}

/// A row as JSON, column names as keys, exactly as sea-orm's `JsonValue` reads it (the audit trail's form), but
/// on PostgreSQL by each column's type at once: sea-orm tries a text column as JSON first, and the failed try
/// formats an error message every time (the import's store took 15% less without it, docs/benchmarks.md). A row with a column
/// of another type, and every row on SQLite, is read sea-orm's way.
pub fn row_json(res: &sea_orm::QueryResult) -> Result<JsonValue, sea_orm::DbErr> {
    use sea_orm::sqlx::{Column, Row, TypeInfo};
    let Some(row) = res.try_as_pg_row() else {
        return JsonValue::from_query_result(res, "");
    };
    fn get<'r, T>(row: &'r sea_orm::sqlx::postgres::PgRow, i: usize) -> Result<JsonValue, sea_orm::DbErr>
    where
        T: sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres>
            + sea_orm::sqlx::Type<sea_orm::sqlx::Postgres>
            + Serialize,
    {
        let v: Option<T> = row.try_get(i).map_err(|e| sea_orm::DbErr::Type(e.to_string()))?;
        serde_json::to_value(v).map_err(|e| sea_orm::DbErr::Type(e.to_string()))
    }
    let mut map = serde_json::Map::with_capacity(row.columns().len());
    for (i, column) in row.columns().iter().enumerate() {
        let v = match column.type_info().name() {
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => get::<String>(row, i)?,
            "INT2" => get::<i16>(row, i)?,
            "INT4" => get::<i32>(row, i)?,
            "INT8" => get::<i64>(row, i)?,
            "BOOL" => get::<bool>(row, i)?,
            "FLOAT4" => get::<f32>(row, i)?,
            "FLOAT8" => get::<f64>(row, i)?,
            "DATE" => get::<NaiveDate>(row, i)?,
            "TIMESTAMP" => get::<chrono::NaiveDateTime>(row, i)?,
            "TIMESTAMPTZ" => get::<chrono::DateTime<chrono::FixedOffset>>(row, i)?,
            "JSON" | "JSONB" => get::<JsonValue>(row, i)?,
            _ => return JsonValue::from_query_result(res, ""),
        };
        map.insert(column.name().to_string(), v);
    }
    Ok(JsonValue::Object(map))
}

/// A row read by `stored_sql`: the record's own columns, its key and its regions.
fn split_stored(mut row: JsonValue) -> (JsonValue, Option<String>, Regions) {
    let mut take = |name: &str| {
        row.as_object_mut()
            .and_then(|m| m.remove(name))
            .and_then(|v| v.as_str().map(str::to_string))
            .filter(|v| !v.is_empty())
    };
    let key = take("zl_key");
    let mut regions: Vec<String> = [take("zl_region"), take("zl_region2")].into_iter().flatten().collect();
    regions.dedup();
    (row, key, Regions(regions))
}

/// The stored rows of these records as the audit trail records them (column names as keys) with their keys, by
/// id, read a thousand at a time; ids not found are left out.
pub(crate) async fn stored_rows<C: ConnectionTrait>(
    db: &C,
    ty: RecordType,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, (JsonValue, Option<String>)>, sea_orm::DbErr> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    if ty == RecordType::Division {
        return Ok(out);
    }
    for chunk in ids.chunks(1_000) {
        let list: Vec<String> = chunk.iter().map(|id| id.to_string()).collect();
        let sql = ty.stored_sql_where(&format!("t.id IN ({})", list.join(", ")));
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
        for row in rows {
            let (row, key, _) = split_stored(row_json(&row)?);
            if let Some(id) = row
                .get("id")
                .and_then(JsonValue::as_i64)
                .and_then(|i| i32::try_from(i).ok())
            {
                out.insert(id, (row, key));
            }
        }
    }
    Ok(out)
}

/// The version of a record that exists: its last audited version, and 1 for a record stored before the audit
/// trail began (as it was first recorded). 0 is the version of no record, so `expectedVersion: 0` means "must not
/// exist yet".
async fn version_of_existing<C: ConnectionTrait>(db: &C, ty: RecordType, id: i32) -> Result<i32, sea_orm::DbErr> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::RecordType.eq(ty.type_name()))
        .filter(audit_log::Column::RecordId.eq(id))
        .order_by_desc(audit_log::Column::Version)
        .one(db)
        .await?
        .map_or(1, |a| a.version.max(1)))
}

/// The record's version, `None` when no record of this type has this id.
pub async fn current_version<C: ConnectionTrait>(
    db: &C,
    ty: RecordType,
    id: i32,
) -> Result<Option<i32>, sea_orm::DbErr> {
    if stored(db, ty, id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(version_of_existing(db, ty, id).await?))
}

/// Whether two stored rows say the same, their timestamps aside.
fn same_record(before: &Option<String>, after: &Option<String>) -> bool {
    let strip = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .map(|mut v| {
                if let Some(m) = v.as_object_mut() {
                    m.remove("updated_at");
                    m.remove("created_at");
                }
                v
            })
    };
    let (b, a) = (strip(before), strip(after));
    b.is_some() && b == a
}

/// Records a change of a record in the audit trail and says what was written.
#[allow(clippy::too_many_arguments)]
async fn recorded(
    txn: &DatabaseTransaction,
    actor: &Actor,
    ty: RecordType,
    id: Option<i32>,
    key: Option<String>,
    action: Action,
    version: i32,
    (before, after): (Option<String>, Option<String>),
) -> Result<Written, WriteError> {
    let audit_id = audit(
        txn,
        Entry {
            actor,
            action,
            record_type: ty.type_name(),
            record_id: id,
            record_key: key.clone(),
            version,
            before,
            after,
        },
    )
    .await?;
    Ok(Written {
        record_type: ty,
        id,
        key,
        action,
        version,
        audit_id: Some(audit_id),
    })
}

/// One row of the audit trail to write.
pub struct Entry<'a> {
    pub actor: &'a Actor,
    pub action: Action,
    pub record_type: &'a str,
    pub record_id: Option<i32>,
    pub record_key: Option<String>,
    pub version: i32,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Appends to the audit trail. A second writer of the same version (two updates that read the same record at
/// once) fails on the unique index: a conflict, not a lost update.
pub async fn audit<C: ConnectionTrait>(db: &C, e: Entry<'_>) -> Result<i32, WriteError> {
    let version = e.version;
    match audit_log::Entity::insert(e.row()).exec(db).await {
        Ok(r) => Ok(r.last_insert_id),
        Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            Err(WriteError::Conflict {
                current: version,
                expected: version - 1,
            })
        }
        Err(err) => Err(err.into()),
    }
}

impl Entry<'_> {
    /// The audit trail's row for this entry, stamped now.
    fn row(self) -> audit_log::ActiveModel {
        let e = self;
        audit_log::ActiveModel {
            id: NotSet,
            at: Set(Utc::now()),
            actor: Set(e.actor.principal.name.clone()),
            key_id: Set(e.actor.principal.key_id),
            source: Set(e.actor.source.as_str().into()),
            action: Set(e.action.as_str().into()),
            record_type: Set(e.record_type.into()),
            record_id: Set(e.record_id),
            record_key: Set(e.record_key),
            version: Set(e.version),
            before: Set(e.before),
            after: Set(e.after),
            request_id: Set(e.actor.request_id.clone()),
            job_id: Set(e.actor.job_id),
        }
    }
}

/// The audit row of a record just created by a writer that has checked `actor` may write it (an admin: no scope
/// to check) and found it new: the entry `put` writes for it (version 1, nothing before, the stored row after, as
/// `stored_rows` read it with its key), for the caller to append with others in `audit_many`.
pub(crate) fn created_row(
    actor: &Actor,
    ty: RecordType,
    id: i32,
    key: Option<String>,
    row: &JsonValue,
) -> audit_log::ActiveModel {
    Entry {
        actor,
        action: Action::Created,
        record_type: ty.type_name(),
        record_id: Some(id),
        record_key: key,
        version: 1,
        before: None,
        after: Some(row.to_string()),
    }
    .row()
}

/// Appends entries to the audit trail in multi-row inserts, in the order given. A version already written is a
/// conflict, as in `audit`.
pub(crate) async fn audit_many<C: ConnectionTrait>(
    db: &C,
    rows: Vec<audit_log::ActiveModel>,
) -> Result<(), WriteError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1_000).collect();
        match crate::db::bulk::insert(db, chunk, &[]).await {
            Ok(_) => {}
            Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
                return Err(WriteError::Invalid(
                    "another writer wrote a version of one of these records at the same time; try again".into(),
                ));
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

fn check_expected(expected: Option<i32>, current: i32) -> Result<(), WriteError> {
    match expected {
        Some(v) if v != current => Err(WriteError::Conflict { current, expected: v }),
        _ => Ok(()),
    }
}

/// Creates or updates a validated record as `actor`. `expected_version`: the version the writer read (0 for "must
/// not exist yet"); `None` skips the check. `source` names the format it came in (`jsonl`, `eping`, `api`, ...).
pub(crate) async fn put(
    txn: &DatabaseTransaction,
    actor: &Actor,
    v: &Valid,
    expected_version: Option<i32>,
    source: &str,
) -> Result<Written, WriteError> {
    let ty = v.record_type();
    let p = &actor.principal;
    // Role and catalogue first: a key that may not write this kind learns nothing about the record.
    if p.role != Role::Admin {
        check_scope(p, ty, p.region_prefix.as_deref().or(Some("")))?;
    }
    // The record as it is, when its natural key finds it: then an update is written once.
    let guess = crate::import::locate(txn, v).await?;
    let pre = match guess {
        Some(g) => stored(txn, ty, g).await?,
        None => None,
    };
    let sp = txn.begin().await?;
    let (id, added) = crate::import::store(&sp, v, source)
        .await
        .map_err(WriteError::Invalid)?;
    let Some(id) = id else {
        // A division: no row id, no version; admins only (checked above).
        crate::db::release(sp).await?;
        let key = match v {
            Valid::Division(d) => Some(d.code.clone()),
            _ => None,
        };
        let action = if added { Action::Created } else { Action::Updated };
        return recorded(txn, actor, ty, None, key, action, 0, (None, None)).await;
    };
    let missing = || WriteError::Invalid("the record was not found after it was written; try again".into());
    let (before, current, after) = if added {
        let after = stored(&sp, ty, id).await?.ok_or_else(missing)?;
        if let Err(e) = after
            .regions
            .check(p, ty)
            .and_then(|_| check_expected(expected_version, 0))
        {
            sp.rollback().await?;
            return Err(e);
        }
        crate::db::release(sp).await?;
        (None, 0, after)
    } else if let Some(pre) = pre.filter(|_| guess == Some(id)) {
        // The guess was right: `pre` is the record as it was, and the write in the savepoint is the one kept.
        let checked = async {
            pre.regions.check(p, ty)?;
            let current = version_of_existing(&sp, ty, id).await?;
            check_expected(expected_version, current)?;
            let after = stored(&sp, ty, id).await?.ok_or_else(missing)?;
            after.regions.check(p, ty)?;
            Ok::<_, WriteError>((current, after))
        };
        match checked.await {
            Ok((current, after)) => {
                crate::db::release(sp).await?;
                (Some(pre.row), current, after)
            }
            Err(e) => {
                sp.rollback().await?;
                return Err(e);
            }
        }
    } else {
        sp.rollback().await?;
        let before = stored(txn, ty, id).await?.ok_or_else(missing)?;
        before.regions.check(p, ty)?;
        let current = version_of_existing(txn, ty, id).await?;
        check_expected(expected_version, current)?;
        let (again, _) = crate::import::store(txn, v, source)
            .await
            .map_err(WriteError::Invalid)?;
        if again != Some(id) {
            return Err(WriteError::Invalid(
                "the record changed while it was written; try again".into(),
            ));
        }
        let after = stored(txn, ty, id).await?.ok_or_else(missing)?;
        after.regions.check(p, ty)?;
        (Some(before.row), current, after)
    };
    let (key, after) = (after.key, Some(after.row));
    if !added && same_record(&before, &after) {
        // Written again as it was (a re-import): no new version, nothing for the trail.
        return Ok(Written {
            record_type: ty,
            id: Some(id),
            key,
            action: Action::Unchanged,
            version: current,
            audit_id: None,
        });
    }
    let action = if added { Action::Created } else { Action::Updated };
    recorded(txn, actor, ty, Some(id), key, action, current + 1, (before, after)).await
}

/// How a record ends.
#[derive(Debug, Clone, Default)]
pub struct Ending {
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub authority: Option<String>,
}

/// Loads the record's scope and version and checks both: the common start of `end` and `delete`.
async fn existing(
    txn: &DatabaseTransaction,
    actor: &Actor,
    ty: RecordType,
    id: i32,
    expected_version: Option<i32>,
) -> Result<(Option<String>, i32, Option<String>), WriteError> {
    let p = &actor.principal;
    if p.role != Role::Admin {
        check_scope(p, ty, p.region_prefix.as_deref().or(Some("")))?;
    }
    let Some(before) = stored(txn, ty, id).await? else {
        return Err(WriteError::NotFound(format!(
            "no {} record has this id",
            ty.type_name()
        )));
    };
    if matches!(ty, RecordType::CreditEntry | RecordType::Brand | RecordType::Title) {
        let kind = serde_json::from_str::<serde_json::Value>(&before.row)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(String::from))
            .unwrap_or_default();
        let want = match ty {
            RecordType::CreditEntry => "CREDIT",
            RecordType::Brand => "BRAND",
            _ => "TITLE",
        };
        if kind != want {
            return Err(WriteError::NotFound(format!(
                "no {} record has this id",
                ty.type_name()
            )));
        }
    }
    before.regions.check(p, ty)?;
    let current = version_of_existing(txn, ty, id).await?;
    check_expected(expected_version, current)?;
    Ok((before.key, current, Some(before.row)))
}

/// Ends a record without deleting it: a credit entry is removed from its list, a brand or title revoked, a
/// member exits its zone, a zone is revoked, a standard withdrawn. The day defaults to today (Asia/Shanghai).
pub async fn end(
    txn: &DatabaseTransaction,
    actor: &Actor,
    ty: RecordType,
    id: i32,
    ending: &Ending,
    expected_version: Option<i32>,
) -> Result<Written, WriteError> {
    let (key, current, before) = existing(txn, actor, ty, id, expected_version).await?;
    let on = ending.on.unwrap_or_else(crate::graphql::scalars::today_in_china);
    let reason = ending.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let authority = ending.authority.as_deref().map(str::trim).filter(|s| !s.is_empty());
    use crate::catalog::{listings, standards, zones};
    let ended = match ty {
        RecordType::CreditEntry | RecordType::Brand | RecordType::Title => {
            listings::store::end_listing(txn, id, on, reason, authority).await
        }
        RecordType::ZoneMembership => zones::store::end_membership(txn, id, on, reason).await,
        RecordType::Zone => zones::store::revoke_zone(txn, id, on, reason).await,
        RecordType::Standard => standards::store::withdraw(txn, id, on).await,
        RecordType::Declaration => crate::catalog::declarations::store::withdraw(txn, id, on).await,
        other => {
            return Err(WriteError::Invalid(format!(
                "{} records do not end; correct them with putRecord (an admin may deleteRecord)",
                other.type_name()
            )));
        }
    };
    ended.map_err(|e| match e {
        crate::catalog::EndError::Invalid(m) => WriteError::Invalid(m),
        crate::catalog::EndError::Db(d) => WriteError::Db(d),
    })?;
    let after = stored(txn, ty, id).await?.map(|a| a.row);
    recorded(
        txn,
        actor,
        ty,
        Some(id),
        key,
        Action::Ended,
        current + 1,
        (before, after),
    )
    .await
}

/// Deletes a record (admins only): the row goes, a tombstone stays, and the search outbox removes its document.
pub async fn delete(
    txn: &DatabaseTransaction,
    actor: &Actor,
    ty: RecordType,
    id: i32,
    expected_version: Option<i32>,
) -> Result<Written, WriteError> {
    if !actor.principal.is_admin() {
        return Err(WriteError::Forbidden(
            "only an ADMIN key deletes; end the record instead (endRecord)".into(),
        ));
    }
    if ty == RecordType::Division {
        return Err(WriteError::Invalid("divisions are not deleted".into()));
    }
    let (key, current, before) = existing(txn, actor, ty, id, expected_version).await?;
    let backend = txn.get_database_backend();
    // Search documents that name the record are queued again after it is gone.
    let related = related_documents(txn, ty, id).await?;
    // A zone with members, or a notice whose comment deadline another notice's record depends on, stays.
    let dependents = match ty {
        RecordType::Zone => Some((
            "membership(s)",
            format!("SELECT COUNT(*) AS n FROM zone_membership WHERE zone_id = {id}"),
        )),
        RecordType::Notice => Some((
            "later notice(s) whose comment deadline it set, or watch events that told people of it",
            format!(
                "SELECT (SELECT COUNT(*) FROM notice WHERE deadline_set_by = {id} AND id <> {id}) \
                 + (SELECT COUNT(*) FROM watch_event WHERE notice_id = {id}) AS n"
            ),
        )),
        // Its export products would go with it unaudited (the foreign key cascades): they are deleted first.
        RecordType::Enterprise => Some((
            "export product(s)",
            format!("SELECT COUNT(*) AS n FROM export_product WHERE enterprise_id = {id}"),
        )),
        _ => None,
    };
    if let Some((what, sql)) = dependents {
        #[derive(FromQueryResult)]
        struct N {
            n: i64,
        }
        let n = N::find_by_statement(Statement::from_string(backend, sql))
            .one(txn)
            .await?
            .map_or(0, |x| x.n);
        if n > 0 {
            return Err(WriteError::InUse(format!(
                "the {} has {n} {what}; delete or correct them first",
                ty.type_name()
            )));
        }
    }
    let sp = txn.begin().await?;
    let r = sp
        .execute_unprepared(&format!("DELETE FROM {} WHERE id = {id}", ty.table()))
        .await;
    match r {
        Ok(_) => crate::db::release(sp).await?,
        Err(e) => {
            sp.rollback().await?;
            return Err(WriteError::InUse(format!(
                "other records still refer to this {}; delete or correct them first ({})",
                ty.type_name(),
                e.sql_err().map_or_else(|| "in use".to_string(), |s| format!("{s:?}"))
            )));
        }
    }
    if let Some(kind) = ty.outbox_kind() {
        crate::search::outbox::enqueue(txn, kind, id).await?;
    }
    for (kind, rid) in related {
        crate::search::outbox::enqueue(txn, kind, rid).await?;
    }
    let written = recorded(
        txn,
        actor,
        ty,
        Some(id),
        key.clone(),
        Action::Deleted,
        current + 1,
        (before, None),
    )
    .await?;
    tombstone::Entity::insert(tombstone::ActiveModel {
        id: NotSet,
        record_type: Set(ty.type_name().into()),
        record_id: Set(id),
        record_key: Set(key),
        deleted_at: Set(Utc::now()),
        audit_id: Set(written.audit_id.unwrap_or_default()),
    })
    .exec(txn)
    .await?;
    Ok(written)
}

/// The other search documents a deleted record appears in: a listing's or member's enterprise and zone.
async fn related_documents<C: ConnectionTrait>(
    db: &C,
    ty: RecordType,
    id: i32,
) -> Result<Vec<(&'static str, i32)>, sea_orm::DbErr> {
    use crate::catalog::{enterprises, zones};
    #[derive(FromQueryResult)]
    struct Ids {
        e: Option<i32>,
        z: Option<i32>,
    }
    let sql = match ty {
        RecordType::CreditEntry | RecordType::Brand | RecordType::Title => {
            format!("SELECT enterprise_id AS e, NULL AS z FROM listing WHERE id = {id}")
        }
        RecordType::ZoneMembership => {
            format!("SELECT enterprise_id AS e, zone_id AS z FROM zone_membership WHERE id = {id}")
        }
        _ => return Ok(vec![]),
    };
    let row = Ids::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await?;
    let mut out = Vec::new();
    if let Some(r) = row {
        if let Some(e) = r.e {
            out.push((enterprises::store::OUTBOX_ENTERPRISE, e));
        }
        if let Some(z) = r.z {
            out.push((zones::store::OUTBOX_ZONE, z));
        }
    }
    Ok(out)
}

/// Audits a key's creation or revocation (the secret never enters the trail).
pub async fn audit_key<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    key: &super::keys::ApiKey,
    action: Action,
) -> Result<(), WriteError> {
    let state = serde_json::json!({
        "name": key.name, "prefix": key.prefix, "role": key.role.as_str(),
        "catalogues": key.catalogues.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "regionPrefix": key.region_prefix, "expiresAt": key.expires_at, "revokedAt": key.revoked_at,
    })
    .to_string();
    let version = if action == Action::KeyCreated { 1 } else { 2 };
    audit(
        txn,
        Entry {
            actor,
            action,
            record_type: "ApiKey",
            record_id: Some(key.id),
            record_key: Some(key.name.clone()),
            version,
            before: None,
            after: Some(state),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(cats: Vec<Catalogue>, region: Option<&str>) -> Principal {
        Principal {
            key_id: Some(1),
            name: "宁海".into(),
            role: Role::Editor,
            catalogues: cats,
            region_prefix: region.map(String::from),
        }
    }

    #[test]
    fn scope_by_role_catalogue_and_region() {
        let ninghai = editor(vec![Catalogue::Zones, Catalogue::Listings], Some("330226"));
        assert!(check_scope(&ninghai, RecordType::Zone, Some("330226")).is_ok());
        assert!(check_scope(&ninghai, RecordType::Title, Some("33022601")).is_ok());
        assert!(check_scope(&ninghai, RecordType::Zone, Some("330225")).is_err());
        assert!(check_scope(&ninghai, RecordType::Zone, Some("33022")).is_err());
        assert!(check_scope(&ninghai, RecordType::Zone, None).is_err());
        assert!(check_scope(&ninghai, RecordType::Notice, None).is_err());
        assert!(check_scope(&ninghai, RecordType::Division, None).is_err());
        let customs = editor(vec![Catalogue::Notices], None);
        assert!(check_scope(&customs, RecordType::Notice, None).is_ok());
        assert!(check_scope(&customs, RecordType::Standard, None).is_err());
        let mut reader = customs.clone();
        reader.role = Role::Reader;
        assert!(check_scope(&reader, RecordType::Notice, None).is_err());
        let mut admin = customs;
        admin.role = Role::Admin;
        assert!(check_scope(&admin, RecordType::Division, None).is_ok());
    }

    #[test]
    fn type_names_round_trip() {
        for t in ALL_TYPES {
            assert_eq!(RecordType::from_type_name(t.type_name()), Some(t));
        }
    }
}
