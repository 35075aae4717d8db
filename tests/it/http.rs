//! The HTTP surface: health, readiness, GET queries, mutations refused over GET, limits, the committed schema.

use serde_json::json;

use crate::common::{Backend, TestApp, repo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_transport() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let health = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"]["ok"], true);
    assert_eq!(body["search"]["ok"], true);
    assert_eq!(body["noticeChangesUnmatched"], 0);

    // A query over GET.
    let resp = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "{ notices(first: 1) { totalCount } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Without `Accept`, the answer is plain JSON (GraphQL over HTTP).
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["notices"]["totalCount"], 0);

    // A mutation over GET is refused with 405.
    let resp = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "mutation { anything }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);

    // GraphiQL is served.
    let page = app
        .http
        .get(format!("{}/graphiql", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/graphql"));

    // Too deep or too costly queries are refused before they run.
    let deep = format!(
        "{{ notice(symbol: \"G/TBT/N/USA/1\") {}{{ symbol }}{} }}",
        "{ original ".repeat(14),
        "}".repeat(14)
    );
    let body = app.gql(&deep, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP", "{body}");
    let costly = "{ a: notices(first: 100) { nodes { followUps { followUps { symbol titleZh titleEn } } } } }";
    let body = app.gql(costly, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("complex"),
        "{body}"
    );

    // A body above the limit is refused.
    let big = "x".repeat(2 << 20);
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(format!("{{\"query\": \"{big}\"}}"))
        .send()
        .await;
    // The server answers 413 as soon as it reads the length; the client may still be writing and see the close.
    match resp {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(e.is_request() && format!("{e:?}").contains("BodyWrite"), "{e:?}"),
    }
    app.finish().await;
}

#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(repo("schema.graphql")).unwrap();
    assert!(
        committed == zhiliang::graphql::sdl(),
        "schema.graphql differs from the code: run `cargo run -- export-schema > schema.graphql`"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_an_unmigrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let settings = zhiliang::config::Settings {
        database_url: format!("sqlite://{}/fresh.db?mode=rwc", dir.path().display()),
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let err = zhiliang::Application::build(settings).await.err().expect("refused");
    assert!(err.to_string().contains("zhiliang migrate"), "{err}");
}

/// CORS answers the origins of the settings: any by default (the data is public), only the listed ones otherwise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_follows_the_allow_list() {
    let origin_of = |resp: &reqwest::Response| {
        resp.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let open = TestApp::spawn(Backend::Sqlite).await;
    let resp = open
        .http
        .get(format!("{}/graphql?query=%7B__typename%7D", open.base))
        .header("origin", "https://anyone.example")
        .send()
        .await
        .unwrap();
    assert_eq!(origin_of(&resp).as_deref(), Some("*"));
    open.finish().await;

    let listed = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.cors_origins = vec!["https://xh.example.org".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        listed
            .http
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", listed.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://xh.example.org").await.unwrap();
    assert_eq!(origin_of(&allowed).as_deref(), Some("https://xh.example.org"));
    let refused = preflight("https://elsewhere.example").await.unwrap();
    assert_eq!(origin_of(&refused), None);
    listed.finish().await;
}
