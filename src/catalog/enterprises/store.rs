//! Storage of enterprises, listings, zones and memberships: upserts by natural key, lookups, listings "as of".

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::entity::{enterprise, listing, zone, zone_membership};
use super::model::{EnterpriseData, ListingData, ListingDetails, ListingKind, MembershipData, ZoneData, ZoneStep};
use super::uscc::Uscc;
use crate::catalog::like;
use crate::catalog::paging::{self, Page, PageRequest};

pub const OUTBOX_ENTERPRISE: &str = "enterprise";
pub const OUTBOX_LISTING: &str = "listing";
pub const OUTBOX_ZONE: &str = "zone";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

/// A stored enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub id: i32,
    pub credit_code: String,
    pub credit_code_valid: bool,
    pub known_by_reference: bool,
    pub name: Option<String>,
    pub former_names: Vec<String>,
    pub registration_number: Option<String>,
    pub region_code: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub main_products: Vec<String>,
}

fn enterprise_from(m: enterprise::Model) -> Enterprise {
    Enterprise {
        id: m.id,
        credit_code: m.credit_code,
        credit_code_valid: m.credit_code_valid,
        known_by_reference: m.known_by_reference,
        name: m.name,
        former_names: serde_json::from_str(&m.former_names).unwrap_or_default(),
        registration_number: m.registration_number,
        region_code: m.region_code,
        industry: m.industry,
        address: m.address,
        main_products: serde_json::from_str(&m.main_products).unwrap_or_default(),
    }
}

/// The enterprise of this code; created, flagged as known only by reference, when the catalogue lacks it.
pub async fn ensure_enterprise<C: ConnectionTrait>(
    db: &C,
    code: &Uscc,
    name: Option<&str>,
) -> Result<i32, sea_orm::DbErr> {
    if let Some(row) = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(code.as_str()))
        .one(db)
        .await?
    {
        return Ok(row.id);
    }
    let now = Utc::now();
    let id = enterprise::Entity::insert(enterprise::ActiveModel {
        id: NotSet,
        credit_code: Set(code.to_string()),
        credit_code_valid: Set(code.is_valid()),
        known_by_reference: Set(true),
        name: Set(name.map(str::to_string)),
        former_names: Set("[]".into()),
        registration_number: Set(None),
        region_code: Set(Some(code.region_code().to_string())),
        industry: Set(None),
        address: Set(None),
        main_products: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?
    .last_insert_id;
    crate::search::outbox::enqueue(db, OUTBOX_ENTERPRISE, id).await?;
    Ok(id)
}

pub async fn upsert_enterprise<C: ConnectionTrait>(
    db: &C,
    d: &EnterpriseData,
) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let existing = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(d.credit_code.as_str()))
        .one(db)
        .await?;
    let now = Utc::now();
    let mut am = enterprise::ActiveModel {
        id: NotSet,
        credit_code: Set(d.credit_code.to_string()),
        credit_code_valid: Set(d.credit_code.is_valid()),
        known_by_reference: Set(false),
        name: Set(d.name.clone()),
        former_names: Set(json(&d.former_names)),
        registration_number: Set(d.registration_number.clone()),
        region_code: Set(d
            .region_code
            .clone()
            .or_else(|| Some(d.credit_code.region_code().to_string()))),
        industry: Set(d.industry.clone()),
        address: Set(d.address.clone()),
        main_products: Set(json(&d.main_products)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let (id, outcome) = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            enterprise::Entity::update(am).exec(db).await?;
            (row.id, Outcome::Updated)
        }
        None => (
            enterprise::Entity::insert(am).exec(db).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    crate::search::outbox::enqueue(db, OUTBOX_ENTERPRISE, id).await?;
    Ok((id, outcome))
}

pub async fn enterprise_by_code<C: ConnectionTrait>(db: &C, code: &str) -> anyhow::Result<Option<Enterprise>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(code))
        .one(db)
        .await?
        .map(enterprise_from))
}

/// By name: the current name first, else a former name (names are compared whole, spaces ignored).
pub async fn enterprise_by_name<C: ConnectionTrait>(db: &C, name: &str) -> anyhow::Result<Option<Enterprise>> {
    let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(m) = enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq(name.clone()))
        .one(db)
        .await?
    {
        return Ok(Some(enterprise_from(m)));
    }
    let quoted = serde_json::to_string(&name).expect("a string serialises");
    Ok(enterprise::Entity::find()
        .filter(like::contains(enterprise::Column::FormerNames, &quoted))
        .one(db)
        .await?
        .map(enterprise_from))
}

pub async fn enterprises_by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Enterprise>> {
    Ok(
        paging::by_ids::<enterprise::Entity, C>(db, enterprise::Column::Id, ids, |m| m.id)
            .await?
            .into_iter()
            .map(enterprise_from)
            .collect(),
    )
}

/// What a listing of enterprises may be narrowed by.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseQuery {
    pub region_prefix: Option<String>,
    pub industry: Option<String>,
    pub name_contains: Option<String>,
    pub credit_code_valid: Option<bool>,
    pub known_by_reference: Option<bool>,
    /// On a credit list (any of these) on `on`.
    pub credit_lists: Vec<String>,
    /// Holding a brand or title of these schemes valid on `on`.
    pub schemes: Vec<String>,
    /// Member of this zone on `on`.
    pub zone_id: Option<i32>,
    pub on: Option<NaiveDate>,
}

fn active_on(start: listing::Column, end: listing::Column, day: NaiveDate) -> Condition {
    Condition::all()
        .add(Condition::any().add(start.is_null()).add(start.lte(day)))
        .add(Condition::any().add(end.is_null()).add(end.gt(day)))
}

fn enterprise_condition(q: &EnterpriseQuery) -> Condition {
    use enterprise::Column as E;
    let day = q.on.unwrap_or_else(crate::graphql::scalars::today_in_china);
    let mut c = Condition::all();
    if let Some(r) = &q.region_prefix {
        c = c.add(like::starts_with(E::RegionCode, r));
    }
    if let Some(i) = &q.industry {
        c = c.add(like::contains(E::Industry, i));
    }
    if let Some(n) = &q.name_contains {
        c = c.add(
            Condition::any()
                .add(like::contains(E::Name, n))
                .add(like::contains(E::FormerNames, n)),
        );
    }
    if let Some(v) = q.credit_code_valid {
        c = c.add(E::CreditCodeValid.eq(v));
    }
    if let Some(v) = q.known_by_reference {
        c = c.add(E::KnownByReference.eq(v));
    }
    for (kind, schemes) in [(ListingKind::Credit, &q.credit_lists), (ListingKind::Brand, &q.schemes)] {
        if schemes.is_empty() {
            continue;
        }
        let mut kinds = Condition::any().add(listing::Column::Kind.eq(kind.as_str()));
        if kind == ListingKind::Brand {
            kinds = kinds.add(listing::Column::Kind.eq(ListingKind::Title.as_str()));
        }
        let mut within = Condition::all()
            .add(kinds)
            .add(listing::Column::Scheme.is_in(schemes.clone()))
            .add(active_on(listing::Column::StartedOn, listing::Column::EndedOn, day));
        if kind == ListingKind::Brand {
            within = within.add(
                Condition::any()
                    .add(listing::Column::ValidUntil.is_null())
                    .add(listing::Column::ValidUntil.gte(day)),
            );
        }
        c = c.add(
            E::Id.in_subquery(
                Query::select()
                    .column(listing::Column::EnterpriseId)
                    .from(listing::Entity)
                    .cond_where(within)
                    .to_owned(),
            ),
        );
    }
    if let Some(z) = q.zone_id {
        c = c.add(
            E::Id.in_subquery(
                Query::select()
                    .column(zone_membership::Column::EnterpriseId)
                    .from(zone_membership::Entity)
                    .cond_where(
                        Condition::all()
                            .add(zone_membership::Column::ZoneId.eq(z))
                            .add(
                                Condition::any()
                                    .add(zone_membership::Column::AdmittedOn.is_null())
                                    .add(zone_membership::Column::AdmittedOn.lte(day)),
                            )
                            .add(
                                Condition::any()
                                    .add(zone_membership::Column::ExitedOn.is_null())
                                    .add(zone_membership::Column::ExitedOn.gt(day)),
                            ),
                    )
                    .to_owned(),
            ),
        );
    }
    c
}

/// Enterprises by credit code order.
pub async fn list_enterprises<C: ConnectionTrait>(
    db: &C,
    q: &EnterpriseQuery,
    p: &PageRequest,
) -> anyhow::Result<Page<Enterprise>> {
    let page = paging::page::<enterprise::Entity, C>(
        db,
        enterprise_condition(q),
        enterprise::Column::CreditCode,
        enterprise::Column::Id,
        p,
    )
    .await?;
    page.try_map(|m| Ok(enterprise_from(m)))
}

pub async fn count_enterprises<C: ConnectionTrait>(db: &C, q: &EnterpriseQuery) -> anyhow::Result<u64> {
    Ok(enterprise::Entity::find()
        .filter(enterprise_condition(q))
        .count(db)
        .await?)
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
        crate::search::outbox::enqueue(db, OUTBOX_ENTERPRISE, e).await?;
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
            Condition::any().add(like::starts_with(L::RegionCode, r)).add(
                L::EnterpriseId.in_subquery(
                    Query::select()
                        .column(enterprise::Column::Id)
                        .from(enterprise::Entity)
                        .and_where(like::starts_with(enterprise::Column::RegionCode, r))
                        .to_owned(),
                ),
            ),
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

pub async fn listings_by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Listing>> {
    Ok(
        paging::by_ids::<listing::Entity, C>(db, listing::Column::Id, ids, |m| m.id)
            .await?
            .into_iter()
            .map(listing_from)
            .collect(),
    )
}

/// A stored zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub id: i32,
    pub data: ZoneData,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredStep {
    status: String,
    date: NaiveDate,
    note: Option<String>,
}

fn zone_from(m: zone::Model) -> Zone {
    use super::model::{Level, ZoneKind, ZoneStatus};
    let steps: Vec<StoredStep> = serde_json::from_str(&m.history).unwrap_or_default();
    Zone {
        id: m.id,
        data: ZoneData {
            code: m.code,
            name: m.name,
            kind: ZoneKind::parse(&m.kind).unwrap_or(ZoneKind::Industrial),
            level: Level::parse(&m.level).unwrap_or(Level::Provincial),
            region_code: m.region_code,
            industry: m.industry,
            approving_authority: m.approving_authority,
            announcement_number: m.announcement_number,
            batch: m.batch,
            history: steps
                .into_iter()
                .filter_map(|s| {
                    Some(ZoneStep {
                        status: ZoneStatus::parse(&s.status)?,
                        date: s.date,
                        note: s.note,
                    })
                })
                .collect(),
        },
    }
}

pub async fn upsert_zone<C: ConnectionTrait>(db: &C, d: &ZoneData) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let existing = zone::Entity::find()
        .filter(zone::Column::Code.eq(d.code.clone()))
        .one(db)
        .await?;
    let now = Utc::now();
    let steps: Vec<StoredStep> = d
        .history
        .iter()
        .map(|s| StoredStep {
            status: s.status.as_str().into(),
            date: s.date,
            note: s.note.clone(),
        })
        .collect();
    let mut am = zone::ActiveModel {
        id: NotSet,
        code: Set(d.code.clone()),
        name: Set(d.name.clone()),
        kind: Set(d.kind.as_str().into()),
        level: Set(d.level.as_str().into()),
        region_code: Set(d.region_code.clone()),
        industry: Set(d.industry.clone()),
        approving_authority: Set(d.approving_authority.clone()),
        announcement_number: Set(d.announcement_number.clone()),
        batch: Set(d.batch.clone()),
        history: Set(json(&steps)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let result = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            zone::Entity::update(am).exec(db).await?;
            (row.id, Outcome::Updated)
        }
        None => (zone::Entity::insert(am).exec(db).await?.last_insert_id, Outcome::Added),
    };
    crate::search::outbox::enqueue(db, OUTBOX_ZONE, result.0).await?;
    Ok(result)
}

/// Why a membership could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum MembershipError {
    #[error("zone: no zone with the code {0:?}; import the zone first")]
    UnknownZone(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

pub async fn upsert_membership<C: ConnectionTrait>(
    db: &C,
    d: &MembershipData,
) -> Result<(i32, Outcome), MembershipError> {
    let z = zone::Entity::find()
        .filter(zone::Column::Code.eq(d.zone.clone()))
        .one(db)
        .await?
        .ok_or_else(|| MembershipError::UnknownZone(d.zone.clone()))?;
    let enterprise_id = ensure_enterprise(db, &d.enterprise, d.enterprise_name.as_deref()).await?;
    let mut find = zone_membership::Entity::find()
        .filter(zone_membership::Column::ZoneId.eq(z.id))
        .filter(zone_membership::Column::EnterpriseId.eq(enterprise_id));
    find = match d.admitted_on {
        Some(a) => find.filter(zone_membership::Column::AdmittedOn.eq(a)),
        None => find.filter(zone_membership::Column::AdmittedOn.is_null()),
    };
    let existing = find.one(db).await?;
    let mut am = zone_membership::ActiveModel {
        id: NotSet,
        zone_id: Set(z.id),
        enterprise_id: Set(enterprise_id),
        role: Set(d.role.as_str().into()),
        admitted_on: Set(d.admitted_on),
        exited_on: Set(d.exited_on),
        exit_reason: Set(d.exit_reason.clone()),
        updated_at: Set(Utc::now()),
    };
    let result = match existing {
        Some(row) => {
            am.id = Set(row.id);
            zone_membership::Entity::update(am).exec(db).await?;
            (row.id, Outcome::Updated)
        }
        None => (
            zone_membership::Entity::insert(am).exec(db).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    crate::search::outbox::enqueue(db, OUTBOX_ENTERPRISE, enterprise_id).await?;
    crate::search::outbox::enqueue(db, OUTBOX_ZONE, z.id).await?;
    Ok(result)
}

pub async fn zone_by_code<C: ConnectionTrait>(db: &C, code: &str) -> anyhow::Result<Option<Zone>> {
    Ok(zone::Entity::find()
        .filter(zone::Column::Code.eq(code))
        .one(db)
        .await?
        .map(zone_from))
}

pub async fn zones_by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Zone>> {
    Ok(paging::by_ids::<zone::Entity, C>(db, zone::Column::Id, ids, |m| m.id)
        .await?
        .into_iter()
        .map(zone_from)
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct ZoneQuery {
    pub levels: Vec<String>,
    pub kinds: Vec<String>,
    pub region_prefix: Option<String>,
    pub industry: Option<String>,
    pub batch: Option<String>,
}

fn zone_condition(q: &ZoneQuery) -> Condition {
    use zone::Column as Z;
    let mut c = Condition::all();
    if !q.levels.is_empty() {
        c = c.add(Z::Level.is_in(q.levels.clone()));
    }
    if !q.kinds.is_empty() {
        c = c.add(Z::Kind.is_in(q.kinds.clone()));
    }
    if let Some(r) = &q.region_prefix {
        c = c.add(like::starts_with(Z::RegionCode, r));
    }
    if let Some(i) = &q.industry {
        c = c.add(like::contains(Z::Industry, i));
    }
    if let Some(b) = &q.batch {
        c = c.add(Z::Batch.eq(b.clone()));
    }
    c
}

/// All zones matching the filter, by code. Zones are few (hundreds); status on a date is applied by the caller.
pub async fn all_zones<C: ConnectionTrait>(db: &C, q: &ZoneQuery) -> anyhow::Result<Vec<Zone>> {
    Ok(zone::Entity::find()
        .filter(zone_condition(q))
        .order_by(zone::Column::Code, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(zone_from)
        .collect())
}

/// A member of a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub id: i32,
    pub zone_id: i32,
    pub enterprise_id: i32,
    pub role: String,
    pub admitted_on: Option<NaiveDate>,
    pub exited_on: Option<NaiveDate>,
    pub exit_reason: Option<String>,
}

fn membership_from(m: zone_membership::Model) -> Membership {
    Membership {
        id: m.id,
        zone_id: m.zone_id,
        enterprise_id: m.enterprise_id,
        role: m.role,
        admitted_on: m.admitted_on,
        exited_on: m.exited_on,
        exit_reason: m.exit_reason,
    }
}

/// Memberships of a zone or of an enterprise, oldest admission first.
pub async fn memberships<C: ConnectionTrait>(
    db: &C,
    zone_id: Option<i32>,
    enterprise_id: Option<i32>,
) -> anyhow::Result<Vec<Membership>> {
    let mut find = zone_membership::Entity::find();
    if let Some(z) = zone_id {
        find = find.filter(zone_membership::Column::ZoneId.eq(z));
    }
    if let Some(e) = enterprise_id {
        find = find.filter(zone_membership::Column::EnterpriseId.eq(e));
    }
    Ok(find
        .order_by(zone_membership::Column::AdmittedOn, Order::Asc)
        .order_by(zone_membership::Column::Id, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(membership_from)
        .collect())
}

/// Enterprises whose listings or memberships began or ended on a day in `(after, until]`: their search documents
/// must be written again.
pub async fn ids_changing_status<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<i32>> {
    let mut any = Condition::any();
    for col in [
        listing::Column::StartedOn,
        listing::Column::EndedOn,
        listing::Column::ValidUntil,
    ] {
        any = any.add(Condition::all().add(col.gt(after)).add(col.lte(until)));
    }
    let mut ids: Vec<i32> = listing::Entity::find()
        .filter(any)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|l| l.enterprise_id)
        .collect();
    let mut any = Condition::any();
    for col in [zone_membership::Column::AdmittedOn, zone_membership::Column::ExitedOn] {
        any = any.add(Condition::all().add(col.gt(after)).add(col.lte(until)));
    }
    ids.extend(
        zone_membership::Entity::find()
            .filter(any)
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.enterprise_id),
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Listings with a date in `(after, until]`: their "in force today" changed.
pub async fn listing_ids_changing_status<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<i32>> {
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
        .map(|l| l.id)
        .collect())
}

/// Every zone id: zone phases come from a history kept as JSON, and zones are few, so all are refreshed daily.
pub async fn all_zone_ids<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<i32>> {
    Ok(zone::Entity::find().all(db).await?.into_iter().map(|z| z.id).collect())
}
