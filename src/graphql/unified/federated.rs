//! The text search: one federated Meilisearch multi-search over the plans' indexes, hits in one ranked list
//! with their highlights and snippets.

use meilisearch_sdk::search::{FederationOptions, MatchingStrategies, Selectors};

use super::Key;
use super::plan::{Plan, PlanIndexes};
use crate::context::AppContext;
use crate::search::formatted_field;
use crate::search::text::{POST, PRE, prepare_query};

/// A hit as Meilisearch returns it: only its row id is read.
#[derive(serde::Deserialize)]
pub(super) struct Hit {
    pub(super) id: i32,
}

/// One hit of the mixed list.
pub(super) struct FedHit {
    pub(super) key: Key,
    pub(super) highlight: Option<String>,
    pub(super) snippet: Option<String>,
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

/// Meilisearch's federated search over the plans' indexes: hits in rank order, and the estimated total.
pub(super) async fn federated(
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
    let multi = at.multi_search(app, &q, true, |i, sq| {
        sq.with_matching_strategy(strategy.clone())
            .with_attributes_to_highlight(Selectors::Some(&highlight[i]))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST)
            .with_crop_marker("…")
            .with_crop_length(SNIPPET_WORDS);
        if !crop[i].is_empty() {
            sq.with_attributes_to_crop(Selectors::Some(&crop[i]));
        }
    });
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
