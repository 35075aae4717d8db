//! `search` and `suggest`: one search box over every catalogue.
//!
//! A code-shaped query (notice symbol, standard number, credit code, document number, HS or ICS code) puts its
//! exact records first; the rest comes from Meilisearch's federated search over every index, in one ranked list
//! where each catalogue's scores are weighted. Facet counts come from a second, non-federated multi-search run
//! beside it, only when the client asks for them. If Meilisearch is unreachable, a simpler database match answers
//! and the response says `degraded: true` (and, over HTTP, `extensions.warnings`).
//!
//! This file holds the GraphQL types and the resolvers; each step has its own file: `plan` (which indexes,
//! filters and facet fields each kind of record is searched with), `exact` (the records a code names),
//! `federated` (the ranked text search), `facets` (the counts), `load` (the records from the database),
//! `fallback` (the database match when Meilisearch is away) and `suggest` (completions).

mod exact;
mod facets;
mod fallback;
mod federated;
mod load;
mod plan;
mod steer;
mod suggest;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Union};

use super::connection::PageInfo;
use super::search::{Facet, search_cursor, search_window};
use crate::catalog::declarations::store::Declaration;
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::listings::brand::Brand;
use crate::catalog::listings::credit::CreditEntry;
use crate::catalog::listings::title::Title;
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::search as notice_search;
use crate::catalog::notices::store as notice_store;
use crate::catalog::policies::store::Policy;
use crate::catalog::standards::model::Standard;
use crate::catalog::zones::store::Zone;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::graphql::selection::names_on;
use exact::exact_records;
use facets::facet_counts;
use fallback::{DEGRADED, fallback};
use federated::{FedHit, TextQuery, federated};
use load::load_many;
use plan::{plans, region_prefix};
use std::collections::HashMap;
use suggest::suggestions;

/// The kinds of record `search` can return.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchType {
    Notice,
    Standard,
    Enterprise,
    Brand,
    Title,
    Zone,
    Policy,
    CreditEntry,
    Declaration,
    /// Foreign recalls, border rejections and returned exports.
    Recall,
}

/// Narrows `search` by what the kinds of record share. A kind that lacks a filtered attribute is left out: with
/// `region` set, notices, standards and policies are not searched.
#[derive(InputObject, Default, Clone)]
pub struct SearchFilter {
    /// A division code of 2, 4 or 6 digits (`33`, `3302`, `330226`; trailing `00` pairs are ignored, so `330000`
    /// is `33`): enterprises, listings, zones and declarations of that region.
    pub region: Option<String>,
    /// A year: of distribution (notices), of the number (standards), of award or listing (brands, titles, credit
    /// entries), of issue (policies) or of declaration (declarations).
    pub year: Option<i32>,
    /// Any of these statuses, as of today: `CURRENT`, `UPCOMING`, `WITHDRAWN`, `REPLACED` (standards), `ACTIVE`,
    /// `ENDED` (brands, titles, credit entries), `CULTIVATING`, `APPLYING`, `ACCEPTED`, `REVOKED` (zones), `PUBLIC`,
    /// `WITHDRAWN` (declarations).
    pub status: Option<Vec<String>>,
}

/// The GraphQL names of `SearchItem`'s members: a fragment on one of them selects nothing on the others.
const ITEM_TYPES: [&str; 10] = [
    "Notice",
    "Standard",
    "Enterprise",
    "Brand",
    "Title",
    "Zone",
    "Policy",
    "CreditEntry",
    "Declaration",
    "Recall",
];

/// One record of any catalogue.
#[derive(Union)]
pub enum SearchItem {
    Notice(Notice),
    Standard(Standard),
    Enterprise(Enterprise),
    Brand(Brand),
    Title(Title),
    Zone(Zone),
    Policy(Policy),
    CreditEntry(CreditEntry),
    Declaration(Declaration),
    Recall(crate::catalog::recalls::store::Recall),
}

#[derive(SimpleObject)]
pub struct SearchEdge {
    pub cursor: String,
    #[graphql(name = "type")]
    pub kind: SearchType,
    pub node: SearchItem,
    /// The record's headline (title or name) with `<mark>` around matches, HTML-escaped.
    pub highlight: Option<String>,
    /// A few words of the record's longer text (description, products, policy text, ...) around the matches,
    /// cut at word boundaries (never inside a character), `…` where cut, `<mark>` around matches, HTML-escaped.
    pub snippet: Option<String>,
    /// True for a record a code-shaped query names exactly.
    pub exact: bool,
}

/// The results of `search`.
#[derive(SimpleObject)]
pub struct SearchResult {
    pub edges: Vec<SearchEdge>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate of all hits: not an exact count, and at most 10,000 for each index searched.
    pub estimated_total_count: i32,
    /// True when Meilisearch was unreachable and a simpler database match answered.
    pub degraded: bool,
    /// True when no record matched the query as typed and these records match part of it (looser matching):
    /// a portal can say "showing results for part of your query". `warning` says so too.
    pub relaxed: bool,
    /// True when the ranking also used the meaning of the query (hybrid search: keyword ranking and the
    /// similarity of sentence embeddings), so records can be found by what they are rather than the words they use.
    pub semantic: bool,
    /// Why the answer is degraded or relaxed, in words.
    pub warning: Option<String>,
    /// Counts of the hits: `type` (by kind of record), then what the kinds share: `region` (one level under the
    /// region filter: provinces, or the cities of a province, ...), `year` and `status`. Counted only when asked
    /// for; empty when degraded. Estimates, capped like `estimatedTotalCount`.
    pub facets: Vec<Facet>,
}

/// One completion of a prefix.
#[derive(SimpleObject)]
pub struct Suggestion {
    #[graphql(name = "type")]
    pub kind: SearchType,
    /// The record's global ID, for `node(id:)`.
    pub id: ID,
    /// The text to put in the box: a name or title.
    pub text: String,
    /// The record's code, where it has one: notice symbol, standard number, zone code or document number.
    pub code: Option<String>,
    /// `text` with `<mark>` around the part typed, HTML-escaped.
    pub highlight: Option<String>,
}

/// The warning of a relaxed answer.
const RELAXED: &str = "no record matches the whole query; these records match part of it";

/// A record of the mixed list: its kind and row id.
type Key = (SearchType, i32);

/// The most suggestions one `suggest` call returns.
const MAX_SUGGESTIONS: i32 = 20;

#[derive(Default)]
pub struct UnifiedSearchQueries;

#[Object]
impl UnifiedSearchQueries {
    /// One search box over every catalogue, ranked in one list. `types` narrows the kinds of record and `filter`
    /// what they share. A notice symbol, standard number, credit code or document number puts its exact record
    /// first (without a filter); an HS or ICS code puts up to five records classified under it first. When
    /// Meilisearch is unreachable, a simpler database match answers, `degraded` is true and the response carries
    /// `extensions.warnings`; with a `filter`, which that match cannot apply, the error is `SEARCH_UNAVAILABLE`.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        types: Option<Vec<SearchType>>,
        filter: Option<SearchFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SearchResult> {
        let app = ctx.data_unchecked::<AppContext>();
        let types: Vec<SearchType> = match types {
            Some(t) if !t.is_empty() => t,
            _ => SearchType::ALL.to_vec(),
        };
        if query.trim().is_empty() {
            return Err(ApiError::bad_input("query: empty").into());
        }
        let filter = filter.unwrap_or_default();
        let region = filter.region.as_deref().map(region_prefix).transpose()?;
        let plans = plans(app, &types, &filter, region.as_deref())?;
        let filtered =
            region.is_some() || filter.year.is_some() || filter.status.as_ref().is_some_and(|s| !s.is_empty());
        // Cursors hold the position after a hit in Meilisearch's list; exact records sit before it (position 0).
        let first_page = after.is_none();
        let (next, size) = search_window("search", first, after)?;
        let offset = next.saturating_sub(1);
        let selection = ctx.look_ahead();
        let want_facets = selection.field("facets").exists();
        let edges = selection.field("edges");

        let mut tq = TextQuery::new(&query);
        tq.marks = edges.field("highlight").exists() || edges.field("snippet").exists();
        // Notices are answered from the index's stored documents when their selection allows and no notice
        // change waits in the outbox (as `searchNotices` does); other kinds are read from the database.
        let known = ctx
            .data_opt::<crate::db::Freshness>()
            .map(|f| f.indexed(notice_store::OUTBOX));
        if known != Some(false) && types.contains(&SearchType::Notice) {
            let fields = names_on(ctx, &["edges", "node"], "Notice", &ITEM_TYPES);
            tq.notice_attributes = notice_search::index_attributes(fields.iter().map(String::as_str));
        }
        let freshness = async {
            match (known, &tq.notice_attributes) {
                (Some(k), _) => k,
                (None, Some(_)) => app.freshness.get().await.is_ok_and(|f| f.indexed(notice_store::OUTBOX)),
                (None, None) => false,
            }
        };
        let exact = match exact_records(app, &query, &plans, filtered).await {
            Ok(keys) => keys,
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "search: exact lookup failed");
                Vec::new()
            }
        };
        // Exact records are skipped where the text search finds them again: ask for that many more.
        let text_search = federated(app, &tq, &plans, offset, size + exact.len());
        let facet_search = async {
            if want_facets && !plans.is_empty() {
                facet_counts(app, &query, &plans, region.as_deref()).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (text, facets, notices_indexed) = if plans.is_empty() {
            (
                Ok(federated::Ranked {
                    hits: Vec::new(),
                    total: 0,
                    semantic: false,
                    relaxed: false,
                }),
                Ok(None),
                false,
            )
        } else {
            tokio::join!(text_search, facet_search, freshness)
        };
        let (hits, total, degraded, semantic, relaxed) = match text {
            Ok(r) => (r.hits, r.total, false, r.semantic, r.relaxed),
            // The database's simple match cannot apply the filter: refuse rather than answer unfiltered.
            Err(e) if filtered => return Err(ApiError::Search(e).into()),
            Err(e) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "search: Meilisearch unreachable, answering from the database"
                );
                let plan_types: Vec<SearchType> = plans.iter().map(|p| p.t).collect();
                let keys = fallback(app, &query, &plan_types, size as u64)
                    .await
                    .map_err(ApiError::from)?;
                let n = keys.len();
                let hits = keys
                    .into_iter()
                    .map(|key| FedHit {
                        key,
                        highlight: None,
                        snippet: None,
                        document: Default::default(),
                    })
                    .collect();
                (hits, n, true, false, false)
            }
        };
        let facets = match facets {
            Ok(f) => f.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "search: facet counts failed");
                Vec::new()
            }
        };
        let relaxed = relaxed && !hits.is_empty();
        if degraded {
            crate::context::warn(ctx, DEGRADED);
        }
        if relaxed {
            crate::context::warn(ctx, RELAXED);
        }

        let show_exact = if first_page { exact.len().min(size) } else { 0 };
        let mut keys: Vec<Key> = exact[..show_exact].to_vec();
        let mut records = HashMap::new();
        if let (Some(attrs), true) = (&tq.notice_attributes, notices_indexed && !degraded) {
            let from_index: Option<Vec<(Key, SearchItem)>> = hits
                .iter()
                .filter(|h| h.key.0 == SearchType::Notice)
                .map(|h| {
                    notice_search::notice_from_document(h.key.1, &h.document, attrs)
                        .map(|n| (h.key, SearchItem::Notice(n)))
                })
                .collect();
            records.extend(from_index.into_iter().flatten());
        }
        keys.extend(hits.iter().map(|h| h.key).filter(|k| !records.contains_key(k)));
        records.extend(load_many(app, &keys).await.map_err(ApiError::from)?);
        let mut edges = Vec::with_capacity(size);
        for key in &exact[..show_exact] {
            if let Some(node) = records.remove(key) {
                edges.push(SearchEdge {
                    cursor: search_cursor("search", 0),
                    kind: key.0,
                    node,
                    highlight: None,
                    snippet: None,
                    exact: true,
                });
            }
        }
        // The position after the last text hit this page went through: where the next page starts.
        let mut consumed = offset;
        for (i, hit) in hits.into_iter().enumerate() {
            if edges.len() >= size {
                break;
            }
            consumed = offset + i + 1;
            if exact.contains(&hit.key) {
                continue;
            }
            if let Some(node) = records.remove(&hit.key) {
                edges.push(SearchEdge {
                    cursor: search_cursor("search", offset + i + 1),
                    kind: hit.key.0,
                    node,
                    highlight: hit.highlight,
                    snippet: hit.snippet,
                    exact: false,
                });
            }
        }
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(SearchResult {
            page_info: PageInfo::from_cursors(&cursors, consumed < total, !first_page),
            edges,
            estimated_total_count: total as i32,
            degraded,
            relaxed,
            semantic: semantic && !degraded,
            warning: if degraded {
                Some(DEGRADED.to_string())
            } else {
                relaxed.then(|| RELAXED.to_string())
            },
            facets,
        })
    }

    /// Completions for a search box as the person types: the names and titles of the best matches of `prefix`
    /// (the last word may be unfinished), one of each text, at most `first` (default 8, at most 20). When
    /// Meilisearch is unreachable the list is empty and the response carries `extensions.warnings`.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        types: Option<Vec<SearchType>>,
        first: Option<i32>,
    ) -> Result<Vec<Suggestion>> {
        let app = ctx.data_unchecked::<AppContext>();
        let first = first.unwrap_or(8);
        if !(1..=MAX_SUGGESTIONS).contains(&first) {
            return Err(ApiError::user(
                crate::error::Code::PageSizeInvalid,
                format!("first: must be between 1 and {MAX_SUGGESTIONS}"),
            )
            .into());
        }
        if prefix.trim().is_empty() {
            return Ok(Vec::new());
        }
        let types: Vec<SearchType> = match types {
            Some(t) if !t.is_empty() => t,
            _ => SearchType::ALL.to_vec(),
        };
        let plans = plans(app, &types, &SearchFilter::default(), None)?;
        match suggestions(app, &prefix, &plans, first as usize).await {
            Ok(s) => Ok(s),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "suggest: Meilisearch unreachable");
                crate::context::warn(ctx, "suggestions are unavailable: Meilisearch is unreachable");
                Ok(Vec::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn item_types_name_every_member_of_the_union() {
        let sdl = crate::graphql::sdl();
        let line = sdl
            .lines()
            .find(|l| l.starts_with("union SearchItem ="))
            .expect("the schema has the union");
        let members: Vec<&str> = line["union SearchItem =".len()..].split('|').map(str::trim).collect();
        assert_eq!(members, super::ITEM_TYPES);
    }
}
