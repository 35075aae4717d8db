//! Import jobs: a file uploaded over HTTP is stored with its job in one transaction, and a background worker
//! imports it with the checks, batches and audit of `zhiliang import`, as the key that sent it. The job's counts
//! and rejected rows are written after every batch, so they can be read while it runs. A job whose process died
//! (its lease ran out) is taken up again from the start: rows already written are updated to the same values.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::{Notify, watch};

use super::entity::{import_job, import_job_rejection};
use super::keys::{Principal, Role};
use super::write::{Actor, Source};

/// How long a running job's claim lasts without progress before another worker may take it.
const LEASE: Duration = Duration::from_secs(120);

/// File types an upload may be, by extension: what `zhiliang import` reads.
pub const EXTENSIONS: [&str; 8] = ["jsonl", "ndjson", "json", "xlsx", "xls", "xlsm", "csv", "txt"];

/// Where a job is.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for the worker.
    Queued,
    /// Being imported: the counts grow after every batch.
    Running,
    /// Every row read: added, updated or rejected.
    Done,
    /// The file could not be read as a whole (an unknown sheet, a damaged workbook); `error` says why.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "QUEUED",
            JobStatus::Running => "RUNNING",
            JobStatus::Done => "DONE",
            JobStatus::Failed => "FAILED",
        }
    }

    fn parse(s: &str) -> JobStatus {
        match s {
            "RUNNING" => JobStatus::Running,
            "DONE" => JobStatus::Done,
            "FAILED" => JobStatus::Failed,
            _ => JobStatus::Queued,
        }
    }
}

/// A job, without its file: read straight from the columns `summary_columns` selects.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct Job {
    pub id: i32,
    pub key_id: Option<i32>,
    pub actor: String,
    pub file_name: String,
    pub size: i64,
    /// As stored; `status()` reads it.
    status: String,
    pub rows_done: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub error: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The columns of a job without its content.
fn summary_columns() -> [import_job::Column; 17] {
    use import_job::Column as J;
    [
        J::Id,
        J::KeyId,
        J::Actor,
        J::FileName,
        J::Size,
        J::Status,
        J::RowsDone,
        J::Added,
        J::Updated,
        J::Unchanged,
        J::Rejected,
        J::Error,
        J::RequestId,
        J::CreatedAt,
        J::StartedAt,
        J::FinishedAt,
        J::LeaseUntil,
    ]
}

impl Job {
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status)
    }
}

/// Checks an uploaded file's name and size: the extension decides how it is read.
pub fn check_file(name: &str, size: usize, max: usize) -> Result<String, String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base.chars().count() > 200 || base.chars().any(char::is_control) {
        return Err("the file needs a name of 1 to 200 characters (its extension says how it is read)".into());
    }
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !EXTENSIONS.contains(&ext.as_str()) {
        return Err(format!(
            "{base:?}: files of type .{} are not imported; send one of .{}",
            if ext.is_empty() { "(none)" } else { ext.as_str() },
            EXTENSIONS.join(", .")
        ));
    }
    if size == 0 {
        return Err(format!("{base:?} is empty"));
    }
    if size > max {
        return Err(format!("{base:?} is {size} bytes; the largest upload is {max} bytes"));
    }
    Ok(base.to_string())
}

/// Stores an uploaded file as a queued job of `principal`.
pub async fn enqueue(
    db: &DatabaseConnection,
    principal: &Principal,
    file_name: &str,
    content: Vec<u8>,
    request_id: Option<String>,
) -> Result<Job, sea_orm::DbErr> {
    let am = import_job::ActiveModel {
        id: NotSet,
        key_id: Set(principal.key_id),
        actor: Set(principal.name.clone()),
        file_name: Set(file_name.to_string()),
        size: Set(content.len() as i64),
        content: Set(content),
        status: Set(JobStatus::Queued.as_str().into()),
        rows_done: Set(0),
        added: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        rejected: Set(0),
        error: Set(None),
        request_id: Set(request_id),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
        lease_until: Set(None),
    };
    let id = import_job::Entity::insert(am).exec(db).await?.last_insert_id;
    Ok(get(db, id).await?.expect("the job just stored"))
}

fn select_jobs() -> sea_orm::Select<import_job::Entity> {
    import_job::Entity::find().select_only().columns(summary_columns())
}

pub async fn get(db: &DatabaseConnection, id: i32) -> Result<Option<Job>, sea_orm::DbErr> {
    select_jobs()
        .filter(import_job::Column::Id.eq(id))
        .into_model::<Job>()
        .one(db)
        .await
}

/// The newest jobs of a key (all keys' for `None`), newest first.
pub async fn recent(db: &DatabaseConnection, key_id: Option<i32>, limit: u64) -> Result<Vec<Job>, sea_orm::DbErr> {
    let mut q = select_jobs();
    if let Some(k) = key_id {
        q = q.filter(import_job::Column::KeyId.eq(k));
    }
    q.order_by_desc(import_job::Column::Id)
        .limit(limit)
        .into_model::<Job>()
        .all(db)
        .await
}

/// Whether `p` may read job `j`: its own key, or an admin.
pub fn may_read(p: &Principal, j: &Job) -> bool {
    p.role == Role::Admin || (p.key_id.is_some() && p.key_id == j.key_id)
}

/// A rejected row of a job.
#[derive(Debug, Clone, PartialEq, async_graphql::SimpleObject)]
pub struct JobRejection {
    /// The line (JSON Lines, CSV) or row (workbook) of the file, from 1.
    pub line: i64,
    pub reason: String,
}

/// Rejected rows in line order, `offset` and `limit` for paging.
pub async fn rejections(
    db: &DatabaseConnection,
    job: i32,
    offset: u64,
    limit: u64,
) -> Result<Vec<JobRejection>, sea_orm::DbErr> {
    Ok(import_job_rejection::Entity::find()
        .filter(import_job_rejection::Column::JobId.eq(job))
        .order_by_asc(import_job_rejection::Column::Line)
        .order_by_asc(import_job_rejection::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|r| JobRejection {
            line: r.line,
            reason: r.reason,
        })
        .collect())
}

/// Takes the oldest queued job, or a running one whose lease ran out; `None` when there is none.
async fn claim(db: &DatabaseConnection) -> Result<Option<import_job::Model>, sea_orm::DbErr> {
    let now = Utc::now();
    let due = Condition::any()
        .add(import_job::Column::Status.eq(JobStatus::Queued.as_str()))
        .add(
            Condition::all()
                .add(import_job::Column::Status.eq(JobStatus::Running.as_str()))
                .add(import_job::Column::LeaseUntil.lt(now)),
        );
    let Some(candidate) = select_jobs()
        .filter(due.clone())
        .order_by_asc(import_job::Column::Id)
        .into_model::<Job>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // Claimed only if no other worker claimed it in between.
    let lease = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let taken = import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, JobStatus::Running.as_str().into())
        .col_expr(import_job::Column::LeaseUntil, lease.into())
        .col_expr(import_job::Column::StartedAt, now.into())
        .col_expr(import_job::Column::RowsDone, 0i64.into())
        .col_expr(import_job::Column::Added, 0i64.into())
        .col_expr(import_job::Column::Updated, 0i64.into())
        .col_expr(import_job::Column::Unchanged, 0i64.into())
        .col_expr(import_job::Column::Rejected, 0i64.into())
        .filter(import_job::Column::Id.eq(candidate.id))
        .filter(due)
        .exec(db)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    import_job_rejection::Entity::delete_many()
        .filter(import_job_rejection::Column::JobId.eq(candidate.id))
        .exec(db)
        .await?;
    import_job::Entity::find_by_id(candidate.id).one(db).await
}

/// The principal a job runs as: its key as it is now (a key revoked since the upload imports nothing).
async fn principal_of(db: &DatabaseConnection, job: &import_job::Model) -> anyhow::Result<Result<Principal, String>> {
    let Some(id) = job.key_id else {
        return Ok(Err("the job has no key".into()));
    };
    match super::keys::by_id(db, id).await? {
        Some(k) if k.active(Utc::now()) => Ok(Ok(k.principal())),
        _ => Ok(Err(
            "the key that uploaded the file was revoked or expired before it was imported".into(),
        )),
    }
}

async fn finish(
    db: &DatabaseConnection,
    id: i32,
    status: JobStatus,
    error: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    // The file's content goes; its name, size, counts, rejections and audit entries stay.
    import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, status.as_str().into())
        .col_expr(import_job::Column::Content, Vec::<u8>::new().into())
        .col_expr(import_job::Column::Error, error.into())
        .col_expr(import_job::Column::FinishedAt, Utc::now().into())
        .col_expr(import_job::Column::LeaseUntil, Option::<DateTime<Utc>>::None.into())
        .filter(import_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs one claimed job to its end.
async fn run_job(db: &DatabaseConnection, job: import_job::Model) -> anyhow::Result<()> {
    let id = job.id;
    let principal = match principal_of(db, &job).await? {
        Ok(p) => p,
        Err(why) => return Ok(finish(db, id, JobStatus::Failed, Some(why)).await?),
    };
    let actor = Actor {
        principal,
        source: Source::Upload,
        request_id: job.request_id.clone(),
        job_id: Some(id),
    };
    // The import reads files: the upload goes to a temporary folder of its own that only this user can read, under
    // the name it was sent with (checked by `check_file`: a base name with a known extension), which a policy
    // page keeps as its source file.
    let dir = std::env::temp_dir().join(format!("zhiliang-job-{}-{id}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    }
    let name = check_file(&job.file_name, 1, usize::MAX).unwrap_or_else(|_| "upload.jsonl".into());
    let path: PathBuf = dir.join(&name);
    std::fs::write(&path, &job.content)?;
    // The lease is renewed while the job runs, however long one batch or reading a large workbook takes.
    let renew = {
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE / 4).await;
                let lease = Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default();
                let _ = import_job::Entity::update_many()
                    .col_expr(import_job::Column::LeaseUntil, lease.into())
                    .filter(import_job::Column::Id.eq(id))
                    .filter(import_job::Column::Status.eq(JobStatus::Running.as_str()))
                    .exec(&db)
                    .await;
            }
        })
    };
    let db2 = db.clone();
    let progress = move |rows: u64, report: &crate::import::Report, new_from: usize| {
        let db = db2.clone();
        let fresh: Vec<(i64, String)> = report.rejected[new_from.min(report.rejected.len())..]
            .iter()
            .map(|r| (r.line as i64, r.reason.clone()))
            .collect();
        let (added, updated, unchanged, rejected) = (
            report.added as i64,
            report.updated as i64,
            report.unchanged as i64,
            report.rejected.len() as i64,
        );
        let fut: futures_util::future::BoxFuture<'static, ()> = Box::pin(async move {
            let lease = Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default();
            let r = async {
                if !fresh.is_empty() {
                    import_job_rejection::Entity::insert_many(fresh.into_iter().map(|(line, reason)| {
                        import_job_rejection::ActiveModel {
                            id: NotSet,
                            job_id: Set(id),
                            line: Set(line),
                            reason: Set(reason),
                        }
                    }))
                    .exec(&db)
                    .await?;
                }
                import_job::Entity::update_many()
                    .col_expr(import_job::Column::RowsDone, (rows as i64).into())
                    .col_expr(import_job::Column::Added, added.into())
                    .col_expr(import_job::Column::Updated, updated.into())
                    .col_expr(import_job::Column::Unchanged, unchanged.into())
                    .col_expr(import_job::Column::Rejected, rejected.into())
                    .col_expr(import_job::Column::LeaseUntil, lease.into())
                    .filter(import_job::Column::Id.eq(id))
                    .exec(&db)
                    .await?;
                Ok::<_, sea_orm::DbErr>(())
            };
            if let Err(e) = r.await {
                tracing::warn!(job = id, error = %e, "import job: progress not saved");
            }
        });
        fut
    };
    let result = crate::import::import_file_as(db, &path, false, &actor, Some(&progress)).await;
    renew.abort();
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(_) => finish(db, id, JobStatus::Done, None).await?,
        Err(e) => {
            // The message names the temporary file; the person knows the file by the name they sent.
            let msg = format!("{e:#}").replace(&path.display().to_string(), &job.file_name);
            finish(db, id, JobStatus::Failed, Some(msg)).await?
        }
    }
    Ok(())
}

/// How long an idempotency key answers a retry.
pub const IDEMPOTENCY_DAYS: i64 = 7;

/// Forgets idempotency keys older than `IDEMPOTENCY_DAYS`.
async fn forget_idempotency_keys(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    use super::entity::idempotency;
    idempotency::Entity::delete_many()
        .filter(idempotency::Column::CreatedAt.lt(Utc::now() - chrono::Duration::days(IDEMPOTENCY_DAYS)))
        .exec(db)
        .await?;
    Ok(())
}

/// The worker `serve` runs: one job at a time, woken when a file arrives, else looking every two seconds.
pub struct Worker {
    pub db: DatabaseConnection,
    pub wake: Arc<Notify>,
    pub shutdown: watch::Receiver<bool>,
}

impl Worker {
    pub async fn run(mut self) {
        loop {
            if *self.shutdown.borrow() {
                return;
            }
            if let Err(e) = forget_idempotency_keys(&self.db).await {
                tracing::warn!(error = %e, "idempotency keys not cleaned");
            }
            let idle = match claim(&self.db).await {
                Ok(Some(job)) => {
                    let id = job.id;
                    if let Err(e) = run_job(&self.db, job).await {
                        tracing::warn!(
                            job = id,
                            error = format!("{e:#}"),
                            "import job stopped; it is retried when its lease ends"
                        );
                    }
                    false
                }
                Ok(None) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "import jobs: could not look for work");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    _ = self.wake.notified() => {}
                    _ = self.shutdown.changed() => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_file_names_are_checked() {
        assert_eq!(check_file("信用名单.xlsx", 10, 100).unwrap(), "信用名单.xlsx");
        assert_eq!(check_file("C:\\Users\\x\\zones.CSV", 10, 100).unwrap(), "zones.CSV");
        assert_eq!(check_file("../../etc/passwd.jsonl", 10, 100).unwrap(), "passwd.jsonl");
        assert!(check_file("run.sh", 10, 100).is_err());
        assert!(check_file("noext", 10, 100).is_err());
        assert!(check_file("a.csv", 0, 100).is_err());
        assert!(check_file("a.csv", 101, 100).is_err());
        assert!(check_file("", 1, 100).is_err());
    }
}
