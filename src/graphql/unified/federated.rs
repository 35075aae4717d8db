//! The text search: one federated Meilisearch multi-search over the plans' indexes, hits in one ranked list
//! with their highlights and snippets.

use meilisearch_sdk::search::{FederationOptions, MatchingStrategies, Selectors};

use super::plan::{Plan, PlanIndexes};
use super::steer::{BOOST, Steer, steer};
use super::{Key, SearchType};
use crate::context::AppContext;
use crate::search::formatted_field;
use crate::search::meaning::{EMBEDDER, Meaning};
use crate::search::text::{MAX_QUERY_TERMS, POST, PRE, han_bigrams, prepare_query};

/// A hit as Meilisearch returns it: its row id, and the stored attributes asked for (`TextQuery::notice_attributes`).
#[derive(serde::Deserialize)]
pub(super) struct Hit {
    pub(super) id: i32,
    #[serde(flatten)]
    pub(super) rest: serde_json::Map<String, serde_json::Value>,
}

/// One hit of the mixed list.
pub(super) struct FedHit {
    pub(super) key: Key,
    pub(super) highlight: Option<String>,
    pub(super) snippet: Option<String>,
    /// The stored attributes retrieved with it: a notice's `TextQuery::notice_attributes`, else nothing.
    pub(super) document: serde_json::Map<String, serde_json::Value>,
}

/// Words a snippet keeps around the matches (Meilisearch counts words, and a Chinese word is one to four
/// characters).
const SNIPPET_WORDS: usize = 24;

/// A query the way Meilisearch should see it, with the matching strategy: a query with digits (a code, whole or
/// partial, with or without words) must match every term, so that `GB 6675` does not drift to other numbers;
/// words are dropped from the end when not all match. (Dropping the most common word first, Meilisearch's
/// `frequency`, did worse on the relevance set: frequencies are counted per index, so the kinds disagree.)
pub(super) fn query_of(query: &str) -> (String, MatchingStrategies) {
    let q = prepare_query(query);
    let strategy = if q.chars().any(|c| c.is_ascii_digit()) {
        MatchingStrategies::ALL
    } else {
        MatchingStrategies::LAST
    };
    (q, strategy)
}

/// A keyword match scoring at least this (Meilisearch's ranking score, before the kind's weight) answers the
/// query by itself; below it, the query's meaning joins the ranking. Measured on the relevance set: the top
/// keyword hit of queries in the record's own words scores 0.85-1.0 (median 0.99), that of everyday words for
/// official names nothing or below 0.6, typos 0.36-0.95.
pub(super) const STRONG_MATCH: f32 = 0.85;

/// Below a strong match, a keyword hit scoring at least this (a typo, a word left out) leads the mixed list;
/// below it the nearest record by meaning does.
pub(super) const FAIR_MATCH: f32 = 0.6;

/// What the text search asks of each index.
pub(super) struct TextQuery {
    /// The prepared query (`query_of`).
    pub(super) q: String,
    pub(super) strategy: MatchingStrategies,
    /// Kinds named by a word of the query, searched with the rest of it and weighted up.
    pub(super) steer: Option<Steer>,
    /// Whether the request reads `highlight` or `snippet`: Meilisearch highlights and crops only then.
    pub(super) marks: bool,
    /// The stored attributes of notices to retrieve with their hits, so that they can be answered from the
    /// index (`notices::search::index_attributes`); the hits of other kinds carry their ids only.
    pub(super) notice_attributes: Option<Vec<&'static str>>,
}

impl TextQuery {
    pub(super) fn new(query: &str) -> TextQuery {
        let (q, strategy) = query_of(query);
        TextQuery {
            steer: steer(&q),
            q,
            strategy,
            marks: true,
            notice_attributes: None,
        }
    }

    /// Looser matching for a query that found nothing: each run of Han characters becomes its overlapping
    /// bigrams (matched against the documents' bigram field), and Meilisearch drops the most common terms until
    /// records match. The steering stays.
    pub(super) fn relaxed(&self) -> Option<TextQuery> {
        let mut terms: Vec<String> = Vec::new();
        for t in self.q.split(' ').filter(|t| !t.is_empty()) {
            let b = han_bigrams([t]);
            if b.is_empty() || t.chars().count() <= 2 {
                terms.push(t.to_string());
            } else {
                terms.extend(b.split(' ').map(str::to_string));
            }
        }
        terms.truncate(MAX_QUERY_TERMS);
        let q = terms.join(" ");
        if terms.len() < 2 && q == self.q {
            return None;
        }
        Some(TextQuery {
            steer: steer(&q),
            q,
            strategy: MatchingStrategies::FREQUENCY,
            marks: self.marks,
            notice_attributes: self.notice_attributes.clone(),
        })
    }

    fn steered(&self, t: SearchType) -> bool {
        self.steer.as_ref().is_some_and(|s| s.kinds.contains(&t))
    }

    /// Whether the query's meaning may help: words, not codes (a query with digits is matched exactly).
    fn wants_meaning(&self) -> bool {
        !self.q.is_empty() && !self.q.chars().any(|c| c.is_ascii_digit())
    }
}

/// A page of the mixed list.
pub(super) struct Ranked {
    pub(super) hits: Vec<FedHit>,
    /// Meilisearch's estimate of all hits.
    pub(super) total: usize,
    /// Whether the query's meaning took part in the ranking.
    pub(super) semantic: bool,
    /// Whether no record matched the whole query, and the keyword hits match part of it.
    pub(super) relaxed: bool,
}

/// Meilisearch's federated search over the plans' indexes, hits in rank order. Keywords answer first; when no
/// keyword hit is a strong match ([`STRONG_MATCH`]) and an embedder is configured, the query is embedded and the
/// records nearest in meaning are searched too, and the two lists are interleaved without repeats: the keyword
/// list leads when its best hit is a fair match ([`FAIR_MATCH`]: a typo), the meaning list otherwise (an everyday
/// word for an official name). Interleaving keeps a right keyword hit of a misspelt query in the first places,
/// where a merge by score would let the meaning list's uniformly high similarities push it out. A page after the
/// first decides the same way by the query's best keyword hit. When the meaning search fails (an index without
/// its embedder, while embedders are switched), the keywords answer alone.
pub(super) async fn federated(
    app: &AppContext,
    tq: &TextQuery,
    plans: &[Plan],
    offset: usize,
    limit: usize,
) -> anyhow::Result<Ranked> {
    let meaning = app.search.meaning.as_ref().filter(|_| tq.wants_meaning());
    // The meaning is that of the query as typed, not of its loosened terms.
    let typed = tq.q.as_str();
    // With an embedder, a weak query's keyword list is read from its start, once: the interleaved page is cut
    // from it. A page after the first asks the best keyword hit first (every page decides alike), so a strong
    // query's deep page reads only that page.
    let depth = offset + limit;
    let weak = match meaning {
        None => false,
        Some(_) if offset == 0 => true,
        Some(_) => run(app, tq, None, plans, 0, 1).await?.2 < STRONG_MATCH,
    };
    let (start, count) = if weak { (0, depth) } else { (offset, limit) };
    let (mut hits, mut total, mut best) = run(app, tq, None, plans, start, count).await?;
    // Nothing matched as typed: looser matching, said so in the answer. The query's meaning will be wanted
    // then: it is embedded while the loosened search runs.
    let loose = if hits.is_empty() && total == 0 {
        tq.relaxed()
    } else {
        None
    };
    let mut early = None;
    if let Some(l) = &loose {
        let embedding = async {
            match meaning {
                Some(m) => Some(embed_query(m, typed).await),
                None => None,
            }
        };
        let (found, vector) = tokio::join!(run(app, l, None, plans, start, count), embedding);
        (hits, total, best) = found?;
        early = vector;
    }
    let relaxed = loose.is_some();
    let tq = loose.as_ref().unwrap_or(tq);
    let keywords = |hits: Vec<FedHit>| Ranked {
        hits: hits.into_iter().skip(offset - start).take(limit).collect(),
        total,
        semantic: false,
        relaxed,
    };
    let Some(meaning) = meaning.filter(|_| weak && best < STRONG_MATCH) else {
        return Ok(keywords(hits));
    };
    let vector = match early {
        Some(v) => v,
        None => embed_query(meaning, typed).await,
    };
    let Some(vector) = vector else {
        return Ok(keywords(hits));
    };
    let (near, near_total, _) = match run(app, tq, Some(&vector), plans, 0, depth).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(
                error = format!("{e:#}"),
                "search: the search by meaning failed; keywords only"
            );
            return Ok(keywords(hits));
        }
    };
    let merged = interleave(hits, near, best >= FAIR_MATCH)
        .into_iter()
        .skip(offset)
        .take(limit)
        .collect();
    Ok(Ranked {
        hits: merged,
        total: total.max(near_total),
        semantic: true,
        relaxed,
    })
}

/// The embedding of a query, or none (logged) when the embedder fails or takes over 2 s: keywords answer then.
async fn embed_query(meaning: &std::sync::Arc<Meaning>, text: &str) -> Option<Vec<f32>> {
    match tokio::time::timeout(std::time::Duration::from_secs(2), meaning.query(text)).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::warn!(
                error = format!("{e:#}"),
                "search: the query could not be embedded; keywords only"
            );
            None
        }
        Err(_) => {
            tracing::warn!("search: embedding the query took over 2 s; keywords only");
            None
        }
    }
}

/// Alternates the two lists, `a` first when `a_leads`, each record once (where it first comes).
fn interleave(a: Vec<FedHit>, b: Vec<FedHit>, a_leads: bool) -> Vec<FedHit> {
    let (first, second) = if a_leads { (a, b) } else { (b, a) };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(first.len() + second.len());
    let mut first = first.into_iter();
    let mut second = second.into_iter();
    loop {
        let (x, y) = (first.next(), second.next());
        if x.is_none() && y.is_none() {
            return out;
        }
        for h in [x, y].into_iter().flatten() {
            if seen.insert(h.key) {
                out.push(h);
            }
        }
    }
}

/// One federated search: by keywords, or by keywords and meaning when `vector` is given. Returns the hits, the
/// estimated total and the best hit's ranking score without its kind's weight.
async fn run(
    app: &AppContext,
    tq: &TextQuery,
    vector: Option<&[f32]>,
    plans: &[Plan],
    offset: usize,
    limit: usize,
) -> anyhow::Result<(Vec<FedHit>, usize, f32)> {
    let highlight: Vec<Vec<&str>> = plans
        .iter()
        .map(|p| [p.spec.headline].into_iter().chain(p.spec.snippet).collect())
        .collect();
    let crop: Vec<Vec<(&str, Option<usize>)>> = plans
        .iter()
        .map(|p| p.spec.snippet.map(|f| vec![(f, None)]).unwrap_or_default())
        .collect();
    let texts: Vec<&str> = plans
        .iter()
        .map(|p| match &tq.steer {
            Some(s) if tq.steered(p.t) => s.rest.as_str(),
            _ => tq.q.as_str(),
        })
        .collect();
    let weights: Vec<f32> = plans
        .iter()
        .map(|p| p.spec.weight * if tq.steered(p.t) { BOOST } else { 1.0 })
        .collect();
    let ids_only: &[&str] = &["id"];
    let notice_retrieve: Vec<&str> = std::iter::once("id")
        .chain(tq.notice_attributes.iter().flatten().copied())
        .collect();
    let at = PlanIndexes::new(app, plans);
    let multi = at.multi_search_each(
        app,
        |i| texts[i],
        Some(weights.clone()),
        |i, sq| {
            sq.with_matching_strategy(tq.strategy.clone());
            sq.with_attributes_to_retrieve(Selectors::Some(if plans[i].t == SearchType::Notice {
                &notice_retrieve
            } else {
                ids_only
            }));
            if tq.marks {
                sq.with_attributes_to_highlight(Selectors::Some(&highlight[i]))
                    .with_highlight_pre_tag(PRE)
                    .with_highlight_post_tag(POST)
                    .with_crop_marker("…")
                    .with_crop_length(SNIPPET_WORDS);
                if !crop[i].is_empty() {
                    sq.with_attributes_to_crop(Selectors::Some(&crop[i]));
                }
            }
            if let Some(v) = vector {
                // Meaning only: the keyword list is searched on its own and interleaved with this one.
                sq.with_hybrid(EMBEDDER, 1.0).with_vector(v);
            }
        },
    );
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
    let mut best = 0f32;
    for h in res.hits {
        let Some(info) = &h.federation else { continue };
        let p = &plans[info.queries_position];
        let w = weights[info.queries_position];
        if w > 0.0 {
            best = best.max(info.weighted_ranking_score / w);
        }
        let f = h.formatted_result.as_ref();
        out.push(FedHit {
            key: (p.t, h.result.id),
            highlight: formatted_field(f, p.spec.headline),
            snippet: p.spec.snippet.and_then(|s| formatted_field(f, s)),
            document: h.result.rest,
        });
    }
    Ok((out, res.estimated_total_hits, best))
}
