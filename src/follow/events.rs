//! What watches hear: every notice write leaves a `notice_change` row in its own transaction; the matcher turns
//! each into events of the watches it concerns (a new match, or a follow-up of a chain the watch matched) and
//! queues their deliveries, in one transaction that also removes the change. Reminders come from the comment
//! deadlines in force. Events are unique per watch (`dedup`), so a retried batch or a second process makes none
//! twice.
//!
//! Matching looks up only the watches that can match: each watch is filed under keys taken from its filter (its
//! HS prefixes, else its members, else its ICS prefixes, else `*`), and a notice is looked up under every prefix of
//! its codes and its members. Each candidate is then tested with `notices::store::matches`, the same test as the
//! listing's SQL.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::entity::{delivery, notice_change, watch_event, watch_key};
use crate::catalog::codes::to_simplified;
use crate::catalog::notices::model::{Notice, NoticeKind};
use crate::catalog::notices::store::{self as notices, NoticeQuery};
use crate::catalog::watches::entity::watch;
use crate::catalog::watches::model::Watch;

/// Notice changes matched in one transaction.
pub const MATCH_BATCH: u64 = 200;
/// The key of watches whose filter names no HS code, member or ICS code: looked at for every notice.
pub const ANY_KEY: &str = "*";
/// Keys or ids per `IN (...)` list, well under SQLite's and PostgreSQL's limits on bound values.
const IN_CHUNK: usize = 500;

/// What kind of event a watch heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    /// A notice that matches the watch's filter was added (or changed so that it now matches).
    NewNotice,
    /// An addendum, revision or corrigendum of a notice the watch matched.
    FollowUp,
    /// The comment deadline in force of a notice the watch matched is near.
    Reminder,
    /// A foreign recall, border rejection or returned export of the watch's HS codes and markets (`follow::recalls`).
    Recall,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::NewNotice => "NEW_NOTICE",
            EventKind::FollowUp => "FOLLOW_UP",
            EventKind::Reminder => "REMINDER",
            EventKind::Recall => "RECALL",
        }
    }
}

/// An event as stored (`watch_event.detail`) and as sent to webhooks, e-mail and subscriptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDetail {
    pub kind: EventKind,
    /// The notice the event is about (the follow-up itself, for `FOLLOW_UP`).
    pub symbol: String,
    pub base_symbol: String,
    pub member: String,
    /// `REGULAR`, `ADDENDUM`, ...
    pub notice_kind: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub distribution_date: NaiveDate,
    /// The comment deadline in force of the notice's chain after this event.
    pub deadline_in_force: Option<NaiveDate>,
    /// For `FOLLOW_UP`: why the follow-up was issued (`COMMENT_PERIOD_CHANGED`, `MEASURE_ADOPTED`, ...).
    #[serde(default)]
    pub addendum_reasons: Vec<String>,
    /// For `FOLLOW_UP`: the symbol of the notice of the chain the watch matched.
    pub follow_up_of: Option<String>,
    /// For `REMINDER`: whole days from today (Asia/Shanghai) to the deadline.
    pub days_left: Option<i64>,
    pub hs_codes: Vec<String>,
    /// For `RECALL`: the recall's row id (`symbol` is its reference, `member` the notifying country, `noticeKind`
    /// the recall's kind, `distributionDate` the day it was notified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall_id: Option<i32>,
}

impl EventDetail {
    fn of(kind: EventKind, n: &Notice, deadline: Option<NaiveDate>) -> EventDetail {
        let d = &n.data;
        EventDetail {
            kind,
            symbol: d.primary_symbol().to_string(),
            base_symbol: d.primary_symbol().base().to_string(),
            member: d.member.clone(),
            notice_kind: d.kind.as_str().to_string(),
            title_zh: d.title_zh.clone(),
            title_en: d.title_en.clone(),
            distribution_date: d.distribution_date,
            deadline_in_force: deadline,
            addendum_reasons: Vec::new(),
            follow_up_of: None,
            days_left: None,
            hs_codes: d.hs_codes.clone(),
            recall_id: None,
        }
    }

    /// A title to show: Chinese, else English, else the symbol.
    pub fn title(&self) -> &str {
        self.title_zh
            .as_deref()
            .or(self.title_en.as_deref())
            .unwrap_or(&self.symbol)
    }

    /// One line in Chinese saying what happened, for e-mail subjects and feed titles.
    pub fn summary_zh(&self) -> String {
        match self.kind {
            EventKind::NewNotice => format!("新通报 {}：{}", self.symbol, self.title()),
            EventKind::FollowUp => {
                let reasons: Vec<&str> = self.addendum_reasons.iter().map(|r| reason_zh(r)).collect();
                let what = if reasons.is_empty() {
                    "后续通报".to_string()
                } else {
                    reasons.join("、")
                };
                let deadline = match (
                    self.addendum_reasons.iter().any(|r| r == "COMMENT_PERIOD_CHANGED"),
                    self.deadline_in_force,
                ) {
                    (true, Some(d)) => format!("，评议截止日改为 {d}"),
                    _ => String::new(),
                };
                format!("{}（{}{}）：{}", self.symbol, what, deadline, self.title())
            }
            EventKind::Recall => {
                let what = match self.notice_kind.as_str() {
                    "RETURNED_GOODS" => "出口退运",
                    "BORDER_REJECTION" => "国外拒绝入境",
                    _ => "国外通报召回",
                };
                let country = crate::catalog::notices::members::member(&self.member)
                    .name_zh
                    .unwrap_or_else(|| self.member.clone());
                format!("{what}（{country} {}）：{}", self.symbol, self.title())
            }
            EventKind::Reminder => format!(
                "评议截止提醒：{} 还有 {} 天（{}）：{}",
                self.symbol,
                self.days_left.unwrap_or_default(),
                self.deadline_in_force.map(|d| d.to_string()).unwrap_or_default(),
                self.title()
            ),
        }
    }
}

/// The Chinese words for an addendum reason (its code when unknown).
pub fn reason_zh(code: &str) -> &str {
    match code {
        "COMMENT_PERIOD_CHANGED" => "评议期变更",
        "MEASURE_ADOPTED" => "措施已通过",
        "MEASURE_PUBLISHED" => "措施已发布",
        "ENTERED_INTO_FORCE" => "措施已生效",
        "WITHDRAWN" => "措施已撤回",
        "CONTENT_CHANGED" => "内容修改",
        "INTERPRETIVE_GUIDANCE" => "解释性指南",
        "OTHER" => "其他",
        other => other,
    }
}

/// Queues a written notice for matching. Call in the transaction that wrote it.
pub async fn record_change<C: ConnectionTrait>(txn: &C, notice_id: i32) -> Result<(), sea_orm::DbErr> {
    notice_change::Entity::insert(notice_change::ActiveModel {
        id: NotSet,
        notice_id: Set(notice_id),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// `record_change` for several notices in multi-row inserts, in the order given.
pub async fn record_changes<C: ConnectionTrait>(txn: &C, notice_ids: &[i32]) -> Result<(), sea_orm::DbErr> {
    let now = Utc::now();
    for chunk in notice_ids.chunks(1_000) {
        let rows = chunk.iter().map(|id| notice_change::ActiveModel {
            id: NotSet,
            notice_id: Set(*id),
            created_at: Set(now),
        });
        crate::db::bulk::insert(txn, rows.collect(), &[]).await?;
    }
    Ok(())
}

/// Notice and recall changes not yet matched.
pub async fn pending<C: ConnectionTrait>(db: &C) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    let recalls = crate::catalog::recalls::entity::recall_change::Entity::find()
        .count(db)
        .await?;
    Ok(notice_change::Entity::find().count(db).await? + recalls)
}

/// The keys a watch is filed under: a notice can match only if it has one of them.
pub fn watch_keys(q: &NoticeQuery) -> Vec<String> {
    let mut keys: Vec<String> = if !q.hs_prefixes.is_empty() {
        q.hs_prefixes.iter().map(|p| format!("hs:{p}")).collect()
    } else if !q.members.is_empty() {
        q.members.iter().map(|m| format!("m:{m}")).collect()
    } else if !q.ics_prefixes.is_empty() {
        q.ics_prefixes.iter().map(|p| format!("ics:{p}")).collect()
    } else {
        vec![ANY_KEY.to_string()]
    };
    keys.sort();
    keys.dedup();
    keys
}

/// Every key under which a watch that can match this notice is filed.
pub fn notice_keys(n: &Notice) -> Vec<String> {
    let d = &n.data;
    let mut keys = vec![ANY_KEY.to_string()];
    for c in &d.hs_codes {
        for end in 1..=c.len() {
            if c.is_char_boundary(end) {
                keys.push(format!("hs:{}", &c[..end]));
            }
        }
    }
    for c in &d.ics_codes {
        for end in 1..=c.len() {
            if c.is_char_boundary(end) {
                keys.push(format!("ics:{}", &c[..end]));
            }
        }
    }
    for s in &d.symbols {
        keys.push(format!("m:{}", s.member().unwrap_or(&d.member)));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Files a watch under the keys of its filter, replacing the old ones. Call in the transaction that wrote it.
pub async fn set_keys<C: ConnectionTrait>(txn: &C, watch_id: i32, q: &NoticeQuery) -> Result<(), sea_orm::DbErr> {
    watch_key::Entity::delete_many()
        .filter(watch_key::Column::WatchId.eq(watch_id))
        .exec(txn)
        .await?;
    watch_key::Entity::insert_many(watch_keys(q).into_iter().map(|key| watch_key::ActiveModel {
        key: Set(key),
        watch_id: Set(watch_id),
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Whether a notice holds every word of a watch's text query (simplified, case-folded) in its titles,
/// descriptions, products, keywords, symbols or codes. No query matches everything.
pub fn text_matches(query: Option<&str>, n: &Notice) -> bool {
    let Some(q) = query else { return true };
    let d = &n.data;
    let mut hay = String::new();
    for part in [
        d.title_zh.as_deref(),
        d.title_en.as_deref(),
        d.title_original.as_deref(),
        d.description_zh.as_deref(),
        d.description_en.as_deref(),
        d.products_text.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        hay.push_str(part);
        hay.push('\n');
    }
    for k in d.keywords.iter().chain(&d.hs_codes).chain(&d.ics_codes) {
        hay.push_str(k);
        hay.push('\n');
    }
    for s in &d.symbols {
        hay.push_str(&s.to_string());
        hay.push('\n');
    }
    let hay = to_simplified(&hay).to_lowercase();
    to_simplified(q)
        .to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w) || hay.contains(&w.replace('.', "")))
}

/// A watch as the matcher sees it: its row and the query its filter means.
pub struct Candidate {
    pub row: watch::Model,
    pub query: NoticeQuery,
}

impl Candidate {
    fn matches(&self, n: &Notice) -> bool {
        notices::matches(&self.query, n) && text_matches(self.row.query.as_deref(), n)
    }
}

fn chunks<T: Clone>(v: &[T]) -> impl Iterator<Item = Vec<T>> + '_ {
    v.chunks(IN_CHUNK).map(|c| c.to_vec())
}

/// The watches filed under any of these keys, with their queries; a watch whose stored filter no longer reads is
/// skipped with a warning.
pub async fn candidates<C: ConnectionTrait>(db: &C, keys: &[String]) -> anyhow::Result<BTreeMap<i32, Candidate>> {
    let mut ids = BTreeSet::new();
    for chunk in chunks(keys) {
        let rows = watch_key::Entity::find()
            .filter(watch_key::Column::Key.is_in(chunk))
            .all(db)
            .await?;
        ids.extend(rows.into_iter().map(|r| r.watch_id));
    }
    watches_by_ids(db, &ids.into_iter().collect::<Vec<_>>()).await
}

async fn watches_by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<BTreeMap<i32, Candidate>> {
    let mut out = BTreeMap::new();
    for chunk in chunks(ids) {
        for row in watch::Entity::find()
            .filter(watch::Column::Id.is_in(chunk))
            .all(db)
            .await?
        {
            let w = Watch::from_row(row.clone())?;
            match w.notice_query() {
                Ok(query) => {
                    out.insert(row.id, Candidate { row, query });
                }
                Err(e) => tracing::warn!(watch = row.id, error = %e.message(), "a watch's stored filter does not read"),
            }
        }
    }
    Ok(out)
}

/// A new event for a watch (and its deliveries), unless the watch has one with this dedup key already.
/// Returns the new event's id.
pub async fn add_event<C: ConnectionTrait>(
    txn: &C,
    w: &watch::Model,
    notice_id: i32,
    dedup: &str,
    detail: &EventDetail,
) -> anyhow::Result<Option<i32>> {
    let exists = watch_event::Entity::find()
        .filter(watch_event::Column::WatchId.eq(w.id))
        .filter(watch_event::Column::Dedup.eq(dedup))
        .one(txn)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    insert_event(txn, w, notice_id, dedup, detail).await.map(Some)
}

/// Inserts an event the caller knows to be new, and queues its deliveries.
async fn insert_event<C: ConnectionTrait>(
    txn: &C,
    w: &watch::Model,
    notice_id: i32,
    dedup: &str,
    detail: &EventDetail,
) -> anyhow::Result<i32> {
    let now = Utc::now();
    let id = watch_event::Entity::insert(watch_event::ActiveModel {
        id: NotSet,
        watch_id: Set(w.id),
        notice_id: Set(notice_id),
        kind: Set(detail.kind.as_str().to_string()),
        dedup: Set(dedup.to_string()),
        detail: Set(serde_json::to_string(detail)?),
        created_at: Set(now),
    })
    .exec(txn)
    .await?
    .last_insert_id;
    if !w.paused {
        if w.webhook_url.is_some() {
            queue_delivery(txn, w.id, Some(id), "webhook", None).await?;
        }
        if w.email.is_some() && w.email_confirmed_at.is_some() && w.email_mode == "immediate" {
            queue_delivery(txn, w.id, Some(id), "email", None).await?;
        }
    }
    Ok(id)
}

/// Queues one delivery, due now.
pub async fn queue_delivery<C: ConnectionTrait>(
    txn: &C,
    watch_id: i32,
    event_id: Option<i32>,
    channel: &str,
    period: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    let now = Utc::now();
    delivery::Entity::insert(delivery::ActiveModel {
        id: NotSet,
        watch_id: Set(watch_id),
        event_id: Set(event_id),
        channel: Set(channel.to_string()),
        period: Set(period),
        status: Set("pending".to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        first_attempt_at: Set(None),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The comment deadline in force of a notice's chain: that of its base notice when stored, else its own.
fn chain_deadline(n: &Notice, chain: &[Notice]) -> Option<NaiveDate> {
    let base = n.data.primary_symbol().base().to_string();
    chain
        .iter()
        .find(|c| c.data.primary_symbol().to_string() == base)
        .map(|c| c.deadline_in_force)
        .unwrap_or(n.deadline_in_force)
}

fn is_follow_up(n: &Notice) -> bool {
    !n.data.primary_symbol().suffixes().is_empty()
        || matches!(
            n.data.kind,
            NoticeKind::Addendum | NoticeKind::Corrigendum | NoticeKind::Revision
        )
}

/// The watches one batch can reach: loaded once, each filter read once, found by key in memory.
#[derive(Default)]
struct Pool {
    by_key: HashMap<String, Vec<i32>>,
    watches: HashMap<i32, Candidate>,
}

impl Pool {
    /// Loads the watches filed under any of `keys`.
    async fn load<C: ConnectionTrait>(txn: &C, keys: &BTreeSet<String>) -> anyhow::Result<Pool> {
        let mut pool = Pool::default();
        let keys: Vec<String> = keys.iter().cloned().collect();
        for chunk in chunks(&keys) {
            for r in watch_key::Entity::find()
                .filter(watch_key::Column::Key.is_in(chunk))
                .all(txn)
                .await?
            {
                pool.by_key.entry(r.key).or_default().push(r.watch_id);
            }
        }
        let ids: BTreeSet<i32> = pool.by_key.values().flatten().copied().collect();
        pool.add(txn, &ids.into_iter().collect::<Vec<_>>()).await?;
        Ok(pool)
    }

    /// Loads these watches too, where not loaded yet.
    async fn add<C: ConnectionTrait>(&mut self, txn: &C, ids: &[i32]) -> anyhow::Result<()> {
        let missing: Vec<i32> = ids
            .iter()
            .copied()
            .filter(|id| !self.watches.contains_key(id))
            .collect();
        self.watches.extend(watches_by_ids(txn, &missing).await?);
        Ok(())
    }

    /// The loaded watches filed under this notice's keys.
    fn candidates(&self, n: &Notice) -> BTreeSet<i32> {
        notice_keys(n)
            .iter()
            .filter_map(|k| self.by_key.get(k))
            .flatten()
            .copied()
            .filter(|id| self.watches.contains_key(id))
            .collect()
    }
}

/// A queue's next rows for this transaction: on PostgreSQL locked, and a second process takes the rows after
/// them instead of waiting (SQLite has one writer at a time).
pub(crate) fn claim<E: sea_orm::EntityTrait>(
    find: sea_orm::Select<E>,
    txn: &sea_orm::DatabaseTransaction,
) -> sea_orm::Select<E> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        find.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        )
    } else {
        find
    }
}

/// Matches one batch of notice changes; returns how many changes it consumed (0: none pending).
pub async fn match_pending(db: &DatabaseConnection, batch: u64) -> anyhow::Result<usize> {
    let txn = crate::db::begin_write(db).await?;
    let find = notice_change::Entity::find()
        .order_by_asc(notice_change::Column::Id)
        .limit(batch);
    let changes = claim(find, &txn).all(&txn).await?;
    if changes.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    let mut ids: Vec<i32> = changes.iter().map(|c| c.notice_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let written = notices::by_ids(&txn, &ids).await?;
    // The other notices of the chains that follow-ups belong to.
    let mut chains: HashMap<i32, Vec<Notice>> = HashMap::new();
    for n in written.iter().filter(|n| is_follow_up(n)) {
        let mut bases: Vec<String> = n.data.symbols.iter().map(|s| s.base().to_string()).collect();
        bases.sort();
        bases.dedup();
        chains.insert(n.id, notices::chain(&txn, &bases).await?);
    }
    let mut keys: BTreeSet<String> = written.iter().flat_map(notice_keys).collect();
    keys.extend(chains.values().flatten().flat_map(notice_keys));
    let mut pool = Pool::load(&txn, &keys).await?;
    // Events the batch's notices have made already (a change matched again makes none twice).
    let mut known: HashSet<(i32, String)> = HashSet::new();
    for chunk in chunks(&ids) {
        let rows: Vec<(i32, String)> = watch_event::Entity::find()
            .select_only()
            .column(watch_event::Column::WatchId)
            .column(watch_event::Column::Dedup)
            .filter(watch_event::Column::NoticeId.is_in(chunk))
            .into_tuple()
            .all(&txn)
            .await?;
        known.extend(rows);
    }
    for n in &written {
        let chain = chains.get(&n.id).map(Vec::as_slice).unwrap_or_default();
        match_notice(&txn, n, chain, &mut pool, &mut known).await?;
    }
    notice_change::Entity::delete_many()
        .filter(notice_change::Column::Id.is_in(changes.iter().map(|c| c.id).collect::<Vec<_>>()))
        .exec(&txn)
        .await?;
    crate::db::commit(txn).await?;
    Ok(changes.len())
}

/// The events one written notice makes. `chain` holds its chain when it is a follow-up (else nothing).
async fn match_notice<C: ConnectionTrait>(
    txn: &C,
    n: &Notice,
    chain: &[Notice],
    pool: &mut Pool,
    known: &mut HashSet<(i32, String)>,
) -> anyhow::Result<()> {
    let deadline = if chain.is_empty() {
        n.deadline_in_force
    } else {
        chain_deadline(n, chain)
    };
    let direct = pool.candidates(n);
    // The watches that follow the chain: those that matched another notice of it, by filter or by an event.
    let mut followed: HashMap<i32, String> = HashMap::new();
    if !chain.is_empty() {
        let others: Vec<&Notice> = chain.iter().filter(|c| c.id != n.id).collect();
        for c in &others {
            for id in pool.candidates(c) {
                if !followed.contains_key(&id) && pool.watches[&id].matches(c) {
                    followed.insert(id, c.data.primary_symbol().to_string());
                }
            }
        }
        let other_ids: Vec<i32> = others.iter().map(|c| c.id).collect();
        for chunk in chunks(&other_ids) {
            let rows: Vec<(i32, i32)> = watch_event::Entity::find()
                .select_only()
                .column(watch_event::Column::WatchId)
                .column(watch_event::Column::NoticeId)
                .filter(watch_event::Column::NoticeId.is_in(chunk))
                .into_tuple()
                .all(txn)
                .await?;
            for (watch_id, notice_id) in rows {
                let symbol = others
                    .iter()
                    .find(|c| c.id == notice_id)
                    .map(|c| c.data.primary_symbol().to_string())
                    .unwrap_or_default();
                followed.entry(watch_id).or_insert(symbol);
            }
        }
        pool.add(txn, &followed.keys().copied().collect::<Vec<_>>()).await?;
    }
    let mut reached: BTreeSet<i32> = direct;
    reached.extend(followed.keys().copied().filter(|id| pool.watches.contains_key(id)));
    let dedup = format!("notice:{}", n.id);
    for id in reached {
        let cand = &pool.watches[&id];
        // A notice stored before the watch was made is not news to it, however often it is imported again.
        if n.created_at < cand.row.created_at || known.contains(&(id, dedup.clone())) {
            continue;
        }
        let follows = followed.get(&id);
        if follows.is_none() && !cand.matches(n) {
            continue;
        }
        let detail = match follows {
            Some(of) => EventDetail {
                addendum_reasons: n.data.addendum_reasons.iter().map(|r| r.as_str().to_string()).collect(),
                follow_up_of: Some(of.clone()),
                ..EventDetail::of(EventKind::FollowUp, n, deadline)
            },
            None => EventDetail::of(EventKind::NewNotice, n, deadline),
        };
        insert_event(txn, &cand.row, n.id, &dedup, &detail).await?;
        known.insert((id, dedup.clone()));
    }
    Ok(())
}

/// The reminder (one of the watch's days) due when `left` days remain: the smallest reminder day at or above
/// `left`, so a watch made five days before the deadline hears the 7-day reminder once, not both.
pub fn reminder_due(days: &[u32], left: i64) -> Option<u32> {
    if left < 0 {
        return None;
    }
    days.iter().copied().filter(|d| i64::from(*d) >= left).min()
}

/// Reminder days of a stored watch (`[7,2]` when unreadable).
pub fn reminder_days(w: &watch::Model) -> Vec<u32> {
    serde_json::from_str(&w.reminder_days).unwrap_or_else(|_| vec![7, 2])
}

/// Adds the reminders due on `today` (Asia/Shanghai): for every notice distributed by today whose comment
/// deadline in force is within the largest reminder day, to each watch that matches it or follows its chain.
/// Returns how many events it made.
pub async fn remind(db: &DatabaseConnection, today: NaiveDate) -> anyhow::Result<usize> {
    use crate::catalog::notices::entity::notice;
    let horizon = today + chrono::Days::new(u64::from(super::MAX_REMINDER_DAYS));
    let ids: Vec<i32> = notice::Entity::find()
        .select_only()
        .column(notice::Column::Id)
        .filter(notice::Column::DeadlineInForce.between(today, horizon))
        .filter(notice::Column::DistributionDate.lte(today))
        .into_tuple()
        .all(db)
        .await?;
    let mut made = 0;
    for chunk in chunks(&ids) {
        let txn = crate::db::begin_write(db).await?;
        for n in notices::by_ids(&txn, &chunk).await? {
            let Some(deadline) = n.deadline_in_force else { continue };
            let left = (deadline - today).num_days();
            let mut watches = candidates(&txn, &notice_keys(&n)).await?;
            watches.retain(|_, c| c.matches(&n));
            let heard: Vec<i32> = watch_event::Entity::find()
                .filter(watch_event::Column::NoticeId.eq(n.id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|e| e.watch_id)
                .filter(|id| !watches.contains_key(id))
                .collect();
            watches.extend(watches_by_ids(&txn, &heard).await?);
            for cand in watches.values() {
                let Some(day) = reminder_due(&reminder_days(&cand.row), left) else {
                    continue;
                };
                let dedup = format!("reminder:{}:{deadline}:{day}", n.data.primary_symbol().base());
                let detail = EventDetail {
                    days_left: Some(left),
                    ..EventDetail::of(EventKind::Reminder, &n, Some(deadline))
                };
                if add_event(&txn, &cand.row, n.id, &dedup, &detail).await?.is_some() {
                    made += 1;
                }
            }
        }
        crate::db::commit(txn).await?;
    }
    Ok(made)
}
