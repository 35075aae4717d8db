//! What a watch hears, on SQLite and PostgreSQL: a new notice that matches (and not one that does not), a
//! follow-up of it that carries no HS code, with what changed, and a reminder before the comment deadline in
//! force; each once, however often the notices are imported again. And the matcher's test is the listing's: on
//! generated notices and filters, `notices::store::matches` answers what `notices(filter:)` lists, and watches
//! made before the import hear exactly the listed notices (plus follow-ups of them).

use std::collections::BTreeSet;

use chrono::Days;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, unique};

const EVENTS: &str = r#"query($t: String!, $after: String) { watch(token: $t) { events(first: 100, after: $after) {
  totalCount nodes { id kind summary addendumReasons followUpOf deadlineInForce daysLeft notice { symbol } }
  pageInfo { hasNextPage endCursor } } } }"#;

const FOR_ENTERPRISE: &str = r#"mutation($input: CreateWatchForEnterpriseInput!) {
  createWatchForEnterprise(input: $input) { token feedPath watch { name enterpriseCreditCode reminderDays
  filter { hsCodes members } } } }"#;

/// The demo enterprise that exports 塑胶玩具 (HS 9503.00) to the USA, the EU and Canada.
const TOY_MAKER: &str = "9144190076848273XJ";

fn today() -> chrono::NaiveDate {
    zhiliang::graphql::scalars::today_in_china()
}

async fn import(app: &TestApp, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let r = app.import_text(&format!("{}.jsonl", unique("follow")), &text).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    app.wait_matched().await;
}

/// Every event of a watch, newest first, read page by page.
async fn events(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app.data(EVENTS, json!({"t": token, "after": after})).await;
        let e = &d["watch"]["events"];
        out.extend(e["nodes"].as_array().unwrap().iter().cloned());
        if e["pageInfo"]["hasNextPage"] != true {
            assert_eq!(e["totalCount"], out.len());
            return out;
        }
        after = e["pageInfo"]["endCursor"].clone();
    }
}

both_backends!(
    an_enterprise_watch_hears_a_notice_its_addendum_and_a_reminder,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        app.import_all_demo().await;
        app.wait_matched().await;
        let created = app
            .data(
                FOR_ENTERPRISE,
                json!({"input": {"creditCode": TOY_MAKER.to_lowercase()}}),
            )
            .await["createWatchForEnterprise"]
            .clone();
        let token = created["token"].as_str().unwrap().to_string();
        assert_eq!(created["feedPath"], format!("/feeds/watches/{token}.atom"));
        let w = &created["watch"];
        assert_eq!(w["enterpriseCreditCode"], TOY_MAKER);
        assert_eq!(w["reminderDays"], json!([7, 2]));
        // The product's heading, and its three markets.
        assert_eq!(w["filter"]["hsCodes"], json!(["9503"]));
        assert_eq!(w["filter"]["members"], json!(["CAN", "EU", "USA"]));
        assert!(w["name"].as_str().unwrap().ends_with("出口产品"), "{w}");
        // Made after the demo import: it has heard nothing yet.
        assert!(events(&app, &token).await.is_empty());

        let number = 90_000 + (rand_suffix() % 9_000);
        let base = format!("G/TBT/N/EU/{number}");
        let deadline = today() + Days::new(5);
        let notice = json!({"type": "notice", "symbols": [base], "distributionDate": today().to_string(),
        "commentDeadline": deadline.to_string(), "titleZh": "玩具安全指令修订", "titleEn": "Toy safety",
        "hsCodes": ["9503.00"]});
        // The same products notified by a member the enterprise does not ship to, and another product for the EU.
        let elsewhere = json!({"type": "notice", "symbols": [format!("G/TBT/N/JPN/{number}")],
        "distributionDate": today().to_string(), "titleZh": "玩具", "hsCodes": ["9503"]});
        let other = json!({"type": "notice", "symbols": [format!("G/TBT/N/EU/{}", number + 1)],
        "distributionDate": today().to_string(), "titleZh": "家具", "hsCodes": ["9403"]});
        import(&app, &[notice.clone(), elsewhere, other]).await;
        let heard = events(&app, &token).await;
        assert_eq!(heard.len(), 1, "{heard:#?}");
        assert_eq!(heard[0]["kind"], "NEW_NOTICE");
        assert_eq!(heard[0]["notice"]["symbol"], base);
        assert!(heard[0]["summary"].as_str().unwrap().contains("玩具安全指令修订"));
        assert_eq!(heard[0]["deadlineInForce"], deadline.to_string());

        // Five days before the deadline: the 7-day reminder, once, however often reminders are made.
        let made = zhiliang::follow::events::remind(&app.db, today()).await.unwrap();
        zhiliang::follow::events::remind(&app.db, today()).await.unwrap();
        let heard = events(&app, &token).await;
        let reminders: Vec<&Value> = heard.iter().filter(|e| e["kind"] == "REMINDER").collect();
        assert_eq!(reminders.len(), 1, "made {made}: {heard:#?}");
        assert_eq!(reminders[0]["daysLeft"], 5);
        assert_eq!(reminders[0]["deadlineInForce"], deadline.to_string());
        assert!(reminders[0]["summary"].as_str().unwrap().contains("5 天"));

        // An addendum with no HS code that extends the comment period: heard as a follow-up, saying so.
        let extended = today() + Days::new(30);
        let addendum = json!({"type": "notice", "symbols": [format!("{base}/Add.1")],
        "distributionDate": today().to_string(), "commentDeadline": extended.to_string(),
        "titleZh": "玩具安全指令修订：延长评议期", "addendumReasons": ["COMMENT_PERIOD_CHANGED"]});
        import(&app, std::slice::from_ref(&addendum)).await;
        let heard = events(&app, &token).await;
        let follow: Vec<&Value> = heard.iter().filter(|e| e["kind"] == "FOLLOW_UP").collect();
        assert_eq!(follow.len(), 1, "{heard:#?}");
        assert_eq!(follow[0]["notice"]["symbol"], format!("{base}/Add.1"));
        assert_eq!(follow[0]["followUpOf"], base);
        assert_eq!(follow[0]["addendumReasons"], json!(["COMMENT_PERIOD_CHANGED"]));
        assert_eq!(follow[0]["deadlineInForce"], extended.to_string());
        assert!(
            follow[0]["summary"]
                .as_str()
                .unwrap()
                .contains(&format!("评议截止日改为 {extended}"))
        );
        // Newest first.
        assert_eq!(heard[0]["kind"], "FOLLOW_UP");

        // Importing everything again makes no event twice.
        let before = heard.len();
        import(&app, &[notice, addendum]).await;
        zhiliang::follow::events::remind(&app.db, today()).await.unwrap();
        assert_eq!(events(&app, &token).await.len(), before);

        // The feed carries the three events, with the same ids.
        let xml = app
            .http
            .get(format!("{}/feeds/watches/{token}.atom", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for e in &heard {
            let id = e["id"].as_str().unwrap();
            assert!(
                xml.contains(&format!("tag:zhiliang,2026:event:{id}")),
                "{id} not in {xml}"
            );
        }
        assert!(xml.contains("<category term=\"REMINDER\"/>"));
        app.finish().await;
    }
);

both_backends!(
    an_enterprise_without_a_profile_and_bad_settings_are_refused,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        app.import_all_demo().await;
        let no_profile = app
            .gql(FOR_ENTERPRISE, json!({"input": {"creditCode": "91330226MA2AFRRK4X"}}))
            .await;
        assert_eq!(
            no_profile["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{no_profile}"
        );
        let create = "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token } }";
        for delivery in [
            json!({"reminderDays": [-1]}),
            json!({"reminderDays": [61]}),
            json!({"reminderDays": [1, 2, 3, 4, 5, 6]}),
            json!({"digestHour": 24}),
            json!({"email": "someone@example.org"}),
            json!({"webhookUrl": "ftp://example.org/x"}),
        ] {
            let r = app
                .gql(create, json!({"input": {"name": "x", "delivery": delivery}}))
                .await;
            assert_eq!(
                r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{delivery}: {r}"
            );
        }
        app.finish().await;
    }
);

both_backends!(
    creating_watches_is_limited_per_client_address,
    |backend: Backend| async move {
        let app = TestApp::spawn_with(backend, |s| s.watch_create_per_hour = 3).await;
        let create = "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token } }";
        for i in 0..3 {
            app.data(create, json!({"input": {"name": format!("w{i}")}})).await;
        }
        let r = app.gql(create, json!({"input": {"name": "one too many"}})).await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{r}");
        assert_eq!(r["data"], Value::Null);
        // Nothing was stored for the refused one, and reads go on.
        let n: i64 = {
            use sea_orm::{ConnectionTrait, Statement};
            let row = app
                .db
                .query_one_raw(Statement::from_string(
                    app.db.get_database_backend(),
                    "SELECT COUNT(*) AS n FROM watch",
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get("", "n").unwrap()
        };
        assert_eq!(n, 3);
        app.data("{ notices(first: 1) { totalCount } }", json!({})).await;
        app.finish().await;
    }
);

async fn create_from(app: &TestApp, forwarded_for: &str) -> Value {
    app.http
        .post(format!("{}/graphql", app.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"query": "mutation { createWatch(input: {name: \"w\"}) { token } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both_backends!(
    behind_a_trusted_proxy_each_forwarded_client_has_its_limit,
    |backend: Backend| async move {
        let app = TestApp::spawn_with(backend, |s| {
            s.watch_create_per_hour = 2;
            s.trusted_proxies = vec!["127.0.0.0/8".into()];
        })
        .await;
        for _ in 0..2 {
            let r = create_from(&app, "198.51.100.7").await;
            assert!(r["data"]["createWatch"]["token"].is_string(), "{r}");
        }
        let r = create_from(&app, "198.51.100.7").await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{r}");
        // The client is the last hop the proxy added: what the client put before it is not believed.
        let r = create_from(&app, "198.51.100.8, 198.51.100.7").await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{r}");
        let r = create_from(&app, "198.51.100.7, 198.51.100.8").await;
        assert!(r["data"]["createWatch"]["token"].is_string(), "another client: {r}");
        app.finish().await;
    }
);

fn rand_suffix() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).unwrap();
    u32::from_le_bytes(b)
}

// ---- the property: the matcher means what the listing means ----

const MEMBERS: [&str; 5] = ["EU", "USA", "JPN", "CAN", "KOR"];
const HS: [&str; 8] = ["9503", "950300", "95030090", "9608", "960810", "8712", "871200", "0101"];
const HS_PREFIXES: [&str; 8] = ["9", "95", "9503", "950300", "96", "960810", "87", "0101"];
const ICS: [&str; 4] = ["97.200.50", "97.200", "43.150", "13.120"];
const ICS_PREFIXES: [&str; 4] = ["97", "97.200", "43.150", "1"];
const OBJECTIVES: [&str; 4] = ["CONSUMER_PROTECTION", "HUMAN_HEALTH_SAFETY", "ENVIRONMENT", "LABELLING"];

fn some<T: Clone + std::fmt::Debug>(pool: &'static [T], max: usize) -> impl Strategy<Value = Vec<T>> {
    proptest::sample::subsequence(pool.to_vec(), 0..=max)
}

fn day(offset: u32) -> String {
    (chrono::NaiveDate::from_ymd_opt(2031, 1, 1).unwrap() + Days::new(u64::from(offset))).to_string()
}

/// A notice line of chain `n` (`add` > 0: its addendum, with no HS code half the time).
fn notice_strategy() -> impl Strategy<Value = (u32, u32, Value)> {
    (
        0u32..40,
        prop_oneof![3 => Just(0u32), 1 => 1u32..3],
        prop::bool::ANY,
        0usize..MEMBERS.len(),
        some(&HS, 3),
        some(&ICS, 2),
        some(&OBJECTIVES, 2),
        0u32..120,
        prop::option::of(0u32..90),
        prop::bool::ANY,
    )
        .prop_map(|(n, add, sps, m, hs, ics, obj, dist, window, keep_hs)| {
            let area = if sps { "SPS" } else { "TBT" };
            let base = format!("G/{area}/N/{}/{}", MEMBERS[m], 500 + n);
            let symbol = if add == 0 { base } else { format!("{base}/Add.{add}") };
            let mut v = json!({"type": "notice", "symbols": [symbol], "distributionDate": day(dist + add * 10),
                "titleZh": format!("生成的通报 {n}"), "icsCodes": ics, "objectives": obj});
            if add == 0 || keep_hs {
                v["hsCodes"] = json!(hs);
            }
            if let Some(w) = window {
                v["commentDeadline"] = json!(day(dist + add * 10 + w));
            }
            if add > 0 {
                v["addendumReasons"] = json!(["COMMENT_PERIOD_CHANGED"]);
            }
            (n, add, v)
        })
}

fn filter_strategy() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::bool::ANY),
        prop::option::of(some(&MEMBERS, 2)),
        prop::option::of(some(&HS_PREFIXES, 2)),
        prop::option::of(some(&ICS_PREFIXES, 2)),
        prop::option::of(some(&OBJECTIVES, 2)),
        prop::option::of(0u32..150),
        prop::option::of(0u32..150),
        prop::option::of(0u32..150),
        prop::option::of(prop::option::of(0u32..3)),
    )
        .prop_map(|(sps, members, hs, ics, obj, from, to, open, kinds)| {
            let mut f = json!({});
            if let Some(s) = sps {
                f["area"] = json!(if s { "SPS" } else { "TBT" });
            }
            if let Some(m) = members {
                f["members"] = json!(m);
            }
            if let Some(h) = hs {
                f["hsCodes"] = json!(h);
            }
            if let Some(i) = ics {
                f["icsCodes"] = json!(i);
            }
            if let Some(o) = obj {
                f["objectives"] = json!(o);
            }
            if let (Some(a), Some(b)) = (from, to)
                && a <= b
            {
                f["distributedFrom"] = json!(day(a));
                f["distributedTo"] = json!(day(b));
            }
            if let Some(o) = open {
                f["openForCommentOn"] = json!(day(o));
            }
            if let Some(k) = kinds {
                f["kinds"] = json!(match k {
                    None => vec!["REGULAR"],
                    Some(0) => vec!["ADDENDUM"],
                    Some(_) => vec!["REGULAR", "ADDENDUM"],
                });
            }
            f
        })
}

fn sample<S: Strategy>(runner: &mut TestRunner, s: &S) -> S::Value {
    s.new_tree(runner).unwrap().current()
}

const LISTING: &str = r#"query($f: NoticeFilter, $after: String) { notices(first: 100, after: $after, filter: $f) { nodes { symbol }
  pageInfo { hasNextPage endCursor } } }"#;

async fn listed(app: &TestApp, filter: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let d = app.data(LISTING, json!({"f": filter, "after": after})).await;
        for n in d["notices"]["nodes"].as_array().unwrap() {
            out.insert(n["symbol"].as_str().unwrap().to_string());
        }
        if d["notices"]["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = d["notices"]["pageInfo"]["endCursor"].clone();
    }
}

both_backends!(watches_hear_what_the_listing_lists, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, |s| s.watch_create_per_hour = 1_000).await;
    let mut runner = TestRunner::deterministic();
    let filters: Vec<Value> = (0..40).map(|_| sample(&mut runner, &filter_strategy())).collect();
    let create = "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token } }";
    let mut tokens = Vec::new();
    for (i, f) in filters.iter().enumerate() {
        let d = app
            .data(create, json!({"input": {"name": format!("w{i}"), "filter": f}}))
            .await;
        tokens.push(d["createWatch"]["token"].as_str().unwrap().to_string());
    }
    // Bases before their addenda, one record per symbol.
    let mut lines: Vec<(u32, u32, Value)> = (0..160).map(|_| sample(&mut runner, &notice_strategy())).collect();
    lines.sort_by_key(|(n, add, _)| (*add, *n));
    let mut seen = BTreeSet::new();
    lines.retain(|(_, _, v)| seen.insert(v["symbols"][0].as_str().unwrap().to_string()));
    let values: Vec<Value> = lines.into_iter().map(|(_, _, v)| v).collect();
    for chunk in values.chunks(40) {
        import(&app, chunk).await;
    }
    let stored = zhiliang::catalog::notices::store::list(
        &app.db,
        &Default::default(),
        zhiliang::catalog::notices::store::SortField::Symbol,
        &zhiliang::catalog::notices::store::PageRequest {
            descending: false,
            after: None,
            before: None,
            limit: 10_000,
            from_end: false,
            other_side: false,
        },
    )
    .await
    .unwrap()
    .rows;
    assert_eq!(stored.len(), values.len());
    let mut nonempty = 0;
    for (f, token) in filters.iter().zip(&tokens) {
        let want = listed(&app, f).await;
        nonempty += usize::from(!want.is_empty());
        // The predicate the matcher uses says what the SQL of the listing says.
        let filter: zhiliang::catalog::notices::graphql::NoticeFilter =
            async_graphql::InputType::parse(Some(async_graphql::Value::from_json(f.clone()).unwrap())).unwrap();
        let q = filter.to_query().unwrap();
        let by_predicate: BTreeSet<String> = stored
            .iter()
            .filter(|n| zhiliang::catalog::notices::store::matches(&q, n))
            .map(|n| n.data.primary_symbol().to_string())
            .collect();
        assert_eq!(by_predicate, want, "filter {f}");
        // The watch heard every listed notice, and beyond them only follow-ups of chains it matched.
        let heard = events(&app, token).await;
        let heard_symbols: BTreeSet<String> = heard
            .iter()
            .map(|e| e["notice"]["symbol"].as_str().unwrap().to_string())
            .collect();
        assert!(
            want.is_subset(&heard_symbols),
            "filter {f}: listed {want:?}, heard {heard_symbols:?}"
        );
        for e in &heard {
            let symbol = e["notice"]["symbol"].as_str().unwrap();
            match e["kind"].as_str().unwrap() {
                "NEW_NOTICE" => assert!(want.contains(symbol), "filter {f}: {symbol} heard as new"),
                "FOLLOW_UP" => {
                    let of = e["followUpOf"].as_str().unwrap();
                    assert!(want.contains(of), "filter {f}: {symbol} follows {of}, not listed");
                }
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert!(
        nonempty >= 10,
        "the generated filters should often match: {nonempty} of 40"
    );
    app.finish().await;
});
