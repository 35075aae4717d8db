//! An embeddings endpoint over HTTP, for a deployment that runs the model on a server of its own (with a GPU):
//! `POST` with OpenAI's request shape (`{"model", "input": [texts]}`), answered with `{"data": [{"embedding",
//! "index"}]}`. Texts carry e5's `query: ` and `passage: ` prefixes, as for the local model.

use std::time::Duration;

use anyhow::{Context, bail};

use crate::config::Secret;

pub struct Endpoint {
    http: reqwest::Client,
    url: String,
    key: Option<Secret>,
    pub model: String,
    pub dimensions: usize,
}

#[derive(serde::Deserialize)]
struct Answer {
    data: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    embedding: Vec<f32>,
    #[serde(default)]
    index: Option<usize>,
}

impl Endpoint {
    pub fn new(url: String, key: Option<Secret>, model: String, dimensions: usize) -> anyhow::Result<Endpoint> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("building the embeddings client")?;
        Ok(Endpoint {
            http,
            url,
            key,
            model,
            dimensions,
        })
    }

    pub async fn embed(&self, texts: Vec<String>, query: bool) -> anyhow::Result<Vec<Vec<f32>>> {
        let prefix = if query { "query: " } else { "passage: " };
        let input: Vec<String> = texts.iter().map(|t| format!("{prefix}{t}")).collect();
        let mut req = self
            .http
            .post(&self.url)
            .json(&serde_json::json!({ "model": self.model, "input": input }));
        if let Some(k) = &self.key {
            req = req.bearer_auth(k.expose());
        }
        let res = req.send().await.context("embeddings endpoint")?;
        let status = res.status();
        if !status.is_success() {
            let body: String = res.text().await.unwrap_or_default().chars().take(300).collect();
            bail!("embeddings endpoint answered {status}: {body}");
        }
        let answer: Answer = res.json().await.context("embeddings endpoint: reading the answer")?;
        if answer.data.len() != texts.len() {
            bail!(
                "embeddings endpoint returned {} vectors for {} texts",
                answer.data.len(),
                texts.len()
            );
        }
        let mut out = vec![Vec::new(); texts.len()];
        for (i, item) in answer.data.into_iter().enumerate() {
            let at = item.index.unwrap_or(i);
            if at >= out.len() || item.embedding.len() != self.dimensions {
                bail!(
                    "embeddings endpoint: vector {at} has {} values, {} expected",
                    item.embedding.len(),
                    self.dimensions
                );
            }
            out[at] = normalised(item.embedding);
        }
        if out.iter().any(Vec::is_empty) {
            bail!("embeddings endpoint: an index was repeated");
        }
        Ok(out)
    }
}

/// Unit length, as the local model's vectors are (a zero vector stays as it is).
fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 && n.is_finite() {
        v.iter_mut().for_each(|x| *x /= n);
    }
    v
}
