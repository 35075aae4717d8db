//! Operate (docs/operate.md): the offices that own the data publish and correct it through the service. API keys
//! with roles, catalogues and a region (`keys`), every write checked and audited in its own transaction
//! (`write`), the audit trail read back (`audit`), uploaded files imported by a background job (`jobs`), rate
//! limits per key and per client address (`Limits`), and the GraphQL side (`graphql`). `http/operate.rs` reads
//! `Authorization: Bearer` and serves `/uploads`.

pub mod audit;
pub mod entity;
pub mod graphql;
pub mod jobs;
pub mod keys;
pub mod write;

use std::net::IpAddr;
use std::time::Duration;

use crate::config::Settings;
use crate::follow::limit::{Limiter, client_key};

/// Who a rate limit counts: a key, or an address without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Key(i32),
    Addr(IpAddr),
}

impl Who {
    pub fn of(key: Option<&keys::Principal>, addr: IpAddr) -> Who {
        match key.and_then(|p| p.key_id) {
            Some(id) => Who::Key(id),
            None => Who::Addr(client_key(addr)),
        }
    }
}

/// The rate limits of `serve`, per process.
pub struct Limits {
    /// Mutations and uploads.
    pub writes: Limiter<Who>,
    /// Searches (`search*` and `suggest` root fields).
    pub searches: Limiter<Who>,
    /// Refused keys, per client address.
    pub key_failures: Limiter<IpAddr>,
}

impl Limits {
    pub fn new(s: &Settings) -> Limits {
        Limits {
            writes: Limiter::new(s.write_per_minute, Duration::from_secs(60)),
            searches: Limiter::new(s.search_per_minute, Duration::from_secs(60)),
            key_failures: Limiter::per_hour(s.key_failures_per_hour),
        }
    }
}

/// The id of one HTTP request (`X-Request-Id`, made when the client sends none or an unusable one): in the audit
/// trail, in the response's `X-Request-Id`, and in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The client's id when it is 1 to 64 characters of letters, digits, `-`, `_`, `.` or `:`; else a new one.
    pub fn from_header(v: Option<&str>) -> RequestId {
        match v.map(str::trim) {
            Some(s)
                if !s.is_empty()
                    && s.len() <= 64
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) =>
            {
                RequestId(s.to_string())
            }
            _ => RequestId::new(),
        }
    }

    pub fn new() -> RequestId {
        let mut b = [0u8; 12];
        if getrandom::fill(&mut b).is_err() {
            // Still unique enough within the process: the time in nanoseconds.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            return RequestId(format!("t{t:x}"));
        }
        RequestId(b.iter().map(|x| format!("{x:02x}")).collect())
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_taken_when_sane_and_made_otherwise() {
        assert_eq!(RequestId::from_header(Some("abc-123")).0, "abc-123");
        assert_eq!(RequestId::new().0.len(), 24);
        assert_ne!(RequestId::from_header(Some("a b")).0, "a b");
        assert_ne!(RequestId::from_header(Some(&"x".repeat(65))).0.len(), 65);
        assert_eq!(RequestId::from_header(None).0.len(), 24);
    }
}
