//! The test harness: the real application on port 0, its own SQLite file or PostgreSQL database, and its own
//! Meilisearch index prefix.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use zhiliang::Application;
use zhiliang::config::Settings;
use zhiliang::import::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn meili_url() -> String {
    std::env::var("ZHILIANG_TEST_MEILI_URL").unwrap_or_else(|_| "http://127.0.0.1:7701".into())
}

pub fn pg_admin_url() -> String {
    std::env::var("ZHILIANG_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Path of a file of the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test (in this run or another) uses.
pub fn unique(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{tag}_{}_{n}_{nanos:x}", std::process::id())
}

/// A new empty database of its own: a SQLite file in `dir`, or a PostgreSQL database named after `tag`. Returns
/// its URL and, for PostgreSQL, its name (to drop it afterwards).
pub async fn new_database(backend: Backend, dir: &Path, tag: &str) -> (String, Option<String>) {
    match backend {
        Backend::Sqlite => (format!("sqlite://{}/{tag}.db?mode=rwc", dir.display()), None),
        Backend::Postgres => {
            let name = unique(tag);
            let admin = Database::connect(pg_admin_url()).await.expect("PostgreSQL reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let base = pg_admin_url();
            let root = &base[..base.rfind('/').unwrap()];
            (format!("{root}/{name}"), Some(name))
        }
    }
}

/// Drops a database made by [`new_database`] for PostgreSQL (nothing for SQLite; its file goes with its folder).
pub async fn drop_pg(name: Option<String>) {
    if let Some(name) = name
        && let Ok(admin) = Database::connect(pg_admin_url()).await
    {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pg_database: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with_meili(backend, &meili_url()).await
    }

    /// A test app whose settings `adjust` changes first (SMTP, webhook allowances, retry waits...).
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        Self::spawn_adjusted(backend, &meili_url(), adjust).await
    }

    pub async fn spawn_with_meili(backend: Backend, meili: &str) -> TestApp {
        Self::spawn_adjusted(backend, meili, |_| {}).await
    }

    async fn spawn_adjusted(backend: Backend, meili: &str, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        // The worker's warnings show in the output of a failing test.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("zhiliang=warn")
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().unwrap();
        let (database_url, pg_database) = new_database(backend, dir.path(), "zl_test").await;
        let mut settings = Settings {
            database_url,
            meili_url: meili.to_string(),
            meili_index_prefix: format!("{}_", unique("t")),
            listen: "127.0.0.1:0".parse().unwrap(),
            meili_timeout: Duration::from_secs(5),
            assets_dir: repo(".web-assets"),
            // Sentence embeddings only where a test asks for them (`embedder: Local`): they cost CPU time.
            embedder: zhiliang::config::EmbedderChoice::None,
            ..Settings::default()
        };
        adjust(&mut settings);
        let db = zhiliang::db::connect(&settings.database_url).await.unwrap();
        zhiliang::db::migrate(&db).await.unwrap();
        let app = Application::build(settings.clone()).await.expect("app builds");
        let port = app.port();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            db,
            settings,
            pg_database,
            stop: Some(tx),
            server: Some(server),
            dir,
        }
    }

    /// Runs a GraphQL query over POST and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .unwrap();
        resp.json().await.unwrap()
    }

    /// Runs a GraphQL request with `Authorization: Bearer key` and returns the whole response body.
    pub async fn gql_as(&self, key: &str, query: &str, variables: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(key)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .unwrap();
        resp.json().await.unwrap()
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "errors: {body:#}");
        body["data"].clone()
    }

    /// Runs a query that must fail and returns the first error's `extensions.code`.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let body = self.gql(query, variables).await;
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors: {body:#}"));
        errors[0]["extensions"]["code"].as_str().unwrap_or_default().to_string()
    }

    /// GETs a path of the server (`/metrics`, a feed) and returns the body as text.
    pub async fn get_text(&self, path: &str) -> String {
        let resp = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        resp.text().await.unwrap()
    }

    /// Imports a file through the same path as `zhiliang import`.
    pub async fn import(&self, path: &Path) -> Report {
        zhiliang::import::import_file(&self.db, path, false).await.unwrap()
    }

    /// Writes `text` to a file named `name` in the test's folder and imports it.
    pub async fn import_text(&self, name: &str, text: &str) -> Report {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        self.import(&path).await
    }

    pub async fn import_demo(&self) -> Report {
        let r = self.import(&repo("demo/notices.jsonl")).await;
        assert!(r.rejected.is_empty(), "demo rows rejected: {:?}", r.rejected);
        r
    }

    /// Imports every demo file the way `scripts/demo` does: notices, standards, enterprises and their listings,
    /// the policies (read from ../shared/data/policies) and the division lists of ../shared/data/reference.
    pub async fn import_all_demo(&self) {
        for f in crate::relevance::eval::demo_files(&repo("")) {
            let r = self.import(&f).await;
            assert!(
                r.rejected.is_empty(),
                "{}: rows rejected: {:?}",
                f.display(),
                r.rejected
            );
        }
    }

    /// Waits until the outbox is empty: every change is in Meilisearch (tasks are confirmed before entries go).
    pub async fn wait_indexed(&self) {
        let start = Instant::now();
        loop {
            let n = zhiliang::search::outbox::pending(&self.db).await.unwrap();
            if n == 0 {
                return;
            }
            if start.elapsed() > Duration::from_secs(60) {
                let oldest = zhiliang::search::outbox::oldest(&self.db).await.unwrap();
                panic!("outbox still has {n} entries after 60 s; oldest: {oldest:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until every search document has its sentence embedding and has been sent with it (the embedding
    /// worker queues the records again once their vectors are stored).
    pub async fn wait_embedded(&self) {
        let start = Instant::now();
        loop {
            let p = zhiliang::search::meaning::store::progress(&self.db).await.unwrap();
            let pending = zhiliang::search::outbox::pending(&self.db).await.unwrap();
            if p.waiting == 0 && pending == 0 {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "embedding: {} texts still wait, {pending} outbox entries after 300 s",
                p.waiting
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until the follow worker has matched every notice change (events are made once this returns).
    pub async fn wait_matched(&self) {
        let start = Instant::now();
        loop {
            let n = zhiliang::follow::events::pending(&self.db).await.unwrap();
            if n == 0 {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{n} notice changes still unmatched after 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the server and removes the database and indexes of this test.
    pub async fn finish(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), s).await;
        }
        if let Ok(search) = zhiliang::search::Search::new(&self.settings, zhiliang::catalog::FAMILIES) {
            for f in search.families {
                let uid = search.index_uid(f.index());
                let _ = tokio::time::timeout(Duration::from_secs(5), search.client.delete_index(uid)).await;
            }
        }
        self.db.clone().close().await.ok();
        if let Some(name) = self.pg_database.take()
            && let Ok(admin) = Database::connect(pg_admin_url()).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// A second server on the database and indexes of a `TestApp`, as another `zhiliang serve` process of the same
/// deployment would be (its own port, its own workers and subscription poller).
pub struct Peer {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// Starts a `Peer` on this app's settings, which `adjust` may change (e.g. no follow worker).
    pub async fn spawn_peer(&self, adjust: impl FnOnce(&mut Settings)) -> Peer {
        let mut settings = self.settings.clone();
        settings.listen = "127.0.0.1:0".parse().unwrap();
        adjust(&mut settings);
        let app = Application::build(settings).await.expect("peer builds");
        let port = app.port();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Peer {
            base: format!("http://127.0.0.1:{port}"),
            stop: Some(tx),
            server: Some(server),
        }
    }
}

impl Peer {
    /// Stops the peer (before its `TestApp` removes the database).
    pub async fn finish(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), s).await;
        }
    }
}

/// An ADMIN key, made in `db` the way `zhiliang keys create` makes one: the secret to send as a bearer token.
pub async fn admin_key(db: &DatabaseConnection) -> String {
    use zhiliang::operate::keys::{NewKey, Role, create};
    let k = NewKey {
        name: "平台管理员".into(),
        role: Role::Admin,
        catalogues: vec![],
        region_prefix: None,
        expires_at: None,
    }
    .check(chrono::Utc::now())
    .unwrap();
    create(db, &k, "cli:test").await.unwrap().1
}

/// The demo records as plain JSON, for computing expected answers independently of the store.
pub fn demo_records() -> Vec<Value> {
    std::fs::read_to_string(repo("demo/notices.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs a test body against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let body = $body;
                body($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let body = $body;
                body($crate::common::Backend::Postgres).await
            }
        }
    };
}
