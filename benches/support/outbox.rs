//! Waiting for zhiliang's search outbox to empty: every record of a bench's import is then in Meilisearch.

use std::time::{Duration, Instant};

use anyhow::bail;
use sea_orm::DatabaseConnection;
use zhiliang::search::outbox;

/// Waits until the search outbox of `db` is empty. Fails when its count stays the same for `stall` (naming the
/// oldest entry's last error) or when `stopped()` says the sending process is gone; says on stderr what is left
/// every `report` seconds.
pub async fn wait_drained(
    db: &DatabaseConnection,
    stall: Duration,
    report: Duration,
    stopped: impl Fn() -> bool,
) -> anyhow::Result<()> {
    let start = Instant::now();
    let mut last = u64::MAX;
    let mut last_change = Instant::now();
    let mut last_report = Instant::now();
    loop {
        let left = outbox::pending(db).await?;
        if left == 0 {
            return Ok(());
        }
        if left != last {
            last = left;
            last_change = Instant::now();
        } else if last_change.elapsed() > stall {
            let error = outbox::oldest(db).await?.and_then(|o| o.last_error);
            bail!(
                "the search outbox stayed at {left} entries for {} s; last error: {}",
                stall.as_secs(),
                error.as_deref().unwrap_or("none")
            );
        }
        if stopped() {
            bail!("zhiliang stopped while the outbox still held {left} entries");
        }
        if last_report.elapsed() > report {
            eprintln!(
                "bench: {left} outbox entries left after {:.0} s",
                start.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
