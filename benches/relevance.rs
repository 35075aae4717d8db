//! Relevance benchmark: the queries of `tests/relevance/queries.jsonl` over the demo data, through zhiliang's
//! `search` with the bundled embedding model (hybrid: keywords, then meaning where keywords are weak), through
//! the same `search` by keywords only (a second server on the same data, without an embedder), and through
//! Meilisearch with its default settings on the same documents (the baseline). Prints recall@5, MRR (over the
//! top 10) and latency percentiles, overall and by category, what embedding the demo documents took, and the
//! latency of embedding a query. Needs the model: `scripts/install-model`.
//!
//! ```text
//! scripts/start-meilisearch 7701
//! cargo bench --bench relevance
//! ```
//!
//! Environment: `ZHILIANG_TEST_MEILI_URL` (default `http://127.0.0.1:7701`), `ZHILIANG_BENCH_ROUNDS` (default 10:
//! how many times each query is timed). The policies and division lists are read from `../shared/data`.
//!
//! It prints figures; it asserts nothing. Run without `--bench` (as `cargo test --benches` does) it does nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use zhiliang::Application;
use zhiliang::catalog::FAMILIES;
use zhiliang::config::{EmbedderChoice, Settings};
use zhiliang::search::meaning::Meaning;
use zhiliang::search::{Family, Search, outbox};

#[path = "../tests/relevance/eval.rs"]
mod eval;
// Only the GraphQL client is used here; the rest of the support serves the notice benchmark.
#[allow(dead_code)]
mod support;

use support::client::Client;

/// Hits fetched for each query: the top 5 counts for recall, the top 10 for MRR.
const DEPTH: usize = 10;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// One engine's results: the outcome of each case (first round) and every timing in milliseconds.
struct Run {
    outcomes: Vec<eval::Outcome>,
    millis: Vec<f64>,
}

impl Run {
    fn summary(&self, cases: &[eval::Case], name: &str) {
        let mut ms = self.millis.clone();
        ms.sort_by(|a, b| a.total_cmp(b));
        let full = self.outcomes.iter().filter(|o| o.missing.is_empty()).count();
        println!(
            "| {name} | {:.3} | {:.3} | {full}/{} | {:.1} | {:.1} |",
            eval::mean(self.outcomes.iter().map(|o| o.recall)),
            eval::mean(self.outcomes.iter().map(|o| o.reciprocal_rank)),
            cases.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
        );
    }

    /// Search latency percentiles (p50, p99) by category; `millis` holds the rounds one after another.
    fn times_by_category(&self, cases: &[eval::Case], rounds: usize) -> BTreeMap<String, (f64, f64)> {
        let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in 0..rounds {
            for (i, c) in cases.iter().enumerate() {
                if let Some(ms) = self.millis.get(r * cases.len() + i) {
                    out.entry(c.category.clone()).or_default().push(*ms);
                }
            }
        }
        out.into_iter()
            .map(|(k, mut v)| {
                v.sort_by(|a, b| a.total_cmp(b));
                (k, (percentile(&v, 0.5), percentile(&v, 0.99)))
            })
            .collect()
    }

    fn by_category(&self, cases: &[eval::Case]) -> BTreeMap<String, (f64, f64, usize)> {
        let mut out: BTreeMap<String, Vec<&eval::Outcome>> = BTreeMap::new();
        for (c, o) in cases.iter().zip(&self.outcomes) {
            out.entry(c.category.clone()).or_default().push(o);
        }
        out.into_iter()
            .map(|(k, v)| {
                (
                    k,
                    (
                        eval::mean(v.iter().map(|o| o.recall)),
                        eval::mean(v.iter().map(|o| o.reciprocal_rank)),
                        v.len(),
                    ),
                )
            })
            .collect()
    }
}

struct Bench {
    client: Client,
    /// The keyword-only server.
    keywords: Client,
    search: Search,
    prefix: String,
}

impl Bench {
    /// zhiliang's `search`, timed over HTTP as a portal would call it.
    async fn ours(&self, client: &Client, cases: &[eval::Case], rounds: usize) -> anyhow::Result<Run> {
        let query = format!(
            "query($q: String!) {{ search(query: $q, first: {DEPTH}) {{ edges {{ node {{ ...K }} }} }} }} {}",
            eval::key_fragment("K", "SearchItem")
        );
        let mut outcomes = Vec::new();
        let mut millis = Vec::new();
        for round in 0..rounds {
            for case in cases {
                let t = Instant::now();
                let data = client.gql(&query, json!({"q": case.query})).await?;
                millis.push(t.elapsed().as_secs_f64() * 1000.0);
                if round == 0 {
                    let ranked: Vec<Vec<String>> = data["search"]["edges"]
                        .as_array()
                        .ok_or_else(|| anyhow!("no edges"))?
                        .iter()
                        .map(|e| eval::keys_of(&e["node"]))
                        .collect();
                    outcomes.push(eval::score(case, &ranked));
                }
            }
        }
        Ok(Run { outcomes, millis })
    }

    /// `suggest` on every prefix a person types on the way to each query (one character more each time), timed.
    async fn suggest(&self, cases: &[eval::Case], rounds: usize) -> anyhow::Result<(Vec<f64>, usize)> {
        let query = "query($p: String!) { suggest(prefix: $p, first: 8) { type id text } }";
        let mut millis = Vec::new();
        let mut empty = 0;
        for round in 0..rounds {
            for case in cases {
                let chars: Vec<char> = case.query.chars().collect();
                for n in 1..=chars.len() {
                    let prefix: String = chars[..n].iter().collect();
                    if prefix.trim().is_empty() {
                        continue;
                    }
                    let t = Instant::now();
                    let data = self.client.gql(query, json!({"p": prefix})).await?;
                    millis.push(t.elapsed().as_secs_f64() * 1000.0);
                    if round == 0 && data["suggest"].as_array().is_none_or(|a| a.is_empty()) {
                        empty += 1;
                    }
                }
            }
        }
        Ok((millis, empty))
    }

    fn base_uid(&self, f: &dyn Family) -> String {
        format!("{}base_{}", self.prefix, f.index())
    }

    /// Copies every document of zhiliang's indexes into new indexes with Meilisearch's default settings.
    async fn build_baseline(&self, db: &sea_orm::DatabaseConnection) -> anyhow::Result<usize> {
        let mut total = 0;
        for f in FAMILIES {
            let uid = self.base_uid(*f);
            let task = self.search.client.create_index(&uid, Some("id")).await?;
            self.search.wait(task, Duration::from_secs(60)).await?;
            // Every id of the live index (the demo data is far below the 10,000-hit cap).
            let live = self.search.client.index(self.search.index_uid(f.index()));
            let ids: Vec<i32> = live
                .search()
                .with_limit(10_000)
                .with_attributes_to_retrieve(meilisearch_sdk::search::Selectors::Some(&["id"]))
                .execute::<Value>()
                .await?
                .hits
                .iter()
                .filter_map(|h| h.result["id"].as_i64().map(|i| i as i32))
                .collect();
            total += ids.len();
            outbox::send_family(db, &self.search, *f, &uid, &ids).await?;
        }
        Ok(total)
    }

    /// The baseline: the query as typed, one federated search over the default-settings indexes, hits mapped to
    /// records through `nodes` (timed: the Meilisearch call only).
    async fn baseline(&self, cases: &[eval::Case], rounds: usize) -> anyhow::Result<Run> {
        let nodes = format!(
            "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ...K }} }} {}",
            eval::key_fragment("K", "Node")
        );
        let uids: Vec<String> = FAMILIES.iter().map(|f| self.base_uid(*f)).collect();
        let indexes: Vec<_> = uids.iter().map(|u| self.search.client.index(u)).collect();
        let mut outcomes = Vec::new();
        let mut millis = Vec::new();
        for round in 0..rounds {
            for case in cases {
                let mut multi = self.search.client.multi_search();
                for index in &indexes {
                    let mut q = index.search();
                    q.with_query(&case.query);
                    multi.with_search_query(q);
                }
                let federation = meilisearch_sdk::search::FederationOptions {
                    limit: Some(DEPTH),
                    ..Default::default()
                };
                let t = Instant::now();
                let res = multi.with_federation(federation).execute::<Value>().await?;
                millis.push(t.elapsed().as_secs_f64() * 1000.0);
                if round > 0 {
                    continue;
                }
                let mut ids = Vec::new();
                for h in &res.hits {
                    let info = h
                        .federation
                        .as_ref()
                        .ok_or_else(|| anyhow!("a hit without _federation"))?;
                    let index = FAMILIES[info.queries_position].index();
                    let type_name = match (index, h.result["kind"].as_str()) {
                        ("notices", _) => "Notice",
                        ("standards", _) => "Standard",
                        ("enterprises", _) => "Enterprise",
                        ("policies", _) => "Policy",
                        ("zones", _) => "Zone",
                        ("listings", Some("BRAND")) => "Brand",
                        ("listings", Some("TITLE")) => "Title",
                        ("listings", _) => "CreditEntry",
                        (other, _) => anyhow::bail!("a hit from an index the baseline does not map: {other}"),
                    };
                    let id = h.result["id"].as_i64().ok_or_else(|| anyhow!("a hit without id"))? as i32;
                    ids.push(zhiliang::graphql::ids::encode(type_name, id).0);
                }
                let data = self.client.gql(&nodes, json!({"ids": ids})).await?;
                let ranked: Vec<Vec<String>> = data["nodes"]
                    .as_array()
                    .ok_or_else(|| anyhow!("no nodes"))?
                    .iter()
                    .map(|n| if n.is_null() { Vec::new() } else { eval::keys_of(n) })
                    .collect();
                outcomes.push(eval::score(case, &ranked));
            }
        }
        Ok(Run { outcomes, millis })
    }

    async fn delete_indexes(&self) {
        for f in FAMILIES {
            for uid in [self.search.index_uid(f.index()), self.base_uid(*f)] {
                if let Ok(task) = self.search.client.delete_index(&uid).await {
                    let _ = self.search.wait(task, Duration::from_secs(60)).await;
                }
            }
        }
    }
}

async fn import_demo(db: &sea_orm::DatabaseConnection, repo: &Path) -> anyhow::Result<u64> {
    let mut rows = 0;
    for f in eval::demo_files(repo) {
        let r = zhiliang::import::import_file(db, &f, false)
            .await
            .with_context(|| f.display().to_string())?;
        if !r.rejected.is_empty() {
            bail!("{}: {} rows rejected", f.display(), r.rejected.len());
        }
        rows += r.added + r.updated + r.unchanged;
    }
    Ok(rows)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("relevance benchmark: skipped (run it with `cargo bench --bench relevance`)");
        return Ok(());
    }
    let rounds: usize = match std::env::var("ZHILIANG_BENCH_ROUNDS") {
        Ok(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| anyhow!("ZHILIANG_BENCH_ROUNDS: {v:?} is not a positive whole number"))?,
        Err(_) => 10,
    };
    let meili_url = std::env::var("ZHILIANG_TEST_MEILI_URL").unwrap_or_else(|_| "http://127.0.0.1:7701".into());
    let repo = repo();
    let cases = eval::load_set(&repo);

    let scratch = tempfile::tempdir()?;
    let settings = Settings {
        database_url: format!("sqlite://{}/bench.db?mode=rwc", scratch.path().display()),
        meili_url,
        meili_index_prefix: format!("relbench_{}_", std::process::id()),
        listen: "127.0.0.1:0".parse()?,
        embedder: EmbedderChoice::Local,
        follow_worker: false,
        search_per_minute: 1_000_000,
        ..Settings::default()
    };
    // The keyword-only server reads the same database and indexes and runs no worker (a worker without an
    // embedder would take the embedder off the indexes).
    let keyword_settings = Settings {
        embedder: EmbedderChoice::None,
        search_worker: false,
        import_worker: false,
        ..settings.clone()
    };
    let db = zhiliang::db::connect(&settings.database_url).await?;
    zhiliang::db::migrate(&db).await?;
    let rows = import_demo(&db, &repo).await?;
    let embed_started = Instant::now();
    let app = Application::build(settings.clone()).await?;
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let keyword_app = Application::build(keyword_settings.clone()).await?;
    let keyword_port = keyword_app.port();
    let (keyword_stop, keyword_stopped) = oneshot::channel::<()>();
    let keyword_server = tokio::spawn(keyword_app.run_until(async move {
        let _ = keyword_stopped.await;
    }));
    let client = |port: u16| Client {
        http: reqwest::Client::new(),
        url: format!("http://127.0.0.1:{port}/graphql"),
    };
    let bench = Bench {
        client: client(port),
        keywords: client(keyword_port),
        // Copies documents into the baseline's indexes without vectors (they have no embedder).
        search: Search::new(&keyword_settings, FAMILIES)?,
        prefix: settings.meili_index_prefix.clone(),
    };
    let meaning = Meaning::from_settings(&settings)?.ok_or_else(|| anyhow!("no embedder"))?;
    let result = async {
        let t = Instant::now();
        loop {
            let waiting = zhiliang::search::meaning::store::progress(&db).await?;
            if waiting.waiting == 0 && outbox::pending(&db).await? == 0 {
                break;
            }
            if t.elapsed() > Duration::from_secs(900) {
                bail!("embedding and the outbox did not finish within 900 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let embed_secs = embed_started.elapsed().as_secs_f64();
        let embedded = zhiliang::search::meaning::store::progress(&db).await?.embedded;
        let docs = bench.build_baseline(&db).await?;
        println!(
            "relevance set: {} queries; demo data: {rows} rows, {docs} search documents; {rounds} timed rounds",
            cases.len()
        );
        println!(
            "embedding ({}): {embedded} documents embedded and sent again in {embed_secs:.1} s ({:.1} ms a document, \
             serve's worker, 2 cores)",
            meaning.model(),
            embed_secs * 1000.0 / embedded.max(1) as f64
        );
        // One untimed pass warms each up.
        bench.ours(&bench.client, &cases, 1).await?;
        bench.ours(&bench.keywords, &cases, 1).await?;
        bench.baseline(&cases, 1).await?;
        let ours = bench.ours(&bench.client, &cases, rounds).await?;
        let keywords = bench.ours(&bench.keywords, &cases, rounds).await?;
        let base = bench.baseline(&cases, rounds).await?;
        let mut qms = Vec::new();
        for _ in 0..rounds {
            for case in &cases {
                let t = Instant::now();
                meaning.query(&case.query).await?;
                qms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        qms.sort_by(|a, b| a.total_cmp(b));
        println!("\n| engine | recall@5 | MRR@10 | queries fully answered | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|---|");
        ours.summary(&cases, "zhiliang `search`, hybrid (GraphQL over HTTP, records loaded)");
        keywords.summary(&cases, "zhiliang `search`, keywords only (GraphQL over HTTP, records loaded)");
        base.summary(&cases, "Meilisearch default settings (federated search call only)");
        println!(
            "\nquery embedding alone ({} calls): p50 {:.1} ms, p99 {:.1} ms",
            qms.len(),
            percentile(&qms, 0.5),
            percentile(&qms, 0.99)
        );
        println!(
            "\n| category | queries | recall@5 hybrid | recall@5 keywords | recall@5 baseline | MRR hybrid | MRR keywords | MRR baseline |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        let (a, k, b) = (ours.by_category(&cases), keywords.by_category(&cases), base.by_category(&cases));
        for (cat, (r, m, n)) in &a {
            let (rk, mk, _) = k[cat];
            let (rb, mb, _) = b[cat];
            println!("| {cat} | {n} | {r:.3} | {rk:.3} | {rb:.3} | {m:.3} | {mk:.3} | {mb:.3} |");
        }
        println!("\n| category | search p50 ms hybrid | p50 keywords | p99 hybrid | p99 keywords |");
        println!("|---|---|---|---|---|");
        let (ta, tk) = (ours.times_by_category(&cases, rounds), keywords.times_by_category(&cases, rounds));
        for (cat, (p50, p99)) in &ta {
            let (k50, k99) = tk[cat];
            println!("| {cat} | {p50:.1} | {k50:.1} | {p99:.1} | {k99:.1} |");
        }
        let (mut sms, empty) = bench.suggest(&cases, rounds.div_ceil(5)).await?;
        sms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "\nsuggest (GraphQL over HTTP, every prefix of every query): {} calls, p50 {:.1} ms, p99 {:.1} ms; \
             {empty} of {} prefixes had no suggestion",
            sms.len(),
            percentile(&sms, 0.5),
            percentile(&sms, 0.99),
            sms.len() / rounds.div_ceil(5)
        );
        let failing: Vec<String> = cases
            .iter()
            .zip(&ours.outcomes)
            .filter(|(_, o)| !o.missing.is_empty())
            .map(|(c, o)| format!("queries.jsonl:{} {:?} misses {:?}", c.line, c.query, o.missing))
            .collect();
        if !failing.is_empty() {
            println!("\nzhiliang misses:\n  {}", failing.join("\n  "));
        }
        anyhow::Ok(())
    }
    .await;
    let _ = stop.send(());
    let _ = keyword_stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), keyword_server).await;
    bench.delete_indexes().await;
    result
}
