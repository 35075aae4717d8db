//! The webhook channel: each event is POSTed as JSON to the watch's URL, signed with HMAC-SHA256 of a timestamp and
//! the body (`Zhiliang-Signature: t=<unix seconds>,v1=<hex>`, as Stripe and GitHub sign theirs).
//!
//! Addresses on loopback, private, link-local, shared (CGNAT), documentation, multicast and other special networks
//! are refused unless `Settings::webhook_allow` lists them: once when the URL is given (literal IP addresses and
//! `localhost`), and again at every send, on every address the host name resolves to then. The request is pinned
//! to the addresses checked, so a second resolution cannot point it elsewhere (DNS rebinding). Redirects are never
//! followed, and the receiver's answer is judged by its status alone (its body is not read).
//!
//! The body and the headers are documented in `docs/follow.md` ("Webhooks").

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use chrono::SecondsFormat;
use hmac::{Hmac, Mac};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use sha2::Sha256;

use super::entity::watch_event;
use super::{FollowContext, SendError};
use crate::catalog::watches::entity::watch;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids;

/// The longest webhook URL taken.
pub const MAX_URL_CHARS: usize = 2000;
/// The header holding the event's global id (the body's `id`): the same at every attempt.
pub const EVENT_ID_HEADER: &str = "Zhiliang-Event-Id";
/// The header holding the signature: `t=<unix seconds>,v1=<lowercase hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "Zhiliang-Signature";
/// The `User-Agent` of webhook requests.
pub const USER_AGENT: &str = concat!("zhiliang-webhook/", env!("CARGO_PKG_VERSION"));

/// Checks a webhook URL given to `createWatch`/`updateWatch`: http(s), no user name or password, at most 2,000
/// characters, and not a literal address (or `localhost`) on a network that is refused unless allowed. Returns the
/// URL as it will be used (normalised).
pub fn check_url(url: &str, settings: &Settings) -> ApiResult<String> {
    parse_checked(url.trim(), &settings.webhook_allow)
        .map(|u| u.to_string())
        .map_err(|m| ApiError::bad_input(format!("webhookUrl: {m}")))
}

/// Parses and checks a URL; the message says what is wrong.
fn parse_checked(url: &str, allow: &[String]) -> Result<Url, String> {
    const SHAPE: &str = "an http:// or https:// URL of at most 2,000 characters";
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("not {SHAPE}"));
    }
    let u = Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(format!("not {SHAPE}"));
    }
    if u.as_str().chars().count() > MAX_URL_CHARS {
        return Err(format!("not {SHAPE}"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("the URL must not hold a user name or password".into());
    }
    match host_of(&u) {
        None => return Err("the URL has no host".into()),
        Some(Host::Ip(ip)) => check_ip(ip, allow)?,
        Some(Host::Name(name)) => {
            if is_localhost_name(name) {
                let loopback = [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];
                if !loopback.iter().any(|ip| is_allowed(*ip, allow)) {
                    return Err(format!(
                        "{name} is a loopback address; such addresses are refused unless the server's \
                         webhook_allow setting lists them"
                    ));
                }
            }
        }
    }
    Ok(u)
}

enum Host<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// The host of a parsed URL: an address (the parser has already turned `2130706433`, `0x7f.1` or `127.1` into
/// `127.0.0.1`, and written IPv6 in brackets) or a name.
fn host_of(u: &Url) -> Option<Host<'_>> {
    let h = u.host_str().filter(|h| !h.is_empty())?;
    if let Some(v6) = h.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().ok().map(|ip| Host::Ip(IpAddr::V6(ip)));
    }
    Some(match h.parse::<Ipv4Addr>() {
        Ok(ip) => Host::Ip(IpAddr::V4(ip)),
        Err(_) => Host::Name(h),
    })
}

/// `localhost`, `*.localhost`, with or without the final dot (RFC 6761: always loopback).
fn is_localhost_name(name: &str) -> bool {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    n == "localhost" || n.ends_with(".localhost")
}

/// Refuses an address that is not public, unless allowed.
fn check_ip(ip: IpAddr, allow: &[String]) -> Result<(), String> {
    match special_network(ip) {
        Some(kind) if !is_allowed(ip, allow) => Err(format!(
            "{ip} is {kind} address; such addresses are refused unless the server's webhook_allow setting lists them"
        )),
        _ => Ok(()),
    }
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// What kind of non-public network an address is on (with its article, for messages), or `None` when it is a
/// public unicast address.
pub fn special_network(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    // (network, prefix length, what it is), from the IANA IPv4 special-purpose registry.
    const NETS: &[([u8; 4], u8, &str)] = &[
        ([0, 0, 0, 0], 8, "an unspecified (\"this network\")"),
        ([10, 0, 0, 0], 8, "a private-network"),
        ([100, 64, 0, 0], 10, "a shared (CGNAT)"),
        ([127, 0, 0, 0], 8, "a loopback"),
        ([169, 254, 0, 0], 16, "a link-local"),
        ([172, 16, 0, 0], 12, "a private-network"),
        ([192, 0, 0, 0], 24, "an IETF protocol"),
        ([192, 0, 2, 0], 24, "a documentation"),
        ([192, 88, 99, 0], 24, "a 6to4 relay"),
        ([192, 168, 0, 0], 16, "a private-network"),
        ([198, 18, 0, 0], 15, "a benchmarking"),
        ([198, 51, 100, 0], 24, "a documentation"),
        ([203, 0, 113, 0], 24, "a documentation"),
        ([224, 0, 0, 0], 4, "a multicast"),
        ([255, 255, 255, 255], 32, "the broadcast"),
        ([240, 0, 0, 0], 4, "a reserved"),
    ];
    let bits = u32::from(ip);
    NETS.iter()
        .find(|(net, len, _)| in_prefix_v4(bits, u32::from_be_bytes(*net), *len))
        .map(|(_, _, kind)| *kind)
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    if ip.is_unspecified() {
        return Some("an unspecified");
    }
    if ip.is_loopback() {
        return Some("a loopback");
    }
    // Addresses that carry an IPv4 address are judged by it: NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
    if in_prefix_v6(bits, 0x0064_ff9b << 96, 96) {
        return special_v4(Ipv4Addr::from(bits as u32));
    }
    if in_prefix_v6(bits, 0x2002 << 112, 16) {
        return special_v4(Ipv4Addr::from((bits >> 80) as u32));
    }
    const NETS: &[(u128, u8, &str)] = &[
        (0xfe80 << 112, 10, "a link-local"),
        (0xfc00 << 112, 7, "a unique-local (private-network)"),
        (0xff00 << 112, 8, "a multicast"),
        (0x2001_0db8 << 96, 32, "a documentation"),
        (0x3fff << 112, 20, "a documentation"),
        (0x2001 << 112, 23, "an IETF protocol"),
        (0x0100 << 112, 64, "a discard-only"),
    ];
    if let Some((_, _, kind)) = NETS.iter().find(|(net, len, _)| in_prefix_v6(bits, *net, *len)) {
        return Some(kind);
    }
    // Everything routable on the Internet is in 2000::/3; the rest (IPv4-compatible, site-local...) is not public.
    if !in_prefix_v6(bits, 0x2000 << 112, 3) {
        return Some("a non-global");
    }
    None
}

fn in_prefix_v4(ip: u32, net: u32, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    };
    ip & mask == net & mask
}

fn in_prefix_v6(ip: u128, net: u128, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len.min(128)))
    };
    ip & mask == net & mask
}

/// Whether `webhook_allow` lists the address: an entry is an address (`127.0.0.1`, `::1`) or a CIDR block
/// (`10.0.0.0/8`, `fd00::/8`). An IPv4 address written as IPv6 is matched as the IPv4 address. Entries that are
/// neither match nothing.
pub fn is_allowed(ip: IpAddr, allow: &[String]) -> bool {
    let ip = canonical(ip);
    allow.iter().any(|entry| {
        let (addr, len) = match entry.trim().split_once('/') {
            Some((a, l)) => match l.trim().parse::<u8>() {
                Ok(l) => (a.trim(), Some(l)),
                Err(_) => return false,
            },
            None => (entry.trim(), None),
        };
        let Ok(net) = addr.parse::<IpAddr>() else { return false };
        match (ip, net) {
            (IpAddr::V4(ip), IpAddr::V4(net)) => {
                len.map_or(ip == net, |l| l <= 32 && in_prefix_v4(ip.into(), net.into(), l))
            }
            // An IPv4 block written as IPv6 (`::ffff:10.0.0.0/104`) counts its prefix over the 128 bits.
            (IpAddr::V4(ip), IpAddr::V6(net)) => match net.to_ipv4_mapped() {
                Some(net) => len.map_or(ip == net, |l| {
                    (96..=128).contains(&l) && in_prefix_v4(ip.into(), net.into(), l - 96)
                }),
                None => false,
            },
            (IpAddr::V6(ip), IpAddr::V6(net)) => {
                len.map_or(ip == net, |l| l <= 128 && in_prefix_v6(ip.into(), net.into(), l))
            }
            _ => false,
        }
    })
}

/// Whether the channel may connect to an address: public, or allowed.
fn permitted(ip: IpAddr, allow: &[String]) -> bool {
    special_network(ip).is_none() || is_allowed(ip, allow)
}

/// The body of an event's POST: `{"id", "type", "createdAt", "watch": {"id", "name"}, "event"}`, the same bytes at
/// every attempt (the event is the `EventDetail` JSON as stored).
pub fn body(w: &watch::Model, e: &watch_event::Model) -> Result<String, SendError> {
    if serde_json::from_str::<serde::de::IgnoredAny>(&e.detail).is_err() {
        return Err(SendError::Permanent(format!(
            "the detail of event {} is not JSON",
            e.id
        )));
    }
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    Ok(format!(
        "{{\"id\":{},\"type\":{},\"createdAt\":{},\"watch\":{{\"id\":{},\"name\":{}}},\"event\":{}}}",
        text(&ids::encode("WatchEvent", e.id)),
        text(&e.kind),
        text(&e.created_at.to_rfc3339_opts(SecondsFormat::Millis, true)),
        text(&ids::encode("Watch", w.id)),
        text(&w.name),
        e.detail.trim(),
    ))
}

/// The `Zhiliang-Signature` value: `t=<t>,v1=<lowercase hex HMAC-SHA256(key = secret, message = "<t>." + body)>`.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let mut out = format!("t={t},v1=");
    for b in mac.finalize().into_bytes() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Sends one event to the watch's webhook. 2xx: sent; 410 Gone, or an address that is refused: failed at once;
/// anything else (another status, a timeout, a connection error, a name that does not resolve): tried again.
pub async fn send(ctx: &FollowContext, w: &watch::Model, e: &watch_event::Model) -> Result<(), SendError> {
    let (Some(url), Some(secret)) = (w.webhook_url.as_deref(), w.webhook_secret.as_deref()) else {
        return Err(SendError::Permanent("the watch has no webhook".into()));
    };
    let url = parse_checked(url, &ctx.settings.webhook_allow).map_err(SendError::Permanent)?;
    let client = pinned_client(ctx, &url).await?;
    let body = body(w, e)?;
    let event_id = ids::encode("WatchEvent", e.id).0;
    let t = chrono::Utc::now().timestamp();
    let signature = signature(secret.as_bytes(), t, body.as_bytes());
    let response = client
        .post(url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(EVENT_ID_HEADER, event_id)
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .map_err(|err| SendError::Retry(describe(&err, ctx)))?;
    let status = response.status();
    // The body is not read: dropping the response closes the connection.
    drop(response);
    if status.is_success() {
        Ok(())
    } else if status == reqwest::StatusCode::GONE {
        Err(SendError::Permanent(
            "HTTP 410 Gone: the receiver asked for no more deliveries".into(),
        ))
    } else if status.is_redirection() {
        Err(SendError::Retry(format!(
            "HTTP {} (redirects are not followed)",
            status.as_u16()
        )))
    } else {
        Err(SendError::Retry(format!("HTTP {}", status.as_u16())))
    }
}

/// A client for this URL alone: no redirects, no proxy, the settings' timeout, and (for a host name) connecting
/// only to the addresses resolved and checked here.
async fn pinned_client(ctx: &FollowContext, url: &Url) -> Result<reqwest::Client, SendError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(ctx.settings.webhook_timeout)
        .connect_timeout(ctx.settings.webhook_timeout)
        .user_agent(USER_AGENT);
    if let Some(Host::Name(name)) = host_of(url) {
        let port = url.port_or_known_default().unwrap_or(80);
        let lookup = tokio::time::timeout(ctx.settings.webhook_timeout, tokio::net::lookup_host((name, port)));
        let addrs: Vec<SocketAddr> = match lookup.await {
            Ok(Ok(found)) => found.collect(),
            Ok(Err(err)) => return Err(SendError::Retry(format!("{name} did not resolve ({})", err.kind()))),
            Err(_) => return Err(SendError::Retry(format!("{name} did not resolve in time"))),
        };
        if addrs.is_empty() {
            return Err(SendError::Retry(format!("{name} resolved to no address")));
        }
        if let Some(bad) = addrs.iter().find(|a| !permitted(a.ip(), &ctx.settings.webhook_allow)) {
            let ip = canonical(bad.ip());
            let kind = special_network(ip).unwrap_or("a refused");
            return Err(SendError::Permanent(format!(
                "{name} resolves to {ip}, {kind} address; refused unless the server's webhook_allow setting lists it"
            )));
        }
        builder = builder.resolve_to_addrs(name, &addrs);
    }
    builder
        .build()
        .map_err(|err| SendError::Retry(format!("could not make an HTTP client ({})", short_kind(&err))))
}

/// A short reason for a failed request: what went wrong, never the URL, the body or the secret.
fn describe(err: &reqwest::Error, ctx: &FollowContext) -> String {
    if err.is_timeout() {
        return format!("timed out after {} s", ctx.settings.webhook_timeout.as_secs());
    }
    let cause = io_kind(err).map(|k| format!(" ({k})")).unwrap_or_default();
    if err.is_connect() {
        format!("could not connect{cause}")
    } else {
        format!("{}{cause}", short_kind(err))
    }
}

fn short_kind(err: &reqwest::Error) -> &'static str {
    if err.is_builder() {
        "bad request"
    } else if err.is_body() {
        "error sending the body"
    } else if err.is_decode() {
        "bad response"
    } else {
        "request failed"
    }
}

/// The kind of the I/O error under a request error, if there is one (`connection refused`, `connection reset`...).
fn io_kind(err: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, allow: &[&str]) -> Result<String, String> {
        let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
        parse_checked(url, &allow).map(|u| u.to_string())
    }

    #[test]
    fn literal_addresses_on_special_networks_are_refused() {
        for url in [
            "http://10.1.2.3/hook",
            "http://127.0.0.1:8080/",
            "http://127.9.9.9/",
            "http://172.16.0.1/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://0.1.2.3/",
            "http://255.255.255.255/",
            "http://224.0.0.1/",
            "http://192.0.2.1/",
            "http://198.51.100.7/",
            "http://203.0.113.9/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[fc00::1]/",
            "http://[ff02::1]/",
            "http://[2001:db8::1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[2002:7f00:1::]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://localhost:1/x",
            "http://LOCALHOST/",
            "http://localhost./",
            "http://api.localhost/",
        ] {
            assert!(check(url, &[]).is_err(), "{url} was taken");
        }
    }

    #[test]
    fn public_addresses_and_names_are_taken() {
        for url in [
            "https://example.org/hook",
            "http://93.184.216.34/x",
            "http://172.32.0.1/",
            "http://100.128.0.1/",
            "http://[2606:4700::1111]/",
            "http://[::ffff:8.8.8.8]/",
            "https://hooks.example.com:8443/a?b=c",
        ] {
            assert!(check(url, &[]).is_ok(), "{url}: {:?}", check(url, &[]));
        }
    }

    #[test]
    fn shape_is_checked() {
        assert!(check("ftp://example.org/", &[]).is_err());
        assert!(check("https://user:pass@example.org/", &[]).is_err());
        assert!(check("https://user@example.org/", &[]).is_err());
        assert!(check("not a url", &[]).is_err());
        let long = format!("https://example.org/{}", "a".repeat(2000));
        assert!(check(&long, &[]).is_err());
        assert!(check(&long[..2000], &[]).is_ok());
    }

    #[test]
    fn the_allow_list_takes_addresses_and_blocks() {
        assert!(check("http://127.0.0.1:9/", &["127.0.0.1"]).is_ok());
        assert!(check("http://[::ffff:127.0.0.1]:9/", &["127.0.0.1"]).is_ok());
        assert!(check("http://2130706433/", &["127.0.0.1"]).is_ok());
        assert!(check("http://127.0.0.2/", &["127.0.0.1"]).is_err());
        assert!(check("http://localhost:9/", &["127.0.0.1"]).is_ok());
        assert!(check("http://10.9.8.7/", &["10.0.0.0/8"]).is_ok());
        assert!(check("http://11.9.8.7/", &["10.0.0.0/8"]).is_ok());
        assert!(check("http://192.168.5.1/", &["192.168.4.0/23"]).is_ok());
        assert!(check("http://192.168.6.1/", &["192.168.4.0/23"]).is_err());
        assert!(check("http://[fd12::1]/", &["fd00::/8"]).is_ok());
        assert!(check("http://[fe80::1]/", &["fd00::/8"]).is_err());
        assert!(check("http://[::1]/", &["::1"]).is_ok());
        assert!(check("http://10.0.0.1/", &["::ffff:10.0.0.0/104"]).is_ok());
        assert!(check("http://11.0.0.1/", &["::ffff:10.0.0.0/104"]).is_ok());
        assert!(check("http://10.0.0.1/", &["nonsense", "10.0.0.0/99"]).is_err());
    }

    #[test]
    fn signature_matches_a_known_value() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let s = signature(b"Jefe", 0, b"what do ya want for nothing?");
        assert!(s.starts_with("t=0,v1="), "{s}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(s, format!("t=0,v1={hex}"));
        let rfc = signature(b"Jefe", 0, b"");
        assert_eq!(rfc.len(), "t=0,v1=".len() + 64);
    }
}
