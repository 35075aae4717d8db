//! The README's "A first query", exactly as written there, answers every one of its blocks on the demo data.

use serde_json::{Value, json};

use crate::common::{Backend, TestApp, repo};

/// The first ```graphql block after the "A first query" heading of README.md.
fn first_query() -> String {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let section = &readme[readme.find("## A first query").expect("README has \"A first query\"")..];
    let start = section.find("```graphql\n").expect("a ```graphql block") + "```graphql\n".len();
    let len = section[start..].find("\n```").expect("the block ends");
    section[start..start + len].to_string()
}

/// Why a top-level answer is empty, if it is: null, an empty list, a list or count inside it empty or zero.
fn emptiness(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Array(a) if a.is_empty() => Some("an empty list".into()),
        Value::Object(o) => o.iter().find_map(|(k, x)| match x {
            Value::Array(a) if a.is_empty() => Some(format!("`{k}` is empty")),
            Value::Null if ["standard", "member"].contains(&k.as_str()) => Some(format!("`{k}` is null")),
            Value::Number(n) if k.ends_with("otalCount") && n.as_u64() == Some(0) => Some(format!("`{k}` is 0")),
            _ => None,
        }),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_query_answers_every_block() {
    let query = first_query();
    assert!(query.trim_start().starts_with('{'), "{query}");
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_indexed().await;
    let data = app.data(&query, json!({})).await;
    let fields = data.as_object().unwrap();
    assert!(fields.len() >= 8, "{data:#}");
    for (name, v) in fields {
        if let Some(why) = emptiness(v) {
            panic!("README's first query: `{name}` answers nothing ({why}): {v:#}");
        }
    }
    app.finish().await;
}

/// The ```graphql blocks of the README's "Follow HS 9503 in three steps", in order.
fn follow_steps() -> Vec<String> {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let from = readme
        .find("## Follow HS 9503 in three steps")
        .expect("README has the three steps");
    let section = &readme[from..from + readme[from..].find("\n## Configuration").unwrap()];
    section
        .split("```graphql\n")
        .skip(1)
        .map(|b| {
            let body = &b[..b.find("```").unwrap()];
            body.lines().map(str::trim).collect::<Vec<_>>().join("\n")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_hs_9503_takes_the_three_steps_written() {
    let steps = follow_steps();
    assert_eq!(steps.len(), 2, "{steps:?}");
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_matched().await;
    let created = app.data(&steps[0], json!({})).await;
    let token = created["createWatch"]["token"].as_str().unwrap().to_string();
    let feed_path = created["createWatch"]["feedPath"].as_str().unwrap().to_string();
    assert_eq!(feed_path, format!("/feeds/watches/{token}.atom"));
    let r = app.import(&repo("demo/new-toy-notice.jsonl")).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    app.wait_matched().await;
    let heard = app.data(&steps[1].replace("TOKEN", &token), json!({})).await;
    let nodes = heard["watch"]["events"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "{heard:#}");
    assert_eq!(nodes[0]["kind"], "NEW_NOTICE");
    assert_eq!(nodes[0]["notice"]["symbol"], "G/TBT/N/EU/9503");
    let feed = app.http.get(format!("{}{feed_path}", app.base)).send().await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.text().await.unwrap().contains("G/TBT/N/EU/9503"));
    app.finish().await;
}
