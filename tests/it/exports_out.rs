//! Exports (`/exports/{listing}.csv|.xlsx`) and listing feeds (`/feeds/{listing}.atom`): the rows equal the GraphQL
//! listing with the same filter, the files import back into a fresh catalogue with the same records, the stream
//! is complete for thousands of rows, and the caching headers (ETag, 304, Cache-Control) hold, also on GET
//! /graphql.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};
use crate::watches::parse_atom;

async fn get(app: &TestApp, path: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    req.send().await.unwrap()
}

/// Downloads an export into the app's directory; returns the file and the response headers.
async fn download(app: &TestApp, listing: &str, ext: &str, query: &str) -> (PathBuf, reqwest::header::HeaderMap) {
    let resp = get(app, &format!("/exports/{listing}.{ext}?{query}"), None).await;
    assert_eq!(
        resp.status(),
        200,
        "{listing}.{ext}?{query}: {}",
        resp.text().await.unwrap()
    );
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    if ext == "csv" {
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "CSV starts with the UTF-8 BOM");
    } else {
        assert!(bytes.starts_with(b"PK"), "XLSX is a zip");
    }
    let path = app
        .dir
        .path()
        .join(format!("{}-{listing}.{ext}", crate::common::unique("export")));
    std::fs::write(&path, &bytes).unwrap();
    (path, headers)
}

/// The rows of a sheet as header → cell.
fn rows(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    use zhiliang::catalog::table::{Table, cell_text};
    let t = Table::read(path).unwrap();
    let mut names: Vec<(&String, &usize)> = t.columns.iter().collect();
    names.sort_by_key(|(_, i)| **i);
    t.rows
        .iter()
        .map(|(_, r)| {
            names
                .iter()
                .map(|(n, i)| {
                    (
                        n.to_string(),
                        r.get(**i).and_then(|c| cell_text(c, false)).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .collect()
}

/// The nodes of a listing, in a stable order (by their JSON text), for comparing two catalogues.
fn sorted(nodes: &Value) -> Vec<String> {
    let mut v: Vec<String> = nodes.as_array().unwrap().iter().map(|n| n.to_string()).collect();
    v.sort();
    v
}

struct Case {
    listing: &'static str,
    url: &'static str,
    /// The GraphQL listing with the same filter; `{F}` is replaced by the compared fields.
    gql: &'static str,
    fields: &'static str,
    /// The key column of the export and the node field it holds.
    key_header: &'static str,
    key: fn(&Value) -> String,
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

const CASES: &[Case] = &[
    Case {
        listing: "enterprises",
        url: "region=33",
        gql: "{ l: enterprises(first: 100, filter: {region: \"33\"}) { totalCount nodes { F } } }",
        fields: "creditCode name registrationNumber regionCode industry address mainProducts",
        key_header: "统一社会信用代码",
        key: |n| s(&n["creditCode"]),
    },
    Case {
        listing: "standards",
        url: "levels=NATIONAL,INDUSTRY",
        gql: "{ l: standards(first: 100, filter: {levels: [NATIONAL, INDUSTRY]}) { totalCount nodes { F } } }",
        fields: "number titleZh titleEn nature statusLabel issueDate implementationDate withdrawalDate icsCodes ccsCode \
                 department drafters",
        key_header: "标准号",
        key: |n| s(&n["number"]),
    },
    Case {
        listing: "creditEntries",
        url: "",
        gql: "{ l: creditEntries(first: 100) { totalCount nodes { F } } }",
        fields: "list reason listedOn authority documentNumber grade removedOn removalReason removalAuthority \
                 enterprise { creditCode name }",
        key_header: "决定书文号",
        key: |n| s(&n["documentNumber"]),
    },
    Case {
        listing: "creditEntries",
        url: "lists=ABNORMAL_OPERATIONS",
        gql: "{ l: creditEntries(first: 100, lists: [ABNORMAL_OPERATIONS]) { totalCount nodes { F } } }",
        fields: "list reason listedOn authority documentNumber removedOn removalReason removalAuthority \
                 enterprise { creditCode name }",
        key_header: "决定书文号",
        key: |n| s(&n["documentNumber"]),
    },
    Case {
        listing: "brands",
        url: "",
        gql: "{ l: brands(first: 100) { totalCount nodes { F } } }",
        fields: "scheme name product level issuer certifier certificateNumber standardNumber batch announcementNumber \
                 awardedOn validUntil revokedOn enterprise { creditCode name }",
        key_header: "品牌名称",
        key: |n| s(&n["name"]),
    },
    Case {
        listing: "titles",
        url: "levels=NATIONAL,PROVINCIAL,CITY,COUNTY",
        gql: "{ l: titles(first: 100, filter: {levels: [NATIONAL, PROVINCIAL, CITY, COUNTY]}) { totalCount nodes { F } } }",
        fields: "regionCode scheme name level issuer edition announcementNumber awardedOn validUntil revokedOn \
                 enterprise { creditCode name }",
        key_header: "称号名称",
        key: |n| s(&n["name"]),
    },
    Case {
        listing: "zones",
        url: "",
        gql: "{ l: zones(first: 100) { totalCount nodes { F } } }",
        fields: "code name kind level regionCode industry approvingAuthority announcementNumber batch \
                 history { status date note }",
        key_header: "示范区代码",
        key: |n| s(&n["code"]),
    },
    Case {
        listing: "notices",
        url: "hsCodes=9503",
        gql: "{ l: notices(first: 100, filter: {hsCodes: [\"9503\"]}) { totalCount nodes { F } } }",
        fields: "symbol symbols member { code } distributionDate titleEn notifiedCommentDeadline hsCodes icsCodes \
                 objectives keywords proposedAdoptionDate proposedAdoptionDateText",
        key_header: "document symbol",
        key: |n| {
            let all: Vec<String> = n["symbols"].as_array().unwrap().iter().map(s).collect();
            all.join("; ")
        },
    },
];

both_backends!(exports_equal_listing_and_import_back, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_all_demo().await;
    for case in CASES {
        let listing_query = case.gql.replace(" F ", &format!(" {} ", case.fields));
        let original = app.data(&listing_query, json!({})).await["l"].clone();
        let total = original["totalCount"].as_u64().unwrap();
        assert!(total > 0, "{}?{}: the demo has rows", case.listing, case.url);
        for ext in ["csv", "xlsx"] {
            let what = format!("{}.{ext}?{}", case.listing, case.url);
            let (path, headers) = download(&app, case.listing, ext, case.url).await;
            assert_eq!(headers["x-total-count"], total.to_string().as_str(), "{what}");
            assert_eq!(headers["cache-control"], "public, max-age=300", "{what}");
            assert!(
                headers.contains_key("etag") && headers.contains_key("last-modified"),
                "{what}"
            );
            let cd = headers["content-disposition"].to_str().unwrap();
            assert!(
                cd.starts_with("attachment; filename=\"") && cd.contains("filename*=UTF-8''%E"),
                "{cd}"
            );
            // The rows are the listing's, in its order.
            let exported = rows(&path);
            let keys: Vec<String> = exported
                .iter()
                .map(|r| r[&zhiliang::catalog::table::header_key(case.key_header)].clone())
                .collect();
            let expected: Vec<String> = original["nodes"].as_array().unwrap().iter().map(case.key).collect();
            assert_eq!(keys, expected, "{what}");
            // Imported into an empty catalogue, the file gives the same records.
            let fresh = TestApp::spawn(backend).await;
            let report = fresh.import(&path).await;
            assert!(report.rejected.is_empty(), "{what}: rejected {:?}", report.rejected);
            let again = fresh.data(&listing_query, json!({})).await["l"].clone();
            assert_eq!(again["totalCount"], original["totalCount"], "{what}");
            assert_eq!(sorted(&again["nodes"]), sorted(&original["nodes"]), "{what}");
            fresh.finish().await;
        }
    }
    app.finish().await;
});

both_backends!(caching_and_refusals, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_all_demo().await;
    for path in [
        "/exports/brands.csv?schemes=ZHEJIANG_MADE",
        "/exports/zones.xlsx?levels=NATIONAL",
        "/feeds/creditEntries.atom?lists=ABNORMAL_OPERATIONS",
        "/graphql?query=%7Bnotices(first:2)%7Bnodes%7Bsymbol%7D%7D%7D",
    ] {
        let first = get(&app, path, None).await;
        assert_eq!(first.status(), 200, "{path}");
        assert_eq!(first.headers()["cache-control"], "public, max-age=300", "{path}");
        let tag = first.headers()["etag"].to_str().unwrap().to_string();
        let again = get(&app, path, Some(&tag)).await;
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], tag.as_str(), "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
        assert_eq!(get(&app, path, Some("\"other\"")).await.status(), 200, "{path}");
    }
    // A change to the listing changes the export's tag.
    let path = "/exports/enterprises.csv";
    let tag = get(&app, path, None).await.headers()["etag"].clone();
    app.import_text(
        "one.jsonl",
        r#"{"type": "enterprise", "creditCode": "91330226MA2GQ0XW4T", "name": "宁海新文具有限公司"}"#,
    )
    .await;
    assert_eq!(get(&app, path, Some(tag.to_str().unwrap())).await.status(), 200);
    // Bad parameters answer 400 with the GraphQL error code; unknown listings 404.
    for (path, says) in [
        ("/exports/notices.csv?hsCodes=95x3", "hsCodes"),
        ("/exports/brands.xlsx?schemes=NOPE", "schemes"),
        ("/exports/standards.csv?draftedAsLead=perhaps", "draftedAsLead"),
        ("/exports/enterprises.csv?colour=red", "unknown parameter"),
        ("/exports/creditEntries.csv?from=2020-01-02&to=2020-01-01", "after"),
        ("/feeds/zones.atom?on=yesterday", "on"),
        ("/exports/notices.csv?first=many", "first"),
    ] {
        let resp = get(&app, path, None).await;
        assert_eq!(resp.status(), 400, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{path}: {body}"
        );
        assert!(
            body["errors"][0]["message"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }
    for path in ["/exports/recalls.csv", "/exports/notices.pdf", "/feeds/notices.rss"] {
        assert_eq!(get(&app, path, None).await.status(), 404, "{path}");
    }
    // GET /graphql: errors and watches are not stored by caches.
    let resp = get(
        &app,
        "/graphql?query=%7Bnotices(first:500)%7Bnodes%7Bsymbol%7D%7D%7D",
        None,
    )
    .await;
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let resp = get(&app, "/graphql?query=%7Bwatch(token:%22x%22)%7Bname%7D%7D", None).await;
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    assert!(!resp.headers().contains_key("etag"));
    app.finish().await;
});

both_backends!(listing_feeds, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_all_demo().await;
    let feed = |path: &'static str| {
        let app = &app;
        async move {
            let resp = get(app, path, None).await;
            assert_eq!(resp.status(), 200, "{path}");
            assert_eq!(resp.headers()["content-type"], "application/atom+xml; charset=utf-8");
            let xml = resp.text().await.unwrap();
            (parse_atom(app, &xml, &format!("{}{path}", app.base)).await, xml)
        }
    };
    // Credit entries: listings and removals, each an entry of its own.
    let (credit, xml) = feed("/feeds/creditEntries.atom").await;
    let entries = credit["entries"].as_array().unwrap();
    let tags: Vec<String> = entries
        .iter()
        .map(|e| e["tags"][0].as_str().unwrap().to_string())
        .collect();
    assert!(
        tags.iter().any(|t| t == "listed") && tags.iter().any(|t| t == "removed"),
        "{xml}"
    );
    assert!(entries.len() <= 50);
    let (again, _) = feed("/feeds/creditEntries.atom").await;
    assert_eq!(again["entries"], credit["entries"], "entry ids and contents are stable");
    // Newest first.
    let times: Vec<&str> = entries.iter().map(|e| e["updated"].as_str().unwrap()).collect();
    let mut desc = times.clone();
    desc.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, desc);
    // Zones: phases, admissions and exits.
    let (zones, xml) = feed("/feeds/zones.atom?levels=NATIONAL,PROVINCIAL").await;
    let tags: Vec<&str> = zones["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tags"][0].as_str().unwrap())
        .collect();
    assert!(tags.contains(&"admitted"), "{xml}");
    // Notices for an HS code, brands and titles, standards, enterprises: valid feeds with entries.
    for path in [
        "/feeds/notices.atom?hsCodes=9503",
        "/feeds/brands.atom",
        "/feeds/titles.atom",
        "/feeds/standards.atom?levels=NATIONAL",
        "/feeds/enterprises.atom?region=33",
    ] {
        let (f, xml) = feed(path).await;
        assert!(!f["entries"].as_array().unwrap().is_empty(), "{path}: {xml}");
    }
    let (notices, _) = feed("/feeds/notices.atom?hsCodes=9503").await;
    let listing = app
        .data(
            "{ notices(first: 50, filter: {hsCodes: [\"9503\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        notices["entries"].as_array().unwrap().len() as u64,
        listing["notices"]["totalCount"].as_u64().unwrap().min(50)
    );
    app.finish().await;
});

/// A valid credit code from a running number.
fn code(n: u32) -> String {
    let first17 = format!("91330226{n:09}");
    let check = zhiliang::catalog::enterprises::uscc::check_char(&first17).unwrap();
    format!("{first17}{check}")
}

both_backends!(many_rows_stream_whole, |backend: Backend| async move {
    use zhiliang::catalog::enterprises::model::EnterpriseData;
    use zhiliang::catalog::enterprises::store::upsert_enterprise;
    use zhiliang::catalog::enterprises::uscc::Uscc;
    let app = TestApp::spawn(backend).await;
    const N: u32 = 5_000;
    let txn = zhiliang::db::begin_write(&app.db).await.unwrap();
    for n in 0..N {
        let data = EnterpriseData {
            credit_code: Uscc::parse(&code(n)).unwrap(),
            name: Some(format!("=HYPERLINK(\"x\") 企业{n}")),
            former_names: Vec::new(),
            registration_number: None,
            region_code: None,
            industry: Some("文具".into()),
            address: None,
            main_products: vec!["笔".into(), "本".into()],
        };
        upsert_enterprise(&txn, &data).await.unwrap();
    }
    zhiliang::db::commit(txn).await.unwrap();
    let resp = get(&app, "/exports/enterprises.csv?industry=文具", None).await;
    assert_eq!(resp.headers()["x-total-count"], N.to_string().as_str());
    let text = String::from_utf8(resp.bytes().await.unwrap().to_vec()).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len() as u32, N + 1, "a header and every row");
    let mut codes: Vec<&str> = lines[1..].iter().map(|l| &l[..18]).collect();
    let sorted_codes = {
        let mut c = codes.clone();
        c.sort();
        c
    };
    assert_eq!(codes, sorted_codes, "by credit code, as the listing");
    codes.dedup();
    assert_eq!(codes.len() as u32, N, "no row twice");
    assert!(
        lines[1].contains(",\"'=HYPERLINK"),
        "free text is guarded: {}",
        lines[1]
    );
    // XLSX, and `first`.
    let (path, _) = download(&app, "enterprises", "xlsx", "industry=%E6%96%87%E5%85%B7").await;
    assert_eq!(rows(&path).len() as u32, N);
    let (path, headers) = download(&app, "enterprises", "csv", "first=1234").await;
    assert_eq!(headers["x-total-count"], "1234");
    assert_eq!(rows(&path).len(), 1234);
    app.finish().await;
});
