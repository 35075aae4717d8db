//! The comment deadline in force: an addendum that changes the comment period (`COMMENT_PERIOD_CHANGED`) sets the
//! deadline its original answers, in `Notice`, in the `openForCommentOn` listing filter and in search, whichever
//! record is imported first, and again after re-imports; the migration fills it for notices stored before.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp, pg_admin_url, unique};

const D1: &str = "2030-03-11";
const D2: &str = "2030-04-10";
/// A day after the original's own deadline and before the extended one.
const BETWEEN: &str = "2030-03-25";

const NOTICE: &str = r#"query($s: String!, $on: Date) { notice(symbol: $s) { symbol commentDeadline
  notifiedCommentDeadline commentDeadlineSetBy { symbol } openForComment(on: $on) } }"#;

const LISTING: &str = r#"query($f: NoticeFilter) { notices(first: 100, filter: $f) { totalCount nodes { symbol } } }"#;

const SEARCH: &str = r#"query($q: String!, $f: NoticeFilter) { searchNotices(query: $q, filter: $f, first: 50) {
  nodes { symbol } } }"#;

fn original(number: u32) -> String {
    json!({"type": "notice", "symbols": [format!("G/TBT/N/KOR/{number}")], "distributionDate": "2030-01-10",
        "commentDeadline": D1, "titleZh": "儿童自行车安全要求", "titleEn": "Safety requirements for bicycles for young children",
        "hsCodes": ["871200"]})
    .to_string()
}

fn addendum(number: u32, add: u32, distributed: &str, deadline: &str, reasons: &[&str]) -> String {
    json!({"type": "notice", "symbols": [format!("G/TBT/N/KOR/{number}/Add.{add}")], "distributionDate": distributed,
        "commentDeadline": deadline, "titleZh": "儿童自行车安全要求：延长评议期", "titleEn": "Bicycles for young children: comment period",
        "hsCodes": ["871200"], "addendumReasons": reasons})
    .to_string()
}

fn symbols(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["symbol"].as_str().unwrap().to_string())
        .collect()
}

async fn notice(app: &TestApp, symbol: &str) -> Value {
    app.data(NOTICE, json!({"s": symbol, "on": BETWEEN})).await["notice"].clone()
}

/// The notices of the chain open for comment on `BETWEEN`, from the database listing and from search.
async fn open_between(app: &TestApp, number: u32) -> (Vec<String>, Vec<String>) {
    let filter = json!({"openForCommentOn": BETWEEN, "baseSymbol": format!("G/TBT/N/KOR/{number}")});
    let listed = app.data(LISTING, json!({"f": filter})).await;
    let mut listed_symbols = symbols(&listed["notices"]["nodes"]);
    assert_eq!(listed["notices"]["totalCount"], listed_symbols.len());
    let found = app.data(SEARCH, json!({"q": "儿童自行车", "f": filter})).await;
    let mut found_symbols = symbols(&found["searchNotices"]["nodes"]);
    listed_symbols.sort();
    found_symbols.sort();
    (listed_symbols, found_symbols)
}

async fn import(app: &TestApp, line: &str) {
    let r = app.import_text(&format!("{}.jsonl", unique("deadline")), line).await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    app.wait_indexed().await;
}

/// The original of `number` answers the extended deadline, set by its Add.1, everywhere.
async fn assert_extended(app: &TestApp, number: u32) {
    let o = notice(app, &format!("G/TBT/N/KOR/{number}")).await;
    assert_eq!(o["commentDeadline"], D2, "{o}");
    assert_eq!(o["notifiedCommentDeadline"], D1);
    assert_eq!(
        o["commentDeadlineSetBy"]["symbol"],
        format!("G/TBT/N/KOR/{number}/Add.1")
    );
    assert_eq!(o["openForComment"], true);
    let a = notice(app, &format!("G/TBT/N/KOR/{number}/Add.1")).await;
    assert_eq!(
        (&a["commentDeadline"], &a["commentDeadlineSetBy"]),
        (&json!(D2), &Value::Null)
    );
    let both = vec![format!("G/TBT/N/KOR/{number}"), format!("G/TBT/N/KOR/{number}/Add.1")];
    assert_eq!(open_between(app, number).await, (both.clone(), both));
}

/// The original of `number` answers its own deadline, and is closed on `BETWEEN`.
async fn assert_own(app: &TestApp, number: u32) {
    let o = notice(app, &format!("G/TBT/N/KOR/{number}")).await;
    assert_eq!(o["commentDeadline"], D1, "{o}");
    assert_eq!(o["notifiedCommentDeadline"], D1);
    assert!(o["commentDeadlineSetBy"].is_null());
    assert_eq!(o["openForComment"], false);
    let (listed, found) = open_between(app, number).await;
    let original = format!("G/TBT/N/KOR/{number}");
    assert!(!listed.contains(&original), "{listed:?}");
    assert!(!found.contains(&original), "{found:?}");
}

both_backends!(
    an_addendum_extends_its_original_in_either_import_order,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        let extends = |n| addendum(n, 1, "2030-03-01", D2, &["COMMENT_PERIOD_CHANGED"]);

        // The original first (and indexed with its own deadline), then the addendum: the original is queued
        // for search again by the addendum's import.
        import(&app, &original(1001)).await;
        assert_own(&app, 1001).await;
        import(&app, &extends(1001)).await;
        assert_extended(&app, 1001).await;

        // The addendum first, then its original.
        import(&app, &extends(1002)).await;
        import(&app, &original(1002)).await;
        assert_extended(&app, 1002).await;

        // Both in one file, addendum first (one transaction).
        import(&app, &format!("{}\n{}\n", extends(1003), original(1003))).await;
        assert_extended(&app, 1003).await;

        // Re-importing either record changes nothing.
        import(&app, &original(1001)).await;
        assert_extended(&app, 1001).await;
        import(&app, &extends(1001)).await;
        assert_extended(&app, 1001).await;

        // A later addendum that changes the period again wins, even to shorten it.
        import(
            &app,
            &addendum(1002, 2, "2030-03-20", "2030-03-22", &["COMMENT_PERIOD_CHANGED"]),
        )
        .await;
        let o = notice(&app, "G/TBT/N/KOR/1002").await;
        assert_eq!(o["commentDeadline"], "2030-03-22");
        assert_eq!(o["commentDeadlineSetBy"]["symbol"], "G/TBT/N/KOR/1002/Add.2");
        assert_eq!(o["openForComment"], false);
        // An addendum for another reason does not.
        import(
            &app,
            &addendum(1003, 2, "2030-03-30", "2030-12-31", &["MEASURE_ADOPTED"]),
        )
        .await;
        assert_extended(&app, 1003).await;

        // The addendum re-imported without the change of the comment period: the original's own again,
        // in the database and in search.
        import(&app, &addendum(1001, 1, "2030-03-01", D2, &["CONTENT_CHANGED"])).await;
        assert_own(&app, 1001).await;
        app.finish().await;
    }
);

both_backends!(
    the_migration_fills_the_deadline_in_force_of_stored_notices,
    |backend: Backend| async move {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = crate::common::new_database(backend, dir.path(), "zl_migration").await;
        let db = zhiliang::db::connect(&url).await.unwrap();
        // The schema before the deadline in force, with notices stored in it.
        Migrator::up(&db, Some(4)).await.unwrap();
        let rows = [
            (1, "G/TBT/N/KOR/1001", "2030-01-10", D1, "[]"),
            (
                2,
                "G/TBT/N/KOR/1001/Add.1",
                "2030-03-01",
                D2,
                r#"["COMMENT_PERIOD_CHANGED"]"#,
            ),
            (
                3,
                "G/TBT/N/KOR/1001/Rev.1",
                "2030-05-01",
                "2030-07-01",
                r#"["COMMENT_PERIOD_CHANGED"]"#,
            ),
            (4, "G/TBT/N/KOR/1002", "2030-01-10", D1, "[]"),
            (
                5,
                "G/TBT/N/KOR/1002/Add.1",
                "2030-03-01",
                "2030-12-31",
                r#"["MEASURE_ADOPTED"]"#,
            ),
        ];
        for (id, symbol, distributed, deadline, reasons) in rows {
            let base = symbol.split("/Add").next().unwrap().split("/Rev").next().unwrap();
            let kind = if symbol.contains("Add") {
                "ADDENDUM"
            } else if symbol.contains("Rev") {
                "REVISION"
            } else {
                "REGULAR"
            };
            db.execute_unprepared(&format!(
                "INSERT INTO notice (id, primary_symbol, base_symbol, area, kind, member, articles, distribution_date, \
                 comment_deadline, comment_deadline_derived, title_en, symbols, hs_codes, ics_codes, objectives, keywords, \
                 documents, addendum_reasons, regions_affected, source, created_at, updated_at) VALUES ({id}, '{symbol}', \
                 '{base}', 'TBT', '{kind}', 'KOR', '[]', '{distributed}', '{deadline}', false, 'Bicycles', '[\"{symbol}\"]', \
                 '[]', '[]', '[]', '[]', '[]', '{reasons}', '[]', 'jsonl', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ))
            .await
            .unwrap();
            db.execute_unprepared(&format!(
                "INSERT INTO notice_symbol (symbol, notice_id, base_symbol, member, position) VALUES ('{symbol}', {id}, '{base}', 'KOR', 0)"
            ))
            .await
            .unwrap();
        }
        Migrator::up(&db, None).await.unwrap();

        let get = |s: &str| {
            let db = db.clone();
            let s = zhiliang::catalog::notices::symbol::NoticeSymbol::parse(s).unwrap();
            async move {
                let n = zhiliang::catalog::notices::store::by_symbol(&db, &s)
                    .await
                    .unwrap()
                    .unwrap();
                (n.deadline_in_force.map(|d| d.to_string()), n.deadline_set_by)
            }
        };
        assert_eq!(get("G/TBT/N/KOR/1001").await, (Some(D2.to_string()), Some(2)));
        assert_eq!(get("G/TBT/N/KOR/1001/Add.1").await, (Some(D2.to_string()), None));
        assert_eq!(
            get("G/TBT/N/KOR/1001/Rev.1").await,
            (Some("2030-07-01".to_string()), None)
        );
        assert_eq!(get("G/TBT/N/KOR/1002").await, (Some(D1.to_string()), None));
        // Only the notice whose deadline changed waits for search.
        let queued = zhiliang::search::outbox::oldest(&db).await.unwrap().unwrap();
        assert_eq!((queued.entity.as_str(), queued.entity_id), ("notice", 1));
        assert_eq!(zhiliang::search::outbox::pending(&db).await.unwrap(), 1);

        db.close().await.unwrap();
        if let Some(name) = pg {
            let admin = Database::connect(pg_admin_url()).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .unwrap();
        }
    }
);
