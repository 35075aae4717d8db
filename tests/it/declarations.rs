//! Self-declared enterprise standards on SQLite and PostgreSQL: the platform's sheet (UTF-8 and GB18030 CSV, and an
//! Excel workbook made from the same rows) and JSON Lines, bad rows reported by line while the good ones load,
//! re-imports unchanged, the filtered listing and its pages, the links both ways with enterprises and standards,
//! and search by product name and by a loosely typed number.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const CSV: &str = "tests/fixtures/declarations/declarations_zh.csv";
const GB18030: &str = "tests/fixtures/declarations/declarations_gb18030.csv";
const JSONL: &str = "tests/fixtures/declarations/declarations.jsonl";

const LIST: &str = r#"query($f: DeclarationFilter, $o: DeclarationOrder, $first: Int, $after: String, $last: Int, $before: String) {
  declarations(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id creditCode standardNumber declaredOn status } } }"#;

const ONE: &str = r#"query($s: String!) { declaration(sourceId: $s) {
  id creditCode standardNumber rawStandardNumber standardFamilyKey standardLevel standardName products
  indicators { name value unit method } declaredOn status statusLabel withdrawnOn sourceId
  enterprise { creditCode creditCodeValid knownOnlyByReference name }
  standard { number titleZh } } }"#;

/// The rows of the CSV fixture written as an Excel workbook, the first declaration's date as a real date cell.
fn workbook_from_csv(dir: &std::path::Path) -> std::path::PathBuf {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let text = std::fs::read_to_string(repo(CSV)).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, rec) in reader.records().enumerate() {
        for (c, cell) in rec.unwrap().iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            if (r, cell) == (1, "2024-06-05") {
                let d = ExcelDateTime::from_ymd(2024, 6, 5).unwrap();
                sheet.write_datetime_with_format(r as u32, c as u16, &d, &date).unwrap();
            } else {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    let path = dir.join("declarations.xlsx");
    book.save(&path).unwrap();
    path
}

fn rejected_lines(r: &zhiliang::import::Report) -> Vec<usize> {
    r.rejected.iter().map(|x| x.line).collect()
}

both_backends!(
    sheets_in_every_encoding_load_the_same_declarations,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        let r = app.import(&repo(CSV)).await;
        assert_eq!((r.added, r.updated, r.unchanged), (6, 0, 0), "{}", r.summary());
        assert_eq!(rejected_lines(&r), vec![9, 10], "{:?}", r.rejected);
        assert!(r.rejected[0].reason.contains("标准编号"), "{}", r.rejected[0]);
        assert!(r.rejected[1].reason.starts_with("declaredOn:"), "{}", r.rejected[1]);
        assert!(r.summary().ends_with("read as UTF-8"), "{}", r.summary());

        // The same rows in GB18030, and as a workbook: nothing new, nothing changed.
        let again = app.import(&repo(GB18030)).await;
        assert_eq!(
            (again.added, again.updated, again.unchanged),
            (0, 0, 6),
            "{}",
            again.summary()
        );
        assert_eq!(rejected_lines(&again), vec![9, 10]);
        assert!(again.summary().ends_with("read as GB18030"), "{}", again.summary());
        let xlsx = workbook_from_csv(app.dir.path());
        let book = app.import(&xlsx).await;
        assert_eq!(
            (book.added, book.updated, book.unchanged),
            (0, 0, 6),
            "{}",
            book.summary()
        );
        assert_eq!(rejected_lines(&book), vec![9, 10]);

        // Three rows made one declaration: a continuation row and a row repeating the number in another form.
        let d = app.data(ONE, json!({"s": "QYBZ-330226-2024-0118"})).await["declaration"].clone();
        assert_eq!(d["standardNumber"], "Q/NHHY 001-2024");
        assert_eq!(d["rawStandardNumber"], "Q／NHHY 001—2024");
        assert_eq!(d["standardFamilyKey"], "Q/NHHY 001");
        assert_eq!(d["standardLevel"], "ENTERPRISE");
        assert_eq!(d["products"], json!(["中性笔", "按动中性笔"]));
        assert_eq!(d["declaredOn"], "2024-06-05");
        assert_eq!(d["status"], "PUBLIC");
        let names: Vec<&str> = d["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["书写长度", "笔尖跳动量", "墨水pH值"]);
        assert_eq!(
            d["indicators"][0],
            json!({"name": "书写长度", "value": "≥500", "unit": "m", "method": "QB/T 2776-2006 附录A"})
        );
        assert_eq!(d["indicators"][2]["unit"], Value::Null);
        // The standards catalogue is empty here: no standard, the number kept.
        assert_eq!(d["standard"], Value::Null);

        // Withdrawn, with its date and the label as written.
        let w = app.data(ONE, json!({"s": "QYBZ-330226-2020-0037"})).await["declaration"].clone();
        assert_eq!(
            (&w["status"], &w["statusLabel"], &w["withdrawnOn"]),
            (&json!("WITHDRAWN"), &json!("废止"), &json!("2024-06-01"))
        );
        // Typed without a space; a date with slashes; a date in Chinese.
        let x = app.data(ONE, json!({"s": "QYBZ-330226-2022-0402"})).await["declaration"].clone();
        assert_eq!(
            (&x["standardNumber"], &x["declaredOn"]),
            (&json!("Q/NHXH 003-2022"), &json!("2022-09-01"))
        );
        let c = app.data(ONE, json!({"s": "QYBZ-330226-2023-0215"})).await["declaration"].clone();
        assert_eq!(
            (&c["standardLevel"], &c["declaredOn"]),
            (&json!("NATIONAL"), &json!("2023-03-15"))
        );
        // A credit code whose check character fails: loaded, its enterprise created and flagged.
        let b = app.data(ONE, json!({"s": "QYBZ-330226-2022-0577"})).await["declaration"].clone();
        assert_eq!(b["creditCode"], "91330226684279152A");
        assert_eq!(b["enterprise"]["creditCodeValid"], false);
        assert_eq!(b["enterprise"]["knownOnlyByReference"], true);
        assert_eq!(b["enterprise"]["name"], "宁海县博雅文教用品有限公司");
        assert_eq!(b["standardLevel"], "GROUP");
        app.finish().await;
    }
);

both_backends!(
    json_lines_link_both_ways_and_reimport_unchanged,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        for f in ["demo/standards.jsonl", "demo/enterprises.jsonl"] {
            let r = app.import(&repo(f)).await;
            assert!(r.rejected.is_empty(), "{f}: {:?}", r.rejected);
        }
        let r = app.import(&repo(JSONL)).await;
        assert_eq!((r.added, r.updated), (5, 0), "{}", r.summary());
        assert_eq!(rejected_lines(&r), vec![6, 7, 8], "{:?}", r.rejected);
        assert_eq!(r.rejected[0].reason, "standardNumber: required");
        assert!(r.rejected[1].reason.starts_with("declaredOn:"), "{}", r.rejected[1]);
        assert!(r.rejected[2].reason.contains("colour"), "{}", r.rejected[2]);

        // Declaration -> enterprise and standard (an enterprise standard of the catalogue).
        let d = app.data(ONE, json!({"s": "QYBZ-330226-2023-0171"})).await["declaration"].clone();
        assert_eq!(d["enterprise"]["name"], "宁波跃城汽车部件有限公司");
        assert_eq!(d["enterprise"]["knownOnlyByReference"], false);
        assert_eq!(d["standard"]["number"], "Q/NBYC 012-2023");
        assert_eq!(d["indicators"][1]["value"], "≥50000");
        // An adopted national standard typed without a space and with an em dash links to its edition.
        let g = app.data(ONE, json!({"s": "QYBZ-330200-2024-0833"})).await["declaration"].clone();
        assert_eq!(g["standardNumber"], "GB/T 28478-2024");
        assert_eq!(g["standard"]["titleZh"], "户外家具 桌椅类通用技术条件");
        // A standard the catalogue lacks: null, the number kept as canonical and as written.
        let q = app.data(ONE, json!({"s": "QYBZ-330226-2021-0044"})).await["declaration"].clone();
        assert_eq!(q["standard"], Value::Null);
        assert_eq!(
            (&q["standardNumber"], &q["rawStandardNumber"]),
            (&json!("Q/NHXH 001-2021"), &json!("Q/NHXH001-2021"))
        );

        // Enterprise -> declarations, newest first, and by status.
        let e = app
        .data(
            r#"{ all: enterprise(creditCode: "91330200566180434F") { declarations { standardNumber status } }
                 gone: enterprise(creditCode: "91330200566180434F") { declarations(status: [WITHDRAWN]) { standardNumber withdrawnOn } } }"#,
            json!({}),
        )
        .await;
        assert_eq!(
            e["all"]["declarations"],
            json!([{"standardNumber": "GB/T 28478-2024", "status": "PUBLIC"}, {"standardNumber": "Q/NBHY 008-2022", "status": "WITHDRAWN"}])
        );
        assert_eq!(
            e["gone"]["declarations"],
            json!([{"standardNumber": "Q/NBHY 008-2022", "withdrawnOn": "2025-01-10"}])
        );
        // Standard -> declarations: who declared they follow it; none for an edition nobody declared.
        let s = app
        .data(
            r#"{ a: standard(number: "GB/T28478-2024") { standard { declarations { enterprise { name } products } } }
                 b: standard(number: "GB/T 28478-2012") { standard { declarations { id } } } }"#,
            json!({}),
        )
        .await;
        assert_eq!(
            s["a"]["standard"]["declarations"],
            json!([{"enterprise": {"name": "宁波恒岳家具有限公司"}, "products": ["户外休闲桌椅", "庭院餐桌"]}])
        );
        assert_eq!(s["b"]["standard"]["declarations"], json!([]));

        // Global IDs: node() answers a declaration.
        let id = d["id"].as_str().unwrap();
        let n = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename ... on Declaration { sourceId } } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(
            n["node"],
            json!({"__typename": "Declaration", "sourceId": "QYBZ-330226-2023-0171"})
        );

        // Importing the same file again changes nothing.
        let again = app.import(&repo(JSONL)).await;
        assert_eq!(
            (again.added, again.updated, again.unchanged),
            (0, 0, 5),
            "{}",
            again.summary()
        );
        app.finish().await;
    }
);

/// The sheet and the JSON Lines together: eleven declarations.
async fn load_both(app: &TestApp) {
    for f in [CSV, JSONL] {
        let r = app.import(&repo(f)).await;
        assert!(r.added > 0, "{f}: {}", r.summary());
    }
}

async fn list(app: &TestApp, vars: Value) -> Value {
    app.data(LIST, vars).await["declarations"].clone()
}

fn field(conn: &Value, name: &str) -> Vec<String> {
    conn["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n[name].as_str().unwrap().to_string())
        .collect()
}

both_backends!(listing_filters_and_pages, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load_both(&app).await;
    let all = list(&app, json!({"first": 100})).await;
    assert_eq!(all["totalCount"], 11);
    let dates = field(&all, "declaredOn");
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest declared first");

    let count = |f: Value| {
        let app = &app;
        async move { list(app, json!({"f": f, "first": 100})).await }
    };
    let by_code = count(json!({"creditCode": " 91330226573218648k "})).await;
    assert_eq!(
        field(&by_code, "standardNumber"),
        vec!["Q/NHHY 001-2024", "Q/NHHY 001-2020"]
    );
    let by_number = count(json!({"standardNumber": "Q／NHHY001—2024"})).await;
    assert_eq!(field(&by_number, "standardNumber"), vec!["Q/NHHY 001-2024"]);
    let by_family = count(json!({"standardNumber": "q/nhhy 001"})).await;
    assert_eq!(by_family["totalCount"], 2);
    let withdrawn = count(json!({"status": ["WITHDRAWN"]})).await;
    assert_eq!(
        field(&withdrawn, "standardNumber"),
        vec!["Q/NBHY 008-2022", "Q/NHHY 001-2020"]
    );
    let in_2023 = count(json!({"declaredFrom": "2023-01-01", "declaredTo": "2023-12-31"})).await;
    assert_eq!(
        field(&in_2023, "declaredOn"),
        vec!["2023-05-06", "2023-03-15", "2023-03-05"]
    );
    let gel = count(json!({"product": "中性"})).await;
    assert_eq!(gel["totalCount"], 3);
    let both = count(json!({"product": "中性", "status": ["PUBLIC"], "creditCode": "91330226573218648K"})).await;
    assert_eq!(field(&both, "standardNumber"), vec!["Q/NHHY 001-2024"]);
    // By the enterprise's region: those registered in Ningbo city (330200) hold three, Ninghai (330226) the rest.
    let city = count(json!({"region": "330200"})).await;
    assert_eq!(city["totalCount"], 3, "{city:#}");
    assert_eq!(count(json!({"region": "330226"})).await["totalCount"], 8);
    assert_eq!(count(json!({"region": "44"})).await["totalCount"], 0);
    // A literal `%` matches only itself.
    assert_eq!(count(json!({"product": "%"})).await["totalCount"], 0);
    // An enterprise the catalogue lacks: an empty page, not an error.
    let none = count(json!({"creditCode": "91330226592715439F"})).await;
    assert_eq!(none["totalCount"], 1);
    let unknown = count(json!({"creditCode": "91110000100000000X"})).await;
    assert_eq!(
        (unknown["totalCount"].clone(), unknown["nodes"].clone()),
        (json!(0), json!([]))
    );
    // Malformed input is a coded error.
    assert_eq!(
        app.error_code(LIST, json!({"f": {"standardNumber": "ABC"}})).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(
            LIST,
            json!({"f": {"declaredFrom": "2024-01-02", "declaredTo": "2024-01-01"}})
        )
        .await,
        "BAD_USER_INPUT"
    );
    assert_eq!(app.error_code(LIST, json!({"first": 101})).await, "PAGE_SIZE_INVALID");

    // Pages of 4 by number, forwards and backwards, give every declaration once, in order.
    let order = json!({"field": "STANDARD_NUMBER", "direction": "ASC"});
    let mut forward = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = list(&app, json!({"o": order, "first": 4, "after": after})).await;
        forward.extend(field(&page, "standardNumber"));
        assert_eq!(page["pageInfo"]["hasPreviousPage"], after.is_some());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    let mut numbers = field(&list(&app, json!({"first": 100})).await, "standardNumber");
    numbers.sort();
    assert_eq!(forward, numbers);
    let tail = list(&app, json!({"o": order, "last": 3})).await;
    assert_eq!(field(&tail, "standardNumber"), numbers[8..].to_vec());
    let before = list(
        &app,
        json!({"o": order, "last": 3, "before": tail["pageInfo"]["startCursor"]}),
    )
    .await;
    assert_eq!(field(&before, "standardNumber"), numbers[5..8].to_vec());
    // A cursor of another order is refused.
    assert_eq!(
        app.error_code(LIST, json!({"first": 2, "after": tail["pageInfo"]["startCursor"]}))
            .await,
        "INVALID_CURSOR"
    );
    app.finish().await;
});

const SEARCH: &str = r#"query($q: String!, $s: [DeclarationStatus!]) { searchDeclarations(query: $q, status: $s) {
  estimatedTotalCount edges { node { standardNumber sourceId } highlights { product } } } }"#;

fn numbers(v: &Value) -> Vec<String> {
    v["searchDeclarations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["standardNumber"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    search_by_product_and_by_number_as_typed,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load_both(&app).await;
        app.wait_indexed().await;
        // A product name in Chinese, also as part of a longer name.
        let poles = app.data(SEARCH, json!({"q": "登山杖"})).await;
        assert_eq!(numbers(&poles), vec!["Q/NBST 002-2023"]);
        let hl = poles["searchDeclarations"]["edges"][0]["highlights"]["product"]
            .as_str()
            .unwrap();
        assert!(hl.contains("<mark>"), "{hl}");
        // 庭院灯 first; 庭院餐桌 shares a word and may follow.
        let lamps = app.data(SEARCH, json!({"q": "庭院灯"})).await;
        assert_eq!(numbers(&lamps)[0], "Q/NHMH 005-2021");
        // Numbers typed loosely: no space, full-width slash, em dash, lower case; only that standard.
        for typed in ["Q/NHXH001-2021", "q／nhxh 001—2021"] {
            let found = app.data(SEARCH, json!({"q": typed})).await;
            assert_eq!(numbers(&found), vec!["Q/NHXH 001-2021"], "{typed}");
        }
        let family = app.data(SEARCH, json!({"q": "Q/NHHY001"})).await;
        let mut fam = numbers(&family);
        fam.sort();
        assert_eq!(fam, vec!["Q/NHHY 001-2020", "Q/NHHY 001-2024"]);
        // The status filter.
        let public = app.data(SEARCH, json!({"q": "Q/NHHY001", "s": ["PUBLIC"]})).await;
        assert_eq!(numbers(&public), vec!["Q/NHHY 001-2024"]);
        // A renamed enterprise: its declarations are found by the new name (which shares no word with the old).
        let r = app
            .import_text(
                "renamed.jsonl",
                r#"{"type":"enterprise","creditCode":"913302266884021700","name":"宁波恒瑞精工股份有限公司","regionCode":"330226"}"#,
            )
            .await;
        assert_eq!(r.updated, 1, "{}", r.summary());
        app.wait_indexed().await;
        let renamed = app.data(SEARCH, json!({"q": "恒瑞精工"})).await;
        let mut by_name = numbers(&renamed);
        by_name.sort();
        assert_eq!(by_name, vec!["Q/NHXH 001-2021", "Q/NHXH 003-2022"]);
        // The one search box finds declarations too.
        let one = app
        .data(
            r#"{ search(query: "登山杖", types: [DECLARATION]) { edges { type node { ... on Declaration { standardNumber } } } } }"#,
            json!({}),
        )
        .await;
        assert_eq!(
            one["search"]["edges"],
            json!([{"type": "DECLARATION", "node": {"standardNumber": "Q/NBST 002-2023"}}])
        );
        app.finish().await;
    }
);

const PUT: &str = "mutation($i: PutRecordInput!) { putRecord(input: $i) { recordType id key action version } }";
const END: &str = "mutation($i: EndRecordInput!) { endRecord(input: $i) { recordType action version } }";

both_backends!(
    written_by_a_scoped_editor_and_withdrawn,
    |backend: Backend| async move {
        use zhiliang::operate::keys::{NewKey, Role, create};
        let app = TestApp::spawn(backend).await;
        let key = |name: &str, role, catalogues, region: Option<&str>| NewKey {
            name: name.into(),
            role,
            catalogues,
            region_prefix: region.map(String::from),
            expires_at: None,
        };
        let ninghai = key(
            "宁海县市场监督管理局标准化科",
            Role::Editor,
            vec![zhiliang::operate::keys::Catalogue::Standards],
            Some("330226"),
        )
        .check(chrono::Utc::now())
        .unwrap();
        let editor = create(&app.db, &ninghai, "cli:test").await.unwrap().1;
        let zones_only = key(
            "宁海县示范区办公室",
            Role::Editor,
            vec![zhiliang::operate::keys::Catalogue::Zones],
            None,
        )
        .check(chrono::Utc::now())
        .unwrap();
        let zones_key = create(&app.db, &zones_only, "cli:test").await.unwrap().1;

        let record = json!({"type": "declaration", "creditCode": "913302266884021700", "enterpriseName": "宁海县兴华模具有限公司",
        "standardNumber": "Q/NHXH 003-2022", "standardName": "塑料注射模具 模架技术条件", "products": ["塑料注射模具模架"],
        "declaredOn": "2022-09-01", "status": "公开", "sourceId": "QYBZ-330226-2022-0402"});
        let put = app.gql_as(&editor, PUT, json!({"i": {"record": record}})).await;
        assert!(put.get("errors").is_none(), "{put:#}");
        let w = &put["data"]["putRecord"];
        assert_eq!(
            (&w["recordType"], &w["action"], &w["version"]),
            (&json!("DECLARATION"), &json!("CREATED"), &json!(1))
        );
        assert_eq!(w["key"], "913302266884021700 Q/NHXH 003-2022");
        let id = w["id"].as_str().unwrap().to_string();
        // The same record again changes nothing.
        let again = app.gql_as(&editor, PUT, json!({"i": {"record": record}})).await;
        assert_eq!(again["data"]["putRecord"]["action"], "UNCHANGED", "{again:#}");
        // Outside the key's region (Ningbo city, 330200), or by a key of another catalogue: refused.
        let mut elsewhere = record.clone();
        elsewhere["creditCode"] = json!("913302000947315245");
        let refused = app.gql_as(&editor, PUT, json!({"i": {"record": elsewhere}})).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused:#}");
        let refused = app.gql_as(&zones_key, PUT, json!({"i": {"record": record}})).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused:#}");

        // Withdrawn (废止) through endRecord: not before the declaration, then with its day.
        let early = app
            .gql_as(&editor, END, json!({"i": {"id": id, "on": "2022-08-31"}}))
            .await;
        assert_eq!(early["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{early:#}");
        let ended = app
            .gql_as(
                &editor,
                END,
                json!({"i": {"id": id, "on": "2025-03-01", "expectedVersion": 1}}),
            )
            .await;
        assert_eq!(
            ended["data"]["endRecord"],
            json!({"recordType": "DECLARATION", "action": "ENDED", "version": 2})
        );
        let d = app.data(ONE, json!({"s": "QYBZ-330226-2022-0402"})).await["declaration"].clone();
        assert_eq!(
            (&d["status"], &d["statusLabel"], &d["withdrawnOn"]),
            (&json!("WITHDRAWN"), &json!("废止"), &json!("2025-03-01"))
        );
        assert_eq!(d["enterprise"]["knownOnlyByReference"], true);
        app.finish().await;
    }
);
