//! `zhiliang import`: files in, records validated, stored in batches; bad rows reported with file, line and
//! reason while the good rows still load.

use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::operate::write::{self, Actor, RecordType, Source};

use crate::catalog::declarations::import::{is_declaration_sheet, read_declarations};
use crate::catalog::declarations::model::{DeclarationData, DeclarationRecord};
use crate::catalog::declarations::store as declaration_store;
use crate::catalog::divisions::{DivisionData, DivisionRecord};
use crate::catalog::encoding::{self, TextEncoding};
use crate::catalog::enterprises::import::{is_enterprise_sheet, read_enterprises};
use crate::catalog::enterprises::model::{EnterpriseData, EnterpriseRecord};
use crate::catalog::enterprises::store as enterprise_store;
use crate::catalog::exports::import::{is_export_sheet, read_export_products};
use crate::catalog::exports::model::{ExportProductData, ExportProductRecord};
use crate::catalog::exports::store as export_store;
use crate::catalog::listings::import::{award_kind_of, credit_list_of, read_awards, read_credit_entries};
use crate::catalog::listings::model::{ListingData, ListingKind, ListingRecord};
use crate::catalog::listings::store as listing_store;
use crate::catalog::notices::import::{is_eping, read_eping};
use crate::catalog::notices::model::{NoticeData, NoticeRecord};
use crate::catalog::notices::store as notice_store;
use crate::catalog::policies::model::{PolicyData, PolicyRecord};
use crate::catalog::policies::store as policy_store;
use crate::catalog::recalls::model::{RecallData, RecallRecord};
use crate::catalog::recalls::store as recall_store;
use crate::catalog::standards::import::{is_standards, read_standards};
use crate::catalog::standards::model::{StandardData, StandardRecord};
use crate::catalog::standards::store as standard_store;
use crate::catalog::table::Table;
use crate::catalog::zones::model::{MembershipData, MembershipRecord, ZoneData, ZoneRecord};
use crate::catalog::zones::store as zone_store;

/// Rows written in one transaction.
const BATCH: usize = 500;

/// A row that did not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub file: PathBuf,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// What an import did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub added: u64,
    pub updated: u64,
    /// Rows that said what their record already said (nothing written to the audit trail).
    pub unchanged: u64,
    pub rejected: Vec<Rejection>,
    /// The encoding a text file (CSV, JSON Lines, policy page) was read as; `None` for a workbook, or for JSON
    /// Lines that were none of the known encodings and were read line by line as UTF-8.
    pub encoding: Option<TextEncoding>,
}

impl Report {
    /// `3 added, 0 updated, 1 rejected` (with `, 5 unchanged` when some rows changed nothing), and for a text file
    /// `; read as GB18030`.
    pub fn summary(&self) -> String {
        let mut s = format!("{} added, {} updated", self.added, self.updated);
        if self.unchanged > 0 {
            s.push_str(&format!(", {} unchanged", self.unchanged));
        }
        s.push_str(&format!(", {} rejected", self.rejected.len()));
        if let Some(e) = self.encoding {
            s.push_str("; read as ");
            s.push_str(e.label());
        }
        s
    }
}

/// A record read from a file, before validation.
pub enum Raw {
    Notice(Box<NoticeRecord>),
    Standard(Box<StandardRecord>),
    Enterprise(Box<EnterpriseRecord>),
    ExportProduct(Box<ExportProductRecord>),
    Listing(Box<ListingRecord>, ListingKind),
    Zone(Box<ZoneRecord>),
    Membership(Box<MembershipRecord>),
    Division(Box<DivisionRecord>),
    /// A policy record with the text of its `sourceFile`, if any: (file name, text).
    Policy(Box<PolicyRecord>, Option<(String, String)>),
    Declaration(Box<DeclarationRecord>),
    Recall(Box<RecallRecord>),
}

/// Rows read from a file: each with its line number and the record or the reason it cannot be read.
type Rows = Vec<(usize, Result<Raw, String>)>;

/// A validated record, ready to store.
pub(crate) enum Valid {
    Notice(Box<NoticeData>),
    Standard(Box<StandardData>),
    Enterprise(Box<EnterpriseData>),
    ExportProduct(Box<ExportProductData>),
    Listing(Box<ListingData>),
    Zone(Box<ZoneData>),
    Membership(Box<MembershipData>),
    Policy(Box<PolicyData>),
    Division(Box<DivisionData>),
    Declaration(Box<DeclarationData>),
    Recall(Box<RecallData>),
}

impl Valid {
    /// The kind of record, as the audit trail and the keys' scopes name it.
    pub(crate) fn record_type(&self) -> RecordType {
        match self {
            Valid::Notice(_) => RecordType::Notice,
            Valid::Standard(_) => RecordType::Standard,
            Valid::Enterprise(_) => RecordType::Enterprise,
            Valid::ExportProduct(_) => RecordType::ExportProduct,
            Valid::Listing(d) => match d.kind {
                ListingKind::Credit => RecordType::CreditEntry,
                ListingKind::Brand => RecordType::Brand,
                ListingKind::Title => RecordType::Title,
            },
            Valid::Zone(_) => RecordType::Zone,
            Valid::Membership(_) => RecordType::ZoneMembership,
            Valid::Policy(_) => RecordType::Policy,
            Valid::Division(_) => RecordType::Division,
            Valid::Declaration(_) => RecordType::Declaration,
            Valid::Recall(_) => RecordType::Recall,
        }
    }
}

impl Raw {
    pub(crate) fn validate(self) -> Result<Valid, String> {
        match self {
            Raw::Notice(r) => r.validate().map(|d| Valid::Notice(Box::new(d))),
            Raw::Standard(r) => r.validate().map(|d| Valid::Standard(Box::new(d))),
            Raw::Enterprise(r) => r.validate().map(|d| Valid::Enterprise(Box::new(d))),
            Raw::ExportProduct(r) => r.validate().map(|d| Valid::ExportProduct(Box::new(d))),
            Raw::Listing(r, kind) => r.validate(kind).map(|d| Valid::Listing(Box::new(d))),
            Raw::Zone(r) => r.validate().map(|d| Valid::Zone(Box::new(d))),
            Raw::Membership(r) => r.validate().map(|d| Valid::Membership(Box::new(d))),
            Raw::Policy(r, text) => r.validate(text).map(|d| Valid::Policy(Box::new(d))),
            Raw::Division(r) => r.validate().map(|d| Valid::Division(Box::new(d))),
            Raw::Declaration(r) => r.validate().map(|d| Valid::Declaration(Box::new(d))),
            Raw::Recall(r) => r.validate().map(|d| Valid::Recall(Box::new(d))),
        }
    }
}

/// Stores one record, without audit or scope (callers go through `operate::write::put`): its row id (none for a
/// division) and `true` when it was new.
pub(crate) async fn store(txn: &DatabaseTransaction, v: &Valid, source: &str) -> Result<(Option<i32>, bool), String> {
    match v {
        Valid::Notice(d) => notice_store::upsert(txn, d, source)
            .await
            .map(|(id, o)| (Some(id), o == notice_store::Outcome::Added))
            .map_err(|e| e.to_string()),
        Valid::Standard(d) => standard_store::upsert(txn, d)
            .await
            .map(|(id, o)| (Some(id), o == standard_store::Outcome::Added))
            .map_err(|e| format!("database: {e}")),
        Valid::Enterprise(d) => added(enterprise_store::upsert_enterprise(txn, d).await),
        Valid::ExportProduct(d) => export_store::upsert(txn, d)
            .await
            .map(|(id, o)| (Some(id), o == enterprise_store::Outcome::Added))
            .map_err(|e| e.to_string()),
        Valid::Listing(d) => added(listing_store::upsert_listing(txn, d).await),
        Valid::Zone(d) => added(zone_store::upsert_zone(txn, d).await),
        Valid::Division(d) => crate::catalog::divisions::upsert(txn, d)
            .await
            .map(|added| (None, added))
            .map_err(|e| format!("database: {e}")),
        Valid::Policy(d) => policy_store::upsert(txn, d)
            .await
            .map(|(id, o)| (Some(id), o == policy_store::Outcome::Added))
            .map_err(|e| format!("database: {e}")),
        Valid::Recall(d) => recall_store::upsert(txn, d, source)
            .await
            .map(|(id, o)| (Some(id), o == enterprise_store::Outcome::Added))
            .map_err(|e| format!("database: {e}")),
        Valid::Membership(d) => zone_store::upsert_membership(txn, d)
            .await
            .map(|(id, o)| (Some(id), o == enterprise_store::Outcome::Added))
            .map_err(|e| e.to_string()),
        Valid::Declaration(d) => added(declaration_store::upsert(txn, d).await),
    }
}

fn added(r: Result<(i32, enterprise_store::Outcome), sea_orm::DbErr>) -> Result<(Option<i32>, bool), String> {
    r.map(|(id, o)| (Some(id), o == enterprise_store::Outcome::Added))
        .map_err(|e| format!("database: {e}"))
}

fn bar(len: u64, show: bool, msg: String) -> ProgressBar {
    let b = if show {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    b.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {percent}% ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    b.set_message(msg);
    b
}

/// A JSON Lines record: its `type` decides how it is read. `dir` is the file's folder, for `sourceFile`; `None`
/// where files of the server may not be read (uploads and mutations).
fn parse_jsonl_line(text: &str, dir: Option<&Path>) -> Result<Raw, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    parse_record(value, dir)
}

/// A record as a JSON object, the same as a JSON Lines line: its `type` decides how it is read.
pub(crate) fn parse_record(value: serde_json::Value, dir: Option<&Path>) -> Result<Raw, String> {
    let t = value
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or("no \"type\" field")?
        .to_string();
    let t = t.as_str();
    match t {
        "notice" => serde_json::from_value(value)
            .map(|r| Raw::Notice(Box::new(r)))
            .map_err(|e| format!("notice: {e}")),
        "standard" => serde_json::from_value(value)
            .map(|r| Raw::Standard(Box::new(r)))
            .map_err(|e| format!("standard: {e}")),
        "enterprise" => serde_json::from_value(value)
            .map(|r| Raw::Enterprise(Box::new(r)))
            .map_err(|e| format!("enterprise: {e}")),
        "exportProduct" => serde_json::from_value(value)
            .map(|r| Raw::ExportProduct(Box::new(r)))
            .map_err(|e| format!("exportProduct: {e}")),
        "creditEntry" | "brand" | "title" => {
            let kind = match t {
                "creditEntry" => ListingKind::Credit,
                "brand" => ListingKind::Brand,
                _ => ListingKind::Title,
            };
            serde_json::from_value(value)
                .map(|r| Raw::Listing(Box::new(r), kind))
                .map_err(|e| format!("{t}: {e}"))
        }
        "division" => serde_json::from_value(value)
            .map(|r| Raw::Division(Box::new(r)))
            .map_err(|e| format!("division: {e}")),
        "zone" => serde_json::from_value(value)
            .map(|r| Raw::Zone(Box::new(r)))
            .map_err(|e| format!("zone: {e}")),
        "declaration" => serde_json::from_value(value)
            .map(|r| Raw::Declaration(Box::new(r)))
            .map_err(|e| format!("declaration: {e}")),
        "recall" => serde_json::from_value(value)
            .map(|r| Raw::Recall(Box::new(r)))
            .map_err(|e| format!("recall: {e}")),
        "zoneMembership" => serde_json::from_value(value)
            .map(|r| Raw::Membership(Box::new(r)))
            .map_err(|e| format!("zoneMembership: {e}")),
        "policy" => {
            let r: PolicyRecord = serde_json::from_value(value).map_err(|e| format!("policy: {e}"))?;
            let text = match (&r.source_file, dir) {
                (None, _) => None,
                (Some(_), None) => {
                    return Err(
                        "sourceFile: a file of the server is not read for an upload or a mutation; send the text in the record"
                            .into(),
                    );
                }
                (Some(f), Some(dir)) => {
                    let path = dir.join(f);
                    let t = encoding::read_text(&path).map_err(|e| format!("sourceFile: {e}"))?.text;
                    let name = Path::new(f)
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    Some((name, t))
                }
            };
            Ok(Raw::Policy(Box::new(r), text))
        }
        other => Err(format!(
            "type {other:?} is not a record type this version imports (known: notice, standard, enterprise, exportProduct, creditEntry, brand, title, zone, zoneMembership, policy, division, declaration, recall)"
        )),
    }
}

/// What an import job hears after each batch: rows read so far, and the report (its rejections since the last call
/// start at `new_from`).
pub type ProgressFn<'a> = &'a (dyn Fn(u64, &Report, usize) -> BoxFuture<'static, ()> + Send + Sync);

struct Loader<'a> {
    db: &'a DatabaseConnection,
    actor: &'a Actor,
    source: &'static str,
    file: PathBuf,
    pending: Vec<(usize, Valid)>,
    report: Report,
    rows_read: u64,
    progress: Option<ProgressFn<'a>>,
    reported: usize,
    /// The batch being written while the next one is read and validated (at most one: batches are written in
    /// the file's order, each after the one before it committed).
    writing: Option<Writing>,
}

/// A batch's write under way in its own task; dropped, it is aborted (its transaction rolls back), as the write
/// would have been when the import itself is dropped.
struct Writing(tokio::task::JoinHandle<anyhow::Result<Written>>);

impl Drop for Writing {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What writing one batch did: each written row's action, and the rows rejected (line, reason).
#[derive(Default)]
struct Written {
    actions: Vec<write::Action>,
    rejected: Vec<(usize, String)>,
}

impl Loader<'_> {
    fn new<'a>(
        db: &'a DatabaseConnection,
        actor: &'a Actor,
        source: &'static str,
        file: &Path,
        progress: Option<ProgressFn<'a>>,
    ) -> Loader<'a> {
        Loader {
            db,
            actor,
            source,
            file: file.to_path_buf(),
            pending: Vec::new(),
            report: Report::default(),
            rows_read: 0,
            progress,
            reported: 0,
            writing: None,
        }
    }

    /// Tells the job how far it got.
    async fn tell(&mut self) {
        if let Some(p) = self.progress {
            p(self.rows_read, &self.report, self.reported).await;
            self.reported = self.report.rejected.len();
        }
    }

    async fn push(&mut self, line: usize, row: Result<Raw, String>) -> anyhow::Result<()> {
        self.rows_read += 1;
        match row.and_then(Raw::validate) {
            Ok(v) => {
                self.pending.push((line, v));
                if self.pending.len() >= BATCH {
                    self.flush().await?;
                }
            }
            Err(reason) => self.reject(line, reason),
        }
        Ok(())
    }

    fn reject(&mut self, line: usize, reason: String) {
        self.report.rejected.push(Rejection {
            file: self.file.clone(),
            line,
            reason,
        });
    }

    fn count(&mut self, action: write::Action) {
        match action {
            write::Action::Created => self.report.added += 1,
            write::Action::Unchanged => self.report.unchanged += 1,
            _ => self.report.updated += 1,
        }
    }

    /// Hands the batch read so far to a task that writes it (see [`write_rows`]) while the next batch is read,
    /// after the batch before it was written.
    async fn flush(&mut self) -> anyhow::Result<()> {
        self.settle().await?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        let (db, actor, source) = (self.db.clone(), self.actor.clone(), self.source);
        self.writing = Some(Writing(tokio::spawn(async move {
            write_rows(&db, &actor, source, rows).await
        })));
        Ok(())
    }

    /// Waits for the batch being written, counts what it did and tells the job.
    async fn settle(&mut self) -> anyhow::Result<()> {
        let Some(mut writing) = self.writing.take() else {
            return Ok(());
        };
        let written = (&mut writing.0)
            .await
            .map_err(|e| anyhow::anyhow!("writing a batch of the import failed: {e}"))??;
        for action in written.actions {
            self.count(action);
        }
        for (line, reason) in written.rejected {
            self.reject(line, reason);
        }
        self.tell().await;
        Ok(())
    }

    /// Writes what is left and waits until it is written: the end of every import.
    async fn finish(&mut self) -> anyhow::Result<()> {
        self.flush().await?;
        self.settle().await
    }
}

/// Writes a batch in one transaction; if that fails, row by row so that one bad row costs only itself.
async fn write_rows(
    db: &DatabaseConnection,
    actor: &Actor,
    source: &str,
    rows: Vec<(usize, Valid)>,
) -> anyhow::Result<Written> {
    let mut out = Written::default();
    let txn = crate::db::begin_write(db).await?;
    match write_batch(&txn, actor, source, &rows).await {
        Ok(actions) => {
            crate::db::commit(txn).await?;
            out.actions = actions;
            return Ok(out);
        }
        Err(None) => txn.rollback().await?,
        Err(Some(e)) => {
            // The database itself failed (not a row): stop rather than reject every row.
            txn.rollback().await?;
            return Err(e.into());
        }
    }
    for (line, v) in rows {
        let txn = crate::db::begin_write(db).await?;
        match write::put(&txn, actor, &v, None, source).await {
            Ok(w) => {
                crate::db::commit(txn).await?;
                out.actions.push(w.action);
            }
            Err(reason) => {
                txn.rollback().await?;
                out.rejected.push((line, reason.to_string()));
            }
        }
    }
    Ok(out)
}

/// Writes every row of a batch in `txn`: what each did, or `Err(None)` when a row failed (the batch is then
/// written again row by row), `Err(Some(_))` when the database failed before any row was written.
///
/// Written by an admin (the command line), a notice none of whose symbols is stored yet (one look-up for the
/// batch finds which) waits to be written with the others without the per-row look-ups and savepoint of
/// `write::put`: the notices, their symbols and codes, outbox and watch-matcher entries and audit rows in
/// multi-row inserts, their audit rows read back in one query, the comment deadlines of their chains worked out
/// in memory (`notice_store::insert_batch`). Every other row goes through `write::put`, after what waits is
/// written (it may read it).
async fn write_batch(
    txn: &DatabaseTransaction,
    actor: &Actor,
    source: &str,
    rows: &[(usize, Valid)],
) -> Result<Vec<write::Action>, Option<sea_orm::DbErr>> {
    let fast = actor.principal.is_admin();
    let notices = rows.iter().filter_map(|(_, v)| match v {
        Valid::Notice(d) => Some(&**d),
        _ => None,
    });
    let mut known = if fast {
        notice_store::Known::load(txn, notices).await.map_err(Some)?
    } else {
        notice_store::Known::default()
    };
    let mut later = Later::default();
    let mut outcomes = Vec::with_capacity(rows.len());
    for (_, v) in rows {
        let done = match v {
            Valid::Notice(d) if fast && known.is_new(d) => {
                let chained = known.chained(d);
                known.note(d);
                later.add_notice(d, chained);
                Ok(write::Action::Created)
            }
            _ => {
                if let Valid::Notice(d) = v {
                    known.note(d);
                }
                match later.write(txn, actor, source).await {
                    Ok(()) => write::put(txn, actor, v, None, source).await.map(|w| w.action),
                    Err(e) => Err(e),
                }
            }
        };
        match done {
            Ok(action) => outcomes.push(action),
            Err(write::WriteError::Db(e)) if outcomes.is_empty() && !is_constraint(&e) => return Err(Some(e)),
            Err(_) => return Err(None),
        }
    }
    later.write(txn, actor, source).await.map_err(|e| {
        tracing::debug!(error = %e, "import: the batch is written again row by row");
        None
    })?;
    Ok(outcomes)
}

/// The new notices of a batch, kept to be written together (`notice_store::insert_batch`) with their codes,
/// outbox and watch-matcher entries (in the order `notice_store::upsert` queues them) and audit rows.
#[derive(Default)]
struct Later<'a> {
    notices: Vec<notice_store::NewNotice<'a>>,
    children: notice_store::Children,
}

impl<'a> Later<'a> {
    /// Keeps a new notice for `write` (see `notice_store::insert_batch`).
    fn add_notice(&mut self, d: &'a NoticeData, chained: bool) {
        self.notices.push(notice_store::NewNotice { data: d, chained });
    }

    /// Writes what was kept: after it, the database holds every row so far as the writes one by one leave it.
    async fn write(&mut self, txn: &DatabaseTransaction, actor: &Actor, source: &str) -> Result<(), write::WriteError> {
        let notices = std::mem::take(&mut self.notices);
        if notices.is_empty() {
            return Ok(());
        }
        let written = notice_store::insert_batch(txn, &notices, source, &mut self.children).await?;
        self.children.write(txn).await?;
        let outbox: Vec<(&str, i32)> = written.queued.iter().map(|id| (notice_store::OUTBOX, *id)).collect();
        crate::search::outbox::enqueue_many(txn, &outbox).await?;
        crate::follow::events::record_changes(txn, &written.queued).await?;
        // Each notice's audit row as its own write left it: a later notice of the batch may have changed its
        // deadline in force since (the setter's comment deadline, read with it, is the value it had then).
        let mut read: Vec<i32> = written.ids.clone();
        read.extend(written.as_written.values().filter_map(|(_, by)| *by));
        read.sort_unstable();
        read.dedup();
        let rows = write::stored_rows(txn, RecordType::Notice, &read).await?;
        let mut audit = Vec::with_capacity(written.ids.len());
        for id in &written.ids {
            let (row, key) = rows.get(id).ok_or_else(|| {
                write::WriteError::Invalid("the record was not found after it was written; try again".into())
            })?;
            let row = match written.as_written.get(id) {
                None => std::borrow::Cow::Borrowed(row),
                Some((_, set_by)) => {
                    let from = match set_by {
                        None => Some(row),
                        Some(by) => rows.get(by).map(|(r, _)| r),
                    };
                    let deadline = from
                        .and_then(|r| r.get("comment_deadline"))
                        .cloned()
                        .unwrap_or(serde_json::Value::Null);
                    let mut row = row.clone();
                    if let Some(m) = row.as_object_mut() {
                        m.insert("deadline_in_force".into(), deadline);
                        m.insert("deadline_set_by".into(), serde_json::json!(set_by));
                    }
                    std::borrow::Cow::Owned(row)
                }
            };
            audit.push(write::created_row(actor, RecordType::Notice, *id, key.clone(), &row));
        }
        write::audit_many(txn, audit).await
    }
}

/// Whether a database error is about the row (a constraint it breaks) rather than the database.
fn is_constraint(e: &sea_orm::DbErr) -> bool {
    e.sql_err().is_some()
}

/// Imports one file as the command line (an admin; every change audited as `cli:<user>`).
pub async fn import_file(db: &DatabaseConnection, path: &Path, show_progress: bool) -> anyhow::Result<Report> {
    import_file_as(db, path, show_progress, &Actor::cli(), None).await
}

/// Imports one file: `.jsonl`/`.ndjson` (records with a `type`), `.xlsx`/`.xls` or `.csv` (the ePing export, or a
/// standards list with Chinese headers). Each row is written as `actor` (its scope checked, the change audited); an
/// upload's JSON Lines may not name a `sourceFile`.
pub async fn import_file_as(
    db: &DatabaseConnection,
    path: &Path,
    show_progress: bool,
    actor: &Actor,
    job: Option<ProgressFn<'_>>,
) -> anyhow::Result<Report> {
    let dir = match actor.source {
        Source::Cli => Some(path.parent().unwrap_or(Path::new("."))),
        Source::Mutation | Source::Upload => None,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    match ext.as_str() {
        "jsonl" | "ndjson" | "json" => {
            let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            // The whole file in one encoding; failing that, line by line as UTF-8 so that one damaged line
            // costs only itself.
            let decoded = encoding::decode(&bytes);
            let size = decoded.as_ref().map_or(bytes.len(), |d| d.text.len());
            let progress = bar(size as u64, show_progress, name);
            let mut loader = Loader::new(db, actor, "jsonl", path, job);
            let lines: Vec<Result<&str, String>> = match &decoded {
                Ok(d) => d.text.split('\n').map(Ok).collect(),
                Err(reason) => bytes
                    .split(|b| *b == b'\n')
                    .map(|l| std::str::from_utf8(l).map_err(|_| format!("unreadable line: the file is {reason}")))
                    .collect(),
            };
            loader.report.encoding = decoded.as_ref().ok().map(|d| d.encoding);
            if let Ok(d) = &decoded
                && crate::catalog::recalls::import::is_json_array(&d.text)
            {
                // A JSON array: the U.S. CPSC recalls as saferproducts.gov answers them.
                loader.source = "cpsc";
                for (line, row) in crate::catalog::recalls::import::read_cpsc(&d.text) {
                    loader.push(line, row.map(|r| Raw::Recall(Box::new(r)))).await?;
                }
                loader.finish().await?;
                progress.finish_and_clear();
                loader.report.rejected.sort_by_key(|r| r.line);
                return Ok(loader.report);
            }
            for (i, line) in lines.into_iter().enumerate() {
                let line_no = i + 1;
                let text = match line {
                    Ok(t) => t,
                    Err(reason) => {
                        loader.reject(line_no, reason);
                        continue;
                    }
                };
                progress.inc(text.len() as u64 + 1);
                let t = text.trim();
                if t.is_empty() {
                    continue;
                }
                loader.push(line_no, parse_jsonl_line(t, dir)).await?;
            }
            loader.finish().await?;
            progress.finish_and_clear();
            loader.report.rejected.sort_by_key(|r| r.line);
            Ok(loader.report)
        }
        "xlsx" | "xls" | "xlsm" | "csv" => {
            let table = Table::read(path)?;
            use crate::catalog::recalls::import as recall_import;
            let (source, rows): (&'static str, Rows) = if recall_import::is_safety_gate(&table) {
                let rows = recall_import::read_safety_gate(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Recall(Box::new(r)))))
                    .collect();
                ("safety-gate", rows)
            } else if recall_import::is_returns_sheet(&table) {
                // Before the export-product and enterprise sheets: a returned-goods list has their columns too.
                let rows = recall_import::read_returns(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Recall(Box::new(r)))))
                    .collect();
                ("returns-sheet", rows)
            } else if is_eping(&table) {
                let rows = read_eping(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Notice(Box::new(r)))))
                    .collect();
                ("eping", rows)
            } else if is_declaration_sheet(&table) {
                // The enterprise standards platform's declarations (统一社会信用代码, 标准编号, 产品/服务名称, ...).
                let rows = read_declarations(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Declaration(Box::new(r)))))
                    .collect();
                ("declaration-sheet", rows)
            } else if is_standards(&table) {
                let rows = read_standards(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Standard(Box::new(r)))))
                    .collect();
                ("standards-sheet", rows)
            } else if table.has("code") && table.has("name") {
                // GB/T 2260 division lists: code, name and the parent's code (cityCode or provinceCode).
                let rows = table
                    .rows
                    .iter()
                    .map(|(line, row)| {
                        let record = DivisionRecord {
                            record_type: None,
                            code: table.get(row, &["code"], false).unwrap_or_default(),
                            name: table.get(row, &["name"], false).unwrap_or_default(),
                            parent_code: table.get(row, &["cityCode", "provinceCode", "parentCode"], false),
                        };
                        (*line, Ok(Raw::Division(Box::new(record))))
                    })
                    .collect();
                ("divisions", rows)
            } else if is_export_sheet(&table) {
                let rows = read_export_products(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::ExportProduct(Box::new(r)))))
                    .collect();
                ("export-sheet", rows)
            } else if let Some(list) = credit_list_of(&table) {
                let rows = read_credit_entries(&table, list)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Listing(Box::new(r), ListingKind::Credit))))
                    .collect();
                ("credit-sheet", rows)
            } else if let Some(kind) = award_kind_of(&table) {
                // Brand and title sheets (品牌类别 / 称号类别), as /exports/brands and /exports/titles write them.
                let rows = read_awards(&table, kind)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Listing(Box::new(r), kind))))
                    .collect();
                ("award-sheet", rows)
            } else if crate::catalog::zones::import::is_zone_sheet(&table) {
                // Zones as /exports/zones writes them (示范区代码, 示范区名称, ..., 建设历程).
                let rows = crate::catalog::zones::import::read_zones(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Zone(Box::new(r)))))
                    .collect();
                ("zone-sheet", rows)
            } else if is_enterprise_sheet(&table) {
                let rows = read_enterprises(&table)
                    .into_iter()
                    .map(|(l, r)| (l, r.map(|r| Raw::Enterprise(Box::new(r)))))
                    .collect();
                ("enterprise-sheet", rows)
            } else {
                anyhow::bail!(
                    "{}: unknown sheet: the header row needs \"Document symbol\" and \"Distribution date\" (ePing export), 标准号 (standards), or 统一社会信用代码 with 企业名称, 产品名称 and HS编码, or a list's 列入…原因 column (enterprises, export products, credit lists), 品牌类别 or 称号类别 (brands, titles), or 示范区代码 with 示范区名称 (zones), 统一社会信用代码 with 标准编号 and 产品/服务名称 (declarations), \"Alert number\" with \"Risk type\" (Safety Gate), or 通报国家/地区 with 退运口岸 or 退运原因 (returned goods)",
                    path.display()
                );
            };
            let name = match table.encoding {
                Some(e) => format!("{name} (read as {e})"),
                None => name,
            };
            let progress = bar(rows.len() as u64, show_progress, name);
            let mut loader = Loader::new(db, actor, source, path, job);
            loader.report.encoding = table.encoding;
            for (line, row) in rows {
                loader.push(line, row).await?;
                progress.inc(1);
            }
            loader.finish().await?;
            progress.finish_and_clear();
            loader.report.rejected.sort_by_key(|r| r.line);
            Ok(loader.report)
        }
        "txt" => {
            // A published policy page: one document; its number, title, issuer and date are read from the text.
            let decoded = encoding::read_text(path)?;
            let record = PolicyRecord::default();
            let mut loader = Loader::new(db, actor, "policy-text", path, job);
            loader.report.encoding = Some(decoded.encoding);
            loader
                .push(1, Ok(Raw::Policy(Box::new(record), Some((name, decoded.text)))))
                .await?;
            loader.finish().await?;
            Ok(loader.report)
        }
        other => anyhow::bail!(
            "{}: unknown file type {other:?}; give .jsonl (JSON Lines), .xlsx, .csv or .txt (a policy page)",
            path.display()
        ),
    }
}

/// The row a record would update, found by its natural key without writing: a guess that lets an audited update
/// read the record as it was before writing it once (`operate::write::put` checks the guess against what the store
/// then did, and falls back to a savepoint when it missed). `None` for a new record, and for records found only by
/// likeness (a policy without a number) or without a row id (divisions).
pub(crate) async fn locate(txn: &DatabaseTransaction, v: &Valid) -> Result<Option<i32>, sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};
    let backend = txn.get_database_backend();
    // Placeholders differ: `?` on SQLite, `$n` on PostgreSQL.
    let ph = |n: usize| match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    };
    let (sql, values): (String, Vec<Value>) = match v {
        Valid::Notice(d) => match d.symbols.first() {
            Some(s) => (
                format!("SELECT notice_id AS id FROM notice_symbol WHERE symbol = {}", ph(1)),
                vec![s.to_string().into()],
            ),
            None => return Ok(None),
        },
        Valid::Standard(d) => (
            format!("SELECT id FROM standard WHERE number = {}", ph(1)),
            vec![d.number.edition().into()],
        ),
        Valid::Enterprise(d) => (
            format!("SELECT id FROM enterprise WHERE credit_code = {}", ph(1)),
            vec![d.credit_code.as_str().to_string().into()],
        ),
        Valid::ExportProduct(d) => (
            format!(
                "SELECT p.id AS id FROM export_product p JOIN enterprise e ON e.id = p.enterprise_id \
                 WHERE e.credit_code = {} AND p.product = {}",
                ph(1),
                ph(2)
            ),
            vec![d.credit_code.as_str().to_string().into(), d.product.clone().into()],
        ),
        Valid::Listing(d) => (
            format!("SELECT id FROM listing WHERE natural_key = {}", ph(1)),
            vec![d.natural_key().into()],
        ),
        Valid::Zone(d) => (
            format!("SELECT id FROM zone WHERE code = {}", ph(1)),
            vec![d.code.clone().into()],
        ),
        Valid::Membership(d) => {
            let base = format!(
                "SELECT m.id AS id FROM zone_membership m JOIN zone z ON z.id = m.zone_id \
                 JOIN enterprise e ON e.id = m.enterprise_id WHERE z.code = {} AND e.credit_code = {}",
                ph(1),
                ph(2)
            );
            let mut values: Vec<Value> = vec![d.zone.clone().into(), d.enterprise.as_str().to_string().into()];
            match d.admitted_on {
                Some(a) => {
                    values.push(a.into());
                    (format!("{base} AND m.admitted_on = {}", ph(3)), values)
                }
                None => (format!("{base} AND m.admitted_on IS NULL"), values),
            }
        }
        Valid::Policy(d) => match &d.document_number {
            Some(n) => (
                format!("SELECT id FROM policy WHERE document_number = {}", ph(1)),
                vec![n.to_string().into()],
            ),
            None => return Ok(None),
        },
        Valid::Division(_) => return Ok(None),
        Valid::Declaration(d) => (
            format!("SELECT id FROM declaration WHERE natural_key = {}", ph(1)),
            vec![d.natural_key().into()],
        ),
        Valid::Recall(d) => (
            format!("SELECT id FROM recall WHERE natural_key = {}", ph(1)),
            vec![d.natural_key().into()],
        ),
    };
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
    }
    Ok(
        Row::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .one(txn)
            .await?
            .map(|r| r.id),
    )
}
