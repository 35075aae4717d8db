//! Queries of watches: create, find by token hash, update, delete. Watches have no search index; each write
//! files the watch under the keys of its filter (`follow::events::set_keys`) in the same transaction.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::entity::watch;
use super::model::Watch;
use crate::catalog::notices::store::NoticeQuery;
use crate::follow::entity::{delivery, watch_event, watch_key};
use crate::follow::events;

/// What a new watch holds.
pub struct NewWatch {
    pub token_hash: String,
    pub name: String,
    pub filter: serde_json::Value,
    /// What the filter means, for filing the watch under its keys.
    pub notice_query: NoticeQuery,
    pub query: Option<String>,
    pub enterprise_credit_code: Option<String>,
    pub reminder_days: Vec<u32>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub email: Option<String>,
    pub email_mode: String,
    pub digest_hour: i32,
    /// Set when `email` is: the key of the e-mail's links.
    pub link_key: Option<String>,
}

/// The changes of `updateWatch`; `None` leaves a part as it is (`Some(None)` clears an optional part).
#[derive(Default)]
pub struct WatchChanges {
    pub name: Option<String>,
    pub filter: Option<(serde_json::Value, NoticeQuery)>,
    pub query: Option<Option<String>>,
    pub paused: Option<bool>,
    pub reminder_days: Option<Vec<u32>>,
    /// A new URL comes with a new secret.
    pub webhook: Option<Option<(String, String)>>,
    /// A new address comes with a new link key and is unconfirmed until its link is followed.
    pub email: Option<Option<(String, String)>>,
    pub email_mode: Option<String>,
    pub digest_hour: Option<i32>,
}

fn from_model(m: watch::Model) -> anyhow::Result<Watch> {
    Watch::from_row(m)
}

pub async fn create(db: &DatabaseConnection, w: NewWatch) -> anyhow::Result<Watch> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let has_email = w.email.is_some();
    let m = watch::ActiveModel {
        token_hash: Set(w.token_hash),
        name: Set(w.name),
        filter: Set(w.filter.to_string()),
        query: Set(w.query),
        enterprise_credit_code: Set(w.enterprise_credit_code),
        paused: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        reminder_days: Set(serde_json::to_string(&w.reminder_days)?),
        webhook_url: Set(w.webhook_url),
        webhook_secret: Set(w.webhook_secret),
        webhook_failed_at: Set(None),
        webhook_last_error: Set(None),
        email: Set(w.email),
        email_mode: Set(w.email_mode),
        digest_hour: Set(w.digest_hour),
        email_confirmed_at: Set(None),
        link_key: Set(w.link_key),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    events::set_keys(&txn, m.id, &w.notice_query).await?;
    if has_email {
        events::queue_delivery(&txn, m.id, None, "confirm", None).await?;
    }
    crate::db::commit(txn).await?;
    from_model(m)
}

/// The stored row of the watch with this token hash.
pub async fn model_by_hash<C: ConnectionTrait>(db: &C, hash: &str) -> anyhow::Result<Option<watch::Model>> {
    Ok(watch::Entity::find()
        .filter(watch::Column::TokenHash.eq(hash))
        .one(db)
        .await?)
}

pub async fn by_hash<C: ConnectionTrait>(db: &C, hash: &str) -> anyhow::Result<Option<Watch>> {
    model_by_hash(db, hash).await?.map(from_model).transpose()
}

/// Applies the changes to the watch with this token hash; `None` when there is none.
pub async fn update(db: &DatabaseConnection, hash: &str, c: WatchChanges) -> anyhow::Result<Option<Watch>> {
    let txn = crate::db::begin_write(db).await?;
    let Some(m) = model_by_hash(&txn, hash).await? else {
        return Ok(None);
    };
    let id = m.id;
    let mut a: watch::ActiveModel = m.into();
    if let Some(n) = c.name {
        a.name = Set(n);
    }
    if let Some((json, q)) = c.filter {
        a.filter = Set(json.to_string());
        events::set_keys(&txn, id, &q).await?;
    }
    if let Some(q) = c.query {
        a.query = Set(q);
    }
    if let Some(p) = c.paused {
        a.paused = Set(p);
    }
    if let Some(days) = c.reminder_days {
        a.reminder_days = Set(serde_json::to_string(&days)?);
    }
    if let Some(hook) = c.webhook {
        let (url, secret) = hook.unzip();
        a.webhook_url = Set(url);
        a.webhook_secret = Set(secret);
        a.webhook_failed_at = Set(None);
        a.webhook_last_error = Set(None);
    }
    if let Some(mail) = c.email {
        let has = mail.is_some();
        let (address, key) = mail.unzip();
        a.email = Set(address);
        a.link_key = Set(key);
        a.email_confirmed_at = Set(None);
        if has {
            events::queue_delivery(&txn, id, None, "confirm", None).await?;
        }
    }
    if let Some(mode) = c.email_mode {
        a.email_mode = Set(mode);
    }
    if let Some(h) = c.digest_hour {
        a.digest_hour = Set(h);
    }
    a.updated_at = Set(Utc::now());
    let m = a.update(&txn).await?;
    crate::db::commit(txn).await?;
    Ok(Some(from_model(m)?))
}

/// Deletes the watch with this token hash, its keys, events and deliveries, and returns its id; `None` when
/// there is none.
pub async fn delete(db: &DatabaseConnection, hash: &str) -> anyhow::Result<Option<i32>> {
    let txn = crate::db::begin_write(db).await?;
    let Some(m) = model_by_hash(&txn, hash).await? else {
        return Ok(None);
    };
    watch_key::Entity::delete_many()
        .filter(watch_key::Column::WatchId.eq(m.id))
        .exec(&txn)
        .await?;
    delivery::Entity::delete_many()
        .filter(delivery::Column::WatchId.eq(m.id))
        .exec(&txn)
        .await?;
    watch_event::Entity::delete_many()
        .filter(watch_event::Column::WatchId.eq(m.id))
        .exec(&txn)
        .await?;
    watch::Entity::delete_by_id(m.id).exec(&txn).await?;
    crate::db::commit(txn).await?;
    Ok(Some(m.id))
}
