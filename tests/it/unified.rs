//! `search`: one box over every catalogue; code-shaped queries answer their record first; the database answers
//! when Meilisearch is away.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const SEARCH: &str = r#"query($q: String!, $types: [SearchType!]) { search(query: $q, types: $types, first: 10) {
  degraded warning estimatedTotalCount
  edges { type exact highlight node {
    ... on Notice { symbol } ... on Standard { number } ... on Enterprise { creditCode }
    ... on Zone { code } ... on Policy { documentNumber } ... on Brand { name } } } } }"#;

fn types(r: &Value) -> Vec<String> {
    r["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

async fn load(app: &TestApp) {
    app.import_demo().await;
    app.import(&repo("demo/standards.jsonl")).await;
    app.import(&repo("demo/enterprises.jsonl")).await;
}

both_backends!(one_box_over_every_catalogue, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    app.wait_indexed().await;
    let s = |q: &'static str, t: Value| {
        let app = &app;
        async move { app.data(SEARCH, json!({"q": q, "types": t})).await["search"].clone() }
    };
    // Code-shaped queries: their record first, marked exact.
    let r = s("g/tbt/n/chn/2140", json!(null)).await;
    assert_eq!(
        (
            r["edges"][0]["exact"].as_bool(),
            r["edges"][0]["node"]["symbol"].as_str()
        ),
        (Some(true), Some("G/TBT/N/CHN/2140"))
    );
    let r = s("GB/T19001-2016", json!(null)).await;
    assert_eq!(r["edges"][0]["node"]["number"], "GB/T 19001-2016");
    let r = s("GB/T 19001", json!(null)).await;
    assert_eq!(
        r["edges"][0]["node"]["number"], "GB/T 19001-2016",
        "without a year: the current edition"
    );
    let r = s("91330226573218648K", json!(null)).await;
    assert_eq!(r["edges"][0]["node"]["creditCode"], "91330226573218648K");
    // Words: one ranked list across kinds, highlights escaped.
    let r = s("玩具", json!(null)).await;
    let mut kinds = types(&r);
    kinds.sort();
    kinds.dedup();
    assert!(kinds.len() >= 3 && kinds.contains(&"NOTICE".to_string()), "{kinds:?}");
    let r = s("玩具安全", json!(["STANDARD"])).await;
    assert!(
        r["edges"][0]["node"]["number"].as_str().unwrap().starts_with("GB 6675"),
        "{r}"
    );
    assert!(r["edges"].as_array().unwrap().iter().all(|e| e["exact"] == false));
    assert!(!r["degraded"].as_bool().unwrap());
    // Narrowed to kinds.
    let r = s("文具", json!(["ZONE"])).await;
    assert!(!types(&r).is_empty() && types(&r).iter().all(|t| t == "ZONE"));
    let r = s("中性笔", json!(["BRAND", "ENTERPRISE"])).await;
    assert!(
        types(&r).iter().all(|t| t == "BRAND" || t == "ENTERPRISE"),
        "{:?}",
        types(&r)
    );
    assert_eq!(app.error_code(SEARCH, json!({"q": "  "})).await, "BAD_USER_INPUT");
    app.finish().await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn degraded_when_meilisearch_is_away() {
    // Nothing listens on port 9 of this machine.
    let app = TestApp::spawn_with_meili(Backend::Sqlite, "http://127.0.0.1:9").await;
    load(&app).await;
    let r = app.data(SEARCH, json!({"q": "信号灯"})).await["search"].clone();
    assert_eq!(r["degraded"], true);
    assert!(r["warning"].as_str().unwrap().contains("Meilisearch"));
    assert_eq!(r["edges"][0]["node"]["symbol"], "G/TBT/N/CHN/2140");
    // Code-shaped queries still find their record exactly.
    let r = app.data(SEARCH, json!({"q": "宁政办发〔2017〕49号"})).await["search"].clone();
    assert_eq!(r["degraded"], true);
    let r = app.data(SEARCH, json!({"q": "91330226573218648K"})).await["search"].clone();
    assert_eq!(r["edges"][0]["exact"], true);
    app.finish().await;
}
