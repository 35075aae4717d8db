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
}

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
];

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
        let pairs: [(&str, Option<String>); 10] = [
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
        match key {
            "database_url" => {
                if !(v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://")) {
                    return Err(format!("{v:?} must start with sqlite:, postgres:// or postgresql://"));
                }
                self.database_url = v.to_string();
            }
            "meili_url" => {
                let u = reqwest::Url::parse(v).map_err(|e| format!("{v:?} is not a URL: {e}"))?;
                if u.scheme() != "http" && u.scheme() != "https" {
                    return Err(format!("{v:?} must be an http:// or https:// URL"));
                }
                self.meili_url = v.trim_end_matches('/').to_string();
            }
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
            "search_worker" => {
                self.search_worker = match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" => false,
                    _ => return Err(format!("{v:?} is not true or false")),
                }
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
