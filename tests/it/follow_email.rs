//! Watch e-mail against a real SMTP server (`tests/smtp_sink.py`, on Debian's python3-aiosmtpd): only the
//! confirmation goes to an unconfirmed address; the link's GET changes nothing and its POST confirms; an event
//! mail is Chinese, multipart/alternative, with one-click unsubscribe headers and no watch token; unsubscribing
//! stops the mail; a digest is queued once per period, whatever restarts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use zhiliang::follow::FollowContext;
use zhiliang::follow::email;
use zhiliang::follow::entity::{delivery, watch_event};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

/// The public URL the mails are made with; the test swaps it for the app's address.
pub(crate) const PUBLIC: &str = "http://zhiliang.test";

const CREATE: &str = "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token } }";
const EMAIL: &str = "query($t: String!) { watch(token: $t) { email { address confirmed mode digestHour } } }";

fn python() -> String {
    std::env::var("ZHILIANG_TEST_PYTHON").unwrap_or_else(|_| {
        if Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3".into()
        } else {
            "python3".into()
        }
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An SMTP server of this test alone; each message it receives becomes a file in `dir`. Killed when dropped.
pub(crate) struct Smtp {
    _child: Child,
    pub(crate) port: u16,
    dir: PathBuf,
}

impl Smtp {
    pub(crate) async fn start(dir: &Path) -> Smtp {
        let port = free_port();
        let dir = dir.join("mail");
        let child = Command::new(python())
            .arg(repo("tests/smtp_sink.py"))
            .args(["serve", "127.0.0.1", &port.to_string()])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let start = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the SMTP server did not start (is python3-aiosmtpd installed?)"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Smtp {
            _child: child,
            port,
            dir,
        }
    }

    /// The stored messages, oldest first.
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|r| {
                r.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Waits (up to 20 s) until `n` messages have arrived; returns them.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<PathBuf> {
        let start = Instant::now();
        loop {
            let files = self.files();
            if files.len() >= n {
                return files;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{} message(s) arrived, expected {n}",
                files.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A stored message as Python's `email` package reads it (headers decoded, parts decoded).
pub(crate) async fn parse(path: &Path) -> Value {
    let out = Command::new(python())
        .arg(repo("tests/smtp_sink.py"))
        .arg("show")
        .arg(path)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub(crate) fn part<'a>(m: &'a Value, content_type: &str) -> &'a str {
    m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == content_type)
        .unwrap_or_else(|| panic!("no {content_type} part: {m:#}"))["text"]
        .as_str()
        .unwrap()
}

/// The first link in `text` to `/watches/{id}/{action}`, pointed at the test's app.
pub(crate) fn link(app: &TestApp, text: &str, action: &str) -> String {
    let start = text
        .find(&format!("{PUBLIC}/watches/"))
        .and_then(|i| text[i..].find(&format!("/{action}?s=")).map(|_| i))
        .unwrap_or_else(|| panic!("no {action} link in:\n{text}"));
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .map_or(text.len(), |e| start + e);
    let url = &text[start..end];
    assert!(url.contains(&format!("/{action}?s=")), "{url}");
    url.replacen(PUBLIC, &app.base, 1)
}

async fn spawn(backend: Backend, smtp: &Smtp) -> TestApp {
    let port = smtp.port;
    TestApp::spawn_with(backend, move |s| {
        s.smtp_host = Some("127.0.0.1".into());
        s.smtp_port = port;
        s.smtp_starttls = false;
        s.webhook_retry_secs = vec![1, 1, 1];
        s.public_url = PUBLIC.into();
        s.mail_from = "质量通报 <noreply@zhiliang.test>".into();
    })
    .await
}

/// A notice of HS 850760 (lithium batteries) that the test's watches match.
fn notice(symbol: &str, title: &str) -> String {
    json!({
        "type": "notice",
        "symbols": [symbol],
        "distributionDate": "2026-11-20",
        "commentDeadline": "2027-02-01",
        "titleZh": title,
        "titleEn": "Lithium-ion batteries",
        "hsCodes": ["850760"],
    })
    .to_string()
        + "\n"
}

async fn events_of(app: &TestApp, watch_id: i32) -> u64 {
    watch_event::Entity::find()
        .filter(watch_event::Column::WatchId.eq(watch_id))
        .count(&app.db)
        .await
        .unwrap()
}

/// Waits until the watch has `n` events and none of its deliveries is pending.
async fn settle(app: &TestApp, watch_id: i32, n: u64) {
    let start = Instant::now();
    loop {
        let events = events_of(app, watch_id).await;
        let pending = delivery::Entity::find()
            .filter(delivery::Column::WatchId.eq(watch_id))
            .filter(delivery::Column::Status.eq("pending"))
            .count(&app.db)
            .await
            .unwrap();
        if events >= n && pending == 0 {
            assert_eq!(events, n);
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "watch {watch_id}: {events} events (expected {n}), {pending} deliveries pending"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn create(app: &TestApp, delivery: Value) -> String {
    let created = app
        .data(
            CREATE,
            json!({"input": {"name": "锂电池 <通报>", "filter": {"hsCodes": ["8507"]}, "delivery": delivery}}),
        )
        .await;
    created["createWatch"]["token"].as_str().unwrap().to_string()
}

/// The watch's row id, from the confirmation link (`/watches/{id}/confirm`).
fn watch_id(app: &TestApp, confirm: &Value) -> i32 {
    let url = link(app, part(confirm, "text/plain"), "confirm");
    let tail = url.split("/watches/").nth(1).unwrap();
    tail.split('/').next().unwrap().parse().unwrap()
}

fn assert_page(resp: &reqwest::Response) {
    let h = resp.headers();
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
}

async fn confirmed(app: &TestApp, token: &str) -> bool {
    let d = app.data(EMAIL, json!({"t": token})).await;
    d["watch"]["email"]["confirmed"].as_bool().unwrap()
}

/// Follows the confirmation mail: GET shows the button and changes nothing; POST confirms.
async fn confirm_by_mail(app: &TestApp, token: &str, mail: &Value) {
    let url = link(app, part(mail, "text/plain"), "confirm");
    assert!(part(mail, "text/html").contains("/confirm?s="));
    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_page(&page);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("lang=\"zh-CN\"") && html.contains("method=\"post\""),
        "{html}"
    );
    assert!(!html.contains("<script") && !html.contains("src="), "{html}");
    assert!(html.contains("锂电池 &lt;通报&gt;"), "not escaped: {html}");
    assert!(!confirmed(app, token).await, "a GET confirmed the address");

    let post = app.http.post(&url).send().await.unwrap();
    assert_eq!(post.status(), 200);
    assert_page(&post);
    assert!(post.text().await.unwrap().contains("已确认"));
    assert!(confirmed(app, token).await);
}

both_backends!(confirm_event_unsubscribe, |backend: Backend| async move {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path()).await;
    let app = spawn(backend, &smtp).await;
    let token = create(&app, json!({"email": "buyer@example.org"})).await;

    // (a) The confirmation, and nothing else even when a matching notice comes before the address is confirmed.
    let files = smtp.wait_for(1).await;
    let confirm = parse(&files[0]).await;
    assert_eq!(confirm["to"], "buyer@example.org");
    assert!(
        confirm["subject"].as_str().unwrap().contains("请确认邮箱地址"),
        "{confirm:#}"
    );
    assert_eq!(
        confirm["listUnsubscribe"], "",
        "the confirmation has no unsubscribe header"
    );
    let id = watch_id(&app, &confirm);
    let r = app
        .import_text("early.jsonl", &notice("G/TBT/N/KOR/9901", "锂离子电池安全要求（早）"))
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    settle(&app, id, 1).await;
    assert_eq!(
        smtp.files().len(),
        1,
        "only the confirmation goes to an unconfirmed address"
    );

    // A wrong secret, a wrong watch, no secret: 404, and nothing is confirmed.
    let right = link(&app, part(&confirm, "text/plain"), "confirm");
    let (path, secret) = right.split_once("?s=").unwrap();
    let mut wrong_secret = secret.to_string();
    let last = wrong_secret.pop().unwrap();
    wrong_secret.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [
        format!("{path}?s={wrong_secret}"),
        format!("{path}?s="),
        path.to_string(),
        format!("{}/watches/{}/confirm?s={secret}", app.base, id + 1000),
        format!("{}/watches/x/confirm?s={secret}", app.base),
        format!("{}/watches/{id}/unsubscribe?s={secret}", app.base),
    ] {
        let get = app.http.get(&bad).send().await.unwrap();
        assert_eq!(get.status(), 404, "{bad}");
        let post = app.http.post(&bad).send().await.unwrap();
        assert_eq!(post.status(), 404, "{bad}");
    }
    assert!(!confirmed(&app, &token).await);

    // (b) GET shows a page; POST confirms.
    confirm_by_mail(&app, &token, &confirm).await;

    // (c) A new matching notice: one event mail.
    app.import_text("n.jsonl", &notice("G/TBT/N/KOR/9902", "锂离子电池安全要求"))
        .await;
    let files = smtp.wait_for(2).await;
    let raw = std::fs::read_to_string(&files[1]).unwrap();
    let mail = parse(&files[1]).await;
    assert_eq!(mail["contentType"], "multipart/alternative");
    let subject = mail["subject"].as_str().unwrap();
    assert!(
        subject.contains("新通报") && subject.contains("G/TBT/N/KOR/9902") && subject.contains("锂离子电池安全要求"),
        "{subject}"
    );
    let text = part(&mail, "text/plain");
    let html = part(&mail, "text/html");
    for t in [text, html] {
        assert!(t.contains("G/TBT/N/KOR/9902") && t.contains("2027-02-01"), "{t}");
        assert!(t.contains("退订"), "{t}");
    }
    assert!(html.contains("lang=\"zh-CN\"") && !html.contains("src="), "{html}");
    assert!(html.contains("锂电池 &lt;通报&gt;"), "not escaped: {html}");
    assert!(
        mail["messageId"].as_str().unwrap().ends_with("@zhiliang.test>"),
        "{mail:#}"
    );
    let unsubscribe = mail["listUnsubscribe"].as_str().unwrap();
    assert!(
        unsubscribe.starts_with(&format!("<{PUBLIC}/watches/{id}/unsubscribe?s=")) && unsubscribe.ends_with('>'),
        "{unsubscribe}"
    );
    assert_eq!(mail["listUnsubscribePost"], "List-Unsubscribe=One-Click");
    assert!(
        !raw.contains(&token) && !mail.to_string().contains(&token),
        "the watch token is in the mail"
    );
    assert!(
        !mail.to_string().contains("/feeds/"),
        "the feed link (it holds the token) is in the mail"
    );
    // The event of the early notice was never mailed.
    assert!(!raw.contains("9901"));

    // (d) One-click unsubscribe (RFC 8058) from the header: then no mail, and the link is spent.
    let url = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .replacen(PUBLIC, &app.base, 1);
    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_page(&page);
    assert!(page.text().await.unwrap().contains("method=\"post\""));
    let d = app.data(EMAIL, json!({"t": token})).await;
    assert_eq!(
        d["watch"]["email"]["address"], "buyer@example.org",
        "a GET unsubscribed"
    );
    let post = app
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    assert_page(&post);
    let d = app.data(EMAIL, json!({"t": token})).await;
    assert!(d["watch"]["email"].is_null(), "{d:#}");
    app.import_text("late.jsonl", &notice("G/TBT/N/KOR/9903", "锂离子电池安全要求（晚）"))
        .await;
    settle(&app, id, 3).await;
    assert_eq!(smtp.files().len(), 2, "mail after unsubscribing");
    assert_eq!(app.http.post(&url).send().await.unwrap().status(), 404);

    drop(smtp);
    app.finish().await;
});

both_backends!(digest_once_per_period, |backend: Backend| async move {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path()).await;
    let app = spawn(backend, &smtp).await;
    // The current hour in Shanghai: the digest is due at once.
    let hour = (Utc::now() + chrono::Duration::hours(8)).hour();
    let token = create(
        &app,
        json!({"email": "digest@example.org", "emailMode": "DIGEST", "digestHour": hour}),
    )
    .await;
    let files = smtp.wait_for(1).await;
    let confirm = parse(&files[0]).await;
    let id = watch_id(&app, &confirm);
    confirm_by_mail(&app, &token, &confirm).await;
    let d = app.data(EMAIL, json!({"t": token})).await;
    assert_eq!(d["watch"]["email"]["mode"], "DIGEST");

    let both = notice("G/TBT/N/KOR/9911", "锂电池运输要求") + &notice("G/TBT/N/KOR/9912", "储能电池标识");
    app.import_text("two.jsonl", &both).await;
    settle(&app, id, 2).await;
    assert_eq!(smtp.files().len(), 1, "digest mode sends no mail per event");

    // Queue the period's digest (the worker may have done so first); a second call queues nothing.
    let ctx = FollowContext::new(app.db.clone(), Arc::new(app.settings.clone()));
    let first = email::queue_digests(&ctx, Utc::now()).await.unwrap();
    assert!(first <= 1);
    assert_eq!(email::queue_digests(&ctx, Utc::now()).await.unwrap(), 0);
    let digests = || async {
        delivery::Entity::find()
            .filter(delivery::Column::WatchId.eq(id))
            .filter(delivery::Column::Channel.eq("digest"))
            .all(&app.db)
            .await
            .unwrap()
    };
    let queued = digests().await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    let period = (Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string();
    assert_eq!(queued[0].period.as_deref(), Some(period.as_str()));

    let files = smtp.wait_for(2).await;
    let digest = parse(&files[1]).await;
    let subject = digest["subject"].as_str().unwrap();
    assert!(subject.contains("通报摘要") && subject.contains(&period), "{subject}");
    for t in [part(&digest, "text/plain"), part(&digest, "text/html")] {
        assert!(t.contains("G/TBT/N/KOR/9911") && t.contains("G/TBT/N/KOR/9912"), "{t}");
    }
    assert!(digest["listUnsubscribe"].as_str().unwrap().contains("/unsubscribe?s="));
    assert_eq!(digest["listUnsubscribePost"], "List-Unsubscribe=One-Click");

    // A second server on the same database (a restart, or a second process): no second digest for the period.
    let mut settings = app.settings.clone();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    let second = zhiliang::Application::build(settings.clone()).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(second.run_until(async {
        let _ = stopped.await;
    }));
    let ctx2 = FollowContext::new(app.db.clone(), Arc::new(settings));
    assert_eq!(email::queue_digests(&ctx2, Utc::now()).await.unwrap(), 0);
    // Its worker's first round (digests included) runs at start; give it the time of a few rounds.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        assert_eq!(digests().await.len(), 1);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(smtp.files().len(), 2);
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;

    drop(smtp);
    app.finish().await;
});
