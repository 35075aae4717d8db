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

/// Kills every PostgreSQL session of the app's database but the caller's own; returns how many it killed.
async fn terminate_sessions(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let name = app.settings.database_url.rsplit('/').next().unwrap().to_string();
    let admin = zhiliang::db::connect(&crate::common::pg_admin_url()).await.unwrap();
    let row = admin
        .query_one_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            [name.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let killed: i64 = row.try_get("", "n").unwrap();
    admin.close().await.unwrap();
    killed
}

/// The demo data on PostgreSQL, served without background workers (their connections would blur the pool's).
async fn demo_on_postgres_without_workers() -> TestApp {
    let app = TestApp::spawn_with(Backend::Postgres, |s| {
        s.search_worker = false;
        s.follow_worker = false;
        s.import_worker = false;
    })
    .await;
    app.import_demo().await;
    app
}

/// The pool pings only a connection idle for a while (`db::PING_AFTER_IDLE`), not one in use a moment ago. So
/// connections that PostgreSQL dropped while idle are replaced before a request takes them, and one dropped a
/// moment after its use costs at most its next statement, answered with a coded error; the requests after it are
/// answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_postgresql_dropped_are_replaced() {
    let app = demo_on_postgres_without_workers().await;
    let query = "{ notices(first: 3) { totalCount nodes { symbol } } }";
    // Several connections in the pool: concurrent requests take one each.
    let warm: Vec<_> = (0..6).map(|_| app.gql(query, json!({}))).collect();
    for body in futures_util::future::join_all(warm).await {
        assert!(body["data"]["notices"]["totalCount"].as_i64().unwrap() > 0, "{body}");
    }

    // Dropped while idle: after the idle time, every request is answered (each connection is pinged first).
    assert!(terminate_sessions(&app).await > 0, "the app held no session to drop");
    tokio::time::sleep(zhiliang::db::PING_AFTER_IDLE + std::time::Duration::from_millis(300)).await;
    for _ in 0..12 {
        let body = app.gql(query, json!({})).await;
        assert!(
            body.get("errors").is_none(),
            "a dropped idle connection reached a request: {body}"
        );
        assert!(body["data"]["notices"]["totalCount"].as_i64().unwrap() > 0, "{body}");
    }

    // Dropped a moment after use: a request may meet a dead connection, and then gets a coded error; the service
    // goes on answering, and no dead connection outlives the pool's size in requests.
    assert!(terminate_sessions(&app).await > 0);
    let mut failed = 0;
    for i in 0..40 {
        let body = app.gql(query, json!({})).await;
        match body.get("errors") {
            Some(errors) => {
                let code = errors[0]["extensions"]["code"].as_str().unwrap_or_default();
                assert!(!code.is_empty(), "an error without a code: {body}");
                assert!(i < 20, "request {i} still met a dead connection: {body}");
                failed += 1;
            }
            None => assert!(body["data"]["notices"]["totalCount"].as_i64().unwrap() > 0, "{body}"),
        }
    }
    assert!(
        failed <= 10,
        "{failed} of 40 requests failed after the sessions were dropped"
    );
    app.finish().await;
}

/// Reads through `db::warm` keep their connection between reads (no pool round trip, no ping) only while reads
/// follow each other: a connection waits there at most `warm::LINGER`, then the pool has it again; at most half the
/// pool is held; a failed statement's connection is not kept; each statement counts in the process's statement
/// counter; the rows are the pool's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_reads_keep_connections_only_while_reads_follow() {
    use sea_orm::{ConnectionTrait, Statement};
    use std::sync::atomic::Ordering;
    use zhiliang::db::warm::{LINGER, Warm};
    let app = demo_on_postgres_without_workers().await;
    let db = zhiliang::db::connect(&app.settings.database_url).await.unwrap();
    let pool = db.get_postgres_connection_pool().clone();
    let max = pool.options().get_max_connections() as usize;
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let warm = Warm::new(&db, counted.clone());
    let stmt = || {
        Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT primary_symbol FROM notice ORDER BY id LIMIT 5",
        )
    };
    let symbols = |rows: Vec<sea_orm::QueryResult>| -> Vec<String> {
        rows.iter()
            .map(|r| r.try_get::<String>("", "primary_symbol").unwrap())
            .collect()
    };

    let expected = symbols(db.query_all_raw(stmt()).await.unwrap());
    assert_eq!(expected.len(), 5);
    let reads = warm.reads();
    assert_eq!(symbols(reads.query_all_raw(stmt()).await.unwrap()), expected);
    assert_eq!(
        warm.held(),
        1,
        "the connection of a read that succeeded is kept for the next"
    );
    let one = reads.query_one_raw(stmt()).await.unwrap().unwrap();
    assert_eq!(one.try_get::<String>("", "primary_symbol").unwrap(), expected[0]);
    assert_eq!(warm.held(), 1);
    assert_eq!(
        warm.kept.load(Ordering::Relaxed),
        1,
        "the second read took the kept connection"
    );
    assert_eq!(counted.load(Ordering::Relaxed), 2, "each statement is counted");

    // A failed statement: a coded database error, and its connection goes to the pool.
    let bad = Statement::from_string(sea_orm::DbBackend::Postgres, "SELECT no_such_column FROM notice");
    assert!(reads.query_all_raw(bad).await.is_err());
    assert_eq!(warm.held(), 0, "a failed statement's connection was kept");

    // Many reads at once: at most half the pool waits here afterwards.
    let many: Vec<_> = (0..max * 2).map(|_| reads.query_all_raw(stmt())).collect();
    for rows in futures_util::future::join_all(many).await {
        assert_eq!(symbols(rows.unwrap()), expected);
    }
    let held = warm.held();
    assert!(
        held >= 1 && held <= max / 2,
        "{held} connections held of a pool of {max}"
    );

    // While nothing reads, every connection goes back to the pool: all of it can be taken at once.
    tokio::time::sleep(LINGER * 3).await;
    assert_eq!(warm.held(), 0, "connections stayed held while nothing read");
    let mut all = Vec::new();
    for _ in 0..max {
        all.push(
            tokio::time::timeout(std::time::Duration::from_secs(5), pool.acquire())
                .await
                .expect("the pool's connections are not all free")
                .unwrap(),
        );
    }
    drop(all);
    drop(warm);
    db.close().await.unwrap();
    app.finish().await;
}
