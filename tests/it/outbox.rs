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
