//! Enterprises, credit entries, brands, titles and zones on SQLite and PostgreSQL: credit-code rules, "now" and
//! "as of" answers on both sides of a removal, zone membership changes, references that create enterprises.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};

/// Written for these tests; the codes have valid check characters except the one marked.
const FIXTURE: &str = r#"{"type":"enterprise","creditCode":"91330226573218648K","name":"宁波市海洋文具有限公司","formerNames":["宁海县海洋文具厂"],"registrationNumber":"330226000012345","regionCode":"330226","industry":"文具制造","mainProducts":["中性笔","水彩笔"]}
{"type":"enterprise","creditCode":"913302266884021700","name":"宁海县兴华模具有限公司","regionCode":"330226","industry":"模具制造"}
{"type":"enterprise","creditCode":"91441900MA4W12345Q","name":"东莞市乐童玩具有限公司","regionCode":"441900","industry":"玩具制造"}
{"type":"enterprise","creditCode":"91330226MA2AH12345","name":"宁海县校验错误电器有限公司","regionCode":"330226"}
{"type":"creditEntry","creditCode":"913302266884021700","list":"ABNORMAL_OPERATIONS","reason":"未按规定期限公示年度报告","listedOn":"2021-06-10","authority":"宁海县市场监督管理局","documentNumber":"宁市监异列〔2021〕12号","removedOn":"2022-03-01","removalReason":"补报未报年份的年度报告并公示","removalAuthority":"宁海县市场监督管理局"}
{"type":"creditEntry","creditCode":"91441900MA4W12345Q","list":"SERIOUS_DISHONEST","reason":"被列入经营异常名录届满3年仍未履行相关义务","listedOn":"2022-07-01","authority":"东莞市市场监督管理局"}
{"type":"creditEntry","creditCode":"91330226MA2CL5678K","enterpriseName":"宁海县新来户外用品有限公司","list":"CREDIT_GRADE","grade":"A","listedOn":"2023-01-15","authority":"宁海县市场监督管理局"}
{"type":"brand","creditCode":"91330226573218648K","scheme":"ZHEJIANG_MADE","name":"品字标浙江制造","product":"中性笔","level":"PROVINCIAL","issuer":"浙江制造国际认证联盟","certifier":"浙江公信认证有限公司","certificateNumber":"CZJM2019P0001","standardNumber":"T/ZZB 0511-2018","awardedOn":"2019-05-20","validUntil":"2022-05-19"}
{"type":"brand","creditCode":"91330226573218648K","scheme":"PROVINCIAL_FAMOUS_TRADEMARK","name":"海洋","level":"PROVINCIAL","issuer":"浙江省工商行政管理局","awardedOn":"2014-12-01"}
{"type":"brand","creditCode":"91330226573218648K","scheme":"WELL_KNOWN_TRADEMARK","name":"海洋","level":"NATIONAL","issuer":"国家知识产权局","awardedOn":"2020-03-01"}
{"type":"brand","creditCode":"913302266884021700","scheme":"PROVINCIAL_FAMOUS_PRODUCT","name":"兴华","product":"注塑模具","level":"PROVINCIAL","batch":"2019年度","awardedOn":"2019-12-30","validUntil":"2022-12-29","revokedOn":"2021-06-30"}
{"type":"title","creditCode":"91330226573218648K","scheme":"GOVERNMENT_QUALITY_AWARD","name":"宁海县政府质量奖","level":"COUNTY","issuer":"宁海县人民政府","edition":"第三届","awardedOn":"2018-12-20"}
{"type":"title","regionCode":"330226","scheme":"QUALITY_PRODUCTION_BASE","name":"浙江省文具优质产品生产基地","level":"PROVINCIAL","awardedOn":"2020-01-10","validUntil":"2024-12-31"}
{"type":"zone","code":"zj-ninghai-stationery","name":"浙江省宁海出口文具质量安全示范区","kind":"INDUSTRIAL","level":"NATIONAL","regionCode":"330226","industry":"文具","history":[{"status":"CULTIVATING","date":"2017-06-01"},{"status":"APPLYING","date":"2018-03-01"},{"status":"ACCEPTED","date":"2019-11-20"}]}
{"type":"zone","code":"zj-ninghai-moulds","name":"浙江省宁海出口模具质量安全示范区","kind":"INDUSTRIAL","level":"PROVINCIAL","regionCode":"330226","industry":"模具","history":[{"status":"CULTIVATING","date":"2017-09-01"},{"status":"ACCEPTED","date":"2018-12-01"},{"status":"REVOKED","date":"2023-05-01","note":"illustrative"}]}
{"type":"zoneMembership","zone":"zj-ninghai-stationery","creditCode":"91330226573218648K","role":"LEAD","admittedOn":"2018-03-01"}
{"type":"zoneMembership","zone":"zj-ninghai-stationery","creditCode":"913302266884021700","role":"MEMBER","admittedOn":"2018-03-01","exitedOn":"2021-12-31","exitReason":"产品不再出口"}
{"type":"zoneMembership","zone":"zj-ninghai-moulds","creditCode":"913302266884021700","role":"LEAD","admittedOn":"2018-01-01"}
{"type":"zoneMembership","zone":"zj-nowhere","creditCode":"913302266884021700","admittedOn":"2018-01-01"}
{"type":"enterprise","creditCode":"91330226573218648","name":"too short"}
{"type":"creditEntry","creditCode":"91330226573218648K","list":"BLACK_LIST","listedOn":"2021-01-01"}
"#;

const ENTERPRISE: &str = r#"query($code: String, $name: String, $asOf: Date) { enterprise(creditCode: $code, name: $name) {
  id creditCode creditCodeValid knownOnlyByReference name formerNames regionCode
  creditCodeParts { categoryCode category regionCode organizationCode department }
  creditEntries(asOf: $asOf) { list reason listedOn removedOn active(on: $asOf) grade }
  brands(asOf: $asOf) { scheme name product status(on: $asOf) validUntil standardNumber }
  titles(asOf: $asOf) { scheme name edition status(on: $asOf) }
  zones(asOf: $asOf) { role admittedOn exitedOn zone { code } } } }"#;

async fn load(app: &TestApp) {
    let r = app.import_text("enterprises.jsonl", FIXTURE).await;
    let lines: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![19, 20, 21], "{:?}", r.rejected);
    assert!(r.rejected[0].reason.contains("zj-nowhere"), "{}", r.rejected[0]);
    assert!(r.rejected[1].reason.contains("18 characters"), "{}", r.rejected[1]);
    assert!(r.rejected[2].reason.contains("BLACK_LIST"), "{}", r.rejected[2]);
}

fn strs(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap_or_default().to_string())
        .collect()
}

both_backends!(credit_codes_lookups_and_references, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    // Any case, spaces ignored; the parts decoded.
    let e = app.data(ENTERPRISE, json!({"code": " 91330226 573218648k "})).await["enterprise"].clone();
    assert_eq!(e["name"], "宁波市海洋文具有限公司");
    assert_eq!(e["creditCodeValid"], true);
    assert_eq!(e["creditCodeParts"]["categoryCode"], "91");
    assert_eq!(e["creditCodeParts"]["category"], "企业");
    assert_eq!(e["creditCodeParts"]["regionCode"], "330226");
    // By name and by former name.
    assert_eq!(
        app.data(ENTERPRISE, json!({"name": "宁波市海洋文具有限公司"})).await["enterprise"]["creditCode"],
        "91330226573218648K"
    );
    assert_eq!(
        app.data(ENTERPRISE, json!({"name": "宁海县海洋文具厂"})).await["enterprise"]["creditCode"],
        "91330226573218648K"
    );
    // A code whose check character fails was kept and flagged, not dropped.
    let bad = app.data(ENTERPRISE, json!({"code": "91330226MA2AH12345"})).await["enterprise"].clone();
    assert_eq!(bad["creditCodeValid"], false);
    // A listing that names an unknown enterprise created it, flagged as known only by reference.
    let r = app.data(ENTERPRISE, json!({"code": "91330226MA2CL5678K"})).await["enterprise"].clone();
    assert_eq!(r["knownOnlyByReference"], true);
    assert_eq!(r["name"], "宁海县新来户外用品有限公司");
    assert_eq!(r["creditEntries"][0]["grade"], "A");
    // Malformed codes asked for are refused with the reason; unknown ones are null.
    let body = app.gql(ENTERPRISE, json!({"code": "91330226573218648"})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(app.data(ENTERPRISE, json!({"code": "91331126MA2E9876NG"})).await["enterprise"].is_null());
    // node(id:) works for enterprises.
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Enterprise { name } } }",
            json!({"id": e["id"]}),
        )
        .await;
    assert_eq!(node["node"]["name"], "宁波市海洋文具有限公司");
    // Re-importing updates; the enterprise known by reference becomes known.
    let again = app.import_text("again.jsonl", r#"{"type":"enterprise","creditCode":"91330226MA2CL5678K","name":"宁海县新来户外用品有限公司","industry":"户外用品"}"#).await;
    assert_eq!((again.added, again.updated + again.unchanged), (0, 1));
    let r = app.data(ENTERPRISE, json!({"code": "91330226MA2CL5678K"})).await["enterprise"].clone();
    assert_eq!(r["knownOnlyByReference"], false);
    app.finish().await;
});

both_backends!(as_of_answers_on_both_sides_of_an_end, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    let at = |code: &'static str, day: &'static str| {
        let app = &app;
        async move { app.data(ENTERPRISE, json!({"code": code, "asOf": day})).await["enterprise"].clone() }
    };
    // Listed 2021-06-10, removed 2022-03-01.
    let before = at("913302266884021700", "2022-02-28").await;
    assert_eq!(strs(&before["creditEntries"], "list"), ["ABNORMAL_OPERATIONS"]);
    assert_eq!(before["creditEntries"][0]["active"], true);
    assert!(
        at("913302266884021700", "2022-03-01").await["creditEntries"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        at("913302266884021700", "2021-06-09").await["creditEntries"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Without asOf every entry, removed ones included.
    let all = app.data(ENTERPRISE, json!({"code": "913302266884021700"})).await["enterprise"].clone();
    assert_eq!(all["creditEntries"][0]["removedOn"], "2022-03-01");
    // Brands: valid, expired, revoked, and an abolished scheme.
    let e = at("91330226573218648K", "2021-01-01").await;
    assert_eq!(strs(&e["brands"], "scheme"), ["ZHEJIANG_MADE", "WELL_KNOWN_TRADEMARK"]);
    let e = at("91330226573218648K", "2016-06-01").await;
    assert_eq!(strs(&e["brands"], "scheme"), ["PROVINCIAL_FAMOUS_TRADEMARK"]);
    let q =
        r#"query($on: Date) { enterprise(creditCode: "91330226573218648K") { brands { scheme status(on: $on) } } }"#;
    let statuses = app.data(q, json!({"on": "2023-01-01"})).await["enterprise"]["brands"].clone();
    assert_eq!(
        statuses,
        json!([
            {"scheme": "PROVINCIAL_FAMOUS_TRADEMARK", "status": "SCHEME_ABOLISHED"},
            {"scheme": "ZHEJIANG_MADE", "status": "EXPIRED"},
            {"scheme": "WELL_KNOWN_TRADEMARK", "status": "VALID"}
        ])
    );
    let revoked = app
        .data(
            r#"{ enterprise(creditCode: "913302266884021700") { brands { status(on: "2021-07-01") revokedOn } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(revoked["enterprise"]["brands"][0]["status"], "REVOKED");
    // Zones: membership on both sides of an exit.
    let z = at("913302266884021700", "2021-12-30").await;
    assert_eq!(
        strs(
            &z["zones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["zone"].clone())
                .collect::<Value>(),
            "code"
        ),
        ["zj-ninghai-moulds", "zj-ninghai-stationery"]
    );
    let z = at("913302266884021700", "2021-12-31").await;
    assert_eq!(z["zones"].as_array().unwrap().len(), 1);
    app.finish().await;
});

both_backends!(listings_and_zones_with_filters, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    let q = r#"query($lists: [CreditList!], $filter: ListingFilter) { creditEntries(lists: $lists, filter: $filter) {
        totalCount nodes { list enterprise { creditCode } } } }"#;
    let count = |lists: Value, filter: Value| {
        let app = &app;
        async move { app.data(q, json!({"lists": lists, "filter": filter})).await["creditEntries"]["totalCount"].clone() }
    };
    assert_eq!(count(json!(null), json!(null)).await, 3);
    assert_eq!(count(json!(["ABNORMAL_OPERATIONS"]), json!(null)).await, 1);
    assert_eq!(count(json!(null), json!({"activeOn": "2022-02-28"})).await, 1);
    assert_eq!(count(json!(null), json!({"activeOn": "2022-07-01"})).await, 1);
    assert_eq!(count(json!(null), json!({"activeOn": "2023-06-01"})).await, 2);
    assert_eq!(count(json!(null), json!({"region": "4419"})).await, 1);
    assert_eq!(count(json!(null), json!({"creditCode": "913302266884021700"})).await, 1);
    assert_eq!(
        count(json!(null), json!({"from": "2022-01-01", "to": "2022-12-31"})).await,
        1
    );
    let brands = app
        .data(r#"{ brands(schemes: [ZHEJIANG_MADE, WELL_KNOWN_TRADEMARK], filter: {activeOn: "2021-01-01"}) { totalCount } titles(filter: {region: "330226"}) { totalCount nodes { name regionCode } } }"#, json!({}))
        .await;
    assert_eq!(brands["brands"]["totalCount"], 2);
    assert_eq!(
        brands["titles"]["totalCount"], 2,
        "a title of an enterprise there and a title of the place"
    );

    // Enterprises by region, list on a day, brand scheme, zone membership on a day.
    let ent =
        r#"query($f: EnterpriseFilter) { enterprises(filter: $f, first: 10) { totalCount nodes { creditCode } } }"#;
    let codes = |f: Value| {
        let app = &app;
        async move {
            strs(
                &app.data(ent, json!({"f": f})).await["enterprises"]["nodes"],
                "creditCode",
            )
        }
    };
    assert_eq!(codes(json!({"region": "330226"})).await.len(), 4);
    assert_eq!(
        codes(json!({"creditLists": ["ABNORMAL_OPERATIONS"], "on": "2021-12-01"})).await,
        ["913302266884021700"]
    );
    assert!(
        codes(json!({"creditLists": ["ABNORMAL_OPERATIONS"], "on": "2022-12-01"}))
            .await
            .is_empty()
    );
    assert_eq!(
        codes(json!({"brandSchemes": ["ZHEJIANG_MADE"], "on": "2020-01-01"})).await,
        ["91330226573218648K"]
    );
    assert_eq!(
        codes(json!({"zone": "zj-ninghai-stationery", "on": "2020-01-01"}))
            .await
            .len(),
        2
    );
    assert_eq!(
        codes(json!({"zone": "zj-ninghai-stationery", "on": "2022-01-01"})).await,
        ["91330226573218648K"]
    );
    assert_eq!(codes(json!({"creditCodeValid": false})).await, ["91330226MA2AH12345"]);
    assert_eq!(
        codes(json!({"knownOnlyByReference": true})).await,
        ["91330226MA2CL5678K"]
    );
    assert_eq!(
        app.error_code(ent, json!({"f": {"zone": "no-such-zone"}})).await,
        "BAD_USER_INPUT"
    );

    // Zones: phase on a day, members on a day, history.
    let zq = r#"query($on: Date, $status: [ZoneStatus!], $first: Int, $after: String) {
        zones(status: $status, on: $on, first: $first, after: $after) {
          totalCount nodes { code status(on: $on) region { fullName county } } pageInfo { hasNextPage endCursor } } }"#;
    let z = app.data(zq, json!({"on": "2019-01-01", "status": ["ACCEPTED"]})).await;
    assert_eq!(strs(&z["zones"]["nodes"], "code"), ["zj-ninghai-moulds"]);
    let z = app.data(zq, json!({"on": "2024-01-01", "status": ["ACCEPTED"]})).await;
    assert_eq!(strs(&z["zones"]["nodes"], "code"), ["zj-ninghai-stationery"]);
    // Paging through zones one at a time.
    let p1 = app.data(zq, json!({"first": 1})).await["zones"].clone();
    assert_eq!(
        (p1["totalCount"].as_i64(), p1["pageInfo"]["hasNextPage"].as_bool()),
        (Some(2), Some(true))
    );
    let p2 = app
        .data(zq, json!({"first": 1, "after": p1["pageInfo"]["endCursor"]}))
        .await["zones"]
        .clone();
    assert_eq!(strs(&p2["nodes"], "code"), ["zj-ninghai-stationery"]);
    assert_eq!(p2["pageInfo"]["hasNextPage"], false);
    // Region names come from a loaded division list.
    let divisions = "code,name,cityCode,provinceCode\n330226,\"宁海县\",3302,33\n";
    app.import_text("areas.csv", divisions).await;
    app.import_text("cities.csv", "code,name,provinceCode\n3302,\"宁波市\",33\n")
        .await;
    app.import_text("provinces.csv", "code,name\n33,\"浙江省\"\n").await;
    let z = app.data(zq, json!({"first": 1})).await["zones"].clone();
    assert_eq!(
        z["nodes"][0]["region"],
        json!({"fullName": "浙江省宁波市宁海县", "county": "宁海县"})
    );
    let members = r#"query($on: Date) { zone(code: "zj-ninghai-stationery") { name level history { status date }
        members(asOf: $on) { role enterprise { name } } all: members(all: true) { exitedOn exitReason } } }"#;
    let m = app.data(members, json!({"on": "2020-06-01"})).await["zone"].clone();
    assert_eq!(m["members"].as_array().unwrap().len(), 2);
    assert_eq!(m["history"].as_array().unwrap().len(), 3);
    let m = app.data(members, json!({"on": "2022-06-01"})).await["zone"].clone();
    assert_eq!(
        m["members"],
        json!([{"role": "LEAD", "enterprise": {"name": "宁波市海洋文具有限公司"}}])
    );
    assert_eq!(m["all"][1]["exitReason"], "产品不再出口");
    // The same zone by its global ID; an ID of another type is refused.
    let id = app
        .data(r#"{ zone(code: "zj-ninghai-stationery") { id } }"#, json!({}))
        .await["zone"]["id"]
        .clone();
    let by_id = app
        .data("query($id: ID) { zone(id: $id) { code } }", json!({"id": id}))
        .await;
    assert_eq!(by_id["zone"]["code"], "zj-ninghai-stationery");
    let e = app
        .data(r#"{ enterprise(creditCode: "91330226573218648K") { id } }"#, json!({}))
        .await["enterprise"]["id"]
        .clone();
    assert_eq!(
        app.error_code("query($id: ID) { zone(id: $id) { code } }", json!({"id": e}))
            .await,
        "INVALID_ID"
    );
    app.finish().await;
});

const SEARCH: &str = r#"query($q: String!, $f: EnterpriseSearchFilter) { searchEnterprises(query: $q, filter: $f, first: 10) {
  estimatedTotalCount edges { node { creditCode name } highlights { name mainProducts } }
  facets { field values { value count } } } }"#;

both_backends!(enterprise_search_in_chinese, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    app.wait_indexed().await;
    let codes = |q: &'static str, f: Value| {
        let app = &app;
        async move {
            let d = app.data(SEARCH, json!({"q": q, "f": f})).await["searchEnterprises"].clone();
            d["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["creditCode"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // A name, a part of a name, a product, a former name, traditional characters.
    assert_eq!(
        codes("海洋文具", json!(null)).await.first().map(String::as_str),
        Some("91330226573218648K")
    );
    assert!(
        codes("模具", json!(null))
            .await
            .contains(&"913302266884021700".to_string())
    );
    assert_eq!(codes("中性笔", json!(null)).await, ["91330226573218648K"]);
    assert_eq!(
        codes("海洋文具厂", json!(null)).await.first().map(String::as_str),
        Some("91330226573218648K")
    );
    assert_eq!(
        codes("東莞 玩具", json!(null)).await.first().map(String::as_str),
        Some("91441900MA4W12345Q")
    );
    // The credit code, whole or its organisation part.
    assert_eq!(codes("91330226573218648K", json!(null)).await, ["91330226573218648K"]);
    assert_eq!(codes("573218648", json!(null)).await, ["91330226573218648K"]);
    // Filters and facets (as of today).
    assert!(
        codes("有限公司", json!({"region": "4419"}))
            .await
            .iter()
            .all(|c| c == "91441900MA4W12345Q")
    );
    assert_eq!(
        codes("有限公司", json!({"creditLists": ["SERIOUS_DISHONEST"]})).await,
        ["91441900MA4W12345Q"]
    );
    assert_eq!(
        codes("有限公司", json!({"brandSchemes": ["WELL_KNOWN_TRADEMARK"]})).await,
        ["91330226573218648K"]
    );
    let d = app.data(SEARCH, json!({"q": "有限公司"})).await["searchEnterprises"].clone();
    let h = d["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["creditCode"] == "91330226573218648K")
        .unwrap();
    assert!(h["highlights"]["name"].as_str().unwrap().contains("<mark>"));
    let fields: Vec<&str> = d["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["regionCode", "industry", "lists", "schemes"]);
    app.finish().await;
});

both_backends!(
    sheets_with_chinese_headers_and_mistyped_codes,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        let enterprises = "统一社会信用代码,企业名称,注册号,住所,行业,主要产品
91330226573218648K,宁波市海洋文具有限公司,330226000012345,宁海县跃龙街道,文具制造,中性笔、水彩笔
91330226MA2AH12345,宁海县校验错误电器有限公司,,,,
";
        let r = app.import_text("企业.csv", enterprises).await;
        assert_eq!((r.added, r.rejected.len()), (2, 0), "{:?}", r.rejected);
        let abnormal = "统一社会信用代码,企业名称,列入经营异常名录原因,列入日期,作出决定机关,移出原因,移出日期,移出决定机关
91330226573218648K,宁波市海洋文具有限公司,未按规定期限公示年度报告,2021-06-10,宁海县市场监督管理局,补报未报年份的年度报告并公示,2022-03-01,宁海县市场监督管理局
91330226MA2CL5678K,宁海县新来户外用品有限公司,通过登记的住所或者经营场所无法联系,2023-05-06,宁海县市场监督管理局,,,
9133022657321864,坏代码,未按规定期限公示年度报告,2023-05-06,宁海县市场监督管理局,,,
";
        let r = app.import_text("经营异常名录.csv", abnormal).await;
        assert_eq!(r.added, 2);
        assert_eq!(r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(), [4]);
        let q = r#"query($c: String!) { enterprise(creditCode: $c) { name knownOnlyByReference mainProducts
        creditEntries { list reason listedOn removedOn removalReason authority } } }"#;
        let e = app.data(q, json!({"c": "91330226573218648K"})).await["enterprise"].clone();
        assert_eq!(e["mainProducts"], json!(["中性笔", "水彩笔"]));
        assert_eq!(
            e["creditEntries"],
            json!([{"list": "ABNORMAL_OPERATIONS", "reason": "未按规定期限公示年度报告", "listedOn": "2021-06-10",
            "removedOn": "2022-03-01", "removalReason": "补报未报年份的年度报告并公示", "authority": "宁海县市场监督管理局"}])
        );
        let by_ref = app.data(q, json!({"c": "91330226MA2CL5678K"})).await["enterprise"].clone();
        assert_eq!(by_ref["knownOnlyByReference"], true);
        assert_eq!(by_ref["name"], "宁海县新来户外用品有限公司");
        // A published code that fails its check is found; a mistyped one is refused, naming the expected character.
        assert_eq!(
            app.data(q, json!({"c": "91330226MA2AH12345"})).await["enterprise"]["name"],
            "宁海县校验错误电器有限公司"
        );
        let body = app.gql(q, json!({"c": "91330226573218648A"})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("'K'"), "{body}");
        app.finish().await;
    }
);

both_backends!(listing_and_zone_search, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    load(&app).await;
    app.wait_indexed().await;
    let q = r#"query($q: String!) {
        c: searchCreditEntries(query: $q) { estimatedTotalCount edges { node { list enterprise { name } } highlights { reason } } }
        b: searchBrands(query: $q, schemes: [ZHEJIANG_MADE, WELL_KNOWN_TRADEMARK]) { estimatedTotalCount edges { node { scheme product } } facets { field values { value count } } }
        t: searchTitles(query: $q) { estimatedTotalCount edges { node { name } } }
        z: searchZones(query: $q) { estimatedTotalCount edges { node { code } highlights { name enterpriseName } } facets { field values { value count } } } }"#;
    let d = app.data(q, json!({"q": "年度报告"})).await;
    assert_eq!(d["c"]["estimatedTotalCount"], 1);
    assert_eq!(d["c"]["edges"][0]["node"]["list"], "ABNORMAL_OPERATIONS");
    assert!(
        d["c"]["edges"][0]["highlights"]["reason"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    let d = app.data(q, json!({"q": "中性笔"})).await;
    assert_eq!(
        d["b"]["edges"][0]["node"],
        json!({"scheme": "ZHEJIANG_MADE", "product": "中性笔"})
    );
    let facet_fields: Vec<&str> = d["b"]["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(facet_fields, ["scheme", "level", "regionPrefixes", "year"]);
    let d = app.data(q, json!({"q": "质量奖"})).await;
    assert_eq!(d["t"]["edges"][0]["node"]["name"], "宁海县政府质量奖");
    // Zones by name, and by a member enterprise's name.
    let d = app.data(q, json!({"q": "文具 示范区"})).await;
    assert_eq!(d["z"]["edges"][0]["node"]["code"], "zj-ninghai-stationery");
    let d = app.data(q, json!({"q": "海洋文具"})).await;
    assert_eq!(d["z"]["edges"][0]["node"]["code"], "zj-ninghai-stationery");
    assert!(
        d["z"]["edges"][0]["highlights"]["enterpriseName"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    app.finish().await;
});
