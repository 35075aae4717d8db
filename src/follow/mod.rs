//! Follow (issue 11): watches hear of new notices, follow-ups and deadlines, and are told through their
//! channels. `events` makes the events (the matcher and the reminders); `deliver` sends the queued deliveries
//! with leases, order per watch and back-off; `webhook` and `email` are the channels; the Atom feed and the
//! GraphQL subscriptions read the events directly.

pub mod deliver;
pub mod email;
pub mod entity;
pub mod events;
pub mod limit;
pub mod recalls;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};

use crate::config::Settings;

/// How often the worker makes reminders within a day (on a new day at once).
const REMINDER_EVERY: Duration = Duration::from_secs(600);
/// How often the worker looks for digests due.
const DIGEST_EVERY: Duration = Duration::from_secs(30);

/// The largest reminder day a watch may ask for.
pub const MAX_REMINDER_DAYS: u32 = 60;

/// What the follow worker and the channels need.
#[derive(Clone)]
pub struct FollowContext {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
}

impl FollowContext {
    /// Webhooks build their own client per send (pinned to the address checked), so no client is kept here.
    pub fn new(db: DatabaseConnection, settings: Arc<Settings>) -> FollowContext {
        FollowContext { db, settings }
    }
}

/// Why a delivery did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth another try later (the receiver or SMTP server was down, answered 5xx, timed out).
    #[error("{0}")]
    Retry(String),
    /// Will never work as it stands (the address is refused, the watch is gone); marked failed at once.
    #[error("{0}")]
    Permanent(String),
}

/// The background worker: matches notice changes, makes reminders and digests, sends due deliveries. Several
/// `serve` processes may run it on one database: matching takes rows with `SKIP LOCKED` on PostgreSQL, events are
/// unique per watch, and each delivery is taken under a lease.
pub struct Worker {
    pub ctx: FollowContext,
    pub wake: Arc<Notify>,
    pub shutdown: watch::Receiver<bool>,
}

impl Worker {
    pub async fn run(mut self) {
        let mut failures: u32 = 0;
        let mut last_digests: Option<std::time::Instant> = None;
        let mut last_reminders: Option<(std::time::Instant, chrono::NaiveDate)> = None;
        loop {
            if *self.shutdown.borrow() {
                return;
            }
            let step = async {
                let mut busy = events::match_pending(&self.ctx.db, events::MATCH_BATCH).await? > 0;
                busy |= recalls::match_pending(&self.ctx.db, events::MATCH_BATCH).await? > 0;
                // Reminders are by the day: made when the day changes and every few minutes for the watches and
                // notices added since (each reminder is made once however often this runs). Digests are due at an
                // hour, so they are looked at more often.
                let today = crate::graphql::scalars::today_in_china();
                if last_reminders.is_none_or(|(t, day)| day != today || t.elapsed() >= REMINDER_EVERY) {
                    events::remind(&self.ctx.db, today).await?;
                    last_reminders = Some((std::time::Instant::now(), today));
                }
                if last_digests.is_none_or(|t| t.elapsed() >= DIGEST_EVERY) {
                    last_digests = Some(std::time::Instant::now());
                    email::queue_digests(&self.ctx, chrono::Utc::now()).await?;
                }
                busy |= deliver::send_due(&self.ctx).await? > 0;
                anyhow::Ok(busy)
            };
            let wait = match step.await {
                Ok(true) => {
                    failures = 0;
                    None
                }
                Ok(false) => {
                    failures = 0;
                    Some(Duration::from_millis(500))
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait =
                        Duration::from_millis(250 * 2u64.pow(std::cmp::min(failures, 7))).min(Duration::from_secs(30));
                    tracing::warn!(error = format!("{e:#}"), retry_in = ?wait, "follow worker step failed");
                    Some(wait)
                }
            };
            if let Some(wait) = wait {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.wake.notified() => {}
                    _ = self.shutdown.changed() => {}
                }
            }
        }
    }
}
