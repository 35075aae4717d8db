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
