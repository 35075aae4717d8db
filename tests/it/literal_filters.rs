//! A filter value is a literal and a filter never disappears: `%`, `_` and `\` typed into a name, industry,
//! committee, drafter, issuer or title match only themselves, on SQLite and on PostgreSQL, and a search filter
//! that selects nothing gives no hits.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

/// Values that are patterns to a `LIKE` left unescaped: `%` and `_` match anything; on PostgreSQL, whose
/// default escape character is `\`, `\x` matches `x`.
fn probes(ordinary: &str) -> Vec<String> {
    let mut v: Vec<String> = ["%", "_", "\\", "%%", "__", "\\%", "\\_"].map(String::from).to_vec();
    let first = ordinary.chars().next().unwrap();
    let rest: String = ordinary.chars().skip(1).collect();
    v.push(format!("{ordinary}%"));
    v.push(format!("%{ordinary}"));
    v.push(format!("{first}_{rest}"));
    v.push(format!("{first}%{rest}"));
    v.push(format!("\\{ordinary}"));
    v.push(format!("{first}\\{rest}"));
    v
}

fn literal(s: &str) -> bool {
    s.contains(['%', '_', '\\'])
}

async fn load(app: &TestApp) {
    for f in ["enterprises", "standards", "policies"] {
        let r = app.import(&repo(&format!("demo/{f}.jsonl"))).await;
        assert!(r.rejected.is_empty(), "{f}: {:?}", r.rejected);
    }
}

/// A listing with a text filter.
struct Listing {
    /// Takes `$f` (the filter, or the filtering argument) and `$after`; selects `totalCount`, `pageInfo` and `nodes`.
    query: &'static str,
    /// The value of `$f` for a filter value; `None` for no filter.
    var: fn(Option<&str>) -> Value,
    /// The connection's field in the data.
    field: &'static str,
    /// The texts of a node the filter looks into.
    texts: fn(&Value) -> Vec<String>,
    /// A substring some records have and others do not.
    ordinary: &'static str,
}

fn strs(v: &Value, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        match &v[*k] {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => out.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string))),
            _ => {}
        }
    }
    out
}

fn listings() -> Vec<(&'static str, Listing)> {
    const ENTERPRISES: &str =
        "query($f: EnterpriseFilter, $after: String) { enterprises(filter: $f, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { name formerNames industry } } }";
    const ZONES: &str = "query($f: String, $after: String) { zones(industry: $f, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { industry } } }";
    const STANDARDS: &str = "query($f: StandardFilter, $after: String) { standards(filter: $f, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { committee committeeName draftingOrganizations { name } } } }";
    const POLICIES: &str = "query($f: PolicyFilter, $after: String) { policies(filter: $f, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { issuer title } } }";
    vec![
        (
            "enterprises(filter: {name})",
            Listing {
                query: ENTERPRISES,
                var: |v| json!(v.map(|v| json!({"name": v}))),
                field: "enterprises",
                texts: |n| strs(n, &["name", "formerNames"]),
                ordinary: "文具",
            },
        ),
        (
            "enterprises(filter: {industry})",
            Listing {
                query: ENTERPRISES,
                var: |v| json!(v.map(|v| json!({"industry": v}))),
                field: "enterprises",
                texts: |n| strs(n, &["industry"]),
                ordinary: "文具",
            },
        ),
        (
            "zones(industry:)",
            Listing {
                query: ZONES,
                var: |v| json!(v),
                field: "zones",
                texts: |n| strs(n, &["industry"]),
                ordinary: "玩具",
            },
        ),
        (
            "standards(filter: {committee})",
            Listing {
                query: STANDARDS,
                var: |v| json!(v.map(|v| json!({"committee": v}))),
                field: "standards",
                texts: |n| strs(n, &["committee", "committeeName"]),
                ordinary: "玩具",
            },
        ),
        (
            "standards(filter: {draftedBy})",
            Listing {
                query: STANDARDS,
                var: |v| json!(v.map(|v| json!({"draftedBy": v}))),
                field: "standards",
                texts: |n| {
                    n["draftingOrganizations"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|o| o["name"].as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                },
                ordinary: "文具",
            },
        ),
        (
            "policies(filter: {issuer})",
            Listing {
                query: POLICIES,
                var: |v| json!(v.map(|v| json!({"issuer": v}))),
                field: "policies",
                texts: |n| strs(n, &["issuer"]),
                ordinary: "宁海",
            },
        ),
        (
            "policies(filter: {title})",
            Listing {
                query: POLICIES,
                var: |v| json!(v.map(|v| json!({"title": v}))),
                field: "policies",
                texts: |n| strs(n, &["title"]),
                ordinary: "示范区",
            },
        ),
    ]
}

/// Every node of a listing (paging through it) and its `totalCount`.
async fn all_nodes(app: &TestApp, l: &Listing, value: Option<&str>) -> (Vec<Value>, u64) {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app.data(l.query, json!({"f": (l.var)(value), "after": after})).await[l.field].clone();
        nodes.extend(d["nodes"].as_array().unwrap().iter().cloned());
        if d["pageInfo"]["hasNextPage"] != true {
            assert_eq!(d["totalCount"].as_u64().unwrap(), nodes.len() as u64, "{}", l.field);
            return (nodes, d["totalCount"].as_u64().unwrap());
        }
        after = d["pageInfo"]["endCursor"].clone();
    }
}

both_backends!(
    like_wildcards_in_listing_filters_are_literals,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load(&app).await;
        for (name, l) in listings() {
            // The demo data has no `%`, `_` or `\` in what these filters read (checked on every record).
            let (all, total) = all_nodes(&app, &l, None).await;
            assert!(!all.is_empty(), "{name}");
            for n in &all {
                assert!(!(l.texts)(n).iter().any(|t| literal(t)), "{name}: {n}");
            }
            // An ordinary part finds exactly the records that contain it.
            let want = all
                .iter()
                .filter(|n| (l.texts)(n).iter().any(|t| t.contains(l.ordinary)))
                .count() as u64;
            assert!(
                want > 0 && want < total,
                "{name}: the demo data should exercise {:?}",
                l.ordinary
            );
            let (_, found) = all_nodes(&app, &l, Some(l.ordinary)).await;
            assert_eq!(found, want, "{name} {:?} on {backend:?}", l.ordinary);
            // Wildcards and backslashes are characters like any other: no record has them, none is found.
            for p in probes(l.ordinary) {
                let (got, n) = all_nodes(&app, &l, Some(&p)).await;
                assert_eq!(n, 0, "{name} {p:?} on {backend:?}: {got:?}");
            }
        }
        app.finish().await;
    }
);

const ENTERPRISE: &str = "query($n: String) { enterprise(name: $n) { name formerNames } }";

both_backends!(enterprise_by_name_is_literal, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    // A former name is found whole (the demo has 宁海县海洋文具厂 as one).
    let e = app.data(ENTERPRISE, json!({"n": "宁海县海洋文具厂"})).await["enterprise"].clone();
    assert_eq!(e["name"], "宁波市海洋文具有限公司");
    for n in [
        "%",
        "_",
        "\\",
        "%%",
        "宁海县海洋文具%",
        "宁海县海洋文具_",
        "宁海县海洋_具厂",
        "%海洋文具厂",
        "\\宁海县海洋文具厂",
    ] {
        let got = app.data(ENTERPRISE, json!({"n": n})).await["enterprise"].clone();
        assert!(got.is_null(), "enterprise(name: {n:?}) on {backend:?}: {got}");
    }
    app.finish().await;
});

/// Records whose names hold the characters themselves: each probe finds exactly those.
const LITERAL_FIXTURE: &str = r#"{"type":"enterprise","creditCode":"91330226MA2LT0001K","name":"宁海县百分_百文具有限公司","formerNames":["宁海县100%文具厂"],"regionCode":"330226","industry":"文具\\制造"}
{"type":"enterprise","creditCode":"91330226MA2LT0002N","name":"宁海县百分百文具有限公司","regionCode":"330226","industry":"文具制造"}
{"type":"enterprise","creditCode":"91330226MA2LT0003R","name":"宁海县ABC文具有限公司","regionCode":"330226"}
{"type":"policy","issuer":"宁海县100%_市场\\监督管理局","documentNumber":"宁市监发〔2030〕1号","title":"关于100%_抽检\\合格的通知","issuedOn":"2030-01-02"}
"#;

both_backends!(literal_characters_find_themselves, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let r = app.import_text("literal.jsonl", LITERAL_FIXTURE).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let names = |d: Value| -> BTreeSet<String> {
        d["enterprises"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_string())
            .collect()
    };
    let q = "query($f: EnterpriseFilter) { enterprises(filter: $f, first: 100) { nodes { name } } }";
    let with_marks = BTreeSet::from(["宁海县百分_百文具有限公司".to_string()]);
    for (filter, want) in [
        (json!({"name": "分_百"}), with_marks.clone()),
        (json!({"name": "_"}), with_marks.clone()),
        (json!({"name": "100%"}), with_marks.clone()),
        (json!({"name": "%"}), with_marks.clone()),
        (json!({"name": "分%百"}), BTreeSet::new()),
        (
            json!({"name": "百分百"}),
            BTreeSet::from(["宁海县百分百文具有限公司".to_string()]),
        ),
        (json!({"industry": "\\"}), with_marks.clone()),
        (json!({"industry": "具\\制"}), with_marks.clone()),
        (json!({"industry": "\\制"}), with_marks.clone()),
        (json!({"industry": "\\\\"}), BTreeSet::new()),
    ] {
        assert_eq!(
            names(app.data(q, json!({"f": filter})).await),
            want,
            "{filter} on {backend:?}"
        );
    }
    // Case is what each backend's `LIKE` makes of it, as before: SQLite ignores the case of ASCII letters,
    // PostgreSQL does not.
    let abc = BTreeSet::from(["宁海县ABC文具有限公司".to_string()]);
    assert_eq!(names(app.data(q, json!({"f": {"name": "ABC"}})).await), abc);
    let lower = names(app.data(q, json!({"f": {"name": "abc"}})).await);
    match backend {
        Backend::Sqlite => assert_eq!(lower, abc),
        Backend::Postgres => assert!(lower.is_empty(), "{lower:?}"),
    }
    let e = app.data(ENTERPRISE, json!({"n": "宁海县100%文具厂"})).await["enterprise"].clone();
    assert_eq!(e["name"], "宁海县百分_百文具有限公司");
    assert!(app.data(ENTERPRISE, json!({"n": "宁海县100_文具厂"})).await["enterprise"].is_null());
    let p = "query($f: PolicyFilter) { policies(filter: $f) { totalCount } }";
    for (filter, want) in [
        (json!({"issuer": "100%_市场\\监督"}), 1),
        (json!({"issuer": "100%%"}), 0),
        (json!({"title": "%_抽检\\合格"}), 1),
        (json!({"title": "_抽检\\\\合格"}), 0),
    ] {
        assert_eq!(
            app.data(p, json!({"f": filter})).await["policies"]["totalCount"],
            want,
            "{filter} on {backend:?}"
        );
    }
    app.finish().await;
});

// The one box's database fallback (Meilisearch away) matches the query as text too.
both_backends!(search_fallback_is_literal, |backend: Backend| async move {
    let app = TestApp::spawn_with_meili(backend, "http://127.0.0.1:9").await;
    load(&app).await;
    let q = "query($q: String!) { search(query: $q, first: 50) { degraded edges { type } } }";
    let hits = |v: String| {
        let app = &app;
        async move {
            let r = app.data(q, json!({"q": v})).await["search"].clone();
            assert_eq!(r["degraded"], true);
            r["edges"].as_array().unwrap().len()
        }
    };
    assert!(hits("文具".into()).await > 0);
    for p in probes("文具") {
        assert_eq!(hits(p.clone()).await, 0, "search(query: {p:?}) on {backend:?}");
    }
    app.finish().await;
});

const SEARCH: &str = "query($q: String!, $f: StandardFilter) { searchStandards(query: $q, filter: $f, first: 100) {
    estimatedTotalCount nodes { number draftingOrganizations { name creditCode } } } }";
const LIST: &str = "query($f: StandardFilter) { standards(filter: $f, first: 100) { totalCount nodes { number } } }";

fn numbers(nodes: &Value) -> BTreeSet<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["number"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(search_standards_never_drops_drafted_by, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    app.wait_indexed().await;
    let everything = app.data(SEARCH, json!({"q": ""})).await["searchStandards"]["estimatedTotalCount"].clone();
    assert!(everything.as_u64().unwrap() > 100, "{everything}");
    // An organisation that drafted nothing: no hits, as in the listing.
    for org in ["无此起草单位有限公司", "%", "_", "91330226MA2LT0001K"] {
        for lead in [false, true] {
            let f = json!({"draftedBy": org, "draftedAsLead": lead});
            let s = app.data(SEARCH, json!({"q": "", "f": f})).await["searchStandards"].clone();
            assert_eq!(s["estimatedTotalCount"], 0, "{f} on {backend:?}: {s}");
            assert_eq!(s["nodes"], json!([]), "{f}");
            let l = app.data(LIST, json!({"f": f})).await["standards"].clone();
            assert_eq!(l["totalCount"], 0, "{f}");
        }
    }
    // One that drafted some: the search finds the very standards the listing does, by name part or credit code.
    for f in [
        json!({"draftedBy": "文具"}),
        json!({"draftedBy": "宁波市海洋文具有限公司"}),
        json!({"draftedBy": "中国标准化研究院"}),
        json!({"draftedBy": "中国标准化研究院", "draftedAsLead": true}),
        json!({"draftedBy": "91330226573218648k", "draftedAsLead": true}),
    ] {
        let l = app.data(LIST, json!({"f": f})).await["standards"].clone();
        let s = app.data(SEARCH, json!({"q": "", "f": f})).await["searchStandards"].clone();
        assert!(
            l["totalCount"].as_u64().unwrap() > 0,
            "{f}: the demo data should exercise it"
        );
        assert_eq!(s["estimatedTotalCount"], l["totalCount"], "{f} on {backend:?}");
        assert_eq!(numbers(&s["nodes"]), numbers(&l["nodes"]), "{f}");
    }
    // With words as well, every hit is one the organisation drafted.
    let f = json!({"draftedBy": "文具"});
    let s = app.data(SEARCH, json!({"q": "文具", "f": f})).await["searchStandards"].clone();
    let l = numbers(&app.data(LIST, json!({"f": f})).await["standards"]["nodes"]);
    assert!(!s["nodes"].as_array().unwrap().is_empty());
    assert!(numbers(&s["nodes"]).is_subset(&l), "{s}");
    app.finish().await;
});
