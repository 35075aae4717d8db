//! Operate (issue 13) on SQLite and PostgreSQL: a county office's key publishes a zone member, revokes a title and
//! uploads a credit-list sheet, each seen in listings, search and the audit trail, and is refused in another
//! county; and the security rules, each refused with its code and changing nothing (database and search).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};

/// Written for these tests: two counties (宁海 330226, 东莞 441900), valid credit codes.
const FIXTURE: &str = r#"{"type":"enterprise","creditCode":"91330226573218648K","name":"宁波市海洋文具有限公司","regionCode":"330226"}
{"type":"enterprise","creditCode":"913302266884021700","name":"宁海县兴华模具有限公司","regionCode":"330226"}
{"type":"enterprise","creditCode":"91441900MA4W12345Q","name":"东莞市乐童玩具有限公司","regionCode":"441900"}
{"type":"title","creditCode":"91330226573218648K","scheme":"GOVERNMENT_QUALITY_AWARD","name":"宁海县政府质量奖","level":"COUNTY","issuer":"宁海县人民政府","edition":"第三届","awardedOn":"2018-12-20"}
{"type":"title","creditCode":"91441900MA4W12345Q","scheme":"GOVERNMENT_QUALITY_AWARD","name":"东莞市政府质量奖","level":"CITY","issuer":"东莞市人民政府","awardedOn":"2019-12-20"}
{"type":"zone","code":"zj-ninghai-stationery","name":"浙江省宁海出口文具质量安全示范区","kind":"INDUSTRIAL","level":"NATIONAL","regionCode":"330226","industry":"文具","history":[{"status":"CULTIVATING","date":"2017-06-01"},{"status":"ACCEPTED","date":"2019-11-20"}]}
{"type":"zone","code":"gd-dongguan-toys","name":"广东省东莞出口玩具质量安全示范区","kind":"INDUSTRIAL","level":"NATIONAL","regionCode":"441900","industry":"玩具","history":[{"status":"ACCEPTED","date":"2017-12-01"}]}
{"type":"zoneMembership","zone":"zj-ninghai-stationery","creditCode":"91330226573218648K","role":"LEAD","admittedOn":"2018-03-01"}
"#;

/// A member to admit: a Ninghai enterprise not yet in any record.
const NEW_MEMBER: &str = "91330226MA2CL5678K";

async fn load(app: &TestApp) {
    let r = app.import_text("operate.jsonl", FIXTURE).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    app.wait_indexed().await;
}

/// An ADMIN key made the way `zhiliang keys create` makes one.
async fn admin_key(app: &TestApp) -> String {
    crate::common::admin_key(&app.db).await
}

/// Runs a GraphQL request with `Authorization: Bearer key`: (HTTP status, body).
async fn gql_as(app: &TestApp, key: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({"query": query, "variables": variables}));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn ok_as(app: &TestApp, key: &str, query: &str, variables: Value) -> Value {
    let (status, body) = gql_as(app, Some(key), query, variables).await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body.get("errors").is_none(), "errors: {body:#}");
    body["data"].clone()
}

async fn code_as(app: &TestApp, key: Option<&str>, query: &str, variables: Value) -> String {
    let (_, body) = gql_as(app, key, query, variables).await;
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body:#}"))
        .to_string()
}

const CREATE_KEY: &str = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret key { id name role catalogues regionPrefix } } }";
const PUT: &str =
    "mutation($i: PutRecordInput!) { putRecord(input: $i) { recordType id key action version auditId replayed } }";
const END: &str = "mutation($i: EndRecordInput!) { endRecord(input: $i) { recordType id action version auditId } }";
const DELETE: &str = "mutation($i: DeleteRecordInput!) { deleteRecord(input: $i) { recordType id action version } }";
const AUDIT: &str = "query($f: AuditFilter, $first: Int) { auditTrail(filter: $f, first: $first) { totalCount nodes { id actor keyId source action recordType recordId recordKey version before after requestId jobId } } }";

async fn ninghai_key(app: &TestApp, admin: &str) -> (String, String) {
    let d = ok_as(
        app,
        admin,
        CREATE_KEY,
        json!({"i": {"name": "宁海县市场监督管理局", "role": "EDITOR", "catalogues": ["ZONES", "LISTINGS"], "regionPrefix": "330226"}}),
    )
    .await;
    let k = &d["createApiKey"];
    assert_eq!(k["key"]["catalogues"], json!(["LISTINGS", "ZONES"]));
    assert!(k["secret"].as_str().unwrap().starts_with("zk_"));
    (
        k["secret"].as_str().unwrap().to_string(),
        k["key"]["id"].as_str().unwrap().to_string(),
    )
}

/// A `multipart/form-data` body with one file part, made by hand (no client library needed).
fn multipart(file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "zhiliang-test-boundary-7f3a";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n上传说明\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, key: Option<&str>, file_name: &str, content: &[u8]) -> reqwest::Response {
    let (ct, body) = multipart(file_name, content);
    let mut req = app
        .http
        .post(format!("{}/uploads", app.base))
        .header("content-type", ct)
        .header("x-request-id", "upload-req-1")
        .body(body);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    req.send().await.unwrap()
}

/// Polls `GET /uploads/{id}` until the job is DONE or FAILED.
async fn job_done(app: &TestApp, key: &str, status_url: &str) -> Value {
    let start = Instant::now();
    loop {
        let v: Value = app
            .http
            .get(format!("{}{status_url}", app.base))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if matches!(v["status"].as_str(), Some("DONE" | "FAILED")) {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "job still {v:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn title_ids(app: &TestApp, code: &str) -> Vec<(String, Value)> {
    let d = app
        .data(
            "query($c: String) { enterprise(creditCode: $c) { titles { id revokedOn status } } }",
            json!({"c": code}),
        )
        .await;
    d["enterprise"]["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t.clone()))
        .collect()
}

async fn members(app: &TestApp, zone: &str) -> Vec<Value> {
    let d = app
        .data(
            "query($z: String) { zone(code: $z) { members(all: true) { id role admittedOn exitedOn enterprise { creditCode name } } } }",
            json!({"z": zone}),
        )
        .await;
    d["zone"]["members"].as_array().unwrap().clone()
}

async fn audit_count(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_log",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

both_backends!(
    a_county_office_publishes_revokes_and_uploads_in_its_county_only,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load(&app).await;
        let admin = admin_key(&app).await;
        let (ninghai, ninghai_id) = ninghai_key(&app, &admin).await;
        let v = ok_as(
            &app,
            &ninghai,
            "{ viewerKey { name role regionPrefix active } }",
            json!({}),
        )
        .await;
        assert_eq!(v["viewerKey"]["regionPrefix"], "330226");

        // 1. A new zone member, published by the county's key.
        let d = ok_as(
            &app,
            &ninghai,
            PUT,
            json!({"i": {"record": {"type": "zoneMembership", "zone": "zj-ninghai-stationery", "creditCode": NEW_MEMBER,
            "enterpriseName": "宁海县新来户外用品有限公司", "role": "MEMBER", "admittedOn": "2026-11-30"}}}),
        )
        .await;
        let put = &d["putRecord"];
        assert_eq!(put["recordType"], "ZONE_MEMBERSHIP");
        assert_eq!(put["action"], "CREATED");
        assert_eq!(put["version"], 1);
        let m = members(&app, "zj-ninghai-stationery").await;
        let new = m
            .iter()
            .find(|x| x["enterprise"]["creditCode"] == NEW_MEMBER)
            .unwrap_or_else(|| panic!("the new member is listed: {m:?}"));
        assert_eq!(new["admittedOn"], "2026-11-30");
        assert_eq!(new["id"], put["id"], "the payload's ID is the member's");

        // 2. A title of the county revoked.
        let titles = title_ids(&app, "91330226573218648K").await;
        assert_eq!(titles.len(), 1);
        let title_id = titles[0].0.clone();
        let d = ok_as(
        &app,
        &ninghai,
        END,
        json!({"i": {"id": title_id, "on": "2026-12-01", "reason": "弄虚作假骗取称号", "authority": "宁海县人民政府"}}),
    )
    .await;
        assert_eq!(d["endRecord"]["action"], "ENDED");
        let titles = title_ids(&app, "91330226573218648K").await;
        assert_eq!(titles[0].1["revokedOn"], "2026-12-01", "{titles:?}");
        assert_eq!(titles[0].1["status"], "REVOKED");

        // 3. A credit-list sheet uploaded over HTTP: the county's row loads, the other county's is rejected by line.
        let sheet = "统一社会信用代码,企业名称,列入经营异常名录原因,列入日期,作出决定机关\n\
                 913302266884021700,宁海县兴华模具有限公司,通过登记的住所或者经营场所无法联系,2026-11-20,宁海县市场监督管理局\n\
                 91441900MA4W12345Q,东莞市乐童玩具有限公司,未按规定期限公示年度报告,2026-11-21,东莞市市场监督管理局\n";
        let resp = upload(&app, Some(&ninghai), "宁海县经营异常名录.csv", sheet.as_bytes()).await;
        assert_eq!(resp.status().as_u16(), 202);
        assert_eq!(resp.headers()["x-request-id"], "upload-req-1");
        let accepted: Value = resp.json().await.unwrap();
        let job = job_done(&app, &ninghai, accepted["job"]["statusUrl"].as_str().unwrap()).await;
        assert_eq!(job["status"], "DONE", "{job:#}");
        assert_eq!(job["added"], 1, "{job:#}");
        assert_eq!(job["rejectedCount"], 1, "{job:#}");
        assert_eq!(job["rejections"][0]["line"], 3, "{job:#}");
        let why = job["rejections"][0]["reason"].as_str().unwrap();
        assert!(why.contains("forbidden") && why.contains("441900"), "{why}");
        let q = ok_as(
            &app,
            &ninghai,
            "query($id: ID!) { importJob(id: $id) { status rowsDone added rejectedCount rejections { line reason } } }",
            json!({"id": accepted["job"]["id"]}),
        )
        .await;
        assert_eq!(q["importJob"]["rowsDone"], 2);
        let listed = app
            .data(
                "{ creditEntries(lists: [ABNORMAL_OPERATIONS]) { nodes { reason enterprise { creditCode } } } }",
                json!({}),
            )
            .await;
        let codes: Vec<&str> = listed["creditEntries"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["enterprise"]["creditCode"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["913302266884021700"]);

        // Each is in search.
        app.wait_indexed().await;
        let s = app
            .data(
                "{ searchCreditEntries(query: \"无法联系\") { edges { node { enterprise { creditCode } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            s["searchCreditEntries"]["edges"][0]["node"]["enterprise"]["creditCode"],
            "913302266884021700"
        );
        let s = app
        .data(
            "{ search(query: \"宁海县新来户外用品有限公司\", first: 3) { edges { node { ... on Enterprise { creditCode } } } } }",
            json!({}),
        )
        .await;
        assert_eq!(s["search"]["edges"][0]["node"]["creditCode"], NEW_MEMBER, "{s:#}");

        // And in the audit trail, with the key, the source, before and after, and the request ids.
        let a = ok_as(&app, &admin, AUDIT, json!({"f": {"key": ninghai_id}, "first": 10})).await;
        let nodes = a["auditTrail"]["nodes"].as_array().unwrap();
        let seen: Vec<(&str, &str, &str)> = nodes
            .iter()
            .map(|n| {
                (
                    n["source"].as_str().unwrap(),
                    n["action"].as_str().unwrap(),
                    n["recordType"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("UPLOAD", "CREATED", "CreditEntry"),
                ("MUTATION", "ENDED", "Title"),
                ("MUTATION", "CREATED", "ZoneMembership"),
            ]
        );
        assert!(nodes.iter().all(|n| n["actor"] == "宁海县市场监督管理局"));
        assert_eq!(nodes[0]["requestId"], "upload-req-1");
        assert_eq!(nodes[0]["jobId"], accepted["job"]["id"]);
        assert!(nodes[1]["requestId"].as_str().is_some_and(|r| r.len() >= 8));
        assert_eq!(nodes[1]["before"]["ended_on"], Value::Null);
        assert!(
            nodes[1]["after"]["ended_on"]
                .as_str()
                .unwrap()
                .starts_with("2026-12-01")
        );
        assert_eq!(nodes[1]["recordId"], title_id);
        assert_eq!(nodes[2]["before"], Value::Null);

        // The same key in the other county: refused, nothing changed.
        let audited = audit_count(&app).await;
        let code = code_as(
        &app,
        Some(&ninghai),
        PUT,
        json!({"i": {"record": {"type": "zoneMembership", "zone": "gd-dongguan-toys", "creditCode": "91441900MA4W12345Q", "admittedOn": "2026-12-01"}}}),
    )
    .await;
        assert_eq!(code, "FORBIDDEN");
        assert!(members(&app, "gd-dongguan-toys").await.is_empty());
        let dongguan_title = title_ids(&app, "91441900MA4W12345Q").await[0].0.clone();
        assert_eq!(
            code_as(&app, Some(&ninghai), END, json!({"i": {"id": dongguan_title}})).await,
            "FORBIDDEN"
        );
        assert_eq!(
            title_ids(&app, "91441900MA4W12345Q").await[0].1["revokedOn"],
            Value::Null
        );
        // Nor can it move its own zone to another county (the new value is checked too).
        let code = code_as(
        &app,
        Some(&ninghai),
        PUT,
        json!({"i": {"record": {"type": "zone", "code": "zj-ninghai-stationery", "name": "浙江省宁海出口文具质量安全示范区",
            "kind": "INDUSTRIAL", "level": "NATIONAL", "regionCode": "441900"}}}),
    )
    .await;
        assert_eq!(code, "FORBIDDEN");
        let z = app
            .data(
                "{ zone(code: \"zj-ninghai-stationery\") { regionCode history { status } } }",
                json!({}),
            )
            .await;
        assert_eq!(z["zone"]["regionCode"], "330226");
        assert_eq!(z["zone"]["history"].as_array().unwrap().len(), 2);
        // Nor write a catalogue it does not have, nor a record without a region.
        let code = code_as(
        &app,
        Some(&ninghai),
        PUT,
        json!({"i": {"record": {"type": "enterprise", "creditCode": NEW_MEMBER, "name": "改名", "regionCode": "330226"}}}),
    )
    .await;
        assert_eq!(code, "FORBIDDEN");
        // Nor bring another county's enterprise in by giving its listing a region code of its own.
        let code = code_as(
            &app,
            Some(&ninghai),
            PUT,
            json!({"i": {"record": {"type": "creditEntry", "creditCode": "91441900MA4W12345Q", "regionCode": "330226",
            "list": "ABNORMAL_OPERATIONS", "reason": "未按规定期限公示年度报告", "listedOn": "2026-12-01"}}}),
        )
        .await;
        assert_eq!(code, "FORBIDDEN");
        assert_eq!(audit_count(&app).await, audited, "refusals leave no audit entry");
        // Search still shows the other county's title as it was.
        app.wait_indexed().await;
        let s = app
            .data(
                "{ searchTitles(query: \"东莞市政府质量奖\") { edges { node { revokedOn } } } }",
                json!({}),
            )
            .await;
        assert_eq!(s["searchTitles"]["edges"][0]["node"]["revokedOn"], Value::Null, "{s:#}");
        app.finish().await;
    }
);

both_backends!(
    keys_roles_versions_idempotency_and_the_append_only_trail,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load(&app).await;
        let admin = admin_key(&app).await;
        let (ninghai, ninghai_id) = ninghai_key(&app, &admin).await;
        let zone_record = |industry: &str| {
            json!({"type": "zone", "code": "zj-ninghai-stationery", "name": "浙江省宁海出口文具质量安全示范区", "kind": "INDUSTRIAL",
            "level": "NATIONAL", "regionCode": "330226", "industry": industry,
            "history": [{"status": "CULTIVATING", "date": "2017-06-01"}, {"status": "ACCEPTED", "date": "2019-11-20"}]})
        };

        // No key: reads work, writes are refused.
        app.data("{ zone(code: \"zj-ninghai-stationery\") { name } }", json!({}))
            .await;
        assert_eq!(
            code_as(&app, None, PUT, json!({"i": {"record": zone_record("笔")}})).await,
            "UNAUTHENTICATED"
        );
        // A key that is not one, a revoked one, an expired one: 401 for any request, even a read.
        for bad in ["zk_not-a-key", "Basic abc", ""] {
            let (status, body) = gql_as(&app, Some(bad), "{ zone(code: \"x\") { name } }", json!({})).await;
            assert_eq!(status, 401, "{bad:?}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        }
        let d = ok_as(
        &app,
        &admin,
        CREATE_KEY,
        json!({"i": {"name": "临时", "role": "EDITOR", "catalogues": ["ZONES"], "expiresAt": "2099-01-01T00:00:00Z"}}),
    )
    .await;
        let temp = d["createApiKey"]["secret"].as_str().unwrap().to_string();
        let temp_id = d["createApiKey"]["key"]["id"].as_str().unwrap().to_string();
        ok_as(&app, &temp, "{ viewerKey { name } }", json!({})).await;
        {
            use sea_orm::ConnectionTrait;
            app.db
                .execute_unprepared("UPDATE api_key SET expires_at = '2020-01-01 00:00:00+00:00' WHERE name = '临时'")
                .await
                .unwrap();
        }
        assert_eq!(
            gql_as(&app, Some(&temp), "{ viewerKey { name } }", json!({})).await.0,
            401
        );
        let d = ok_as(
            &app,
            &admin,
            "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { key { active revokedAt } } }",
            json!({"i": {"id": ninghai_id}}),
        )
        .await;
        assert_eq!(d["revokeApiKey"]["key"]["active"], false);
        let (status, _) = gql_as(&app, Some(&ninghai), PUT, json!({"i": {"record": zone_record("笔")}})).await;
        assert_eq!(status, 401, "a revoked key is refused");
        let _ = temp_id;

        // Raising one's own role, reading keys or the trail: admins only.
        let (editor, _) = {
            let d = ok_as(
                &app,
                &admin,
                CREATE_KEY,
                json!({"i": {"name": "宁海二", "role": "EDITOR", "catalogues": ["ZONES"], "regionPrefix": "330226"}}),
            )
            .await;
            (d["createApiKey"]["secret"].as_str().unwrap().to_string(), ())
        };
        assert_eq!(
            code_as(
                &app,
                Some(&editor),
                CREATE_KEY,
                json!({"i": {"name": "我是管理员", "role": "ADMIN"}})
            )
            .await,
            "FORBIDDEN"
        );
        assert_eq!(
            code_as(&app, Some(&editor), "{ apiKeys { name } }", json!({})).await,
            "FORBIDDEN"
        );
        assert_eq!(code_as(&app, Some(&editor), AUDIT, json!({})).await, "FORBIDDEN");
        let keys = ok_as(&app, &admin, "{ apiKeys { name role } }", json!({})).await;
        assert!(
            !keys["apiKeys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["name"] == "我是管理员")
        );
        // A READER key writes nothing.
        let d = ok_as(
            &app,
            &admin,
            CREATE_KEY,
            json!({"i": {"name": "门户", "role": "READER"}}),
        )
        .await;
        let reader = d["createApiKey"]["secret"].as_str().unwrap().to_string();
        assert_eq!(
            code_as(&app, Some(&reader), PUT, json!({"i": {"record": zone_record("笔")}})).await,
            "FORBIDDEN"
        );

        // Versions: a stale one is a conflict and changes nothing.
        let d = ok_as(
            &app,
            &editor,
            PUT,
            json!({"i": {"record": zone_record("文具、笔"), "expectedVersion": 1}}),
        )
        .await;
        assert_eq!(d["putRecord"]["action"], "UPDATED");
        assert_eq!(d["putRecord"]["version"], 2, "the import made version 1");
        assert_eq!(
            code_as(
                &app,
                Some(&editor),
                PUT,
                json!({"i": {"record": zone_record("铅笔"), "expectedVersion": 1}})
            )
            .await,
            "VERSION_CONFLICT"
        );
        let z = app
            .data("{ zone(code: \"zj-ninghai-stationery\") { id industry } }", json!({}))
            .await;
        assert_eq!(z["zone"]["industry"], "文具、笔");
        let v = app
            .data(
                "query($id: ID!) { recordVersion(id: $id) }",
                json!({"id": z["zone"]["id"]}),
            )
            .await;
        assert_eq!(v["recordVersion"], 2);
        assert_eq!(
            code_as(
                &app,
                Some(&editor),
                PUT,
                json!({"i": {"record": zone_record("铅笔"), "expectedVersion": 0}})
            )
            .await,
            "VERSION_CONFLICT",
            "0 means the record must not exist yet"
        );

        // Writing a record again as it is makes no new version and no audit entry (a re-import, a retried upload).
        let audited = audit_count(&app).await;
        let same = ok_as(&app, &editor, PUT, json!({"i": {"record": zone_record("文具、笔")}})).await;
        assert_eq!(same["putRecord"]["action"], "UNCHANGED");
        assert_eq!(same["putRecord"]["version"], 2);
        assert_eq!(same["putRecord"]["auditId"], Value::Null);
        let r = app.import_text("again.jsonl", FIXTURE).await;
        assert!(r.rejected.is_empty());
        assert_eq!(
            audit_count(&app).await,
            audited + 1,
            "only the zone, whose industry the file sets back, is a change"
        );
        let gone = zhiliang::graphql::ids::encode("Zone", 999_999);
        let v = app
            .data("query($id: ID!) { recordVersion(id: $id) }", json!({"id": gone}))
            .await;
        assert_eq!(v["recordVersion"], Value::Null);

        // Idempotency: a retry answers the first result again; the key with another body is refused.
        let audited = audit_count(&app).await;
        let first = ok_as(
            &app,
            &editor,
            PUT,
            json!({"i": {"record": zone_record("文具用品"), "idempotencyKey": "retry-1"}}),
        )
        .await;
        let again = ok_as(
            &app,
            &editor,
            PUT,
            json!({"i": {"record": zone_record("文具用品"), "idempotencyKey": "retry-1"}}),
        )
        .await;
        assert_eq!(again["putRecord"]["replayed"], true);
        assert_eq!(again["putRecord"]["auditId"], first["putRecord"]["auditId"]);
        assert_eq!(again["putRecord"]["version"], first["putRecord"]["version"]);
        assert_eq!(audit_count(&app).await, audited + 1, "one change, one entry");
        assert_eq!(
            code_as(
                &app,
                Some(&editor),
                PUT,
                json!({"i": {"record": zone_record("玩具"), "idempotencyKey": "retry-1"}})
            )
            .await,
            "IDEMPOTENCY_KEY_REUSED"
        );
        let z = app
            .data("{ zone(code: \"zj-ninghai-stationery\") { industry } }", json!({}))
            .await;
        assert_eq!(z["zone"]["industry"], "文具用品");

        // Validation is the import's, with its code; a server file is never read.
        assert_eq!(
            code_as(
                &app,
                Some(&editor),
                PUT,
                json!({"i": {"record": {"type": "zone", "code": "x y"}}})
            )
            .await,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            code_as(
                &app,
                Some(&admin),
                PUT,
                json!({"i": {"record": {"type": "policy", "title": "t", "sourceFile": "../../../etc/passwd"}}})
            )
            .await,
            "BAD_USER_INPUT"
        );

        // The audit trail cannot be changed, not even by the database user of the service.
        {
            use sea_orm::ConnectionTrait;
            assert!(
                app.db
                    .execute_unprepared("UPDATE audit_log SET actor = 'nobody'")
                    .await
                    .is_err()
            );
            assert!(app.db.execute_unprepared("DELETE FROM audit_log").await.is_err());
        }
        assert!(audit_count(&app).await > 0);
        let a = ok_as(&app, &admin, AUDIT, json!({"f": {"actor": "宁海二"}, "first": 100})).await;
        assert!(
            a["auditTrail"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| n["actor"] == "宁海二")
        );

        // Deletion: admins only; it leaves a tombstone and takes the document out of search.
        let title = title_ids(&app, "91330226573218648K").await[0].0.clone();
        assert_eq!(
            code_as(&app, Some(&editor), DELETE, json!({"i": {"id": title}})).await,
            "FORBIDDEN"
        );
        let zone_id = z_id(&app).await;
        assert_eq!(
            code_as(&app, Some(&admin), DELETE, json!({"i": {"id": zone_id}})).await,
            "RECORD_IN_USE",
            "a zone with members"
        );
        let d = ok_as(&app, &admin, DELETE, json!({"i": {"id": title}})).await;
        assert_eq!(d["deleteRecord"]["action"], "DELETED");
        let n = app
            .data("query($id: ID!) { node(id: $id) { id } }", json!({"id": title}))
            .await;
        assert_eq!(n["node"], Value::Null);
        app.wait_indexed().await;
        let s = app
            .data(
                "{ searchTitles(query: \"宁海县政府质量奖\") { edges { node { id } } } }",
                json!({}),
            )
            .await;
        assert!(s["searchTitles"]["edges"].as_array().unwrap().is_empty(), "{s:#}");
        {
            use sea_orm::{ConnectionTrait, Statement};
            let row = app
                .db
                .query_one_raw(Statement::from_string(
                    app.db.get_database_backend(),
                    "SELECT record_type FROM tombstone",
                ))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get::<String>("", "record_type").unwrap(), "Title");
        }
        app.finish().await;
    }
);

async fn z_id(app: &TestApp) -> String {
    let z = app
        .data("{ zone(code: \"zj-ninghai-stationery\") { id } }", json!({}))
        .await;
    z["zone"]["id"].as_str().unwrap().to_string()
}

both_backends!(
    writes_searches_and_refused_keys_are_rate_limited,
    |backend: Backend| async move {
        let app = TestApp::spawn_with(backend, |s| {
            s.write_per_minute = 2;
            s.search_per_minute = 2;
            s.key_failures_per_hour = 2;
        })
        .await;
        load(&app).await;
        let admin = admin_key(&app).await;
        let record = json!({"type": "zone", "code": "zj-test", "name": "测试示范区", "kind": "INDUSTRIAL", "level": "PROVINCIAL", "regionCode": "330226"});
        for _ in 0..2 {
            ok_as(&app, &admin, PUT, json!({"i": {"record": record}})).await;
        }
        let resp = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&admin)
            .json(&json!({"query": PUT, "variables": {"i": {"record": record}}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 429);
        let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        // Searches, hidden in a fragment too.
        let search = "{ ... on Query { searchZones(query: \"示范区\") { estimatedTotalCount } } }";
        assert_eq!(gql_as(&app, None, search, json!({})).await.0, 200);
        assert_eq!(gql_as(&app, None, search, json!({})).await.0, 200);
        assert_eq!(gql_as(&app, None, search, json!({})).await.0, 429);
        // Exports are expensive reads too, in the same count.
        let export = app
            .http
            .get(format!("{}/exports/zones.csv", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(export.status().as_u16(), 429);
        assert!(export.headers().contains_key("retry-after"));
        // Listings are not searches.
        assert_eq!(gql_as(&app, None, "{ zones { totalCount } }", json!({})).await.0, 200);
        // Guessing keys: refused, then the address is stopped, even with a good key.
        for _ in 0..2 {
            assert_eq!(
                gql_as(&app, Some("zk_guess"), "{ zones { totalCount } }", json!({}))
                    .await
                    .0,
                401
            );
        }
        assert_eq!(
            gql_as(&app, Some("zk_guess"), "{ zones { totalCount } }", json!({}))
                .await
                .0,
            429
        );
        assert_eq!(
            gql_as(&app, Some(&admin), "{ zones { totalCount } }", json!({}))
                .await
                .0,
            429
        );
        // Without a key the public API still answers.
        assert_eq!(gql_as(&app, None, "{ zones { totalCount } }", json!({})).await.0, 200);
        app.finish().await;
    }
);

both_backends!(uploads_refuse_what_they_cannot_import, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, |s| s.max_upload_bytes = 4096).await;
    load(&app).await;
    let admin = admin_key(&app).await;
    assert_eq!(upload(&app, None, "a.csv", b"x").await.status().as_u16(), 401);
    let d = ok_as(
        &app,
        &admin,
        CREATE_KEY,
        json!({"i": {"name": "门户", "role": "READER"}}),
    )
    .await;
    let reader = d["createApiKey"]["secret"].as_str().unwrap().to_string();
    assert_eq!(upload(&app, Some(&reader), "a.csv", b"x").await.status().as_u16(), 403);
    let r = upload(&app, Some(&admin), "run.sh", b"echo hi").await;
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    let big = vec![b'a'; 10_000];
    assert_eq!(
        upload(&app, Some(&admin), "big.jsonl", &big).await.status().as_u16(),
        413
    );
    // A file that is no known sheet: the job fails and says why, by the name it was sent with.
    let r = upload(&app, Some(&admin), "名单.csv", "甲,乙\n1,2\n".as_bytes()).await;
    assert_eq!(r.status().as_u16(), 202);
    let v: Value = r.json().await.unwrap();
    let job = job_done(&app, &admin, v["job"]["statusUrl"].as_str().unwrap()).await;
    assert_eq!(job["status"], "FAILED");
    assert!(job["error"].as_str().unwrap().contains("名单.csv"), "{job:#}");
    // JSON Lines: good rows load, bad ones are listed by line; sourceFile is refused.
    let lines = format!(
        "{}\n{{\"type\":\"zone\",\"code\":\"\"}}\n{{\"type\":\"policy\",\"title\":\"x\",\"sourceFile\":\"/etc/passwd\"}}\n",
        json!({"type": "zone", "code": "zj-up", "name": "上传示范区", "kind": "INDUSTRIAL", "level": "PROVINCIAL", "regionCode": "330226"})
    );
    let r = upload(&app, Some(&admin), "zones.jsonl", lines.as_bytes()).await;
    let v: Value = r.json().await.unwrap();
    let job = job_done(&app, &admin, v["job"]["statusUrl"].as_str().unwrap()).await;
    assert_eq!(job["status"], "DONE");
    assert_eq!(job["added"], 1);
    let lines: Vec<i64> = job["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 3], "{job:#}");
    assert!(job["rejections"][1]["reason"].as_str().unwrap().contains("sourceFile"));
    // Another key cannot read the job.
    let d = ok_as(
        &app,
        &admin,
        CREATE_KEY,
        json!({"i": {"name": "别人", "role": "EDITOR", "catalogues": ["ZONES"]}}),
    )
    .await;
    let other = d["createApiKey"]["secret"].as_str().unwrap().to_string();
    let s = app
        .http
        .get(format!("{}{}", app.base, v["job"]["statusUrl"].as_str().unwrap()))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(s.status().as_u16(), 404);
    app.finish().await;
});

/// A GraphQL multipart request (the spec Apollo's upload clients follow), made by hand.
fn graphql_multipart(query: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "zhiliang-gql-boundary-91c2";
    let operations = json!({"query": query, "variables": {"f": null}}).to_string();
    let map = json!({"0": ["variables.f"]}).to_string();
    let mut body = Vec::new();
    for (name, value) in [("operations", operations), ("map", map)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\nContent-Type: application/x-ndjson\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

both_backends!(
    graphql_multipart_uploads_and_the_audit_export,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        load(&app).await;
        let admin = admin_key(&app).await;
        let (ninghai, _) = ninghai_key(&app, &admin).await;
        let upload_query = "mutation($f: Upload!) { uploadImport(input: {file: $f}) { job { id status fileName } } }";
        let lines = "{\"type\":\"title\",\"creditCode\":\"913302266884021700\",\"scheme\":\"GOVERNMENT_QUALITY_AWARD\",\"name\":\"宁海县政府质量奖\",\"level\":\"COUNTY\",\"edition\":\"第四届\",\"awardedOn\":\"2026-11-28\"}\n";
        let send = |key: Option<String>| {
            let (ct, body) = graphql_multipart(upload_query, "称号.jsonl", lines.as_bytes());
            let mut req = app
                .http
                .post(format!("{}/graphql", app.base))
                .header("content-type", ct)
                .body(body);
            if let Some(k) = key {
                req = req.bearer_auth(k);
            }
            req.send()
        };
        let body: Value = send(None).await.unwrap().json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body:#}");
        let resp = send(Some(ninghai.clone())).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body: Value = resp.json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body:#}");
        let job = &body["data"]["uploadImport"]["job"];
        assert_eq!(job["fileName"], "称号.jsonl");
        let id = job["id"].clone();
        let start = Instant::now();
        let done = loop {
            let d = ok_as(
                &app,
                &ninghai,
                "query($id: ID!) { importJob(id: $id) { status added rejectedCount } }",
                json!({"id": id}),
            )
            .await;
            if d["importJob"]["status"] == "DONE" {
                break d;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "{d:#}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(done["importJob"]["added"], 1);
        let titles = title_ids(&app, "913302266884021700").await;
        assert_eq!(titles.len(), 1, "the uploaded title is listed");

        // The audit export: ADMIN keys only; one JSON object a line; filtered.
        let url = format!("{}/audit.jsonl", app.base);
        assert_eq!(app.http.get(&url).send().await.unwrap().status().as_u16(), 401);
        assert_eq!(
            app.http
                .get(&url)
                .bearer_auth(&ninghai)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            403
        );
        let bad = app
            .http
            .get(format!("{url}?since=yesterday"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status().as_u16(), 400);
        let all = app.http.get(&url).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(all.status().as_u16(), 200);
        let text = all.text().await.unwrap();
        let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len() as i64, audit_count(&app).await, "every entry, once");
        let mine = app
            .http
            .get(&url)
            .query(&[("actor", "宁海县市场监督管理局"), ("action", "CREATED")])
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mine: Vec<Value> = mine.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!(mine[0]["source"], "UPLOAD");
        assert_eq!(mine[0]["recordType"], "Title");
        assert_eq!(mine[0]["jobId"], id);
        assert_eq!(mine[0]["after"]["name"], "宁海县政府质量奖");
        app.finish().await;
    }
);

both_backends!(aliased_mutations_count_one_write_each, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, |s| s.write_per_minute = 3).await;
    load(&app).await;
    let admin = admin_key(&app).await;
    let zone = |code: &str| json!({"type": "zone", "code": code, "name": "测试示范区", "kind": "INDUSTRIAL", "level": "PROVINCIAL", "regionCode": "330226"});
    let q = "mutation($a: PutRecordInput!, $b: PutRecordInput!) { a: putRecord(input: $a) { action } b: putRecord(input: $b) { action } }";
    let (status, body) = gql_as(
        &app,
        Some(&admin),
        q,
        json!({"a": {"record": zone("t-1")}, "b": {"record": zone("t-2")}}),
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    // Two more would be four in the minute: refused whole, nothing written.
    let (status, _) = gql_as(
        &app,
        Some(&admin),
        q,
        json!({"a": {"record": zone("t-3")}, "b": {"record": zone("t-4")}}),
    )
    .await;
    assert_eq!(status, 429);
    let z = app.data("{ zone(code: \"t-3\") { code } }", json!({})).await;
    assert_eq!(z["zone"], Value::Null);
    app.finish().await;
});

/// The audit trail's form of a stored row, read by each column's type (`write::row_json`), equals what sea-orm's
/// `JsonValue` reads, for every row of every table the demo data fill on PostgreSQL (text, integers, dates,
/// timestamps with and without zone, JSON, nulls).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_rows_read_by_column_type_equal_sea_orms_json() {
    use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};
    let app = TestApp::spawn(Backend::Postgres).await;
    app.import_all_demo().await;
    let tables = app
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        ))
        .await
        .unwrap();
    let mut compared = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for t in tables {
        let table: String = t.try_get("", "table_name").unwrap();
        let rows = app
            .db
            .query_all_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT * FROM \"{table}\" LIMIT 200"),
            ))
            .await
            .unwrap();
        for row in rows {
            let ours = zhiliang::operate::write::row_json(&row).unwrap();
            let theirs = JsonValue::from_query_result(&row, "").unwrap();
            assert_eq!(ours, theirs, "table {table}");
            use sea_orm::sqlx::{Column, Row, TypeInfo};
            let pg = row.try_as_pg_row().unwrap();
            kinds.extend(pg.columns().iter().map(|c| c.type_info().name().to_string()));
            compared += 1;
        }
    }
    assert!(compared > 100, "only {compared} rows compared");
    for kind in ["TEXT", "INT4", "DATE", "TIMESTAMPTZ"] {
        assert!(kinds.contains(kind), "no column of type {kind} compared: {kinds:?}");
    }
    app.finish().await;
}

/// On PostgreSQL the audit trail's row images are compressed with lz4 (the migration `audit_lz4`): both columns
/// are set so, the large images written after it (the demo's policies carry their whole text) are stored so, and
/// they read back whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_row_images_are_compressed_with_lz4_on_postgresql() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn(Backend::Postgres).await;
    app.import_all_demo().await;
    let query = |sql: &str| {
        app.db
            .query_all_raw(Statement::from_string(sea_orm::DbBackend::Postgres, sql.to_string()))
    };
    let columns: Vec<(String, String)> = query(
        "SELECT attname::text AS name, attcompression::text AS method FROM pg_attribute \
         WHERE attrelid = 'audit_log'::regclass AND attname IN ('before', 'after') ORDER BY attname",
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get("", "name").unwrap(), r.try_get("", "method").unwrap()))
    .collect();
    assert_eq!(
        columns,
        [
            ("after".to_string(), "l".to_string()),
            ("before".to_string(), "l".to_string())
        ]
    );
    let methods: Vec<(Option<String>, i64)> = query(
        "SELECT pg_column_compression(after) AS method, count(*) AS n FROM audit_log \
         WHERE after IS NOT NULL GROUP BY 1 ORDER BY 1",
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get("", "method").unwrap(), r.try_get("", "n").unwrap()))
    .collect();
    assert!(
        methods.iter().any(|(m, n)| m.as_deref() == Some("lz4") && *n > 0),
        "no row image was compressed with lz4: {methods:?}"
    );
    assert!(
        methods.iter().all(|(m, _)| m.as_deref() != Some("pglz")),
        "row images compressed with pglz: {methods:?}"
    );
    let longest = query(
        "SELECT after, length(after) AS len FROM audit_log WHERE pg_column_compression(after) = 'lz4' \
         ORDER BY length(after) DESC LIMIT 1",
    )
    .await
    .unwrap();
    let after: String = longest[0].try_get("", "after").unwrap();
    let len: i32 = longest[0].try_get("", "len").unwrap();
    assert_eq!(after.chars().count(), len as usize);
    let image: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert!(image.as_object().is_some_and(|m| m.len() > 3), "{after}");
    app.finish().await;
}

/// `db::bulk::insert` stores what a multi-row `INSERT ... VALUES` stores, on both backends (on PostgreSQL it sends
/// the rows as one JSON array): text with quotes, backslashes, line breaks, CJK and emoji, long text, nulls and set
/// integers, timestamps below the microsecond (truncated as bound values are); and what it returns names each row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_inserts_store_what_a_values_insert_stores() {
    use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
    use zhiliang::operate::entity::audit_log;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn(backend).await;
        let at = chrono::DateTime::from_timestamp(1_765_000_000, 123_456_789).unwrap();
        let texts = [
            "plain".to_string(),
            "quote \" backslash \\ slash / tab \t line\nbreak".to_string(),
            "食品安全国家标准 乳粉 🍼 «» \u{2028}".to_string(),
            "长".repeat(5_000),
        ];
        let rows = |actor: &str| -> Vec<audit_log::ActiveModel> {
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| audit_log::ActiveModel {
                    id: NotSet,
                    at: Set(at),
                    actor: Set(actor.to_string()),
                    key_id: Set((i % 2 == 0).then_some(i as i32 - 7)),
                    source: Set("bulk-test".into()),
                    action: Set("create".into()),
                    record_type: Set("notice".into()),
                    record_id: Set(Some(i as i32)),
                    record_key: Set(Some(format!("{actor}-{i}"))),
                    // Another version for each way: (record_type, record_id, version) is unique.
                    version: Set(if actor == "values" { 1 } else { 2 }),
                    before: Set(None),
                    after: Set(Some(t.clone())),
                    request_id: Set((i == 1).then(|| "req-1".to_string())),
                    job_id: Set(None),
                })
                .collect()
        };
        audit_log::Entity::insert_many(rows("values"))
            .exec_without_returning(&app.db)
            .await
            .unwrap();
        let returned = zhiliang::db::bulk::insert(
            &app.db,
            rows("bulk"),
            &[audit_log::Column::Id, audit_log::Column::RecordKey],
        )
        .await
        .unwrap();
        let read = |actor: &'static str| {
            audit_log::Entity::find()
                .filter(audit_log::Column::Actor.eq(actor))
                .order_by_asc(audit_log::Column::RecordId)
                .all(&app.db)
        };
        let (values, bulk) = (read("values").await.unwrap(), read("bulk").await.unwrap());
        assert_eq!(values.len(), texts.len(), "{backend:?}");
        assert_eq!(bulk.len(), texts.len(), "{backend:?}");
        for (v, b) in values.iter().zip(&bulk) {
            assert_eq!(b.at, v.at, "{backend:?}");
            assert_eq!(b.at.timestamp_subsec_micros(), 123_456, "{backend:?}");
            let same = |m: &audit_log::Model| audit_log::Model {
                id: 0,
                actor: String::new(),
                record_key: None,
                version: 0,
                ..m.clone()
            };
            assert_eq!(same(b), same(v), "{backend:?}");
        }
        let mut named: Vec<(i32, String)> = returned
            .iter()
            .map(|r| (r.try_get("", "id").unwrap(), r.try_get("", "record_key").unwrap()))
            .collect();
        named.sort();
        let stored: Vec<(i32, String)> = bulk.iter().map(|m| (m.id, m.record_key.clone().unwrap())).collect();
        assert_eq!(named, stored, "{backend:?}");
        app.finish().await;
    }
}
