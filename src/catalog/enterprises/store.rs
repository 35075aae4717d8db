//! Storage of enterprises: upserts by credit code (an enterprise a listing or zone names is created, known only by
//! reference), lookups, the listing of enterprises "as of" a day, and the enterprises whose search documents a
//! passing date changes.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::entity::enterprise;
use super::model::EnterpriseData;
use super::uscc::Uscc;
use crate::catalog::like;
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::store as listing_store;
use crate::catalog::paging::{self, Page, PageRequest};
use crate::catalog::zones::store as zone_store;

pub const OUTBOX_ENTERPRISE: &str = "enterprise";

/// What an upsert did; listings and zones answer with it too (their upserts also ensure enterprises).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
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
            // Its declarations' documents carry its name and region.
            crate::catalog::declarations::store::requeue_of_enterprise(db, row.id).await?;
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
        if !schemes.is_empty() {
            c = c.add(E::Id.in_subquery(listing_store::holders_on(kind, schemes, day)));
        }
    }
    if let Some(z) = q.zone_id {
        c = c.add(E::Id.in_subquery(zone_store::members_on(z, day)));
    }
    c
}

/// Ids of the enterprises whose region code starts with `prefix`, as a subquery.
pub fn in_region(prefix: &str) -> SelectStatement {
    Query::select()
        .column(enterprise::Column::Id)
        .from(enterprise::Entity)
        .and_where(like::starts_with(enterprise::Column::RegionCode, prefix))
        .to_owned()
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

/// Enterprises whose listings or memberships began or ended on a day in `(after, until]`: their search documents
/// must be written again.
pub async fn ids_changing_status<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<i32>> {
    let mut ids: Vec<i32> = listing_store::dated_between(db, after, until)
        .await?
        .into_iter()
        .filter_map(|l| l.enterprise_id)
        .collect();
    ids.extend(zone_store::member_ids_dated_between(db, after, until).await?);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The newest `updated_at` among these enterprises (none when the list is empty): the `Last-Modified` of a page of them.
pub async fn latest_change<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    paging::Table::<enterprise::Entity> {
        id: enterprise::Column::Id,
        updated_at: enterprise::Column::UpdatedAt,
    }
    .latest_change(db, ids)
    .await
}
