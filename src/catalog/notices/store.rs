//! Notice storage: upsert with its outbox entry in one transaction, lookups, filtered keyset listing.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, Query};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryTrait,
};

use super::entity::{notice, notice_hs, notice_ics, notice_objective, notice_symbol};
use super::model::{self, AddendumReason, Notice, NoticeArea, NoticeData, NoticeKind, NoticeObjective};
use super::symbol::NoticeSymbol;
use crate::catalog::like;
use crate::catalog::paging;
pub use crate::catalog::paging::{Page, PageRequest, Position};
use crate::db::bulk;
use crate::search::outbox;

/// The outbox kind of a notice: queued entries carry it, so it is never renamed.
pub const OUTBOX: &str = "notice";

/// What a listing of notices may be narrowed by; every part is ANDed, lists inside a part are ORed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeQuery {
    pub area: Option<NoticeArea>,
    pub kinds: Vec<NoticeKind>,
    pub members: Vec<String>,
    /// HS code prefixes (digits): `9503` matches `950300`.
    pub hs_prefixes: Vec<String>,
    /// ICS code prefixes: `97.200` matches `97.200.50`.
    pub ics_prefixes: Vec<String>,
    pub distributed_from: Option<NaiveDate>,
    pub distributed_to: Option<NaiveDate>,
    /// Distributed on or before this day and the comment deadline in force not yet passed.
    pub open_for_comment_on: Option<NaiveDate>,
    pub objectives: Vec<NoticeObjective>,
    pub base_symbol: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    DistributionDate,
    Symbol,
}

impl Notice {
    /// The position of this notice in a listing sorted by `field`.
    pub fn position(&self, field: SortField) -> Position {
        let key: sea_orm::Value = match field {
            SortField::DistributionDate => self.data.distribution_date.into(),
            SortField::Symbol => self.data.primary_symbol().to_string().into(),
        };
        Position { key, id: self.id }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
}

#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    #[error("symbols {0} already belong to different notices; split or merge them by hand")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

fn strs<T: Copy>(v: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    v.iter().map(|x| f(*x)).collect()
}

/// Inserts or updates the notice that holds any of these symbols, and queues it for search, in `txn`. The
/// comment deadlines in force of its chain (before and after the change) are recomputed in the same
/// transaction, and the notices whose deadline changed are queued too.
pub async fn upsert<C: ConnectionTrait>(
    txn: &C,
    data: &NoticeData,
    source: &str,
) -> Result<(i32, Outcome), UpsertError> {
    let symbols: Vec<String> = data.symbols.iter().map(|s| s.to_string()).collect();
    let existing = notice_symbol::Entity::find()
        .filter(notice_symbol::Column::Symbol.is_in(symbols.clone()))
        .all(txn)
        .await?;
    let mut ids: Vec<i32> = existing.iter().map(|r| r.notice_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > 1 {
        return Err(UpsertError::Conflict(symbols.join(", ")));
    }
    // A notice that was stored under a different primary symbol: match that too.
    let mut id = ids.first().copied();
    if id.is_none()
        && let Some(row) = notice::Entity::find()
            .filter(notice::Column::PrimarySymbol.eq(symbols[0].clone()))
            .one(txn)
            .await?
    {
        id = Some(row.id);
    }
    // The chains the notice belonged to before this write: a follow-up that leaves one must be forgotten there.
    let mut bases: Vec<String> = match id {
        Some(id) => notice_symbol::Entity::find()
            .filter(notice_symbol::Column::NoticeId.eq(id))
            .all(txn)
            .await?
            .into_iter()
            .map(|r| r.base_symbol)
            .collect(),
        None => Vec::new(),
    };
    bases.extend(data.symbols.iter().map(|s| s.base().to_string()));
    bases.sort_unstable();
    bases.dedup();
    let now = Utc::now();
    let mut am = active_model(data, &symbols, source, now);
    let (id, outcome) = match id {
        Some(id) => {
            am.id = Set(id);
            am.created_at = NotSet;
            notice::Entity::update(am).exec(txn).await?;
            for del in [
                notice_symbol::Entity::delete_many()
                    .filter(notice_symbol::Column::NoticeId.eq(id))
                    .build(txn.get_database_backend()),
                notice_hs::Entity::delete_many()
                    .filter(notice_hs::Column::NoticeId.eq(id))
                    .build(txn.get_database_backend()),
                notice_ics::Entity::delete_many()
                    .filter(notice_ics::Column::NoticeId.eq(id))
                    .build(txn.get_database_backend()),
                notice_objective::Entity::delete_many()
                    .filter(notice_objective::Column::NoticeId.eq(id))
                    .build(txn.get_database_backend()),
            ] {
                txn.execute_raw(del).await?;
            }
            (id, Outcome::Updated)
        }
        None => (
            notice::Entity::insert(am).exec(txn).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    notice_symbol::Entity::insert_many(symbol_rows(data, id))
        .exec_without_returning(txn)
        .await?;
    let mut children = Children::default();
    children.add(data, id);
    children.write(txn).await?;
    outbox::enqueue(txn, OUTBOX, id).await?;
    crate::follow::events::record_change(txn, id).await?;
    for other in refresh_deadlines(txn, &bases, id, now).await? {
        outbox::enqueue(txn, OUTBOX, other).await?;
        // A new deadline can make it match watches it did not (`openForCommentOn`).
        crate::follow::events::record_change(txn, other).await?;
    }
    Ok((id, outcome))
}

/// The row of a notice, new (`id` not set) or written again.
fn active_model(
    data: &NoticeData,
    symbols: &[String],
    source: &str,
    now: chrono::DateTime<Utc>,
) -> notice::ActiveModel {
    notice::ActiveModel {
        id: NotSet,
        primary_symbol: Set(symbols[0].clone()),
        base_symbol: Set(data.primary_symbol().base().to_string()),
        area: Set(data.area.as_str().into()),
        kind: Set(data.kind.as_str().into()),
        member: Set(data.member.clone()),
        local_government: Set(data.local_government.clone()),
        agency: Set(data.agency.clone()),
        articles: Set(json(&data.articles)),
        distribution_date: Set(data.distribution_date),
        comment_deadline: Set(data.comment_deadline),
        comment_deadline_text: Set(data.comment_deadline_text.clone()),
        comment_deadline_derived: Set(data.comment_deadline_derived),
        // The notice's own until its chain is looked at below.
        deadline_in_force: Set(data.comment_deadline),
        deadline_set_by: Set(None),
        proposed_adoption_date: Set(data.proposed_adoption_date),
        proposed_adoption_date_text: Set(data.proposed_adoption_date_text.clone()),
        proposed_entry_into_force_date: Set(data.proposed_entry_into_force_date),
        proposed_entry_into_force_date_text: Set(data.proposed_entry_into_force_date_text.clone()),
        title_zh: Set(data.title_zh.clone()),
        title_en: Set(data.title_en.clone()),
        title_original: Set(data.title_original.clone()),
        original_language: Set(data.original_language.clone()),
        description_zh: Set(data.description_zh.clone()),
        description_en: Set(data.description_en.clone()),
        products_text: Set(data.products_text.clone()),
        symbols: Set(json(&symbols)),
        hs_codes: Set(json(&data.hs_codes)),
        ics_codes: Set(json(&data.ics_codes)),
        objectives: Set(json(&strs(&data.objectives, NoticeObjective::as_str))),
        keywords: Set(json(&data.keywords)),
        documents: Set(json(&data.documents)),
        addendum_reasons: Set(json(&strs(&data.addendum_reasons, AddendumReason::as_str))),
        regions_affected: Set(json(&data.regions_affected)),
        source: Set(source.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn symbol_rows(data: &NoticeData, id: i32) -> impl Iterator<Item = notice_symbol::ActiveModel> + '_ {
    data.symbols
        .iter()
        .enumerate()
        .map(move |(i, s)| notice_symbol::ActiveModel {
            symbol: Set(s.to_string()),
            notice_id: Set(id),
            base_symbol: Set(s.base().to_string()),
            member: Set(s.member().unwrap_or(&data.member).to_string()),
            position: Set(i as i32),
        })
}

/// The HS codes, ICS codes and objectives of notices, gathered to be written in one statement per table (nothing
/// an import reads while it writes a batch looks at them).
#[derive(Default)]
pub struct Children {
    hs: Vec<notice_hs::ActiveModel>,
    ics: Vec<notice_ics::ActiveModel>,
    objectives: Vec<notice_objective::ActiveModel>,
}

impl Children {
    pub fn add(&mut self, data: &NoticeData, id: i32) {
        self.hs.extend(data.hs_codes.iter().map(|c| notice_hs::ActiveModel {
            notice_id: Set(id),
            code: Set(c.clone()),
        }));
        self.ics.extend(data.ics_codes.iter().map(|c| notice_ics::ActiveModel {
            notice_id: Set(id),
            code: Set(c.clone()),
        }));
        self.objectives
            .extend(data.objectives.iter().map(|o| notice_objective::ActiveModel {
                notice_id: Set(id),
                objective: Set(o.as_str().to_string()),
            }));
    }

    pub async fn write<C: ConnectionTrait>(&mut self, txn: &C) -> Result<(), sea_orm::DbErr> {
        for chunk in std::mem::take(&mut self.hs).chunks(CHUNK) {
            bulk::insert(txn, chunk.to_vec(), &[]).await?;
        }
        for chunk in std::mem::take(&mut self.ics).chunks(CHUNK) {
            bulk::insert(txn, chunk.to_vec(), &[]).await?;
        }
        for chunk in std::mem::take(&mut self.objectives).chunks(CHUNK) {
            bulk::insert(txn, chunk.to_vec(), &[]).await?;
        }
        Ok(())
    }
}

/// What an import knows of the stored notices while it writes a batch: the symbols, first symbols and base symbols
/// stored when the batch began (looked up for the whole batch at once), and those the batch wrote since. A notice
/// none of whose symbols is known is new; one whose bases are unknown is alone in its chains.
#[derive(Debug, Default)]
pub struct Known {
    symbols: std::collections::HashSet<String>,
    primaries: std::collections::HashSet<String>,
    bases: std::collections::HashSet<String>,
}

impl Known {
    /// Looks up the symbols of these notices: three queries for the whole batch.
    pub async fn load<'a, C: ConnectionTrait>(
        txn: &C,
        notices: impl Iterator<Item = &'a NoticeData>,
    ) -> Result<Known, sea_orm::DbErr> {
        use sea_orm::QuerySelect;
        let (mut symbols, mut primaries, mut bases) = (Vec::new(), Vec::new(), Vec::new());
        for d in notices {
            symbols.extend(d.symbols.iter().map(|s| s.to_string()));
            primaries.push(d.primary_symbol().to_string());
            bases.extend(d.symbols.iter().map(|s| s.base().to_string()));
        }
        let mut known = Known::default();
        for chunk in symbols.chunks(CHUNK) {
            let found: Vec<String> = notice_symbol::Entity::find()
                .select_only()
                .column(notice_symbol::Column::Symbol)
                .filter(notice_symbol::Column::Symbol.is_in(chunk.to_vec()))
                .into_tuple()
                .all(txn)
                .await?;
            known.symbols.extend(found);
        }
        for chunk in primaries.chunks(CHUNK) {
            let found: Vec<String> = notice::Entity::find()
                .select_only()
                .column(notice::Column::PrimarySymbol)
                .filter(notice::Column::PrimarySymbol.is_in(chunk.to_vec()))
                .into_tuple()
                .all(txn)
                .await?;
            known.primaries.extend(found);
        }
        bases.sort_unstable();
        bases.dedup();
        for chunk in bases.chunks(CHUNK) {
            let found: Vec<String> = notice_symbol::Entity::find()
                .select_only()
                .column(notice_symbol::Column::BaseSymbol)
                .distinct()
                .filter(notice_symbol::Column::BaseSymbol.is_in(chunk.to_vec()))
                .into_tuple()
                .all(txn)
                .await?;
            known.bases.extend(found);
        }
        Ok(known)
    }

    /// Whether no stored notice holds any of these symbols (nor has the first as its primary symbol).
    pub fn is_new(&self, d: &NoticeData) -> bool {
        !self.primaries.contains(&d.primary_symbol().to_string())
            && !d.symbols.iter().any(|s| self.symbols.contains(&s.to_string()))
    }

    /// Whether another stored notice may share a chain with this one.
    pub fn chained(&self, d: &NoticeData) -> bool {
        d.symbols.iter().any(|s| self.bases.contains(&s.base().to_string()))
    }

    /// Notes a notice written (or about to be): its symbols are stored from now on.
    pub fn note(&mut self, d: &NoticeData) {
        self.primaries.insert(d.primary_symbol().to_string());
        for s in &d.symbols {
            self.symbols.insert(s.to_string());
            self.bases.insert(s.base().to_string());
        }
    }
}

/// Rows in one multi-row INSERT: far below either backend's limit on bound values.
const CHUNK: usize = 1_000;

/// A new notice of an import batch: none of its symbols is stored, nor a notice under its first symbol.
pub struct NewNotice<'a> {
    pub data: &'a NoticeData,
    /// Another notice (stored, or before it in the batch) shares a base symbol with it: its write recomputes the
    /// comment deadlines of its chains, as `upsert` does.
    pub chained: bool,
}

/// What [`insert_batch`] wrote.
#[derive(Debug, Default)]
pub struct BatchWritten {
    /// The new notices' ids, in the order given.
    pub ids: Vec<i32>,
    /// The notices to queue (search outbox and watch matcher), in the order `upsert` writing them one by one
    /// queues them: each new notice, then the others whose deadline in force its
    /// write changed.
    pub queued: Vec<i32>,
    /// The deadline in force (and the follow-up that set it) that a new notice had right after its own write,
    /// for each one whose deadline a later notice of the batch changed: the audit trail records each notice as
    /// its own write left it.
    pub as_written: std::collections::HashMap<i32, (Option<NaiveDate>, Option<i32>)>,
}

/// Notices written again in one UPDATE: five bound values each (the id twice in the CASEs, in the list, and the
/// two values), within SQLite's 32,766.
const AGAIN_CHUNK: usize = 1_000;

/// Notices in one multi-row INSERT: 37 columns each, within SQLite's 32,766 bound values.
const NOTICE_CHUNK: usize = 500;

/// Inserts new notices (each as `upsert` would, in the order given) in multi-row statements; their codes go
/// to `children`. The comment deadlines of the chains that the `chained` ones join are worked out in memory as the
/// writes one by one would leave them (the stored notices of those chains read once), and only the notices whose
/// deadline in force changed are written again. Queues nothing: see [`BatchWritten`].
pub async fn insert_batch<C: ConnectionTrait>(
    txn: &C,
    notices: &[NewNotice<'_>],
    source: &str,
    children: &mut Children,
) -> Result<BatchWritten, sea_orm::DbErr> {
    use std::collections::{HashMap, HashSet};
    let mut out = BatchWritten::default();
    if notices.is_empty() {
        return Ok(out);
    }
    let now = Utc::now();
    let symbols: Vec<Vec<String>> = notices
        .iter()
        .map(|n| n.data.symbols.iter().map(|s| s.to_string()).collect())
        .collect();
    for (chunk, chunk_symbols) in notices.chunks(NOTICE_CHUNK).zip(symbols.chunks(NOTICE_CHUNK)) {
        let rows: Vec<notice::ActiveModel> = chunk
            .iter()
            .zip(chunk_symbols)
            .map(|(n, s)| active_model(n.data, s, source, now))
            .collect();
        let returned = bulk::insert(txn, rows, &[notice::Column::Id, notice::Column::PrimarySymbol]).await?;
        // Matched by first symbol (unique), not by the order the rows come back in.
        let mut by_primary: HashMap<String, i32> = HashMap::with_capacity(chunk.len());
        for row in returned {
            by_primary.insert(row.try_get("", "primary_symbol")?, row.try_get("", "id")?);
        }
        for s in chunk_symbols {
            let id = by_primary
                .get(&s[0])
                .copied()
                .ok_or_else(|| sea_orm::DbErr::Custom(format!("notice {} was not returned by its insert", s[0])))?;
            out.ids.push(id);
        }
    }
    let symbol_models: Vec<notice_symbol::ActiveModel> = notices
        .iter()
        .zip(&out.ids)
        .flat_map(|(n, id)| symbol_rows(n.data, *id))
        .collect();
    for chunk in symbol_models.chunks(CHUNK) {
        bulk::insert(txn, chunk.to_vec(), &[]).await?;
    }
    for (n, id) in notices.iter().zip(&out.ids) {
        children.add(n.data, *id);
    }

    // The chains: every base symbol of a chained notice, and the stored notices that have one of them.
    let bases_of = |d: &NoticeData| -> Vec<String> {
        let mut b: Vec<String> = d.symbols.iter().map(|s| s.base().to_string()).collect();
        b.sort_unstable();
        b.dedup();
        b
    };
    let chained_bases: HashSet<String> = notices
        .iter()
        .filter(|n| n.chained)
        .flat_map(|n| bases_of(n.data))
        .collect();
    if chained_bases.is_empty() {
        out.queued = out.ids.clone();
        return Ok(out);
    }
    let new_ids: HashSet<i32> = out.ids.iter().copied().collect();
    let wanted: Vec<String> = chained_bases.iter().cloned().collect();
    let mut stored_pairs: Vec<(i32, String)> = Vec::new();
    for chunk in wanted.chunks(CHUNK) {
        let rows = notice_symbol::Entity::find()
            .filter(notice_symbol::Column::BaseSymbol.is_in(chunk.to_vec()))
            .all(txn)
            .await?;
        stored_pairs.extend(
            rows.into_iter()
                .filter(|r| !new_ids.contains(&r.notice_id))
                .map(|r| (r.notice_id, r.base_symbol)),
        );
    }
    let mut stored_ids: Vec<i32> = stored_pairs.iter().map(|(id, _)| *id).collect();
    stored_ids.sort_unstable();
    stored_ids.dedup();
    let mut stored = Vec::new();
    for chunk in stored_ids.chunks(CHUNK) {
        stored.extend(
            by_ids(txn, chunk)
                .await
                .map_err(|e| sea_orm::DbErr::Custom(format!("reading the chains of a batch of notices: {e:#}")))?,
        );
    }

    // The notices of these chains as the writes one by one see them: the stored ones from the start, each new one
    // from its own write on.
    let mut chains = Chains::default();
    for n in stored {
        let bases: Vec<String> = stored_pairs
            .iter()
            .filter(|(id, _)| *id == n.id)
            .map(|(_, b)| b.clone())
            .collect();
        chains.add(n, bases);
    }
    for (n, id) in notices.iter().zip(&out.ids) {
        let bases = bases_of(n.data);
        if bases.iter().any(|b| chained_bases.contains(b)) {
            chains.add(
                Notice {
                    id: *id,
                    data: n.data.clone(),
                    deadline_in_force: n.data.comment_deadline,
                    deadline_set_by: None,
                    source: source.to_string(),
                    created_at: now,
                    updated_at: now,
                },
                bases.clone(),
            );
        }
        out.queued.push(*id);
        if n.chained {
            out.queued.extend(chains.refresh(&bases, *id));
        }
        if let Some(&i) = chains.index.get(id) {
            let m = &chains.members[i].notice;
            out.as_written.insert(*id, (m.deadline_in_force, m.deadline_set_by));
        }
    }
    // Written again: those whose deadline ended other than as stored or inserted, in one statement per chunk.
    let again: Vec<&Notice> = chains
        .members
        .iter()
        .filter(|m| (m.notice.deadline_in_force, m.notice.deadline_set_by) != m.written)
        .map(|m| &m.notice)
        .collect();
    for chunk in again.chunks(AGAIN_CHUNK) {
        let mut deadline = CaseStatement::new();
        let mut set_by = CaseStatement::new();
        for n in chunk {
            deadline = deadline.case(notice::Column::Id.eq(n.id), Expr::value(n.deadline_in_force));
            set_by = set_by.case(notice::Column::Id.eq(n.id), Expr::value(n.deadline_set_by));
        }
        // A row the list names always matches one WHEN; the ELSE keeps what it holds all the same.
        let deadline = deadline.finally(Expr::col(notice::Column::DeadlineInForce));
        let set_by = set_by.finally(Expr::col(notice::Column::DeadlineSetBy));
        notice::Entity::update_many()
            .col_expr(notice::Column::DeadlineInForce, deadline.into())
            .col_expr(notice::Column::DeadlineSetBy, set_by.into())
            .col_expr(notice::Column::UpdatedAt, Expr::value(now))
            .filter(notice::Column::Id.is_in(chunk.iter().map(|n| n.id)))
            .exec(txn)
            .await?;
    }
    // What a new notice had after its own write matters only where it differs from what it has now.
    out.as_written.retain(|id, state| {
        chains.index.get(id).is_some_and(|&i| {
            (
                chains.members[i].notice.deadline_in_force,
                chains.members[i].notice.deadline_set_by,
            ) != *state
        })
    });
    Ok(out)
}

/// The notices of some chains held in memory while a batch is written (see `insert_batch`).
#[derive(Default)]
struct Chains {
    members: Vec<ChainMember>,
    index: std::collections::HashMap<i32, usize>,
    by_base: std::collections::HashMap<String, Vec<usize>>,
}

struct ChainMember {
    notice: Notice,
    /// The deadline in force and its setter as the database holds them now.
    written: (Option<NaiveDate>, Option<i32>),
}

impl Chains {
    fn add(&mut self, notice: Notice, bases: Vec<String>) {
        let i = self.members.len();
        self.index.insert(notice.id, i);
        for b in bases {
            let list = self.by_base.entry(b).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
        let written = (notice.deadline_in_force, notice.deadline_set_by);
        self.members.push(ChainMember { notice, written });
    }

    /// `refresh_deadlines` in memory: recomputes the deadline in force of every notice of these chains, in the
    /// chain's order, and returns those other than `written` that changed.
    fn refresh(&mut self, bases: &[String], written: i32) -> Vec<i32> {
        let mut at: Vec<usize> = bases
            .iter()
            .filter_map(|b| self.by_base.get(b))
            .flatten()
            .copied()
            .collect();
        at.sort_unstable();
        at.dedup();
        at.sort_by_cached_key(|&i| {
            let n = &self.members[i].notice;
            (n.data.distribution_date, n.data.primary_symbol().to_string(), n.id)
        });
        let chain: Vec<Notice> = at.iter().map(|&i| self.members[i].notice.clone()).collect();
        let mut others = Vec::new();
        for (&i, n) in at.iter().zip(&chain) {
            let (deadline, set_by) = model::deadline_in_force(n, &chain);
            let m = &mut self.members[i].notice;
            if (deadline, set_by) == (m.deadline_in_force, m.deadline_set_by) {
                continue;
            }
            m.deadline_in_force = deadline;
            m.deadline_set_by = set_by;
            if m.id != written {
                others.push(m.id);
            }
        }
        others
    }
}

/// Recomputes the comment deadline in force of every notice of these chains (base symbols) and stores the ones
/// that changed, with a new `updated_at`. Returns the ones other than `written` that changed, to be queued again.
async fn refresh_deadlines<C: ConnectionTrait>(
    txn: &C,
    bases: &[String],
    written: i32,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<i32>, sea_orm::DbErr> {
    let chain = chain(txn, bases)
        .await
        .map_err(|e| sea_orm::DbErr::Custom(format!("reading the chain of notice {written}: {e:#}")))?;
    let mut others = Vec::new();
    for n in &chain {
        let (deadline, set_by) = model::deadline_in_force(n, &chain);
        if (deadline, set_by) == (n.deadline_in_force, n.deadline_set_by) {
            continue;
        }
        notice::Entity::update_many()
            .col_expr(notice::Column::DeadlineInForce, Expr::value(deadline))
            .col_expr(notice::Column::DeadlineSetBy, Expr::value(set_by))
            .col_expr(notice::Column::UpdatedAt, Expr::value(now))
            .filter(notice::Column::Id.eq(n.id))
            .exec(txn)
            .await?;
        if n.id != written {
            others.push(n.id);
        }
    }
    Ok(others)
}

fn parse_list<T>(text: &str, what: &str, f: impl Fn(&str) -> Option<T>) -> anyhow::Result<Vec<T>> {
    let raw: Vec<String> = serde_json::from_str(text).map_err(|e| anyhow::anyhow!("stored {what} unreadable: {e}"))?;
    raw.iter()
        .map(|s| f(s).ok_or_else(|| anyhow::anyhow!("stored {what} {s:?} unreadable")))
        .collect()
}

fn from_model(m: notice::Model) -> anyhow::Result<Notice> {
    let symbols = parse_list(&m.symbols, "symbol", |s| NoticeSymbol::parse(s).ok())?;
    if symbols.is_empty() {
        anyhow::bail!("notice {} has no symbol", m.id);
    }
    let area = if m.area == "SPS" {
        NoticeArea::Sps
    } else {
        NoticeArea::Tbt
    };
    Ok(Notice {
        id: m.id,
        data: NoticeData {
            symbols,
            area,
            kind: NoticeKind::parse(&m.kind).unwrap_or(NoticeKind::Regular),
            member: m.member,
            local_government: m.local_government,
            agency: m.agency,
            articles: serde_json::from_str(&m.articles)?,
            distribution_date: m.distribution_date,
            comment_deadline: m.comment_deadline,
            comment_deadline_text: m.comment_deadline_text,
            comment_deadline_derived: m.comment_deadline_derived,
            proposed_adoption_date: m.proposed_adoption_date,
            proposed_adoption_date_text: m.proposed_adoption_date_text,
            proposed_entry_into_force_date: m.proposed_entry_into_force_date,
            proposed_entry_into_force_date_text: m.proposed_entry_into_force_date_text,
            title_zh: m.title_zh,
            title_en: m.title_en,
            title_original: m.title_original,
            original_language: m.original_language,
            description_zh: m.description_zh,
            description_en: m.description_en,
            products_text: m.products_text,
            hs_codes: serde_json::from_str(&m.hs_codes)?,
            ics_codes: serde_json::from_str(&m.ics_codes)?,
            objectives: parse_list(&m.objectives, "objective", NoticeObjective::parse)?,
            keywords: serde_json::from_str(&m.keywords)?,
            documents: serde_json::from_str(&m.documents)?,
            addendum_reasons: parse_list(&m.addendum_reasons, "addendum reason", AddendumReason::parse)?,
            regions_affected: serde_json::from_str(&m.regions_affected)?,
        },
        deadline_in_force: m.deadline_in_force,
        deadline_set_by: m.deadline_set_by,
        source: m.source,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The notice that carries this symbol (any of a joint notification's symbols).
pub async fn by_symbol<C: ConnectionTrait>(db: &C, symbol: &NoticeSymbol) -> anyhow::Result<Option<Notice>> {
    let Some(row) = notice_symbol::Entity::find_by_id(symbol.to_string()).one(db).await? else {
        return Ok(None);
    };
    Ok(by_ids(db, &[row.notice_id]).await?.into_iter().next())
}

/// Notices by id, in the order of `ids`; missing ids are skipped.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Notice>> {
    paging::by_ids::<notice::Entity, C>(db, notice::Column::Id, ids, |m| m.id)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Every notice of a chain (same base symbol on any of its symbols), oldest first.
pub async fn chain<C: ConnectionTrait>(db: &C, bases: &[String]) -> anyhow::Result<Vec<Notice>> {
    let ids: Vec<i32> = notice_symbol::Entity::find()
        .filter(notice_symbol::Column::BaseSymbol.is_in(bases.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.notice_id)
        .collect();
    let mut notices = by_ids(db, &ids).await?;
    notices.sort_by(|a, b| {
        (a.data.distribution_date, a.data.primary_symbol().to_string(), a.id).cmp(&(
            b.data.distribution_date,
            b.data.primary_symbol().to_string(),
            b.id,
        ))
    });
    notices.dedup_by_key(|n| n.id);
    Ok(notices)
}

fn filter_condition(q: &NoticeQuery) -> Condition {
    let mut c = Condition::all();
    if let Some(a) = q.area {
        c = c.add(notice::Column::Area.eq(a.as_str()));
    }
    if !q.kinds.is_empty() {
        c = c.add(notice::Column::Kind.is_in(q.kinds.iter().map(|k| k.as_str())));
    }
    if !q.members.is_empty() {
        c = c.add(
            notice::Column::Id.in_subquery(
                Query::select()
                    .column(notice_symbol::Column::NoticeId)
                    .from(notice_symbol::Entity)
                    .and_where(notice_symbol::Column::Member.is_in(q.members.clone()))
                    .to_owned(),
            ),
        );
    }
    if !q.hs_prefixes.is_empty() {
        let mut any = Condition::any();
        for p in &q.hs_prefixes {
            any = any.add(like::starts_with(notice_hs::Column::Code, p));
        }
        c = c.add(
            notice::Column::Id.in_subquery(
                Query::select()
                    .column(notice_hs::Column::NoticeId)
                    .from(notice_hs::Entity)
                    .cond_where(any)
                    .to_owned(),
            ),
        );
    }
    if !q.ics_prefixes.is_empty() {
        let mut any = Condition::any();
        for p in &q.ics_prefixes {
            any = any.add(like::starts_with(notice_ics::Column::Code, p));
        }
        c = c.add(
            notice::Column::Id.in_subquery(
                Query::select()
                    .column(notice_ics::Column::NoticeId)
                    .from(notice_ics::Entity)
                    .cond_where(any)
                    .to_owned(),
            ),
        );
    }
    if !q.objectives.is_empty() {
        c = c.add(
            notice::Column::Id.in_subquery(
                Query::select()
                    .column(notice_objective::Column::NoticeId)
                    .from(notice_objective::Entity)
                    .and_where(notice_objective::Column::Objective.is_in(q.objectives.iter().map(|o| o.as_str())))
                    .to_owned(),
            ),
        );
    }
    if let Some(d) = q.distributed_from {
        c = c.add(notice::Column::DistributionDate.gte(d));
    }
    if let Some(d) = q.distributed_to {
        c = c.add(notice::Column::DistributionDate.lte(d));
    }
    if let Some(d) = q.open_for_comment_on {
        c = c
            .add(notice::Column::DistributionDate.lte(d))
            .add(notice::Column::DeadlineInForce.gte(d));
    }
    if let Some(b) = &q.base_symbol {
        c = c.add(
            notice::Column::Id.in_subquery(
                Query::select()
                    .column(notice_symbol::Column::NoticeId)
                    .from(notice_symbol::Entity)
                    .and_where(notice_symbol::Column::BaseSymbol.eq(b.clone()))
                    .to_owned(),
            ),
        );
    }
    c
}

/// Whether a stored notice passes the filter: the same test as `filter_condition` in SQL, for matching watches
/// without a query per watch. A property test (`tests/it/follow.rs`) holds the two to the same answers.
pub fn matches(q: &NoticeQuery, n: &Notice) -> bool {
    let d = &n.data;
    let starts = |codes: &[String], prefixes: &[String]| {
        prefixes.is_empty() || codes.iter().any(|c| prefixes.iter().any(|p| c.starts_with(p.as_str())))
    };
    q.area.is_none_or(|a| a == d.area)
        && (q.kinds.is_empty() || q.kinds.contains(&d.kind))
        && (q.members.is_empty()
            || d.symbols
                .iter()
                .any(|s| q.members.iter().any(|m| m == s.member().unwrap_or(&d.member))))
        && starts(&d.hs_codes, &q.hs_prefixes)
        && starts(&d.ics_codes, &q.ics_prefixes)
        && (q.objectives.is_empty() || d.objectives.iter().any(|o| q.objectives.contains(o)))
        && q.distributed_from.is_none_or(|f| d.distribution_date >= f)
        && q.distributed_to.is_none_or(|t| d.distribution_date <= t)
        && q.open_for_comment_on
            .is_none_or(|day| d.distribution_date <= day && n.deadline_in_force.is_some_and(|x| x >= day))
        && q.base_symbol
            .as_ref()
            .is_none_or(|b| d.symbols.iter().any(|s| s.base().to_string() == *b))
}

fn sort_column(f: SortField) -> notice::Column {
    match f {
        SortField::DistributionDate => notice::Column::DistributionDate,
        SortField::Symbol => notice::Column::PrimarySymbol,
    }
}

/// One page of a filtered listing with keyset paging, whole rows.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    q: &NoticeQuery,
    field: SortField,
    p: &PageRequest,
) -> anyhow::Result<Page<Notice>> {
    let page =
        paging::page::<notice::Entity, C>(db, filter_condition(q), sort_column(field), notice::Column::Id, p).await?;
    page.try_map(from_model)
}

/// Declares `Light` with its variants, `Light::ALL` and each variant's column of the same name.
macro_rules! light_columns {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {
        /// The columns of a notice that a projected listing may read besides those it always reads (`ALWAYS`):
        /// the light ones. The list columns (`symbols`, codes, objectives, documents, ...) are not among them: a
        /// listing that needs one reads whole rows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Light { $($name),* }

        impl Light {
            const ALL: &'static [Light] = &[$(Light::$name),*];

            fn column(self) -> notice::Column {
                match self { $(Light::$name => notice::Column::$name),* }
            }
        }
    };
}

light_columns!(
    Area,
    Kind,
    Member,
    LocalGovernment,
    Agency,
    CommentDeadline,
    CommentDeadlineText,
    CommentDeadlineDerived,
    DeadlineInForce,
    DeadlineSetBy,
    ProposedAdoptionDate,
    ProposedAdoptionDateText,
    ProposedEntryIntoForceDate,
    ProposedEntryIntoForceDateText,
    TitleZh,
    TitleEn,
    TitleOriginal,
    OriginalLanguage,
    DescriptionZh,
    DescriptionEn,
    ProductsText,
    UpdatedAt,
);

impl Light {
    fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// Columns every projected row reads: the id, the first symbol (the notice's `symbol`, and the sort key of
/// `SYMBOL` order) and the distribution date (the sort key of the default order).
const ALWAYS: [notice::Column; 3] = [
    notice::Column::Id,
    notice::Column::PrimarySymbol,
    notice::Column::DistributionDate,
];

/// A set of light columns to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Projection(u32);

impl Projection {
    pub fn with(self, c: Light) -> Projection {
        Projection(self.0 | c.bit())
    }

    pub fn has(self, c: Light) -> bool {
        self.0 & c.bit() != 0
    }

    fn columns(self) -> Vec<notice::Column> {
        ALWAYS
            .into_iter()
            .chain(Light::ALL.iter().filter(|c| self.has(**c)).map(|c| c.column()))
            .collect()
    }
}

/// A notice from a projected row: the columns of `proj` and `ALWAYS` hold what is stored; everything else is
/// empty (`symbols` holds only the first symbol). Only for a caller that resolves no field beyond what it read.
fn from_projected(row: &sea_orm::QueryResult, proj: Projection) -> anyhow::Result<Notice> {
    use sea_orm::TryGetable;
    fn get<T: TryGetable>(row: &sea_orm::QueryResult, col: notice::Column) -> Result<T, sea_orm::DbErr> {
        use sea_orm::IdenStatic;
        row.try_get("", col.as_str())
    }
    fn opt<T: TryGetable + Default>(
        row: &sea_orm::QueryResult,
        proj: Projection,
        c: Light,
    ) -> Result<T, sea_orm::DbErr> {
        if proj.has(c) {
            get(row, c.column())
        } else {
            Ok(T::default())
        }
    }
    use notice::Column as C;
    let id: i32 = get(row, C::Id)?;
    let primary: String = get(row, C::PrimarySymbol)?;
    let symbol =
        NoticeSymbol::parse(&primary).map_err(|e| anyhow::anyhow!("stored symbol {primary:?} unreadable: {e}"))?;
    let area = if proj.has(Light::Area) && get::<String>(row, C::Area)? == "SPS" {
        NoticeArea::Sps
    } else {
        NoticeArea::Tbt
    };
    let kind = if proj.has(Light::Kind) {
        NoticeKind::parse(&get::<String>(row, C::Kind)?).unwrap_or(NoticeKind::Regular)
    } else {
        NoticeKind::Regular
    };
    Ok(Notice {
        id,
        data: {
            let mut d = NoticeData::bare(vec![symbol], get(row, C::DistributionDate)?);
            d.area = area;
            d.kind = kind;
            d.member = opt(row, proj, Light::Member)?;
            d.local_government = opt(row, proj, Light::LocalGovernment)?;
            d.agency = opt(row, proj, Light::Agency)?;
            d.comment_deadline = opt(row, proj, Light::CommentDeadline)?;
            d.comment_deadline_text = opt(row, proj, Light::CommentDeadlineText)?;
            d.comment_deadline_derived = opt(row, proj, Light::CommentDeadlineDerived)?;
            d.proposed_adoption_date = opt(row, proj, Light::ProposedAdoptionDate)?;
            d.proposed_adoption_date_text = opt(row, proj, Light::ProposedAdoptionDateText)?;
            d.proposed_entry_into_force_date = opt(row, proj, Light::ProposedEntryIntoForceDate)?;
            d.proposed_entry_into_force_date_text = opt(row, proj, Light::ProposedEntryIntoForceDateText)?;
            d.title_zh = opt(row, proj, Light::TitleZh)?;
            d.title_en = opt(row, proj, Light::TitleEn)?;
            d.title_original = opt(row, proj, Light::TitleOriginal)?;
            d.original_language = opt(row, proj, Light::OriginalLanguage)?;
            d.description_zh = opt(row, proj, Light::DescriptionZh)?;
            d.description_en = opt(row, proj, Light::DescriptionEn)?;
            d.products_text = opt(row, proj, Light::ProductsText)?;
            d
        },
        deadline_in_force: opt(row, proj, Light::DeadlineInForce)?,
        deadline_set_by: opt(row, proj, Light::DeadlineSetBy)?,
        source: String::new(),
        created_at: chrono::DateTime::<Utc>::default(),
        updated_at: if proj.has(Light::UpdatedAt) {
            get(row, C::UpdatedAt)?
        } else {
            chrono::DateTime::<Utc>::default()
        },
    })
}

/// One page of a filtered listing as `list` reads it, but of only the columns of `proj` (and `ALWAYS`): no
/// description, list column or JSON is read or decoded unless asked for. The notices hold nothing else (see
/// `from_projected`): the caller resolves only fields that these columns answer.
pub async fn list_projected<C: ConnectionTrait>(
    db: &C,
    q: &NoticeQuery,
    field: SortField,
    p: &PageRequest,
    proj: Projection,
) -> anyhow::Result<Page<Notice>> {
    use sea_orm::QuerySelect;
    let backend = db.get_database_backend();
    let columns = proj.columns();
    let page = paging::page_read::<notice::Entity, C, _, _, _>(
        db,
        filter_condition(q),
        sort_column(field),
        notice::Column::Id,
        p,
        |select| db.query_all_raw(select.select_only().columns(columns).build(backend)),
    )
    .await?;
    page.try_map(|row| from_projected(&row, proj))
}

/// How many notices match the filter.
pub async fn count<C: ConnectionTrait>(db: &C, q: &NoticeQuery) -> anyhow::Result<u64> {
    Ok(notice::Entity::find().filter(filter_condition(q)).count(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::notices::model::NoticeRecord;

    /// A new notice's row holds only values that go to PostgreSQL as JSON (`db::bulk`): were one not to, every
    /// batch of an import would go the slower VALUES way without a word.
    #[test]
    fn a_notice_row_goes_to_postgresql_as_json() {
        let data = NoticeRecord {
            symbols: vec!["G/TBT/N/CHN/2001".into(), "G/TBT/N/HKG/99".into()],
            distribution_date: Some("2025-03-15".into()),
            title_en: Some("Toys \"safety\"".into()),
            comment_deadline: Some("2025-05-14".into()),
            hs_codes: vec!["9503".into()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        let symbols: Vec<String> = data.symbols.iter().map(|s| s.to_string()).collect();
        let row = active_model(&data, &symbols, "jsonl", Utc::now());
        let stmt = bulk::as_json(&[row], &[notice::Column::Id]).expect("a notice row goes as JSON");
        assert!(
            stmt.sql.contains("json_populate_recordset(NULL::\"notice\", $1::json)"),
            "{}",
            stmt.sql
        );
        let symbol_rows: Vec<notice_symbol::ActiveModel> = symbol_rows(&data, 1).collect();
        assert_eq!(symbol_rows.len(), 2);
        assert!(bulk::as_json(&symbol_rows, &[]).is_some());
    }
}
