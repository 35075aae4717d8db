//! The audit trail read back: entries newest first, filtered by record, key, action and time, paged by id.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::audit_log;

pub use audit_log::Model as Entry;

/// Which entries to read; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The GraphQL type name (`Zone`, `Title`, `ApiKey`, ...).
    pub record_type: Option<String>,
    pub record_id: Option<i32>,
    /// The record's key as the trail names it (a symbol, code, number), exactly.
    pub record_key: Option<String>,
    pub key_id: Option<i32>,
    /// `cli:root`, or a key's name.
    pub actor: Option<String>,
    pub actions: Vec<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub request_id: Option<String>,
    pub job_id: Option<i32>,
}

impl Filter {
    fn condition(&self) -> Condition {
        use audit_log::Column as A;
        let mut c = Condition::all();
        if let Some(t) = &self.record_type {
            c = c.add(A::RecordType.eq(t.clone()));
        }
        if let Some(id) = self.record_id {
            c = c.add(A::RecordId.eq(id));
        }
        if let Some(k) = &self.record_key {
            c = c.add(A::RecordKey.eq(k.clone()));
        }
        if let Some(k) = self.key_id {
            c = c.add(A::KeyId.eq(k));
        }
        if let Some(a) = &self.actor {
            c = c.add(A::Actor.eq(a.clone()));
        }
        if !self.actions.is_empty() {
            c = c.add(A::Action.is_in(self.actions.clone()));
        }
        if let Some(t) = self.since {
            c = c.add(A::At.gte(t));
        }
        if let Some(t) = self.until {
            c = c.add(A::At.lt(t));
        }
        if let Some(r) = &self.request_id {
            c = c.add(A::RequestId.eq(r.clone()));
        }
        if let Some(j) = self.job_id {
            c = c.add(A::JobId.eq(j));
        }
        c
    }
}

/// Up to `limit` entries older than `before_id` (all when `None`), newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    f: &Filter,
    before_id: Option<i32>,
    limit: u64,
) -> Result<Vec<Entry>, sea_orm::DbErr> {
    let mut q = audit_log::Entity::find().filter(f.condition());
    if let Some(b) = before_id {
        q = q.filter(audit_log::Column::Id.lt(b));
    }
    q.order_by_desc(audit_log::Column::Id).limit(limit).all(db).await
}

pub async fn count<C: ConnectionTrait>(db: &C, f: &Filter) -> Result<u64, sea_orm::DbErr> {
    audit_log::Entity::find().filter(f.condition()).count(db).await
}
