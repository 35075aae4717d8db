//! `search` and `suggest`: one search box over every catalogue.
//!
//! A code-shaped query (notice symbol, standard number, credit code, document number, HS or ICS code) puts its
//! exact records first; the rest comes from Meilisearch's federated search over every index, in one ranked list
//! where each catalogue's scores are weighted. Facet counts come from a second, non-federated multi-search run
//! beside it, only when the client asks for them. If Meilisearch is unreachable, a simpler database match answers
//! and the response says `degraded: true` (and, over HTTP, `extensions.warnings`).

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Union};
use meilisearch_sdk::search::{FederationOptions, MatchingStrategies, SearchQuery, Selectors};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::AppContext;
use super::connection::PageInfo;
use super::search::{Facet, FacetValue, search_cursor, search_window};
use crate::catalog::codes::{normalise_hs, normalise_ics};
use crate::catalog::enterprises::graphql::{Brand, CreditEntry, Title};
use crate::catalog::enterprises::model::ListingKind;
use crate::catalog::enterprises::store::{self as ent_store, Enterprise, Zone};
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store as notice_store;
use crate::catalog::notices::symbol::NoticeSymbol;
use crate::catalog::policies::number::DocumentNumber;
use crate::catalog::policies::store::{self as policy_store, Policy};
use crate::catalog::standards::model::{Standard, StandardStatus};
use crate::catalog::standards::number::StandardNumber;
use crate::catalog::standards::store as standard_store;
use crate::error::ApiError;
use crate::search::text::{POST, PRE, prepare_query};
use crate::search::{Catalogue, formatted_field, quote};

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
}

/// How one kind of record takes part in the mixed list.
struct TypeSpec {
    /// The field shown highlighted (title or name).
    headline: &'static str,
    /// A longer field cropped around the matches, if the kind has one.
    snippet: Option<&'static str>,
    /// The field holding the division-code prefixes (2, 4 and 6 digits), if the kind has a region.
    region: Option<&'static str>,
    /// The numeric year field, if any.
    year: Option<&'static str>,
    /// The status values a kind knows and the filter each becomes.
    statuses: &'static [(&'static str, &'static str)],
    /// The status facet field.
    status_field: Option<&'static str>,
    /// Multiplies the ranking scores of this kind in the mixed list (Meilisearch's federation weight).
    weight: f32,
}

const STANDARD_STATUSES: [(&str, &str); 4] = [
    ("CURRENT", "status = \"CURRENT\""),
    ("UPCOMING", "status = \"UPCOMING\""),
    ("WITHDRAWN", "status = \"WITHDRAWN\""),
    ("REPLACED", "status = \"REPLACED\""),
];
const ZONE_STATUSES: [(&str, &str); 4] = [
    ("CULTIVATING", "status = \"CULTIVATING\""),
    ("APPLYING", "status = \"APPLYING\""),
    ("ACCEPTED", "status = \"ACCEPTED\""),
    ("REVOKED", "status = \"REVOKED\""),
];
const LISTING_STATUSES: [(&str, &str); 2] = [("ACTIVE", "active = true"), ("ENDED", "active = false")];

impl SearchType {
    const ALL: [SearchType; 8] = [
        SearchType::Notice,
        SearchType::Standard,
        SearchType::Enterprise,
        SearchType::Brand,
        SearchType::Title,
        SearchType::Zone,
        SearchType::Policy,
        SearchType::CreditEntry,
    ];

    fn catalogue(self) -> Catalogue {
        match self {
            SearchType::Notice => Catalogue::Notices,
            SearchType::Standard => Catalogue::Standards,
            SearchType::Enterprise => Catalogue::Enterprises,
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => Catalogue::Listings,
            SearchType::Zone => Catalogue::Zones,
            SearchType::Policy => Catalogue::Policies,
        }
    }

    fn listing_kind(self) -> Option<ListingKind> {
        match self {
            SearchType::Brand => Some(ListingKind::Brand),
            SearchType::Title => Some(ListingKind::Title),
            SearchType::CreditEntry => Some(ListingKind::Credit),
            _ => None,
        }
    }

    /// The GraphQL type name, also the type part of global IDs.
    fn type_name(self) -> &'static str {
        match self {
            SearchType::Notice => "Notice",
            SearchType::Standard => "Standard",
            SearchType::Enterprise => "Enterprise",
            SearchType::Brand => "Brand",
            SearchType::Title => "Title",
            SearchType::Zone => "Zone",
            SearchType::Policy => "Policy",
            SearchType::CreditEntry => "CreditEntry",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SearchType::Notice => "NOTICE",
            SearchType::Standard => "STANDARD",
            SearchType::Enterprise => "ENTERPRISE",
            SearchType::Brand => "BRAND",
            SearchType::Title => "TITLE",
            SearchType::Zone => "ZONE",
            SearchType::Policy => "POLICY",
            SearchType::CreditEntry => "CREDIT_ENTRY",
        }
    }

    fn spec(self) -> TypeSpec {
        let listing = |headline, snippet| TypeSpec {
            headline,
            snippet,
            region: Some("regionPrefixes"),
            year: Some("year"),
            statuses: &LISTING_STATUSES,
            status_field: Some("active"),
            weight: 1.0,
        };
        match self {
            SearchType::Notice => TypeSpec {
                headline: "titleZh",
                snippet: Some("descriptionZh"),
                region: None,
                year: Some("year"),
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
            SearchType::Standard => TypeSpec {
                headline: "titleZh",
                snippet: None,
                region: None,
                year: Some("year"),
                statuses: &STANDARD_STATUSES,
                status_field: Some("status"),
                weight: 1.0,
            },
            SearchType::Enterprise => TypeSpec {
                headline: "name",
                snippet: Some("mainProducts"),
                region: Some("regionPrefixes"),
                year: None,
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
            SearchType::Brand => listing("name", Some("product")),
            SearchType::Title => listing("name", Some("enterpriseName")),
            SearchType::CreditEntry => listing("enterpriseName", Some("reason")),
            SearchType::Zone => TypeSpec {
                headline: "name",
                snippet: Some("members"),
                region: Some("regionPrefixes"),
                year: None,
                statuses: &ZONE_STATUSES,
                status_field: Some("status"),
                weight: 1.0,
            },
            SearchType::Policy => TypeSpec {
                headline: "title",
                snippet: Some("text"),
                region: None,
                year: Some("year"),
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
        }
    }
}

/// Narrows `search` by what the kinds of record share. A kind that lacks a filtered attribute is left out: with
/// `region` set, notices, standards and policies are not searched.
#[derive(InputObject, Default, Clone)]
pub struct SearchFilter {
    /// A division code of 2, 4 or 6 digits (`33`, `3302`, `330226`; trailing `00` pairs are ignored, so `330000`
    /// is `33`): enterprises, listings and zones of that region.
    pub region: Option<String>,
    /// A year: of distribution (notices), of the number (standards), of award or listing (brands, titles, credit
    /// entries) or of issue (policies).
    pub year: Option<i32>,
    /// Any of these statuses, as of today: `CURRENT`, `UPCOMING`, `WITHDRAWN`, `REPLACED` (standards), `ACTIVE`,
    /// `ENDED` (brands, titles, credit entries), `CULTIVATING`, `APPLYING`, `ACCEPTED`, `REVOKED` (zones).
    pub status: Option<Vec<String>>,
}

/// A division code reduced to its significant prefix: `330000` is `33`, `330200` is `3302`.
fn region_prefix(code: &str) -> Result<String, ApiError> {
    let c = code.trim();
    let bad = || {
        ApiError::bad_input(format!(
            "filter.region: {code:?} is not a division code of 2, 4 or 6 digits"
        ))
    };
    if !matches!(c.len(), 2 | 4 | 6) || !c.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut p = c.to_string();
    while p.len() > 2 && p.ends_with("00") {
        p.truncate(p.len() - 2);
    }
    if p == "00" {
        return Err(bad());
    }
    Ok(p)
}

/// One search of one kind of record: its index, its filters and its part of the facets.
struct Plan {
    t: SearchType,
    uid: String,
    filters: Vec<String>,
    spec: TypeSpec,
}

/// The indexes and filter arrays of a list of plans, kept while the queries built from them borrow them.
struct PlanIndexes<'p> {
    indexes: Vec<meilisearch_sdk::indexes::Index>,
    filters: Vec<Vec<&'p str>>,
}

impl<'p> PlanIndexes<'p> {
    fn new(app: &AppContext, plans: &'p [Plan]) -> PlanIndexes<'p> {
        PlanIndexes {
            indexes: plans.iter().map(|p| app.search.client.index(&p.uid)).collect(),
            filters: plans
                .iter()
                .map(|p| p.filters.iter().map(String::as_str).collect())
                .collect(),
        }
    }

    /// The query of plan `i`: the text against its index, with its filters.
    fn query<'a>(&'a self, i: usize, q: &'a str) -> SearchQuery<'a, meilisearch_sdk::DefaultHttpClient>
    where
        'p: 'a,
    {
        let mut sq = SearchQuery::new(&self.indexes[i]);
        sq.with_query(q);
        if !self.filters[i].is_empty() {
            sq.with_array_filter(self.filters[i].clone());
        }
        sq
    }
}

/// The searches `types` and `filter` call for; kinds the filter cannot apply to are left out.
/// `region` is the filter's region already read by [`region_prefix`].
fn plans(
    app: &AppContext,
    types: &[SearchType],
    filter: &SearchFilter,
    region: Option<&str>,
) -> Result<Vec<Plan>, ApiError> {
    let statuses: Vec<String> = filter
        .status
        .iter()
        .flatten()
        .map(|s| s.trim().to_ascii_uppercase())
        .collect();
    for s in &statuses {
        let known = SearchType::ALL
            .iter()
            .any(|t| t.spec().statuses.iter().any(|(v, _)| v == s));
        if !known {
            return Err(ApiError::bad_input(format!(
                "filter.status: {s:?} is none of CURRENT, UPCOMING, WITHDRAWN, REPLACED, ACTIVE, ENDED, \
                 CULTIVATING, APPLYING, ACCEPTED, REVOKED"
            )));
        }
    }
    let mut out = Vec::new();
    'types: for &t in types {
        let spec = t.spec();
        let mut filters = Vec::new();
        if let Some(k) = t.listing_kind() {
            filters.push(format!("kind = {}", quote(k.as_str())));
        }
        if let Some(r) = region {
            let Some(field) = spec.region else { continue 'types };
            filters.push(format!("{field} = {}", quote(r)));
        }
        if let Some(y) = filter.year {
            let Some(field) = spec.year else { continue 'types };
            filters.push(format!("{field} = {y}"));
        }
        if !statuses.is_empty() {
            let conds: Vec<&str> = spec
                .statuses
                .iter()
                .filter(|(v, _)| statuses.iter().any(|s| s == v))
                .map(|(_, cond)| *cond)
                .collect();
            if conds.is_empty() {
                continue 'types;
            }
            filters.push(conds.join(" OR "));
        }
        out.push(Plan {
            t,
            uid: app.search.index_uid(t.catalogue()),
            filters,
            spec,
        });
    }
    Ok(out)
}

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
    /// Why the answer is degraded, in words.
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

/// The most records a code naming a class (an HS or ICS code) puts first.
const MAX_EXACT: usize = 5;

/// An HS code as typed (`9503`, `9503.00`, `95030000`): its digits, when the query is nothing else. A heading
/// at least: two digits alone are too often something else.
fn hs_code(q: &str) -> Option<String> {
    if q.starts_with('.') || q.ends_with('.') {
        return None;
    }
    normalise_hs(q).filter(|d| matches!(d.len(), 4 | 6 | 8 | 10))
}

/// An ICS code of a group or sub-group (`97.200`, `97.200.50`), when the query is nothing else; a field alone
/// (`97`) is too often something else.
fn ics_code(q: &str) -> Option<String> {
    normalise_ics(q).filter(|c| c.contains('.'))
}

/// The records a code-shaped query names, best first: a notice symbol, credit code, document number or standard
/// number names one record (looked up in the database); an HS or ICS code names the notices and standards
/// classified under it (from the index, newest first, at most five).
async fn exact_records(app: &AppContext, query: &str, plans: &[Plan], filtered: bool) -> anyhow::Result<Vec<Key>> {
    let q = prepare_query(query);
    let q = q.as_str();
    let plan = |t: SearchType| plans.iter().find(|p| p.t == t);
    if let Some(code) = hs_code(q) {
        return match plan(SearchType::Notice) {
            Some(p) => classified(app, p, "hsPrefixes", &code, "distributionDate:desc", MAX_EXACT).await,
            None => Ok(Vec::new()),
        };
    }
    if let Some(code) = ics_code(q) {
        let mut out = Vec::new();
        for (t, sort) in [
            (SearchType::Standard, "issueDate:desc"),
            (SearchType::Notice, "distributionDate:desc"),
        ] {
            if let Some(p) = plan(t) {
                out.extend(classified(app, p, "icsPrefixes", &code, sort, MAX_EXACT - out.len()).await?);
            }
        }
        return Ok(out);
    }
    // A named record is looked up whatever the filter says; with a filter the text search decides.
    if filtered {
        return Ok(Vec::new());
    }
    let wants = |t: SearchType| plan(t).is_some();
    if wants(SearchType::Notice)
        && q.contains('/')
        && let Ok(sym) = NoticeSymbol::parse(q)
        && let Some(n) = notice_store::by_symbol(&app.db, &sym).await?
    {
        return Ok(vec![(SearchType::Notice, n.id)]);
    }
    if wants(SearchType::Enterprise)
        && let Ok(code) = Uscc::read(q)
        && let Some(e) = ent_store::enterprise_by_code(&app.db, code.as_str()).await?
    {
        return Ok(vec![(SearchType::Enterprise, e.id)]);
    }
    if wants(SearchType::Policy)
        && let Ok(n) = DocumentNumber::parse(q)
        && let Some(p) = policy_store::by_number(&app.db, &n).await?
    {
        return Ok(vec![(SearchType::Policy, p.id)]);
    }
    if wants(SearchType::Standard)
        && q.chars().any(|c| c.is_ascii_digit())
        && q.chars().any(|c| c.is_ascii_alphabetic())
        && let Ok(n) = StandardNumber::parse(q)
    {
        let found = if n.year().is_some() {
            standard_store::by_edition(&app.db, &n.edition()).await?
        } else {
            let today = super::scalars::today_in_china();
            let editions = standard_store::editions(&app.db, &n.family_key()).await?;
            let current = editions
                .iter()
                .position(|s| s.status_on(today) == StandardStatus::Current);
            match current {
                Some(i) => editions.into_iter().nth(i),
                None => editions.into_iter().next(),
            }
        };
        if let Some(s) = found {
            return Ok(vec![(SearchType::Standard, s.id)]);
        }
    }
    Ok(Vec::new())
}

/// The records of one kind classified under a code (`field = code`), in `sort` order.
async fn classified(
    app: &AppContext,
    p: &Plan,
    field: &str,
    code: &str,
    sort: &str,
    limit: usize,
) -> anyhow::Result<Vec<Key>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let index = app.search.client.index(&p.uid);
    let mut filters: Vec<String> = p.filters.clone();
    filters.push(format!("{field} = {}", quote(code)));
    let filter_refs: Vec<&str> = filters.iter().map(String::as_str).collect();
    let sorts = [sort];
    let mut sq = index.search();
    sq.with_query("")
        .with_limit(limit)
        .with_sort(&sorts)
        .with_attributes_to_retrieve(Selectors::Some(&["id"]))
        .with_array_filter(filter_refs);
    let res = app.search.timed("classified search", sq.execute::<Hit>()).await?;
    Ok(res.hits.into_iter().map(|h| (p.t, h.result.id)).collect())
}

/// A record of the mixed list: its kind and row id.
type Key = (SearchType, i32);

/// Loads the records of hits from the database, one query a kind; records gone since indexing are missing.
async fn load_many(app: &AppContext, keys: &[Key]) -> anyhow::Result<HashMap<Key, SearchItem>> {
    let db = &app.db;
    let mut by_type: HashMap<SearchType, Vec<i32>> = HashMap::new();
    for (t, id) in keys {
        by_type.entry(*t).or_default().push(*id);
    }
    let mut out = HashMap::new();
    for (t, ids) in by_type {
        match t {
            SearchType::Notice => {
                for n in notice_store::by_ids(db, &ids).await? {
                    out.insert((t, n.id), SearchItem::Notice(n));
                }
            }
            SearchType::Standard => {
                for s in standard_store::by_ids(db, &ids).await? {
                    out.insert((t, s.id), SearchItem::Standard(s));
                }
            }
            SearchType::Enterprise => {
                for e in ent_store::enterprises_by_ids(db, &ids).await? {
                    out.insert((t, e.id), SearchItem::Enterprise(e));
                }
            }
            SearchType::Zone => {
                for z in ent_store::zones_by_ids(db, &ids).await? {
                    out.insert((t, z.id), SearchItem::Zone(z));
                }
            }
            SearchType::Policy => {
                for p in policy_store::by_ids(db, &ids).await? {
                    out.insert((t, p.id), SearchItem::Policy(p));
                }
            }
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => {
                for l in ent_store::listings_by_ids(db, &ids).await? {
                    let id = l.id;
                    let item = match t {
                        SearchType::Brand => SearchItem::Brand(Brand(l)),
                        SearchType::Title => SearchItem::Title(Title(l)),
                        _ => SearchItem::CreditEntry(CreditEntry(l)),
                    };
                    out.insert((t, id), item);
                }
            }
        }
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct Hit {
    id: i32,
}

/// One hit of the mixed list.
struct FedHit {
    key: Key,
    highlight: Option<String>,
    snippet: Option<String>,
}

/// Words a snippet keeps around the matches (Meilisearch counts words, and a Chinese word is one to four
/// characters).
const SNIPPET_WORDS: usize = 24;

/// A query the way Meilisearch should see it, with the matching strategy: a query with digits (a code, whole or
/// partial, with or without words) must match every term, so that `GB 6675` does not drift to other numbers;
/// words are dropped from the end when not all match. (Dropping the most common word first, Meilisearch's
/// `frequency`, did worse on the relevance set: frequencies are counted per index, so the kinds disagree.)
fn query_of(query: &str) -> (String, MatchingStrategies) {
    let q = prepare_query(query);
    let strategy = if q.chars().any(|c| c.is_ascii_digit()) {
        MatchingStrategies::ALL
    } else {
        MatchingStrategies::LAST
    };
    (q, strategy)
}

/// Meilisearch's federated search over the plans' indexes: hits in rank order, and the estimated total.
async fn federated(
    app: &AppContext,
    query: &str,
    plans: &[Plan],
    offset: usize,
    limit: usize,
) -> anyhow::Result<(Vec<FedHit>, usize)> {
    let (q, strategy) = query_of(query);
    let highlight: Vec<Vec<&str>> = plans
        .iter()
        .map(|p| [p.spec.headline].into_iter().chain(p.spec.snippet).collect())
        .collect();
    let crop: Vec<Vec<(&str, Option<usize>)>> = plans
        .iter()
        .map(|p| p.spec.snippet.map(|f| vec![(f, None)]).unwrap_or_default())
        .collect();
    let at = PlanIndexes::new(app, plans);
    let mut multi = app.search.client.multi_search();
    for (i, p) in plans.iter().enumerate() {
        let mut sq = at.query(i, &q);
        sq.with_matching_strategy(strategy.clone())
            .with_attributes_to_highlight(Selectors::Some(&highlight[i]))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST)
            .with_crop_marker("…")
            .with_crop_length(SNIPPET_WORDS);
        if !crop[i].is_empty() {
            sq.with_attributes_to_crop(Selectors::Some(&crop[i]));
        }
        multi.with_search_query_and_weight(sq, p.spec.weight);
    }
    let federation = FederationOptions {
        offset: Some(offset),
        limit: Some(limit),
        ..Default::default()
    };
    let res = app
        .search
        .timed("federated search", multi.with_federation(federation).execute::<Hit>())
        .await?;
    let mut out = Vec::with_capacity(res.hits.len());
    for h in res.hits {
        let Some(info) = &h.federation else { continue };
        let p = &plans[info.queries_position];
        let f = h.formatted_result.as_ref();
        out.push(FedHit {
            key: (p.t, h.result.id),
            highlight: formatted_field(f, p.spec.headline),
            snippet: p.spec.snippet.and_then(|s| formatted_field(f, s)),
        });
    }
    Ok((out, res.estimated_total_hits))
}

/// Facet counts of the same query and filters: one non-federated multi-search with no hits, a query a kind.
async fn facet_counts(
    app: &AppContext,
    query: &str,
    plans: &[Plan],
    region: Option<&str>,
) -> anyhow::Result<Vec<Facet>> {
    let (q, strategy) = query_of(query);
    let fields: Vec<Vec<&str>> = plans
        .iter()
        .map(|p| {
            [p.spec.region, p.spec.year, p.spec.status_field]
                .into_iter()
                .flatten()
                .collect()
        })
        .collect();
    let at = PlanIndexes::new(app, plans);
    let mut multi = app.search.client.multi_search();
    for (i, f) in fields.iter().enumerate() {
        let mut sq = at.query(i, &q);
        sq.with_matching_strategy(strategy.clone())
            .with_limit(0)
            .with_facets(Selectors::Some(f));
        multi.with_search_query(sq);
    }
    let res = app.search.timed("facet counts", multi.execute::<Hit>()).await?;
    // Regions one level under the filter: provinces (2 digits) without one, cities (4) under a province, ...
    let region_len = region.map(|r| r.len() + 2).unwrap_or(2);
    let mut types: Vec<(String, usize)> = Vec::new();
    let mut shared: [HashMap<String, usize>; 3] = Default::default();
    for (p, r) in plans.iter().zip(res.results) {
        types.push((p.t.as_str().to_string(), r.estimated_total_hits.unwrap_or(0)));
        let dist = r.facet_distribution.unwrap_or_default();
        if let Some(values) = p.spec.region.and_then(|f| dist.get(f)) {
            for (v, n) in values {
                if v.len() == region_len && region.is_none_or(|r| v.starts_with(r)) {
                    *shared[0].entry(v.clone()).or_default() += n;
                }
            }
        }
        if let Some(values) = p.spec.year.and_then(|f| dist.get(f)) {
            for (v, n) in values {
                *shared[1].entry(v.clone()).or_default() += n;
            }
        }
        if let Some(values) = p.spec.status_field.and_then(|f| dist.get(f)) {
            for (v, n) in values {
                let v = match v.as_str() {
                    "true" => "ACTIVE".to_string(),
                    "false" => "ENDED".to_string(),
                    other => other.to_string(),
                };
                *shared[2].entry(v).or_default() += n;
            }
        }
    }
    let sorted = |field: &str, mut values: Vec<(String, usize)>| {
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Facet {
            field: field.to_string(),
            values: values
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(value, n)| FacetValue { value, count: n as i32 })
                .collect(),
        }
    };
    let [region_counts, year_counts, status_counts] = shared;
    Ok(vec![
        sorted("type", types),
        sorted("region", region_counts.into_iter().collect()),
        sorted("year", year_counts.into_iter().collect()),
        sorted("status", status_counts.into_iter().collect()),
    ])
}

const DEGRADED: &str =
    "search is degraded: Meilisearch is unreachable, so these are simple text matches from the database";

/// Ids of the rows of `E` that meet `cond`, at most `limit`.
async fn ids_where<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    id: E::Column,
    cond: sea_orm::Condition,
    limit: u64,
) -> Result<Vec<i32>, sea_orm::DbErr> {
    E::find()
        .select_only()
        .column(id)
        .filter(cond)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// The database's answer when Meilisearch is away: records whose headline (or code) contains the query.
async fn fallback(
    app: &AppContext,
    query: &str,
    types: &[SearchType],
    limit: u64,
) -> anyhow::Result<Vec<(SearchType, i32)>> {
    use crate::catalog::enterprises::entity::{enterprise, listing, zone};
    use crate::catalog::like;
    use crate::catalog::notices::entity::notice;
    use crate::catalog::policies::entity::policy;
    use crate::catalog::standards::entity::standard;
    use sea_orm::Condition;
    let q = crate::catalog::codes::to_simplified(query.trim());
    let q = q.as_str();
    let db = &app.db;
    let mut out = Vec::new();
    for &t in types {
        let ids = match t {
            SearchType::Notice => {
                use notice::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::TitleZh, q))
                    .add(like::contains(C::TitleEn, q))
                    .add(like::contains(C::PrimarySymbol, q));
                ids_where::<notice::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Standard => {
                use standard::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::TitleZh, q))
                    .add(like::contains(C::Number, q));
                ids_where::<standard::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Enterprise => {
                use enterprise::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::Name, q))
                    .add(like::contains(C::CreditCode, q));
                ids_where::<enterprise::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Zone => {
                use zone::Column as C;
                ids_where::<zone::Entity>(db, C::Id, Condition::all().add(like::contains(C::Name, q)), limit).await?
            }
            SearchType::Policy => {
                use policy::Column as C;
                ids_where::<policy::Entity>(db, C::Id, Condition::all().add(like::contains(C::Title, q)), limit).await?
            }
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => {
                use listing::Column as C;
                let kind = t.listing_kind().expect("a listing type").as_str();
                let cond = Condition::all().add(C::Kind.eq(kind)).add(
                    Condition::any()
                        .add(like::contains(C::Name, q))
                        .add(like::contains(C::Reason, q)),
                );
                ids_where::<listing::Entity>(db, C::Id, cond, limit).await?
            }
        };
        out.extend(ids.into_iter().map(|id| (t, id)));
    }
    Ok(out)
}

/// The field of a kind's code, shown beside a suggestion.
fn code_field(t: SearchType) -> Option<&'static str> {
    match t {
        SearchType::Notice => Some("symbols"),
        SearchType::Standard => Some("number"),
        SearchType::Zone => Some("code"),
        SearchType::Policy => Some("documentNumber"),
        _ => None,
    }
}

/// Completions of a prefix: the headlines of the best hits of a federated search (Meilisearch matches the last
/// word as a prefix), one suggestion a distinct text.
async fn suggestions(app: &AppContext, prefix: &str, plans: &[Plan], limit: usize) -> anyhow::Result<Vec<Suggestion>> {
    let q = prepare_query(prefix);
    let highlight: Vec<[&str; 1]> = plans.iter().map(|p| [p.spec.headline]).collect();
    let retrieve: Vec<Vec<&str>> = plans
        .iter()
        .map(|p| ["id", p.spec.headline].into_iter().chain(code_field(p.t)).collect())
        .collect();
    let at = PlanIndexes::new(app, plans);
    let mut multi = app.search.client.multi_search();
    for (i, p) in plans.iter().enumerate() {
        let mut sq = at.query(i, &q);
        sq.with_attributes_to_retrieve(Selectors::Some(&retrieve[i]))
            .with_attributes_to_highlight(Selectors::Some(&highlight[i]))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST);
        multi.with_search_query_and_weight(sq, p.spec.weight);
    }
    // Several titles share a name (every winner of one award): ask for more, keep one of each text.
    let federation = FederationOptions {
        limit: Some(limit * 3),
        ..Default::default()
    };
    let res = app
        .search
        .timed(
            "suggest",
            multi
                .with_federation(federation)
                .execute::<serde_json::Map<String, serde_json::Value>>(),
        )
        .await?;
    let mut out: Vec<Suggestion> = Vec::new();
    for h in res.hits {
        let Some(info) = &h.federation else { continue };
        let p = &plans[info.queries_position];
        let text_of = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Array(a)) => a.first().and_then(|x| x.as_str()).map(str::to_string),
            _ => None,
        };
        let Some(text) = text_of(h.result.get(p.spec.headline)) else {
            continue;
        };
        let Some(id) = h.result.get("id").and_then(|v| v.as_i64()) else {
            continue;
        };
        if out.iter().any(|s| s.text == text) {
            continue;
        }
        out.push(Suggestion {
            kind: p.t,
            id: super::ids::encode(p.t.type_name(), id as i32),
            code: code_field(p.t).and_then(|f| text_of(h.result.get(f))),
            highlight: formatted_field(h.formatted_result.as_ref(), p.spec.headline),
            text,
        });
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

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
        let want_facets = ctx.look_ahead().field("facets").exists();

        let exact = match exact_records(app, &query, &plans, filtered).await {
            Ok(keys) => keys,
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "search: exact lookup failed");
                Vec::new()
            }
        };
        // Exact records are skipped where the text search finds them again: ask for that many more.
        let text_search = federated(app, &query, &plans, offset, size + exact.len());
        let facet_search = async {
            if want_facets && !plans.is_empty() {
                facet_counts(app, &query, &plans, region.as_deref()).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (text, facets) = if plans.is_empty() {
            (Ok((Vec::new(), 0)), Ok(None))
        } else {
            tokio::join!(text_search, facet_search)
        };
        let (hits, total, degraded) = match text {
            Ok((hits, total)) => (hits, total, false),
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
                    })
                    .collect();
                (hits, n, true)
            }
        };
        let facets = match facets {
            Ok(f) => f.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "search: facet counts failed");
                Vec::new()
            }
        };
        if degraded {
            super::warn(ctx, DEGRADED);
        }

        let show_exact = if first_page { exact.len().min(size) } else { 0 };
        let mut keys: Vec<Key> = exact[..show_exact].to_vec();
        keys.extend(hits.iter().map(|h| h.key));
        let mut records = load_many(app, &keys).await.map_err(ApiError::from)?;
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
            warning: degraded.then(|| DEGRADED.to_string()),
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
                super::warn(ctx, "suggestions are unavailable: Meilisearch is unreachable");
                Ok(Vec::new())
            }
        }
    }
}
