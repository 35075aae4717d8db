//! Meilisearch: the client with time limits, index lifecycle and settings, the outbox worker, reindex-and-swap.

pub mod family;
pub mod http;
pub mod meaning;
pub mod outbox;
pub mod pinyin;
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
pub use family::Family;

/// The search side of the application: one Meilisearch, reached by URL and key, with our index prefix.
#[derive(Clone)]
pub struct Search {
    pub client: Client<http::MeiliHttp>,
    prefix: String,
    timeout: Duration,
    /// The families with an index (`catalog::FAMILIES`), given by the caller: this module names none.
    pub families: &'static [&'static dyn Family],
    /// The sentence embedder, when one is configured (`embedder`).
    pub meaning: Option<std::sync::Arc<meaning::Meaning>>,
    /// `embedder = "none"` said explicitly: the indexes' embedder is removed. (`auto` without the model leaves
    /// it to the processes that have one.)
    no_meaning: bool,
    /// Meilisearch's URL and key, for the settings the SDK does not know (`vectorStore`).
    url: String,
    key: Option<String>,
    http: reqwest::Client,
}

impl Search {
    pub fn new(settings: &Settings, families: &'static [&'static dyn Family]) -> anyhow::Result<Search> {
        let key = settings.meili_key.as_ref().map(|k| k.expose().to_string());
        let client = Client::new_with_client(
            settings.meili_url.clone(),
            key.clone(),
            http::MeiliHttp::new(key.as_deref()).context("building the Meilisearch client")?,
        );
        let http = reqwest::Client::builder()
            .timeout(settings.meili_timeout)
            .build()
            .context("building the Meilisearch client")?;
        Ok(Search {
            client,
            prefix: settings.meili_index_prefix.clone(),
            timeout: settings.meili_timeout,
            families,
            meaning: meaning::Meaning::from_settings(settings).context("starting the embedder")?,
            no_meaning: settings.embedder == crate::config::EmbedderChoice::None,
            url: settings.meili_url.trim_end_matches('/').to_string(),
            key,
            http,
        })
    }

    /// The live index name of a family's index (`Family::index`).
    pub fn index_uid(&self, index: &str) -> String {
        format!("{}{index}", self.prefix)
    }

    /// The family whose outbox kind is `kind`.
    pub fn family_of_kind(&self, kind: &str) -> Option<&'static dyn Family> {
        self.families.iter().copied().find(|f| f.kind() == kind)
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

    /// The bound on one request to Meilisearch (`meili_timeout`).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub async fn healthy(&self) -> anyhow::Result<()> {
        self.timed("health", self.client.health()).await.map(|_| ())
    }

    /// Whether Meilisearch still holds a task, enqueued or being processed (not ended).
    pub async fn under_way(&self, task: &TaskInfo) -> anyhow::Result<bool> {
        let t = self.timed("get task", self.client.get_task(task)).await?;
        Ok(matches!(t, Task::Enqueued { .. } | Task::Processing { .. }))
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

    /// Creates the index when missing and applies the settings kept in code. True when the index's documents
    /// must all be sent again: it had documents without the configured embedder, whose vectors are now missing.
    pub async fn ensure_index(&self, uid: &str, settings: &IndexSettings) -> anyhow::Result<bool> {
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
        self.wait(task, Duration::from_secs(300)).await?;
        let added = self.set_embedder(uid).await?;
        if !added {
            return Ok(false);
        }
        let stats = self.timed("index stats", index.get_stats()).await?;
        Ok(stats.number_of_documents > 0)
    }

    /// A raw call to Meilisearch's API (for what the SDK does not model); the JSON answer.
    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<serde_json::Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.with_context(|| format!("Meilisearch: {path}"))?;
        let status = res.status();
        let v: serde_json::Value = res.json().await.unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            bail!("Meilisearch: {path} answered {status}: {v}");
        }
        Ok(v)
    }

    /// Patches an index's settings with raw JSON and waits for the task.
    async fn patch_settings(&self, uid: &str, body: serde_json::Value) -> anyhow::Result<()> {
        let task = self
            .raw(reqwest::Method::PATCH, &format!("/indexes/{uid}/settings"), Some(body))
            .await?;
        let uid = task["taskUid"].as_u64().context("Meilisearch: no taskUid")?;
        // Polled as raw JSON: the SDK cannot read the details of a task that removes an embedder.
        let start = std::time::Instant::now();
        loop {
            let t = self.raw(reqwest::Method::GET, &format!("/tasks/{uid}"), None).await?;
            match t["status"].as_str() {
                Some("succeeded") => return Ok(()),
                Some("failed") | Some("canceled") => bail!("Meilisearch task {uid} {}: {}", t["status"], t["error"]),
                _ if start.elapsed() > Duration::from_secs(300) => bail!("Meilisearch task {uid} did not finish"),
                _ => tokio::time::sleep(Duration::from_millis(25)).await,
            }
        }
    }

    /// The index's `userProvided` embedder (`meaning::EMBEDDER`) with the vector store that ranks like exact
    /// cosine (Meilisearch 1.21's `experimental` store; a version without that setting keeps its own). With
    /// `embedder = "none"` the index's embedder is removed; with `auto` and no model it is left as it is (another
    /// process of the deployment may have the model), and this process sends its documents without a vector.
    /// True when the embedder was added (or its dimensions changed).
    async fn set_embedder(&self, uid: &str) -> anyhow::Result<bool> {
        let current = self
            .raw(
                reqwest::Method::GET,
                &format!("/indexes/{uid}/settings/embedders"),
                None,
            )
            .await?;
        let current = current.get(meaning::EMBEDDER).filter(|v| !v.is_null());
        let Some(m) = &self.meaning else {
            if current.is_some() && self.no_meaning {
                tracing::warn!(
                    index = uid,
                    "no embedder is configured: the index's embedder and vectors are removed"
                );
                self.patch_settings(uid, serde_json::json!({ "embedders": { meaning::EMBEDDER: null } }))
                    .await?;
            }
            return Ok(false);
        };
        let added = current.and_then(|c| c["dimensions"].as_u64()) != Some(m.dimensions() as u64);
        let embedders = serde_json::json!({
            meaning::EMBEDDER: { "source": "userProvided", "dimensions": m.dimensions() }
        });
        let with_store = serde_json::json!({ "embedders": embedders, "vectorStore": "experimental" });
        if let Err(e) = self.patch_settings(uid, with_store).await {
            tracing::info!(
                error = format!("{e:#}"),
                "Meilisearch took no vectorStore setting; its default store is used"
            );
            self.patch_settings(uid, serde_json::json!({ "embedders": embedders }))
                .await?;
        }
        Ok(added)
    }

    /// Applies the settings of every family's index at start-up. Returns the families whose documents must all be
    /// sent again (`ensure_index`).
    pub async fn apply_settings(&self) -> anyhow::Result<Vec<&'static dyn Family>> {
        if self.meaning.is_some()
            && let Err(e) = self
                .raw(
                    reqwest::Method::PATCH,
                    "/experimental-features",
                    Some(serde_json::json!({ "vectorStoreSetting": true })),
                )
                .await
        {
            tracing::info!(
                error = format!("{e:#}"),
                "Meilisearch has no vectorStoreSetting feature to enable"
            );
        }
        // Every index at once: Meilisearch queues the tasks and works through them without waiting for this
        // process to see each one finish (one after another, the waits added up to about a second).
        let done = futures_util::future::try_join_all(self.families.iter().map(|f| async move {
            let again = self.ensure_index(&self.index_uid(f.index()), &f.settings()).await?;
            anyhow::Ok(again.then_some(*f))
        }))
        .await?;
        Ok(done.into_iter().flatten().collect())
    }
}

/// Largest number of hits a search can page through and count (`estimatedTotalCount` stops there).
pub const MAX_TOTAL_HITS: usize = 10_000;

/// Synonym sets: the domain vocabulary kept as data in `src/search/synonyms.txt`.
///
/// WTO members' codes, Chinese and English names are not synonyms here: Meilisearch reads the synonym map on
/// every query, and the 570 member entries cost about 1.4 ms a query in each index (measured; 11 ms for the
/// eight queries of one `search`). Notice documents carry the member's code (in the symbols) and both its names
/// (`memberNames`) instead, which finds the same notices for nothing at query time.
pub fn synonyms() -> std::collections::HashMap<String, Vec<String>> {
    let mut sets: Vec<Vec<String>> = Vec::new();
    for line in include_str!("synonyms.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        sets.push(line.split('=').map(str::to_string).collect());
    }
    let mut map: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for set in sets {
        let words: Vec<String> = set
            .iter()
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect();
        for w in &words {
            let entry = map.entry(w.clone()).or_default();
            for o in words.iter().filter(|o| *o != w) {
                if !entry.contains(o) {
                    entry.push(o.clone());
                }
            }
        }
    }
    map
}

/// The attributes of one index; everything else every index shares.
pub struct IndexSpec<'a> {
    /// In order of importance; the overlapping-bigram field last.
    pub searchable: &'a [&'a str],
    pub filterable: &'a [&'a str],
    pub sortable: &'a [&'a str],
    pub displayed: &'a [&'a str],
    /// Code fields where a typo must not match.
    pub no_typos: &'a [&'a str],
}

/// Settings of an index: the spec's attributes plus what every index shares (synonyms, stop words written as
/// jieba outputs them, no typos on numbers, the pagination cap, Chinese for every attribute).
pub fn build_settings(spec: &IndexSpec<'_>) -> IndexSettings {
    use meilisearch_sdk::settings::{FacetingSettings, LocalizedAttributes, PaginationSetting, TypoToleranceSettings};
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    IndexSettings::new()
        .with_searchable_attributes(s(spec.searchable))
        .with_filterable_attributes(s(spec.filterable))
        .with_sortable_attributes(s(spec.sortable))
        .with_displayed_attributes(s(spec.displayed))
        .with_synonyms(synonyms())
        .with_stop_words(s(&["的", "和", "与", "及"]))
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(s(spec.no_typos)),
            disable_on_words: None,
            min_word_size_for_typos: None,
            disable_on_numbers: Some(true),
        })
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: 200,
            sort_facet_values_by: None,
        })
        .with_localized_attributes([LocalizedAttributes {
            locales: vec!["cmn".into()],
            attribute_patterns: vec!["*".into()],
        }])
}

/// One full-text query against one index.
pub struct SearchRequest<'a> {
    /// The index name, without the prefix (`Family::index`).
    pub index: &'static str,
    pub query: String,
    /// Code-shaped queries must match every term.
    pub exact: bool,
    /// Filter conditions, ANDed, values already quoted.
    pub filters: Vec<String>,
    pub highlight: &'a [&'a str],
    pub crop: &'a [(&'a str, Option<usize>)],
    pub facets: &'a [&'a str],
    /// Stored attributes to return with each hit besides `id` (`RawHit::document`): for a search that answers
    /// from the index when it is current. Empty: the hits carry their ids only.
    pub retrieve: &'a [&'a str],
    pub offset: usize,
    pub limit: usize,
    /// What the caller will read: highlights and facet counts are asked of Meilisearch only when wanted.
    pub want: Wanted,
}

/// The parts of a search answer beyond the hits that a request selected. Facet distributions cost Meilisearch
/// 12-20 ms on queries with thousands of hits, highlighting and cropping a few more: a request that reads
/// neither does not pay for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub facets: bool,
    pub highlights: bool,
}

impl Wanted {
    /// Everything: for callers outside a GraphQL request.
    pub const ALL: Wanted = Wanted {
        facets: true,
        highlights: true,
    };
}

/// One hit: the record id and Meilisearch's formatted (highlighted, cropped) fields.
pub struct RawHit {
    pub id: i32,
    formatted: Option<serde_json::Map<String, serde_json::Value>>,
    /// The attributes asked for in `SearchRequest::retrieve`, as Meilisearch stores them (`id` removed).
    pub document: serde_json::Map<String, serde_json::Value>,
}

impl RawHit {
    /// A field's highlighted text, HTML-escaped with `<mark>` around matches.
    pub fn highlight(&self, field: &str) -> Option<String> {
        formatted_field(self.formatted.as_ref(), field)
    }
}

/// A field of Meilisearch's `_formatted` as HTML-escaped text with `<mark>` around matches. A list field comes
/// back as a list of formatted strings: joined with 、, the Chinese list mark.
pub fn formatted_field(formatted: Option<&serde_json::Map<String, serde_json::Value>>, field: &str) -> Option<String> {
    match formatted?.get(field)? {
        serde_json::Value::String(t) => Some(text::safe_highlight(t)),
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|v| v.as_str())
                .map(text::safe_highlight)
                .collect();
            (!parts.is_empty()).then(|| parts.join("、"))
        }
        _ => None,
    }
}

pub struct RawOutcome {
    pub hits: Vec<RawHit>,
    pub estimated_total: usize,
    /// Facets in the order asked, values by count then name.
    pub facets: Vec<(String, Vec<(String, usize)>)>,
    pub processing_ms: usize,
}

/// A hit as Meilisearch returns it: the id, and whatever else was asked to be retrieved.
#[derive(serde::Deserialize)]
struct Retrieved {
    id: i32,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl Search {
    pub async fn run(&self, r: &SearchRequest<'_>) -> anyhow::Result<RawOutcome> {
        use meilisearch_sdk::search::{MatchingStrategies, Selectors};
        let index = self.client.index(self.index_uid(r.index));
        let filter_refs: Vec<&str> = r.filters.iter().map(String::as_str).collect();
        let facet_names: &[&str] = if r.want.facets { r.facets } else { &[] };
        let retrieve: Vec<&str> = std::iter::once("id").chain(r.retrieve.iter().copied()).collect();
        let mut sq = index.search();
        sq.with_query(&r.query)
            .with_offset(r.offset)
            .with_limit(r.limit)
            .with_attributes_to_retrieve(Selectors::Some(&retrieve))
            .with_matching_strategy(if r.exact {
                MatchingStrategies::ALL
            } else {
                MatchingStrategies::LAST
            });
        if r.want.highlights {
            sq.with_attributes_to_highlight(Selectors::Some(r.highlight))
                .with_attributes_to_crop(Selectors::Some(r.crop))
                .with_highlight_pre_tag(text::PRE)
                .with_highlight_post_tag(text::POST)
                .with_crop_marker("…");
        }
        if !facet_names.is_empty() {
            sq.with_facets(Selectors::Some(facet_names));
        }
        if !filter_refs.is_empty() {
            sq.with_array_filter(filter_refs);
        }
        let res = self.timed("search", sq.execute::<Retrieved>()).await?;
        let hits = res
            .hits
            .into_iter()
            .map(|h| RawHit {
                id: h.result.id,
                formatted: h.formatted_result,
                document: h.result.rest,
            })
            .collect();
        let mut facets = Vec::new();
        let dist = res.facet_distribution.unwrap_or_default();
        for name in facet_names {
            let mut values: Vec<(String, usize)> = dist
                .get(*name)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
                .unwrap_or_default();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            facets.push((name.to_string(), values));
        }
        Ok(RawOutcome {
            hits,
            estimated_total: res.estimated_total_hits.unwrap_or(0),
            facets,
            processing_ms: res.processing_time_ms,
        })
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
