//! Meilisearch: the client with time limits, index lifecycle and settings, the outbox worker, reindex-and-swap.

pub mod outbox;
pub mod reindex;
pub mod text;

use std::future::Future;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use meilisearch_sdk::client::Client;
use meilisearch_sdk::settings::Settings as IndexSettings;
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;

use crate::config::Settings;

/// The search side of the application: one Meilisearch, reached by URL and key, with our index prefix.
#[derive(Clone)]
pub struct Search {
    pub client: Client,
    prefix: String,
    timeout: Duration,
}

/// The catalogues that have an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalogue {
    Notices,
}

impl Catalogue {
    pub fn name(self) -> &'static str {
        match self {
            Catalogue::Notices => "notices",
        }
    }
}

impl Search {
    pub fn new(settings: &Settings) -> anyhow::Result<Search> {
        let key = settings.meili_key.as_ref().map(|k| k.expose().to_string());
        let client = Client::new(settings.meili_url.clone(), key).context("building the Meilisearch client")?;
        Ok(Search {
            client,
            prefix: settings.meili_index_prefix.clone(),
            timeout: settings.meili_timeout,
        })
    }

    /// The live index name of a catalogue.
    pub fn index_uid(&self, c: Catalogue) -> String {
        format!("{}{}", self.prefix, c.name())
    }

    /// Runs one Meilisearch call under the configured time limit (the SDK's client has none).
    pub async fn timed<T, E: std::error::Error + Send + Sync + 'static>(
        &self,
        what: &str,
        f: impl Future<Output = Result<T, E>>,
    ) -> anyhow::Result<T> {
        match tokio::time::timeout(self.timeout, f).await {
            Ok(r) => r.with_context(|| format!("Meilisearch: {what}")),
            Err(_) => Err(anyhow!("Meilisearch: {what} took longer than {:?}", self.timeout)),
        }
    }

    pub async fn healthy(&self) -> anyhow::Result<()> {
        self.timed("health", self.client.health()).await.map(|_| ())
    }

    /// Waits for a task and turns a failed or cancelled task into an error (the SDK returns it as `Ok`).
    pub async fn wait(&self, task: TaskInfo, limit: Duration) -> anyhow::Result<()> {
        let waiting = self
            .client
            .wait_for_task(task, Some(Duration::from_millis(25)), Some(limit));
        let t = match tokio::time::timeout(limit + self.timeout, waiting).await {
            Ok(r) => r.context("Meilisearch: waiting for a task")?,
            Err(_) => bail!("Meilisearch: task did not finish within {limit:?}"),
        };
        match t {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => bail!("Meilisearch task failed: {:?}", content.error),
            other => bail!("Meilisearch task did not finish: {other:?}"),
        }
    }

    /// Creates the index when missing and applies the settings kept in code.
    pub async fn ensure_index(&self, uid: &str, settings: &IndexSettings) -> anyhow::Result<()> {
        let exists = self.timed("get index", self.client.get_index(uid)).await.is_ok();
        if !exists {
            let task = self
                .timed("create index", self.client.create_index(uid, Some("id")))
                .await?;
            // "index already exists" from a racing process is fine; anything else is not.
            if let Err(e) = self.wait(task, Duration::from_secs(60)).await
                && !e.to_string().contains("IndexAlreadyExists")
            {
                return Err(e);
            }
        }
        let index = self.client.index(uid);
        let task = self.timed("set settings", index.set_settings(settings)).await?;
        self.wait(task, Duration::from_secs(300)).await
    }

    /// Applies the settings of every catalogue at start-up.
    pub async fn apply_settings(&self) -> anyhow::Result<()> {
        self.ensure_index(
            &self.index_uid(Catalogue::Notices),
            &crate::catalog::notices::search::index_settings(),
        )
        .await
    }
}

/// Quotes a value for a Meilisearch filter: `\` then `"` escaped, the whole in double quotes.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn filter_values_cannot_break_out() {
        assert_eq!(quote("USA"), "\"USA\"");
        assert_eq!(quote("x\" OR member = \"EU"), "\"x\\\" OR member = \\\"EU\"");
        assert_eq!(quote("a\\"), "\"a\\\\\"");
    }
}
