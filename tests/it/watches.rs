//! Watches on SQLite and PostgreSQL: created with a token shown once (stored only as its SHA-256), read, renamed,
//! paused and deleted by token, refused with `WATCH_NOT_FOUND` for a wrong one, and their Atom feed: one entry
//! per event, the notices added after the watch that `notices(filter:)` lists, valid Atom for a real feed parser
//! (feedparser, in Node).

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const CREATE: &str = "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token watch { id name query enterpriseCreditCode paused createdAt updatedAt } } }";
const READ: &str = "query($t: String!) { watch(token: $t) { id name query paused } }";
const UPDATE: &str =
    "mutation($input: UpdateWatchInput!) { updateWatch(input: $input) { watch { id name query paused } } }";
const DELETE: &str = "mutation($input: DeleteWatchInput!) { deleteWatch(input: $input) { deletedWatchId } }";

/// Every text the `watch` table holds, row by row.
async fn stored_texts(app: &TestApp) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT token_hash, name, filter, query, enterprise_credit_code FROM watch",
        ))
        .await
        .unwrap();
    let mut out = Vec::new();
    for r in rows {
        for c in ["token_hash", "name", "filter", "query", "enterprise_credit_code"] {
            if let Some(v) = r.try_get::<Option<String>>("", c).unwrap() {
                out.push(v);
            }
        }
    }
    out
}

async fn feed(app: &TestApp, token: &str) -> reqwest::Response {
    app.http
        .get(format!("{}/feeds/watches/{token}.atom", app.base))
        .send()
        .await
        .unwrap()
}

/// Runs tests/js/atom.mjs on the feed text and returns what feedparser read.
pub(crate) async fn parse_atom(app: &TestApp, xml: &str, url: &str) -> Value {
    let path = app.dir.path().join("feed.atom");
    std::fs::write(&path, xml).unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new("node")
            .arg(repo("tests/js/atom.mjs"))
            .arg(&path)
            .arg(url)
            .current_dir(repo(""))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("atom.mjs finishes within 60 s")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "atom.mjs failed ({}):\n{stderr}\n{stdout}\n{xml}",
        out.status
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("atom.mjs printed no JSON ({e}):\n{stdout}"))
}

both_backends!(manage_by_token, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let created = app
        .data(
            CREATE,
            json!({"input": {"name": "  玩具 <HS 9503> & co  ", "filter": {"hsCodes": ["9503"], "members": ["EU"]}, "query": "lead"}}),
        )
        .await;
    let token = created["createWatch"]["token"].as_str().unwrap().to_string();
    assert!(token.len() >= 22, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "not base64url: {token}"
    );
    let w = &created["createWatch"]["watch"];
    assert_eq!(w["name"], "玩具 <HS 9503> & co");
    assert_eq!(w["query"], "lead");
    assert_eq!(w["paused"], false);
    assert!(w["enterpriseCreditCode"].is_null());

    // Two watches never share a token.
    let other = app.data(CREATE, json!({"input": {"name": "all"}})).await;
    let other_token = other["createWatch"]["token"].as_str().unwrap().to_string();
    assert_ne!(token, other_token);

    // The table holds the hash, never the token.
    let texts = stored_texts(&app).await;
    assert!(!texts.is_empty());
    for t in &texts {
        assert!(
            !t.contains(&token) && !t.contains(&other_token),
            "token stored in clear: {t}"
        );
    }
    assert!(texts.contains(&zhiliang::catalog::watches::model::token_hash(&token)));

    let read = app.data(READ, json!({"t": token})).await;
    assert_eq!(read["watch"]["id"], w["id"]);
    assert_eq!(read["watch"]["name"], w["name"]);

    let updated = app
        .data(
            UPDATE,
            json!({"input": {"token": token, "name": "玩具", "paused": true, "query": null, "filter": {"hsCodes": ["9503"]}}}),
        )
        .await;
    let u = &updated["updateWatch"]["watch"];
    assert_eq!(u["name"], "玩具");
    assert_eq!(u["paused"], true);
    assert!(u["query"].is_null());
    let read = app.data(READ, json!({"t": token})).await;
    assert_eq!(read["watch"]["paused"], true);
    // Leaving fields out keeps them.
    let resumed = app
        .data(UPDATE, json!({"input": {"token": token, "paused": false}}))
        .await;
    assert_eq!(resumed["updateWatch"]["watch"]["name"], "玩具");
    assert_eq!(resumed["updateWatch"]["watch"]["paused"], false);

    // Wrong tokens, bad input.
    let wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(app.error_code(READ, json!({"t": wrong})).await, "WATCH_NOT_FOUND");
    assert_eq!(
        app.error_code(UPDATE, json!({"input": {"token": wrong, "paused": true}}))
            .await,
        "WATCH_NOT_FOUND"
    );
    assert_eq!(
        app.error_code(DELETE, json!({"input": {"token": wrong}})).await,
        "WATCH_NOT_FOUND"
    );
    assert_eq!(
        app.error_code(CREATE, json!({"input": {"name": "x", "filter": {"hsCodes": ["95x3"]}}}))
            .await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(
            UPDATE,
            json!({"input": {"token": token, "filter": {"members": ["Atlantis"]}}})
        )
        .await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(CREATE, json!({"input": {"name": "  "}})).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(
            CREATE,
            json!({"input": {"name": "x", "enterpriseCreditCode": "91330226MA2CL5678K"}})
        )
        .await,
        "BAD_USER_INPUT"
    );
    let resp = feed(&app, wrong).await;
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "WATCH_NOT_FOUND");

    // Mutations over GET are still refused.
    let resp = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[(
            "query",
            "mutation { deleteWatch(input: {token: \"x\"}) { deletedWatchId } }",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(app.data(READ, json!({"t": token})).await["watch"]["id"], w["id"]);

    let deleted = app.data(DELETE, json!({"input": {"token": token}})).await;
    assert_eq!(deleted["deleteWatch"]["deletedWatchId"], w["id"]);
    assert_eq!(app.error_code(READ, json!({"t": token})).await, "WATCH_NOT_FOUND");
    assert_eq!(feed(&app, &token).await.status(), 404);
    assert_eq!(app.data(READ, json!({"t": other_token})).await["watch"]["name"], "all");
    app.finish().await;
});

both_backends!(feed_matches_the_listing, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let created = app
        .data(
            CREATE,
            json!({"input": {"name": "HS 9503 <玩具> & \"toys\"", "filter": {"hsCodes": ["9503"]}}}),
        )
        .await;
    let token = created["createWatch"]["token"].as_str().unwrap().to_string();
    // A paused watch still hears events and serves its feed.
    app.data(UPDATE, json!({"input": {"token": token, "paused": true}}))
        .await;
    app.import_demo().await;
    app.wait_matched().await;
    let listed = app
        .data(
            "{ notices(filter: {hsCodes: [\"9503\"]}, first: 50) { nodes { symbol titleZh titleEn } } }",
            json!({}),
        )
        .await;
    let nodes = listed["notices"]["nodes"].as_array().unwrap().clone();
    assert!(nodes.len() >= 2, "the demo has toy notices: {listed:#}");
    let symbols: Vec<String> = nodes
        .iter()
        .map(|n| n["symbol"].as_str().unwrap().to_string())
        .collect();

    let resp = feed(&app, &token).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()[reqwest::header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    // Cacheable by the reader only (the URL holds the secret), with a validator for polling.
    assert_eq!(resp.headers()[reqwest::header::CACHE_CONTROL], "private, max-age=60");
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
    let etag = resp.headers()[reqwest::header::ETAG].to_str().unwrap().to_string();
    let xml = resp.text().await.unwrap();
    let url = format!("{}/feeds/watches/{token}.atom", app.base);
    let again = app
        .http
        .get(&url)
        .header(reqwest::header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[reqwest::header::ETAG].to_str().unwrap(), etag);
    let stale = app
        .http
        .get(&url)
        .header(reqwest::header::IF_NONE_MATCH, "\"not-this-one\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    let parsed = parse_atom(&app, &xml, &url).await;
    assert_eq!(parsed["type"], "atom");
    assert_eq!(parsed["title"], "HS 9503 <玩具> & \"toys\"");
    assert_eq!(parsed["self"], url);
    let entries = parsed["entries"].as_array().unwrap();
    // One entry per notice the listing holds, each new to the watch, and the follow-ups of their chains that
    // carry no HS code of their own (a corrigendum), as follow-ups.
    let mut new_symbols = Vec::new();
    for e in entries {
        let id = e["id"].as_str().unwrap();
        assert!(id.starts_with("tag:zhiliang,2026:event:"), "id {id}");
        let tags: Vec<&str> = e["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let symbol = tags.iter().find(|t| t.contains('/')).unwrap().to_string();
        if tags.contains(&"NEW_NOTICE") || symbols.contains(&symbol) {
            new_symbols.push(symbol);
        } else {
            assert!(tags.contains(&"FOLLOW_UP"), "{e}");
            let base = symbol.rsplit_once('/').unwrap().0;
            assert!(symbols.iter().any(|s| s == base), "{symbol} follows no listed notice");
        }
    }
    let mut want_symbols = symbols.clone();
    new_symbols.sort();
    want_symbols.sort();
    assert_eq!(new_symbols, want_symbols);
    for e in entries {
        let title = e["title"].as_str().unwrap();
        let Some(n) = nodes.iter().find(|n| {
            title.contains(&format!("{} ", n["symbol"].as_str().unwrap()))
                || title.contains(&format!("{}（", n["symbol"].as_str().unwrap()))
        }) else {
            continue;
        };
        let want = n["titleZh"].as_str().or(n["titleEn"].as_str()).unwrap();
        assert!(title.contains(want), "{title} lacks {want}");
        assert!(
            e["link"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}/graphql?query=", app.base)),
            "{e}"
        );
    }
    // Ids are stable between two reads.
    let again = parse_atom(&app, &feed(&app, &token).await.text().await.unwrap(), &url).await;
    assert_eq!(again["entries"], parsed["entries"]);

    // A watch over a filter nothing matches has a valid, empty feed.
    let none = app
        .data(
            CREATE,
            json!({"input": {"name": "none", "filter": {"hsCodes": ["0101"], "members": ["TPKM"]}}}),
        )
        .await;
    let t = none["createWatch"]["token"].as_str().unwrap();
    let xml = feed(&app, t).await.text().await.unwrap();
    let parsed = parse_atom(&app, &xml, &format!("{}/feeds/watches/{t}.atom", app.base)).await;
    assert_eq!(parsed["entries"], json!([]));
    app.finish().await;
});
