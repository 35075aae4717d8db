//! A fixed-window rate limit per client address (IPv6 by its /64, where one client holds many addresses) or per any
//! other key (an API key), kept in memory: each `serve` process counts its own clients.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept before expired windows are swept.
const SWEEP_AT: usize = 10_000;

pub struct Limiter<K = IpAddr> {
    limit: u32,
    window: Duration,
    seen: Mutex<HashMap<K, (Instant, u32)>>,
}

/// The key an address is counted under: an IPv6 address by its /64, an IPv4-mapped one as IPv4.
pub fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let mut o = v6.octets();
            o[8..].fill(0);
            IpAddr::from(o)
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().expect("checked")),
        v4 => v4,
    }
}

impl Limiter<IpAddr> {
    pub fn per_hour(limit: u32) -> Limiter<IpAddr> {
        Limiter::new(limit, Duration::from_secs(3600))
    }

    /// Counts one use by `addr`: `Ok` while within the limit, else `Err` with the seconds until the window ends.
    pub fn take(&self, addr: IpAddr) -> Result<(), u64> {
        self.take_key(client_key(addr))
    }
}

impl<K: std::hash::Hash + Eq> Limiter<K> {
    pub fn new(limit: u32, window: Duration) -> Limiter<K> {
        Limiter {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one use under `key`: `Ok` while within the limit, else `Err` with the seconds until the window ends.
    pub fn take_key(&self, key: K) -> Result<(), u64> {
        self.count(key, true)
    }

    /// Whether `key` is over its limit now, without counting a use.
    pub fn check(&self, key: K) -> Result<(), u64> {
        self.count(key, false)
    }

    fn count(&self, key: K, add: bool) -> Result<(), u64> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= SWEEP_AT {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        if !add && !seen.contains_key(&key) {
            // A look that counts nothing starts no window.
            return Ok(());
        }
        let entry = seen.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        if add {
            entry.1 += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address_and_per_ipv6_network() {
        let l = Limiter::per_hour(2);
        let a: IpAddr = "203.0.113.5".parse().unwrap();
        let b: IpAddr = "203.0.113.6".parse().unwrap();
        assert!(l.take(a).is_ok());
        assert!(l.take(a).is_ok());
        let wait = l.take(a).unwrap_err();
        assert!((1..=3600).contains(&wait), "{wait}");
        assert!(l.take(b).is_ok(), "another address has its own count");
        let v6a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert!(l.take(v6a).is_ok());
        assert!(l.take(v6b).is_ok());
        assert!(l.take(v6a).is_err(), "one /64 is one client");
    }
}
