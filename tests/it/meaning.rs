//! Meaning in search (docs/search.md): sentence embeddings computed in the service, stored beside the records,
//! reused by rebuilds and recomputed only for changed texts; hybrid search where keywords are weak; relaxed
//! matching that says so; an embeddings endpoint over HTTP (a real server) and search that keeps answering by
//! keywords when it is away.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use zhiliang::config::EmbedderChoice;
use zhiliang::search::meaning::store::entity as vectors;

use crate::common::{Backend, TestApp, repo};

const SEARCH: &str = "query($q: String!) { search(query: $q, first: 5) { semantic relaxed warning \
    edges { node { __typename ... on Notice { symbols titleZh } ... on Enterprise { creditCode name } } } } }";

/// The notice symbols and enterprise credit codes of a `search` answer, in order.
fn keys(data: &Value) -> Vec<String> {
    data["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            n["symbols"][0]
                .as_str()
                .or(n["creditCode"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The demo notice G/TBT/N/USA/1933 with another Chinese title (宠物项圈), as a JSON Lines record.
fn retitled_notice() -> Value {
    let line = std::fs::read_to_string(repo("demo/notices.jsonl"))
        .unwrap()
        .lines()
        .find(|l| l.contains("\"G/TBT/N/USA/1933\""))
        .unwrap()
        .to_string();
    let mut record: Value = serde_json::from_str(&line).unwrap();
    record["titleZh"] = json!("美国关于宠物项圈的安全要求");
    record
}

async fn vector_rows(app: &TestApp) -> Vec<vectors::Model> {
    let mut rows = vectors::Entity::find().all(&app.db).await.unwrap();
    rows.sort_by_key(|r| (r.kind.clone(), r.record_id));
    rows
}

async fn everyday_words_find_records_by_meaning(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.embedder = EmbedderChoice::Local).await;
    app.import_demo().await;
    app.wait_embedded().await;

    // 红绿灯 (traffic lights) is nowhere in the records: the notice calls them 道路交通信号灯.
    let data = app.data(SEARCH, json!({"q": "红绿灯"})).await;
    assert_eq!(data["search"]["semantic"], true, "{data}");
    assert!(
        keys(&data).iter().any(|k| k == "G/TBT/N/CHN/2140"),
        "红绿灯 should find the traffic-light notice by meaning: {data}"
    );
    // The record's own words are a strong keyword match: keywords answer alone.
    let data = app.data(SEARCH, json!({"q": "道路交通信号灯"})).await;
    assert_eq!(data["search"]["semantic"], false, "{data}");
    assert_eq!(keys(&data)[0], "G/TBT/N/CHN/2140", "{data}");
    // Codes are matched exactly, never by meaning.
    let data = app.data(SEARCH, json!({"q": "G/TBT/N/CHN/2140"})).await;
    assert_eq!(data["search"]["semantic"], false, "{data}");

    // Every notice has its vector, of the model's length, and nothing waits; /readyz says so.
    let rows = vector_rows(&app).await;
    let notices = rows.iter().filter(|r| r.kind == "notice").count();
    assert_eq!(notices, 65, "one vector row per demo notice");
    // One vector for each line of the text (the whole text, then the short values: title, keywords, products).
    assert!(rows.iter().all(|r| {
        let lines = r.text.lines().count();
        !r.waiting && lines >= 2 && r.vector.as_ref().is_some_and(|v| v.len() == lines * 384 * 4)
    }));
    let ready: Value = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["embedding"]["waiting"], 0, "{ready}");
    assert_eq!(ready["embedding"]["embedded"], 65, "{ready}");
    assert!(
        ready["embedding"]["model"].as_str().unwrap().contains("e5-small-q4"),
        "{ready}"
    );

    // A rebuild sends the stored vectors again: no text is embedded anew, and meaning still answers.
    let search = zhiliang::search::Search::new(&app.settings, zhiliang::catalog::FAMILIES).unwrap();
    zhiliang::search::reindex::rebuild_all(&app.db, &search, false)
        .await
        .unwrap();
    app.wait_embedded().await;
    assert_eq!(
        vector_rows(&app).await,
        rows,
        "a rebuild must reuse every stored vector"
    );
    let data = app.data(SEARCH, json!({"q": "红绿灯"})).await;
    assert!(
        keys(&data).iter().any(|k| k == "G/TBT/N/CHN/2140"),
        "after the rebuild: {data}"
    );

    // A changed title is embedded again; the other records keep theirs.
    let record = retitled_notice();
    let before = vector_rows(&app).await;
    let r = app.import_text("changed.jsonl", &format!("{record}\n")).await;
    assert_eq!(r.updated, 1, "{r:?}");
    app.wait_embedded().await;
    let after = vector_rows(&app).await;
    let changed: Vec<i32> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.record_id)
        .collect();
    assert_eq!(
        changed.len(),
        1,
        "only the changed notice is embedded again: {changed:?}"
    );
    let row = after.iter().find(|r| r.record_id == changed[0]).unwrap();
    assert!(row.text.contains("宠物项圈"), "{}", row.text);
    assert!(row.vector.is_some() && !row.waiting);
    app.finish().await;
}

#[tokio::test]
async fn everyday_words_find_records_by_meaning_sqlite() {
    everyday_words_find_records_by_meaning(Backend::Sqlite).await;
}

#[tokio::test]
async fn everyday_words_find_records_by_meaning_postgres() {
    everyday_words_find_records_by_meaning(Backend::Postgres).await;
}

/// Without an embedder, a query no record matches as a whole is searched again more loosely, and the answer
/// says so (in the result and in `extensions.warnings`); a query that matches is not.
#[tokio::test]
async fn a_query_that_matches_nothing_whole_is_relaxed_and_says_so() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_indexed().await;
    // 马克杯 (mug): no record has the word; 杯 alone is in an enterprise's products (日用陶瓷杯...).
    let body = app.gql(SEARCH, json!({"q": "马克杯"})).await;
    let s = &body["data"]["search"];
    assert_eq!(s["relaxed"], true, "{body}");
    assert_eq!(s["semantic"], false, "{body}");
    assert!(!s["edges"].as_array().unwrap().is_empty(), "{body}");
    let warning = s["warning"].as_str().expect("a warning");
    assert!(warning.contains("part of it"), "{warning}");
    let warnings = body["extensions"]["warnings"].as_array().expect("extensions.warnings");
    assert!(warnings.iter().any(|w| w.as_str() == Some(warning)), "{body}");
    // A query that matches as typed is not relaxed.
    let body = app.gql(SEARCH, json!({"q": "锂离子电池"})).await;
    assert_eq!(body["data"]["search"]["relaxed"], false, "{body}");
    assert!(body["data"]["search"]["warning"].is_null(), "{body}");
    assert!(body["extensions"]["warnings"].is_null(), "{body}");
    app.finish().await;
}

/// Words of the test endpoint's toy model: a text's vector has a 1 for each group it names (and a small constant
/// part, so that no vector is zero).
const CONCEPTS: [&[&str]; 3] = [&["红绿灯", "信号灯"], &["电池", "充电宝"], &["玩具", "童车"]];

/// An embeddings endpoint of the OpenAI shape, served for real, with a toy model ([`CONCEPTS`]): 红绿灯 lands
/// on 信号灯. It answers 503 while `down` is set.
async fn embeddings_server(calls: Arc<AtomicUsize>, down: Arc<std::sync::atomic::AtomicBool>) -> String {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/v1/embeddings",
        post(move |axum::Json(body): axum::Json<Value>| {
            let calls = calls.clone();
            let down = down.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                if down.load(Ordering::SeqCst) {
                    return (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        axum::Json(json!({"error": "down"})),
                    );
                }
                let data: Vec<Value> = body["input"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let text = t.as_str().unwrap();
                        let text = text
                            .strip_prefix("query: ")
                            .or(text.strip_prefix("passage: "))
                            .expect("e5 prefixes");
                        let mut v: Vec<f32> = CONCEPTS
                            .iter()
                            .map(|words| {
                                if words.iter().any(|w| text.contains(w)) {
                                    1.0
                                } else {
                                    0.0
                                }
                            })
                            .collect();
                        v.push(0.1);
                        json!({"index": i, "embedding": v})
                    })
                    .collect();
                (axum::http::StatusCode::OK, axum::Json(json!({"data": data})))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://127.0.0.1:{port}/v1/embeddings")
}

#[tokio::test]
async fn an_embeddings_endpoint_serves_meaning_and_its_absence_leaves_keywords() {
    let calls = Arc::new(AtomicUsize::new(0));
    let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let url = embeddings_server(calls.clone(), down.clone()).await;
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.embedder = EmbedderChoice::Http;
        s.embed_url = Some(url);
        s.embed_model = "char-buckets".into();
        s.embed_dimensions = CONCEPTS.len() + 1;
    })
    .await;
    app.import_demo().await;
    app.wait_embedded().await;
    let rows = vector_rows(&app).await;
    assert_eq!(rows.len(), 65);
    assert!(rows.iter().all(|r| {
        let bytes = r.text.lines().count() * (CONCEPTS.len() + 1) * 4;
        r.model == "http:char-buckets" && r.vector.as_ref().is_some_and(|v| v.len() == bytes)
    }));
    // 红绿灯 is in no record; the endpoint's model puts it beside 信号灯.
    let data = app.data(SEARCH, json!({"q": "红绿灯"})).await;
    assert_eq!(data["search"]["semantic"], true, "{data}");
    assert!(keys(&data).iter().any(|k| k == "G/TBT/N/CHN/2140"), "{data}");

    // The endpoint goes away: search answers by keywords (no error), and a changed record waits for its vector
    // without losing the change.
    down.store(true, Ordering::SeqCst);
    let data = app.data(SEARCH, json!({"q": "红绿灯"})).await;
    assert_eq!(data["search"]["semantic"], false, "{data}");
    let data = app.data(SEARCH, json!({"q": "道路交通信号灯"})).await;
    assert_eq!(keys(&data)[0], "G/TBT/N/CHN/2140", "{data}");
    let record = retitled_notice();
    app.import_text("changed.jsonl", &format!("{record}\n")).await;
    app.wait_indexed().await;
    let waiting = vectors::Entity::find()
        .filter(vectors::Column::Waiting.eq(true))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1, "the changed notice waits for its vector");
    // The change itself is searchable at once, by keywords.
    let data = app.data(SEARCH, json!({"q": "宠物项圈"})).await;
    assert_eq!(keys(&data)[0], "G/TBT/N/USA/1933", "{data}");
    // Back up: the worker embeds it (after its back-off) and sends it again.
    let before = calls.load(Ordering::SeqCst);
    down.store(false, Ordering::SeqCst);
    tokio::time::timeout(Duration::from_secs(120), app.wait_embedded())
        .await
        .expect("embedded once the endpoint is back");
    assert!(calls.load(Ordering::SeqCst) > before);
    app.finish().await;
}
