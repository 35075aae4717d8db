//! The relevance set: every query of `tests/relevance/queries.jsonl` must have its expected records in the top
//! five of `search`, over the demo data. `benches/relevance.rs` prints the figures (and the baseline's).

use serde_json::json;

use crate::common::{Backend, TestApp, repo};

#[path = "../relevance/eval.rs"]
pub mod eval;

#[tokio::test]
async fn relevance_set_holds() {
    let cases = eval::load_set(&repo(""));
    assert!(
        cases.len() >= 80,
        "the set has {} queries; at least 80 are asked for",
        cases.len()
    );
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_indexed().await;
    let query = format!(
        "query($q: String!) {{ search(query: $q, first: {}) {{ edges {{ node {{ ...K }} }} }} }} {}",
        eval::TOP,
        eval::key_fragment("K", "SearchItem")
    );
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    for case in &cases {
        let data = app.data(&query, json!({ "q": case.query })).await;
        let ranked: Vec<Vec<String>> = data["search"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| eval::keys_of(&e["node"]))
            .collect();
        let o = eval::score(case, &ranked);
        if !o.missing.is_empty() {
            failures.push(format!(
                "queries.jsonl:{} {:?} ({}): missing {:?}; top {}: {:?}",
                case.line,
                case.query,
                case.category,
                o.missing,
                eval::TOP,
                ranked.iter().map(|k| k[0].as_str()).collect::<Vec<_>>()
            ));
        }
        outcomes.push(o);
    }
    app.finish().await;
    assert!(
        failures.is_empty(),
        "{} of {} queries miss expected records (recall@5 {:.3}, MRR {:.3}):\n{}",
        failures.len(),
        cases.len(),
        eval::mean(outcomes.iter().map(|o| o.recall)),
        eval::mean(outcomes.iter().map(|o| o.reciprocal_rank)),
        failures.join("\n")
    );
}
