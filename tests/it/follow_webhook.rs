//! Webhooks (issue 11) against a real HTTP receiver started in the test: signed JSON POSTs (the signature checked
//! with Python's `hmac`, not with the service's code), follow-ups, retries in order with stable ids, the failure
//! state on the watch, refused addresses (when given and at send time), and a `serve` process killed with SIGKILL
//! while a POST is in flight, which loses nothing.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::Notify;
use zhiliang::follow::entity::delivery;

use crate::both_backends;
use crate::common::{Backend, TestApp, meili_url, unique};

const CREATE: &str =
    "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token webhookSecret watch { id } } }";
const STATE: &str = "query($t: String!) { watch(token: $t) { id webhook { url failedAt lastError pending sent failed } events(first: 100) { nodes { id kind } } } }";

// ---------------------------------------------------------------------------------------------------------------
// The receiver

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// 200.
    Accept,
    /// This status.
    Fail(u16),
    /// Never answers (the request stays open).
    Hold,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    headers: HeaderMap,
    body: Bytes,
    /// What it answered (0 for a held request).
    pub(crate) status: u16,
}

impl Hit {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
    pub(crate) fn event_id(&self) -> String {
        self.header("zhiliang-event-id").to_string()
    }
}

struct Inner {
    mode: Mode,
    hits: Vec<Hit>,
}

#[derive(Clone)]
pub(crate) struct Receiver {
    inner: Arc<Mutex<Inner>>,
    /// Told whenever a request arrives.
    arrived: Arc<Notify>,
    addr: SocketAddr,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mode = {
        let mut inner = r.inner.lock().unwrap();
        let mode = inner.mode;
        let status = match mode {
            Mode::Accept => 200,
            Mode::Fail(s) => s,
            Mode::Hold => 0,
        };
        inner.hits.push(Hit { headers, body, status });
        mode
    };
    r.arrived.notify_waiters();
    match mode {
        Mode::Accept => StatusCode::OK,
        Mode::Fail(s) => StatusCode::from_u16(s).unwrap(),
        Mode::Hold => std::future::pending().await,
    }
}

impl Receiver {
    pub(crate) async fn start(mode: Mode) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let r = Receiver {
            inner: Arc::new(Mutex::new(Inner { mode, hits: Vec::new() })),
            arrived: Arc::new(Notify::new()),
            addr: listener.local_addr().unwrap(),
        };
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        r
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn set_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = mode;
    }

    pub(crate) fn hits(&self) -> Vec<Hit> {
        self.inner.lock().unwrap().hits.clone()
    }

    fn accepted(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.status == 200).collect()
    }

    /// Waits (at most `secs`) until `done` holds for the requests so far.
    pub(crate) async fn wait_for(&self, secs: u64, what: &str, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        let start = Instant::now();
        loop {
            let hits = self.hits();
            if done(&hits) {
                return hits;
            }
            let summary: Vec<(u16, String)> = hits.iter().map(|h| (h.status, h.event_id())).collect();
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "waited {secs} s for {what}; the receiver got {summary:?}"
            );
            let _ = tokio::time::timeout(Duration::from_millis(200), self.arrived.notified()).await;
        }
    }
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------------------------
// Independent checks

/// Verifies a `Zhiliang-Signature` header with Python's `hmac`, as a receiver would: HMAC-SHA256 with the secret
/// as key over `<t>.` + the raw body, compared in constant time with `v1`.
fn python_verifies(secret: &str, header: &str, body: &[u8]) -> bool {
    use std::io::Write;
    const SCRIPT: &str = r#"
import hashlib, hmac, sys
secret, header = sys.argv[1], sys.argv[2]
body = sys.stdin.buffer.read()
parts = dict(p.split("=", 1) for p in header.split(","))
expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
print("ok" if hmac.compare_digest(expected, parts["v1"]) else "bad")
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT, secret, header])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match stdout.trim() {
        "ok" => true,
        "bad" => false,
        other => panic!("python printed {other:?}"),
    }
}

/// Checks everything about one POST but the event itself: headers, signature, envelope.
pub(crate) fn check_post(hit: &Hit, secret: &str, watch_id: &str, watch_name: &str) -> Value {
    assert_eq!(hit.header("content-type"), "application/json");
    assert!(hit.header("user-agent").starts_with("zhiliang"), "{:?}", hit.headers);
    let sig = hit.header("zhiliang-signature");
    let (t, v1) = sig
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .unwrap_or_else(|| panic!("signature header {sig:?}"));
    let t: i64 = t.parse().unwrap();
    assert!((Utc::now().timestamp() - t).abs() < 300, "timestamp {t} is not now");
    assert!(
        v1.len() == 64 && v1.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{v1}"
    );
    assert!(
        python_verifies(secret, sig, &hit.body),
        "the signature does not verify: {sig}"
    );
    // A receiver with the wrong key, or a changed body, refuses it.
    assert!(!python_verifies("not the secret", sig, &hit.body));
    let mut tampered = hit.body.to_vec();
    tampered.push(b' ');
    assert!(!python_verifies(secret, sig, &tampered));

    let body = hit.json();
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["id", "type", "createdAt", "watch", "event"] {
        assert!(keys.contains(&k), "no {k} in {body}");
    }
    assert_eq!(
        body["id"].as_str().unwrap(),
        hit.event_id(),
        "the header and the body name one event"
    );
    assert_eq!(body["watch"], json!({"id": watch_id, "name": watch_name}));
    chrono::DateTime::parse_from_rfc3339(body["createdAt"].as_str().unwrap()).expect("createdAt is RFC 3339");
    assert_eq!(body["type"], body["event"]["kind"]);
    body
}

// ---------------------------------------------------------------------------------------------------------------
// Notices and watches

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A regular EU notice on toys (HS 9503), distributed yesterday, open for comment for `days` more days (far from
/// any reminder day).
fn notice_line(number: u32, days: u64) -> String {
    json!({
        "type": "notice",
        "symbols": [format!("G/TBT/N/EU/{number}")],
        "distributionDate": today().checked_sub_days(Days::new(1)).unwrap().to_string(),
        "commentDeadline": today().checked_add_days(Days::new(days)).unwrap().to_string(),
        "titleZh": format!("玩具安全 第{number}号"),
        "titleEn": format!("Toy safety No. {number}"),
        "hsCodes": ["950300"],
    })
    .to_string()
}

/// An addendum extending the comment period of notice `number`; no HS code of its own.
fn addendum_line(number: u32, days: u64) -> String {
    json!({
        "type": "notice",
        "symbols": [format!("G/TBT/N/EU/{number}/Add.1")],
        "distributionDate": today().to_string(),
        "commentDeadline": today().checked_add_days(Days::new(days)).unwrap().to_string(),
        "titleEn": format!("Toy safety No. {number}, Addendum 1: extension of the comment period"),
        "addendumReasons": ["COMMENT_PERIOD_CHANGED"],
    })
    .to_string()
}

struct Created {
    token: String,
    secret: String,
    id: String,
}

async fn create_hooked(app: &TestApp, name: &str, url: &str) -> Created {
    let d = app
        .data(
            CREATE,
            json!({"input": {"name": name, "filter": {"hsCodes": ["9503"]}, "delivery": {"webhookUrl": url}}}),
        )
        .await;
    let c = &d["createWatch"];
    Created {
        token: c["token"].as_str().unwrap().to_string(),
        secret: c["webhookSecret"].as_str().expect("a webhook secret").to_string(),
        id: c["watch"]["id"].as_str().unwrap().to_string(),
    }
}

async fn state(app: &TestApp, token: &str) -> Value {
    app.data(STATE, json!({"t": token})).await["watch"].clone()
}

/// The watch's event ids, oldest first.
fn event_ids(state: &Value) -> Vec<String> {
    let mut ids: Vec<String> = state["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    ids.reverse();
    ids
}

/// Waits until the watch's webhook state satisfies `done`.
async fn wait_state(app: &TestApp, token: &str, secs: u64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let s = state(app, token).await;
        if done(&s) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "waited {secs} s for {what}: {s:#}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn allowing(backend: Backend, retry: Vec<u64>) -> TestApp {
    TestApp::spawn_with(backend, |s| {
        s.webhook_allow = vec!["127.0.0.1".into()];
        s.webhook_retry_secs = retry;
    })
    .await
}

// ---------------------------------------------------------------------------------------------------------------
// (a), (b): a new notice and its addendum, each one signed POST

both_backends!(
    new_notice_and_follow_up_are_posted_signed,
    |backend: Backend| async move {
        let app = allowing(backend, vec![1, 1, 2]).await;
        let receiver = Receiver::start(Mode::Accept).await;
        let w = create_hooked(&app, "玩具 \"EU\"", &receiver.url()).await;

        let r = app.import_text("n.jsonl", &notice_line(1234, 90)).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let hits = receiver.wait_for(30, "the new notice", |h| !h.is_empty()).await;
        let body = check_post(&hits[0], &w.secret, &w.id, "玩具 \"EU\"");
        assert_eq!(body["type"], "NEW_NOTICE");
        assert_eq!(body["event"]["symbol"], "G/TBT/N/EU/1234");
        assert_eq!(body["event"]["hsCodes"], json!(["950300"]));
        let s = wait_state(&app, &w.token, 10, "the delivery marked sent", |s| {
            s["webhook"]["sent"] == 1
        })
        .await;
        assert_eq!(
            event_ids(&s),
            vec![body["id"].as_str().unwrap().to_string()],
            "the stable id is the event's"
        );
        assert_eq!(s["events"]["nodes"][0]["kind"], "NEW_NOTICE");
        assert_eq!(s["webhook"]["url"], receiver.url());

        // The addendum has no HS code: it is heard as a follow-up of the notice the watch matched.
        let deadline = today().checked_add_days(Days::new(120)).unwrap().to_string();
        let r = app.import_text("add.jsonl", &addendum_line(1234, 120)).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let hits = receiver.wait_for(30, "the follow-up", |h| h.len() >= 2).await;
        let body = check_post(&hits[1], &w.secret, &w.id, "玩具 \"EU\"");
        assert_eq!(body["type"], "FOLLOW_UP");
        assert_eq!(body["event"]["symbol"], "G/TBT/N/EU/1234/Add.1");
        assert_eq!(body["event"]["followUpOf"], "G/TBT/N/EU/1234");
        assert_eq!(body["event"]["addendumReasons"], json!(["COMMENT_PERIOD_CHANGED"]));
        assert_eq!(body["event"]["deadlineInForce"], deadline.as_str());
        assert_ne!(hits[0].event_id(), hits[1].event_id());

        // Nothing is sent twice.
        let s = wait_state(&app, &w.token, 10, "both sent", |s| s["webhook"]["sent"] == 2).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.hits().len(), 2);
        assert_eq!(
            event_ids(&s),
            receiver.hits().iter().map(Hit::event_id).collect::<Vec<_>>()
        );
        assert!(
            s["webhook"]["failedAt"].is_null() && s["webhook"]["lastError"].is_null(),
            "{s}"
        );
        app.finish().await;
    }
);

// ---------------------------------------------------------------------------------------------------------------
// (c): a receiver failing for a while gets every event afterwards, in order, with the ids first attempted

both_backends!(
    a_failing_receiver_gets_every_event_afterwards_in_order,
    |backend: Backend| async move {
        let app = allowing(backend, vec![1; 10]).await;
        let receiver = Receiver::start(Mode::Fail(500)).await;
        let w = create_hooked(&app, "toys", &receiver.url()).await;
        let lines = [notice_line(2001, 90), notice_line(2002, 91), notice_line(2003, 92)].join("\n");
        let r = app.import_text("three.jsonl", &lines).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);

        // Three failed attempts: all of the oldest event (the others wait behind it), with the same bytes each time.
        let failed = receiver.wait_for(30, "three failed attempts", |h| h.len() >= 3).await;
        let first_id = failed[0].event_id();
        for h in &failed {
            assert_eq!(h.status, 500);
            assert_eq!(h.event_id(), first_id, "a later event went before the oldest");
            assert_eq!(h.body, failed[0].body, "a retry changed the body");
            check_post(h, &w.secret, &w.id, "toys");
        }
        let s = state(&app, &w.token).await;
        assert_eq!(s["webhook"]["pending"], 3, "{s}");
        assert_eq!(s["webhook"]["failed"], 0, "{s}");
        let ids = event_ids(&s);
        assert_eq!(ids.len(), 3);
        assert_eq!(ids[0], first_id);

        receiver.set_mode(Mode::Accept);
        let hits = receiver
            .wait_for(30, "three accepted", |h| {
                h.iter().filter(|h| h.status == 200).count() >= 3
            })
            .await;
        let accepted: Vec<&Hit> = hits.iter().filter(|h| h.status == 200).collect();
        let accepted_ids: Vec<String> = accepted.iter().map(|h| h.event_id()).collect();
        assert_eq!(accepted_ids, ids, "every event, in order, once");
        assert_eq!(
            accepted[0].body, failed[0].body,
            "the retried event is the one first attempted"
        );
        let symbols: Vec<Value> = accepted
            .iter()
            .map(|h| check_post(h, &w.secret, &w.id, "toys")["event"]["symbol"].clone())
            .collect();
        assert_eq!(
            symbols,
            vec![
                json!("G/TBT/N/EU/2001"),
                json!("G/TBT/N/EU/2002"),
                json!("G/TBT/N/EU/2003")
            ]
        );
        let s = wait_state(&app, &w.token, 10, "all sent", |s| s["webhook"]["sent"] == 3).await;
        assert_eq!(s["webhook"]["pending"], 0);
        assert!(s["webhook"]["failedAt"].is_null(), "{s}");
        app.finish().await;
    }
);

// ---------------------------------------------------------------------------------------------------------------
// (d): a receiver down for good: failed after the retries, shown on the watch

both_backends!(
    a_receiver_down_for_good_is_shown_failed,
    |backend: Backend| async move {
        let app = allowing(backend, vec![1, 1]).await;
        let url = format!("http://127.0.0.1:{}/hook", closed_port());
        let w = create_hooked(&app, "down", &url).await;
        let r = app.import_text("n.jsonl", &notice_line(3001, 90)).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let started = Instant::now();
        let s = wait_state(&app, &w.token, 30, "the delivery given up", |s| {
            s["webhook"]["failed"] == 1
        })
        .await;
        // The first attempt and two retries, one second apart at least.
        assert!(
            started.elapsed() >= Duration::from_secs(2),
            "given up too soon: {:?}",
            started.elapsed()
        );
        let hook = &s["webhook"];
        assert_eq!(hook["pending"], 0, "{s}");
        assert_eq!(hook["sent"], 0, "{s}");
        chrono::DateTime::parse_from_rfc3339(hook["failedAt"].as_str().expect("failedAt")).unwrap();
        let error = hook["lastError"].as_str().expect("lastError");
        assert!(error.contains("connect"), "{error}");
        assert!(!error.contains(&w.secret));
        let rows = delivery::Entity::find()
            .filter(delivery::Column::Channel.eq("webhook"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("failed", 3));
        app.finish().await;
    }
);

// ---------------------------------------------------------------------------------------------------------------
// (e): refused addresses

/// A host name other than `localhost` that the system resolves to loopback addresses only (from /etc/hosts).
async fn loopback_name() -> Option<String> {
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    let mut names: Vec<String> = hosts
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let ip: std::net::IpAddr = words.next()?.parse().ok()?;
            ip.is_loopback().then(|| words.map(String::from).collect::<Vec<_>>())
        })
        .flatten()
        .filter(|n| !n.to_ascii_lowercase().contains("localhost") && n.contains(|c: char| c.is_ascii_alphabetic()))
        .collect();
    names.push("localhost.".into());
    for n in names {
        let lookup = tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host(format!("{n}:80"))).await;
        let found: Vec<SocketAddr> = match lookup {
            Ok(Ok(found)) => found.collect(),
            _ => continue,
        };
        if !found.is_empty() && found.iter().all(|a| a.ip().is_loopback()) {
            return Some(n);
        }
    }
    None
}

both_backends!(private_addresses_are_refused, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    assert!(app.settings.webhook_allow.is_empty());
    let receiver = Receiver::start(Mode::Accept).await;
    let port = receiver.addr.port();
    for url in [
        "http://10.1.2.3/hook".to_string(),
        "http://localhost:1/x".to_string(),
        "http://[::1]/".to_string(),
        "http://2130706433/".to_string(),
        "http://0x7f.1/".to_string(),
        "http://[::ffff:127.0.0.1]/".to_string(),
        "http://192.168.0.10/".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://100.64.1.1/".to_string(),
        "http://[fd00::1]/".to_string(),
        "http://0.0.0.0/".to_string(),
        "http://api.localhost/".to_string(),
        receiver.url(),
        "https://user:pass@example.org/hook".to_string(),
        "ftp://example.org/hook".to_string(),
        format!("https://example.org/{}", "a".repeat(2000)),
    ] {
        let code = app
            .error_code(CREATE, json!({"input": {"name": "x", "delivery": {"webhookUrl": url}}}))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{url}");
    }
    // A public address is taken (nothing is sent to it: no notice matches).
    let ok = app
        .data(
            CREATE,
            json!({"input": {"name": "x", "filter": {"hsCodes": ["0101"]}, "delivery": {"webhookUrl": "https://hooks.example.org/zhiliang"}}}),
        )
        .await;
    assert!(ok["createWatch"]["webhookSecret"].is_string());

    // A name that resolves to a loopback address passes the check of the URL, but is refused at send time, at
    // once, and nothing reaches the receiver.
    match loopback_name().await {
        Some(name) => {
            let w = create_hooked(&app, "rebound", &format!("http://{name}:{port}/hook")).await;
            let r = app.import_text("n.jsonl", &notice_line(4001, 90)).await;
            assert!(r.rejected.is_empty(), "{:?}", r.rejected);
            let s = wait_state(&app, &w.token, 30, "the refusal", |s| s["webhook"]["failed"] == 1).await;
            let error = s["webhook"]["lastError"].as_str().unwrap();
            assert!(
                error.contains("resolves to 127.") && error.contains("loopback"),
                "{error}"
            );
            let rows = delivery::Entity::find().all(&app.db).await.unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].attempts, 1, "a refused address is not retried");
        }
        None => eprintln!("no name in /etc/hosts resolves to loopback only; send-time check by name skipped"),
    }
    assert!(receiver.hits().is_empty(), "a refused address was reached");
    app.finish().await;
});

both_backends!(
    localhost_allowed_as_v6_only_is_refused_when_it_resolves_to_v4,
    |backend: Backend| async move {
        // `localhost` passes the URL check when some loopback address is allowed; the send checks what it resolves to.
        let app = TestApp::spawn_with(backend, |s| s.webhook_allow = vec!["::1".into()]).await;
        let receiver = Receiver::start(Mode::Accept).await;
        let w = create_hooked(&app, "v6", &format!("http://localhost:{}/hook", receiver.addr.port())).await;
        let r = app.import_text("n.jsonl", &notice_line(4101, 90)).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let s = wait_state(&app, &w.token, 30, "the refusal", |s| s["webhook"]["failed"] == 1).await;
        let error = s["webhook"]["lastError"].as_str().unwrap();
        assert!(error.contains("localhost resolves to 127.0.0.1"), "{error}");
        assert!(receiver.hits().is_empty());
        app.finish().await;
    }
);

// ---------------------------------------------------------------------------------------------------------------
// (f): kill -9 of `serve` while a POST is in flight loses nothing

struct Serve {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

/// The environment of every command of the test: one SQLite file, settings through `ZHILIANG_*` variables.
fn env(c: &mut Command, db: &str, prefix: &str, port: u16) {
    c.env("ZHILIANG_DATABASE_URL", db)
        .env("ZHILIANG_MEILI_URL", meili_url())
        .env("ZHILIANG_MEILI_INDEX_PREFIX", prefix)
        .env("ZHILIANG_LISTEN", format!("127.0.0.1:{port}"))
        .env("ZHILIANG_SEARCH_WORKER", "false")
        .env("ZHILIANG_FOLLOW_WORKER", "true")
        .env("ZHILIANG_WEBHOOK_ALLOW", "127.0.0.1")
        .env("ZHILIANG_WEBHOOK_RETRY_SECS", "1,1,1,1,1")
        .env("ZHILIANG_WEBHOOK_TIMEOUT_SECS", "120")
        .env_remove("ZHILIANG_LOG_FORMAT")
        .env_remove("ZHILIANG_CONFIG");
}

impl Serve {
    fn start(dir: &std::path::Path, db: &str, prefix: &str, n: u32) -> Serve {
        let port = closed_port();
        let log = dir.join(format!("serve{n}.log"));
        let mut c = Command::new(env!("CARGO_BIN_EXE_zhiliang"));
        env(&mut c, db, prefix, port);
        let child = c
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Serve {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        let start = Instant::now();
        loop {
            assert!(
                self.child.try_wait().unwrap().is_none(),
                "serve exited: {}",
                self.log_text()
            );
            if http.get(format!("{}/healthz", self.base)).send().await.is_ok() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "serve did not start: {}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn data(&self, http: &reqwest::Client, query: &str, variables: Value) -> Value {
        let body: Value = http
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body.get("errors").is_none(), "errors: {body:#}");
        body["data"].clone()
    }

    /// SIGKILL, as `kill -9`: no shutdown code runs.
    fn kill_9(mut self) {
        use std::os::unix::process::ExitStatusExt;
        let status = Command::new("kill")
            .args(["-9", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert_eq!(exit.signal(), Some(9), "{exit:?}");
    }

    fn stop(mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_delivery_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/kill.db?mode=rwc", dir.path().display());
    let prefix = unique("kill");
    let bin = env!("CARGO_BIN_EXE_zhiliang");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut migrate = Command::new(bin);
    env(&mut migrate, &db, &prefix, 0);
    let out = migrate.arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let receiver = Receiver::start(Mode::Hold).await;
    let mut first = Serve::start(dir.path(), &db, &prefix, 1);
    first.wait_ready(&http).await;
    let created = first
        .data(
            &http,
            CREATE,
            json!({"input": {"name": "kill", "filter": {"hsCodes": ["9503"]}, "delivery": {"webhookUrl": receiver.url()}}}),
        )
        .await;
    let token = created["createWatch"]["token"].as_str().unwrap().to_string();
    let secret = created["createWatch"]["webhookSecret"].as_str().unwrap().to_string();
    let watch_id = created["createWatch"]["watch"]["id"].as_str().unwrap().to_string();

    // Three notices, imported by the command line into the same file while `serve` runs.
    let file = dir.path().join("three.jsonl");
    std::fs::write(
        &file,
        [notice_line(5001, 90), notice_line(5002, 91), notice_line(5003, 92)].join("\n"),
    )
    .unwrap();
    let mut import = Command::new(bin);
    env(&mut import, &db, &prefix, 0);
    let out = import.arg("import").arg("--no-index").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The first POST arrives and is held open; the process is killed while it waits for the answer.
    let held = receiver.wait_for(30, "the first POST", |h| !h.is_empty()).await;
    let held = held[0].clone();
    check_post(&held, &secret, &watch_id, "kill");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.hits().len(),
        1,
        "only the oldest event is sent while it is in flight"
    );
    first.kill_9();

    // The delivery is still pending, under the lease of the dead process.
    let conn = zhiliang::db::connect(&db).await.unwrap();
    let rows = delivery::Entity::find()
        .filter(delivery::Column::Channel.eq("webhook"))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.status == "pending" && r.attempts == 0),
        "{rows:?}"
    );
    let leased: Vec<&delivery::Model> = rows.iter().filter(|r| r.lease_until.is_some()).collect();
    assert_eq!(leased.len(), 1, "{rows:?}");
    assert!(leased[0].lease_until.unwrap() > Utc::now(), "{rows:?}");
    // Time passes: the lease (deliver::LEASE_SECS) runs out. Moving it into the past stands for the wait.
    delivery::Entity::update_many()
        .col_expr(
            delivery::Column::LeaseUntil,
            sea_orm::sea_query::Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(delivery::Column::Id.eq(leased[0].id))
        .exec(&conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    // A new process on the same database sends that event (the same id, the same body) and then the rest.
    receiver.set_mode(Mode::Accept);
    let mut second = Serve::start(dir.path(), &db, &prefix, 2);
    second.wait_ready(&http).await;
    let hits = receiver
        .wait_for(60, "the three events after the restart", |h| {
            h.iter().filter(|h| h.status == 200).count() >= 3
        })
        .await;
    let accepted: Vec<&Hit> = hits.iter().filter(|h| h.status == 200).collect();
    assert_eq!(
        accepted[0].event_id(),
        held.event_id(),
        "the event in flight is sent again first"
    );
    assert_eq!(accepted[0].body, held.body, "with the same body");
    let s = second.data(&http, STATE, json!({"t": token})).await["watch"].clone();
    let ids = event_ids(&s);
    let accepted_ids: Vec<String> = accepted.iter().map(|h| h.event_id()).collect();
    assert_eq!(accepted_ids, ids, "every event, in order, once");
    for h in &accepted {
        check_post(h, &secret, &watch_id, "kill");
    }
    let start = Instant::now();
    loop {
        let s = second.data(&http, STATE, json!({"t": token})).await["watch"].clone();
        if s["webhook"]["sent"] == 3 && s["webhook"]["pending"] == 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{s:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(receiver.accepted().len(), 3);
    second.stop();
}
