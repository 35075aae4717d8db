//! The relevance set (`tests/relevance/queries.jsonl`) and how a ranked list is scored against it. Shared by the
//! integration test that enforces the set and by `benches/relevance.rs`, which prints the figures.

use std::path::Path;

use serde_json::Value;
use zhiliang::catalog::notices::symbol::NoticeSymbol;
use zhiliang::catalog::policies::number::DocumentNumber;
use zhiliang::catalog::standards::number::StandardNumber;

/// The files `scripts/demo` imports, in its order: notices, standards, enterprises and their listings, the
/// policies (which read their texts from ../shared/data/policies) and the division lists of ../shared/data/reference.
pub fn demo_files(repo: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = [
        "notices",
        "standards",
        "enterprises",
        "exports",
        "declarations",
        "policies",
    ]
    .iter()
    .map(|f| repo.join(format!("demo/{f}.jsonl")))
    .collect();
    for level in ["provinces", "cities", "areas"] {
        files.push(repo.join(format!("../shared/data/reference/cn-divisions-2023-{level}.csv")));
    }
    files
}

/// How many hits a query's expected records must be among.
pub const TOP: usize = 5;

/// One query of the set and the records that must be in its top five.
#[derive(Debug, Clone)]
pub struct Case {
    pub line: usize,
    pub query: String,
    pub expect: Vec<String>,
    pub category: String,
}

/// Reads the set; every key is put in the canonical form that [`keys_of`] produces.
pub fn load_set(repo: &Path) -> Vec<Case> {
    let path = repo.join("tests/relevance/queries.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("queries.jsonl:{}: {e}", i + 1));
        let field = |k: &str| {
            v[k].as_str()
                .unwrap_or_else(|| panic!("queries.jsonl:{}: no {k}", i + 1))
        };
        let expect: Vec<String> = v["expect"]
            .as_array()
            .unwrap_or_else(|| panic!("queries.jsonl:{}: no expect list", i + 1))
            .iter()
            .map(|k| canonical_key(k.as_str().expect("keys are strings")))
            .collect();
        assert!(
            (1..=TOP).contains(&expect.len()),
            "queries.jsonl:{}: expect 1 to {TOP} records",
            i + 1
        );
        out.push(Case {
            line: i + 1,
            query: field("query").to_string(),
            expect,
            category: field("category").to_string(),
        });
    }
    out
}

/// A key with its code in canonical form: notice symbols, standard numbers and document numbers can be written
/// several ways.
pub fn canonical_key(key: &str) -> String {
    let (kind, rest) = key.split_once(':').unwrap_or_else(|| panic!("key {key:?} has no kind"));
    let rest = match kind {
        "notice" => NoticeSymbol::parse(rest).map(|s| s.to_string()).unwrap_or(rest.into()),
        "standard" => StandardNumber::parse(rest).map(|n| n.edition()).unwrap_or(rest.into()),
        "policy" => DocumentNumber::parse(rest)
            .map(|n| n.to_string())
            .unwrap_or(rest.into()),
        _ => rest.to_string(),
    };
    format!("{kind}:{rest}")
}

/// The GraphQL selection that [`keys_of`] reads, for a fragment on `SearchItem` or `Node`.
pub fn key_fragment(name: &str, on: &str) -> String {
    format!(
        "fragment {name} on {on} {{ __typename \
         ... on Notice {{ symbols }} \
         ... on Standard {{ number }} \
         ... on Enterprise {{ creditCode }} \
         ... on Zone {{ code }} \
         ... on Policy {{ documentNumber title }} \
         ... on Brand {{ name enterprise {{ creditCode }} }} \
         ... on Title {{ name edition enterprise {{ creditCode }} }} \
         ... on CreditEntry {{ documentNumber enterprise {{ creditCode }} }} \
         ... on Declaration {{ standardNumber enterprise {{ creditCode }} }} }}"
    )
}

/// The keys a record answers to (a joint notice has one for each symbol).
pub fn keys_of(node: &Value) -> Vec<String> {
    let s = |k: &str| node[k].as_str().unwrap_or_default().to_string();
    let code = || {
        node["enterprise"]["creditCode"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    match node["__typename"].as_str().unwrap_or_default() {
        "Notice" => node["symbols"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .map(|x| format!("notice:{x}"))
                    .collect()
            })
            .unwrap_or_default(),
        "Standard" => vec![format!("standard:{}", s("number"))],
        "Enterprise" => vec![format!("enterprise:{}", s("creditCode"))],
        "Zone" => vec![format!("zone:{}", s("code"))],
        "Policy" => match node["documentNumber"].as_str() {
            Some(n) => vec![format!("policy:{n}")],
            None => vec![format!("policy-title:{}", s("title"))],
        },
        "Brand" => vec![format!("brand:{}:{}", code(), s("name"))],
        "Title" => vec![format!("title:{}:{}:{}", code(), s("name"), s("edition"))],
        "CreditEntry" => vec![format!("credit:{}:{}", code(), s("documentNumber"))],
        "Declaration" => vec![format!("declaration:{}:{}", code(), s("standardNumber"))],
        other => panic!("unexpected type {other}"),
    }
}

/// How one ranked list did against its case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Share of the expected records in the top five.
    pub recall: f64,
    /// 1 / rank of the first expected record in the list (0 when none is in it).
    pub reciprocal_rank: f64,
    /// Expected records missing from the top five.
    pub missing: Vec<String>,
}

/// Scores a ranked list (the keys of each hit, best first).
pub fn score(case: &Case, ranked: &[Vec<String>]) -> Outcome {
    let top: Vec<&String> = ranked.iter().take(TOP).flatten().collect();
    let missing: Vec<String> = case.expect.iter().filter(|k| !top.contains(k)).cloned().collect();
    let found = case.expect.len() - missing.len();
    let first = ranked
        .iter()
        .position(|keys| keys.iter().any(|k| case.expect.contains(k)));
    Outcome {
        recall: found as f64 / case.expect.len() as f64,
        reciprocal_rank: first.map(|p| 1.0 / (p + 1) as f64).unwrap_or(0.0),
        missing,
    }
}

/// The mean of a list of figures.
pub fn mean(xs: impl IntoIterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.into_iter().collect();
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}
