//! HTTP caching of public resources (exports, listing feeds, GET GraphQL queries): an `ETag` (a SHA-256 prefix),
//! `Last-Modified` where a change time is known, `If-None-Match` answered 304, and `Cache-Control`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A strong entity tag of these parts (each length-prefixed, so that parts cannot run into each other).
pub fn etag(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(&h.finalize()[..16]))
}

/// Whether the request's `If-None-Match` names this tag (or `*`); weak tags compare by their value.
pub fn fresh(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// An HTTP date (RFC 9110 IMF-fixdate).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `ETag`, `Last-Modified` and `Cache-Control: public, max-age=N` of a public resource.
pub fn public(h: &mut HeaderMap, etag: &str, last_modified: Option<DateTime<Utc>>, max_age: Duration) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(t) = last_modified
        && let Ok(v) = HeaderValue::from_str(&http_date(t))
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={}", max_age.as_secs())) {
        h.insert(header::CACHE_CONTROL, v);
    }
}

/// The caching of a GET GraphQL answer: a successful answer (200, no `errors`) gets an `ETag` of its body and
/// `Cache-Control: public, max-age`, and a matching `If-None-Match` gets 304; an answer with errors gets
/// `no-store`; a query about a watch (`watch(token:)`: the token is a secret) gets `private, no-store`.
pub async fn graphql_get(resp: Response, headers: &HeaderMap, secret: bool, max_age: Duration) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Response::from_parts(parts, Body::empty());
    };
    let ok = parts.status == StatusCode::OK
        && serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| v.get("errors").is_none());
    if secret {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        return Response::from_parts(parts, Body::from(bytes));
    }
    if !ok {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Response::from_parts(parts, Body::from(bytes));
    }
    let tag = etag(&[&bytes]);
    public(&mut parts.headers, &tag, None, max_age);
    // The answer depends on the Accept header (the media type).
    parts.headers.insert(header::VARY, HeaderValue::from_static("accept"));
    if fresh(headers, &tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_matching() {
        let a = etag(&[b"ab", b"c"]);
        assert_ne!(a, etag(&[b"a", b"bc"]));
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{a}")).unwrap(),
        );
        assert!(fresh(&h, &a));
        assert!(!fresh(&h, "\"y\""));
        let t = DateTime::parse_from_rfc3339("2026-11-29T08:05:03Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(http_date(t), "Sun, 29 Nov 2026 08:05:03 GMT");
    }
}
