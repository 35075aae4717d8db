//! Policy rewards as rules: the Quzhou document's clauses, entered as data in the demo, checked against demo
//! enterprises through `Enterprise.eligibleRewards` — a lead-drafted national standard in the period, a
//! participation, an enterprise outside the clause's regions, and a brand awarded before the period.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const ELIGIBLE: &str = r#"query($c: String!, $p: String!, $from: Date, $to: Date) {
  enterprise(creditCode: $c) { name eligibleRewards(policy: $p, from: $from, to: $to) {
    eligible amountYuan reasons periodFrom periodTo
    clause { clause text fact role brandSchemes firstAwardOnly standardKinds { level codes } amountYuan regions }
    evidence { date inPeriod draftingPosition role matchedBy standard { number } brand { scheme awardedOn } } } } }"#;

/// 浙江衢新特种纸业 (衢江区, in the clauses' regions).
const QUXIN: &str = "913308036739015322";
/// 常山县恒动轴承 (常山县: Quzhou, but outside the clauses' regions).
const HENGDONG: &str = "91330822727674188H";

async fn demo(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    for f in ["demo/standards.jsonl", "demo/enterprises.jsonl", "demo/policies.jsonl"] {
        let r = app.import(&repo(f)).await;
        assert!(r.rejected.is_empty(), "{f}: {:?}", r.rejected);
    }
    let p = app
        .data(
            r#"{ policies(filter: {issuer: "衢州市人民政府办公室"}) { nodes { id rewardClauses { clause amountYuan } } } }"#,
            json!({}),
        )
        .await;
    let node = &p["policies"]["nodes"][0];
    assert_eq!(
        node["rewardClauses"].as_array().unwrap().len(),
        12,
        "four brand clauses and eight drafting clauses: {node}"
    );
    (app, node["id"].as_str().unwrap().to_string())
}

async fn check(app: &TestApp, code: &str, policy: &str, from: Value, to: Value) -> Vec<Value> {
    let d = app
        .data(ELIGIBLE, json!({"c": code, "p": policy, "from": from, "to": to}))
        .await;
    d["enterprise"]["eligibleRewards"].as_array().unwrap().clone()
}

/// The checked clause whose fact, role or scheme and kinds are these.
fn clause<'a>(all: &'a [Value], fact: &str, role_or_scheme: &str, level: Option<&str>) -> &'a Value {
    all.iter()
        .find(|c| {
            let cl = &c["clause"];
            cl["fact"] == fact
                && (cl["role"] == role_or_scheme || cl["brandSchemes"][0] == role_or_scheme)
                && level.is_none_or(|l| cl["standardKinds"][0]["level"] == l)
        })
        .unwrap_or_else(|| panic!("no {fact} {role_or_scheme} {level:?} clause"))
}

both_backends!(
    quzhou_clauses_checked_against_demo_enterprises,
    |backend: Backend| async move {
        let (app, policy) = demo(backend).await;

        let quxin = check(&app, QUXIN, &policy, Value::Null, Value::Null).await;
        assert_eq!(quxin.len(), 12);
        // A national standard it led (first drafting organisation), issued in 2025, within the period that starts on
        // the policy's effective date.
        let lead = clause(&quxin, "STANDARD_DRAFTED", "LEAD", Some("NATIONAL"));
        assert_eq!(lead["eligible"], true, "{lead:#}");
        assert_eq!(lead["amountYuan"], 500_000);
        assert_eq!(lead["reasons"], json!([]));
        assert_eq!(lead["periodFrom"], "2017-12-27");
        assert_eq!(
            lead["evidence"],
            json!([{"date": "2025-03-28", "inPeriod": true, "draftingPosition": 1, "role": "LEAD",
            "matchedBy": "CREDIT_CODE", "standard": {"number": "GB/T 46901-2025"}, "brand": null}])
        );
        // An industry standard it took part in (second drafting organisation): the participation clause, not the lead.
        let part = clause(&quxin, "STANDARD_DRAFTED", "PARTICIPANT", Some("INDUSTRY"));
        assert_eq!(part["eligible"], true, "{part:#}");
        assert_eq!(part["amountYuan"], 50_000);
        assert_eq!(part["evidence"][0]["draftingPosition"], 2);
        assert_eq!(part["evidence"][0]["standard"]["number"], "QB/T 6001-2019");
        let led_industry = clause(&quxin, "STANDARD_DRAFTED", "LEAD", Some("INDUSTRY"));
        assert_eq!(led_industry["eligible"], false);
        assert_eq!(led_industry["amountYuan"], Value::Null);
        assert_eq!(led_industry["reasons"], json!(["NO_MATCHING_RECORD"]));
        // A 浙江名牌产品 awarded on 2017-12-20, a week before the policy took effect: out of period, with the brand shown.
        let famous = clause(&quxin, "BRAND_AWARDED", "PROVINCIAL_FAMOUS_PRODUCT", None);
        assert_eq!(famous["eligible"], false, "{famous:#}");
        assert_eq!(famous["reasons"], json!(["OUT_OF_PERIOD"]));
        assert_eq!(
            famous["evidence"][0]["brand"],
            json!({"scheme": "PROVINCIAL_FAMOUS_PRODUCT", "awardedOn": "2017-12-20"})
        );
        assert_eq!(famous["evidence"][0]["inPeriod"], false);
        // Eligible clauses are exactly these two.
        let met: Vec<i64> = quxin
            .iter()
            .filter(|c| c["eligible"] == true)
            .map(|c| c["amountYuan"].as_i64().unwrap())
            .collect();
        assert_eq!(met, [500_000, 50_000]);

        // Asked for 2018-2024 only, the 2025 national standard falls outside the period.
        let early = check(&app, QUXIN, &policy, json!("2018-01-01"), json!("2024-12-31")).await;
        let lead = clause(&early, "STANDARD_DRAFTED", "LEAD", Some("NATIONAL"));
        assert_eq!(lead["eligible"], false);
        assert_eq!(lead["reasons"], json!(["OUT_OF_PERIOD"]));
        assert_eq!(
            (lead["periodFrom"].clone(), lead["periodTo"].clone()),
            (json!("2018-01-01"), json!("2024-12-31"))
        );
        assert_eq!(
            clause(&early, "STANDARD_DRAFTED", "PARTICIPANT", Some("INDUSTRY"))["eligible"],
            true
        );

        // 常山县 is in Quzhou but not among 市本级, 柯城区, 衢江区: it led an industry standard in the period, and holds a
        // 浙江名牌产品 awarded in 2016 — out of region for both, and out of period for the brand.
        let hengdong = check(&app, HENGDONG, &policy, Value::Null, Value::Null).await;
        assert!(hengdong.iter().all(|c| c["eligible"] == false));
        let led = clause(&hengdong, "STANDARD_DRAFTED", "LEAD", Some("INDUSTRY"));
        assert_eq!(led["reasons"], json!(["OUT_OF_REGION"]), "{led:#}");
        assert_eq!(led["evidence"][0]["standard"]["number"], "JB/T 14001-2021");
        assert_eq!(led["evidence"][0]["inPeriod"], true);
        let brand = clause(&hengdong, "BRAND_AWARDED", "PROVINCIAL_FAMOUS_PRODUCT", None);
        assert_eq!(brand["reasons"], json!(["OUT_OF_REGION", "OUT_OF_PERIOD"]));

        app.finish().await;
    }
);

both_backends!(
    the_policy_is_named_and_bad_arguments_are_coded,
    |backend: Backend| async move {
        let (app, _) = demo(backend).await;
        let q = r#"query($p: String!, $from: Date, $to: Date) { enterprise(creditCode: "913308036739015322") {
        eligibleRewards(policy: $p, from: $from, to: $to) { eligible } } }"#;
        // A policy without clauses answers an empty list; by its document number in any bracket style.
        for n in ["甬政办发〔2016〕148号", "甬政办发[2016]148号"] {
            let d = app.data(q, json!({"p": n})).await;
            assert_eq!(d["enterprise"]["eligibleRewards"], json!([]), "{n}");
        }
        for (p, from, to, code) in [
            ("衢政发〔2099〕1号", Value::Null, Value::Null, "RECORD_NOT_FOUND"),
            ("no such thing", Value::Null, Value::Null, "BAD_USER_INPUT"),
            (
                "甬政办发〔2016〕148号",
                json!("2020-01-02"),
                json!("2020-01-01"),
                "BAD_USER_INPUT",
            ),
        ] {
            assert_eq!(
                app.error_code(q, json!({"p": p, "from": from, "to": to})).await,
                code,
                "{p}"
            );
        }
        // Another type's ID is refused with its own code.
        let e = app
            .data(r#"{ enterprise(creditCode: "913308036739015322") { id } }"#, json!({}))
            .await;
        let id = e["enterprise"]["id"].as_str().unwrap();
        assert_eq!(app.error_code(q, json!({"p": id})).await, "INVALID_ID");
        app.finish().await;
    }
);

both_backends!(
    clauses_are_validated_and_a_silent_record_keeps_them,
    |backend: Backend| async move {
        let (app, policy) = demo(backend).await;
        // A bad clause rejects its record with the place and the reason; the stored clauses stay.
        let bad = json!({"type": "policy", "issuer": "衢州市人民政府办公室", "documentNumber": "衢政办发〔2017〕99号",
        "title": "测试政策", "rewards": [{"text": "x", "amountYuan": 100,
        "condition": {"fact": "STANDARD_DRAFTED", "role": "LEADER", "standards": [{"level": "NATIONAL"}]}}]});
        let r = app.import_text("bad.jsonl", &format!("{bad}\n")).await;
        assert_eq!(r.rejected.len(), 1);
        assert!(
            r.rejected[0].reason.contains("rewards[0].condition.role"),
            "{}",
            r.rejected[0].reason
        );
        // Re-importing the Quzhou page alone (no `rewards` in its record) keeps the clauses entered with the demo.
        let page = repo("../shared/data/policies/002_c9ea5494770106d4.txt");
        let r = app.import(&page).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let d = app
            .data(
                r#"query($id: ID!) { node(id: $id) { ... on Policy { rewardClauses { clause } } } }"#,
                json!({"id": policy}),
            )
            .await;
        assert_eq!(d["node"]["rewardClauses"].as_array().unwrap().len(), 12, "{d}");

        // Drafting organisations named without a credit code count when the name is exactly the enterprise's (full-
        // width brackets or not); a part of the name, or the same name with another enterprise's code, never does.
        let std = |number: &str, org: Value| {
            json!({"type": "standard", "number": number, "titleZh": "测试标准", "level": "NATIONAL",
            "issueDate": "2021-06-01", "draftingOrganizations": [org]})
        };
        let lines = [
            std("GB/T 46902-2021", json!({"name": "浙江衢新特种纸业有限公司"})),
            std("GB/T 46903-2021", json!({"name": "衢新特种纸业"})),
            std(
                "GB/T 46904-2021",
                json!({"name": "浙江衢新特种纸业有限公司", "creditCode": "91330226573218648K"}),
            ),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let r = app.import_text("drafted.jsonl", &text).await;
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        let all = check(&app, QUXIN, &policy, Value::Null, Value::Null).await;
        let lead = clause(&all, "STANDARD_DRAFTED", "LEAD", Some("NATIONAL"));
        let seen: Vec<(Value, Value)> = lead["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["standard"]["number"].clone(), e["matchedBy"].clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (json!("GB/T 46902-2021"), json!("NAME")),
                (json!("GB/T 46901-2025"), json!("CREDIT_CODE"))
            ]
        );
        app.finish().await;
    }
);
