//! Notice benchmark: generates realistic synthetic notices, imports them into SQLite and into PostgreSQL, lets
//! the application's outbox worker feed Meilisearch, and measures listing and search latency over HTTP.
//!
//! ```text
//! cargo bench --bench notices                          # 100,000 notices, both backends
//! ZHILIANG_BENCH_N=2000 cargo bench --bench notices    # quick smoke run
//! ```
//!
//! Environment: `ZHILIANG_BENCH_N` (default 100000), `ZHILIANG_BENCH_BACKENDS` (`sqlite,postgres`),
//! `ZHILIANG_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`, used to create and drop a
//! scratch database), `ZHILIANG_TEST_MEILI_URL` (default `http://127.0.0.1:7701`; start one with
//! `scripts/start-meilisearch 7701`), `ZHILIANG_BENCH_OUTBOX_ROUNDS` (default 2: rounds of the outbox catch-up with
//! one batch in flight, then with several).
//!
//! It prints figures; it asserts nothing. Run without `--bench` (as `cargo test --benches` does) it does nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::sync::oneshot;
use zhiliang::Application;
use zhiliang::catalog::{FAMILIES, notices};
use zhiliang::config::Settings;
use zhiliang::search::{Search, outbox};

mod support;

use support::client::{Client, edges};
use support::generator::{Generated, SEED, search_queries, write_jsonl};
use support::report::{Figures, print_summary};

const PAGE: usize = 20;
const DEEP_PAGES: usize = 1000;
/// The search outbox may stand still this long before the run gives up.
const STALL: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

struct Env {
    n: usize,
    meili_url: String,
    pg_admin_url: String,
    data: PathBuf,
    scratch: PathBuf,
    generated: Generated,
}

const LIST: &str = "query($after: String, $filter: NoticeFilter) { notices(first: 20, after: $after, filter: $filter) { edges { cursor node { symbol titleZh distributionDate } } pageInfo { endCursor hasNextPage } } }";
const SEARCH: &str = "query($q: String!) { searchNotices(query: $q, first: 20) { edges { cursor node { symbol titleZh distributionDate } } estimatedTotalCount } }";

async fn check_meilisearch(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let resp = http
        .get(format!("{}/health", url.trim_end_matches('/')))
        .send()
        .await
        .map_err(|e| {
            anyhow!("Meilisearch is not reachable at {url} ({e}); start one with `scripts/start-meilisearch 7701` or set ZHILIANG_TEST_MEILI_URL")
        })?;
    if !resp.status().is_success() {
        bail!("Meilisearch at {url} answers /health with {}", resp.status());
    }
    Ok(())
}

/// The database URL for a backend, and the PostgreSQL database to drop afterwards.
async fn prepare_database(backend: Backend, env: &Env) -> anyhow::Result<(String, Option<String>)> {
    match backend {
        Backend::Sqlite => Ok((format!("sqlite://{}/bench.db?mode=rwc", env.scratch.display()), None)),
        Backend::Postgres => {
            let name = format!("zl_bench_{}", std::process::id());
            let url = support::pg::create_database(&env.pg_admin_url, &name).await?;
            Ok((url, Some(name)))
        }
    }
}

async fn run_backend(backend: Backend, env: &Env) -> anyhow::Result<Figures> {
    println!("\n## {} ({} notices)", backend.label(), env.n);
    let (database_url, pg_database) = prepare_database(backend, env).await?;
    let settings = Settings {
        database_url,
        meili_url: env.meili_url.clone(),
        meili_index_prefix: format!("bench_{}_{}_", std::process::id(), backend.name()),
        listen: "127.0.0.1:0".parse()?,
        ..Settings::default()
    };
    let result = measure_backend(backend, env, &settings).await;
    // Clean up whatever happened.
    let mut cleanup: Vec<String> = Vec::new();
    match Search::new(&settings, FAMILIES) {
        Ok(search) => {
            let uid = search.index_uid(notices::search::INDEX);
            match search.timed("delete index", search.client.delete_index(&uid)).await {
                Ok(task) => {
                    if let Err(e) = search.wait(task, Duration::from_secs(60)).await
                        && !format!("{e:#}").contains("index_not_found")
                    {
                        cleanup.push(format!("deleting the Meilisearch index {uid}: {e:#}"));
                    }
                }
                Err(e) => cleanup.push(format!("deleting the Meilisearch index {uid}: {e:#}")),
            }
        }
        Err(e) => cleanup.push(format!("{e:#}")),
    }
    if let Some(name) = pg_database {
        let dropped = support::pg::drop_database(&env.pg_admin_url, &name);
        if let Err(e) = dropped.await {
            cleanup.push(format!("dropping the PostgreSQL database {name}: {e:#}"));
        }
    }
    for c in &cleanup {
        eprintln!("bench: clean-up failed: {c}");
    }
    let figures = result?;
    if let Some(c) = cleanup.first() {
        bail!("clean-up failed: {c}");
    }
    Ok(figures)
}

async fn measure_backend(backend: Backend, env: &Env, settings: &Settings) -> anyhow::Result<Figures> {
    let db = zhiliang::db::connect(&settings.database_url).await?;
    zhiliang::db::migrate(&db).await?;

    // Import.
    let t = Instant::now();
    let report = zhiliang::import::import_file(&db, &env.data, false).await?;
    let import_secs = t.elapsed().as_secs_f64();
    if !report.rejected.is_empty() {
        let some: Vec<String> = report.rejected.iter().take(3).map(|r| r.to_string()).collect();
        bail!(
            "the generator wrote {} rows the import rejected, e.g.:\n  {}",
            report.rejected.len(),
            some.join("\n  ")
        );
    }
    let rows = report.added + report.updated + report.unchanged;
    println!(
        "import: {rows} rows ({}) in {import_secs:.2} s = {:.0} rows/s",
        report.summary(),
        rows as f64 / import_secs
    );

    // Index settings, then the outbox worker's catch-up.
    let search = Search::new(settings, FAMILIES)?;
    let t = Instant::now();
    search.apply_settings().await?;
    let settings_secs = t.elapsed().as_secs_f64();
    println!("search: index created and settings applied in {settings_secs:.2} s");
    let docs = outbox::pending(&db).await?;
    let app = Application::build(settings.clone()).await?;
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    let t = Instant::now();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let measured = async {
        support::outbox::wait_drained(&db, STALL, Duration::from_secs(15), || server.is_finished()).await?;
        let catch_up_secs = t.elapsed().as_secs_f64();
        println!(
            "search: caught up with {docs} documents in {catch_up_secs:.2} s = {:.0} docs/s",
            docs as f64 / catch_up_secs
        );

        let client = Client {
            http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?,
            url: format!("http://127.0.0.1:{port}/graphql"),
        };
        let want = PAGE.min(rows as usize);

        // First page.
        let first = client
            .measure(
                LIST,
                |_| json!({}),
                |_, d| {
                    if edges(d, "notices") != want {
                        bail!("first page: expected {want} edges, got {}", edges(d, "notices"));
                    }
                    Ok(())
                },
            )
            .await?;
        println!(
            "notices(first: 20), page 1: p50 {:.2} ms, p99 {:.2} ms",
            first.p50, first.p99
        );

        // Walk forward to a deep cursor; stop one page short of the end so the page after it is full-ish.
        let depth = DEEP_PAGES.min((rows as usize).div_ceil(PAGE).saturating_sub(1));
        let mut cursor: Option<String> = None;
        let t = Instant::now();
        for page in 1..=depth {
            let d = client.gql(LIST, json!({ "after": cursor })).await?;
            cursor = d["notices"]["pageInfo"]["endCursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                bail!("page {page} has no endCursor");
            }
        }
        let walk_secs = t.elapsed().as_secs_f64();
        let deep_page = depth + 1;
        println!(
            "cursor walk: {depth} pages in {walk_secs:.2} s ({:.2} ms/page)",
            walk_secs * 1000.0 / depth.max(1) as f64
        );
        let deep = client
            .measure(
                LIST,
                |_| json!({ "after": cursor }),
                |_, d| {
                    if edges(d, "notices") == 0 {
                        bail!("page {deep_page} is empty");
                    }
                    Ok(())
                },
            )
            .await?;
        println!(
            "notices(first: 20), page {deep_page}: p50 {:.2} ms, p99 {:.2} ms",
            deep.p50, deep.p99
        );

        // A filtered listing.
        let mut filtered_edges = 0;
        let filtered = client
            .measure(
                LIST,
                |_| json!({ "filter": { "hsCodes": ["9503"] } }),
                |_, d| {
                    filtered_edges = edges(d, "notices");
                    Ok(())
                },
            )
            .await?;
        println!(
            "notices(first: 20, filter: {{hsCodes: [\"9503\"]}}): p50 {:.2} ms, p99 {:.2} ms ({filtered_edges} edges)",
            filtered.p50, filtered.p99
        );

        // Search.
        let queries = search_queries(&env.generated);
        let mut totals: Vec<Option<i64>> = vec![None; queries.len()];
        let search = client
            .measure(
                SEARCH,
                |i| json!({ "q": queries[i % queries.len()] }),
                |i, d| {
                    totals[i % queries.len()] = d["searchNotices"]["estimatedTotalCount"].as_i64();
                    Ok(())
                },
            )
            .await?;
        println!(
            "searchNotices(first: 20), {} queries: p50 {:.2} ms, p99 {:.2} ms",
            queries.len(),
            search.p50,
            search.p99
        );
        let hits: Vec<String> = queries
            .iter()
            .zip(&totals)
            .map(|(q, t)| format!("{q}={}", t.map(|t| t.to_string()).unwrap_or_else(|| "?".into())))
            .collect();
        println!("search hits (estimated): {}", hits.join(", "));
        let empty = totals.iter().filter(|t| **t == Some(0)).count();
        if empty > 0 {
            println!("note: {empty} of {} queries found nothing", queries.len());
        }

        anyhow::Ok(Figures {
            backend: backend.label(),
            rows,
            import_secs,
            settings_secs,
            catch_up_secs,
            docs,
            walk_secs,
            deep_page,
            first,
            deep,
            filtered,
            search,
        })
    }
    .await;
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(30), server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => eprintln!("bench: the application ended with an error: {e:#}"),
        Ok(Err(e)) => eprintln!("bench: the application task failed: {e}"),
        Err(_) => eprintln!("bench: the application did not stop within 30 s"),
    }
    if measured.is_ok() {
        pipelining(&db, settings).await?;
    }
    db.close().await?;
    measured
}

/// The outbox's catch-up with one batch in flight (send, wait, then read the next: the worker before
/// pipelining) and with `outbox::IN_FLIGHT`, in alternating rounds on the same data: every notice is queued
/// again and the outbox drained directly (the application is stopped by then, so nothing else sends).
async fn pipelining(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    let rounds: usize = std::env::var("ZHILIANG_BENCH_OUTBOX_ROUNDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(2);
    let search = Search::new(settings, FAMILIES)?;
    let lease = outbox::Lease::for_search(&search);
    if !lease.acquire(db).await? {
        bail!("the outbox lease is held by another process");
    }
    for round in 1..=rounds {
        for depth in [1, outbox::IN_FLIGHT] {
            let queued = outbox::enqueue_all(db, &notices::search::Notices).await?;
            let t = Instant::now();
            let sent = outbox::drain_pipelined(db, &search, &lease, outbox::WORKER_BATCH, depth).await?;
            let secs = t.elapsed().as_secs_f64();
            if sent != queued || outbox::pending(db).await? != 0 {
                bail!("outbox round {round}: queued {queued}, sent {sent}, entries left");
            }
            println!(
                "outbox catch-up, round {round}, {depth} batch(es) of {} in flight: {queued} entries in {secs:.2} s = {:.0} docs/s",
                outbox::WORKER_BATCH,
                queued as f64 / secs
            );
        }
    }
    lease.release(db).await?;
    Ok(())
}

fn parse_backends() -> anyhow::Result<Vec<Backend>> {
    let raw = std::env::var("ZHILIANG_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let b = match part.to_ascii_lowercase().as_str() {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" | "pg" => Backend::Postgres,
            other => bail!("ZHILIANG_BENCH_BACKENDS: {other:?} is not sqlite or postgres"),
        };
        if !out.contains(&b) {
            out.push(b);
        }
    }
    if out.is_empty() {
        bail!("ZHILIANG_BENCH_BACKENDS names no backend");
    }
    Ok(out)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then there is nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        println!("notices benchmark: skipped (run it with `cargo bench --bench notices`)");
        return Ok(());
    }
    let n: usize = match std::env::var("ZHILIANG_BENCH_N") {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| anyhow!("ZHILIANG_BENCH_N: {v:?} is not a positive whole number"))?,
        Err(_) => 100_000,
    };
    let backends = parse_backends()?;
    let meili_url = std::env::var("ZHILIANG_TEST_MEILI_URL").unwrap_or_else(|_| "http://127.0.0.1:7701".into());
    let pg_admin_url =
        std::env::var("ZHILIANG_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());

    // Fail early when a service is missing.
    check_meilisearch(&meili_url).await?;
    if backends.contains(&Backend::Postgres) {
        support::pg::admin(&pg_admin_url).await?.close().await?;
    }

    let scratch = tempfile::tempdir().context("creating a temporary folder")?;
    let data = scratch.path().join("notices.jsonl");
    let t = Instant::now();
    let generated = write_jsonl(&data, n, SEED)?;
    println!(
        "generated {} notices ({} originals, {} follow-ups), {:.1} MB of JSON Lines in {:.2} s",
        generated.records,
        generated.originals,
        generated.follow_ups,
        generated.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let env = Env {
        n,
        meili_url,
        pg_admin_url,
        data,
        scratch: scratch.path().to_path_buf(),
        generated,
    };

    let mut figures = Vec::new();
    for b in backends {
        figures.push(
            run_backend(b, &env)
                .await
                .with_context(|| format!("{} benchmark", b.label()))?,
        );
    }

    print_summary(n, &env.meili_url, DEEP_PAGES + 1, &figures);
    Ok(())
}
