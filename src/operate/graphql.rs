//! The GraphQL side of operate: keys (`createApiKey`, `revokeApiKey`, `apiKeys`, `viewerKey`), writes of any
//! record (`putRecord`, `endRecord`, `deleteRecord`) with versions and idempotency keys, the audit trail
//! (`auditTrail`), and import jobs (`importJob`, `importJobs`).

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::RequestId;
use super::audit;
use super::entity::idempotency;
use super::jobs::{self, Job, JobRejection, JobStatus};
use super::keys::{self, ApiKey, Catalogue, NewKey, Principal, Role};
use super::write::{self, Action, Actor, Ending, RecordType, Source, Written};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult, Code};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// The key of the request, if it sent one (the HTTP layer refused it already if it was not a working key).
pub fn principal<'a>(ctx: &'a Context<'_>) -> Option<&'a Principal> {
    ctx.data_opt::<Principal>()
}

fn require_key<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Principal> {
    principal(ctx).ok_or_else(|| {
        ApiError::user(
            Code::Unauthenticated,
            "this needs an API key: send `Authorization: Bearer <key>`",
        )
    })
}

fn require_admin<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Principal> {
    let p = require_key(ctx)?;
    if p.role != Role::Admin {
        return Err(ApiError::user(Code::Forbidden, "forbidden: this needs an ADMIN key"));
    }
    Ok(p)
}

fn actor(ctx: &Context<'_>, p: &Principal) -> Actor {
    Actor {
        principal: p.clone(),
        source: Source::Mutation,
        request_id: ctx.data_opt::<RequestId>().map(|r| r.0.clone()),
        job_id: None,
    }
}

/// A key as admins see it; its secret is never shown again.
pub struct ApiKeyObject(pub ApiKey);

#[Object(name = "ApiKey")]
impl ApiKeyObject {
    async fn id(&self) -> ID {
        ids::encode("ApiKey", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The first characters of the key (`zk_` and 8 more), to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn role(&self) -> Role {
        self.0.role
    }
    /// What an EDITOR key may write (empty for ADMIN, which writes everything, and READER).
    async fn catalogues(&self) -> &[Catalogue] {
        &self.0.catalogues
    }
    /// The start of the division codes an EDITOR key is held to (`330226` for 宁海县), if any.
    async fn region_prefix(&self) -> Option<&str> {
        self.0.region_prefix.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Who made it: the admin key's name, or `cli:<user>`.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Not revoked and not expired.
    async fn active(&self) -> bool {
        self.0.active(Utc::now())
    }
}

/// One change in the audit trail.
pub struct AuditEntryObject(pub audit::Entry);

#[Object(name = "AuditEntry")]
impl AuditEntryObject {
    async fn id(&self) -> ID {
        ids::encode("AuditEntry", self.0.id)
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The key's name, or `cli:<user>` for `zhiliang import` on the server.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The key's global ID (none for the command line).
    async fn key_id(&self) -> Option<ID> {
        self.0.key_id.map(|k| ids::encode("ApiKey", k))
    }
    /// `MUTATION`, `UPLOAD` or `CLI`.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// `CREATED`, `UPDATED`, `ENDED`, `DELETED`, `KEY_CREATED` or `KEY_REVOKED`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The type of the record (`Zone`, `Title`, `ZoneMembership`, `ApiKey`, ...).
    async fn record_type(&self) -> &str {
        &self.0.record_type
    }
    /// The record's global ID (none for a division).
    async fn record_id(&self) -> Option<ID> {
        self.0.record_id.map(|id| ids::encode(&self.0.record_type, id))
    }
    /// What people call the record: a symbol, standard number, credit code, zone code.
    async fn record_key(&self) -> Option<&str> {
        self.0.record_key.as_deref()
    }
    /// The record's version after this change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The stored row before the change (none for a creation).
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .before
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .map(Json)
    }
    /// The stored row after the change (none for a deletion).
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .after
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .map(Json)
    }
    /// The `X-Request-Id` of the HTTP request that made the change.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The import job, for changes made by an uploaded file.
    async fn job_id(&self) -> Option<ID> {
        self.0.job_id.map(|j| ids::encode("ImportJob", j))
    }
}

/// A page of the audit trail, newest first.
#[derive(SimpleObject)]
pub struct AuditConnection {
    pub nodes: Vec<AuditEntryObject>,
    pub page_info: crate::graphql::connection::PageInfo,
    /// Every entry that matches the filter (counted when selected).
    pub total_count: u64,
}

/// Which audit entries: every condition given must hold.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// A record's global ID.
    pub record: Option<ID>,
    /// A type name: `Zone`, `Title`, `ApiKey`, ...
    pub record_type: Option<String>,
    /// The record's key exactly as the trail shows it (`zj-ninghai-stationery`, a credit code, a symbol).
    pub record_key: Option<String>,
    /// A key's global ID.
    pub key: Option<ID>,
    /// A key's name, or `cli:<user>`.
    pub actor: Option<String>,
    pub actions: Option<Vec<Action>>,
    /// From this moment (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this moment.
    pub until: Option<DateTime<Utc>>,
    pub request_id: Option<String>,
    pub job: Option<ID>,
}

fn decode_as(id: &ID, want: &str) -> ApiResult<i32> {
    let (t, n) = ids::decode(id)?;
    if t != want {
        return Err(ApiError::user(
            Code::InvalidId,
            format!("{:?} is not the ID of a {want}", id.as_str()),
        ));
    }
    Ok(n)
}

impl AuditFilter {
    pub fn to_filter(&self) -> ApiResult<audit::Filter> {
        let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let (record_type, record_id) = match &self.record {
            Some(id) => {
                let (t, n) = ids::decode(id)?;
                (Some(t), Some(n))
            }
            None => (clean(&self.record_type), None),
        };
        Ok(audit::Filter {
            record_type,
            record_id,
            record_key: clean(&self.record_key),
            key_id: self.key.as_ref().map(|k| decode_as(k, "ApiKey")).transpose()?,
            actor: clean(&self.actor),
            actions: self.actions.iter().flatten().map(|a| a.as_str().to_string()).collect(),
            since: self.since,
            until: self.until,
            request_id: clean(&self.request_id),
            job_id: self.job.as_ref().map(|j| decode_as(j, "ImportJob")).transpose()?,
        })
    }
}

/// An import job of an uploaded file.
pub struct ImportJobObject(pub Job);

#[Object(name = "ImportJob")]
impl ImportJobObject {
    async fn id(&self) -> ID {
        ids::encode("ImportJob", self.0.id)
    }
    /// The name the file was sent with.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// Its size in bytes.
    async fn size(&self) -> i64 {
        self.0.size
    }
    async fn status(&self) -> JobStatus {
        self.0.status()
    }
    /// The key's name.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// Rows read so far (written after every batch of 500).
    async fn rows_done(&self) -> i64 {
        self.0.rows_done
    }
    async fn added(&self) -> i64 {
        self.0.added
    }
    async fn updated(&self) -> i64 {
        self.0.updated
    }
    /// Rows that said what their record already said: nothing written, nothing audited.
    async fn unchanged(&self) -> i64 {
        self.0.unchanged
    }
    /// How many rows were rejected; `rejections` says which and why.
    async fn rejected_count(&self) -> i64 {
        self.0.rejected
    }
    /// Rejected rows in line order (at most 100 a page).
    async fn rejections(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        #[graphql(default = 0)] offset: i32,
    ) -> Result<Vec<JobRejection>> {
        if !(0..=100).contains(&first) || offset < 0 {
            return Err(ApiError::user(Code::PageSizeInvalid, "`first` is 0 to 100 and `offset` at least 0").into());
        }
        Ok(jobs::rejections(&app(ctx).db, self.0.id, offset as u64, first as u64)
            .await
            .map_err(ApiError::from)?)
    }
    /// Why the file as a whole could not be imported (status FAILED).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

#[derive(Default)]
pub struct OperateQueries;

#[Object]
impl OperateQueries {
    /// The key this request was sent with (null without one).
    async fn viewer_key(&self, ctx: &Context<'_>) -> Result<Option<ApiKeyObject>> {
        let Some(id) = principal(ctx).and_then(|p| p.key_id) else {
            return Ok(None);
        };
        Ok(keys::by_id(&app(ctx).db, id)
            .await
            .map_err(ApiError::from)?
            .map(ApiKeyObject))
    }

    /// Every API key, oldest first (ADMIN keys only).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKeyObject>> {
        require_admin(ctx)?;
        Ok(keys::list(&app(ctx).db)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(ApiKeyObject)
            .collect())
    }

    /// The audit trail, newest first (ADMIN keys only): every change by mutation, upload or the command line.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditConnection> {
        require_admin(ctx)?;
        let size = crate::graphql::connection::page_size(first, None)?;
        let f = filter.unwrap_or_default().to_filter()?;
        let before_id = match after.as_deref() {
            None => None,
            Some(c) => {
                let parts = crate::graphql::connection::decode_cursor(c, "audit", 1)?;
                Some(
                    parts[0]
                        .parse::<i32>()
                        .map_err(|_| ApiError::user(Code::InvalidCursor, format!("cursor {c:?} is damaged")))?,
                )
            }
        };
        let db = &app(ctx).db;
        let mut rows = audit::list(db, &f, before_id, size.limit + 1)
            .await
            .map_err(ApiError::from)?;
        let has_next = rows.len() as u64 > size.limit;
        rows.truncate(size.limit as usize);
        let total_count = if ctx.look_ahead().field("totalCount").exists() {
            audit::count(db, &f).await.map_err(ApiError::from)?
        } else {
            0
        };
        let cursors: Vec<String> = rows
            .iter()
            .map(|r| crate::graphql::connection::encode_cursor(&["audit", &r.id.to_string()]))
            .collect();
        Ok(AuditConnection {
            page_info: crate::graphql::connection::PageInfo::from_cursors(&cursors, has_next, before_id.is_some()),
            nodes: rows.into_iter().map(AuditEntryObject).collect(),
            total_count,
        })
    }

    /// An import job: its key's own, or any for an ADMIN key.
    async fn import_job(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ImportJobObject>> {
        let p = require_key(ctx)?;
        let n = decode_as(&id, "ImportJob")?;
        match jobs::get(&app(ctx).db, n).await.map_err(ApiError::from)? {
            Some(j) if jobs::may_read(p, &j) => Ok(Some(ImportJobObject(j))),
            _ => Ok(None),
        }
    }

    /// The newest import jobs of this key (of every key for an ADMIN key), newest first.
    async fn import_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Result<Vec<ImportJobObject>> {
        let p = require_key(ctx)?;
        let size = crate::graphql::connection::page_size(Some(first), None)?;
        let key = if p.role == Role::Admin {
            None
        } else {
            Some(p.key_id.unwrap_or(-1))
        };
        Ok(jobs::recent(&app(ctx).db, key, size.limit)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(ImportJobObject)
            .collect())
    }

    /// A record's version: 1 as first recorded (or as it was when the audit trail began), then one more with each
    /// change; null when no record has this ID. `putRecord`, `endRecord` and `deleteRecord` take it back as
    /// `expectedVersion`.
    async fn record_version(&self, ctx: &Context<'_>, id: ID) -> Result<Option<i32>> {
        let (ty, n) = record_of(&id)?;
        Ok(write::current_version(&app(ctx).db, ty, n)
            .await
            .map_err(ApiError::from)?)
    }
}

fn record_of(id: &ID) -> ApiResult<(RecordType, i32)> {
    let (t, n) = ids::decode(id)?;
    match RecordType::from_type_name(&t) {
        Some(ty) if ty != RecordType::Division => Ok((ty, n)),
        _ => Err(ApiError::user(
            Code::InvalidId,
            format!("{:?} is not the ID of a record that is written (a {t})", id.as_str()),
        )),
    }
}

#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// A name people know the key by (the office, the person): unique.
    pub name: String,
    pub role: Role,
    /// What an EDITOR key writes; none for ADMIN and READER.
    #[graphql(default)]
    pub catalogues: Vec<Catalogue>,
    /// The start of the division codes an EDITOR key is held to (`330226`).
    pub region_prefix: Option<String>,
    /// When it stops working; none for never.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub key: ApiKeyObject,
    /// The key: send it as `Authorization: Bearer <secret>`. Shown this once; only its hash is stored.
    pub secret: String,
}

#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    pub key: ApiKeyObject,
}

#[derive(InputObject)]
pub struct PutRecordInput {
    /// The record as one line of a JSON Lines import (docs/import.md), `type` included: `{"type": "zoneMembership",
    /// "zone": "zj-ninghai-stationery", "creditCode": "...", "admittedOn": "2026-12-01"}`. The same validation and
    /// the same natural keys as the import decide whether it creates or updates.
    pub record: Json<serde_json::Value>,
    /// The version read (`recordVersion`, or a payload's `version`); a record changed since is a VERSION_CONFLICT.
    /// 0 means "must not exist yet" (every stored record is at version 1 or more).
    pub expected_version: Option<i32>,
    /// Makes a retry safe: the same key and body answer the first result again; the same key with another body is
    /// IDEMPOTENCY_KEY_REUSED. 1 to 200 characters, kept per API key.
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct EndRecordInput {
    /// A credit entry, brand, title, zone, zone membership (`Zone.members { id }`), standard or declaration (废止).
    pub id: ID,
    /// The day it ends; today (Asia/Shanghai) when absent.
    pub on: Option<Date>,
    /// Why (移出原因, 撤销原因, 退出原因).
    pub reason: Option<String>,
    /// Who decided (credit entries, brands and titles).
    pub authority: Option<String>,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct DeleteRecordInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub idempotency_key: Option<String>,
}

/// What a write did.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WritePayload {
    pub record_type: RecordType,
    /// The record's global ID (none for a division).
    pub id: Option<ID>,
    /// What people call it: symbol, number, credit code, zone code.
    pub key: Option<String>,
    pub action: Action,
    /// The record's version now: send it back as `expectedVersion` with the next change.
    pub version: i32,
    /// The audit entry of this change; none when nothing changed (UNCHANGED).
    pub audit_id: Option<ID>,
    /// True when an `idempotencyKey` answered an earlier identical request again (nothing was written now).
    pub replayed: bool,
}

#[async_graphql::ComplexObject]
impl WritePayload {
    /// The record as it is now (none after a deletion, and for memberships, export products and divisions, which
    /// are read through their zone or enterprise).
    async fn record(&self, ctx: &Context<'_>) -> Result<Option<crate::graphql::Node>> {
        match (&self.id, self.action) {
            (_, Action::Deleted) | (None, _) => Ok(None),
            (Some(id), _) => match self.record_type {
                RecordType::ZoneMembership | RecordType::ExportProduct | RecordType::Division => Ok(None),
                _ => Ok(crate::graphql::load_node(app(ctx), id).await?),
            },
        }
    }
}

fn payload(w: &Written, replayed: bool) -> WritePayload {
    WritePayload {
        record_type: w.record_type,
        id: w.id.map(|id| ids::encode(w.record_type.type_name(), id)),
        key: w.key.clone(),
        action: w.action,
        version: w.version,
        audit_id: w.audit_id.map(|a| ids::encode("AuditEntry", a)),
        replayed,
    }
}

/// A write to make.
enum Op {
    Put(Box<crate::import::Valid>, Option<i32>),
    End(RecordType, i32, Ending, Option<i32>),
    Delete(RecordType, i32, Option<i32>),
}

/// An idempotency key checked: 1 to 200 characters.
fn idem_key(k: &Option<String>) -> ApiResult<Option<String>> {
    match k.as_deref().map(str::trim) {
        None => Ok(None),
        Some(s) if !s.is_empty() && s.chars().count() <= 200 && !s.chars().any(char::is_control) => {
            Ok(Some(s.to_string()))
        }
        Some(_) => Err(ApiError::bad_input(
            "idempotencyKey: 1 to 200 characters, no control characters",
        )),
    }
}

/// The answer stored for `key` of the key `key_id`, if the request is the same; a coded error if it is not.
async fn replay(db: &DatabaseConnection, key_id: i32, key: &str, hash: &str) -> ApiResult<Option<WritePayload>> {
    let Some(row) = idempotency::Entity::find()
        .filter(idempotency::Column::KeyId.eq(key_id))
        .filter(idempotency::Column::IdemKey.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.request_hash != hash {
        return Err(ApiError::user(
            Code::IdempotencyKeyReused,
            format!("idempotencyKey {key:?} was used for another request; a new request needs a new key"),
        ));
    }
    let w: Written = serde_json::from_str(&row.response).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Some(payload(&w, true)))
}

/// Runs one write in its own transaction, with its idempotency key if it has one.
async fn run_write(
    ctx: &Context<'_>,
    op_name: &str,
    body: serde_json::Value,
    idem: &Option<String>,
    op: Op,
) -> ApiResult<WritePayload> {
    let p = require_key(ctx)?;
    let db = &app(ctx).db;
    let idem = idem_key(idem)?;
    // The hex SHA-256 of the request, by the hasher of watch tokens and API keys.
    let hash = crate::catalog::watches::model::token_hash(&format!("{op_name}\n{body}"));
    let key_id = p.key_id.unwrap_or(0);
    if let Some(k) = &idem
        && let Some(done) = replay(db, key_id, k, &hash).await?
    {
        return Ok(done);
    }
    let actor = actor(ctx, p);
    let txn = crate::db::begin_write(db).await?;
    let result = match &op {
        Op::Put(v, expected) => write::put(&txn, &actor, v, *expected, "api").await,
        Op::End(ty, id, ending, expected) => write::end(&txn, &actor, *ty, *id, ending, *expected).await,
        Op::Delete(ty, id, expected) => write::delete(&txn, &actor, *ty, *id, *expected).await,
    };
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            txn.rollback().await?;
            return Err(e.into());
        }
    };
    if let Some(k) = &idem {
        let row = idempotency::ActiveModel {
            id: NotSet,
            key_id: Set(key_id),
            idem_key: Set(k.clone()),
            request_hash: Set(hash.clone()),
            response: Set(serde_json::to_string(&written).map_err(|e| ApiError::Internal(e.into()))?),
            created_at: Set(Utc::now()),
        };
        if let Err(e) = idempotency::Entity::insert(row).exec(&txn).await {
            txn.rollback().await?;
            // The same key sent twice at once: the other request won; answer as it did.
            if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
                && let Some(done) = replay(db, key_id, k, &hash).await?
            {
                return Ok(done);
            }
            return Err(e.into());
        }
    }
    crate::db::commit(txn).await?;
    Ok(payload(&written, false))
}

#[derive(InputObject)]
pub struct UploadImportInput {
    /// The file, sent by the GraphQL multipart request spec (`operations`, `map`, then the file part): JSON
    /// Lines, the ePing export, a Chinese-header sheet (.xlsx, .csv) or a policy page (.txt).
    pub file: async_graphql::Upload,
}

#[derive(SimpleObject)]
pub struct UploadImportPayload {
    /// The job that imports the file in the background: ask `importJob(id:)` how far it got.
    pub job: ImportJobObject,
}

#[derive(Default)]
pub struct OperateMutations;

#[Object]
impl OperateMutations {
    /// Makes an API key (ADMIN keys only). The secret is in the answer, once.
    async fn create_api_key(&self, ctx: &Context<'_>, input: CreateApiKeyInput) -> Result<CreateApiKeyPayload> {
        let p = require_admin(ctx)?;
        let db = &app(ctx).db;
        let new = NewKey {
            name: input.name,
            role: input.role,
            catalogues: input.catalogues,
            region_prefix: input.region_prefix,
            expires_at: input.expires_at,
        }
        .check(Utc::now())
        .map_err(ApiError::bad_input)?;
        if keys::name_taken(db, &new.name).await? {
            return Err(ApiError::bad_input(format!("name: a key named {:?} exists already", new.name)).into());
        }
        let txn = crate::db::begin_write(db).await?;
        let (key, secret) = match keys::create(&txn, &new, &p.name).await {
            Ok(k) => k,
            Err(e)
                if e.downcast_ref::<sea_orm::DbErr>()
                    .and_then(|d| d.sql_err())
                    .is_some_and(|s| matches!(s, sea_orm::SqlErr::UniqueConstraintViolation(_))) =>
            {
                txn.rollback().await?;
                return Err(ApiError::bad_input(format!("name: a key named {:?} exists already", new.name)).into());
            }
            Err(e) => return Err(ApiError::from(e).into()),
        };
        write::audit_key(&txn, &actor(ctx, p), &key, Action::KeyCreated).await?;
        crate::db::commit(txn).await?;
        Ok(CreateApiKeyPayload {
            key: ApiKeyObject(key),
            secret,
        })
    }

    /// Revokes an API key (ADMIN keys only): it is refused from the next request on.
    async fn revoke_api_key(&self, ctx: &Context<'_>, input: RevokeApiKeyInput) -> Result<RevokeApiKeyPayload> {
        let p = require_admin(ctx)?;
        let id = decode_as(&input.id, "ApiKey")?;
        let db = &app(ctx).db;
        let txn = crate::db::begin_write(db).await?;
        let revoked = keys::revoke(&txn, id).await?;
        let Some(key) = keys::by_id(&txn, id).await? else {
            txn.rollback().await?;
            return Err(ApiError::user(Code::RecordNotFound, "no API key has this ID").into());
        };
        if revoked {
            write::audit_key(&txn, &actor(ctx, p), &key, Action::KeyRevoked).await?;
        }
        crate::db::commit(txn).await?;
        Ok(RevokeApiKeyPayload { key: ApiKeyObject(key) })
    }

    /// Imports an uploaded file as this key, in the background (the same checks, batches and audit as
    /// `zhiliang import`; each row is scoped like `putRecord`). The same as `POST /uploads`.
    async fn upload_import(&self, ctx: &Context<'_>, input: UploadImportInput) -> Result<UploadImportPayload> {
        let p = require_key(ctx)?;
        if p.role == Role::Reader {
            return Err(ApiError::user(Code::Forbidden, "forbidden: a READER key uploads nothing").into());
        }
        let file = input
            .file
            .value(ctx)
            .map_err(|e| ApiError::bad_input(format!("file: {e}")))?;
        let app = app(ctx);
        let name = jobs::check_file(&file.filename, file.content.len(), app.settings.max_upload_bytes)
            .map_err(ApiError::bad_input)?;
        let rid = ctx.data_opt::<RequestId>().map(|r| r.0.clone());
        let job = jobs::enqueue(&app.db, p, &name, file.content.to_vec(), rid)
            .await
            .map_err(ApiError::from)?;
        app.jobs_wake.notify_one();
        Ok(UploadImportPayload {
            job: ImportJobObject(job),
        })
    }

    /// Creates or updates one record of any catalogue, given as a JSON Lines record. Needs a key that may write
    /// the record's catalogue in the record's region, both as it was and as it becomes.
    async fn put_record(&self, ctx: &Context<'_>, input: PutRecordInput) -> Result<WritePayload> {
        require_key(ctx)?;
        let body = serde_json::json!({"record": input.record.0, "expectedVersion": input.expected_version});
        let raw = crate::import::parse_record(input.record.0.clone(), None).map_err(ApiError::bad_input)?;
        let valid = raw.validate().map_err(ApiError::bad_input)?;
        Ok(run_write(
            ctx,
            "putRecord",
            body,
            &input.idempotency_key,
            Op::Put(Box::new(valid), input.expected_version),
        )
        .await?)
    }

    /// Ends a record without deleting it: removes a credit entry from its list, revokes a brand, title or zone,
    /// lets a member exit its zone, withdraws a standard. It stays readable "as of" any earlier day.
    async fn end_record(&self, ctx: &Context<'_>, input: EndRecordInput) -> Result<WritePayload> {
        require_key(ctx)?;
        let (ty, id) = record_of(&input.id)?;
        let body = serde_json::json!({
            "id": input.id.as_str(), "on": input.on.map(|d| d.0.to_string()), "reason": input.reason,
            "authority": input.authority, "expectedVersion": input.expected_version,
        });
        let ending = Ending {
            on: input.on.map(|d| d.0),
            reason: input.reason.clone(),
            authority: input.authority.clone(),
        };
        if ending.reason.as_deref().is_some_and(|r| r.chars().count() > 2000)
            || ending.authority.as_deref().is_some_and(|r| r.chars().count() > 200)
        {
            return Err(ApiError::bad_input("reason: at most 2,000 characters; authority: at most 200").into());
        }
        Ok(run_write(
            ctx,
            "endRecord",
            body,
            &input.idempotency_key,
            Op::End(ty, id, ending, input.expected_version),
        )
        .await?)
    }

    /// Deletes a record (ADMIN keys only); its search document goes, a tombstone and the audit entry stay. A
    /// record others refer to is RECORD_IN_USE.
    async fn delete_record(&self, ctx: &Context<'_>, input: DeleteRecordInput) -> Result<WritePayload> {
        require_key(ctx)?;
        let (ty, id) = record_of(&input.id)?;
        let body = serde_json::json!({"id": input.id.as_str(), "expectedVersion": input.expected_version});
        Ok(run_write(
            ctx,
            "deleteRecord",
            body,
            &input.idempotency_key,
            Op::Delete(ty, id, input.expected_version),
        )
        .await?)
    }
}
