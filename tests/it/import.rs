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
