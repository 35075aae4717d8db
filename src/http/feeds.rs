//! Atom feeds (RFC 4287): `GET /feeds/watches/{token}.atom`, the newest notices a watch's filter matches. The
//! token in the path is hashed at once and never logged.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::HttpState;
use super::graphql::{MediaType, refusal};
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store::{self as notices, PageRequest, SortField};
use crate::catalog::watches::graphql::by_token;
use crate::catalog::watches::model::Watch;
use crate::error::{ApiError, Code};

/// How many notices a feed holds, newest first.
pub const FEED_ENTRIES: u64 = 50;

/// `/feeds/watches/{token}.atom`.
pub async fn watch_feed(State(s): State<HttpState>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".atom") else {
        return refusal(
            Code::NotFound,
            "no such path; a watch feed ends in .atom",
            MediaType::Json,
        );
    };
    match render(&s, token).await {
        Ok(xml) => {
            // The body's hash: a reader that polls gets 304 until a notice enters or leaves the feed.
            let digest = Sha256::digest(xml.as_bytes());
            let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]));
            let fresh = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
            let mut resp = if fresh {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (StatusCode::OK, xml).into_response()
            };
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&etag) {
                h.insert(header::ETAG, v);
            }
            // The URL holds the watch's secret: no shared cache may keep it, and no page may pass it on.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
            h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            resp
        }
        Err(e) => {
            if let ApiError::Internal(cause) = &e {
                tracing::error!(error = ?cause, "watch feed failed");
            }
            refusal(e.code(), e.message(), MediaType::Json)
        }
    }
}

async fn render(s: &HttpState, token: &str) -> Result<String, ApiError> {
    let watch = by_token(&s.app, token).await?;
    let query = watch.notice_query()?;
    let page = notices::list(
        &s.app.db,
        &query,
        SortField::DistributionDate,
        &PageRequest {
            descending: true,
            after: None,
            before: None,
            limit: FEED_ENTRIES,
            from_end: false,
        },
    )
    .await?;
    Ok(atom(&watch, token, &page.rows))
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    // Characters XML 1.0 does not allow are dropped; the rest is escaped as for HTML.
    let allowed: String = s
        .chars()
        .filter(|c| (*c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    crate::search::text::escape_html(&allowed)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for IRIs built from symbols.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn atom(watch: &Watch, token: &str, rows: &[Notice]) -> String {
    let updated = rows
        .iter()
        .map(|n| n.updated_at)
        .chain([watch.updated_at])
        .max()
        .unwrap_or(watch.updated_at);
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str(&format!("  <id>tag:zhiliang,2026:watch:{}</id>\n", watch.id));
    x.push_str(&format!("  <title>{}</title>\n", escape(&watch.name)));
    x.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    x.push_str("  <author><name>zhiliang</name></author>\n");
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"/feeds/watches/{}.atom\"/>\n",
        escape(&percent(token))
    ));
    for n in rows {
        let d = &n.data;
        let symbol = d.primary_symbol().to_string();
        let title = d
            .title_zh
            .as_deref()
            .or(d.title_en.as_deref())
            .or(d.title_original.as_deref())
            .unwrap_or(&symbol);
        let summary = d
            .description_zh
            .as_deref()
            .or(d.description_en.as_deref())
            .or(d.products_text.as_deref())
            .unwrap_or(title);
        let link = format!(
            "/graphql?query={}",
            percent(&format!(
                "{{notice(symbol:\"{symbol}\"){{symbols titleZh titleEn distributionDate commentDeadline}}}}"
            ))
        );
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <id>tag:zhiliang,2026:notice:{}</id>\n", percent(&symbol)));
        x.push_str(&format!("    <title>{}</title>\n", escape(title)));
        x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(n.updated_at)));
        x.push_str(&format!(
            "    <published>{}T00:00:00Z</published>\n",
            d.distribution_date.format("%Y-%m-%d")
        ));
        x.push_str(&format!("    <link rel=\"alternate\" href=\"{}\"/>\n", escape(&link)));
        x.push_str(&format!("    <category term=\"{}\"/>\n", escape(&symbol)));
        x.push_str(&format!("    <summary>{}</summary>\n", escape(summary)));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}
