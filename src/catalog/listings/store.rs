//! Storage of credit entries, brands and titles (one `listing` table): upserts by natural key, the filtered
//! listing "as of" a day, lookups, and the listings and enterprises whose search documents a passing date changes.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::entity::listing;
use super::model::{ListingData, ListingDetails, ListingKind};
use crate::catalog::enterprises::store::{self as enterprise_store, Outcome, ensure_enterprise, json};
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::like;
use crate::catalog::paging::{self, Page, PageRequest};

pub const OUTBOX_LISTING: &str = "listing";

fn active_on(start: listing::Column, end: listing::Column, day: NaiveDate) -> Condition {
    Condition::all()
        .add(Condition::any().add(start.is_null()).add(start.lte(day)))
        .add(Condition::any().add(end.is_null()).add(end.gt(day)))
}

/// A stored listing: a credit entry, brand or title.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub id: i32,
    pub kind: ListingKind,
    pub scheme: String,
    pub enterprise_id: Option<i32>,
    pub region_code: Option<String>,
    pub name: Option<String>,
    pub level: Option<String>,
    pub authority: Option<String>,
    pub batch: Option<String>,
    pub document_number: Option<String>,
    pub reason: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub end_authority: Option<String>,
    pub details: ListingDetails,
}

fn listing_from(m: listing::Model) -> Listing {
    Listing {
        id: m.id,
        kind: match m.kind.as_str() {
            "CREDIT" => ListingKind::Credit,
            "BRAND" => ListingKind::Brand,
            _ => ListingKind::Title,
        },
        scheme: m.scheme,
        enterprise_id: m.enterprise_id,
        region_code: m.region_code,
        name: m.name,
        level: m.level,
        authority: m.authority,
        batch: m.batch,
        document_number: m.document_number,
        reason: m.reason,
        started_on: m.started_on,
        valid_until: m.valid_until,
        ended_on: m.ended_on,
        end_reason: m.end_reason,
        end_authority: m.end_authority,
        details: serde_json::from_str(&m.details).unwrap_or_default(),
    }
}

pub async fn upsert_listing<C: ConnectionTrait>(db: &C, d: &ListingData) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let enterprise_id = match &d.enterprise {
        Some(code) => Some(ensure_enterprise(db, code, d.enterprise_name.as_deref()).await?),
        None => None,
    };
    for user in &d.details.authorized_users {
        if let Ok(code) = Uscc::read(user) {
            ensure_enterprise(db, &code, None).await?;
        }
    }
    let key = d.natural_key();
    let existing = listing::Entity::find()
        .filter(listing::Column::NaturalKey.eq(key.clone()))
        .one(db)
        .await?;
    let now = Utc::now();
    let mut am = listing::ActiveModel {
        id: NotSet,
        kind: Set(d.kind.as_str().into()),
        scheme: Set(d.scheme.clone()),
        enterprise_id: Set(enterprise_id),
        region_code: Set(d.region_code.clone()),
        name: Set(d.name.clone()),
        level: Set(d.level.map(|l| l.as_str().to_string())),
        authority: Set(d.authority.clone()),
        batch: Set(d.batch.clone()),
        document_number: Set(d.document_number.clone()),
        reason: Set(d.reason.clone()),
        started_on: Set(d.started_on),
        valid_until: Set(d.valid_until),
        ended_on: Set(d.ended_on),
        end_reason: Set(d.end_reason.clone()),
        end_authority: Set(d.end_authority.clone()),
        details: Set(json(&d.details)),
        natural_key: Set(key),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let result = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            listing::Entity::update(am).exec(db).await?;
            (row.id, Outcome::Updated)
        }
        None => (
            listing::Entity::insert(am).exec(db).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    if let Some(e) = enterprise_id {
        crate::search::outbox::enqueue(db, enterprise_store::OUTBOX_ENTERPRISE, e).await?;
    }
    crate::search::outbox::enqueue(db, OUTBOX_LISTING, result.0).await?;
    Ok(result)
}

/// What a listing of credit entries, brands or titles may be narrowed by.
#[derive(Debug, Clone, Default)]
pub struct ListingQuery {
    pub kind: Option<ListingKind>,
    pub schemes: Vec<String>,
    pub levels: Vec<String>,
    pub enterprise_id: Option<i32>,
    /// Enterprises of this division prefix (or titles of a place there).
    pub region_prefix: Option<String>,
    /// In force on this day (listed and not removed; awarded, not revoked, not expired).
    pub active_on: Option<NaiveDate>,
    pub started_from: Option<NaiveDate>,
    pub started_to: Option<NaiveDate>,
}

fn listing_condition(q: &ListingQuery) -> Condition {
    use listing::Column as L;
    let mut c = Condition::all();
    if let Some(k) = q.kind {
        c = c.add(L::Kind.eq(k.as_str()));
    }
    if !q.schemes.is_empty() {
        c = c.add(L::Scheme.is_in(q.schemes.clone()));
    }
    if !q.levels.is_empty() {
        c = c.add(L::Level.is_in(q.levels.clone()));
    }
    if let Some(e) = q.enterprise_id {
        c = c.add(L::EnterpriseId.eq(e));
    }
    if let Some(r) = &q.region_prefix {
        c = c.add(
            Condition::any()
                .add(like::starts_with(L::RegionCode, r))
                .add(L::EnterpriseId.in_subquery(enterprise_store::in_region(r))),
        );
    }
    if let Some(day) = q.active_on {
        c = c.add(active_on(L::StartedOn, L::EndedOn, day)).add(
            Condition::any()
                .add(L::ValidUntil.is_null())
                .add(L::ValidUntil.gte(day)),
        );
    }
    if let Some(d) = q.started_from {
        c = c.add(L::StartedOn.gte(d));
    }
    if let Some(d) = q.started_to {
        c = c.add(L::StartedOn.lte(d));
    }
    c
}

/// Listings, newest imported first.
pub async fn list_listings<C: ConnectionTrait>(
    db: &C,
    q: &ListingQuery,
    p: &PageRequest,
) -> anyhow::Result<Page<Listing>> {
    let page =
        paging::page::<listing::Entity, C>(db, listing_condition(q), listing::Column::Id, listing::Column::Id, p)
            .await?;
    page.try_map(|m| Ok(listing_from(m)))
}

pub async fn count_listings<C: ConnectionTrait>(db: &C, q: &ListingQuery) -> anyhow::Result<u64> {
    Ok(listing::Entity::find().filter(listing_condition(q)).count(db).await?)
}

/// Every listing of one kind of an enterprise, oldest first.
pub async fn listings_of<C: ConnectionTrait>(
    db: &C,
    enterprise_id: i32,
    kind: ListingKind,
) -> anyhow::Result<Vec<Listing>> {
    Ok(listing::Entity::find()
        .filter(listing::Column::EnterpriseId.eq(enterprise_id))
        .filter(listing::Column::Kind.eq(kind.as_str()))
        .order_by(listing::Column::StartedOn, Order::Asc)
        .order_by(listing::Column::Id, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(listing_from)
        .collect())
}

/// The listings of one kind of many enterprises at once, each enterprise's in `listings_of`'s order.
pub async fn listings_of_many<C: ConnectionTrait>(
    db: &C,
    enterprise_ids: &[i32],
    kind: ListingKind,
) -> anyhow::Result<std::collections::HashMap<i32, Vec<Listing>>> {
    let mut out: std::collections::HashMap<i32, Vec<Listing>> = std::collections::HashMap::new();
    for chunk in enterprise_ids.chunks(500) {
        let rows = listing::Entity::find()
            .filter(listing::Column::EnterpriseId.is_in(chunk.iter().copied()))
            .filter(listing::Column::Kind.eq(kind.as_str()))
            .order_by(listing::Column::StartedOn, Order::Asc)
            .order_by(listing::Column::Id, Order::Asc)
            .all(db)
            .await?;
        for m in rows {
            if let Some(e) = m.enterprise_id {
                out.entry(e).or_default().push(listing_from(m));
            }
        }
    }
    Ok(out)
}

pub async fn listings_by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Listing>> {
    Ok(
        paging::by_ids::<listing::Entity, C>(db, listing::Column::Id, ids, |m| m.id)
            .await?
            .into_iter()
            .map(listing_from)
            .collect(),
    )
}

/// Listings with a date in `(after, until]`: their "in force today" changed.
pub async fn listing_ids_changing_status<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<i32>> {
    Ok(dated_between(db, after, until)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect())
}

/// Listings with a start, end or validity date in `(after, until]`.
pub async fn dated_between<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<Listing>> {
    let mut any = Condition::any();
    for col in [
        listing::Column::StartedOn,
        listing::Column::EndedOn,
        listing::Column::ValidUntil,
    ] {
        any = any.add(Condition::all().add(col.gt(after)).add(col.lte(until)));
    }
    Ok(listing::Entity::find()
        .filter(any)
        .all(db)
        .await?
        .into_iter()
        .map(listing_from)
        .collect())
}

/// Ids of the enterprises listed on `day`, as a subquery: for `Credit`, on one of the lists `schemes`; for `Brand`,
/// holding a brand or title of one of `schemes` that is valid that day.
pub fn holders_on(kind: ListingKind, schemes: &[String], day: NaiveDate) -> SelectStatement {
    let mut kinds = Condition::any().add(listing::Column::Kind.eq(kind.as_str()));
    if kind == ListingKind::Brand {
        kinds = kinds.add(listing::Column::Kind.eq(ListingKind::Title.as_str()));
    }
    let mut within = Condition::all()
        .add(kinds)
        .add(listing::Column::Scheme.is_in(schemes.to_vec()))
        .add(active_on(listing::Column::StartedOn, listing::Column::EndedOn, day));
    if kind == ListingKind::Brand {
        within = within.add(
            Condition::any()
                .add(listing::Column::ValidUntil.is_null())
                .add(listing::Column::ValidUntil.gte(day)),
        );
    }
    Query::select()
        .column(listing::Column::EnterpriseId)
        .from(listing::Entity)
        .cond_where(within)
        .to_owned()
}

/// The newest `updated_at` among these listings (none when the list is empty): the `Last-Modified` of a page of them.
pub async fn latest_change<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    paging::Table::<listing::Entity> {
        id: listing::Column::Id,
        updated_at: listing::Column::UpdatedAt,
    }
    .latest_change(db, ids)
    .await
}

/// Ends a listing on `on`: a credit entry removed from its list, a brand or title revoked. An ending already
/// recorded is corrected to this one.
pub async fn end_listing<C: ConnectionTrait>(
    db: &C,
    id: i32,
    on: NaiveDate,
    reason: Option<&str>,
    authority: Option<&str>,
) -> Result<(), crate::catalog::EndError> {
    let row = listing::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::catalog::EndError::Invalid("no such listing".into()))?;
    if row.started_on.is_some_and(|s| on < s) {
        return Err(crate::catalog::EndError::Invalid(format!(
            "on: {on} is before the listing began ({})",
            row.started_on.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    let enterprise = row.enterprise_id;
    let mut am: listing::ActiveModel = row.into();
    am.ended_on = Set(Some(on));
    if reason.is_some() {
        am.end_reason = Set(reason.map(String::from));
    }
    if authority.is_some() {
        am.end_authority = Set(authority.map(String::from));
    }
    am.updated_at = Set(Utc::now());
    listing::Entity::update(am).exec(db).await?;
    if let Some(e) = enterprise {
        crate::search::outbox::enqueue(db, enterprise_store::OUTBOX_ENTERPRISE, e).await?;
    }
    crate::search::outbox::enqueue(db, OUTBOX_LISTING, id).await?;
    Ok(())
}
