//! A notice listing reads only the columns its selection needs (issue 15): every answer must equal the one read
//! from whole rows. A listing that also selects `symbols` (a list column) reads whole rows, so the same query
//! with `symbols` added under another key, that key then removed, is the whole-row answer to compare with.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};

/// The sub-selection of each object-typed field of `Notice`; a leaf field is selected by its name alone.
fn subselection(field: &str) -> Option<&'static str> {
    Some(match field {
        "member" | "members" => "{ code nameZh nameEn }",
        "affected" => "{ enterpriseCount }",
        "commentDeadlineSetBy" | "original" | "followUps" => "{ symbol distributionDate }",
        "documents" => "{ title url language pages }",
        "relatedStandards" => "{ number }",
        _ => return None,
    })
}

/// Every field of `Notice` as a selection, read from the schema: a field added later is compared too.
async fn notice_fields(app: &TestApp) -> Vec<String> {
    let d = app
        .data(
            r#"{ __type(name: "Notice") { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } } }"#,
            json!({}),
        )
        .await;
    let mut out = Vec::new();
    for f in d["__type"]["fields"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        // The innermost kind: an object needs a sub-selection.
        let mut t = &f["type"];
        while t["kind"] == "NON_NULL" || t["kind"] == "LIST" {
            t = &t["ofType"];
        }
        if t["kind"] == "OBJECT" || t["kind"] == "INTERFACE" {
            let sub = subselection(name).unwrap_or_else(|| panic!("give `{name}` a sub-selection in this test"));
            out.push(format!("{name} {sub}"));
        } else {
            out.push(name.to_string());
        }
    }
    out.push(r#"openForComment(on: "2026-11-22")"#.to_string());
    out
}

/// Removes the key `k` from every object in `v`.
fn without(v: &mut Value, k: &str) {
    match v {
        Value::Object(m) => {
            m.remove(k);
            m.values_mut().for_each(|x| without(x, k));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| without(x, k)),
        _ => {}
    }
}

/// The answer to `query` (which has `HEAVY` where a node's fields may take one more) read as it is, and read
/// from whole rows (`HEAVY` replaced by `zzWhole: symbols`, then removed from the answer).
async fn both_ways(app: &TestApp, query: &str, variables: Value) -> (Value, Value) {
    let projected = app.gql(&query.replace("HEAVY", ""), variables.clone()).await;
    let mut whole = app.gql(&query.replace("HEAVY", "zzWhole: symbols"), variables).await;
    without(&mut whole, "zzWhole");
    (projected, whole)
}

/// A small deterministic generator (xorshift), so that a failure can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

both_backends!(projected_listings_answer_as_whole_rows, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_demo().await;
    let fields = notice_fields(&app).await;
    assert!(fields.len() > 40, "{fields:?}");

    // Each field alone, on two pages of each order, with the page's info and count.
    for order in ["", "orderBy: {field: SYMBOL, direction: ASC}, "] {
        for f in &fields {
            let mut after = Value::Null;
            for _page in 0..2 {
                let q = format!(
                    "query($after: String) {{ notices({order}first: 30, after: $after) {{ totalCount
                       pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                       edges {{ cursor node {{ {f} HEAVY }} }} }} }}"
                );
                let (a, b) = both_ways(&app, &q, json!({"after": after})).await;
                assert!(a.get("errors").is_none(), "{f}: {a}");
                assert_eq!(a, b, "field {f}, order {order:?}, after {after}");
                assert_eq!(a["data"]["notices"]["edges"].as_array().unwrap().len(), 30);
                after = a["data"]["notices"]["pageInfo"]["endCursor"].clone();
            }
        }
    }

    // Combinations, in the shapes a client writes: `nodes` and `edges { node }`, aliases, named and inline
    // fragments, a directive, a filter, reading backwards.
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let shapes = [
        "{ notices(FILTERfirst: 25) { nodes { SEL HEAVY } pageInfo { hasNextPage endCursor } } }",
        "{ notices(FILTERlast: 12) { edges { cursor node { SEL HEAVY } } pageInfo { hasPreviousPage startCursor } } }",
        "{ x: notices(FILTERfirst: 20) { n: nodes { ...F HEAVY } e: edges { node { __typename id } } } }
         fragment F on Notice { SEL }",
        "{ notices(FILTERfirst: 20, orderBy: {field: SYMBOL, direction: DESC}) { edges { node { ... on Notice { SEL } HEAVY } } } }",
        "query($no: Boolean = false) { notices(FILTERfirst: 15) { nodes { SEL descriptionZh @include(if: $no) HEAVY } } }",
        "{ a: notices(FILTERfirst: 5) { nodes { SEL HEAVY } } b: notices(FILTERfirst: 5) { nodes { id } } }",
    ];
    let filters = ["", "filter: {area: SPS}, ", "filter: {members: [\"CHN\"]}, "];
    for round in 0..60 {
        let n = 1 + rng.below(6);
        let mut sel = Vec::new();
        for i in 0..n {
            let f = &fields[rng.below(fields.len())];
            // Every other field under an alias, and a field with arguments always (two `openForComment` with
            // different arguments under one key would conflict).
            if i % 2 == 1 || f.contains('(') {
                sel.push(format!("f{i}: {f}"));
            } else {
                sel.push(f.clone());
            }
        }
        let sel = sel.join(" ");
        let shape = shapes[round % shapes.len()];
        let filter = filters[rng.below(filters.len())];
        let q = shape.replace("SEL", &sel).replace("FILTER", filter);
        let (a, b) = both_ways(&app, &q, json!({})).await;
        assert!(a.get("errors").is_none(), "{q}: {a}");
        assert_eq!(a, b, "query {q}");
    }

    // The fields a listing's nodes select in a real client: the same answer as a lookup of each notice.
    let d = app
        .data(
            "{ notices(first: 40) { nodes { symbol titleZh titleEn distributionDate commentDeadline kind area
               member { code } updatedAt } } }",
            json!({}),
        )
        .await;
    for n in d["notices"]["nodes"].as_array().unwrap() {
        let one = app
            .data(
                "query($s: String!) { notice(symbol: $s) { symbol titleZh titleEn distributionDate commentDeadline
                   kind area member { code } updatedAt } }",
                json!({"s": n["symbol"]}),
            )
            .await;
        assert_eq!(&one["notice"], n);
    }
    app.finish().await;
});
