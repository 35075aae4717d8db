//! The e-mail channel: any SMTP server (plain, or upgraded with STARTTLS; optional login), Chinese mail in
//! `multipart/alternative` (plain text and HTML, no external resources), one message per event or a daily digest at
//! the watch's hour (Asia/Shanghai), one-click unsubscribe (RFC 8058).
//!
//! An address is confirmed by a link before anything else is sent to it: until then, `email` and `digest`
//! deliveries fail permanently and only the `confirm` delivery goes out. The links carry an HMAC-SHA256 keyed by the
//! watch's `link_key` over the purpose and the address, so a new address (which gets a new key) voids the old links.
//! The watch's token is never put in a mail.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, FixedOffset, Timelike, Utc};
use hmac::{Hmac, Mac};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};
use sha2::Sha256;

use super::entity::{delivery, watch_event};
use super::events::{self, EventDetail, EventKind};
use super::{FollowContext, SendError};
use crate::catalog::watches::entity::watch;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::search::text::escape_html;

/// How long one SMTP command may take (well under the delivery lease).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The most events listed in one digest; the rest are counted.
const DIGEST_MAX: u64 = 200;
/// Asia/Shanghai has had no daylight saving time since 1991: UTC+8.
const SHANGHAI_SECS: i32 = 8 * 3600;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Confirm,
    Unsubscribe,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Confirm => "confirm",
            LinkPurpose::Unsubscribe => "unsubscribe",
        }
    }
}

/// Checks an address given to `createWatch`/`updateWatch`.
pub fn check_address(address: &str, _settings: &Settings) -> ApiResult<String> {
    let a = address.trim();
    if a.len() > 254 || !a.contains('@') || a.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::bad_input("email: not an e-mail address"));
    }
    if a.parse::<lettre::Address>().is_err() {
        return Err(ApiError::bad_input("email: not an e-mail address"));
    }
    Ok(a.to_string())
}

fn link_mac(key: &str, purpose: LinkPurpose, address: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(purpose.as_str().as_bytes());
    mac.update(b":");
    mac.update(address.as_bytes());
    mac
}

/// The secret of a link: base64url of HMAC-SHA256(link_key, "<purpose>:<address>").
pub fn link_secret(key: &str, purpose: LinkPurpose, address: &str) -> String {
    URL_SAFE_NO_PAD.encode(link_mac(key, purpose, address).finalize().into_bytes())
}

/// Whether `secret` is the watch's secret for this purpose and its current address (compared in constant time).
pub fn link_valid(w: &watch::Model, purpose: LinkPurpose, secret: &str) -> bool {
    let (Some(key), Some(address)) = (w.link_key.as_deref(), w.email.as_deref()) else {
        return false;
    };
    let Ok(raw) = URL_SAFE_NO_PAD.decode(secret.trim_end_matches('=')) else {
        return false;
    };
    link_mac(key, purpose, address).verify_slice(&raw).is_ok()
}

/// The link of a watch's address for this purpose (none without an address).
pub fn link_url(settings: &Settings, w: &watch::Model, purpose: LinkPurpose) -> Option<String> {
    let (key, address) = (w.link_key.as_deref()?, w.email.as_deref()?);
    Some(format!(
        "{}/watches/{}/{}?s={}",
        settings.public_url.trim_end_matches('/'),
        w.id,
        purpose.as_str(),
        link_secret(key, purpose, address)
    ))
}

/// The watch a link names, when its secret is right for the watch's current address.
pub async fn watch_by_link<C: ConnectionTrait>(
    db: &C,
    id: i32,
    purpose: LinkPurpose,
    secret: &str,
) -> Result<Option<watch::Model>, sea_orm::DbErr> {
    let w = watch::Entity::find_by_id(id).one(db).await?;
    Ok(w.filter(|w| link_valid(w, purpose, secret)))
}

/// Marks the watch's address confirmed (kept when it already is); false when the address changed meanwhile.
pub async fn confirm_address(db: &sea_orm::DatabaseConnection, w: &watch::Model) -> Result<bool, sea_orm::DbErr> {
    let Some(address) = w.email.as_deref() else {
        return Ok(false);
    };
    if w.email_confirmed_at.is_some() {
        return Ok(true);
    }
    let r = watch::Entity::update_many()
        .col_expr(watch::Column::EmailConfirmedAt, Expr::value(Some(Utc::now())))
        .filter(watch::Column::Id.eq(w.id))
        .filter(watch::Column::Email.eq(address))
        .filter(watch::Column::EmailConfirmedAt.is_null())
        .exec(db)
        .await?;
    if r.rows_affected == 1 {
        return Ok(true);
    }
    // Confirmed by a concurrent request, or the address changed.
    let now = watch::Entity::find_by_id(w.id).one(db).await?;
    Ok(now.is_some_and(|n| n.email.as_deref() == Some(address) && n.email_confirmed_at.is_some()))
}

/// Stops e-mail to the watch's address: the address and its link key are removed (a new one must be set and
/// confirmed again) and its pending e-mail deliveries are given up. False when the address changed meanwhile.
pub async fn unsubscribe(db: &sea_orm::DatabaseConnection, w: &watch::Model) -> Result<bool, sea_orm::DbErr> {
    let Some(address) = w.email.as_deref() else {
        return Ok(false);
    };
    let txn = crate::db::begin_write(db).await?;
    let r = watch::Entity::update_many()
        .col_expr(watch::Column::Email, Expr::value(Option::<String>::None))
        .col_expr(watch::Column::LinkKey, Expr::value(Option::<String>::None))
        .col_expr(
            watch::Column::EmailConfirmedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(watch::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(watch::Column::Id.eq(w.id))
        .filter(watch::Column::Email.eq(address))
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value("failed"))
        .col_expr(delivery::Column::LastError, Expr::value("unsubscribed"))
        .filter(delivery::Column::WatchId.eq(w.id))
        .filter(delivery::Column::Channel.is_in(["email", "digest", "confirm"]))
        .filter(delivery::Column::Status.eq("pending"))
        .exec(&txn)
        .await?;
    crate::db::commit(txn).await?;
    Ok(true)
}

/// A mail ready to send.
struct Mail {
    subject: String,
    text: String,
    html: String,
    /// The one-click unsubscribe URL (every mail but the confirmation).
    unsubscribe: Option<String>,
}

/// Sends a confirmation, an immediate event mail or a digest.
pub async fn send(ctx: &FollowContext, w: &watch::Model, d: &delivery::Model) -> Result<(), SendError> {
    let s = &ctx.settings;
    let Some(address) = w.email.as_deref() else {
        return Err(SendError::Permanent(
            "the watch has no e-mail address (removed or unsubscribed)".into(),
        ));
    };
    if w.link_key.is_none() {
        return Err(SendError::Permanent("the watch's address has no link key".into()));
    }
    let mail = match d.channel.as_str() {
        "confirm" => confirm_mail(s, w),
        "email" | "digest" if w.email_confirmed_at.is_none() => {
            return Err(SendError::Permanent(
                "the address is not confirmed; nothing but the confirmation is sent to it".into(),
            ));
        }
        "email" => {
            let Some(eid) = d.event_id else {
                return Err(SendError::Permanent("an e-mail delivery without an event".into()));
            };
            let event = watch_event::Entity::find_by_id(eid)
                .one(&ctx.db)
                .await
                .map_err(|e| SendError::Retry(format!("database: {e}")))?
                .ok_or_else(|| SendError::Permanent(format!("event {eid} is gone")))?;
            let detail: EventDetail = serde_json::from_str(&event.detail)
                .map_err(|e| SendError::Permanent(format!("event {eid} does not read: {e}")))?;
            event_mail(s, w, &detail)
        }
        "digest" => {
            let (details, more) = digest_events(&ctx.db, w, d)
                .await
                .map_err(|e| SendError::Retry(format!("database: {e}")))?;
            if details.is_empty() {
                // Nothing happened in the period after all (the events were deleted with their notices).
                return Ok(());
            }
            digest_mail(s, w, d.period.as_deref().unwrap_or_default(), &details, more)
        }
        other => return Err(SendError::Permanent(format!("not an e-mail channel: {other:?}"))),
    };
    let message = build_message(s, address, d.id, mail)?;
    let transport = transport(s)?;
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("SMTP: {e}"))),
        Err(e) => Err(SendError::Retry(format!("SMTP: {e}"))),
    }
}

/// The SMTP transport the settings describe.
fn transport(s: &Settings) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    let Some(host) = s.smtp_host.as_deref() else {
        return Err(SendError::Retry("no SMTP server configured".into()));
    };
    let mut b = if s.smtp_starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| SendError::Retry(format!("SMTP settings: {e}")))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
    };
    b = b.port(s.smtp_port).timeout(Some(SMTP_TIMEOUT));
    if let Some(user) = s.smtp_user.as_deref() {
        let password = s
            .smtp_password
            .as_ref()
            .map(|p| p.expose().to_string())
            .unwrap_or_default();
        b = b.credentials(Credentials::new(user.to_string(), password));
    }
    Ok(b.build())
}

/// The host of the public URL, for Message-IDs.
fn id_host(public_url: &str) -> String {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority.split(':').next().unwrap_or_default();
    if !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        host.to_ascii_lowercase()
    } else {
        "zhiliang.invalid".into()
    }
}

fn build_message(s: &Settings, address: &str, delivery_id: i32, mail: Mail) -> Result<Message, SendError> {
    let from: Mailbox = s
        .mail_from
        .parse()
        .map_err(|e| SendError::Retry(format!("the setting mail_from does not read: {e}")))?;
    let to: Mailbox = address
        .parse()
        .map_err(|e| SendError::Permanent(format!("the address does not read: {e}")))?;
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject)
        .message_id(Some(format!("<delivery-{delivery_id}@{}>", id_host(&s.public_url))))
        .user_agent(concat!("zhiliang/", env!("CARGO_PKG_VERSION")).to_string());
    if let Some(url) = mail.unsubscribe {
        b = b
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    b.multipart(
        MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .content_type(ContentType::TEXT_PLAIN)
                    .body(mail.text),
            )
            .singlepart(
                SinglePart::builder()
                    .content_type(ContentType::TEXT_HTML)
                    .body(mail.html),
            ),
    )
    .map_err(|e| SendError::Permanent(format!("the message does not build: {e}")))
}

/// A one-line text for a header: control characters become spaces.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The HTML document around a mail's body (inline styles only; nothing is loaded from elsewhere).
fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n\
         <body style=\"font-family:sans-serif;line-height:1.6;color:#222;max-width:40em\">\n{}</body>\n</html>\n",
        escape_html(title),
        body
    )
}

fn footer_text(w: &watch::Model, unsubscribe: &str) -> String {
    format!(
        "\n--\n您收到这封邮件，是因为订阅了“{}”的通报提醒。\n退订（不再接收这些邮件）：{unsubscribe}\n",
        one_line(&w.name)
    )
}

fn footer_html(w: &watch::Model, unsubscribe: &str) -> String {
    format!(
        "<hr>\n<p style=\"font-size:small;color:#666\">您收到这封邮件，是因为订阅了“{}”的通报提醒。\
         <a href=\"{}\">退订</a>（不再接收这些邮件）。</p>\n",
        escape_html(&w.name),
        escape_html(unsubscribe)
    )
}

fn confirm_mail(s: &Settings, w: &watch::Model) -> Mail {
    let url = link_url(s, w, LinkPurpose::Confirm).unwrap_or_default();
    let name = one_line(&w.name);
    let text = format!(
        "您好：\n\n有人（希望是您）在通报订阅“{name}”中填写了这个邮箱地址。\n请打开下面的链接并点击“确认”，确认后才会向这个地址发送通报提醒：\n\n{url}\n\n\
         如果不是您本人操作，请忽略这封邮件，我们不会再给您发信。\n"
    );
    let html = html_page(
        "请确认邮箱地址",
        &format!(
            "<p>您好：</p>\n<p>有人（希望是您）在通报订阅“{}”中填写了这个邮箱地址。请打开下面的链接并点击“确认”，\
             确认后才会向这个地址发送通报提醒：</p>\n<p><a href=\"{}\">确认邮箱地址</a></p>\n\
             <p style=\"font-size:small;color:#666\">如果不是您本人操作，请忽略这封邮件，我们不会再给您发信。</p>\n",
            escape_html(&w.name),
            escape_html(&url)
        ),
    );
    Mail {
        subject: format!("请确认邮箱地址：通报订阅“{name}”"),
        text,
        html,
        unsubscribe: None,
    }
}

/// The facts of one event, as (label, value) rows.
fn event_rows(d: &EventDetail) -> Vec<(&'static str, String)> {
    if d.kind == EventKind::Recall {
        let mut rows = vec![
            ("编号", d.symbol.clone()),
            ("产品", d.title().to_string()),
            ("通报国家/地区", d.member.clone()),
            ("通报日期", d.distribution_date.to_string()),
        ];
        if !d.hs_codes.is_empty() {
            rows.push(("HS 编码", d.hs_codes.join("、")));
        }
        return rows;
    }
    let mut rows = vec![("通报号", d.symbol.clone()), ("标题", d.title().to_string())];
    if let Some(en) = d
        .title_en
        .as_deref()
        .filter(|en| Some(*en) != d.title_zh.as_deref() && d.title_zh.is_some())
    {
        rows.push(("英文标题", en.to_string()));
    }
    rows.push(("通报成员", d.member.clone()));
    rows.push(("分发日期", d.distribution_date.to_string()));
    rows.push((
        "评议截止日",
        d.deadline_in_force
            .map_or_else(|| "未定".to_string(), |x| x.to_string()),
    ));
    if d.kind == EventKind::Reminder
        && let Some(days) = d.days_left
    {
        rows.push(("距截止", format!("{days} 天")));
    }
    if !d.addendum_reasons.is_empty() {
        let reasons: Vec<&str> = d.addendum_reasons.iter().map(|r| events::reason_zh(r)).collect();
        rows.push(("补遗原因", reasons.join("、")));
    }
    if let Some(of) = &d.follow_up_of {
        rows.push(("所跟踪的通报", of.clone()));
    }
    if !d.hs_codes.is_empty() {
        rows.push(("HS 编码", d.hs_codes.join("、")));
    }
    rows
}

fn rows_html(rows: &[(&str, String)]) -> String {
    let mut h = String::from("<table style=\"border-collapse:collapse\">\n");
    for (k, v) in rows {
        h.push_str(&format!(
            "<tr><th style=\"text-align:left;padding:2px 1em 2px 0;white-space:nowrap\">{}</th><td>{}</td></tr>\n",
            escape_html(k),
            escape_html(v)
        ));
    }
    h.push_str("</table>\n");
    h
}

fn event_mail(s: &Settings, w: &watch::Model, d: &EventDetail) -> Mail {
    let unsubscribe = link_url(s, w, LinkPurpose::Unsubscribe).unwrap_or_default();
    let summary = d.summary_zh();
    let rows = event_rows(d);
    let mut text = format!("{summary}\n\n");
    for (k, v) in &rows {
        text.push_str(&format!("{k}：{v}\n"));
    }
    text.push_str(&footer_text(w, &unsubscribe));
    let body = format!(
        "<p><strong>{}</strong></p>\n{}{}",
        escape_html(&summary),
        rows_html(&rows),
        footer_html(w, &unsubscribe)
    );
    Mail {
        subject: format!("【{}】{}", one_line(&w.name), one_line(&summary)),
        text,
        html: html_page(&summary, &body),
        unsubscribe: Some(unsubscribe),
    }
}

fn digest_mail(s: &Settings, w: &watch::Model, period: &str, details: &[EventDetail], more: u64) -> Mail {
    let unsubscribe = link_url(s, w, LinkPurpose::Unsubscribe).unwrap_or_default();
    let total = details.len() as u64 + more;
    let heading = format!("“{}” {period} 通报摘要：共 {total} 条", one_line(&w.name));
    let mut text = format!("{heading}\n");
    let mut body = format!("<h1 style=\"font-size:1.2em\">{}</h1>\n<ol>\n", escape_html(&heading));
    for d in details {
        let deadline = d
            .deadline_in_force
            .map(|x| format!("（评议截止 {x}）"))
            .unwrap_or_default();
        text.push_str(&format!("\n- {}{deadline}\n", d.summary_zh()));
        body.push_str(&format!(
            "<li>{}{}</li>\n",
            escape_html(&d.summary_zh()),
            escape_html(&deadline)
        ));
    }
    body.push_str("</ol>\n");
    if more > 0 {
        text.push_str(&format!("\n……另有 {more} 条未列出。\n"));
        body.push_str(&format!("<p>……另有 {more} 条未列出。</p>\n"));
    }
    text.push_str(&footer_text(w, &unsubscribe));
    body.push_str(&footer_html(w, &unsubscribe));
    Mail {
        subject: format!("【{}】{period} 通报摘要（{total} 条）", one_line(&w.name)),
        text,
        html: html_page(&heading, &body),
        unsubscribe: Some(unsubscribe),
    }
}

/// Where a digest made at `cutoff` starts: at the previous digest of the watch (so none is missed or repeated),
/// else 24 hours before; never before the address was confirmed.
async fn digest_start<C: ConnectionTrait>(
    db: &C,
    w: &watch::Model,
    cutoff: DateTime<Utc>,
    exclude: Option<i32>,
) -> Result<DateTime<Utc>, sea_orm::DbErr> {
    let mut q = delivery::Entity::find()
        .filter(delivery::Column::WatchId.eq(w.id))
        .filter(delivery::Column::Channel.eq("digest"))
        .filter(delivery::Column::CreatedAt.lt(cutoff));
    if let Some(id) = exclude {
        q = q.filter(delivery::Column::Id.ne(id));
    }
    let previous = q.order_by_desc(delivery::Column::CreatedAt).one(db).await?;
    let mut start = previous.map_or(cutoff - chrono::Duration::hours(24), |p| p.created_at);
    if let Some(c) = w.email_confirmed_at {
        start = start.max(c);
    }
    Ok(start)
}

/// The events of a digest delivery (oldest first, at most `DIGEST_MAX`) and how many more there are.
async fn digest_events<C: ConnectionTrait>(
    db: &C,
    w: &watch::Model,
    d: &delivery::Model,
) -> Result<(Vec<EventDetail>, u64), sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    let start = digest_start(db, w, d.created_at, Some(d.id)).await?;
    let window = || {
        watch_event::Entity::find()
            .filter(watch_event::Column::WatchId.eq(w.id))
            .filter(watch_event::Column::CreatedAt.gt(start))
            .filter(watch_event::Column::CreatedAt.lte(d.created_at))
    };
    let total = window().count(db).await?;
    let rows = window()
        .order_by_asc(watch_event::Column::CreatedAt)
        .order_by_asc(watch_event::Column::Id)
        .limit(DIGEST_MAX)
        .all(db)
        .await?;
    let details: Vec<EventDetail> = rows
        .iter()
        .filter_map(|r| match serde_json::from_str(&r.detail) {
            Ok(x) => Some(x),
            Err(e) => {
                tracing::warn!(event = r.id, error = %e, "an event's detail does not read; left out of the digest");
                None
            }
        })
        .collect();
    Ok((details, total.saturating_sub(rows.len() as u64)))
}

/// The Shanghai date and hour of an instant.
fn shanghai(now: DateTime<Utc>) -> (chrono::NaiveDate, u32) {
    let t = now.with_timezone(&FixedOffset::east_opt(SHANGHAI_SECS).expect("valid offset"));
    (t.date_naive(), t.hour())
}

/// Queues the digests due at `now`; returns how many.
///
/// A digest is due for a confirmed, unpaused watch in digest mode once the Shanghai hour has reached its
/// `digest_hour`, when something happened since its previous digest; its period is the Shanghai date. The unique
/// index on (watch, channel, period) keeps a period to one digest, whatever number of processes or restarts.
pub async fn queue_digests(ctx: &FollowContext, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let (date, hour) = shanghai(now);
    let period = date.format("%Y-%m-%d").to_string();
    let watches = watch::Entity::find()
        .filter(watch::Column::EmailMode.eq("digest"))
        .filter(watch::Column::Email.is_not_null())
        .filter(watch::Column::EmailConfirmedAt.is_not_null())
        .filter(watch::Column::Paused.eq(false))
        .filter(watch::Column::DigestHour.lte(hour as i32))
        .all(&ctx.db)
        .await?;
    let mut queued = 0;
    for w in watches {
        let exists = delivery::Entity::find()
            .filter(delivery::Column::WatchId.eq(w.id))
            .filter(delivery::Column::Channel.eq("digest"))
            .filter(delivery::Column::Period.eq(period.as_str()))
            .one(&ctx.db)
            .await?;
        if exists.is_some() {
            continue;
        }
        let start = digest_start(&ctx.db, &w, now, None).await?;
        let any = watch_event::Entity::find()
            .filter(watch_event::Column::WatchId.eq(w.id))
            .filter(watch_event::Column::CreatedAt.gt(start))
            .filter(watch_event::Column::CreatedAt.lte(now))
            .one(&ctx.db)
            .await?;
        if any.is_none() {
            continue;
        }
        let txn = crate::db::begin_write(&ctx.db).await?;
        match events::queue_delivery(&txn, w.id, None, "digest", Some(period.clone())).await {
            Ok(()) => {
                crate::db::commit(txn).await?;
                queued += 1;
            }
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                // Another process queued this period first.
                txn.rollback().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_host() {
        assert_eq!(id_host("https://zl.example.org/base"), "zl.example.org");
        assert_eq!(id_host("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(id_host("http://[::1]:8080"), "zhiliang.invalid");
    }

    #[test]
    fn links_follow_the_address() {
        let mut w = watch::Model {
            id: 7,
            token_hash: String::new(),
            name: "锂电池".into(),
            filter: "{}".into(),
            query: None,
            enterprise_credit_code: None,
            paused: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            reminder_days: "[]".into(),
            webhook_url: None,
            webhook_secret: None,
            webhook_failed_at: None,
            webhook_last_error: None,
            email: Some("a@example.org".into()),
            email_mode: "immediate".into(),
            digest_hour: 8,
            email_confirmed_at: None,
            link_key: Some("k3y".into()),
        };
        let s = link_secret("k3y", LinkPurpose::Confirm, "a@example.org");
        assert!(link_valid(&w, LinkPurpose::Confirm, &s));
        assert!(!link_valid(&w, LinkPurpose::Unsubscribe, &s));
        assert!(!link_valid(&w, LinkPurpose::Confirm, "AAAA"));
        assert!(!link_valid(&w, LinkPurpose::Confirm, "not base64!"));
        let url = link_url(&Settings::default(), &w, LinkPurpose::Unsubscribe).unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:8080/watches/7/unsubscribe?s="),
            "{url}"
        );
        w.email = Some("b@example.org".into());
        assert!(!link_valid(&w, LinkPurpose::Confirm, &s));
    }

    #[test]
    fn shanghai_hour() {
        let t = DateTime::parse_from_rfc3339("2026-11-29T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (d, h) = shanghai(t);
        assert_eq!((d.to_string(), h), ("2026-11-30".to_string(), 1));
    }
}
