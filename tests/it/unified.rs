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
    assert!(kinds.len() >= 3 && kinds.contains(&"STANDARD".to_string()), "{kinds:?}");
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
    // The response says so in its extensions too; suggestions are empty, with the same kind of warning.
    let body = app.gql(SEARCH, json!({"q": "文具"})).await;
    let warnings = body["extensions"]["warnings"].as_array().expect("extensions.warnings");
    assert!(warnings[0].as_str().unwrap().contains("degraded"), "{body}");
    // A filter cannot be applied by the database's simple match: refused, not answered unfiltered.
    let filtered = "{ search(query: \"文具\", filter: {region: \"33\"}) { degraded } }";
    assert_eq!(app.error_code(filtered, json!({})).await, "SEARCH_UNAVAILABLE");
    let body = app.gql("{ suggest(prefix: \"文具\") { text } }", json!({})).await;
    assert_eq!(body["data"]["suggest"], json!([]));
    assert!(
        body["extensions"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("unavailable")
    );
    app.finish().await;
}

const FACETED: &str = r#"query($q: String!, $types: [SearchType!], $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $q, types: $types, filter: $filter, first: $first, after: $after) {
    estimatedTotalCount pageInfo { hasNextPage endCursor }
    edges { cursor type exact snippet node {
      ... on Notice { symbol hsCodes } ... on Standard { number status icsCodes }
      ... on Enterprise { creditCode region { code } } ... on Zone { code region { code } }
      ... on Brand { enterprise { region { code } } } ... on Title { regionCode enterprise { region { code } } }
      ... on CreditEntry { enterprise { region { code } } } ... on Policy { text } } }
    facets { field values { value count } } } }"#;

fn facet(r: &Value, field: &str) -> Vec<(String, i64)> {
    r["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .unwrap_or_else(|| panic!("no facet {field}: {r}"))["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["value"].as_str().unwrap().to_string(), v["count"].as_i64().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_facets_snippets_codes_and_suggestions() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_indexed().await;
    let s = |q: &'static str, vars: Value| {
        let app = &app;
        async move {
            let mut v = vars;
            v["q"] = json!(q);
            app.data(FACETED, v).await["search"].clone()
        }
    };

    // Facets: by kind, and what the kinds share. The counts by kind add up to the kinds' hits.
    let r = s("玩具", json!({})).await;
    let kinds = facet(&r, "type");
    assert!(kinds.iter().any(|(k, n)| k == "STANDARD" && *n > 0), "{kinds:?}");
    assert!(kinds.iter().any(|(k, n)| k == "NOTICE" && *n > 0), "{kinds:?}");
    let provinces = facet(&r, "region");
    assert!(
        !provinces.is_empty() && provinces.iter().all(|(v, _)| v.len() == 2),
        "{provinces:?}"
    );
    assert!(facet(&r, "year").iter().all(|(v, _)| v.len() == 4));
    assert!(facet(&r, "status").iter().any(|(v, _)| v == "CURRENT"));

    // Region: only kinds with a region, all inside it; the region facet goes one level down.
    let r = s("文具", json!({"filter": {"region": "330000"}})).await;
    let edges = r["edges"].as_array().unwrap();
    assert!(!edges.is_empty());
    for e in edges {
        let n = &e["node"];
        let code = n["region"]["code"]
            .as_str()
            .or(n["enterprise"]["region"]["code"].as_str())
            .or(n["regionCode"].as_str())
            .unwrap_or_else(|| panic!("a hit without a region under a region filter: {e}"));
        assert!(code.starts_with("33"), "{e}");
    }
    let cities = facet(&r, "region");
    assert!(
        !cities.is_empty() && cities.iter().all(|(v, _)| v.len() == 4 && v.starts_with("33")),
        "{cities:?}"
    );
    assert_eq!(
        facet(&r, "type")
            .iter()
            .filter(|(k, _)| ["NOTICE", "STANDARD", "POLICY"].contains(&k.as_str()))
            .count(),
        0
    );

    // Status and year.
    let r = s(
        "玩具",
        json!({"filter": {"status": ["current"]}, "types": ["STANDARD", "NOTICE"]}),
    )
    .await;
    assert!(!r["edges"].as_array().unwrap().is_empty());
    assert!(
        r["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["status"] == "CURRENT"),
        "{r}"
    );
    let r = s("玩具", json!({"filter": {"year": 2014}, "types": ["STANDARD"]})).await;
    let numbers: Vec<&str> = r["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["number"].as_str().unwrap())
        .collect();
    assert!(
        !numbers.is_empty() && numbers.iter().all(|n| n.contains("-2014") || n.contains(":2014")),
        "{numbers:?}"
    );
    for bad in [
        json!({"region": "浙江"}),
        json!({"region": "3"}),
        json!({"status": ["OPEN"]}),
    ] {
        assert_eq!(
            app.error_code(FACETED, json!({"q": "玩具", "filter": bad})).await,
            "BAD_USER_INPUT",
            "{bad}"
        );
    }

    // An HS heading and an ICS code put the records classified under them first.
    let r = s("9503", json!({})).await;
    let first = &r["edges"][0];
    assert_eq!(
        (first["type"].as_str(), first["exact"].as_bool()),
        (Some("NOTICE"), Some(true)),
        "{r}"
    );
    assert!(
        first["node"]["hsCodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().starts_with("9503"))
    );
    let r = s("97.200.50", json!({})).await;
    let first = &r["edges"][0];
    assert_eq!(
        (first["type"].as_str(), first["exact"].as_bool()),
        (Some("STANDARD"), Some(true)),
        "{r}"
    );
    assert!(
        first["node"]["icsCodes"]
            .as_array()
            .unwrap()
            .contains(&json!("97.200.50"))
    );
    // Full-width forms, as some input methods type them.
    let r = s("ＧＢ　６６７５．１－２０１４", json!({})).await;
    assert_eq!(r["edges"][0]["node"]["number"], "GB 6675.1-2014");
    assert_eq!(r["edges"][0]["exact"], true);

    // Paging past an exact record: page 2 starts with the first text hit, and no record comes twice.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for _ in 0..4 {
        let r = s("GB 6675", json!({"first": 1, "after": after})).await;
        let e = &r["edges"][0];
        seen.push(e["node"]["number"].as_str().unwrap().to_string());
        after = r["pageInfo"]["endCursor"].clone();
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "{seen:?}");

    // Snippets: a few words around the match, cut at word boundaries, escaped.
    let r = s("示范区", json!({"types": ["POLICY"]})).await;
    let e = &r["edges"][0];
    let snippet = e["snippet"].as_str().expect("a policy hit has a snippet");
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(snippet.chars().count() < e["node"]["text"].as_str().unwrap().chars().count() / 2);

    // Suggestions: distinct texts that complete the prefix, with the part typed marked.
    let q = r#"query($p: String!, $n: Int) { suggest(prefix: $p, first: $n) { type id text code highlight } }"#;
    let list = app.data(q, json!({"p": "玩具安", "n": 5})).await["suggest"].clone();
    let texts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(!texts.is_empty() && texts.len() <= 5);
    assert!(texts.iter().any(|t| t.starts_with("玩具安全")), "{texts:?}");
    let mut distinct = texts.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), texts.len());
    let std = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "STANDARD")
        .expect("a standard");
    assert!(std["code"].as_str().unwrap().starts_with("GB"));
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Standard { number } } }",
            json!({"id": std["id"]}),
        )
        .await;
    assert_eq!(node["node"]["number"], std["code"]);
    assert_eq!(
        app.error_code(q, json!({"p": "玩具", "n": 0})).await,
        "PAGE_SIZE_INVALID"
    );
    app.finish().await;
}
