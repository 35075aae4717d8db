//! Policy storage: a document is found again by its number or by the likeness of its text, and merged.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::entity::policy;
use super::model::{PolicyData, SAME_DOCUMENT, fingerprint, likeness, shingles};
use super::number::DocumentNumber;
use super::rewards::{self, RewardClause};
use crate::catalog::like;
use crate::catalog::paging::{self, Page, PageRequest};

pub const OUTBOX: &str = "policy";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
}

/// A stored policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: i32,
    pub document_number: Option<String>,
    pub issuer: Option<String>,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub replaces: Vec<String>,
    pub body: String,
    pub source_files: Vec<String>,
    /// Reward clauses (seed 002), in the document's order.
    pub rewards: Vec<RewardClause>,
}

fn from_model(m: policy::Model) -> Policy {
    Policy {
        id: m.id,
        document_number: m.document_number,
        issuer: m.issuer,
        title: m.title,
        issued_on: m.issued_on,
        effective_on: m.effective_on,
        replaces: serde_json::from_str(&m.replaces).unwrap_or_default(),
        body: m.body,
        source_files: serde_json::from_str(&m.source_files).unwrap_or_default(),
        rewards: rewards::from_json(&m.rewards),
    }
}

fn merge_list(a: Vec<String>, b: &[String]) -> Vec<String> {
    let mut out = a;
    for x in b {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// Inserts the policy, or merges it into the stored one with the same number or a text this alike.
pub async fn upsert<C: ConnectionTrait>(db: &C, d: &PolicyData) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let number = d.document_number.as_ref().map(|n| n.to_string());
    let mut existing = match &number {
        Some(n) => {
            policy::Entity::find()
                .filter(policy::Column::DocumentNumber.eq(n.clone()))
                .one(db)
                .await?
        }
        None => None,
    };
    if existing.is_none() && !d.body.trim().is_empty() {
        let mine = shingles(&d.body);
        // Policies number in the hundreds: comparing against each is cheap enough at import.
        for row in policy::Entity::find().all(db).await? {
            if !row.body.is_empty() && likeness(&mine, &shingles(&row.body)) >= SAME_DOCUMENT {
                existing = Some(row);
                break;
            }
        }
    }
    let now = Utc::now();
    match existing {
        Some(row) => {
            let stored = from_model(row.clone());
            // What the new record says wins where it says something; the longer text is kept.
            let body = if d.body.chars().count() > stored.body.chars().count() {
                d.body.clone()
            } else {
                stored.body
            };
            let num = number.or(stored.document_number);
            let am = policy::ActiveModel {
                id: Set(row.id),
                document_number: Set(num.clone()),
                issuer: Set(d.issuer.clone().or(stored.issuer)),
                title: Set(if d.title.is_empty() {
                    stored.title.clone()
                } else {
                    d.title.clone()
                }),
                issued_on: Set(d.issued_on.or(stored.issued_on)),
                effective_on: Set(d.effective_on.or(stored.effective_on)),
                replaces: Set(serde_json::to_string(&merge_list(stored.replaces, &d.replaces)).expect("strings")),
                fingerprint: Set(fingerprint(
                    &body,
                    num.as_deref().and_then(|n| DocumentNumber::parse(n).ok()).as_ref(),
                    &d.title,
                )),
                body: Set(body),
                source_files: Set(
                    serde_json::to_string(&merge_list(stored.source_files, &d.source_files)).expect("strings")
                ),
                // Clauses the new record gives replace the stored ones; a record silent on them keeps them.
                rewards: match &d.rewards {
                    Some(r) => Set(rewards::to_json(r)),
                    None => NotSet,
                },
                created_at: NotSet,
                updated_at: Set(now),
            };
            policy::Entity::update(am).exec(db).await?;
            crate::search::outbox::enqueue(db, OUTBOX, row.id).await?;
            Ok((row.id, Outcome::Updated))
        }
        None => {
            let am = policy::ActiveModel {
                id: NotSet,
                document_number: Set(number),
                issuer: Set(d.issuer.clone()),
                title: Set(d.title.clone()),
                issued_on: Set(d.issued_on),
                effective_on: Set(d.effective_on),
                replaces: Set(serde_json::to_string(&d.replaces).expect("strings")),
                body: Set(d.body.clone()),
                fingerprint: Set(fingerprint(&d.body, d.document_number.as_ref(), &d.title)),
                source_files: Set(serde_json::to_string(&d.source_files).expect("strings")),
                rewards: Set(rewards::to_json(d.rewards.as_deref().unwrap_or_default())),
                created_at: Set(now),
                updated_at: Set(now),
            };
            let id = policy::Entity::insert(am).exec(db).await?.last_insert_id;
            crate::search::outbox::enqueue(db, OUTBOX, id).await?;
            Ok((id, Outcome::Added))
        }
    }
}

pub async fn by_number<C: ConnectionTrait>(db: &C, number: &DocumentNumber) -> anyhow::Result<Option<Policy>> {
    Ok(policy::Entity::find()
        .filter(policy::Column::DocumentNumber.eq(number.to_string()))
        .one(db)
        .await?
        .map(from_model))
}

pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Policy>> {
    Ok(
        paging::by_ids::<policy::Entity, C>(db, policy::Column::Id, ids, |m| m.id)
            .await?
            .into_iter()
            .map(from_model)
            .collect(),
    )
}

/// Policies that name `number` among those they replace.
pub async fn replaced_by<C: ConnectionTrait>(db: &C, number: &str) -> anyhow::Result<Vec<Policy>> {
    let quoted = serde_json::to_string(number).expect("a string serialises");
    Ok(policy::Entity::find()
        .filter(like::contains(policy::Column::Replaces, &quoted))
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct PolicyQuery {
    /// Part of the issuer's name.
    pub issuer: Option<String>,
    /// Part of the title.
    pub title: Option<String>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
}

fn condition(q: &PolicyQuery) -> Condition {
    use policy::Column as P;
    let mut c = Condition::all();
    if let Some(i) = &q.issuer {
        c = c.add(like::contains(P::Issuer, i));
    }
    if let Some(t) = &q.title {
        c = c.add(like::contains(P::Title, t));
    }
    if let Some(d) = q.issued_from {
        c = c.add(P::IssuedOn.gte(d));
    }
    if let Some(d) = q.issued_to {
        c = c.add(P::IssuedOn.lte(d));
    }
    c
}

pub async fn list<C: ConnectionTrait>(db: &C, q: &PolicyQuery, p: &PageRequest) -> anyhow::Result<Page<Policy>> {
    let page = paging::page::<policy::Entity, C>(db, condition(q), policy::Column::Id, policy::Column::Id, p).await?;
    page.try_map(|m| Ok(from_model(m)))
}

pub async fn count<C: ConnectionTrait>(db: &C, q: &PolicyQuery) -> anyhow::Result<u64> {
    Ok(policy::Entity::find().filter(condition(q)).count(db).await?)
}
