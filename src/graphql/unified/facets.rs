//! Facet counts: a non-federated multi-search beside the text search, counting hits by kind, region, year and
//! status.

use std::collections::HashMap;

use meilisearch_sdk::search::Selectors;

use super::federated::{Hit, query_of};
use super::plan::{Plan, PlanIndexes};
use crate::context::AppContext;
use crate::graphql::search::{Facet, FacetValue};

/// Facet counts of the same query and filters: one non-federated multi-search with no hits, a query a kind.
pub(super) async fn facet_counts(
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
    let multi = at.multi_search(app, &q, false, |i, sq| {
        sq.with_matching_strategy(strategy.clone())
            .with_limit(0)
            .with_facets(Selectors::Some(&fields[i]));
    });
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
