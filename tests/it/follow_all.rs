//! Issue 11, "done when": a watch made for an enterprise of the demo data (from its export profile) hears a new
//! notice, a reminder of its comment deadline and an addendum that extends it, through all four channels at once:
//! signed webhook POSTs (a real receiver), e-mail (a real SMTP server, the address confirmed by the mailed link),
//! a `graphql-transport-ws` subscription (the `graphql-ws` client in Node) and the Atom feed (feedparser), each
//! with the same three events under the same ids, on SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Days;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use zhiliang::follow::entity::delivery;

use crate::both_backends;
use crate::common::{Backend, TestApp, unique};
use crate::follow_email::{PUBLIC, Smtp, link, parse, part};
use crate::follow_live::Client;
use crate::follow_webhook::{Mode, Receiver, check_post};
use crate::watches::parse_atom;

/// The demo enterprise that exports 塑胶玩具 (HS 9503.00) to the USA, the EU and Canada.
const TOY_MAKER: &str = "9144190076848273XJ";
const ADDRESS: &str = "exports@toys.example.org";

const FOR_ENTERPRISE: &str = r#"mutation($input: CreateWatchForEnterpriseInput!) {
  createWatchForEnterprise(input: $input) { token webhookSecret feedPath watch { id name } } }"#;
const EMAIL: &str = "query($t: String!) { watch(token: $t) { email { address confirmed mode } } }";
const EVENTS: &str = r#"query($t: String!) { watch(token: $t) { events(first: 100) { totalCount
  nodes { id kind summary addendumReasons followUpOf deadlineInForce daysLeft notice { symbol } } } } }"#;
const WATCH_EVENTS: &str = r#"subscription($t: String!) { watchEvents(token: $t) {
  id kind summary addendumReasons followUpOf deadlineInForce daysLeft notice { symbol } } }"#;

/// How long a delivery may take: the follow worker wakes every 500 ms, the subscription poller too.
const PATIENCE: Duration = Duration::from_secs(60);

fn today() -> chrono::NaiveDate {
    zhiliang::graphql::scalars::today_in_china()
}

async fn import(app: &TestApp, line: &Value) {
    let r = app
        .import_text(&format!("{}.jsonl", unique("all")), &format!("{line}\n"))
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    app.wait_matched().await;
}

/// The row id behind a `WatchEvent` global id, decoded here rather than with the service's code.
fn event_row(global: &str) -> i32 {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(global).unwrap()).unwrap();
    text.strip_prefix("WatchEvent:")
        .unwrap_or_else(|| panic!("{global} is {text:?}"))
        .parse()
        .unwrap()
}

/// The watch's deliveries, once none is pending (every channel has sent what it had).
async fn settled(app: &TestApp, watch_row: i32) -> Vec<delivery::Model> {
    let start = Instant::now();
    loop {
        let rows = delivery::Entity::find()
            .filter(delivery::Column::WatchId.eq(watch_row))
            .all(&app.db)
            .await
            .unwrap();
        let pending = rows.iter().filter(|d| d.status == "pending").count();
        if pending == 0 {
            return rows;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{pending} deliveries still pending: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

both_backends!(
    an_enterprise_watch_hears_through_all_four_channels,
    |backend: Backend| async move {
        let mail_dir = tempfile::tempdir().unwrap();
        let smtp = Smtp::start(mail_dir.path()).await;
        let receiver = Receiver::start(Mode::Accept).await;
        let port = smtp.port;
        let app = TestApp::spawn_with(backend, move |s| {
            s.smtp_host = Some("127.0.0.1".into());
            s.smtp_port = port;
            s.smtp_starttls = false;
            s.public_url = PUBLIC.into();
            s.mail_from = "质量通报 <noreply@zhiliang.test>".into();
            s.webhook_allow = vec!["127.0.0.1".into()];
            s.webhook_retry_secs = vec![1, 1, 1];
        })
        .await;
        app.import_all_demo().await;
        app.wait_matched().await;

        // The watch, from the enterprise's export profile, told by webhook and e-mail.
        let created = app
            .data(
                FOR_ENTERPRISE,
                json!({"input": {"creditCode": TOY_MAKER,
                    "delivery": {"webhookUrl": receiver.url(), "email": ADDRESS}}}),
            )
            .await["createWatchForEnterprise"]
            .clone();
        let token = created["token"].as_str().unwrap().to_string();
        let secret = created["webhookSecret"].as_str().expect("a webhook secret").to_string();
        let watch_id = created["watch"]["id"].as_str().unwrap().to_string();
        let watch_name = created["watch"]["name"].as_str().unwrap().to_string();
        assert!(watch_name.ends_with("出口产品"), "{watch_name}");

        // The confirmation mail; its link's POST confirms the address.
        let files = smtp.wait_for(1).await;
        let confirm = parse(&files[0]).await;
        assert_eq!(confirm["to"], ADDRESS);
        assert!(
            confirm["subject"].as_str().unwrap().contains("请确认邮箱地址"),
            "{confirm:#}"
        );
        let url = link(&app, part(&confirm, "text/plain"), "confirm");
        let watch_row: i32 = url
            .split("/watches/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let post = app.http.post(&url).send().await.unwrap();
        assert_eq!(post.status(), 200);
        assert!(post.text().await.unwrap().contains("已确认"));
        let e = app.data(EMAIL, json!({"t": token})).await;
        assert_eq!(
            e["watch"]["email"],
            json!({"address": ADDRESS, "confirmed": true, "mode": "IMMEDIATE"})
        );

        // A subscriber, listening before anything happens; the client exits after three events.
        let mut client = Client::subscribe(
            &app.base,
            json!([{"query": WATCH_EVENTS, "variables": {"t": token}}]),
            3,
        )
        .await;

        // A new EU notice on toys, 5 days before its comment deadline; the reminders of today; the addendum that
        // extends the comment period (no HS code of its own).
        let base = "G/TBT/N/EU/97531";
        let addendum = format!("{base}/Add.1");
        let deadline = today() + Days::new(5);
        let extended = today() + Days::new(30);
        import(
            &app,
            &json!({"type": "notice", "symbols": [base], "distributionDate": today().to_string(),
                "commentDeadline": deadline.to_string(), "titleZh": "玩具安全指令修订", "titleEn": "Toy safety",
                "hsCodes": ["9503.00"]}),
        )
        .await;
        client
            .wait_for("the new notice", |l| {
                l["payload"]["data"]["watchEvents"]["kind"] == "NEW_NOTICE"
            })
            .await;
        let made = zhiliang::follow::events::remind(&app.db, today()).await.unwrap();
        assert_eq!(made, 1, "one reminder (the 7-day one, 5 days before)");
        import(
            &app,
            &json!({"type": "notice", "symbols": [addendum], "distributionDate": today().to_string(),
                "commentDeadline": extended.to_string(), "titleZh": "玩具安全指令修订：延长评议期",
                "addendumReasons": ["COMMENT_PERIOD_CHANGED"]}),
        )
        .await;

        // What the watch heard, oldest first: the reference for every channel.
        let d = app.data(EVENTS, json!({"t": token})).await;
        let mut heard: Vec<Value> = d["watch"]["events"]["nodes"].as_array().unwrap().clone();
        heard.reverse();
        let kinds: Vec<&str> = heard.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["NEW_NOTICE", "REMINDER", "FOLLOW_UP"], "{heard:#?}");
        let ids: Vec<String> = heard.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
        let symbols = [base.to_string(), base.to_string(), addendum.clone()];
        for (e, s) in heard.iter().zip(&symbols) {
            assert_eq!(&e["notice"]["symbol"], s, "{e}");
        }
        assert_eq!(heard[1]["daysLeft"], 5);
        assert_eq!(heard[1]["deadlineInForce"], deadline.to_string());
        assert_eq!(heard[2]["followUpOf"], base);
        assert_eq!(heard[2]["deadlineInForce"], extended.to_string());

        // 1. Webhook: three signed POSTs, in order, with the events' ids.
        let hits = receiver
            .wait_for(PATIENCE.as_secs(), "three events", |h| {
                h.iter().filter(|h| h.status == 200).count() >= 3
            })
            .await;
        let bodies: Vec<Value> = hits
            .iter()
            .map(|h| check_post(h, &secret, &watch_id, &watch_name))
            .collect();
        let hook_ids: Vec<&str> = bodies.iter().map(|b| b["id"].as_str().unwrap()).collect();
        assert_eq!(hook_ids, ids, "webhook ids");
        let hook_kinds: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(hook_kinds, kinds);
        for (b, s) in bodies.iter().zip(&symbols) {
            assert_eq!(&b["event"]["symbol"], s, "{b}");
            assert_eq!(b["event"]["member"], "EU", "{b}");
        }
        assert_eq!(bodies[1]["event"]["daysLeft"], 5, "{}", bodies[1]);
        assert_eq!(bodies[2]["event"]["followUpOf"], base);
        assert_eq!(bodies[2]["event"]["addendumReasons"], json!(["COMMENT_PERIOD_CHANGED"]));
        assert_eq!(bodies[2]["event"]["deadlineInForce"], extended.to_string());

        // 2. E-mail: one mail per event after the confirmation, each naming the symbol; tied to its event through
        //    its Message-ID (`<delivery-{n}@...>`) and the delivery row n.
        let files = smtp.wait_for(4).await;
        let deliveries = settled(&app, watch_row).await;
        let mut mail_ids = Vec::new();
        let mut mails = Vec::new();
        for f in &files[1..] {
            let m = parse(f).await;
            assert_eq!(m["to"], ADDRESS);
            let n: i32 = m["messageId"]
                .as_str()
                .unwrap()
                .strip_prefix("<delivery-")
                .and_then(|s| s.split_once('@'))
                .unwrap_or_else(|| panic!("Message-ID of {m:#}"))
                .0
                .parse()
                .unwrap();
            let row = deliveries
                .iter()
                .find(|d| d.id == n)
                .unwrap_or_else(|| panic!("no delivery {n}: {deliveries:#?}"));
            assert_eq!(row.channel, "email", "{row:?}");
            mail_ids.push(row.event_id.expect("an event mail names its event"));
            mails.push(m);
        }
        let rows: Vec<i32> = ids.iter().map(|i| event_row(i)).collect();
        assert_eq!(mail_ids, rows, "the mails are of the three events, in order");
        for ((m, s), e) in mails.iter().zip(&symbols).zip(&heard) {
            let subject = m["subject"].as_str().unwrap();
            let text = part(m, "text/plain");
            assert!(subject.contains(s.as_str()), "{subject}");
            assert!(subject.contains(&watch_name), "{subject}");
            assert!(text.contains(e["summary"].as_str().unwrap()), "{text}");
            assert!(part(m, "text/html").contains(s.as_str()));
            assert!(!m.to_string().contains(&token), "the watch token is in a mail");
        }
        assert!(
            mails[0]["subject"].as_str().unwrap().contains("新通报"),
            "{:#}",
            mails[0]
        );
        let reminder = part(&mails[1], "text/plain");
        assert!(
            mails[1]["subject"].as_str().unwrap().contains("评议截止提醒")
                && reminder.contains("距截止：5 天")
                && reminder.contains(&deadline.to_string()),
            "{reminder}"
        );
        let follow_up = part(&mails[2], "text/plain");
        assert!(
            follow_up.contains("评议期变更")
                && follow_up.contains(&extended.to_string())
                && follow_up.contains(&format!("所跟踪的通报：{base}")),
            "{follow_up}"
        );
        assert!(
            mails[2]["subject"]
                .as_str()
                .unwrap()
                .contains(&format!("评议截止日改为 {extended}")),
            "{:#}",
            mails[2]
        );

        // 3. The subscription: the same three events, same ids, in order.
        let lines = client.finish().await;
        let nexts: Vec<&Value> = lines.iter().filter(|l| l["type"] == "next").collect();
        assert!(
            !lines.iter().any(|l| l["type"] == "error" || l["type"] == "timeout"),
            "{lines:#?}"
        );
        let live: Vec<&Value> = nexts.iter().map(|l| &l["payload"]["data"]["watchEvents"]).collect();
        let live_ids: Vec<&str> = live.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(live_ids, ids, "subscription ids: {lines:#?}");
        for (l, e) in live.iter().zip(&heard) {
            assert_eq!(*l, e, "the subscription sends the event as `events` lists it");
        }

        // 4. The Atom feed, read by feedparser: one entry per event, newest first, with the same ids.
        let feed_url = format!("{}{}", app.base, created["feedPath"].as_str().unwrap());
        let xml = app.http.get(&feed_url).send().await.unwrap().text().await.unwrap();
        let parsed = parse_atom(&app, &xml, &feed_url).await;
        let entries = parsed["entries"].as_array().unwrap();
        let entry_ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
        let want: Vec<String> = ids
            .iter()
            .rev()
            .map(|i| format!("tag:zhiliang,2026:event:{i}"))
            .collect();
        assert_eq!(entry_ids, want, "feed entry ids");
        for (entry, (kind, s)) in entries.iter().zip(kinds.iter().rev().zip(symbols.iter().rev())) {
            let tags: Vec<&str> = entry["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert!(tags.contains(kind) && tags.contains(&s.as_str()), "{entry}");
        }

        // Nothing more on any channel: every delivery sent, one per event and channel (and the confirmation).
        let mut sent: Vec<(String, Option<i32>, String)> = deliveries
            .iter()
            .map(|d| (d.channel.clone(), d.event_id, d.status.clone()))
            .collect();
        sent.sort();
        let mut expected = vec![("confirm".to_string(), None, "sent".to_string())];
        for ch in ["email", "webhook"] {
            expected.extend(rows.iter().map(|r| (ch.to_string(), Some(*r), "sent".to_string())));
        }
        expected.sort();
        assert_eq!(sent, expected);
        assert_eq!(receiver.hits().len(), 3, "webhook requests");
        assert_eq!(smtp.files().len(), 4, "mails");

        drop(smtp);
        app.finish().await;
    }
);
