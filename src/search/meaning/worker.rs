//! The embedding worker of `serve`: takes the texts waiting for a vector, a few at a time, embeds them and stores
//! the vectors (which queues their records for the search outbox). `zhiliang embed` runs the same steps until
//! nothing waits, with a progress bar.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};

use super::Meaning;
use super::store::{progress, queue_missing, save, waiting};
use crate::search::Family;

/// Texts embedded in one step: the local engine spreads a batch over the cores; a small batch keeps a query that
/// arrives meanwhile from waiting long for a core.
pub const BATCH: u64 = 8;

/// Embeds one batch of waiting texts; returns how many were taken (0: none waits).
pub async fn step(db: &DatabaseConnection, meaning: &Arc<Meaning>, batch: u64) -> anyhow::Result<usize> {
    let rows = waiting(db, batch).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    // Each row's text holds its texts one a line; all are embedded in one batch and each row's put together.
    let counts: Vec<usize> = rows.iter().map(|r| r.text.lines().count()).collect();
    let texts: Vec<String> = rows.iter().flat_map(|r| r.text.lines().map(str::to_string)).collect();
    let mut embedded = meaning.passages(texts).await?.into_iter();
    let vectors: Vec<Vec<f32>> = counts
        .iter()
        .map(|n| embedded.by_ref().take(*n).flatten().collect())
        .collect();
    save(db, &rows, &vectors).await?;
    Ok(rows.len())
}

pub struct Worker {
    pub db: DatabaseConnection,
    pub meaning: Arc<Meaning>,
    /// Wakes the search outbox after vectors are stored.
    pub outbox: Arc<Notify>,
    pub shutdown: watch::Receiver<bool>,
    /// The families whose records get vectors.
    pub families: &'static [&'static dyn Family],
}

impl Worker {
    pub async fn run(mut self) {
        let mut failures: u32 = 0;
        // Records written before the embedder was configured have no row yet: queue them once.
        for f in self.families {
            match queue_missing(&self.db, &self.meaning, *f).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    kind = f.kind(),
                    queued = n,
                    "embedding: records without a vector queued"
                ),
                Err(e) => tracing::warn!(
                    error = format!("{e:#}"),
                    "embedding: could not queue records without a vector"
                ),
            }
        }
        loop {
            if *self.shutdown.borrow() {
                return;
            }
            let idle = match step(&self.db, &self.meaning, BATCH).await {
                Ok(0) => {
                    failures = 0;
                    Some(Duration::from_secs(2))
                }
                Ok(_) => {
                    failures = 0;
                    self.outbox.notify_one();
                    None
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait = Duration::from_secs(2u64.pow(failures.min(6)));
                    tracing::warn!(error = format!("{e:#}"), retry_in = ?wait, "embedding: a batch failed");
                    Some(wait)
                }
            };
            if let Some(wait) = idle {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.shutdown.changed() => {}
                }
            }
        }
    }
}

/// Queues the records without a vector, then embeds every waiting text, with a progress bar on standard error
/// (when it is a terminal); returns how many.
pub async fn embed_all(
    db: &DatabaseConnection,
    meaning: &Arc<Meaning>,
    families: &[&'static dyn Family],
    show: bool,
) -> anyhow::Result<u64> {
    for f in families {
        queue_missing(db, meaning, *f).await?;
    }
    let total = progress(db).await?.waiting;
    let bar = if show {
        indicatif::ProgressBar::new(total)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("embedding {bar:40} {pos}/{len} documents, {per_sec}, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut done = 0u64;
    loop {
        let n = step(db, meaning, 32).await?;
        if n == 0 {
            break;
        }
        done += n as u64;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Ok(done)
}
