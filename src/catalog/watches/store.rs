//! Queries of watches: create, find by token hash, update, delete. Watches have no search index.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::entity::watch;
use super::model::Watch;

/// What a new watch holds.
pub struct NewWatch {
    pub token_hash: String,
    pub name: String,
    pub filter: serde_json::Value,
    pub query: Option<String>,
    pub enterprise_credit_code: Option<String>,
}

/// The changes of `updateWatch`; `None` leaves a part as it is (`query: Some(None)` clears the query).
#[derive(Default)]
pub struct WatchChanges {
    pub name: Option<String>,
    pub filter: Option<serde_json::Value>,
    pub query: Option<Option<String>>,
    pub paused: Option<bool>,
}

fn from_model(m: watch::Model) -> anyhow::Result<Watch> {
    Ok(Watch {
        id: m.id,
        name: m.name,
        filter: serde_json::from_str(&m.filter)?,
        query: m.query,
        enterprise_credit_code: m.enterprise_credit_code,
        paused: m.paused,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub async fn create<C: ConnectionTrait>(db: &C, w: NewWatch) -> anyhow::Result<Watch> {
    let now = Utc::now();
    let m = watch::ActiveModel {
        token_hash: Set(w.token_hash),
        name: Set(w.name),
        filter: Set(w.filter.to_string()),
        query: Set(w.query),
        enterprise_credit_code: Set(w.enterprise_credit_code),
        paused: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    from_model(m)
}

async fn model_by_hash<C: ConnectionTrait>(db: &C, hash: &str) -> anyhow::Result<Option<watch::Model>> {
    Ok(watch::Entity::find()
        .filter(watch::Column::TokenHash.eq(hash))
        .one(db)
        .await?)
}

pub async fn by_hash<C: ConnectionTrait>(db: &C, hash: &str) -> anyhow::Result<Option<Watch>> {
    model_by_hash(db, hash).await?.map(from_model).transpose()
}

/// Applies the changes to the watch with this token hash; `None` when there is none.
pub async fn update<C: ConnectionTrait>(db: &C, hash: &str, c: WatchChanges) -> anyhow::Result<Option<Watch>> {
    let Some(m) = model_by_hash(db, hash).await? else {
        return Ok(None);
    };
    let mut a: watch::ActiveModel = m.into();
    if let Some(n) = c.name {
        a.name = Set(n);
    }
    if let Some(f) = c.filter {
        a.filter = Set(f.to_string());
    }
    if let Some(q) = c.query {
        a.query = Set(q);
    }
    if let Some(p) = c.paused {
        a.paused = Set(p);
    }
    a.updated_at = Set(Utc::now());
    Ok(Some(from_model(a.update(db).await?)?))
}

/// Deletes the watch with this token hash and returns its id; `None` when there is none.
pub async fn delete<C: ConnectionTrait>(db: &C, hash: &str) -> anyhow::Result<Option<i32>> {
    let Some(m) = model_by_hash(db, hash).await? else {
        return Ok(None);
    };
    watch::Entity::delete_by_id(m.id).exec(db).await?;
    Ok(Some(m.id))
}
