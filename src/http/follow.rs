//! The links of watch e-mail: `/watches/{id}/confirm?s=...` and `/watches/{id}/unsubscribe?s=...`.
//!
//! GET only shows a small page with a button (mail scanners open links on their own; a GET must change nothing);
//! POST does it. The unsubscribe POST is also RFC 8058's one-click request (body `List-Unsubscribe=One-Click`, which
//! is not required). A wrong secret or watch gets 404 with a page that says so.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::HttpState;
use crate::catalog::watches::entity::watch;
use crate::follow::email::{self, LinkPurpose};
use crate::search::text::escape_html;

#[derive(Debug, Default, Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    s: Option<String>,
}

/// `GET /watches/{id}/confirm`: the page with the button.
pub async fn confirm_page(State(st): State<HttpState>, Path(id): Path<String>, Query(q): Query<LinkQuery>) -> Response {
    let w = match find(&st, &id, LinkPurpose::Confirm, &q).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    let address = w.email.as_deref().unwrap_or_default();
    let body = if w.email_confirmed_at.is_some() {
        format!(
            "<h1>邮箱地址已确认</h1>\n<p>{} 已确认，会收到通报订阅“{}”的提醒。</p>\n",
            escape_html(address),
            escape_html(&w.name)
        )
    } else {
        format!(
            "<h1>确认邮箱地址</h1>\n<p>点击下面的按钮，确认 {} 接收通报订阅“{}”的提醒。</p>\n{}",
            escape_html(address),
            escape_html(&w.name),
            button(&st, &w, LinkPurpose::Confirm, "确认")
        )
    };
    page(StatusCode::OK, "确认邮箱地址", &body)
}

/// `POST /watches/{id}/confirm`: confirms the address.
pub async fn confirm(State(st): State<HttpState>, Path(id): Path<String>, Query(q): Query<LinkQuery>) -> Response {
    let w = match find(&st, &id, LinkPurpose::Confirm, &q).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    match email::confirm_address(&st.app.db, &w).await {
        Ok(true) => page(
            StatusCode::OK,
            "邮箱地址已确认",
            &format!(
                "<h1>邮箱地址已确认</h1>\n<p>{} 今后会收到通报订阅“{}”的提醒。每封邮件都附有退订链接。</p>\n",
                escape_html(w.email.as_deref().unwrap_or_default()),
                escape_html(&w.name)
            ),
        ),
        Ok(false) => invalid(),
        Err(e) => failed(e),
    }
}

/// `GET /watches/{id}/unsubscribe`: the page with the button.
pub async fn unsubscribe_page(
    State(st): State<HttpState>,
    Path(id): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Response {
    let w = match find(&st, &id, LinkPurpose::Unsubscribe, &q).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    let body = format!(
        "<h1>退订</h1>\n<p>点击下面的按钮，{} 将不再收到通报订阅“{}”的邮件。</p>\n{}",
        escape_html(w.email.as_deref().unwrap_or_default()),
        escape_html(&w.name),
        button(&st, &w, LinkPurpose::Unsubscribe, "退订")
    );
    page(StatusCode::OK, "退订", &body)
}

/// `POST /watches/{id}/unsubscribe`: stops the watch's e-mail (RFC 8058 one-click, or the page's button).
pub async fn unsubscribe(State(st): State<HttpState>, Path(id): Path<String>, Query(q): Query<LinkQuery>) -> Response {
    let w = match find(&st, &id, LinkPurpose::Unsubscribe, &q).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    match email::unsubscribe(&st.app.db, &w).await {
        Ok(true) => page(
            StatusCode::OK,
            "已退订",
            &format!(
                "<h1>已退订</h1>\n<p>{} 不会再收到通报订阅“{}”的邮件。</p>\n",
                escape_html(w.email.as_deref().unwrap_or_default()),
                escape_html(&w.name)
            ),
        ),
        Ok(false) => invalid(),
        Err(e) => failed(e),
    }
}

/// The watch the link names, or the response to give.
async fn find(st: &HttpState, id: &str, purpose: LinkPurpose, q: &LinkQuery) -> Result<watch::Model, Response> {
    let (Ok(id), Some(secret)) = (id.parse::<i32>(), q.s.as_deref()) else {
        return Err(invalid());
    };
    match email::watch_by_link(&st.app.db, id, purpose, secret).await {
        Ok(Some(w)) => Ok(w),
        Ok(None) => Err(invalid()),
        Err(e) => Err(failed(e)),
    }
}

/// A form that POSTs back to the same link (relative, so a path prefix of `public_url` is kept).
fn button(st: &HttpState, w: &watch::Model, purpose: LinkPurpose, label: &str) -> String {
    let url = email::link_url(&st.app.settings, w, purpose).unwrap_or_default();
    let relative = url.rsplit_once('/').map_or(url.as_str(), |(_, tail)| tail);
    format!(
        "<form method=\"post\" action=\"{}\"><button type=\"submit\" style=\"font-size:1.1em;padding:.4em 1.5em\">{}</button></form>\n",
        escape_html(relative),
        escape_html(label)
    )
}

fn invalid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "链接无效",
        "<h1>链接无效</h1>\n<p>这个链接无效或已失效：地址可能已更改、已退订，或订阅已删除。</p>\n",
    )
}

fn failed(e: sea_orm::DbErr) -> Response {
    tracing::error!(error = %e, "an e-mail link failed");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "暂时无法处理",
        "<h1>暂时无法处理</h1>\n<p>请稍后再试。</p>\n",
    )
}

/// A small page: no external resources, no referrer, not stored.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>body{{font-family:sans-serif;line-height:1.6;color:#222;max-width:36em;margin:2em auto;padding:0 1em}}</style>\n\
         </head>\n<body>\n{}</body>\n</html>\n",
        escape_html(title),
        body
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}
