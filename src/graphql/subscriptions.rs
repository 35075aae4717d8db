//! The subscription root (`watchEvents`, `noticeAdded`) and `Live`, the one poller per process that feeds it.
//!
//! Events are written by whichever process's follow worker matched them, and notices by whichever process (or
//! `zhiliang import`) wrote them, so a subscriber of one `serve` process must hear rows that another wrote. Each
//! process therefore reads the tables themselves: every `POLL_INTERVAL` one task reads `watch_event.id > last` and
//! `notice.id > last` (one query each, however many subscribers there are) and hands each new row to a tokio
//! broadcast channel; every subscription filters what it receives (its watch, its notice filter). Nothing is
//! read while a process has no subscriber. Polling works the same on SQLite and PostgreSQL; the latency is the
//! follow worker's matching (it wakes every 500 ms) plus at most one poll interval.
//!
//! On PostgreSQL an id can be committed after a larger one (two transactions take ids from one sequence and
//! commit in the other order). The poller remembers the ids it skipped for `GAP_KEEP` and asks for them again, so
//! a late commit is still heard.
//!
//! A subscription hears what is written after it started (ids above the largest at that moment). A subscriber
//! that falls more than `CHANNEL_CAPACITY` rows behind is ended with an error (`SUBSCRIPTION_LAGGED`) rather than
//! silently missing events.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::{Context, Result, Subscription};
use futures_util::Stream;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::{broadcast, oneshot, watch};

use crate::catalog::notices::entity::notice;
use crate::catalog::notices::graphql::NoticeFilter;
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store as notices;
use crate::catalog::watches::graphql::{WatchEvent, by_token};
use crate::context::AppContext;
use crate::error::{ApiError, Code};
use crate::follow::entity::watch_event;

/// How often the tables are read while someone subscribes.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Rows a subscriber may fall behind before it is ended.
pub const CHANNEL_CAPACITY: usize = 1024;
/// Rows read per table and poll.
const POLL_BATCH: u64 = 500;
/// How long an id skipped by the poller is asked for again (a transaction that took it may commit late).
const GAP_KEEP: Duration = Duration::from_secs(30);
/// Most skipped ids remembered per table (the oldest are forgotten first).
const MAX_GAPS: usize = 1_000;

/// One table's feed: the channel, and how far the poller has read.
struct Feed<T> {
    tx: broadcast::Sender<Arc<T>>,
    cursor: Mutex<Cursor>,
}

#[derive(Default)]
struct Cursor {
    /// The largest id read; `None` while nobody listens (the next subscriber sets it).
    last: Option<i32>,
    /// Ids below `last` not seen yet, with when they were first missed.
    gaps: BTreeMap<i32, Instant>,
}

impl<T> Feed<T> {
    fn new() -> Feed<T> {
        Feed {
            tx: broadcast::channel(CHANNEL_CAPACITY).0,
            cursor: Mutex::new(Cursor::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cursor> {
        self.cursor.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A receiver, taken under the cursor's lock so that the poller cannot see "nobody listens" after it.
    fn receiver(&self) -> broadcast::Receiver<Arc<T>> {
        let _cursor = self.lock();
        self.tx.subscribe()
    }

    /// The largest id when a subscriber started: where the poller starts if it was idle.
    fn start_at(&self, baseline: i32) {
        let mut c = self.lock();
        if c.last.is_none() {
            c.last = Some(baseline);
        }
    }

    /// What to read: ids above `last` and the gaps still worth asking for; `None` while nobody listens.
    fn pending(&self) -> Option<(i32, Vec<i32>)> {
        let mut c = self.lock();
        if self.tx.receiver_count() == 0 {
            *c = Cursor::default();
            return None;
        }
        let now = Instant::now();
        c.gaps.retain(|_, at| now.duration_since(*at) < GAP_KEEP);
        let last = c.last?;
        Some((last, c.gaps.keys().copied().collect()))
    }

    /// Records the ids read (ascending): gaps filled, new gaps below the new `last`.
    fn advance(&self, from: i32, ids: &[i32]) {
        let mut c = self.lock();
        if c.last != Some(from) {
            return;
        }
        let now = Instant::now();
        let mut last = from;
        for &id in ids {
            if id <= from {
                c.gaps.remove(&id);
                continue;
            }
            for missing in (last + 1..id).rev().take(MAX_GAPS) {
                c.gaps.insert(missing, now);
            }
            last = last.max(id);
        }
        while c.gaps.len() > MAX_GAPS {
            c.gaps.pop_first();
        }
        c.last = Some(last);
    }

    fn send(&self, item: T) {
        // An error only means that nobody listens any more.
        let _ = self.tx.send(Arc::new(item));
    }
}

struct Inner {
    db: DatabaseConnection,
    shutdown: watch::Receiver<bool>,
    running: AtomicBool,
    events: Feed<watch_event::Model>,
    notices: Feed<Notice>,
}

/// The poller of one process and the channels of its subscribers (see the module text). Cheap to clone.
#[derive(Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

impl Live {
    /// A poller that starts with the first subscription and stops when `shutdown` turns true.
    pub fn new(db: DatabaseConnection, shutdown: watch::Receiver<bool>) -> Live {
        Live {
            inner: Arc::new(Inner {
                db,
                shutdown,
                running: AtomicBool::new(false),
                events: Feed::new(),
                notices: Feed::new(),
            }),
        }
    }

    fn ensure_running(&self) {
        if !self.inner.running.swap(true, Ordering::SeqCst) {
            tokio::spawn(self.inner.clone().run());
        }
    }

    /// A receiver that completes when the server stops.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.clone()
    }
}

impl Inner {
    async fn run(self: Arc<Inner>) {
        let mut shutdown = self.shutdown.clone();
        let mut failures: u32 = 0;
        loop {
            if *shutdown.borrow() {
                return;
            }
            let wait = match self.poll().await {
                Ok(()) => {
                    failures = 0;
                    POLL_INTERVAL
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait = (POLL_INTERVAL * 2u32.pow(failures.min(6))).min(Duration::from_secs(30));
                    tracing::warn!(error = format!("{e:#}"), retry_in = ?wait, "subscription poll failed");
                    wait
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                r = shutdown.changed() => if r.is_err() { return },
            }
        }
    }

    async fn poll(&self) -> anyhow::Result<()> {
        if let Some((last, gaps)) = self.events.pending() {
            let mut cond = Condition::any().add(watch_event::Column::Id.gt(last));
            if !gaps.is_empty() {
                cond = cond.add(watch_event::Column::Id.is_in(gaps));
            }
            let rows = watch_event::Entity::find()
                .filter(cond)
                .order_by_asc(watch_event::Column::Id)
                .limit(POLL_BATCH)
                .all(&self.db)
                .await?;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            self.events.advance(last, &ids);
            for r in rows {
                self.events.send(r);
            }
        }
        if let Some((last, gaps)) = self.notices.pending() {
            let mut cond = Condition::any().add(notice::Column::Id.gt(last));
            if !gaps.is_empty() {
                cond = cond.add(notice::Column::Id.is_in(gaps));
            }
            let ids: Vec<i32> = notice::Entity::find()
                .select_only()
                .column(notice::Column::Id)
                .filter(cond)
                .order_by_asc(notice::Column::Id)
                .limit(POLL_BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            if !ids.is_empty() {
                let found = notices::by_ids(&self.db, &ids).await?;
                self.notices.advance(last, &ids);
                for n in found {
                    self.notices.send(n);
                }
            }
        }
        Ok(())
    }
}

/// The largest id of a table now (0 when empty).
async fn max_id<E: EntityTrait>(db: &DatabaseConnection, column: E::Column) -> anyhow::Result<i32> {
    use sea_orm::sea_query::ExprTrait;
    let max: Option<Option<i32>> = E::find()
        .select_only()
        .expr(Expr::col(column).max())
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// Put in a subscription request's data by the WebSocket handler: told once the subscription listens (or has
/// failed), so that the handler reads the connection's next message only then.
#[derive(Default)]
pub struct Started(Mutex<Option<oneshot::Sender<()>>>);

impl Started {
    pub fn new() -> (Arc<Started>, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        (Arc::new(Started(Mutex::new(Some(tx)))), rx)
    }

    pub fn set(&self) {
        if let Some(tx) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(());
        }
    }

    /// Whether the subscription got as far as listening.
    pub fn is_set(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

fn started(ctx: &Context<'_>) {
    if let Some(s) = ctx.data_opt::<Arc<Started>>() {
        s.set();
    }
}

fn live<'a>(ctx: &'a Context<'_>) -> Result<&'a Live, ApiError> {
    ctx.data_opt::<Live>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the schema has no subscription poller")))
}

/// The stream of one subscription: what `pick` keeps of the feed, until the server stops; an error and the end
/// when the subscriber fell behind.
fn follow<T, U, P>(
    rx: broadcast::Receiver<Arc<T>>,
    shutdown: watch::Receiver<bool>,
    pick: P,
) -> impl Stream<Item = Result<U>> + Send + 'static
where
    T: Send + Sync + 'static,
    U: Send + 'static,
    P: Fn(&T) -> Option<Result<U>> + Send + 'static,
{
    futures_util::stream::unfold(Some((rx, shutdown, pick)), |state| async move {
        let (mut rx, mut shutdown, pick) = state?;
        loop {
            tokio::select! {
                r = rx.recv() => match r {
                    Ok(item) => {
                        if let Some(out) = pick(&item) {
                            return Some((out, Some((rx, shutdown, pick))));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        let e = ApiError::user(
                            Code::SubscriptionLagged,
                            format!(
                                "this subscription fell {n} rows behind the server (it keeps at most \
                                 {CHANNEL_CAPACITY}) and is ended; subscribe again (`watch(token:) {{ events }}` \
                                 lists what a watch heard)"
                            ),
                        );
                        return Some((Err(e.into()), None));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                r = shutdown.changed() => if r.is_err() || *shutdown.borrow() { return None },
            }
        }
    })
}

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// The events of the watch this token manages, as they are made (`WATCH_NOT_FOUND` if none): the same
    /// `WatchEvent`s as `watch(token:) { events }`, from the moment of subscribing.
    async fn watch_events(&self, ctx: &Context<'_>, token: String) -> Result<impl Stream<Item = Result<WatchEvent>>> {
        let app = ctx.data_unchecked::<AppContext>();
        let live = live(ctx)?;
        let watch = by_token(app, &token).await?;
        drop(token);
        let feed = &live.inner.events;
        let rx = feed.receiver();
        let baseline = max_id::<watch_event::Entity>(&app.db, watch_event::Column::Id)
            .await
            .map_err(ApiError::from)?;
        feed.start_at(baseline);
        live.ensure_running();
        started(ctx);
        let watch_id = watch.id;
        Ok(follow(rx, live.shutdown(), move |row: &watch_event::Model| {
            (row.id > baseline && row.watch_id == watch_id)
                .then(|| WatchEvent::from_row(row).map_err(|e| ApiError::from(e).into()))
        }))
    }

    /// Notices added from the moment of subscribing that pass `filter` (the same filter, with the same meaning,
    /// as `notices(filter:)`; `BAD_USER_INPUT` for a malformed one). A notice changed later is not sent again.
    async fn notice_added(
        &self,
        ctx: &Context<'_>,
        filter: Option<NoticeFilter>,
    ) -> Result<impl Stream<Item = Result<Notice>>> {
        let app = ctx.data_unchecked::<AppContext>();
        let live = live(ctx)?;
        let query = filter.unwrap_or_default().to_query()?;
        let feed = &live.inner.notices;
        let rx = feed.receiver();
        let baseline = max_id::<notice::Entity>(&app.db, notice::Column::Id)
            .await
            .map_err(ApiError::from)?;
        feed.start_at(baseline);
        live.ensure_running();
        started(ctx);
        Ok(follow(rx, live.shutdown(), move |n: &Notice| {
            (n.id > baseline && notices::matches(&query, n)).then(|| Ok(n.clone()))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_remembers_skipped_ids_and_forgets_filled_ones() {
        let feed: Feed<()> = Feed::new();
        let _rx = feed.receiver();
        feed.start_at(10);
        assert_eq!(feed.pending(), Some((10, vec![])));
        feed.advance(10, &[11, 14]);
        assert_eq!(feed.pending(), Some((14, vec![12, 13])));
        feed.advance(14, &[12, 15]);
        assert_eq!(feed.pending(), Some((15, vec![13])));
        // A subscriber coming later does not move the cursor back.
        feed.start_at(3);
        assert_eq!(feed.pending(), Some((15, vec![13])));
    }

    #[test]
    fn nobody_listening_resets_the_cursor() {
        let feed: Feed<()> = Feed::new();
        let rx = feed.receiver();
        feed.start_at(5);
        feed.advance(5, &[7]);
        drop(rx);
        assert_eq!(feed.pending(), None);
        let _rx = feed.receiver();
        assert_eq!(feed.pending(), None, "waits for the subscriber's baseline");
        feed.start_at(40);
        assert_eq!(feed.pending(), Some((40, vec![])));
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_and_ended() {
        use futures_util::StreamExt;
        let (tx, rx) = broadcast::channel(2);
        let (_stop, shutdown) = watch::channel(false);
        let stream = follow(rx, shutdown, |x: &i32| (*x % 2 == 0).then_some(Ok(*x)));
        for i in 0..5 {
            tx.send(Arc::new(i)).unwrap();
        }
        let items: Vec<Result<i32>> = stream.collect().await;
        assert_eq!(items.len(), 1, "an error, then the end");
        let e = items[0].as_ref().unwrap_err();
        assert!(e.message.contains("fell 3 rows behind"), "{}", e.message);
        let code = e.extensions.as_ref().and_then(|x| x.get("code").cloned());
        assert_eq!(code, Some(async_graphql::Value::from("SUBSCRIPTION_LAGGED")));
    }

    #[tokio::test]
    async fn a_subscription_ends_when_the_server_stops() {
        use futures_util::StreamExt;
        let (tx, rx) = broadcast::channel(8);
        let (stop, shutdown) = watch::channel(false);
        let mut stream = Box::pin(follow(rx, shutdown, |x: &i32| Some(Ok(*x))));
        tx.send(Arc::new(7)).unwrap();
        assert_eq!(stream.next().await.map(|r| r.unwrap()), Some(7));
        stop.send(true).unwrap();
        assert!(stream.next().await.is_none());
    }

    #[test]
    fn gaps_are_bounded() {
        let feed: Feed<()> = Feed::new();
        let _rx = feed.receiver();
        feed.start_at(0);
        feed.advance(0, &[5_000]);
        let (last, gaps) = feed.pending().unwrap();
        assert_eq!(last, 5_000);
        assert_eq!(gaps.len(), MAX_GAPS);
        assert_eq!(gaps.last(), Some(&4_999));
    }
}
