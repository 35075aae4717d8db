//! Atom feeds (RFC 4287): `GET /feeds/watches/{token}.atom`, the newest 50 events of a watch (new notices,
//! follow-ups, deadline reminders), one entry per event with the event's stable id. The token in the path is
//! hashed at once and never logged.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::HttpState;
use super::graphql::{MediaType, refusal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store as notices;
use crate::catalog::watches::graphql::by_token;
use crate::catalog::watches::model::Watch;
use crate::error::{ApiError, Code};
use crate::follow::entity::watch_event;
use crate::follow::events::{EventDetail, EventKind};
use crate::graphql::ids;

/// How many events a feed holds, newest first.
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
    let rows = watch_event::Entity::find()
        .filter(watch_event::Column::WatchId.eq(watch.id))
        .order_by_desc(watch_event::Column::Id)
        .limit(FEED_ENTRIES)
        .all(&s.app.db)
        .await
        .map_err(anyhow::Error::from)?;
    let mut ids: Vec<i32> = rows.iter().map(|e| e.notice_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let notices = notices::by_ids(&s.app.db, &ids).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for e in &rows {
        let detail: EventDetail = serde_json::from_str(&e.detail).map_err(anyhow::Error::from)?;
        entries.push((e, detail, notices.iter().find(|n| n.id == e.notice_id)));
    }
    Ok(atom(&watch, token, &entries))
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
pub(crate) fn percent(s: &str) -> String {
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

/// A time as RFC 3339 in UTC, to the second (`2026-11-29T15:03:46Z`).
pub(crate) fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn atom(watch: &Watch, token: &str, entries: &[(&watch_event::Model, EventDetail, Option<&Notice>)]) -> String {
    let updated = entries
        .iter()
        .map(|(e, _, _)| e.created_at)
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
    for (e, detail, notice) in entries {
        let symbol = &detail.symbol;
        let summary = notice
            .and_then(|n| {
                let d = &n.data;
                d.description_zh
                    .as_deref()
                    .or(d.description_en.as_deref())
                    .or(d.products_text.as_deref())
            })
            .unwrap_or(detail.title());
        let query = match detail.kind {
            // The reference as a GraphQL string (JSON's escapes are GraphQL's).
            EventKind::Recall => format!(
                "{{recall(country:\"{}\",reference:{}){{reference name notifiedOn riskTypes measures}}}}",
                detail.member,
                serde_json::Value::from(symbol.as_str())
            ),
            _ => format!("{{notice(symbol:\"{symbol}\"){{symbols titleZh titleEn distributionDate commentDeadline}}}}"),
        };
        let link = format!("/graphql?query={}", percent(&query));
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>tag:zhiliang,2026:event:{}</id>\n",
            escape(ids::encode("WatchEvent", e.id).as_str())
        ));
        x.push_str(&format!("    <title>{}</title>\n", escape(&detail.summary_zh())));
        x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(e.created_at)));
        x.push_str(&format!("    <published>{}</published>\n", rfc3339(e.created_at)));
        x.push_str(&format!("    <link rel=\"alternate\" href=\"{}\"/>\n", escape(&link)));
        x.push_str(&format!("    <category term=\"{}\"/>\n", detail.kind.as_str()));
        x.push_str(&format!("    <category term=\"{}\"/>\n", escape(symbol)));
        x.push_str(&format!("    <summary>{}</summary>\n", escape(summary)));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}
