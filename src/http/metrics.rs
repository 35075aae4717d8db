//! `GET /metrics`: the service's figures in Prometheus' text format. Request latency histograms by GraphQL
//! operation name, the answer cache's hits and misses, the search outbox's length and age, Meilisearch tasks
//! that failed, the statements sent to the database and its pool in use.
//!
//! Operation names come from clients: only names of letters, digits and `_` up to 64 characters are labels, and
//! at most `MAX_OPERATIONS` of them; the rest are counted under `other` (and unnamed operations under
//! `anonymous`), so no client can make the figures grow without bound.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::HttpState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Distinct operation names kept as labels.
pub const MAX_OPERATIONS: usize = 200;

#[derive(Default)]
struct Histogram {
    /// Counts of each bucket (not cumulative; summed when printed), and past the last.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = BUCKETS.iter().position(|b| secs <= *b).unwrap_or(BUCKETS.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }
}

/// Latency of GraphQL requests over HTTP, by operation name and by whether the answer was kept from before.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<HashMap<(String, &'static str), Arc<Histogram>>>,
}

/// The label of an operation name sent by a client.
fn label(name: Option<&str>) -> String {
    match name {
        None | Some("") => "anonymous".into(),
        Some(n) if n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => n.to_string(),
        Some(_) => "other".into(),
    }
}

impl Metrics {
    /// Records one GraphQL request: its operation name (as sent), `kept` (answered from the answer cache) and time.
    pub fn observe(&self, operation: Option<&str>, kept: bool, took: Duration) {
        let mut name = label(operation);
        let source = if kept { "cache" } else { "computed" };
        let h = {
            let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            if !map.contains_key(&(name.clone(), source)) && map.len() >= MAX_OPERATIONS {
                name = "other".into();
            }
            map.entry((name, source)).or_default().clone()
        };
        h.observe(took);
    }

    fn write_requests(&self, out: &mut String) {
        let map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let mut keys: Vec<&(String, &'static str)> = map.keys().collect();
        keys.sort();
        out.push_str("# HELP zhiliang_graphql_request_duration_seconds Time to answer a GraphQL request over HTTP.\n");
        out.push_str("# TYPE zhiliang_graphql_request_duration_seconds histogram\n");
        for key in keys {
            let h = &map[key];
            let labels = format!("operation=\"{}\",source=\"{}\"", key.0, key.1);
            let mut total = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                total += h.counts[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "zhiliang_graphql_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {total}"
                );
            }
            total += h.counts[BUCKETS.len()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "zhiliang_graphql_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}"
            );
            let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "zhiliang_graphql_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(
                out,
                "zhiliang_graphql_request_duration_seconds_count{{{labels}}} {total}"
            );
        }
    }
}

fn gauge(out: &mut String, name: &str, help: &str, kind: &str, values: &[(&str, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, v) in values {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {v}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {v}");
        }
    }
}

/// `GET /metrics`.
pub async fn metrics(State(s): State<HttpState>) -> Response {
    let mut out = String::new();
    s.metrics.write_requests(&mut out);
    let hits = s.answers.hits.load(Ordering::Relaxed) as f64;
    let misses = s.answers.misses.load(Ordering::Relaxed) as f64;
    gauge(
        &mut out,
        "zhiliang_answer_cache_requests_total",
        "Anonymous queries looked up in the answer cache, by whether an answer of the current data version was kept.",
        "counter",
        &[("result=\"hit\"", hits), ("result=\"miss\"", misses)],
    );
    let fresh = &s.app.freshness;
    gauge(
        &mut out,
        "zhiliang_data_version_reads_total",
        "Data-version reads before anonymous queries and keyed searches: asked (one a request) and read (statements \
         sent; requests that ask at the same time share one).",
        "counter",
        &[
            ("kind=\"asked\"", fresh.served.load(Ordering::Relaxed) as f64),
            ("kind=\"read\"", fresh.reads.load(Ordering::Relaxed) as f64),
        ],
    );
    let (entries, bytes) = s.answers.size();
    gauge(
        &mut out,
        "zhiliang_answer_cache_entries",
        "Answers kept.",
        "gauge",
        &[("", entries as f64)],
    );
    gauge(
        &mut out,
        "zhiliang_answer_cache_bytes",
        "Memory the kept answers take, about.",
        "gauge",
        &[("", bytes as f64)],
    );
    let db = &s.app.db;
    let pending = crate::search::outbox::pending(db).await.ok();
    let oldest = crate::search::outbox::oldest(db).await.ok().flatten();
    if let Some(n) = pending {
        gauge(
            &mut out,
            "zhiliang_search_outbox_entries",
            "Changes waiting to be sent to Meilisearch.",
            "gauge",
            &[("", n as f64)],
        );
    }
    let age = oldest
        .map(|o| (chrono::Utc::now() - o.created_at).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    gauge(
        &mut out,
        "zhiliang_search_outbox_oldest_age_seconds",
        "Age of the oldest change waiting to be sent to Meilisearch (0 when none waits).",
        "gauge",
        &[("", age)],
    );
    gauge(
        &mut out,
        "zhiliang_meilisearch_task_failures_total",
        "Meilisearch calls or tasks of the search outbox that failed (the changes stay queued and are sent again).",
        "counter",
        &[("", crate::search::outbox::TASKS_FAILED.load(Ordering::Relaxed) as f64)],
    );
    gauge(
        &mut out,
        "zhiliang_search_outbox_vacuums_total",
        "Vacuums of the search outbox this process made after deleting many entries (PostgreSQL).",
        "counter",
        &[("", crate::search::outbox::VACUUMS.load(Ordering::Relaxed) as f64)],
    );
    gauge(
        &mut out,
        "zhiliang_db_statements_total",
        "Statements this process sent to the database.",
        "counter",
        &[("", s.app.queries.load(Ordering::Relaxed) as f64)],
    );
    let (size, idle, max) = pool(db);
    gauge(
        &mut out,
        "zhiliang_db_pool_connections",
        "Database connections of this process, by state.",
        "gauge",
        &[
            ("state=\"in_use\"", (size as usize).saturating_sub(idle) as f64),
            ("state=\"idle\"", idle as f64),
        ],
    );
    gauge(
        &mut out,
        "zhiliang_db_pool_max_connections",
        "The most connections the pool opens.",
        "gauge",
        &[("", max as f64)],
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response()
}

/// Open, idle and most connections of the pool.
fn pool(db: &sea_orm::DatabaseConnection) -> (u32, usize, u32) {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        sea_orm::DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => (0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_cannot_grow_the_labels() {
        let m = Metrics::default();
        for i in 0..(MAX_OPERATIONS + 50) {
            m.observe(Some(&format!("Op{i}")), false, Duration::from_millis(3));
        }
        m.observe(Some("bad name\"} 1\n"), false, Duration::from_millis(3));
        m.observe(None, true, Duration::from_micros(200));
        let mut out = String::new();
        m.write_requests(&mut out);
        let series = out.lines().filter(|l| l.contains("_count{")).count();
        // The named ones, then `other` of each source.
        assert!(series <= MAX_OPERATIONS + 2, "{series} series");
        assert!(out.contains("operation=\"other\""));
        assert!(!out.contains("bad name"));
        assert!(out.contains(
            "zhiliang_graphql_request_duration_seconds_bucket{operation=\"Op0\",source=\"computed\",le=\"0.005\"} 1"
        ));
        assert!(out.contains(
            "zhiliang_graphql_request_duration_seconds_bucket{operation=\"Op0\",source=\"computed\",le=\"0.0025\"} 0"
        ));
    }
}
