//! The API contract: no request can crash the server, responses follow the query's order, a fragment that does
//! not apply gives `{}`, GraphQL over HTTP (the `graphql-http` audit), every error has a registered code, and
//! one request cannot hold a core with aliases or fragments.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Backend, TestApp, meili_url, repo, unique};

/// A `zhiliang serve` process of its own (a crash of the server must not take the test down with it).
struct Process {
    child: Child,
    base: String,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Process {
    fn start(log_format: Option<&str>) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}/p.db?mode=rwc", dir.path().display());
        let bin = env!("CARGO_BIN_EXE_zhiliang");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let env = |c: &mut Command| {
            c.env("ZHILIANG_DATABASE_URL", &db)
                .env("ZHILIANG_MEILI_URL", meili_url())
                .env("ZHILIANG_MEILI_INDEX_PREFIX", unique("proc"))
                .env("ZHILIANG_LISTEN", format!("127.0.0.1:{port}"))
                .env("ZHILIANG_SEARCH_WORKER", "false")
                .env_remove("ZHILIANG_LOG_FORMAT")
                .env_remove("ZHILIANG_CONFIG");
        };
        let mut migrate = Command::new(bin);
        env(&mut migrate);
        let out = migrate.arg("migrate").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let log = dir.path().join("serve.log");
        let mut serve = Command::new(bin);
        env(&mut serve);
        if let Some(f) = log_format {
            serve.env("ZHILIANG_LOG_FORMAT", f);
        }
        let child = serve
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Process {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        let start = Instant::now();
        loop {
            assert!(self.alive(), "the server exited: {}", self.log_text());
            if http.get(format!("{}/healthz", self.base)).send().await.is_ok() {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "the server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn stop(mut self) -> String {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
        self.log_text()
    }
}

async fn post_raw(http: &reqwest::Client, base: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let resp = http
        .post(format!("{base}/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, v)
}

fn code_of(v: &Value) -> &str {
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_nesting_is_refused_and_the_server_stays_up() {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut p = Process::start(None);
    p.wait_ready(&http).await;
    // ~2,000 levels aborted the process before; 10 times that must not either.
    for n in [2_000usize, 20_000] {
        let open = |s: &str| s.repeat(n);
        let queries = [
            format!("{{ nodes(ids: {}\"x\"{}) {{ id }} }}", open("["), open("]")),
            format!(
                "{{ search(query: \"x\", filter: {}1{}) {{ estimatedTotalCount }} }}",
                open("{a:"),
                open("}")
            ),
            format!("{{ __typename @include(if: {}true{}) }}", open("["), open("]")),
            format!("{{ __typename @skip(if: {}1{}) }}", open("{a:"), open("}")),
            format!("{{ {} symbol {} }}", open("notices { nodes { "), open("} } ")),
            format!("{{ {} }}", open("... on Query { ")) + &open("}"),
            format!("query Q($v: {}Int{}) {{ __typename }}", open("["), open("]")),
        ];
        for q in &queries {
            let (status, body) = post_raw(&http, &p.base, json!({ "query": q }).to_string()).await;
            assert_eq!(code_of(&body), "NESTING_TOO_DEEP", "depth {n}: {status} {body}");
            assert!(body.get("data").is_none(), "a request error has no data: {body}");
        }
        // Nesting in the JSON itself: variables and the body.
        let variables = format!(
            "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"a\": {}1{}}}}}",
            open("["),
            open("]")
        );
        let (_, body) = post_raw(&http, &p.base, variables).await;
        assert_eq!(code_of(&body), "NESTING_TOO_DEEP", "{body}");
        let objects = format!("{}{}", open("{\"a\":"), open("}"));
        let (_, body) = post_raw(&http, &p.base, objects).await;
        assert_eq!(code_of(&body), "NESTING_TOO_DEEP", "{body}");
        // GET variables (a URL 20,000 levels deep is longer than the client takes).
        if n > 2_000 {
            continue;
        }
        let resp = http
            .get(format!("{}/graphql", p.base))
            .query(&[
                ("query", "{ __typename }".to_string()),
                ("variables", format!("{{\"a\":{}{}}}", open("["), open("]"))),
            ])
            .send()
            .await
            .unwrap();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code_of(&body), "NESTING_TOO_DEEP", "{body}");

        // A flat list this long nested the SQL builder's OR-expressions as deep, and overflowed a stack too.
        let codes = format!("[{}]", vec!["\"9503\""; n].join(","));
        let q = format!("{{ notices(first: 1, filter: {{hsCodes: {codes}}}) {{ totalCount }} }}");
        let (_, body) = post_raw(&http, &p.base, json!({ "query": q }).to_string()).await;
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{body}");
        let q = "query($f: NoticeFilter) { notices(first: 1, filter: $f) { totalCount } }";
        let vars = json!({"f": {"hsCodes": vec!["9503"; n]}});
        let (_, body) = post_raw(&http, &p.base, json!({ "query": q, "variables": vars }).to_string()).await;
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{body}");
        assert!(p.alive(), "the server died at depth {n}: {}", p.log_text());
        let (status, body) = post_raw(&http, &p.base, json!({"query": "{ __typename }"}).to_string()).await;
        assert_eq!((status, body), (200, json!({"data": {"__typename": "Query"}})));
    }
    let log = p.stop();
    // Written to a file, the log has no colour codes.
    assert!(!log.contains('\u{1b}'), "ANSI codes in a log file: {log:?}");
    assert!(log.contains("listening"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_format() {
    let http = reqwest::Client::new();
    let mut p = Process::start(Some("json"));
    p.wait_ready(&http).await;
    let log = p.stop();
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for l in &lines {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{v}");
    }
    assert!(lines.iter().any(|l| l.contains("listening")), "{log}");
}

/// The keys of a JSON object in the order they appear in the text (serde_json's map would sort them).
fn keys_in_order(text: &str, keys: &[&str]) -> bool {
    let mut at = 0;
    for k in keys {
        match text[at..].find(&format!("\"{k}\":")) {
            Some(i) => at += i + k.len(),
            None => return false,
        }
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_follow_the_query_and_fragments_that_do_not_apply_give_empty_objects() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_indexed().await;
    let query = r#"{
      zeta: __typename
      standards(first: 2) { nodes { titleZh number status } totalCount }
      search(query: "玩具", first: 10) { estimatedTotalCount edges { type node { ...N ... on Standard { titleZh number } } } }
      notices(first: 3) { totalCount nodes { titleZh symbol ... on Notice { commentDeadline distributionDate } member { nameZh code } } }
      alpha: notices(first: 1) { pageInfo { hasNextPage } totalCount }
      mid: __typename
    }
    fragment N on Notice { symbol titleZh }"#;
    let mut texts = Vec::new();
    for _ in 0..5 {
        let resp = app
            .http
            .post(format!("{}/graphql", app.base))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        texts.push(resp.text().await.unwrap());
    }
    assert!(texts.iter().all(|t| t == &texts[0]), "answers differ between runs");
    let t = &texts[0];
    assert!(!t.contains("\"errors\""), "{t}");
    assert!(
        keys_in_order(t, &["zeta", "standards", "search", "notices", "alpha", "mid"]),
        "root order: {t}"
    );
    assert!(keys_in_order(t, &["titleZh", "number", "status", "totalCount"]), "{t}");
    assert!(
        keys_in_order(
            t,
            &[
                "\"notices",
                "totalCount",
                "titleZh",
                "symbol",
                "commentDeadline",
                "distributionDate",
                "nameZh",
                "code"
            ]
        ) || keys_in_order(
            t,
            &[
                "totalCount",
                "titleZh",
                "symbol",
                "commentDeadline",
                "distributionDate",
                "member",
                "nameZh",
                "code"
            ]
        ),
        "{t}"
    );
    assert!(
        keys_in_order(t, &["alpha", "pageInfo", "hasNextPage", "totalCount"]),
        "{t}"
    );
    assert!(!t.contains("__zhiliang_type"), "{t}");

    let v: Value = serde_json::from_str(t).unwrap();
    let edges = v["data"]["search"]["edges"].as_array().unwrap();
    assert!(edges.len() >= 3, "{v}");
    let mut empty = 0;
    for e in edges {
        let node = &e["node"];
        assert!(node.is_object(), "a non-null node came back {node}");
        match e["type"].as_str().unwrap() {
            "NOTICE" => assert!(node["symbol"].is_string()),
            "STANDARD" => assert!(node["number"].is_string() && node["titleZh"].is_string()),
            _ => {
                assert_eq!(node, &json!({}));
                empty += 1;
            }
        }
    }
    assert!(empty > 0, "the query should meet kinds its fragments do not cover: {v}");

    // The same for a nullable field: an existing record whose fragment does not apply is {}, not null.
    let id = app
        .data(r#"{ notice(symbol: "G/TBT/N/CHN/2140") { id } }"#, json!({}))
        .await["notice"]["id"]
        .clone();
    let d = app
        .data(
            r#"query($id: ID!) { node(id: $id) { ... on Standard { number } } n: node(id: $id) { ... on Notice { symbol } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(d["node"], json!({}));
    assert_eq!(d["n"]["symbol"], "G/TBT/N/CHN/2140");
    // @skip on every field of a selection.
    let d = app
        .data(
            r#"query($s: Boolean = true) { notice(symbol: "G/TBT/N/CHN/2140") { symbol @skip(if: $s) } }"#,
            json!({}),
        )
        .await;
    assert_eq!(d["notice"], json!({}));
    // A user may not take the reserved key.
    let code = app.error_code("{ __zhiliang_type: __typename }", json!({})).await;
    assert_eq!(code, "GRAPHQL_VALIDATION_FAILED");
    app.finish().await;
}

/// Sends a request and returns (status, content type, body as JSON).
async fn send(req: reqwest::RequestBuilder) -> (u16, String, Value) {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status} {ct}): {text:?}"));
    (status, ct, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_over_http() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("{}/graphql", app.base);
    let post = |accept: Option<&str>, body: Value| {
        let mut r = app
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(a) = accept {
            r = r.header("accept", a);
        }
        r
    };
    const GQL: &str = "application/graphql-response+json";
    // The media type follows Accept; */* and no Accept mean application/json.
    for (accept, want) in [
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (None, "application/json"),
        (Some(GQL), GQL),
        (Some("application/graphql-response+json, application/json;q=0.9"), GQL),
    ] {
        let (status, ct, body) = send(post(accept, json!({"query": "{ __typename }"}))).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with(want), "{accept:?} gave {ct}");
        assert_eq!(body, json!({"data": {"__typename": "Query"}}));
    }
    let (status, _, body) = send(post(Some("text/html"), json!({"query": "{ __typename }"}))).await;
    assert_eq!((status, code_of(&body)), (406, "NOT_ACCEPTABLE"));

    // Request errors: 400 without data in the GraphQL media type, 200 in plain JSON; never a data entry.
    let request_errors = [
        (json!({"query": "{"}), "GRAPHQL_PARSE_FAILED"),
        (json!({"query": "{ noSuchField }"}), "GRAPHQL_VALIDATION_FAILED"),
        (
            json!({"query": "query($d: Date!) { notices(filter: {openForCommentOn: $d}) { totalCount } }", "variables": {"d": "2023-02-30"}}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"query": "query($n: Int) { notices(first: $n) { totalCount } }", "variables": {"n": 1e12}}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"query": "query A { __typename }", "operationName": "B"}),
            "OPERATION_NOT_FOUND",
        ),
    ];
    for (req, code) in &request_errors {
        let (status, ct, body) = send(post(Some(GQL), req.clone())).await;
        assert_eq!((status, code_of(&body)), (400, *code), "{req}: {body}");
        assert!(ct.starts_with(GQL));
        assert!(body.get("data").is_none(), "{body}");
        let (status, ct, body) = send(post(Some("application/json"), req.clone())).await;
        assert_eq!((status, code_of(&body)), (200, *code), "{req}: {body}");
        assert!(ct.starts_with("application/json"));
        assert!(body.get("data").is_none(), "{body}");
    }
    // A field error keeps data (200 in both).
    let (status, _, body) = send(post(
        Some(GQL),
        json!({"query": "{ notices(first: 100000) { totalCount } }"}),
    ))
    .await;
    assert_eq!((status, code_of(&body)), (200, "PAGE_SIZE_INVALID"), "{body}");
    // `notices` is non-null, so its error nulls `data` itself; it is still a field error (the error's path says so).
    assert!(body.get("data").is_some_and(Value::is_null), "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["notices"]), "{body}");
    // No content type, or another one: 415.
    let (status, _, body) = send(app.http.post(&url).body("{\"query\": \"{ __typename }\"}")).await;
    assert_eq!((status, code_of(&body)), (415, "UNSUPPORTED_MEDIA_TYPE"));
    let (status, _, body) = send(
        app.http
            .post(&url)
            .header("content-type", "text/plain")
            .body("{ __typename }"),
    )
    .await;
    assert_eq!((status, code_of(&body)), (415, "UNSUPPORTED_MEDIA_TYPE"));
    let (status, _, body) = send(app.http.delete(&url)).await;
    assert_eq!((status, code_of(&body)), (405, "METHOD_NOT_ALLOWED"));
    let (status, _, body) = send(app.http.get(format!("{}/no-such-page", app.base))).await;
    assert_eq!((status, code_of(&body)), (404, "NOT_FOUND"));

    // The spec's public audit suite (graphql-http), run by Node against this server: every audit passes,
    // MAYs and SHOULDs included.
    let out = Command::new("node")
        .arg(repo("tests/js/audit.mjs"))
        .arg(&url)
        .output()
        .expect("node runs tests/js/audit.mjs (scripts/test installs tests/js)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let audits: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("audit output: {}", String::from_utf8_lossy(&out.stdout)));
    let audits = audits.as_array().expect("a list of audits");
    assert!(audits.len() > 50, "{audits:?}");
    let failed: Vec<&Value> = audits.iter().filter(|a| a["status"] != "ok").collect();
    assert!(failed.is_empty(), "audits not passed: {failed:#?}");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_json_with_a_registered_code() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_demo().await;
    let known: Vec<&str> = zhiliang::error::Code::ALL.iter().map(|c| c.as_str()).collect();
    let url = format!("{}/graphql", app.base);

    // Bodies that are not GraphQL requests.
    let bodies: Vec<(Vec<u8>, &str)> = vec![
        (b"{\"query\": ".to_vec(), "INVALID_JSON"),
        (b"{\"query\": \"{ __typename }\"".to_vec(), "INVALID_JSON"),
        (b"{\"query\": \"{ __typename \0 }\"}".to_vec(), "INVALID_JSON"),
        (b"{\"query\": \"\\ud800\"}".to_vec(), "INVALID_JSON"),
        (b"{\"query\": \"{ \xc3\x28 }\"}".to_vec(), "INVALID_JSON"),
        (b"".to_vec(), "INVALID_JSON"),
        (b"   ".to_vec(), "INVALID_JSON"),
        (b"not json at all".to_vec(), "INVALID_JSON"),
        (b"\"{ __typename }\"".to_vec(), "INVALID_REQUEST"),
        (b"null".to_vec(), "INVALID_REQUEST"),
        (b"42".to_vec(), "INVALID_REQUEST"),
        (b"{}".to_vec(), "INVALID_REQUEST"),
        (b"{\"query\": 1}".to_vec(), "INVALID_REQUEST"),
        (
            b"{\"query\": \"{ __typename }\", \"variables\": [1]}".to_vec(),
            "INVALID_REQUEST",
        ),
        (
            b"{\"query\": \"{ __typename }\", \"operationName\": false}".to_vec(),
            "INVALID_REQUEST",
        ),
        (b"[{\"query\": \"{ __typename }\"}]".to_vec(), "BATCH_NOT_SUPPORTED"),
    ];
    for (body, code) in bodies {
        let (status, ct, v) = send(
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.clone()),
        )
        .await;
        assert_eq!(code_of(&v), code, "{:?}: {v}", String::from_utf8_lossy(&body));
        assert_eq!(status, 400, "{v}");
        assert!(ct.starts_with("application/json"), "{ct}");
        assert!(v["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // GraphQL errors: each has a code from the registry, and the expected one.
    let aliases: String = (0..5000)
        .map(|i| format!("a{i}: notice(symbol: \"G/TBT/N/CHN/2140\") {{ symbol }} "))
        .collect();
    let few_aliases: String = (0..60).map(|i| format!("a{i}: __typename ")).collect();
    // A fragment bomb: each fragment spreads the next twice, 2^11 fields from a dozen lines.
    let mut bomb = String::from("query { notices(first: 1) { nodes { ...F0 } } }\n");
    for i in 0..11 {
        bomb.push_str(&format!(
            "fragment F{i} on Notice {{ original {{ ...F{n} }} followUps {{ ...F{n} }} }}\n",
            n = i + 1
        ));
    }
    bomb.push_str("fragment F11 on Notice { symbol }\n");
    let deep = format!(
        "{{ notice(symbol: \"x\") {}{{ symbol }}{} }}",
        "{ original ".repeat(14),
        "}".repeat(14)
    );
    let cases: Vec<(String, Value, Option<&str>, &str)> = vec![
        ("{ notices(first: 2".into(), json!({}), None, "GRAPHQL_PARSE_FAILED"),
        ("".into(), json!({}), None, "GRAPHQL_PARSE_FAILED"),
        ("   # only a comment".into(), json!({}), None, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }".into(), json!({}), None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ notices { nodes { nope } } }".into(),
            json!({}),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ notices(nope: 1) { totalCount } }".into(),
            json!({}),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("{ notices }".into(), json!({}), None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }".into(),
            json!({}),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("{ ...Missing }".into(), json!({}), None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($x: Int) { __typename }".into(),
            json!({}),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ notices(first: $x) { totalCount } }".into(),
            json!({}),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "subscription { x }".into(),
            json!({}),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("mutation { x }".into(), json!({}), None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query A { __typename } query B { __typename }".into(),
            json!({}),
            None,
            "OPERATION_NOT_FOUND",
        ),
        (
            "query A { __typename }".into(),
            json!({}),
            Some("Z"),
            "OPERATION_NOT_FOUND",
        ),
        ("{ __typename }".into(), json!({}), Some("Z"), "OPERATION_NOT_FOUND"),
        (
            "{ notices(first: 3000000000) { totalCount } }".into(),
            json!({}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "{ notices(filter: {openForCommentOn: \"2023-02-30\"}) { totalCount } }".into(),
            json!({}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "query($d: Date) { notices(filter: {openForCommentOn: $d}) { totalCount } }".into(),
            json!({"d": "2023-02-30"}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "query($n: Int!) { notices(first: $n) { totalCount } }".into(),
            json!({}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "query($n: Int!) { notices(first: $n) { totalCount } }".into(),
            json!({"n": null}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "query($n: Int!) { notices(first: $n) { totalCount } }".into(),
            json!({"n": "ten"}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "{ notices(first: \"ten\") { totalCount } }".into(),
            json!({}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "{ notices(first: 100000) { totalCount } }".into(),
            json!({}),
            None,
            "PAGE_SIZE_INVALID",
        ),
        (
            "{ notices(first: -1) { totalCount } }".into(),
            json!({}),
            None,
            "PAGE_SIZE_INVALID",
        ),
        (
            "{ notices(first: 2147483647) { nodes { followUps { followUps { symbol } } } } }".into(),
            json!({}),
            None,
            "PAGE_SIZE_INVALID",
        ),
        (
            "{ notices(first: 100) { nodes { followUps { followUps { symbol titleZh titleEn } } } } }".into(),
            json!({}),
            None,
            "QUERY_TOO_COMPLEX",
        ),
        (deep, json!({}), None, "QUERY_TOO_DEEP"),
        (format!("{{ {aliases} }}"), json!({}), None, "TOO_MANY_FIELDS"),
        (format!("{{ {few_aliases} }}"), json!({}), None, "TOO_MANY_FIELDS"),
        (bomb, json!({}), None, "TOO_MANY_FIELDS"),
        (
            "{ node(id: \"not-an-id\") { id } }".into(),
            json!({}),
            None,
            "INVALID_ID",
        ),
        (
            "{ notices(after: \"bogus\") { totalCount } }".into(),
            json!({}),
            None,
            "INVALID_CURSOR",
        ),
        (
            "{ notice(symbol: \"not a symbol\") { symbol } }".into(),
            json!({}),
            None,
            "BAD_USER_INPUT",
        ),
        // NUL in text: PostgreSQL cannot compare it; refused on every backend.
        (
            "{ enterprise(name: \"\\u0000\") { name } }".into(),
            json!({}),
            None,
            "BAD_USER_INPUT",
        ),
        (
            "query($n: String) { enterprise(name: $n) { name } }".into(),
            json!({"n": "a\u{0}"}),
            None,
            "BAD_USER_INPUT",
        ),
    ];
    for (query, variables, op, code) in cases {
        let mut body = json!({"query": query, "variables": variables});
        if let Some(op) = op {
            body["operationName"] = json!(op);
        }
        let (status, _, v) = send(
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await;
        let errors = v["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors for {query:.80}: {v}"));
        for e in errors {
            let c = e["extensions"]["code"].as_str().unwrap_or_default();
            assert!(known.contains(&c), "unregistered code {c:?} for {query:.80}: {e}");
        }
        assert_eq!(code_of(&v), code, "{query:.120}: {v}");
        assert_eq!(status, 200, "{v}");
    }
    // The server still answers.
    assert_eq!(
        app.data("{ __typename }", json!({})).await,
        json!({"__typename": "Query"})
    );
    app.finish().await;
}

#[test]
fn every_code_is_documented_with_an_example() {
    let doc = std::fs::read_to_string(repo("docs/api.md")).unwrap();
    for code in zhiliang::error::Code::ALL {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}`", code.as_str())))
            .unwrap_or_else(|| panic!("docs/api.md has no row for {}", code.as_str()));
        assert!(
            row.matches('|').count() >= 4,
            "the row of {} needs an example: {row}",
            code.as_str()
        );
    }
    assert!(Path::new(&repo("docs/api.md")).exists());
}
