//! Export profiles and `Notice.affected` on SQLite and PostgreSQL: JSON Lines and Chinese-header sheets (UTF-8 and
//! GB18030) load the same profile, odd HS forms normalise, bad rows are refused with line and reason, and a notice
//! finds exactly the enterprises, zones and regions its HS codes and members concern.

use encoding_rs::GB18030;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};

/// Written for these tests (valid check characters except the last enterprise's, kept and flagged).
const ENTERPRISES: &str = r#"{"type":"enterprise","creditCode":"91330226573218648K","name":"宁波市海洋文具有限公司","regionCode":"330226","industry":"文具制造"}
{"type":"enterprise","creditCode":"913302266884021700","name":"宁海县兴华模具有限公司","regionCode":"330226","industry":"模具制造"}
{"type":"enterprise","creditCode":"91441900MA4W12345Q","name":"东莞市乐童玩具有限公司","regionCode":"441900","industry":"玩具制造"}
{"type":"enterprise","creditCode":"91330226MA2AH12345","name":"宁海县校验错误文具有限公司","regionCode":"330226"}
{"type":"zone","code":"zj-ninghai-stationery","name":"浙江省宁海出口文具质量安全示范区","kind":"INDUSTRIAL","level":"NATIONAL","regionCode":"330226","industry":"文具","history":[{"status":"ACCEPTED","date":"2019-11-20"}]}
{"type":"zone","code":"zj-ninghai-moulds","name":"浙江省宁海出口模具质量安全示范区","kind":"INDUSTRIAL","level":"PROVINCIAL","regionCode":"330226","industry":"模具","history":[{"status":"ACCEPTED","date":"2018-12-01"}]}
{"type":"zoneMembership","zone":"zj-ninghai-stationery","creditCode":"91330226573218648K","role":"LEAD","admittedOn":"2018-03-01"}
{"type":"zoneMembership","zone":"zj-ninghai-stationery","creditCode":"913302266884021700","role":"MEMBER","admittedOn":"2018-03-01","exitedOn":"2021-12-31"}
{"type":"zoneMembership","zone":"zj-ninghai-moulds","creditCode":"913302266884021700","role":"LEAD","admittedOn":"2018-01-01"}
"#;

/// Four products in odd written forms, then three bad rows (lines 5 to 7).
const PRODUCTS: &str = r#"{"type":"exportProduct","creditCode":"91330226573218648K","product":"中性笔","hsCodes":["9608.10"],"markets":["USA","EU"]}
{"type":"exportProduct","creditCode":"913302266884021700","product":"玩具模具","hsCodes":["95"]}
{"type":"exportProduct","creditCode":"91441900MA4W12345Q","product":"塑胶玩具","hsCodes":["９５０３．００．９０"],"markets":["美国"]}
{"type":"exportProduct","creditCode":"91330226MA2AH12345","product":"木杆铅笔","hsCodes":["96 09"],"markets":["jpn"]}
{"type":"exportProduct","creditCode":"91330226573218648K","product":"坏编码","hsCodes":["95x3"]}
{"type":"exportProduct","creditCode":"91330226573218648K","product":"坏市场","hsCodes":["9608"],"markets":["Atlantis"]}
{"type":"exportProduct","creditCode":"91330226MA2CL5678K","product":"无此企业","hsCodes":["9608"]}
"#;

/// The same four products as a Chinese sheet, and a bad HS code on line 6.
const SHEET: &str = "统一社会信用代码,产品名称,HS编码,出口市场\n\
91330226573218648K,中性笔,9608.10,美国、欧盟\n\
913302266884021700,玩具模具,95,\n\
91441900MA4W12345Q,塑胶玩具,９５０３．００．９０,美国\n\
91330226MA2AH12345,木杆铅笔,96 09,日本\n\
91330226573218648K,坏编码,95-03,美国\n";

const CODES: [&str; 4] = [
    "91330226573218648K",
    "913302266884021700",
    "91441900MA4W12345Q",
    "91330226MA2AH12345",
];

const PROFILE: &str =
    "query($c: String) { enterprise(creditCode: $c) { exportProducts { product hsCodes markets { code nameZh } } } }";

async fn profiles(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for c in CODES {
        out.push(app.data(PROFILE, json!({ "c": c })).await["enterprise"]["exportProducts"].clone());
    }
    out
}

async fn with_enterprises(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    let r = app.import_text("enterprises.jsonl", ENTERPRISES).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    app
}

both_backends!(profiles_from_json_lines_and_sheets, |backend: Backend| async move {
    let app = with_enterprises(backend).await;
    let r = app.import_text("exports.jsonl", PRODUCTS).await;
    assert_eq!(r.added, 4, "{}", r.summary());
    let lines: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![5, 6, 7], "{:?}", r.rejected);
    assert!(
        r.rejected[0].reason.contains("\"95x3\" is not an HS code"),
        "{}",
        r.rejected[0]
    );
    assert!(
        r.rejected[1].reason.contains("\"Atlantis\" is not a WTO member"),
        "{}",
        r.rejected[1]
    );
    assert!(
        r.rejected[2]
            .reason
            .contains("no enterprise with the credit code 91330226MA2CL5678K"),
        "{}",
        r.rejected[2]
    );
    let from_json = profiles(&app).await;
    assert_eq!(
        from_json[0],
        json!([{"product": "中性笔", "hsCodes": ["960810"],
                "markets": [{"code": "USA", "nameZh": "美国"}, {"code": "EU", "nameZh": "欧盟"}]}])
    );
    assert_eq!(
        from_json[1],
        json!([{"product": "玩具模具", "hsCodes": ["95"], "markets": []}])
    );
    assert_eq!(from_json[2][0]["hsCodes"], json!(["95030090"]));
    assert_eq!(from_json[2][0]["markets"], json!([{"code": "USA", "nameZh": "美国"}]));
    assert_eq!(from_json[3][0]["hsCodes"], json!(["9609"]));
    assert_eq!(from_json[3][0]["markets"][0]["code"], "JPN");
    // The same (enterprise, product) again updates it.
    let again = app.import_text("exports.jsonl", PRODUCTS).await;
    assert_eq!(
        (again.added, again.updated + again.unchanged),
        (0, 4),
        "{}",
        again.summary()
    );
    assert_eq!(profiles(&app).await, from_json);
    app.finish().await;

    let app = with_enterprises(backend).await;
    let r = app.import_text("exports.csv", SHEET).await;
    assert_eq!(r.added, 4, "{}", r.summary());
    assert_eq!(
        r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(),
        vec![6],
        "{:?}",
        r.rejected
    );
    assert!(r.rejected[0].reason.contains("\"95-03\""), "{}", r.rejected[0]);
    assert_eq!(profiles(&app).await, from_json);
    let (bytes, _, unmappable) = GB18030.encode(SHEET);
    assert!(!unmappable);
    let path = app.dir.path().join("exports-gb18030.csv");
    std::fs::write(&path, &bytes).unwrap();
    let r = app.import(&path).await;
    assert_eq!(
        (r.added, r.updated + r.unchanged, r.rejected.len()),
        (0, 4, 1),
        "{}",
        r.summary()
    );
    assert!(r.summary().ends_with("read as GB18030"), "{}", r.summary());
    assert_eq!(profiles(&app).await, from_json);
    app.finish().await;
});

const NOTICES: &str = r#"{"type":"notice","symbols":["G/TBT/N/USA/9001"],"distributionDate":"2030-01-10","titleEn":"Toy safety","hsCodes":["950300"]}
{"type":"notice","symbols":["G/TBT/N/EU/9002"],"distributionDate":"2030-01-11","titleEn":"Toys","hsCodes":["9503"]}
{"type":"notice","symbols":["G/TBT/N/JPN/9003","G/TBT/N/EU/9003"],"distributionDate":"2030-01-12","titleEn":"Writing instruments","hsCodes":["9608","9609"]}
{"type":"notice","symbols":["G/TBT/N/USA/9004"],"distributionDate":"2030-01-13","titleEn":"Computers","hsCodes":["8471"]}
{"type":"notice","symbols":["G/TBT/N/KOR/9005"],"distributionDate":"2030-01-14","titleEn":"Pens","hsCodes":["960810"]}
"#;

const AFFECTED: &str = r#"query($s: String!, $first: Int, $after: String) { notice(symbol: $s) { affected {
  enterpriseCount
  enterprises(first: $first, after: $after) { edges { cursor node { enterprise { creditCode } products { product } } }
    pageInfo { hasNextPage endCursor } }
  zones { zone { code } enterpriseCount }
  regions { code count } } } }"#;

fn codes(affected: &Value) -> Vec<String> {
    let mut v: Vec<String> = affected["enterprises"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["enterprise"]["creditCode"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

both_backends!(
    notice_affected_enterprises_zones_regions,
    |backend: Backend| async move {
        let app = with_enterprises(backend).await;
        let r = app.import_text("exports.jsonl", PRODUCTS).await;
        assert_eq!(r.added, 4, "{}", r.summary());
        let r = app.import_text("notices.jsonl", NOTICES).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let affected = |s: &'static str| {
            let app = &app;
            async move { app.data(AFFECTED, json!({ "s": s })).await["notice"]["affected"].clone() }
        };

        // 950300 to the USA: the mould maker's 95 (shorter, no markets) and the toy maker's 95030090 (longer, USA).
        let usa = affected("G/TBT/N/USA/9001").await;
        assert_eq!(usa["enterpriseCount"], 2);
        assert_eq!(codes(&usa), vec!["913302266884021700", "91441900MA4W12345Q"]);
        assert_eq!(
            usa["zones"],
            json!([{"zone": {"code": "zj-ninghai-moulds"}, "enterpriseCount": 1}])
        );
        assert_eq!(
            usa["regions"],
            json!([{"code": "33", "count": 1}, {"code": "3302", "count": 1}, {"code": "330226", "count": 1},
               {"code": "44", "count": 1}, {"code": "4419", "count": 1}, {"code": "441900", "count": 1}])
        );
        let toy = usa["enterprises"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["enterprise"]["creditCode"] == "91441900MA4W12345Q")
            .unwrap()
            .clone();
        assert_eq!(toy["node"]["products"], json!([{"product": "塑胶玩具"}]));

        // The same toys notified by the EU: the toy maker ships to the USA only.
        let eu = affected("G/TBT/N/EU/9002").await;
        assert_eq!(codes(&eu), vec!["913302266884021700"]);
        assert_eq!(eu["enterpriseCount"], 1);

        // A joint notification of Japan and the EU: the pens (to the EU) and the pencils (to Japan).
        let joint = affected("G/TBT/N/JPN/9003").await;
        assert_eq!(codes(&joint), vec!["91330226573218648K", "91330226MA2AH12345"]);
        assert_eq!(
            joint["zones"],
            json!([{"zone": {"code": "zj-ninghai-stationery"}, "enterpriseCount": 1}])
        );
        assert_eq!(
            joint["regions"],
            json!([{"code": "33", "count": 2}, {"code": "3302", "count": 2}, {"code": "330226", "count": 2}])
        );

        // Paging: one at a time.
        let first =
            app.data(AFFECTED, json!({ "s": "G/TBT/N/JPN/9003", "first": 1 })).await["notice"]["affected"].clone();
        assert_eq!(first["enterprises"]["pageInfo"]["hasNextPage"], true);
        let after = first["enterprises"]["pageInfo"]["endCursor"].clone();
        let second = app
            .data(AFFECTED, json!({ "s": "G/TBT/N/JPN/9003", "first": 1, "after": after }))
            .await["notice"]["affected"]
            .clone();
        assert_eq!(second["enterprises"]["pageInfo"]["hasNextPage"], false);
        let mut both = [codes(&first), codes(&second)].concat();
        both.sort();
        assert_eq!(both, vec!["91330226573218648K", "91330226MA2AH12345"]);

        // No product shares 8471; Korea is no market of the pen maker.
        for s in ["G/TBT/N/USA/9004", "G/TBT/N/KOR/9005"] {
            let none = affected(s).await;
            assert_eq!(none["enterpriseCount"], 0, "{s}");
            assert_eq!(none["enterprises"]["edges"], json!([]), "{s}");
            assert_eq!(none["zones"], json!([]), "{s}");
            assert_eq!(none["regions"], json!([]), "{s}");
        }
        app.finish().await;
    }
);
