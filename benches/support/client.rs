//! The benchmarks' GraphQL client over HTTP and its latency measurement: warm-up, timed samples, percentiles.

use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// Timed requests per measurement.
pub const SAMPLES: usize = 200;
/// Untimed requests before them.
pub const WARM_UP: usize = 5;

/// Median and 99th percentile in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
}

impl Latency {
    /// From samples in milliseconds: sorted, p = element ceil(p * n) - 1.
    pub fn of(mut samples: Vec<f64>) -> Latency {
        samples.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| {
            let i = ((q * samples.len() as f64).ceil() as usize).max(1) - 1;
            samples[i.min(samples.len() - 1)]
        };
        Latency {
            p50: at(0.50),
            p99: at(0.99),
        }
    }
}

/// Posts GraphQL requests to `url` (the application's `/graphql`).
pub struct Client {
    pub http: reqwest::Client,
    pub url: String,
}

impl Client {
    /// The response's `data`; an error on a failed request, a non-success status or any GraphQL error.
    pub async fn gql(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let resp = self
            .http
            .post(&self.url)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .with_context(|| format!("POST {}", self.url))?;
        let status = resp.status();
        let body: Value = resp.json().await.context("reading the GraphQL response")?;
        if !status.is_success() || body.get("errors").is_some() {
            bail!("GraphQL request failed ({status}): {body}");
        }
        Ok(body["data"].clone())
    }

    /// `WARM_UP` untimed requests, then `SAMPLES` timed ones; `check` sees every response.
    pub async fn measure(
        &self,
        query: &str,
        variables: impl Fn(usize) -> Value,
        mut check: impl FnMut(usize, &Value) -> anyhow::Result<()>,
    ) -> anyhow::Result<Latency> {
        for i in 0..WARM_UP {
            self.gql(query, variables(i)).await?;
        }
        let mut samples = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES {
            let vars = variables(i);
            let t = Instant::now();
            let data = self.gql(query, vars).await?;
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            check(i, &data)?;
        }
        Ok(Latency::of(samples))
    }
}

/// How many edges the connection `field` of a response's `data` holds.
pub fn edges(data: &Value, field: &str) -> usize {
    data[field]["edges"].as_array().map(Vec::len).unwrap_or(0)
}
