//! Standards through GraphQL on SQLite and PostgreSQL: numbers in odd forms, editions, replacement both ways,
//! status on different days, every filter, Chinese search, and the Chinese-header sheet import.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

async fn load(app: &TestApp) {
    let r = app.import(&repo("demo/standards.jsonl")).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert!(r.added >= 140, "{}", r.summary());
}

fn records() -> Vec<Value> {
    std::fs::read_to_string(repo("demo/standards.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const LOOKUP: &str = r#"query($n: String!, $on: Date) { standard(number: $n) { match note standard {
  id number rawNumber familyKey level nature code year titleZh status(on: $on) statusLabel issueDate implementationDate
  withdrawalDate replacedOn adoption { degree number } doubleNumber amendments { number }
  editions { number } replaces { number scope standard { number } } replacedBy { number scope } } } }"#;

async fn lookup(app: &TestApp, n: &str) -> Value {
    app.data(LOOKUP, json!({"n": n})).await["standard"].clone()
}

both_backends!(
    numbers_in_any_written_form_and_editions,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load(&app).await;
        for form in [
            "GB/T 19001-2016",
            "GB/T19001-2016",
            "gb/t 19001—2016",
            "GB／T 19001－2016",
            "GBT 19001-2016",
            " GB / T 19001 - 2016 ",
        ] {
            let l = lookup(&app, form).await;
            assert_eq!(l["standard"]["number"], "GB/T 19001-2016", "{form}");
            assert_eq!(l["match"], "EXACT", "{form}");
        }
        let s = lookup(&app, "GB/T 19001-2016/ISO 9001:2015").await["standard"].clone();
        assert_eq!(s["number"], "GB/T 19001-2016");
        assert_eq!(s["adoption"]["degree"], "IDT");
        assert_eq!(s["familyKey"], "GB/T 19001");
        let editions: Vec<&str> = s["editions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["number"].as_str().unwrap())
            .collect();
        assert_eq!(
            editions,
            [
                "GB/T 19001-2016",
                "GB/T 19001-2008",
                "GB/T 19001-2000",
                "GB/T 19001-1994"
            ]
        );

        // Without a year: the edition in force, and the answer says so.
        let l = lookup(&app, "GB/T 19001").await;
        assert_eq!(l["match"], "CURRENT_EDITION");
        assert_eq!(l["standard"]["number"], "GB/T 19001-2016");
        assert!(l["note"].as_str().unwrap().contains("GB/T 19001-2016"));
        // A family with no edition in force gives the newest and says that.
        let l = lookup(&app, "QB/T 2776").await;
        assert_eq!(l["match"], "LATEST_EDITION", "{l}");

        // Two-digit years, em dashes, and the edition chain across a change of number.
        assert_eq!(
            lookup(&app, "GB 13000.1-93").await["standard"]["number"],
            "GB 13000.1-1993"
        );
        // Local, group, industry with a composite code, and GBZ.
        assert_eq!(lookup(&app, "db33/t 2350-2021").await["standard"]["level"], "LOCAL");
        let g = lookup(&app, "t/zzb0511-2018").await["standard"].clone();
        assert_eq!(
            (g["number"].as_str(), g["level"].as_str(), g["code"].as_str()),
            (Some("T/ZZB 0511-2018"), Some("GROUP"), Some("T/ZZB"))
        );
        assert_eq!(lookup(&app, "NB/SH/T 0450-2019").await["standard"]["code"], "NB/SH/T");
        assert_eq!(lookup(&app, "GBZ 2.1-2019").await["standard"]["level"], "NATIONAL");
        // An amendment record is folded into its edition.
        let s = lookup(&app, "GB/T 15629.11-2003").await["standard"].clone();
        assert_eq!(s["amendments"][0]["number"], "GB/T 15629.11-2003/XG1-2006");
        assert_eq!(
            lookup(&app, "GB/T 15629.11-2003/XG1-2006").await["standard"]["number"],
            "GB/T 15629.11-2003"
        );

        // Unknown numbers are null; malformed ones a coded error with the reason.
        assert!(lookup(&app, "GB/T 99999-2020").await.is_null());
        let body = app.gql(LOOKUP, json!({"n": "XX 123-2000"})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("XX"));
        app.finish().await;
    }
);

both_backends!(
    replacement_both_ways_and_status_by_date,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load(&app).await;
        let status = |n: &'static str, on: &'static str| {
            let app = &app;
            async move { app.data(LOOKUP, json!({"n": n, "on": on})).await["standard"]["standard"]["status"].clone() }
        };
        // GB 7000.1-2015: in force from 2017-01-01, replaced whole by GB/T 7000.1-2023 from 2026-01-01.
        assert_eq!(status("GB 7000.1-2015", "2016-06-01").await, "UPCOMING");
        assert_eq!(status("GB 7000.1-2015", "2017-01-01").await, "CURRENT");
        assert_eq!(status("GB 7000.1-2015", "2025-12-31").await, "CURRENT");
        assert_eq!(status("GB 7000.1-2015", "2026-01-01").await, "REPLACED");
        assert_eq!(status("GB/T 7000.1-2023", "2025-12-31").await, "UPCOMING");
        assert_eq!(status("GB/T 7000.1-2023", "2026-01-01").await, "CURRENT");
        // Withdrawn without a successor; and a standard whose record says only 废止 but that a later one replaced.
        assert_eq!(status("GB/T 26714-2011", "2020-03-01").await, "CURRENT");
        assert_eq!(status("GB/T 26714-2011", "2020-03-02").await, "WITHDRAWN");
        assert_eq!(
            status("QB/T 2776-2006", "2011-11-30").await,
            "CURRENT",
            "before its successor took effect"
        );
        assert_eq!(status("QB/T 2776-2006", "2011-12-01").await, "REPLACED");
        // The chain both ways.
        let s = lookup(&app, "GB/T 7000.1-2023").await["standard"].clone();
        assert_eq!(s["replaces"][0]["number"], "GB 7000.1-2015");
        assert_eq!(s["replaces"][0]["standard"]["number"], "GB 7000.1-2015");
        let old = lookup(&app, "GB 7000.1-2015").await["standard"].clone();
        assert_eq!(
            old["replacedBy"],
            json!([{"number": "GB/T 7000.1-2023", "scope": "WHOLE"}])
        );
        assert_eq!(old["replacedOn"], "2026-01-01");
        // Two standards replaced by one; and one replaced in parts by four.
        for n in ["GB 4806.6-2016", "GB 4806.7-2016"] {
            assert_eq!(
                lookup(&app, n).await["standard"]["replacedBy"][0]["number"],
                "GB 4806.7-2023"
            );
        }
        let parts = lookup(&app, "GB 6675-2003").await["standard"]["replacedBy"].clone();
        assert_eq!(parts.as_array().unwrap().len(), 4);
        assert!(parts.as_array().unwrap().iter().all(|p| p["scope"] == "PARTIAL"));

        // Re-importing the newer standard without its replacement frees the older one again.
        let rec = r#"{"type":"standard","number":"GB/T 7000.1-2023","titleZh":"灯具 第1部分：一般要求与试验","implementationDate":"2026-01-01"}"#;
        let r = app.import_text("again.jsonl", rec).await;
        assert_eq!((r.added, r.updated + r.unchanged), (0, 1));
        let old = lookup(&app, "GB 7000.1-2015").await["standard"].clone();
        assert!(old["replacedOn"].is_null());
        assert_eq!(old["replacedBy"], json!([]));
        assert_eq!(status("GB 7000.1-2015", "2025-12-31").await, "CURRENT");
        // Its withdrawal date still ends it.
        assert_eq!(status("GB 7000.1-2015", "2026-01-01").await, "WITHDRAWN");
        app.finish().await;
    }
);

const LIST: &str = r#"query($filter: StandardFilter, $first: Int, $after: String, $order: StandardOrder) {
  standards(filter: $filter, first: $first, after: $after, orderBy: $order) {
    totalCount nodes { number } pageInfo { hasNextPage endCursor } } }"#;

async fn numbers(app: &TestApp, filter: Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let d = app
            .data(LIST, json!({"filter": filter, "first": 50, "after": after}))
            .await["standards"]
            .clone();
        for n in d["nodes"].as_array().unwrap() {
            assert!(
                out.insert(n["number"].as_str().unwrap().to_string()),
                "no standard twice"
            );
        }
        if d["pageInfo"]["hasNextPage"] == false {
            assert_eq!(d["totalCount"], out.len());
            return out;
        }
        after = Some(d["pageInfo"]["endCursor"].as_str().unwrap().to_string());
    }
}

fn canon(n: &str) -> String {
    zhiliang::catalog::standards::number::StandardNumber::parse(n)
        .unwrap()
        .edition()
}

both_backends!(every_standards_filter, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    let recs: Vec<Value> = records()
        .into_iter()
        .filter(|r| !r["number"].as_str().unwrap().contains("/XG"))
        .collect();
    let expect = |pred: &dyn Fn(&Value) -> bool| -> BTreeSet<String> {
        recs.iter()
            .filter(|r| pred(r))
            .map(|r| canon(r["number"].as_str().unwrap()))
            .collect()
    };
    let s = |r: &Value, k: &str| r[k].as_str().unwrap_or_default().to_string();
    let list = |r: &Value, k: &str| -> Vec<String> {
        r[k].as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let all = numbers(&app, json!(null)).await;
    assert_eq!(all, expect(&|_| true), "paging visits every standard once");
    let cases: Vec<(Value, BTreeSet<String>)> = vec![
        (
            json!({"levels": ["GROUP", "ENTERPRISE"]}),
            expect(&|r| ["GROUP", "ENTERPRISE"].contains(&s(r, "level").as_str())),
        ),
        (
            json!({"natures": ["GUIDANCE"]}),
            expect(&|r| s(r, "nature") == "GUIDANCE"),
        ),
        (
            json!({"industryCodes": ["SN", "NB/SH"]}),
            expect(&|r| s(r, "number").starts_with("SN") || s(r, "number").starts_with("NB/SH")),
        ),
        (json!({"region": "33"}), expect(&|r| s(r, "number").starts_with("DB33"))),
        (
            json!({"region": "3301"}),
            expect(&|r| s(r, "number").starts_with("DB3301")),
        ),
        (
            json!({"groupOrganizations": ["ZZB"]}),
            expect(&|r| s(r, "number").starts_with("T/ZZB")),
        ),
        (
            json!({"icsCodes": ["97"]}),
            expect(&|r| list(r, "icsCodes").iter().any(|c| c.starts_with("97"))),
        ),
        (
            json!({"ccsCodes": ["Y"]}),
            expect(&|r| s(r, "ccsCode").starts_with('Y')),
        ),
        (json!({"committee": "TC224"}), expect(&|r| s(r, "committee") == "TC224")),
        (
            json!({"issuedFrom": "2016-01-01", "issuedTo": "2016-12-31"}),
            expect(&|r| {
                r["issueDate"]
                    .as_str()
                    .is_some_and(|d| ("2016-01-01"..="2016-12-31").contains(&d))
            }),
        ),
        (
            json!({"implementedFrom": "2026-01-01"}),
            expect(&|r| r["implementationDate"].as_str().is_some_and(|d| d >= "2026-01-01")),
        ),
        (
            json!({"family": "GB/T 19001-2008"}),
            expect(&|r| s(r, "number").starts_with("GB/T 19001-")),
        ),
        (
            json!({"draftedBy": "宁波市海洋文具有限公司"}),
            expect(&|r| {
                r["draftingOrganizations"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|o| o["name"] == "宁波市海洋文具有限公司"))
            }),
        ),
        (
            json!({"draftedBy": "91330226573218648K", "draftedAsLead": true}),
            expect(&|r| r["draftingOrganizations"][0]["creditCode"] == "91330226573218648K"),
        ),
    ];
    for (filter, expected) in cases {
        assert!(!expected.is_empty(), "the demo data should exercise {filter}");
        assert_eq!(numbers(&app, filter.clone()).await, expected, "filter {filter}");
    }
    // Status on a day agrees with each standard's own status field.
    for (st, day) in [
        ("CURRENT", "2026-11-22"),
        ("REPLACED", "2026-11-22"),
        ("UPCOMING", "2026-11-22"),
        ("CURRENT", "2015-06-01"),
        ("WITHDRAWN", "2026-11-22"),
    ] {
        let got = numbers(&app, json!({"status": [st], "statusOn": day})).await;
        let mut want = BTreeSet::new();
        for n in &all {
            let one = app.data(LOOKUP, json!({"n": n, "on": day})).await["standard"]["standard"]["status"].clone();
            if one == st {
                want.insert(n.clone());
            }
        }
        assert_eq!(got, want, "{st} on {day}");
        assert!(
            !want.is_empty() || st == "WITHDRAWN",
            "{st} on {day} should occur in the demo"
        );
    }
    for bad in [
        json!({"industryCodes": ["XX"]}),
        json!({"region": "zj"}),
        json!({"ccsCodes": ["99"]}),
        json!({"issuedFrom": "2020-01-01", "issuedTo": "2019-01-01"}),
    ] {
        assert_eq!(
            app.error_code(LIST, json!({"filter": bad})).await,
            "BAD_USER_INPUT",
            "{bad}"
        );
    }
    // Ordered by number, both ways.
    let asc = app
        .data(
            LIST,
            json!({"first": 100, "order": {"field": "NUMBER", "direction": "ASC"}}),
        )
        .await;
    let got: Vec<String> = asc["standards"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["number"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(got, sorted);
    app.finish().await;
});

const SEARCH: &str = r#"query($q: String!, $filter: StandardFilter) { searchStandards(query: $q, filter: $filter, first: 10) {
  estimatedTotalCount nodes { number level } edges { highlights { titleZh number } } facets { field values { value count } } } }"#;

both_backends!(chinese_search_of_standards, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    app.wait_indexed().await;
    let top = |q: &'static str| {
        let app = &app;
        async move {
            let d = app.data(SEARCH, json!({"q": q})).await["searchStandards"].clone();
            d["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["number"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Numbers in any form put the standard first.
    for q in ["GB/T 19001-2016", "GB/T19001-2016", "gb/t 19001—2016", "19001-2016"] {
        assert_eq!(top(q).await.first().map(String::as_str), Some("GB/T 19001-2016"), "{q}");
    }
    let family = top("GB/T19001").await;
    assert!(
        family.len() >= 4 && family.iter().all(|n| n.starts_with("GB/T 19001-")),
        "{family:?}"
    );
    // Chinese titles, with highlights; traditional characters too.
    let d = app.data(SEARCH, json!({"q": "玩具安全"})).await["searchStandards"].clone();
    assert!(d["nodes"][0]["number"].as_str().unwrap().starts_with("GB 6675"), "{d}");
    assert!(
        d["edges"][0]["highlights"]["titleZh"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    assert_eq!(top("玩具安全").await, top("玩具安全").await);
    assert!(
        !top("質量管理體系").await.is_empty(),
        "traditional characters find 质量管理体系"
    );
    // Drafting organisations and committees.
    assert!(!top("海洋文具").await.is_empty());
    // Facets and a filter.
    let facets = d["facets"].as_array().unwrap();
    let fields: Vec<&str> = facets.iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["level", "status", "nature", "icsField"]);
    let national = app
        .data(SEARCH, json!({"q": "玩具", "filter": {"levels": ["NATIONAL"]}}))
        .await["searchStandards"]
        .clone();
    assert!(
        national["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["level"] == "NATIONAL")
    );
    app.finish().await;
});

both_backends!(sheet_with_chinese_headers, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let csv = "\u{feff}标准号,中文标准名称,英文标准名称,标准性质,标准状态,发布日期,实施日期,废止日期,代替标准,中国标准分类号,国际标准分类号,归口单位,起草单位,采标情况
GB/T 19001-2016,质量管理体系 要求,Quality management systems—Requirements,推荐性,现行,2016-12-30,2017-07-01,,GB/T 19001-2008,A00,03.120.10,全国质量管理和质量保证标准化技术委员会(SAC/TC 151),中国标准化研究院、中国合格评定国家认可中心,\"ISO 9001:2015, IDT\"
GB/T 19001-2008,质量管理体系 要求,,推荐性,被代替,2008-10-29,2009-03-01,2017-07-01,,A00,03.120.10,,,
GB 6675.1-2014,玩具安全 第1部分：基本规范,,强制性,现行,2014-05-06,2016-01-01,,部分代替GB 6675-2003,Y57,97.200.50,全国玩具标准化技术委员会(SAC/TC 253),,
XX 1-2000,坏编号,,,,,,,,,,,,
GB 1-2000,,,,,,,,,,,,,
GB 2-2000,名称,,,现行,2000-13-01,,,,,,,,
";
    let r = app.import_text("标准.csv", csv).await;
    let lines: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![5, 6, 7], "{:?}", r.rejected);
    assert!(r.rejected[0].reason.contains("XX"));
    assert!(r.rejected[1].reason.contains("title"));
    assert!(r.rejected[2].reason.contains("issueDate"));
    assert_eq!(r.added, 3);
    let s = lookup(&app, "GB/T 19001-2016").await["standard"].clone();
    assert_eq!(s["nature"], "RECOMMENDED");
    assert_eq!(s["adoption"], json!({"degree": "IDT", "number": "ISO 9001:2015"}));
    assert_eq!(s["replaces"][0]["standard"]["number"], "GB/T 19001-2008");
    let d = app.data(r#"{ standard(number: "GB/T 19001-2016") { standard { committee draftingOrganizations { name } leadOrganization { name } } } }"#, json!({})).await;
    assert_eq!(d["standard"]["standard"]["committee"], "TC151");
    assert_eq!(
        d["standard"]["standard"]["leadOrganization"]["name"],
        "中国标准化研究院"
    );
    assert_eq!(
        d["standard"]["standard"]["draftingOrganizations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let toy = lookup(&app, "GB 6675.1-2014").await["standard"].clone();
    assert_eq!(
        toy["replaces"][0],
        json!({"number": "GB 6675-2003", "scope": "PARTIAL", "standard": null})
    );
    // The same sheet again updates.
    let again = app.import_text("标准.csv", csv).await;
    assert_eq!((again.added, again.updated + again.unchanged), (0, 3));
    app.finish().await;
});
