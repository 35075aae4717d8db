//! The notice benchmark's summary: the figures of each backend, the table of them and the run's circumstances.

use super::client::{Latency, SAMPLES, WARM_UP};

/// What one backend measured.
pub struct Figures {
    /// The backend's name as printed, e.g. `PostgreSQL`.
    pub backend: &'static str,
    pub rows: u64,
    pub import_secs: f64,
    pub settings_secs: f64,
    pub catch_up_secs: f64,
    pub docs: u64,
    pub walk_secs: f64,
    pub deep_page: usize,
    pub first: Latency,
    pub deep: Latency,
    pub filtered: Latency,
    pub search: Latency,
}

fn cell(latency: Latency) -> String {
    format!("{:.1} / {:.1}", latency.p50, latency.p99)
}

fn commit() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) if !head.is_empty() => {
            let dirty = git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{head} (with uncommitted changes)")
            } else {
                head
            }
        }
        _ => "none (no commit yet)".to_string(),
    }
}

/// The Markdown table; `deep` is the deep page the header names when there are no figures.
fn table(figures: &[Figures], deep: usize) -> String {
    let deep = figures.first().map(|f| f.deep_page).unwrap_or(deep);
    let mut t = String::new();
    t.push_str(&format!(
        "| backend | import rows/s | search catch-up s (docs/s) | first page p50 / p99 ms | page {deep} p50 / p99 ms | filtered (hsCodes 9503) p50 / p99 ms | searchNotices p50 / p99 ms |\n"
    ));
    t.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for f in figures {
        let deep_cell = if f.deep_page == deep {
            cell(f.deep)
        } else {
            format!("{} (page {})", cell(f.deep), f.deep_page)
        };
        t.push_str(&format!(
            "| {} | {:.0} | {:.1} ({:.0}) | {} | {} | {} | {} |\n",
            f.backend,
            f.rows as f64 / f.import_secs,
            f.catch_up_secs,
            f.docs as f64 / f.catch_up_secs,
            cell(f.first),
            deep_cell,
            cell(f.filtered),
            cell(f.search),
        ));
    }
    t
}

/// Prints the summary of a run over `n` notices: commit, command, machine, the table and each backend's timings.
/// `deep` is the deep page the run aimed for.
pub fn print_summary(n: usize, meili_url: &str, deep: usize, figures: &[Figures]) {
    println!("\n## Summary\n");
    println!("N = {n}; commit {}", commit());
    println!("command: ZHILIANG_BENCH_N={n} cargo bench --bench notices");
    if let Some(level) = option_env!("CARGO_PROFILE_BENCH_OPT_LEVEL") {
        println!("note: built with CARGO_PROFILE_BENCH_OPT_LEVEL={level}; figures are not those of a release build");
    }
    println!(
        "machine: {} CPU(s); Meilisearch {}; latency over HTTP on 127.0.0.1, {SAMPLES} sequential requests after {WARM_UP} warm-up, p99 = sample ceil(0.99 n)",
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(0),
        meili_url
    );
    println!();
    print!("{}", table(figures, deep));
    println!();
    for f in figures {
        println!(
            "{}: import {:.1} s, index settings {:.1} s, catch-up {:.1} s, cursor walk of {} pages {:.1} s",
            f.backend,
            f.import_secs,
            f.settings_secs,
            f.catch_up_secs,
            f.deep_page - 1,
            f.walk_secs
        );
    }
}
