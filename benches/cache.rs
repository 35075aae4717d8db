//! HTTP caching benchmark (issue 12, "Speed"): requests per second and p50/p99 latency of a 20-row widget, a
//! 20-row GET /graphql query and a 20-row CSV export, each cold (no `If-None-Match`: the answer is built) and
//! revalidated (`If-None-Match` with the current tag: 304), at 1 and 64 concurrent clients.
//!
//! ```text
//! cargo bench --bench cache                      # SQLite with the demo data
//! ZHILIANG_BENCH_REQUESTS=500 cargo bench --bench cache
//! ```
//!
//! Environment: `ZHILIANG_BENCH_REQUESTS` (requests per measurement, default 2000), `ZHILIANG_TEST_MEILI_URL`
//! (default `http://127.0.0.1:7701`; the server starts with it, the measured routes never search). It prints
//! figures; it asserts nothing. Run without `--bench` (as `cargo test --benches` does) it does nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::sync::oneshot;
use zhiliang::Application;
use zhiliang::config::Settings;

// Only the latency percentiles are used here.
#[allow(dead_code)]
mod support;

use support::client::Latency;

const DEMO: &[&str] = &[
    "demo/notices.jsonl",
    "demo/standards.jsonl",
    "demo/enterprises.jsonl",
    "demo/exports.jsonl",
];

/// One measured resource.
struct Target {
    label: &'static str,
    path: String,
}

/// `total` requests of `path` from `clients` concurrent clients; with `tag`, each sends `If-None-Match` and must get
/// 304, else 200.
async fn measure(
    http: &reqwest::Client,
    url: &str,
    tag: Option<&str>,
    clients: usize,
    total: usize,
) -> anyhow::Result<(f64, Latency)> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let http = http.clone();
        let url = url.to_string();
        let tag = tag.map(str::to_string);
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let mut req = http.get(&url);
                if let Some(t) = &tag {
                    req = req.header("if-none-match", t);
                }
                let t = Instant::now();
                let resp = req.send().await?;
                let status = resp.status();
                resp.bytes().await?;
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
                let want = if tag.is_some() { 304 } else { 200 };
                if status.as_u16() != want {
                    bail!("{url}: {status}, expected {want}");
                }
            }
            Ok::<_, anyhow::Error>(samples)
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((all.len() as f64 / secs, Latency::of(all)))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let total: usize = std::env::var("ZHILIANG_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("zhiliang-bench-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let settings = Settings {
        database_url: format!("sqlite://{}/bench.db?mode=rwc", dir.display()),
        meili_url: std::env::var("ZHILIANG_TEST_MEILI_URL").unwrap_or_else(|_| "http://127.0.0.1:7701".into()),
        meili_index_prefix: format!("bench_cache_{}_", std::process::id()),
        listen: "127.0.0.1:0".parse()?,
        search_worker: false,
        follow_worker: false,
        ..Settings::default()
    };
    let db = zhiliang::db::connect(&settings.database_url).await?;
    zhiliang::db::migrate(&db).await?;
    for f in DEMO {
        zhiliang::import::import_file(&db, &root.join(f), false)
            .await
            .with_context(|| format!("importing {f}"))?;
    }
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .timeout(Duration::from_secs(30))
        .build()?;
    let query = "%7Bnotices(first:20)%7Bnodes%7Bsymbol%20titleZh%20distributionDate%20commentDeadline%7D%7D%7D";
    let mut targets = vec![
        Target {
            label: "widget /embed/notices?first=20",
            path: "/embed/notices?first=20".into(),
        },
        Target {
            label: "GET /graphql notices(first: 20)",
            path: format!("/graphql?query={query}"),
        },
        Target {
            label: "/exports/notices.csv?first=20",
            path: "/exports/notices.csv?first=20".into(),
        },
    ];
    // The widget is another part of issue 12; measure it when this build has it.
    if http.get(format!("{base}{}", targets[0].path)).send().await?.status() != 200 {
        eprintln!("no widget at {}; skipped", targets[0].path);
        targets.remove(0);
    }
    println!("\n{total} requests per line; SQLite, demo data (65 notices); Cache-Control max-age 300\n");
    println!("| resource | clients | answer | req/s | p50 ms | p99 ms |");
    println!("|---|---:|---|---:|---:|---:|");
    for t in &targets {
        let url = format!("{base}{}", t.path);
        let first = http.get(&url).send().await?;
        let tag = first
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .with_context(|| format!("{url} has no ETag"))?;
        first.bytes().await?;
        for clients in [1, 64] {
            for (answer, tag) in [("200 (built)", None), ("304", Some(tag.as_str()))] {
                // A short untimed warm-up at the same concurrency.
                measure(&http, &url, tag, clients, clients * 2).await?;
                let (rps, lat) = measure(&http, &url, tag, clients, total).await?;
                println!(
                    "| {} | {clients} | {answer} | {rps:.0} | {:.2} | {:.2} |",
                    t.label, lat.p50, lat.p99
                );
            }
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
