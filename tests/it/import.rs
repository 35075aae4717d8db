//! Import: JSON Lines and the ePing Excel export; bad rows reported with line and reason, good rows kept,
//! re-imports update instead of duplicating.

use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const COUNT: &str = "{ notices { totalCount } }";

both_backends!(eping_excel_export, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let path = repo("tests/fixtures/eping_sample.xlsx");
    let report = app.import(&path).await;
    let lines: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![6, 7], "{:?}", report.rejected);
    assert!(
        report.rejected[0].reason.contains("G/TBT/X/USA/1"),
        "{}",
        report.rejected[0]
    );
    assert!(
        report.rejected[1].reason.contains("Distribution date"),
        "{}",
        report.rejected[1]
    );
    assert!(
        report.rejected[0]
            .to_string()
            .starts_with(&format!("{}:6:", path.display()))
    );
    assert_eq!(report.added, 6);
    assert_eq!(report.updated, 0);

    let q = r#"query($s: String!) { notice(symbol: $s) { symbol kind member { code } distributionDate titleEn hsCodes
      icsCodes objectives commentDeadline commentDeadlineText commentDeadlineDerived proposedAdoptionDateText
      proposedEntryIntoForceDateText symbols } }"#;
    let n = app.data(q, json!({"s": "G/TBT/N/USA/2001"})).await["notice"].clone();
    assert_eq!(n["distributionDate"], "2024-03-15", "dd/mm/yyyy text");
    assert_eq!(n["titleEn"], "Toys; safety requirements & labelling", "HTML stripped");
    assert_eq!(n["hsCodes"], json!(["950300"]), "9503.00 and 950300 are one code");
    assert_eq!(n["icsCodes"], json!(["97.200.50"]));
    assert_eq!(n["objectives"], json!(["HUMAN_HEALTH_SAFETY", "LABELLING"]));
    assert_eq!(n["commentDeadline"], "2024-05-14", "an Excel date cell");
    assert_eq!(n["proposedAdoptionDateText"], "To be determined");
    assert_eq!(n["member"]["code"], "USA");
    let add = app.data(q, json!({"s": "G/TBT/N/USA/2001/Add.1"})).await["notice"].clone();
    assert_eq!(add["kind"], "ADDENDUM");
    assert_eq!(add["distributionDate"], "2024-06-01");
    let sps = app.data(q, json!({"s": "G/SPS/N/JPN/1234"})).await["notice"].clone();
    assert_eq!(sps["commentDeadlineText"], "60 days from notification");
    assert_eq!(sps["commentDeadlineDerived"], true);
    assert!(sps["commentDeadline"].is_string());
    let joint = app.data(q, json!({"s": "G/TBT/N/KWT/700"})).await["notice"].clone();
    assert_eq!(
        joint["symbols"],
        json!(["G/TBT/N/ARE/600", "G/TBT/N/BHR/650", "G/TBT/N/KWT/700"])
    );
    let serial = app.data(q, json!({"s": "G/SPS/N/BRA/2222/Add.1"})).await["notice"].clone();
    assert_eq!(serial["distributionDate"], "2024-07-27", "Excel serial 45500");
    let tpkm = app.data(q, json!({"s": "G/TBT/N/TPKM/425/Add.5"})).await["notice"].clone();
    assert_eq!(tpkm["distributionDate"], "2023-09-07");

    // The same file again updates, it does not duplicate.
    let again = app.import(&path).await;
    assert_eq!(
        (again.added, again.updated + again.unchanged, again.rejected.len()),
        (0, 6, 2)
    );
    assert_eq!(app.data(COUNT, json!({})).await["notices"]["totalCount"], 6);
    app.finish().await;
});

both_backends!(
    jsonl_errors_are_reported_and_good_rows_load,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        let text = [
        r#"{"type":"notice","symbols":["G/TBT/N/USA/3001"],"distributionDate":"2025-01-02","titleEn":"Lamps"}"#,
        r#"this is not json"#,
        r#"{"type":"recall","title":"儿童玩具召回"}"#,
        r#"{"type":"notice","symbols":["G/TBT/N/USA/300111"],"distributionDate":"2025-01-02","titleEn":"x"}"#,
        "",
        r#"{"type":"notice","symbols":["G/TBT/N/USA/3002"],"titleEn":"no date"}"#,
        r#"{"type":"notice","symbols":["G/TBT/N/USA/3003"],"distributionDate":"2025-01-02","titlEn":"typo"}"#,
        r#"{"type":"notice","symbols":["G/TBT/N/USA/3004"],"distributionDate":"2025-01-02","titleZh":"灯具","hsCodes":["9405"]}"#,
        r#"{"symbols":["G/TBT/N/USA/3005"],"distributionDate":"2025-01-02","titleEn":"no type"}"#,
    ]
    .join("\n");
        let report = app.import_text("mixed.jsonl", &text).await;
        assert_eq!(report.added, 2);
        let got: Vec<(usize, bool)> = report
            .rejected
            .iter()
            .map(|r| (r.line, r.file.ends_with("mixed.jsonl")))
            .collect();
        assert_eq!(
            got,
            vec![(2, true), (3, true), (4, true), (6, true), (7, true), (9, true)],
            "{:?}",
            report.rejected
        );
        let reasons: Vec<&str> = report.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("not JSON"));
        assert!(reasons[1].contains("recall"));
        assert!(reasons[2].contains("300111"), "{}", reasons[2]);
        assert!(reasons[3].contains("distributionDate"));
        assert!(reasons[4].contains("titlEn"));
        assert!(reasons[5].contains("type"));

        // Re-import with a changed title: updated in place.
        let changed = r#"{"type":"notice","symbols":["g/tbt/n/usa/3001"],"distributionDate":"2025-01-02","titleEn":"Lamps, revised"}"#;
        let report = app.import_text("changed.jsonl", changed).await;
        assert_eq!((report.added, report.updated + report.unchanged), (0, 1));
        let d = app
            .data(
                r#"{ notice(symbol: "G/TBT/N/USA/3001") { titleEn } notices { totalCount } }"#,
                json!({}),
            )
            .await;
        assert_eq!(d["notice"]["titleEn"], "Lamps, revised");
        assert_eq!(d["notices"]["totalCount"], 2);

        // An unknown file type is refused as a whole.
        let path = app.dir.path().join("notices.doc");
        std::fs::write(&path, "a,b\n").unwrap();
        let err = zhiliang::import::import_file(&app.db, &path, false).await.unwrap_err();
        assert!(err.to_string().contains("unknown file type"), "{err}");
        // A text file is read as a policy page; one with no Chinese text is rejected with the reason.
        let path = app.dir.path().join("notes.txt");
        std::fs::write(&path, "a,b\n").unwrap();
        let r = zhiliang::import::import_file(&app.db, &path, false).await.unwrap();
        assert_eq!((r.added, r.rejected.len()), (0, 1));
        assert!(r.rejected[0].reason.contains("not a policy page"), "{}", r.rejected[0]);
        // A sheet that is neither an ePing export nor a standards list is refused whole, saying what it needs.
        let path = app.dir.path().join("other.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let err = zhiliang::import::import_file(&app.db, &path, false).await.unwrap_err();
        assert!(err.to_string().contains("标准号"), "{err}");
        app.finish().await;
    }
);

/// The audit trail as (record key, action, version), in the order written.
async fn trail(app: &TestApp) -> Vec<(String, String, i32)> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT record_key, action, version FROM audit_log ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<Option<String>>("", "record_key")
                    .unwrap()
                    .unwrap_or_default(),
                r.try_get::<String>("", "action").unwrap(),
                r.try_get::<i32>("", "version").unwrap(),
            )
        })
        .collect()
}

/// Everything an import of notices writes, timestamps aside, in the order written: the notices and their codes,
/// the audit trail (before and after), the search outbox and the watch matcher's queue.
async fn written(app: &TestApp) -> Vec<serde_json::Value> {
    use sea_orm::{FromQueryResult, JsonValue, Statement};
    fn strip(v: &mut serde_json::Value) {
        if let Some(m) = v.as_object_mut() {
            m.remove("created_at");
            m.remove("updated_at");
        }
    }
    let mut out = Vec::new();
    for sql in [
        "SELECT * FROM notice ORDER BY id",
        "SELECT * FROM notice_symbol ORDER BY symbol",
        "SELECT * FROM notice_hs ORDER BY notice_id, code",
        "SELECT * FROM notice_ics ORDER BY notice_id, code",
        "SELECT * FROM notice_objective ORDER BY notice_id, objective",
        "SELECT action, record_type, record_id, record_key, version, before, after FROM audit_log ORDER BY id",
        "SELECT entity, entity_id FROM search_outbox ORDER BY id",
        "SELECT notice_id FROM notice_change ORDER BY id",
    ] {
        let rows = JsonValue::find_by_statement(Statement::from_string(app.db.get_database_backend(), sql))
            .all(&app.db)
            .await
            .unwrap();
        for mut row in rows {
            strip(&mut row);
            for side in ["before", "after"] {
                if let Some(text) = row.get(side).and_then(|t| t.as_str()) {
                    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
                    strip(&mut v);
                    row[side] = v;
                }
            }
            out.push(json!({ "from": sql, "row": row }));
        }
    }
    out
}

/// A notice record of the tests below.
fn notice(symbols: &[&str], title: &str) -> String {
    json!({"type": "notice", "symbols": symbols, "distributionDate": "2025-03-01", "titleEn": title,
           "commentDeadline": "2025-05-01", "hsCodes": ["9503"], "objectives": ["LABELLING"]})
    .to_string()
}

both_backends!(a_batch_writes_what_row_by_row_writes, |backend: Backend| async move {
    // Without the workers, the outbox and the matcher's queue stay as the import left them.
    let quiet = |s: &mut zhiliang::config::Settings| {
        s.search_worker = false;
        s.follow_worker = false;
    };
    let batched = TestApp::spawn_with(backend, quiet).await;
    let by_row = TestApp::spawn_with(backend, quiet).await;
    // The demo notices (chains whose comment periods change, joint notices), then two of them again in the
    // same file: one changed, one as it was.
    let demo = std::fs::read_to_string(repo("demo/notices.jsonl")).unwrap();
    let lines: Vec<&str> = demo.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut changed: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    changed["titleEn"] = json!("Road traffic signal lamps, second draft");
    let text = format!("{}\n{changed}\n{}\n", lines.join("\n"), lines[2]);
    let path = batched.dir.path().join("notices.jsonl");
    std::fs::write(&path, &text).unwrap();
    // The command line (an admin) writes new notices in batches; an editor's rows each go through the
    // checks of a single write.
    let editor = zhiliang::operate::write::Actor {
        principal: zhiliang::operate::keys::Principal {
            key_id: None,
            name: "notices editor".into(),
            role: zhiliang::operate::keys::Role::Editor,
            catalogues: vec![zhiliang::operate::keys::Catalogue::Notices],
            region_prefix: None,
        },
        ..zhiliang::operate::write::Actor::cli()
    };
    let a = batched.import(&path).await;
    let b = zhiliang::import::import_file_as(&by_row.db, &path, false, &editor, None)
        .await
        .unwrap();
    let counts = |r: &zhiliang::import::Report| (r.added, r.updated, r.unchanged, r.rejected.len());
    assert_eq!(
        (a.added, a.updated + a.unchanged),
        (lines.len() as u64, 2),
        "{:?}",
        a.rejected
    );
    assert_eq!(a.updated, 1, "the changed copy");
    assert_eq!(counts(&a), counts(&b));
    let (wa, wb) = (written(&batched).await, written(&by_row).await);
    assert!(wa.len() > 4 * lines.len());
    for (x, y) in wa.iter().zip(&wb) {
        assert_eq!(x, y);
    }
    assert_eq!(wa.len(), wb.len());
    // Imported again, each says the same as before.
    let a = batched.import(&path).await;
    let b = zhiliang::import::import_file_as(&by_row.db, &path, false, &editor, None)
        .await
        .unwrap();
    assert_eq!(
        (a.added, a.updated + a.unchanged, a.rejected.len()),
        (0, lines.len() as u64 + 2, 0)
    );
    assert_eq!(counts(&a), counts(&b));
    assert_eq!(written(&batched).await, written(&by_row).await);
    batched.finish().await;
    by_row.finish().await;
});

/// A follow-up of the tests below: `reasons` and a comment deadline, distributed on `date`.
fn follow_up(symbol: &str, date: &str, deadline: &str, reasons: &[&str]) -> String {
    json!({"type": "notice", "symbols": [symbol], "distributionDate": date, "titleEn": format!("{symbol} follow-up"),
           "commentDeadline": deadline, "addendumReasons": reasons})
    .to_string()
}

both_backends!(
    a_batch_that_changes_deadlines_of_its_own_and_stored_notices_writes_what_row_by_row_writes,
    |backend: Backend| async move {
        let quiet = |s: &mut zhiliang::config::Settings| {
            s.search_worker = false;
            s.follow_worker = false;
        };
        let batched = TestApp::spawn_with(backend, quiet).await;
        let by_row = TestApp::spawn_with(backend, quiet).await;
        let editor = zhiliang::operate::write::Actor {
            principal: zhiliang::operate::keys::Principal {
                key_id: None,
                name: "notices editor".into(),
                role: zhiliang::operate::keys::Role::Editor,
                catalogues: vec![zhiliang::operate::keys::Catalogue::Notices],
                region_prefix: None,
            },
            ..zhiliang::operate::write::Actor::cli()
        };
        let period = ["COMMENT_PERIOD_CHANGED"];
        // Stored first: an original, and an addendum whose original comes later.
        let first = [
            notice(&["G/TBT/N/USA/7001"], "Lamps"),
            follow_up("G/TBT/N/USA/7002/Add.1", "2025-03-10", "2025-06-01", &period),
        ];
        // Then, in one batch: an addendum of the stored original; the original of the stored addendum (its
        // deadline set by it at its own write) and a newer addendum that changes it again; an original and two
        // addenda of its own (the second older than the first, so it changes nothing); an addendum that says
        // nothing of the comment period; a notice alone.
        let second = [
            follow_up("G/TBT/N/USA/7001/Add.1", "2025-03-05", "2025-07-01", &period),
            notice(&["G/TBT/N/USA/7002"], "Toys"),
            follow_up("G/TBT/N/USA/7002/Add.2", "2025-03-20", "2025-08-01", &period),
            notice(&["G/TBT/N/USA/7003"], "Batteries"),
            follow_up("G/TBT/N/USA/7003/Add.2", "2025-04-01", "2025-09-01", &period),
            follow_up("G/TBT/N/USA/7003/Add.1", "2025-03-15", "2025-08-15", &period),
            follow_up(
                "G/TBT/N/USA/7001/Add.2",
                "2025-04-02",
                "2025-10-01",
                &["MEASURE_ADOPTED"],
            ),
            notice(&["G/TBT/N/USA/7004"], "Furniture"),
        ];
        for (name, rows) in [("first.jsonl", &first[..]), ("second.jsonl", &second[..])] {
            let path = batched.dir.path().join(name);
            std::fs::write(&path, rows.join("\n")).unwrap();
            let a = batched.import(&path).await;
            let b = zhiliang::import::import_file_as(&by_row.db, &path, false, &editor, None)
                .await
                .unwrap();
            assert_eq!(
                (a.added, a.updated, a.rejected.len()),
                (rows.len() as u64, 0, 0),
                "{:?}",
                a.rejected
            );
            assert_eq!(
                (b.added, b.updated, b.rejected.len()),
                (rows.len() as u64, 0, 0),
                "{:?}",
                b.rejected
            );
        }
        let (wa, wb) = (written(&batched).await, written(&by_row).await);
        for (x, y) in wa.iter().zip(&wb) {
            assert_eq!(x, y);
        }
        assert_eq!(wa.len(), wb.len());
        // What the chains say now.
        let q = r#"query($s: String!) { notice(symbol: $s) { commentDeadline notifiedCommentDeadline } }"#;
        for (symbol, deadline) in [
            ("G/TBT/N/USA/7001", "2025-07-01"),
            ("G/TBT/N/USA/7002", "2025-08-01"),
            ("G/TBT/N/USA/7003", "2025-09-01"),
            ("G/TBT/N/USA/7004", "2025-05-01"),
        ] {
            let n = batched.data(q, json!({"s": symbol})).await["notice"].clone();
            assert_eq!(n["commentDeadline"], deadline, "{symbol}");
        }
        // The audit trail keeps each notice as its own write left it: 7002 with the deadline its stored addendum
        // set, 7003 with its own.
        use sea_orm::{ConnectionTrait, Statement};
        for (key, deadline) in [("G/TBT/N/USA/7002", "2025-06-01"), ("G/TBT/N/USA/7003", "2025-05-01")] {
            let row = batched
                .db
                .query_one_raw(Statement::from_string(
                    batched.db.get_database_backend(),
                    format!("SELECT after FROM audit_log WHERE record_key = '{key}'"),
                ))
                .await
                .unwrap()
                .unwrap();
            let after: serde_json::Value = serde_json::from_str(&row.try_get::<String>("", "after").unwrap()).unwrap();
            assert_eq!(after["deadline_in_force"], deadline, "{key}: {after}");
        }
        batched.finish().await;
        by_row.finish().await;
    }
);

both_backends!(a_bad_row_in_a_batch_costs_only_itself, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let first = [notice(&["G/TBT/N/USA/5001"], "X"), notice(&["G/TBT/N/USA/5002"], "Y")];
    let r = app.import_text("first.jsonl", &first.join("\n")).await;
    assert_eq!((r.added, r.rejected.len()), (2, 0));
    let text = [
        notice(&["G/TBT/N/USA/5101"], "A"),
        notice(&["G/TBT/N/USA/5102"], "B"),
        // Two stored notices' symbols in one record: refused when written, not when read.
        notice(&["G/TBT/N/USA/5001", "G/TBT/N/USA/5002"], "X and Y"),
        notice(&["G/TBT/N/USA/5103"], "D"),
        notice(&["G/TBT/N/USA/5101"], "A, again"),
        notice(&["G/TBT/N/USA/5001"], "X, corrected"),
    ];
    let r = app.import_text("second.jsonl", &text.join("\n")).await;
    assert_eq!((r.added, r.updated, r.unchanged), (3, 2, 0));
    let rejected: Vec<(usize, bool)> = r
        .rejected
        .iter()
        .map(|x| (x.line, x.reason.contains("already belong to different notices")))
        .collect();
    assert_eq!(rejected, vec![(3, true)], "{:?}", r.rejected);
    let t = |k: &str, a: &str, v: i32| (k.to_string(), a.to_string(), v);
    let mut got = trail(&app).await;
    got.sort();
    assert_eq!(
        got,
        vec![
            t("G/TBT/N/USA/5001", "CREATED", 1),
            t("G/TBT/N/USA/5001", "UPDATED", 2),
            t("G/TBT/N/USA/5002", "CREATED", 1),
            t("G/TBT/N/USA/5101", "CREATED", 1),
            t("G/TBT/N/USA/5101", "UPDATED", 2),
            t("G/TBT/N/USA/5102", "CREATED", 1),
            t("G/TBT/N/USA/5103", "CREATED", 1),
        ]
    );
    let d = app
            .data(
                r#"{ a: notice(symbol: "G/TBT/N/USA/5101") { titleEn } x: notice(symbol: "G/TBT/N/USA/5001") { titleEn symbols }
                   notices { totalCount } }"#,
                json!({}),
            )
            .await;
    assert_eq!(d["a"]["titleEn"], "A, again");
    assert_eq!(d["x"]["titleEn"], "X, corrected");
    assert_eq!(d["x"]["symbols"], json!(["G/TBT/N/USA/5001"]));
    assert_eq!(d["notices"]["totalCount"], 5);
    app.finish().await;
});

both_backends!(
    a_reimport_that_changes_some_rows_counts_and_audits_those,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        let symbols = [
            "G/SPS/N/JPN/901",
            "G/SPS/N/JPN/902",
            "G/SPS/N/JPN/903",
            "G/SPS/N/JPN/904",
        ];
        let first: Vec<String> = symbols.iter().map(|s| notice(&[s], "Pesticide residues")).collect();
        let r = app.import_text("first.jsonl", &first.join("\n")).await;
        assert_eq!((r.added, r.updated, r.unchanged, r.rejected.len()), (4, 0, 0, 0));
        let mut second = first.clone();
        second[0] = notice(&[symbols[0]], "Pesticide residues, revised");
        second[2] = notice(&[symbols[2]], "Pesticide residues, in rice");
        second.push(notice(&["G/SPS/N/JPN/905"], "Food additives"));
        let r = app.import_text("second.jsonl", &second.join("\n")).await;
        assert_eq!((r.added, r.updated, r.unchanged, r.rejected.len()), (1, 2, 2, 0));
        let t = |k: &str, a: &str, v: i32| (k.to_string(), a.to_string(), v);
        assert_eq!(
            trail(&app).await,
            vec![
                t(symbols[0], "CREATED", 1),
                t(symbols[1], "CREATED", 1),
                t(symbols[2], "CREATED", 1),
                t(symbols[3], "CREATED", 1),
                t(symbols[0], "UPDATED", 2),
                t(symbols[2], "UPDATED", 2),
                t("G/SPS/N/JPN/905", "CREATED", 1),
            ]
        );
        // The update's entry holds the notice as it was and as it became.
        let v = app
            .data(r#"{ notice(symbol: "G/SPS/N/JPN/903") { titleEn } }"#, json!({}))
            .await;
        assert_eq!(v["notice"]["titleEn"], "Pesticide residues, in rice");
        use sea_orm::{ConnectionTrait, Statement};
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                "SELECT before, after FROM audit_log WHERE record_key = 'G/SPS/N/JPN/903' AND version = 2",
            ))
            .await
            .unwrap()
            .unwrap();
        let side =
            |c: &str| -> serde_json::Value { serde_json::from_str(&row.try_get::<String>("", c).unwrap()).unwrap() };
        assert_eq!(side("before")["title_en"], "Pesticide residues");
        assert_eq!(side("after")["title_en"], "Pesticide residues, in rice");
        app.finish().await;
    }
);

both_backends!(
    an_import_of_several_batches_counts_every_row_and_each_batch_sees_the_ones_before,
    |backend: Backend| async move {
        // Three batches of 500 (each written while the next is read): rejections in the first and the third, a
        // notice of the first changed in the third, and an addendum in the third that changes the comment
        // deadline of an original in the first.
        let app = TestApp::spawn(backend).await;
        let rows: Vec<String> = (1..=1_301)
            .map(|i| match i {
                250 => json!({"type": "notice", "symbols": ["G/TBT/N/KOR/250"]}).to_string(),
                1_100 => "{\"type\": \"notice\", ".to_string(),
                1_200 => json!({"type": "notice", "symbols": ["G/TBT/N/KOR/20"], "distributionDate": "2025-03-01",
                                "titleEn": "Batteries, second draft", "commentDeadline": "2025-05-01"})
                .to_string(),
                1_250 => follow_up(
                    "G/TBT/N/KOR/10/Add.1",
                    "2025-04-01",
                    "2025-09-01",
                    &["COMMENT_PERIOD_CHANGED"],
                ),
                _ => notice(&[&format!("G/TBT/N/KOR/{i}")], "Batteries"),
            })
            .collect();
        let path = app.dir.path().join("batches.jsonl");
        std::fs::write(&path, rows.join("\n")).unwrap();
        let report = zhiliang::import::import_file(&app.db, &path, false).await.unwrap();
        let lines: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![250, 1_100], "{:?}", report.rejected);
        assert!(
            report.rejected[0].reason.contains("istribution"),
            "{}",
            report.rejected[0]
        );
        assert_eq!((report.added, report.updated), (1_298, 1), "{}", report.summary());
        assert_eq!(app.data(COUNT, json!({})).await["notices"]["totalCount"], 1_298);
        let q = r#"query($s: String!) { notice(symbol: $s) { titleEn commentDeadline } }"#;
        let changed = app.data(q, json!({"s": "G/TBT/N/KOR/20"})).await;
        assert_eq!(changed["notice"]["titleEn"], "Batteries, second draft");
        let original = app.data(q, json!({"s": "G/TBT/N/KOR/10"})).await;
        assert_eq!(original["notice"]["commentDeadline"], "2025-09-01");
        app.finish().await;
    }
);
