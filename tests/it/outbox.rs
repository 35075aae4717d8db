//! The search outbox: with Meilisearch stopped, writes still succeed and wait in the outbox; once Meilisearch is
//! back, the worker catches up and nothing is lost.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestApp};

/// A Meilisearch of this test alone, on a port of its own, with its data in `dir`.
struct OwnMeili {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl OwnMeili {
    fn start(dir: &std::path::Path, port: u16) -> OwnMeili {
        let bin = std::env::var("ZHILIANG_TEST_MEILI_BIN")
            .unwrap_or_else(|_| format!("{}/.meilisearch/meilisearch", env!("CARGO_MANIFEST_DIR")));
        let child = Command::new(bin)
            .args([
                "--http-addr",
                &format!("127.0.0.1:{port}"),
                "--no-analytics",
                "--env",
                "development",
            ])
            .arg("--db-path")
            .arg(dir.join("data.ms"))
            .arg("--dump-dir")
            .arg(dir.join("dumps"))
            .args(["--max-indexing-threads", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the Meilisearch binary (scripts/install-meilisearch) runs");
        OwnMeili {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_healthy(&self) {
        let start = Instant::now();
        let client = reqwest::Client::new();
        loop {
            if let Ok(r) = client.get(format!("{}/health", self.url())).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "Meilisearch did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnMeili {
    fn drop(&mut self) {
        self.stop();
    }
}

const SEARCH: &str = r#"query($q: String!) { searchNotices(query: $q) { estimatedTotalCount nodes { symbol } } }"#;

both_backends!(
    outbox_catches_up_after_meilisearch_restarts,
    |backend: Backend| async move {
        let meili_dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut meili = OwnMeili::start(meili_dir.path(), port);
        meili.wait_healthy().await;
        let app = TestApp::spawn_with_meili(backend, &meili.url()).await;
        app.import_demo().await;
        app.wait_indexed().await;
        assert_eq!(
            app.data(SEARCH, json!({"q": "通报"})).await["searchNotices"]["estimatedTotalCount"],
            65
        );

        // Meilisearch goes away: writes still succeed, search says it is unavailable, readiness says why.
        meili.stop();
        let report = app
        .import_text(
            "late.jsonl",
            r#"{"type":"notice","symbols":["G/TBT/N/NZL/999"],"distributionDate":"2026-11-20","titleZh":"新西兰关于登山杖安全要求的通报","hsCodes":["660200"]}"#,
        )
        .await;
        assert_eq!(report.added, 1);
        assert_eq!(
            app.error_code(SEARCH, json!({"q": "登山杖"})).await,
            "SEARCH_UNAVAILABLE"
        );
        let ready = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
        assert_eq!(ready.status(), 503);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["database"]["ok"], true);
        assert_eq!(body["search"]["ok"], false);
        // The listing does not depend on Meilisearch.
        let listed = app
            .data(r#"{ notice(symbol: "G/TBT/N/NZL/999") { symbol } }"#, json!({}))
            .await;
        assert_eq!(listed["notice"]["symbol"], "G/TBT/N/NZL/999");
        // Let the worker fail at least once against the stopped server.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(
            zhiliang::search::outbox::pending(&app.db).await.unwrap() >= 1,
            "the change waits in the outbox"
        );

        // Meilisearch comes back with its data: the worker sends what waited.
        let meili2 = OwnMeili::start(&meili.dir, port);
        meili2.wait_healthy().await;
        app.wait_indexed().await;
        let found = app.data(SEARCH, json!({"q": "登山杖"})).await["searchNotices"].clone();
        assert_eq!(found["nodes"][0]["symbol"], "G/TBT/N/NZL/999");
        assert_eq!(
            app.data(SEARCH, json!({"q": "通报"})).await["searchNotices"]["estimatedTotalCount"],
            66
        );
        app.finish().await;
        drop(meili2);
    }
);

/// Document tasks Meilisearch received for the index `uid`.
async fn document_tasks(uid: &str) -> u64 {
    let r: serde_json::Value = reqwest::get(format!(
        "{}/tasks?indexUids={uid}&types=documentAdditionOrUpdate&limit=1",
        crate::common::meili_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    r["total"].as_u64().unwrap()
}

// A last short run of entries (up to a quarter of a batch) goes with the batch before it: one Meilisearch task,
// not a small second one that costs as long as a large one once the index is large. A longer rest is a batch
// of its own.
both_backends!(
    a_short_tail_rides_with_the_batch_before_it,
    |backend: Backend| async move {
        use zhiliang::catalog::FAMILIES;
        use zhiliang::search::outbox;
        // No server runs: the entries wait until this test sends them.
        let (_dir, url, pg, db) = demo_database(backend, "zl_tail").await;
        assert!(outbox::pending(&db).await.unwrap() >= 65);
        // batch + batch / 4 reaches every entry: one task; half the entries a batch: the rest is more than a quarter
        // of a batch and goes on its own.
        for (tag, share, tasks) in [("one", 4, 1), ("two", 2, 2)] {
            let entries = outbox::pending(&db).await.unwrap();
            let batch = if share == 4 {
                entries * 4 / 5 + 1
            } else {
                entries / 2 + 1
            };
            let search = scratch_search(&db, &url, &format!("tail{tag}")).await;
            let lease = outbox::Lease::for_search(&search);
            assert!(lease.acquire(&db).await.unwrap());
            let sent = outbox::drain_pipelined(&db, &search, &lease, batch, 4).await.unwrap();
            assert_eq!(sent as u64, entries, "{tag}");
            let uid = search.index_uid(zhiliang::catalog::notices::search::INDEX);
            assert_eq!(
                document_tasks(&uid).await,
                tasks,
                "{tag}: batch {batch} of {entries} entries"
            );
            lease.release(&db).await.unwrap();
            drop_indexes(&search).await;
            // Every notice queued again for the next round.
            outbox::enqueue_all(&db, FAMILIES[0]).await.unwrap();
            assert_eq!(outbox::pending(&db).await.unwrap(), 65, "{tag}");
        }
        drop(db);
        crate::common::drop_pg(pg).await;
    }
);

// While a bulk write still adds entries, a partial batch waits for them (`outbox::Hold`): the entries written
// during the wait go out in the same Meilisearch task, and once the outbox stops growing, what is there is sent.
// Without the hold, the first drain sends the entries it finds at once (one task) and returns, and the later
// ones are left for another drain. The writer starts after a pause, so that the drain has read first; the hold's
// quiet time (10 s) only has to outlast the pause between two of the writer's commits.
both_backends!(a_growing_outbox_is_held_for_one_task, |backend: Backend| async move {
    use zhiliang::catalog::FAMILIES;
    use zhiliang::search::outbox;
    let (_dir, url, pg, db) = demo_database(backend, "zl_hold").await;
    let first = outbox::pending(&db).await.unwrap();
    let search = scratch_search(&db, &url, "hold").await;
    let lease = outbox::Lease::for_search(&search);
    assert!(lease.acquire(&db).await.unwrap());
    // Three more commits of every notice: all of it fits in one batch.
    let total = first + 3 * 65;
    let hold = outbox::Hold {
        from: 1,
        quiet: Duration::from_secs(10),
        most: Duration::from_secs(120),
    };
    let writer = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        for _ in 0..3 {
            outbox::enqueue_all(&db, FAMILIES[0]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let (sent, ()) = tokio::join!(outbox::drain_held(&db, &search, &lease, total, 4, Some(hold)), writer);
    assert_eq!(
        sent.unwrap() as u64,
        total,
        "one drain sent every entry, those written while it held"
    );
    assert_eq!(outbox::pending(&db).await.unwrap(), 0);
    let uid = search.index_uid(zhiliang::catalog::notices::search::INDEX);
    assert_eq!(document_tasks(&uid).await, 1, "one task for the {total} entries");
    lease.release(&db).await.unwrap();
    drop_indexes(&search).await;
    drop(db);
    crate::common::drop_pg(pg).await;
});

// An import run inside `outbox::send_while` (the way the peers bench measures against `zhiliang import`, which
// stores first): once it returns, every entry is confirmed and deleted, and the index holds every notice.
both_backends!(an_import_is_sent_while_it_stores, |backend: Backend| async move {
    use zhiliang::search::outbox;
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = crate::common::new_database(backend, dir.path(), "zl_send_while").await;
    let db = zhiliang::db::connect(&url).await.unwrap();
    zhiliang::db::migrate(&db).await.unwrap();
    let search = scratch_search(&db, &url, "sendwhile").await;
    let file = crate::common::repo("demo/notices.jsonl");
    let write = zhiliang::import::import_file(&db, &file, false);
    let (report, sent) = outbox::send_while(&db, &search, write, Duration::from_secs(300)).await;
    let report = report.unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(sent.unwrap() >= 65);
    assert_eq!(outbox::pending(&db).await.unwrap(), 0);
    assert_eq!(outbox::lease_holder(&db).await.unwrap(), None, "the lease is given up");
    let uid = search.index_uid(zhiliang::catalog::notices::search::INDEX);
    let stats = search.client.index(&uid).get_stats().await.unwrap();
    assert_eq!(stats.number_of_documents, 65);
    drop_indexes(&search).await;
    drop(db);
    crate::common::drop_pg(pg).await;
});

/// A new database (`tag`) of `backend`, migrated: its folder (keep it while the database is used), URL, PostgreSQL
/// name and connection.
async fn migrated_database(
    backend: Backend,
    tag: &str,
) -> (tempfile::TempDir, String, Option<String>, sea_orm::DatabaseConnection) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = crate::common::new_database(backend, dir.path(), tag).await;
    let db = zhiliang::db::connect(&url).await.unwrap();
    zhiliang::db::migrate(&db).await.unwrap();
    (dir, url, pg, db)
}

/// [`migrated_database`] with the 65 demo notices imported and no server to send their outbox entries.
async fn demo_database(
    backend: Backend,
    tag: &str,
) -> (tempfile::TempDir, String, Option<String>, sea_orm::DatabaseConnection) {
    let (dir, url, pg, db) = migrated_database(backend, tag).await;
    let r = zhiliang::import::import_file(&db, &crate::common::repo("demo/notices.jsonl"), false)
        .await
        .unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    (dir, url, pg, db)
}

/// A `Search` over `url` with indexes of its own (prefix from `tag`), nothing sent to Meilisearch yet.
fn unprepared_search(url: &str, tag: &str) -> zhiliang::search::Search {
    let settings = zhiliang::config::Settings {
        database_url: url.to_string(),
        meili_url: crate::common::meili_url(),
        meili_index_prefix: format!("{}_", crate::common::unique(tag)),
        embedder: zhiliang::config::EmbedderChoice::None,
        ..zhiliang::config::Settings::default()
    };
    zhiliang::search::Search::new(&settings, zhiliang::catalog::FAMILIES).unwrap()
}

/// [`unprepared_search`] with its indexes' settings applied.
async fn scratch_search(db: &sea_orm::DatabaseConnection, url: &str, tag: &str) -> zhiliang::search::Search {
    let search = unprepared_search(url, tag);
    zhiliang::search::outbox::prepare(db, &search).await.unwrap();
    search
}

/// Deletes the indexes of a [`scratch_search`].
async fn drop_indexes(search: &zhiliang::search::Search) {
    for f in zhiliang::catalog::FAMILIES {
        let _ = search.client.delete_index(search.index_uid(f.index())).await;
    }
}

// After a catch-up of at least `VACUUM_AFTER` entries the sender vacuums the outbox itself (PostgreSQL), so that
// the version read of every request stops walking the deleted entries' dead rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_catch_up_vacuums_the_outbox() {
    use sea_orm::ConnectionTrait;
    use std::sync::atomic::Ordering;
    use zhiliang::search::outbox;
    let (_dir, url, pg, db) = demo_database(Backend::Postgres, "zl_vacuum").await;
    let extra = outbox::VACUUM_AFTER as i64;
    db.execute_unprepared(&format!(
        "INSERT INTO search_outbox (entity, entity_id, created_at) \
         SELECT 'notice', (SELECT min(id) FROM notice), now() FROM generate_series(1, {extra})"
    ))
    .await
    .unwrap();
    let queued = outbox::pending(&db).await.unwrap();
    assert!(queued >= outbox::VACUUM_AFTER, "{queued}");
    let vacuum_count = || async {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'search_outbox'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    let (before, vacuums) = (vacuum_count().await, outbox::VACUUMS.load(Ordering::Relaxed));
    let search = scratch_search(&db, &url, "vacuum").await;
    let lease = outbox::Lease::for_search(&search);
    assert!(lease.acquire(&db).await.unwrap());
    let sent = outbox::drain_held(&db, &search, &lease, 5_000, 4, None).await.unwrap();
    assert_eq!(sent as u64, queued);
    assert_eq!(outbox::pending(&db).await.unwrap(), 0);
    assert!(outbox::VACUUMS.load(Ordering::Relaxed) > vacuums, "no vacuum was made");
    assert!(
        vacuum_count().await > before,
        "PostgreSQL counts no vacuum of search_outbox"
    );
    lease.release(&db).await.unwrap();
    drop_indexes(&search).await;
    drop(db);
    crate::common::drop_pg(pg).await;
}

// A task past its limit that Meilisearch still holds is waited for again, not failed and sent once more behind
// itself: a batch of `IN_FLIGHT` tasks into a large index takes minutes. Here the limit is 1 ms and the task, 30,000
// documents, takes Meilisearch far longer; the confirmation waits it out and the documents are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_past_its_limit_is_waited_for_while_meilisearch_holds_it() {
    use zhiliang::search::outbox;
    let (_dir, url, _, db) = migrated_database(Backend::Sqlite, "zl_limit").await;
    let search = unprepared_search(&url, "limit");
    let lease = outbox::Lease::for_search(&search);
    assert!(lease.acquire(&db).await.unwrap());
    let uid = search.index_uid("slow");
    let docs: Vec<serde_json::Value> = (0..30_000)
        .map(|i| {
            let words: Vec<String> = (0..40).map(|w| format!("w{}", (i * 31 + w * 7) % 5_000)).collect();
            json!({"id": i, "title": format!("notice {i}"), "text": words.join(" ")})
        })
        .collect();
    let task = search
        .client
        .index(&uid)
        .add_documents(&docs, Some("id"))
        .await
        .unwrap();
    let limit = Duration::from_millis(1);
    let t = Instant::now();
    outbox::confirm(&db, &search, &lease, &[(task.clone(), limit)])
        .await
        .expect("a task Meilisearch still holds is waited for past its limit");
    let waited = t.elapsed();
    assert!(
        waited > limit * 20,
        "the task ended within {waited:?}, before the limit mattered: make it larger"
    );
    assert!(!search.under_way(&task).await.unwrap());
    let stats = search.client.index(&uid).get_stats().await.unwrap();
    assert_eq!(stats.number_of_documents, 30_000);
    let _ = search.client.delete_index(&uid).await;
}
