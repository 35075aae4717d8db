//! Storage of demonstration zones (history kept as JSON) and memberships: upserts by code, lookups, the zones
//! matching a filter, members, and the members whose search documents a passing date changes.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
};

use super::entity::{zone, zone_membership};
use super::model::{MembershipData, ZoneData, ZoneKind, ZoneStatus, ZoneStep};
use crate::catalog::enterprises::store::{self as enterprise_store, Outcome, ensure_enterprise, json};
use crate::catalog::like;
use crate::catalog::paging;
use crate::catalog::terms::Level;

pub const OUTBOX_ZONE: &str = "zone";

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
    crate::search::outbox::enqueue(db, enterprise_store::OUTBOX_ENTERPRISE, enterprise_id).await?;
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

/// The memberships of many enterprises at once, each enterprise's oldest admission first.
pub async fn memberships_of_many<C: ConnectionTrait>(
    db: &C,
    enterprise_ids: &[i32],
) -> anyhow::Result<std::collections::HashMap<i32, Vec<Membership>>> {
    let mut out: std::collections::HashMap<i32, Vec<Membership>> = std::collections::HashMap::new();
    for chunk in enterprise_ids.chunks(500) {
        let rows = zone_membership::Entity::find()
            .filter(zone_membership::Column::EnterpriseId.is_in(chunk.iter().copied()))
            .order_by(zone_membership::Column::AdmittedOn, Order::Asc)
            .order_by(zone_membership::Column::Id, Order::Asc)
            .all(db)
            .await?;
        for m in rows {
            out.entry(m.enterprise_id).or_default().push(membership_from(m));
        }
    }
    Ok(out)
}

/// Every zone id: zone phases come from a history kept as JSON, and zones are few, so all are refreshed daily.
pub async fn all_zone_ids<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<i32>> {
    Ok(zone::Entity::find().all(db).await?.into_iter().map(|z| z.id).collect())
}

/// The enterprises of the memberships admitted or exited on a day in `(after, until]`, once per membership (the
/// caller sorts them).
pub async fn member_ids_dated_between<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<i32>> {
    let mut any = Condition::any();
    for col in [zone_membership::Column::AdmittedOn, zone_membership::Column::ExitedOn] {
        any = any.add(Condition::all().add(col.gt(after)).add(col.lte(until)));
    }
    Ok(zone_membership::Entity::find()
        .filter(any)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.enterprise_id)
        .collect())
}

/// The memberships in force on `day`: admitted on or before it (or undated) and not yet exited.
pub fn in_force_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(
            Condition::any()
                .add(zone_membership::Column::AdmittedOn.is_null())
                .add(zone_membership::Column::AdmittedOn.lte(day)),
        )
        .add(
            Condition::any()
                .add(zone_membership::Column::ExitedOn.is_null())
                .add(zone_membership::Column::ExitedOn.gt(day)),
        )
}

/// Ids of the enterprises that are members of zone `zone_id` on `day`, as a subquery.
pub fn members_on(zone_id: i32, day: NaiveDate) -> SelectStatement {
    Query::select()
        .column(zone_membership::Column::EnterpriseId)
        .from(zone_membership::Entity)
        .cond_where(
            Condition::all()
                .add(zone_membership::Column::ZoneId.eq(zone_id))
                .add(in_force_on(day)),
        )
        .to_owned()
}

/// The newest `updated_at` of a zone and of its memberships: with those of the enterprises and listings a page
/// shows, the `Last-Modified` of the zone's member page.
pub async fn latest_change<C: ConnectionTrait>(
    db: &C,
    zone_id: i32,
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Expr, ExprTrait};
    let own: Option<Option<chrono::DateTime<chrono::Utc>>> = zone::Entity::find()
        .select_only()
        .column_as(Expr::col(zone::Column::UpdatedAt).max(), "m")
        .filter(zone::Column::Id.eq(zone_id))
        .into_tuple()
        .one(db)
        .await?;
    let members: Option<Option<chrono::DateTime<chrono::Utc>>> = zone_membership::Entity::find()
        .select_only()
        .column_as(Expr::col(zone_membership::Column::UpdatedAt).max(), "m")
        .filter(zone_membership::Column::ZoneId.eq(zone_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(std::cmp::max(own.flatten(), members.flatten()))
}

/// A member exits its zone on `on`.
pub async fn end_membership<C: ConnectionTrait>(
    db: &C,
    id: i32,
    on: NaiveDate,
    reason: Option<&str>,
) -> Result<(), crate::catalog::EndError> {
    let row = zone_membership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::catalog::EndError::Invalid("no such membership".into()))?;
    if row.admitted_on.is_some_and(|a| on < a) {
        return Err(crate::catalog::EndError::Invalid(format!(
            "on: {on} is before the enterprise was admitted ({})",
            row.admitted_on.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    let (zone_id, enterprise_id) = (row.zone_id, row.enterprise_id);
    let mut am: zone_membership::ActiveModel = row.into();
    am.exited_on = Set(Some(on));
    if reason.is_some() {
        am.exit_reason = Set(reason.map(String::from));
    }
    am.updated_at = Set(Utc::now());
    zone_membership::Entity::update(am).exec(db).await?;
    crate::search::outbox::enqueue(db, enterprise_store::OUTBOX_ENTERPRISE, enterprise_id).await?;
    crate::search::outbox::enqueue(db, OUTBOX_ZONE, zone_id).await?;
    Ok(())
}

/// A zone is revoked on `on`: a REVOKED step ends its history.
pub async fn revoke_zone<C: ConnectionTrait>(
    db: &C,
    id: i32,
    on: NaiveDate,
    reason: Option<&str>,
) -> Result<(), crate::catalog::EndError> {
    let row = zone::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::catalog::EndError::Invalid("no such zone".into()))?;
    let mut steps: Vec<StoredStep> = serde_json::from_str(&row.history).unwrap_or_default();
    if let Some(last) = steps.last() {
        if last.status == ZoneStatus::Revoked.as_str() {
            return Err(crate::catalog::EndError::Invalid(format!(
                "the zone was revoked on {} already",
                last.date
            )));
        }
        if on < last.date {
            return Err(crate::catalog::EndError::Invalid(format!(
                "on: {on} is before the zone's last step ({} on {})",
                last.status, last.date
            )));
        }
    }
    steps.push(StoredStep {
        status: ZoneStatus::Revoked.as_str().into(),
        date: on,
        note: reason.map(String::from),
    });
    let mut am: zone::ActiveModel = row.into();
    am.history = Set(json(&steps));
    am.updated_at = Set(Utc::now());
    zone::Entity::update(am).exec(db).await?;
    crate::search::outbox::enqueue(db, OUTBOX_ZONE, id).await?;
    Ok(())
}
