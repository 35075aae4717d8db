//! Notices through GraphQL on SQLite and PostgreSQL: lookups in odd forms, chains, paging both ways, filters.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, demo_records};

const LOOKUP: &str = r#"query($s: String!) { notice(symbol: $s) { id symbol symbols baseSymbol area kind
  member { code nameZh nameEn } members { code } distributionDate commentDeadline titleZh hsCodes
  original { symbol } followUps { symbol kind } } }"#;

both_backends!(lookups_in_odd_written_forms, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let report = app.import_demo().await;
    assert_eq!(report.added, 65);

    for form in [
        "G/TBT/N/CHN/2140",
        "g/tbt/n/chn/2140",
        "  G / TBT / N / CHN / 2140 ",
        "G／TBT／N／CHN／2140",
    ] {
        let d = app.data(LOOKUP, json!({"s": form})).await;
        assert_eq!(d["notice"]["symbol"], "G/TBT/N/CHN/2140", "form {form:?}");
    }
    let original = app.data(LOOKUP, json!({"s": "g/tbt/n/chn/2140"})).await["notice"].clone();
    assert_eq!(original["kind"], "REGULAR");
    assert_eq!(original["member"]["code"], "CHN");
    assert_eq!(original["member"]["nameZh"], "中国");
    assert!(original["original"].is_null());
    let follow: Vec<&str> = original["followUps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(follow, vec!["G/TBT/N/CHN/2140/Add.1"]);
    // Its addendum extended the comment period: the original answers the deadline in force and says whence.
    let d = app
        .data(
            r#"{ notice(symbol: "G/TBT/N/CHN/2140") { commentDeadline notifiedCommentDeadline
              commentDeadlineSetBy { symbol } openForComment(on: "2026-11-22") } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        d["notice"],
        json!({"commentDeadline": "2026-12-09", "notifiedCommentDeadline": "2026-11-09",
            "commentDeadlineSetBy": {"symbol": "G/TBT/N/CHN/2140/Add.1"}, "openForComment": true})
    );

    let add = app.data(LOOKUP, json!({"s": "G/TBT/N/CHN/2140/ADD.1"})).await["notice"].clone();
    assert_eq!(add["symbol"], "G/TBT/N/CHN/2140/Add.1");
    assert_eq!(add["kind"], "ADDENDUM");
    assert_eq!(add["baseSymbol"], "G/TBT/N/CHN/2140");
    assert_eq!(add["original"]["symbol"], "G/TBT/N/CHN/2140");

    // A joint notification is found by any of its symbols and lists every member.
    let joint = demo_records()
        .into_iter()
        .find(|r| r["symbols"].as_array().unwrap().len() > 2)
        .expect("the demo has a joint notification");
    let symbols: Vec<String> = joint["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let by_last = app
        .data(LOOKUP, json!({"s": symbols.last().unwrap().to_lowercase()}))
        .await["notice"]
        .clone();
    assert_eq!(by_last["symbol"], symbols[0].as_str());
    assert_eq!(by_last["members"].as_array().unwrap().len(), symbols.len());

    // node(id:) with the opaque id gives the same notice back.
    let id = add["id"].as_str().unwrap();
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { id ... on Notice { symbol } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(node["node"]["symbol"], "G/TBT/N/CHN/2140/Add.1");
    let nodes = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Notice { symbol } } }",
            json!({"ids": [id, original["id"]]}),
        )
        .await;
    assert_eq!(nodes["nodes"][1]["symbol"], "G/TBT/N/CHN/2140");

    // Unknown symbols are null, malformed ones are a coded error naming the reason.
    assert!(app.data(LOOKUP, json!({"s": "G/TBT/N/CHN/9999"})).await["notice"].is_null());
    assert_eq!(
        app.error_code(LOOKUP, json!({"s": "G/TBT/X/CHN/1"})).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code("{ node(id: \"garbage\") { id } }", json!({})).await,
        "INVALID_ID"
    );
    app.finish().await;
});

const PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String, $order: NoticeOrder, $filter: NoticeFilter) {
  notices(first: $first, after: $after, last: $last, before: $before, orderBy: $order, filter: $filter) {
    totalCount edges { cursor node { symbol distributionDate } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#;

fn symbols_of(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["symbol"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(paging_forward_and_back, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_demo().await;
    let total = demo_records().len();

    // Forward, 10 at a time.
    let mut forward = Vec::new();
    let mut dates = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let d = app.data(PAGE, json!({"first": 10, "after": after})).await["notices"].clone();
        assert_eq!(d["totalCount"], total);
        assert_eq!(d["pageInfo"]["hasPreviousPage"], pages > 0);
        forward.extend(symbols_of(&d));
        dates.extend(
            d["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["distributionDate"].as_str().unwrap().to_string()),
        );
        pages += 1;
        if d["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = Some(d["pageInfo"]["endCursor"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, total.div_ceil(10));
    assert_eq!(forward.len(), total);
    assert_eq!(forward.iter().collect::<BTreeSet<_>>().len(), total, "no notice twice");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Backward from the end, 7 at a time, gives the same sequence.
    let mut backward: Vec<String> = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let d = app.data(PAGE, json!({"last": 7, "before": before})).await["notices"].clone();
        let mut page = symbols_of(&d);
        page.extend(backward);
        backward = page;
        if d["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = Some(d["pageInfo"]["startCursor"].as_str().unwrap().to_string());
    }
    assert_eq!(backward, forward);

    // A page in the middle knows both neighbours exist.
    let first = app.data(PAGE, json!({"first": 5})).await["notices"].clone();
    let second = app
        .data(PAGE, json!({"first": 5, "after": first["pageInfo"]["endCursor"]}))
        .await["notices"]
        .clone();
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(second["pageInfo"]["hasNextPage"], true);
    let back = app
        .data(PAGE, json!({"last": 5, "before": second["pageInfo"]["startCursor"]}))
        .await["notices"]
        .clone();
    assert_eq!(symbols_of(&back), symbols_of(&first));
    assert_eq!(back["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(back["pageInfo"]["hasNextPage"], true);

    // Ordered by symbol ascending.
    let by_symbol = app
        .data(
            PAGE,
            json!({"first": 100, "order": {"field": "SYMBOL", "direction": "ASC"}}),
        )
        .await["notices"]
        .clone();
    let s = symbols_of(&by_symbol);
    let mut sorted = s.clone();
    sorted.sort();
    assert_eq!(s, sorted);

    // Limits and cursors are checked.
    assert_eq!(app.error_code(PAGE, json!({"first": 101})).await, "PAGE_SIZE_INVALID");
    assert_eq!(
        app.error_code(PAGE, json!({"first": 1, "last": 1})).await,
        "PAGE_SIZE_INVALID"
    );
    assert_eq!(
        app.error_code(PAGE, json!({"first": 5, "after": "bm9wZQ"})).await,
        "INVALID_CURSOR"
    );
    let cursor = first["pageInfo"]["endCursor"].clone();
    assert_eq!(
        app.error_code(PAGE, json!({"first": 5, "after": cursor, "order": {"field": "SYMBOL"}}))
            .await,
        "INVALID_CURSOR",
        "a cursor of another order is refused"
    );
    app.finish().await;
});

fn primary(r: &Value) -> String {
    r["symbols"][0].as_str().unwrap().to_string()
}

fn members_of(r: &Value) -> Vec<String> {
    r["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().split('/').nth(3).unwrap().to_string())
        .collect()
}

fn strings(r: &Value, key: &str) -> Vec<String> {
    r[key]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn text(r: &Value, key: &str) -> Option<String> {
    r[key].as_str().map(str::to_string)
}

/// The comment deadline in force of a demo record, computed from the records: its own, unless a later addendum
/// or corrigendum of it changes the comment period (`COMMENT_PERIOD_CHANGED`) with a new date.
fn deadline_in_force(r: &Value, recs: &[Value]) -> Option<String> {
    let me = primary(r);
    let mut newest = (text(r, "distributionDate").unwrap(), text(r, "commentDeadline"));
    for f in recs {
        let amends = primary(f)
            .strip_prefix(&format!("{me}/"))
            .is_some_and(|rest| rest.split('/').all(|s| s.starts_with("Add.") || s.starts_with("Corr.")));
        let changes = strings(f, "addendumReasons").contains(&"COMMENT_PERIOD_CHANGED".to_string());
        let distributed = text(f, "distributionDate").unwrap();
        if amends && changes && f["commentDeadline"].is_string() && distributed >= newest.0 {
            newest = (distributed, text(f, "commentDeadline"));
        }
    }
    newest.1
}

fn kind_of(r: &Value) -> String {
    let p = primary(r);
    let last = p.rsplit('/').next().unwrap();
    if last.starts_with("Add.") {
        "ADDENDUM".into()
    } else if last.starts_with("Corr.") {
        "CORRIGENDUM".into()
    } else if last.starts_with("Rev.") {
        "REVISION".into()
    } else {
        text(r, "kind").unwrap_or_else(|| "REGULAR".into())
    }
}

both_backends!(every_filter, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_demo().await;
    let recs = demo_records();
    let expect =
        |pred: &dyn Fn(&Value) -> bool| -> BTreeSet<String> { recs.iter().filter(|r| pred(r)).map(primary).collect() };
    let cases: Vec<(Value, BTreeSet<String>)> = vec![
        (json!({"area": "SPS"}), expect(&|r| primary(r).starts_with("G/SPS/"))),
        (
            json!({"kinds": ["ADDENDUM", "CORRIGENDUM"]}),
            expect(&|r| ["ADDENDUM", "CORRIGENDUM"].contains(&kind_of(r).as_str())),
        ),
        (json!({"kinds": ["EMERGENCY"]}), expect(&|r| kind_of(r) == "EMERGENCY")),
        (
            json!({"members": ["EU", "usa"]}),
            expect(&|r| members_of(r).iter().any(|m| m == "EU" || m == "USA")),
        ),
        (
            json!({"members": ["BHR"]}),
            expect(&|r| members_of(r).iter().any(|m| m == "BHR")),
        ),
        (
            json!({"hsCodes": ["9503"]}),
            expect(&|r| strings(r, "hsCodes").iter().any(|h| h.starts_with("9503"))),
        ),
        (
            json!({"hsCodes": ["8507", "94.05"]}),
            expect(&|r| {
                strings(r, "hsCodes")
                    .iter()
                    .any(|h| h.starts_with("8507") || h.starts_with("9405"))
            }),
        ),
        (
            json!({"icsCodes": ["97.200"]}),
            expect(&|r| strings(r, "icsCodes").iter().any(|h| h.starts_with("97.200"))),
        ),
        (
            json!({"distributedFrom": "2024-01-01", "distributedTo": "2024-12-31"}),
            expect(&|r| {
                text(r, "distributionDate").is_some_and(|d| d.as_str() >= "2024-01-01" && d.as_str() <= "2024-12-31")
            }),
        ),
        (
            json!({"openForCommentOn": "2026-11-22"}),
            expect(&|r| {
                text(r, "distributionDate").unwrap().as_str() <= "2026-11-22"
                    && deadline_in_force(r, &recs).is_some_and(|d| d.as_str() >= "2026-11-22")
            }),
        ),
        (
            json!({"objectives": ["FOOD_SAFETY"]}),
            expect(&|r| strings(r, "objectives").contains(&"FOOD_SAFETY".to_string())),
        ),
        (
            json!({"area": "TBT", "hsCodes": ["9503"], "objectives": ["HUMAN_HEALTH_SAFETY"]}),
            expect(&|r| {
                primary(r).starts_with("G/TBT/")
                    && strings(r, "hsCodes").iter().any(|h| h.starts_with("9503"))
                    && strings(r, "objectives").contains(&"HUMAN_HEALTH_SAFETY".to_string())
            }),
        ),
        (
            json!({"baseSymbol": "g/tbt/n/chn/2140/add.1"}),
            expect(&|r| primary(r).starts_with("G/TBT/N/CHN/2140")),
        ),
    ];
    for (filter, expected) in cases {
        assert!(!expected.is_empty(), "the demo data should exercise {filter}");
        let d = app.data(PAGE, json!({"first": 100, "filter": filter})).await["notices"].clone();
        let got: BTreeSet<String> = symbols_of(&d).into_iter().collect();
        assert_eq!(got, expected, "filter {filter}");
        assert_eq!(d["totalCount"], expected.len(), "totalCount of {filter}");
    }
    for bad in [
        json!({"hsCodes": ["95x3"]}),
        json!({"distributedFrom": "2025-01-01", "distributedTo": "2024-01-01"}),
        json!({"members": ["not a member"]}),
    ] {
        assert_eq!(
            app.error_code(PAGE, json!({"first": 5, "filter": bad})).await,
            "BAD_USER_INPUT",
            "{bad}"
        );
    }
    app.finish().await;
});
