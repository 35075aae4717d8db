//! Sending queued deliveries. A delivery is taken under a lease (so several processes never send the same one at
//! once), only when it is the oldest pending one of its watch and channel (so a receiver gets events in order),
//! and is marked sent only after its channel said so: a process killed mid-send leaves it pending, and it is sent
//! again when the lease runs out (at least once; the event id lets a receiver drop a repeat). A failure is retried
//! after the waits of `Settings::webhook_retry_secs`, then marked failed, and a failed webhook is shown on the watch.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::{delivery, watch_event};
use super::{FollowContext, SendError, email, webhook};
use crate::catalog::watches::entity::watch;

/// Deliveries taken in one round.
const ROUND: u64 = 64;
/// Deliveries sent at once (to different watches or channels).
const PARALLEL: usize = 8;
/// How long a taken delivery stays with its process; longer than any send can take.
pub const LEASE_SECS: i64 = 120;
/// How long a paused watch's deliveries wait before they are looked at again.
const PAUSED_WAIT_SECS: i64 = 60;

/// Sends one round of due deliveries; returns how many it looked at.
pub async fn send_due(ctx: &FollowContext) -> anyhow::Result<usize> {
    let now = Utc::now();
    let earlier = Alias::new("earlier");
    let older_pending = Query::select()
        .expr(Expr::val(1))
        .from_as(delivery::Entity, earlier.clone())
        .and_where(
            Expr::col((earlier.clone(), delivery::Column::WatchId))
                .equals((delivery::Entity, delivery::Column::WatchId)),
        )
        .and_where(
            Expr::col((earlier.clone(), delivery::Column::Channel))
                .equals((delivery::Entity, delivery::Column::Channel)),
        )
        .and_where(Expr::col((earlier.clone(), delivery::Column::Status)).eq("pending"))
        .and_where(
            Expr::col((earlier.clone(), delivery::Column::Id)).lt(Expr::col((delivery::Entity, delivery::Column::Id))),
        )
        .to_owned();
    let due = delivery::Entity::find()
        .filter(delivery::Column::Status.eq("pending"))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(delivery::Column::LeaseUntil.is_null())
                .add(delivery::Column::LeaseUntil.lt(now)),
        )
        .filter(Condition::all().add(Expr::exists(older_pending)).not())
        .order_by_asc(delivery::Column::Id)
        .limit(ROUND)
        .all(&ctx.db)
        .await?;
    let n = due.len();
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(due)
        .map(|d| async move { take_and_send(ctx, d, now).await })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for r in results {
        r?;
    }
    Ok(n)
}

/// Takes the lease of one delivery (unless another process took it first) and sends it.
async fn take_and_send(ctx: &FollowContext, d: delivery::Model, now: DateTime<Utc>) -> anyhow::Result<()> {
    let lease = now + chrono::Duration::seconds(LEASE_SECS);
    let taken = delivery::Entity::update_many()
        .col_expr(delivery::Column::LeaseUntil, Expr::value(lease))
        .filter(delivery::Column::Id.eq(d.id))
        .filter(delivery::Column::Status.eq("pending"))
        .filter(
            Condition::any()
                .add(delivery::Column::LeaseUntil.is_null())
                .add(delivery::Column::LeaseUntil.lt(now)),
        )
        .exec(&ctx.db)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(());
    }
    let Some(w) = watch::Entity::find_by_id(d.watch_id).one(&ctx.db).await? else {
        return finish(ctx, d, None, Err(SendError::Permanent("the watch was deleted".into()))).await;
    };
    if w.paused {
        let mut a = d.into_active_model();
        a.lease_until = Set(None);
        a.next_attempt_at = Set(now + chrono::Duration::seconds(PAUSED_WAIT_SECS));
        a.update(&ctx.db).await?;
        return Ok(());
    }
    let outcome = match d.channel.as_str() {
        "webhook" => match d.event_id {
            Some(eid) => match watch_event::Entity::find_by_id(eid).one(&ctx.db).await? {
                Some(event) => webhook::send(ctx, &w, &event).await,
                None => Err(SendError::Permanent(format!("event {eid} is gone"))),
            },
            None => Err(SendError::Permanent("a webhook delivery without an event".into())),
        },
        "email" | "digest" | "confirm" => email::send(ctx, &w, &d).await,
        other => Err(SendError::Permanent(format!("unknown channel {other:?}"))),
    };
    finish(ctx, d, Some(w), outcome).await
}

/// Records what became of a delivery.
async fn finish(
    ctx: &FollowContext,
    d: delivery::Model,
    w: Option<watch::Model>,
    outcome: Result<(), SendError>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let channel = d.channel.clone();
    let attempts = d.attempts + 1;
    let mut a = d.clone().into_active_model();
    a.attempts = Set(attempts);
    a.lease_until = Set(None);
    if d.first_attempt_at.is_none() {
        a.first_attempt_at = Set(Some(now));
    }
    let failed = match &outcome {
        Ok(()) => {
            a.status = Set("sent".into());
            a.sent_at = Set(Some(now));
            a.last_error = Set(None);
            None
        }
        Err(e) => {
            let message: String = e.to_string().chars().take(500).collect();
            a.last_error = Set(Some(message.clone()));
            let wait = match e {
                SendError::Retry(_) => ctx.settings.webhook_retry_secs.get(d.attempts as usize).copied(),
                SendError::Permanent(_) => None,
            };
            match wait {
                Some(secs) => {
                    a.next_attempt_at = Set(now + chrono::Duration::seconds(secs as i64));
                    None
                }
                None => {
                    a.status = Set("failed".into());
                    Some(message)
                }
            }
        }
    };
    // The delivery's state and the watch's failure state change together: no reader sees one without the other.
    let txn = crate::db::begin_write(&ctx.db).await?;
    a.update(&txn).await?;
    if channel == "webhook"
        && let Some(w) = w
    {
        match (&outcome, failed) {
            (_, Some(message)) => {
                tracing::warn!(watch = w.id, delivery = d.id, error = %message, "webhook delivery given up");
                let mut wa = w.into_active_model();
                wa.webhook_failed_at = Set(Some(now));
                wa.webhook_last_error = Set(Some(message));
                wa.update(&txn).await?;
            }
            (Ok(()), None) if w.webhook_failed_at.is_some() || w.webhook_last_error.is_some() => {
                let mut wa = w.into_active_model();
                wa.webhook_failed_at = Set(None);
                wa.webhook_last_error = Set(None);
                wa.update(&txn).await?;
            }
            _ => {}
        }
    }
    crate::db::commit(txn).await?;
    Ok(())
}

/// Counts of a watch's deliveries on one channel by status: (pending, sent, failed).
pub async fn counts(
    ctx_db: &sea_orm::DatabaseConnection,
    watch_id: i32,
    channel: &str,
) -> anyhow::Result<(u64, u64, u64)> {
    let rows: Vec<(String, i64)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Status)
        .column_as(Expr::col(delivery::Column::Id).count(), "n")
        .filter(delivery::Column::WatchId.eq(watch_id))
        .filter(delivery::Column::Channel.eq(channel))
        .group_by(delivery::Column::Status)
        .into_tuple()
        .all(ctx_db)
        .await?;
    let get = |s: &str| rows.iter().find(|(k, _)| k == s).map(|(_, n)| *n as u64).unwrap_or(0);
    Ok((get("pending"), get("sent"), get("failed")))
}
