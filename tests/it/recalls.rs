//! Recalls on SQLite and PostgreSQL: the CPSC JSON, the Safety Gate export, a customs returned-goods sheet (UTF-8 and
//! GB18030) and JSON Lines load with bad rows refused by line and reason; the listing's filters and pages; named
//! companies tied to enterprises only when certain (credit code, exact name) and otherwise offered as candidates;
//! the one-box search.

use encoding_rs::GB18030;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

fn fixture(name: &str) -> std::path::PathBuf {
    repo(&format!("tests/fixtures/recalls/{name}"))
}

/// The demo enterprises, then every fixture; checks what each import said.
async fn loaded(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    let r = app.import(&repo("demo/enterprises.jsonl")).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);

    let r = app.import(&fixture("cpsc_recalls.json")).await;
    assert_eq!(r.added, 3, "{}", r.summary());
    assert_eq!(r.rejected.len(), 1, "{:?}", r.rejected);
    // The fourth object begins on line 77 and has no RecallDate.
    assert_eq!(r.rejected[0].line, 77, "{}", r.rejected[0]);
    assert!(
        r.rejected[0].reason.contains("notifiedOn: required"),
        "{}",
        r.rejected[0]
    );

    let r = app.import(&fixture("safety_gate_alerts.csv")).await;
    assert_eq!(r.added, 3, "{}", r.summary());
    let bad: Vec<(usize, &str)> = r.rejected.iter().map(|x| (x.line, x.reason.as_str())).collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert_eq!(bad[0].0, 5);
    assert!(bad[0].1.contains("\"Atlantis\" is not a country"), "{}", bad[0].1);
    assert_eq!(bad[1].0, 6);
    assert!(bad[1].1.contains("notifiedOn: \"not a date\""), "{}", bad[1].1);

    let r = app.import(&fixture("customs_returns.csv")).await;
    assert_eq!(r.added, 3, "{}", r.summary());
    let lines: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![5, 6], "{:?}", r.rejected);
    assert!(r.rejected[0].reason.contains("\"火星\""), "{}", r.rejected[0]);

    let r = app.import(&fixture("recalls.jsonl")).await;
    assert_eq!(r.added, 2, "{}", r.summary());
    assert_eq!(r.rejected.len(), 1, "{:?}", r.rejected);
    assert_eq!(r.rejected[0].line, 3);
    assert!(
        r.rejected[0].reason.contains("unknown field `colour`"),
        "{}",
        r.rejected[0]
    );
    app
}

const ONE: &str = "query($c: String, $r: String) { recall(country: $c, reference: $r) {
    id kind source reference country { code nameZh } countryRaw notifiedOn name product model barcodes hsCodes
    riskTypes riskRaw measures origin { code } originRaw port reason units links
    companies { role name creditCode match basis enterprise { creditCode } candidates { creditCode } } } }";

async fn one(app: &TestApp, country: &str, reference: &str) -> Value {
    app.data(ONE, json!({ "c": country, "r": reference })).await["recall"].clone()
}

both_backends!(formats_load_as_published, |backend: Backend| async move {
    let app = loaded(backend).await;

    let cpsc = one(&app, "US", "24123").await;
    assert_eq!(cpsc["kind"], "RECALL");
    assert_eq!(cpsc["source"], "cpsc");
    assert_eq!(cpsc["country"], json!({"code": "USA", "nameZh": "美国"}));
    assert_eq!(cpsc["notifiedOn"], "2024-03-14");
    assert_eq!(cpsc["name"], "Washable watercolor markers, 12 colors");
    assert_eq!(cpsc["barcodes"], json!(["692345678901"]));
    assert_eq!(cpsc["riskTypes"], json!(["CHEMICAL"]));
    assert_eq!(cpsc["origin"]["code"], "CHN");
    assert_eq!(cpsc["units"], "About 21,000");
    assert_eq!(cpsc["companies"].as_array().unwrap().len(), 3);
    assert_eq!(cpsc["companies"][1]["role"], "IMPORTER");
    assert_eq!(cpsc["companies"][2]["role"], "RETAILER");
    let lights = one(&app, "USA", "24150").await;
    assert_eq!(lights["riskTypes"], json!(["FIRE", "ELECTRIC_SHOCK"]));

    let slime = one(&app, "Germany", "A12/01234/23").await;
    assert_eq!(slime["source"], "safety-gate");
    assert_eq!(slime["country"]["code"], "DEU");
    assert_eq!(slime["countryRaw"], "Germany");
    assert_eq!(slime["notifiedOn"], "2023-06-02");
    assert_eq!(slime["barcodes"], json!(["6971234567890"]));
    assert_eq!(slime["origin"]["code"], "CHN");
    assert_eq!(slime["originRaw"], "People's Republic of China");
    assert!(
        slime["measures"]
            .as_str()
            .unwrap()
            .contains("Also found in: Austria, Poland")
    );
    let charger = one(&app, "NO", "A12/00789/24").await;
    assert_eq!(charger["kind"], "BORDER_REJECTION");
    assert_eq!(charger["riskTypes"], json!(["ELECTRIC_SHOCK"]));

    let list = app
        .data(
            "{ recalls(filter: {kinds: [RETURNED_GOODS]}, orderBy: {field: NOTIFIED_ON, direction: ASC}) {
                nodes { reference source country { code } hsCodes port reason origin { code } } } }",
            json!({}),
        )
        .await;
    let nodes = list["recalls"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[0]["source"], "returns-sheet");
    assert_eq!(nodes[0]["country"]["code"], "USA");
    assert_eq!(nodes[0]["hsCodes"], json!(["960990"]));
    assert_eq!(nodes[0]["port"], "宁波口岸");
    assert_eq!(nodes[0]["reason"], "可迁移元素铅含量超标");
    assert_eq!(nodes[0]["origin"]["code"], "CHN");
    assert!(nodes[0]["reference"].as_str().unwrap().starts_with("退运-"));

    let canada = one(&app, "CAN", "2024-0412").await;
    assert_eq!(canada["hsCodes"], json!(["950300"]));
    assert_eq!(canada["riskTypes"], json!(["CHOKING"]));

    // Importing again finds the same records (returned goods by their derived reference).
    for f in [
        "cpsc_recalls.json",
        "safety_gate_alerts.csv",
        "customs_returns.csv",
        "recalls.jsonl",
    ] {
        let r = app.import(&fixture(f)).await;
        assert_eq!(r.added, 0, "{f}: {}", r.summary());
    }
    let total = app.data("{ recalls { totalCount } }", json!({})).await;
    assert_eq!(total["recalls"]["totalCount"], 11);

    // The returned-goods sheet as Excel's "CSV (comma delimited)" saves it on a Chinese Windows.
    let text = std::fs::read_to_string(fixture("customs_returns.csv")).unwrap();
    let (gb, _, _) = GB18030.encode(&text);
    let path = app_dir_file(&app, "returns-gbk.csv", &gb);
    let r = app.import(&path).await;
    assert_eq!((r.added, r.rejected.len()), (0, 2), "{}", r.summary());
    assert_eq!(r.unchanged + r.updated, 3, "{}", r.summary());
    app.finish().await;
});

/// Writes bytes to a file beside the test's database and returns its path.
fn app_dir_file(_app: &TestApp, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(crate::common::unique("recalls"));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const LIST: &str = "query($f: RecallFilter, $o: RecallOrder, $first: Int, $after: String) {
    recalls(filter: $f, orderBy: $o, first: $first, after: $after) {
        totalCount nodes { reference } pageInfo { hasNextPage endCursor } } }";

async fn refs(app: &TestApp, filter: Value) -> Vec<String> {
    let d = app.data(LIST, json!({ "f": filter, "first": 100 })).await;
    d["recalls"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reference"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(listing_filters_and_pages, |backend: Backend| async move {
    let app = loaded(backend).await;
    // Markets: EU takes every member state's alerts (Germany, France and the German return), not Norway's.
    let eu = refs(&app, json!({"countries": ["EU"]})).await;
    assert_eq!(eu.len(), 3, "{eu:?}");
    assert!(eu.contains(&"A12/01234/23".to_string()) && eu.contains(&"A12/00456/24".to_string()));
    assert_eq!(refs(&app, json!({"countries": ["NO"]})).await, vec!["A12/00789/24"]);
    assert_eq!(
        refs(&app, json!({"countries": ["美国"], "kinds": ["RECALL"]}))
            .await
            .len(),
        3
    );
    // HS prefixes match the records' codes from their start.
    assert_eq!(refs(&app, json!({"hsPrefixes": ["9503"]})).await, vec!["2024-0412"]);
    assert_eq!(refs(&app, json!({"hsPrefixes": ["96", "6911.10"]})).await.len(), 2);
    assert!(refs(&app, json!({"hsPrefixes": ["0101"]})).await.is_empty());
    // Risk types and origin.
    let chemical = refs(&app, json!({"riskTypes": ["CHEMICAL"]})).await;
    assert_eq!(chemical.len(), 3, "{chemical:?}");
    assert_eq!(refs(&app, json!({"origins": ["CN"]})).await.len(), 11);
    assert!(refs(&app, json!({"origins": ["DE"]})).await.is_empty());
    // Dates, newest first by default.
    let summer = refs(&app, json!({"from": "2024-06-01", "to": "2024-07-31"})).await;
    assert_eq!(summer.len(), 4, "{summer:?}");
    assert!(summer[0].starts_with("退运-"), "{summer:?}");
    assert_eq!(summer[1], "A12/00789/24");
    assert_eq!(summer[2], "24201");
    let bad = app
        .error_code(
            "{ recalls(filter: {countries: [\"Atlantis\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(bad, "BAD_USER_INPUT");
    let bad = app
        .error_code("{ recalls(filter: {hsPrefixes: [\"95x\"]}) { totalCount } }", json!({}))
        .await;
    assert_eq!(bad, "BAD_USER_INPUT");

    // Pages of 4 through all 11, in date order, with the total counted.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let d = app
            .data(
                LIST,
                json!({ "o": {"field": "NOTIFIED_ON", "direction": "ASC"}, "first": 4, "after": after }),
            )
            .await;
        let c = &d["recalls"];
        assert_eq!(c["totalCount"], 11);
        seen.extend(c["nodes"].as_array().unwrap().iter().map(|n| n["reference"].clone()));
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    assert_eq!(seen.len(), 11);
    assert_eq!(seen[0], "A12/01234/23");
    assert_eq!(seen[10], "RJ-2024-0077");
    // A cursor of one order is refused by another.
    let code = app
        .error_code(LIST, json!({ "o": {"field": "IMPORTED"}, "first": 4, "after": after }))
        .await;
    assert_eq!(code, "INVALID_CURSOR");
    app.finish().await;
});

const ENTERPRISE: &str = "query($c: String, $all: Boolean) { enterprise(creditCode: $c) {
    recalls(includeCandidates: $all) { totalCount nodes { reference } } } }";

async fn enterprise_recalls(app: &TestApp, code: &str, all: bool) -> Vec<String> {
    let d = app.data(ENTERPRISE, json!({ "c": code, "all": all })).await;
    let mut v: Vec<String> = d["enterprise"]["recalls"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reference"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

both_backends!(
    companies_match_enterprises_only_when_certain,
    |backend: Backend| async move {
        let app = loaded(backend).await;
        // By credit code (returned-goods sheet, JSON Lines).
        let cailan = enterprise_recalls(&app, "91330226592715439F", false).await;
        assert_eq!(cailan.len(), 1);
        assert!(cailan[0].starts_with("退运-"));
        assert_eq!(
            enterprise_recalls(&app, "9144190076848273XJ", false).await,
            vec!["2024-0412"]
        );
        // By its exact Chinese name: certain. The same company in pinyin in a CPSC recall is only a candidate.
        let yueling = "91330226739492189R";
        assert_eq!(enterprise_recalls(&app, yueling, false).await.len(), 1);
        let with_candidates = enterprise_recalls(&app, yueling, true).await;
        assert_eq!(with_candidates.len(), 2, "{with_candidates:?}");
        assert!(with_candidates.contains(&"24201".to_string()));
        let poles = one(&app, "USA", "24201").await;
        let c = &poles["companies"][0];
        assert_eq!(c["name"], "Yueling Walking Stick Co., Ltd.");
        assert_eq!(c["match"], "CANDIDATE");
        assert_eq!(c["basis"], "PINYIN");
        assert_eq!(c["enterprise"], Value::Null);
        assert_eq!(c["candidates"], json!([{"creditCode": yueling}]));
        // A pinyin name, and a Chinese name that is not exact (明辉灯饰): candidates of 宁海县明辉灯饰有限公司, never it.
        let minghui = "913302267205631869";
        assert!(enterprise_recalls(&app, minghui, false).await.is_empty());
        assert_eq!(enterprise_recalls(&app, minghui, true).await.len(), 2);
        let lights = one(&app, "USA", "24150").await;
        assert_eq!(lights["companies"][0]["match"], "CANDIDATE");
        // A place at the start of a name is not a trade name: only 宁波市海洋文具 is a candidate of "Ningbo Haiyang".
        let markers = one(&app, "USA", "24123").await;
        assert_eq!(
            markers["companies"][0]["candidates"],
            json!([{"creditCode": "91330226573218648K"}])
        );
        // Names that match nothing stay unmatched.
        assert_eq!(lights["companies"][1]["name"], "Holiday Glow Distribution Inc.");
        assert_eq!(lights["companies"][1]["match"], "NONE");
        // The credit code filter of the listing is the certain link.
        let by_code = refs(&app, json!({"creditCode": yueling})).await;
        assert_eq!(by_code.len(), 1);
        assert!(by_code[0].starts_with("退运-"));
        app.finish().await;
    }
);

both_backends!(one_box_search_finds_recalls, |backend: Backend| async move {
    let app = loaded(backend).await;
    app.wait_indexed().await;
    let q = "query($q: String!) { search(query: $q, types: [RECALL]) { edges { type node { ... on Recall { reference name } } } } }";
    let d = app.data(q, json!({ "q": "水彩笔" })).await;
    let edges = d["search"]["edges"].as_array().unwrap();
    assert!(!edges.is_empty(), "{d}");
    assert_eq!(edges[0]["type"], "RECALL");
    assert_eq!(edges[0]["node"]["name"], "学生水彩笔");
    // All kinds together, with the kind word 召回 and a traditional character.
    let q = "query($q: String!) { search(query: $q) { edges { type node { ... on Recall { reference } } } } }";
    let d = app.data(q, json!({ "q": "積木 召回" })).await;
    let first = &d["search"]["edges"][0];
    assert_eq!(first["type"], "RECALL", "{d}");
    assert_eq!(first["node"]["reference"], "2024-0412");
    // The family's own search, with its filters and facets.
    let q2 = "query($q: String!, $f: RecallSearchFilter) { searchRecalls(query: $q, filter: $f) {
        estimatedTotalCount edges { node { reference } highlights { title } } facets { field values { value count } } } }";
    let d = app.data(q2, json!({ "q": "灯串", "f": {"countries": ["AU"]} })).await;
    let r = &d["searchRecalls"];
    assert_eq!(r["estimatedTotalCount"], 1, "{d}");
    let title = r["edges"][0]["highlights"]["title"].as_str().unwrap_or_default();
    assert!(title.starts_with("LED装饰") && title.contains("<mark>"), "{d}");
    let d = app
        .data(
            q2,
            json!({ "q": "", "f": {"hsPrefix": "9503", "riskTypes": ["CHOKING"]} }),
        )
        .await;
    assert_eq!(d["searchRecalls"]["edges"][0]["node"]["reference"], "2024-0412", "{d}");
    let d = app.data(q2, json!({ "q": "", "f": {"countries": ["EU"]} })).await;
    assert_eq!(d["searchRecalls"]["estimatedTotalCount"], 3, "{d}");
    let facet = d["searchRecalls"]["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "countries")
        .cloned()
        .unwrap();
    assert!(
        facet["values"]
            .as_array()
            .unwrap()
            .contains(&json!({"value": "EU", "count": 3})),
        "{facet}"
    );
    // By the Safety Gate reference.
    let d = app.data(q, json!({ "q": "A12/00456/24" })).await;
    let found = d["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"]["reference"] == "A12/00456/24");
    assert!(found, "{d}");
    app.finish().await;
});

const CREATE_WATCH: &str =
    "mutation($input: CreateWatchInput!) { createWatch(input: $input) { token webhookSecret watch { id } } }";
const WATCH_EVENTS: &str = "query($t: String!) { watch(token: $t) { events(first: 100) {
    nodes { id kind summary notice { symbol } recall { reference country { code } } } } } }";

both_backends!(
    a_watch_hears_recalls_of_its_codes_and_markets,
    |backend: Backend| async move {
        use crate::follow_webhook::{Mode, Receiver, check_post};
        let app = TestApp::spawn_with(backend, |s| s.webhook_allow = vec!["127.0.0.1".into()]).await;
        let receiver = Receiver::start(Mode::Accept).await;
        let create = |filter: Value, url: Option<String>| {
            let app = &app;
            async move {
                let delivery = match url {
                    Some(u) => json!({"webhookUrl": u}),
                    None => json!({}),
                };
                app.data(
                    CREATE_WATCH,
                    json!({"input": {"name": "玩具召回", "filter": filter, "delivery": delivery}}),
                )
                .await["createWatch"]
                    .clone()
            }
        };
        // Toys to Canada, hooked; toys to the USA; a market only (Japan); toys by code only.
        let toys_ca = create(json!({"hsCodes": ["9503"], "members": ["CAN"]}), Some(receiver.url())).await;
        let toys_us = create(json!({"hsCodes": ["9503"], "members": ["USA"]}), None).await;
        let japan = create(json!({"members": ["JPN"]}), None).await;
        let r = app.import(&fixture("recalls.jsonl")).await;
        assert_eq!(r.added, 2, "{}", r.summary());
        app.wait_matched().await;

        let events = |token: Value| {
            let app = &app;
            async move {
                app.data(WATCH_EVENTS, json!({"t": token})).await["watch"]["events"]["nodes"]
                    .as_array()
                    .unwrap()
                    .clone()
            }
        };
        let heard = events(toys_ca["token"].clone()).await;
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert_eq!(heard[0]["kind"], "RECALL");
        assert_eq!(heard[0]["notice"], Value::Null);
        assert_eq!(
            heard[0]["recall"],
            json!({"reference": "2024-0412", "country": {"code": "CAN"}})
        );
        assert!(
            heard[0]["summary"].as_str().unwrap().contains("塑胶拼装积木玩具"),
            "{}",
            heard[0]
        );
        assert!(events(toys_us["token"].clone()).await.is_empty());
        let jp = events(japan["token"].clone()).await;
        assert_eq!(jp.len(), 1);
        assert_eq!(jp[0]["recall"]["reference"], "RJ-2024-0077");

        // Delivered through the watch's webhook, signed, with the event's stable id.
        let hits = receiver.wait_for(30, "the recall event", |h| !h.is_empty()).await;
        let body = check_post(
            &hits[0],
            toys_ca["webhookSecret"].as_str().unwrap(),
            toys_ca["watch"]["id"].as_str().unwrap(),
            "玩具召回",
        );
        assert_eq!(body["type"], "RECALL");
        assert_eq!(body["id"], heard[0]["id"]);
        assert_eq!(body["event"]["symbol"], "2024-0412");
        assert_eq!(body["event"]["hsCodes"], json!(["950300"]));

        // Importing again makes no second event.
        let r = app.import(&fixture("recalls.jsonl")).await;
        assert_eq!(r.added, 0);
        app.wait_matched().await;
        assert_eq!(events(toys_ca["token"].clone()).await.len(), 1);
        // The Atom feed links the recall.
        let token = toys_ca["token"].as_str().unwrap();
        let feed = app.get_text(&format!("/feeds/watches/{token}.atom")).await;
        assert!(feed.contains("<category term=\"RECALL\"/>"), "{feed}");
        assert!(feed.contains("recall%28country"), "{feed}");
        app.finish().await;
    }
);

both_backends!(the_demo_recalls_load, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let r = app.import(&repo("demo/enterprises.jsonl")).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let r = app.import(&repo("demo/recalls.jsonl")).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(r.added, 6, "{}", r.summary());
    // The toy maker named in Chinese is tied; the stationery maker named in English is a candidate only.
    assert_eq!(
        enterprise_recalls(&app, "91441900053871264N", false).await,
        vec!["A12/01877/24"]
    );
    assert!(enterprise_recalls(&app, "91330226573218648K", false).await.is_empty());
    assert_eq!(
        enterprise_recalls(&app, "91330226573218648K", true).await,
        vec!["2024-1107"]
    );
    app.finish().await;
});

both_backends!(a_returns_workbook_loads_like_its_csv, |backend: Backend| async move {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let app = TestApp::spawn(backend).await;
    let r = app.import(&repo("demo/enterprises.jsonl")).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    // The fixture's rows as an Excel workbook, 通报日期 as real date cells where the text is a date.
    let text = std::fs::read_to_string(fixture("customs_returns.csv")).unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (row, line) in text.lines().enumerate() {
        for (col, cell) in line.split(',').enumerate() {
            let (r, c) = (row as u32, col as u16);
            match ExcelDateTime::parse_from_str(cell) {
                Ok(d) if row > 0 && col == 1 => sheet.write_datetime_with_format(r, c, &d, &date_format),
                _ => sheet.write_string(r, c, cell),
            }
            .unwrap();
        }
    }
    let path = app_dir_file(&app, "returns.xlsx", &book.save_to_buffer().unwrap());
    let r = app.import(&path).await;
    assert_eq!(r.added, 3, "{}", r.summary());
    assert_eq!(
        r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(),
        vec![5, 6],
        "{:?}",
        r.rejected
    );
    let d = app
        .data(
            "{ recalls(orderBy: {field: NOTIFIED_ON, direction: ASC}) { nodes { notifiedOn name hsCodes } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        d["recalls"]["nodes"][0],
        json!({"notifiedOn": "2024-05-10", "name": "学生水彩笔", "hsCodes": ["960990"]})
    );
    // The same rows from the CSV are the same records.
    let r = app.import(&fixture("customs_returns.csv")).await;
    assert_eq!((r.added, r.unchanged + r.updated), (0, 3), "{}", r.summary());
    app.finish().await;
});

both_backends!(
    an_editor_of_recalls_writes_them_through_the_api,
    |backend: Backend| async move {
        use zhiliang::operate::keys::{Catalogue, NewKey, Role, create};
        let app = TestApp::spawn(backend).await;
        let key = |name: &'static str, catalogues: Vec<Catalogue>| {
            let app = &app;
            async move {
                let k = NewKey {
                    name: name.into(),
                    role: Role::Editor,
                    catalogues,
                    region_prefix: None,
                    expires_at: None,
                }
                .check(chrono::Utc::now())
                .unwrap();
                create(&app.db, &k, "cli:test").await.unwrap().1
            }
        };
        let put = "mutation($i: PutRecordInput!) { putRecord(input: $i) { recordType key action version } }";
        let as_key = |k: String, record: Value| {
            let app = &app;
            async move {
                let resp = app
                    .http
                    .post(format!("{}/graphql", app.base))
                    .bearer_auth(k)
                    .json(&json!({"query": put, "variables": {"i": {"record": record}}}))
                    .send()
                    .await
                    .unwrap();
                resp.json::<Value>().await.unwrap()
            }
        };
        let record = json!({"type": "recall", "reference": "2024-0412", "country": "CA", "notifiedOn": "2024-08-20",
        "name": "塑胶拼装积木玩具", "hsCodes": ["9503"], "riskTypes": ["CHOKING"], "origin": "CN"});
        let editor = key("海关技术中心", vec![Catalogue::Recalls]).await;
        let body = as_key(editor.clone(), record.clone()).await;
        assert_eq!(
            body["data"]["putRecord"],
            json!({"recordType": "RECALL", "key": "CAN|2024-0412", "action": "CREATED", "version": 1}),
            "{body}"
        );
        let mut changed = record.clone();
        changed["measures"] = json!("召回并退款");
        let body = as_key(editor, changed).await;
        assert_eq!(body["data"]["putRecord"]["action"], "UPDATED", "{body}");
        assert_eq!(body["data"]["putRecord"]["version"], 2);
        // A key of another catalogue may not.
        let other = key("通报评议基地", vec![Catalogue::Notices]).await;
        let body = as_key(other, record).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        app.finish().await;
    }
);
