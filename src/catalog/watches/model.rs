//! Domain types of watches: the watch, its token (made, hashed) and the stored form of its filter.

use async_graphql::InputType;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::catalog::notices::graphql::NoticeFilter;
use crate::catalog::notices::store::NoticeQuery;
use crate::error::{ApiError, ApiResult};

/// Random bytes in a token: 256 bits, above the 128 the platform asks for.
const TOKEN_BYTES: usize = 32;
/// The longest watch name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest text query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Reminders before the comment deadline in force, in days, unless the watch says otherwise.
pub const DEFAULT_REMINDER_DAYS: [u32; 2] = [7, 2];

/// Reminder days: 1 to 5 distinct days from 0 to `follow::MAX_REMINDER_DAYS`, largest first; empty means none.
pub fn check_reminder_days(days: &[i32]) -> ApiResult<Vec<u32>> {
    let max = crate::follow::MAX_REMINDER_DAYS;
    let mut out = Vec::new();
    for d in days {
        match u32::try_from(*d) {
            Ok(d) if d <= max => out.push(d),
            _ => {
                return Err(ApiError::bad_input(format!(
                    "reminderDays: {d} is not a day count from 0 to {max}"
                )));
            }
        }
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    if out.len() > 5 {
        return Err(ApiError::bad_input("reminderDays: at most 5 days"));
    }
    Ok(out)
}

/// A saved notice filter.
#[derive(Debug, Clone)]
pub struct Watch {
    pub id: i32,
    pub name: String,
    /// The filter as GraphQL input JSON (what `NoticeFilter` reads back).
    pub filter: serde_json::Value,
    pub query: Option<String>,
    pub enterprise_credit_code: Option<String>,
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Days before the comment deadline in force at which reminders are sent.
    pub reminder_days: Vec<u32>,
    pub webhook_url: Option<String>,
    pub webhook_failed_at: Option<DateTime<Utc>>,
    pub webhook_last_error: Option<String>,
    pub email: Option<String>,
    /// `immediate` or `digest`.
    pub email_mode: String,
    pub digest_hour: i32,
    pub email_confirmed_at: Option<DateTime<Utc>>,
}

impl Watch {
    /// The domain form of a stored row (secrets and their hashes stay in the row).
    pub fn from_row(m: super::entity::watch::Model) -> anyhow::Result<Watch> {
        Ok(Watch {
            id: m.id,
            name: m.name,
            filter: serde_json::from_str(&m.filter)?,
            query: m.query,
            enterprise_credit_code: m.enterprise_credit_code,
            paused: m.paused,
            created_at: m.created_at,
            updated_at: m.updated_at,
            reminder_days: serde_json::from_str(&m.reminder_days).unwrap_or_else(|_| DEFAULT_REMINDER_DAYS.to_vec()),
            webhook_url: m.webhook_url,
            webhook_failed_at: m.webhook_failed_at,
            webhook_last_error: m.webhook_last_error,
            email: m.email,
            email_mode: m.email_mode,
            digest_hour: m.digest_hour,
            email_confirmed_at: m.email_confirmed_at,
        })
    }

    /// The notice filter this watch was saved with, read back through the same input type as `notices(filter:)`.
    pub fn notice_filter(&self) -> ApiResult<NoticeFilter> {
        let value = async_graphql::Value::from_json(self.filter.clone())
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored watch filter: {e}")))?;
        NoticeFilter::parse(Some(value)).map_err(|e| {
            ApiError::Internal(anyhow::anyhow!(
                "stored watch filter: {}",
                e.into_server_error(Default::default()).message
            ))
        })
    }

    /// The notice query the watch means: exactly what `notices(filter:)` builds from the same filter.
    pub fn notice_query(&self) -> ApiResult<NoticeQuery> {
        self.notice_filter()?.to_query()
    }
}

/// The stored form of a filter, after checking it converts as `notices(filter:)` would (`BAD_USER_INPUT` if not).
pub fn filter_json(filter: &NoticeFilter) -> ApiResult<serde_json::Value> {
    filter.to_query()?;
    filter
        .to_value()
        .into_json()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("watch filter to JSON: {e}")))
}

/// A new token (base64url, no padding) and its hash. The token is shown once and never stored or logged.
pub fn new_token() -> anyhow::Result<(String, String)> {
    let token = random_secret()?;
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// 256 random bits from the OS, base64url without padding (43 characters).
pub fn random_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("OS random source: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The lowercase hex SHA-256 of a token, the only form stored.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A trimmed name of 1 to `MAX_NAME_CHARS` characters.
pub fn check_name(name: &str) -> ApiResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_input(format!("name: 1 to {MAX_NAME_CHARS} characters")));
    }
    Ok(n.to_string())
}

/// A trimmed query of at most `MAX_QUERY_CHARS` characters; empty means none.
pub fn check_query(query: Option<&str>) -> ApiResult<Option<String>> {
    match query.map(str::trim) {
        None | Some("") => Ok(None),
        Some(q) if q.chars().count() > MAX_QUERY_CHARS => Err(ApiError::bad_input(format!(
            "query: at most {MAX_QUERY_CHARS} characters"
        ))),
        Some(q) => Ok(Some(q.to_string())),
    }
}
