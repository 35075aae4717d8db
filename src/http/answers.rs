//! Answers to anonymous GraphQL queries, kept under the data version they were computed at
//! (`crate::db::freshness`). Every committed write advances that version, and so does the search outbox once
//! Meilisearch has a batch; a request reads the version first and is answered from here only when an answer was
//! computed at that very version. An answer can therefore be newer than its version, never older: nothing stale is
//! served after a write, from this process or another on the same database.
//!
//! What is kept: successful query answers (no errors, no warnings: a degraded or relaxed answer is not kept) of
//! requests without an API key, keyed by the query text, the operation name, the variables, the request's
//! extensions, the media type and the day in China (answers such as `activeToday` depend on it). Memory is bounded
//! by `response_cache_bytes`; when full, everything is dropped and the cache fills again with what is asked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};

/// One kept answer: the status and the body, whose headers the media type gives.
#[derive(Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

pub type Key = [u8; 32];

struct Inner {
    version: i64,
    bytes: usize,
    map: HashMap<Key, Answer>,
}

pub struct Answers {
    capacity: usize,
    inner: Mutex<Inner>,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl Answers {
    pub fn new(capacity: usize) -> Answers {
        Answers {
            capacity,
            inner: Mutex::new(Inner {
                version: i64::MIN,
                bytes: 0,
                map: HashMap::new(),
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The key of a request: each part length-prefixed, so no two different requests share one.
    pub fn key(parts: &[&[u8]]) -> Key {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        h.finalize().into()
    }

    /// The answer kept for `key` at `version`, if any.
    pub fn get(&self, version: i64, key: &Key) -> Option<Answer> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let found = (inner.version == version)
            .then(|| inner.map.get(key).cloned())
            .flatten();
        drop(inner);
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps an answer computed after `version` was read. Answers of an older version than the one kept are
    /// dropped; a newer version drops everything kept before it.
    pub fn put(&self, version: i64, key: Key, answer: Answer) {
        let size = cost(&answer);
        if size > self.capacity / 16 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if version < inner.version {
            return;
        }
        if version > inner.version || inner.bytes + size > self.capacity {
            inner.map.clear();
            inner.bytes = 0;
            inner.version = version;
        }
        if let Some(old) = inner.map.insert(key, answer) {
            inner.bytes -= cost(&old);
        }
        inner.bytes += size;
    }

    /// Answers kept now and their bytes, for `/metrics`.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (inner.map.len(), inner.bytes)
    }
}

/// The memory an answer takes in the map, about: its body, its key and the entry's bookkeeping.
fn cost(answer: &Answer) -> usize {
    answer.body.len() + std::mem::size_of::<Key>() + 64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            body: Bytes::from(text.to_string()),
        }
    }

    #[test]
    fn an_answer_is_served_only_at_its_version() {
        let a = Answers::new(1 << 20);
        let k = Answers::key(&[b"{ notices { nodes { id } } }", b"{}"]);
        assert!(a.get(1, &k).is_none());
        a.put(1, k, answer("one"));
        assert_eq!(a.get(1, &k).unwrap().body, "one");
        assert!(a.get(2, &k).is_none(), "a newer version never sees an older answer");
        // An answer computed at an older version than the one kept is not kept.
        a.put(2, k, answer("two"));
        a.put(1, k, answer("stale"));
        assert_eq!(a.get(2, &k).unwrap().body, "two");
        assert_eq!(a.hits.load(Ordering::Relaxed), 2);
        assert_eq!(a.misses.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn keys_do_not_run_together() {
        assert_ne!(Answers::key(&[b"ab", b"c"]), Answers::key(&[b"a", b"bc"]));
    }

    #[test]
    fn memory_stays_bounded() {
        let a = Answers::new(16 * 1024);
        for i in 0..1000u32 {
            a.put(1, Answers::key(&[&i.to_le_bytes()]), answer(&"x".repeat(500)));
            assert!(a.size().1 <= 16 * 1024);
        }
        assert!(a.size().0 > 0);
        // Larger than a sixteenth of the whole: not kept.
        let k = Answers::key(&[b"big"]);
        a.put(1, k, answer(&"x".repeat(2000)));
        assert!(a.get(1, &k).is_none());
    }
}
