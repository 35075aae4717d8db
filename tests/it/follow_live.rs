//! Subscriptions over `graphql-transport-ws`, checked with the real `graphql-ws` client in Node
//! (`tests/js/subscribe.mjs`): a watch's events and new notices for a filter, on SQLite and PostgreSQL; across two
//! servers on one PostgreSQL database; coded errors (wrong token, bad filter, limits) and the protocol's closes.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const CREATE: &str = "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token } }";
const WATCH_EVENTS: &str =
    "subscription($t: String!) { watchEvents(token: $t) { id kind summary notice { symbol hsCodes } } }";
const NOTICE_ADDED: &str = "subscription($f: NoticeFilter) { noticeAdded(filter: $f) { id symbol hsCodes } }";

/// How long anything may take to arrive: the follow worker and the poller each wake every 500 ms.
const PATIENCE: Duration = Duration::from_secs(30);

fn notice_line(symbol: &str, hs: &str) -> String {
    json!({"type": "notice", "symbols": [symbol], "distributionDate": "2030-03-02", "commentDeadline": "2030-05-01",
        "titleZh": "儿童自行车安全要求", "titleEn": "Safety requirements for bicycles for young children",
        "hsCodes": [hs]})
    .to_string()
}

/// `tests/js/subscribe.mjs` running against a server, its JSON lines read as they come.
pub(crate) struct Client {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    seen: Vec<Value>,
    /// The lines as printed (a `Value` does not keep the order of keys).
    raw: Vec<String>,
}

impl Client {
    fn start(base: &str, config: Value) -> Client {
        let url = format!("{}/graphql", base.replacen("http://", "ws://", 1));
        let mut child = Command::new("node")
            .arg(repo("tests/js/subscribe.mjs"))
            .arg(url)
            .arg(config.to_string())
            .current_dir(repo("tests/js"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs tests/js/subscribe.mjs (scripts/test installs tests/js)");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Client {
            child,
            lines,
            seen: Vec::new(),
            raw: Vec::new(),
        }
    }

    /// Subscribes with the `graphql-ws` client and waits until every subscription listens.
    pub(crate) async fn subscribe(base: &str, subscriptions: Value, count: usize) -> Client {
        let mut c = Client::start(
            base,
            json!({"subscriptions": subscriptions, "count": count, "timeoutMs": PATIENCE.as_millis() as u64 + 10_000}),
        );
        c.wait_for("the subscriptions to listen", |l| l["type"] == "ready")
            .await;
        c
    }

    /// The first line (from those not yet looked at) that `want` accepts; panics at the deadline or when the
    /// script ends without one.
    pub(crate) async fn wait_for(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(l) = self.seen.iter().find(|l| want(l)) {
            return l.clone();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.lines.next_line()).await {
                Ok(Ok(Some(line))) => {
                    let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| json!({"text": line}));
                    self.seen.push(v.clone());
                    self.raw.push(line);
                    if want(&v) {
                        return v;
                    }
                }
                Ok(_) => panic!("the client ended before {what}; it printed {:#?}", self.seen),
                Err(_) => panic!("no {what} within {PATIENCE:?}; the client printed {:#?}", self.seen),
            }
        }
    }

    /// Every line the script printed, once it has exited (it exits after its count of results).
    pub(crate) async fn finish(mut self) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.lines.next_line()).await {
                Ok(Ok(Some(line))) => self
                    .seen
                    .push(serde_json::from_str(&line).unwrap_or_else(|_| json!({"text": line}))),
                Ok(_) => break,
                Err(_) => panic!("the client did not exit; it printed {:#?}", self.seen),
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        self.seen
    }
}

fn results(lines: &[Value], sub: usize) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["sub"] == sub && (l["type"] == "next" || l["type"] == "error"))
        .collect()
}

async fn create_watch(base_app: &TestApp, hs: &str) -> String {
    let d = base_app
        .data(
            CREATE,
            json!({"input": {"name": "自行车", "filter": {"hsCodes": [hs]}}}),
        )
        .await;
    d["createWatch"]["token"].as_str().unwrap().to_string()
}

both_backends!(
    events_and_new_notices_reach_subscribers,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        // A notice from before the subscription is not sent.
        app.import_text("before.jsonl", &notice_line("G/TBT/N/KOR/9001", "871200"))
            .await;
        let token = create_watch(&app, "8712").await;
        let mut client = Client::subscribe(
            &app.base,
            json!([
                {"query": WATCH_EVENTS, "variables": {"t": token}},
                {"query": NOTICE_ADDED, "variables": {"f": {"hsCodes": ["8712"]}}},
            ]),
            2,
        )
        .await;
        // The notice that does not match comes first: had it been sent, it would arrive before the matching one.
        let text = format!(
            "{}\n{}\n",
            notice_line("G/TBT/N/KOR/9002", "950300"),
            notice_line("G/TBT/N/KOR/9003", "871200")
        );
        let r = app.import_text("n.jsonl", &text).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);

        let event = client
            .wait_for("the watch's event", |l| l["sub"] == 0 && l["type"] == "next")
            .await;
        let e = &event["payload"]["data"]["watchEvents"];
        assert_eq!(e["kind"], "NEW_NOTICE", "{event}");
        assert_eq!(e["notice"]["symbol"], "G/TBT/N/KOR/9003", "{event}");
        assert!(e["id"].as_str().is_some_and(|s| !s.is_empty()), "{event}");
        assert!(event["payload"].get("errors").is_none(), "{event}");

        let added = client
            .wait_for("the new notice", |l| l["sub"] == 1 && l["type"] == "next")
            .await;
        assert_eq!(
            added["payload"]["data"]["noticeAdded"]["symbol"], "G/TBT/N/KOR/9003",
            "{added}"
        );
        // The fields come in the query's order.
        let raw = client.raw.iter().find(|l| l.contains("noticeAdded")).unwrap();
        let at = |k: &str| raw.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{k} in {raw}"));
        assert!(at("id") < at("symbol") && at("symbol") < at("hsCodes"), "{raw}");

        let lines = client.finish().await;
        assert_eq!(results(&lines, 0).len(), 1, "{lines:#?}");
        assert_eq!(results(&lines, 1).len(), 1, "{lines:#?}");
        assert!(
            !lines
                .iter()
                .any(|l| l.to_string().contains("9002") || l.to_string().contains("KOR/9001")),
            "a notice that does not match, or from before, was sent: {lines:#?}"
        );
        app.finish().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_another_server_of_the_same_database_hears_it() {
    let a = TestApp::spawn(Backend::Postgres).await;
    // B matches nothing itself: what it sends was written by A's follow worker (events) or by an import.
    let b = a.spawn_peer(|s| s.follow_worker = false).await;
    let token = create_watch(&a, "8712").await;
    let mut client = Client::subscribe(
        &b.base,
        json!([
            {"query": WATCH_EVENTS, "variables": {"t": token}},
            {"query": NOTICE_ADDED, "variables": {"f": {"hsCodes": ["87"]}}},
        ]),
        2,
    )
    .await;
    a.import_text("n.jsonl", &notice_line("G/TBT/N/KOR/9104", "871200"))
        .await;
    let event = client
        .wait_for("the event on the other server", |l| l["sub"] == 0)
        .await;
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["payload"]["data"]["watchEvents"]["kind"], "NEW_NOTICE");
    assert_eq!(
        event["payload"]["data"]["watchEvents"]["notice"]["symbol"],
        "G/TBT/N/KOR/9104"
    );
    let added = client
        .wait_for("the notice on the other server", |l| l["sub"] == 1)
        .await;
    assert_eq!(
        added["payload"]["data"]["noticeAdded"]["symbol"], "G/TBT/N/KOR/9104",
        "{added}"
    );
    client.finish().await;
    b.finish().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_codes_and_the_protocol_closes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let deep = format!(
        "subscription {{ noticeAdded(filter: {{hsCodes: {}\"87\"{}}}) {{ symbol }} }}",
        "[".repeat(40),
        "]".repeat(40)
    );
    let mut many: Vec<Value> = vec![
        json!({"query": WATCH_EVENTS, "variables": {"t": "AAAAAAAAAAAAAAAAAAAAAA"}}),
        json!({"query": NOTICE_ADDED, "variables": {"f": {"hsCodes": ["x9"]}}}),
        json!({"query": deep}),
        json!({"query": "subscription { noticeAdded { nope } }"}),
    ];
    // Four refused, then twenty that listen, and one more than a connection may run.
    for _ in 0..21 {
        many.push(json!({"query": NOTICE_ADDED}));
    }
    let mut client = Client::start(
        &app.base,
        json!({"subscriptions": many, "count": 5, "timeoutMs": 30_000}),
    );
    let code = |l: &Value| {
        l["payload"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let mut codes = Vec::new();
    for sub in [0, 1, 2, 3, 24] {
        let l = client
            .wait_for("an error", |l| l["sub"] == sub && l["type"] == "error")
            .await;
        codes.push(code(&l));
    }
    assert_eq!(
        codes,
        [
            "WATCH_NOT_FOUND",
            "BAD_USER_INPUT",
            "NESTING_TOO_DEEP",
            "GRAPHQL_VALIDATION_FAILED",
            "RATE_LIMITED"
        ],
        "{:#?}",
        client.seen
    );
    let lines = client.finish().await;
    assert!(
        !lines
            .iter()
            .any(|l| l["type"] == "error" && (4..24).contains(&l["sub"].as_u64().unwrap_or(0))),
        "{lines:#?}"
    );

    // No `connection_init`: closed with 4408 after 10 s.
    let mut raw = Client::start(&app.base, json!({"raw": true, "timeoutMs": 25_000}));
    let started = Instant::now();
    let closed = raw.wait_for("the close", |l| l["type"] == "closed").await;
    assert_eq!(closed["code"], 4408, "{closed}");
    assert!(started.elapsed() >= Duration::from_secs(9), "{:?}", started.elapsed());

    // A message larger than `max_body_bytes`: closed with 1009; a subscribe before the acknowledgement: 4401.
    let mut raw = Client::start(
        &app.base,
        json!({"raw": true, "send": [{"type": "connection_init"}], "sendLarge": app.settings.max_body_bytes,
            "timeoutMs": 25_000}),
    );
    let closed = raw.wait_for("the close", |l| l["type"] == "closed").await;
    assert_eq!(closed["code"], 1009, "{closed}");
    let mut raw = Client::start(
        &app.base,
        json!({"raw": true, "send": [{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}], "timeoutMs": 25_000}),
    );
    let closed = raw.wait_for("the close", |l| l["type"] == "closed").await;
    assert_eq!(closed["code"], 4401, "{closed}");

    // Over plain HTTP a GET query still works and a subscription is still refused.
    let body: Value = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
    let code = app
        .error_code("subscription { noticeAdded { symbol } }", json!({}))
        .await;
    assert_eq!(code, "GRAPHQL_VALIDATION_FAILED");
    app.finish().await;
}
