//! `zhiliang import`: files in, records validated, stored in batches; bad rows reported with file, line and
//! reason while the good rows still load.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::catalog::notices::import::read_eping;
use crate::catalog::notices::model::{NoticeData, NoticeRecord};
use crate::catalog::notices::store::{self, Outcome};

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
    pub rejected: Vec<Rejection>,
}

impl Report {
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} rejected",
            self.added,
            self.updated,
            self.rejected.len()
        )
    }
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

/// A JSON Lines record: its `type` decides how it is read.
fn parse_jsonl_line(text: &str) -> Result<NoticeRecord, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let t = value.get("type").and_then(|t| t.as_str()).ok_or("no \"type\" field")?;
    match t {
        "notice" => serde_json::from_value(value).map_err(|e| format!("notice: {e}")),
        other => Err(format!(
            "type {other:?} is not a record type this version imports (known: notice)"
        )),
    }
}

struct Loader<'a> {
    db: &'a DatabaseConnection,
    source: &'static str,
    file: PathBuf,
    pending: Vec<(usize, NoticeData)>,
    report: Report,
}

impl Loader<'_> {
    async fn push(&mut self, line: usize, row: Result<NoticeRecord, String>) -> anyhow::Result<()> {
        match row.and_then(NoticeRecord::validate) {
            Ok(data) => {
                self.pending.push((line, data));
                if self.pending.len() >= BATCH {
                    self.flush().await?;
                }
            }
            Err(reason) => self.report.rejected.push(Rejection {
                file: self.file.clone(),
                line,
                reason,
            }),
        }
        Ok(())
    }

    fn count(&mut self, o: Outcome) {
        match o {
            Outcome::Added => self.report.added += 1,
            Outcome::Updated => self.report.updated += 1,
        }
    }

    /// Writes the batch in one transaction; if that fails, row by row so that one bad row costs only itself.
    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        let txn = self.db.begin().await?;
        let mut outcomes = Vec::with_capacity(rows.len());
        let mut failed = false;
        for (_, data) in &rows {
            match store::upsert(&txn, data, self.source).await {
                Ok((_, o)) => outcomes.push(o),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if !failed {
            txn.commit().await?;
            for o in outcomes {
                self.count(o);
            }
            return Ok(());
        }
        txn.rollback().await?;
        for (line, data) in rows {
            let txn = self.db.begin().await?;
            match store::upsert(&txn, &data, self.source).await {
                Ok((_, o)) => {
                    txn.commit().await?;
                    self.count(o);
                }
                Err(e) => {
                    txn.rollback().await?;
                    self.report.rejected.push(Rejection {
                        file: self.file.clone(),
                        line,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Imports one file: `.jsonl`/`.ndjson` (records with a `type`) or `.xlsx`/`.xls` (the ePing export).
pub async fn import_file(db: &DatabaseConnection, path: &Path, show_progress: bool) -> anyhow::Result<Report> {
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
            let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let progress = bar(size, show_progress, name);
            let mut loader = Loader {
                db,
                source: "jsonl",
                file: path.to_path_buf(),
                pending: Vec::new(),
                report: Report::default(),
            };
            for (i, line) in BufReader::new(file).lines().enumerate() {
                let line_no = i + 1;
                let text = match line {
                    Ok(t) => t,
                    Err(e) => {
                        loader.report.rejected.push(Rejection {
                            file: path.to_path_buf(),
                            line: line_no,
                            reason: format!("unreadable line: {e}"),
                        });
                        continue;
                    }
                };
                progress.inc(text.len() as u64 + 1);
                let t = text.trim();
                if t.is_empty() {
                    continue;
                }
                loader.push(line_no, parse_jsonl_line(t)).await?;
            }
            loader.flush().await?;
            progress.finish_and_clear();
            Ok(loader.report)
        }
        "xlsx" | "xls" | "xlsm" => {
            let rows = read_eping(path)?;
            let progress = bar(rows.len() as u64, show_progress, name);
            let mut loader = Loader {
                db,
                source: "eping-xlsx",
                file: path.to_path_buf(),
                pending: Vec::new(),
                report: Report::default(),
            };
            for (line, row) in rows {
                loader.push(line, row).await?;
                progress.inc(1);
            }
            loader.flush().await?;
            progress.finish_and_clear();
            Ok(loader.report)
        }
        other => anyhow::bail!(
            "{}: unknown file type {other:?}; give .jsonl (JSON Lines) or .xlsx (ePing export)",
            path.display()
        ),
    }
}
