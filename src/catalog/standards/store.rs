//! Standards storage: upsert with replacement dates kept in step, lookups by edition and family, filtered listing.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{standard, standard_drafter, standard_ics, standard_replacement};
use super::model::{
    AdoptionDegree, Amendment, DraftingOrganization, Replacement, ReplacementScope, Standard, StandardData,
    StandardNature, StandardStatus,
};
use super::number::{StandardLevel, StandardNumber};
use crate::catalog::paging;
pub use crate::catalog::paging::{Page, PageRequest, Position};
use crate::search::outbox;

pub const OUTBOX: &str = "standard";

/// Sort key of standards without an issue date: they come last in newest-first listings.
pub const UNKNOWN_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");

/// What a listing of standards may be narrowed by; parts are ANDed, lists inside a part ORed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandardQuery {
    pub levels: Vec<StandardLevel>,
    pub natures: Vec<StandardNature>,
    /// Status on a day.
    pub status: Vec<StandardStatus>,
    pub status_on: Option<NaiveDate>,
    pub industry_codes: Vec<String>,
    /// Division code prefix of local standards: `33` is Zhejiang, `3302` Ningbo.
    pub region_prefix: Option<String>,
    pub group_orgs: Vec<String>,
    pub ics_prefixes: Vec<String>,
    /// CCS prefix: `Y` or `Y61`.
    pub ccs_prefixes: Vec<String>,
    pub committee: Option<String>,
    /// A drafting organisation: its credit code, or a part of its name.
    pub drafted_by: Option<String>,
    /// Only where that organisation leads (comes first).
    pub drafted_as_lead: bool,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    pub implemented_from: Option<NaiveDate>,
    pub implemented_to: Option<NaiveDate>,
    pub family_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    IssueDate,
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredReplacement {
    number: String,
    scope: ReplacementScope,
}

/// The day a whole replacement of `edition` takes effect: the earliest implementation (or issue) date of the
/// standards that replace it whole.
async fn replacement_date<C: ConnectionTrait>(db: &C, edition: &str) -> Result<Option<NaiveDate>, sea_orm::DbErr> {
    let ids: Vec<i32> = standard_replacement::Entity::find()
        .select_only()
        .column(standard_replacement::Column::StandardId)
        .filter(standard_replacement::Column::ReplacedNumber.eq(edition))
        .filter(standard_replacement::Column::Scope.eq(ReplacementScope::Whole.as_str()))
        .into_tuple::<i32>()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(None);
    }
    let rows = standard::Entity::find()
        .filter(standard::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows.iter().filter_map(|r| r.implementation_date.or(r.issue_date)).min())
}

/// Recomputes `replaced_on` of the stored edition `edition`, queueing it for search when it changed.
async fn refresh_replaced_on<C: ConnectionTrait>(db: &C, edition: &str) -> Result<(), sea_orm::DbErr> {
    let Some(row) = standard::Entity::find()
        .filter(standard::Column::Number.eq(edition))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let date = replacement_date(db, edition).await?;
    if date != row.replaced_on {
        standard::Entity::update_many()
            .col_expr(standard::Column::ReplacedOn, Expr::value(date))
            .filter(standard::Column::Id.eq(row.id))
            .exec(db)
            .await?;
        outbox::enqueue(db, OUTBOX, row.id).await?;
    }
    Ok(())
}

/// Inserts or updates the standard of this edition, keeps replacement dates of both sides in step, and queues
/// the changes for search, in `txn`.
pub async fn upsert<C: ConnectionTrait>(txn: &C, data: &StandardData) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let n = &data.number;
    let edition = n.edition();
    let existing = standard::Entity::find()
        .filter(standard::Column::Number.eq(edition.clone()))
        .one(txn)
        .await?;
    let now = Utc::now();
    // A record of an amendment (`.../XG1-2006`) adds the amendment to its edition and changes nothing else.
    if let (Some((num, year)), Some(row)) = (n.amendment(), &existing) {
        let mut amendments: Vec<Amendment> = serde_json::from_str(&row.amendments).unwrap_or_default();
        let text = format!("{edition}/XG{num}-{year}");
        match amendments.iter_mut().find(|a| a.number == text) {
            Some(a) => {
                a.issue_date = data.issue_date.map(|d| d.to_string()).or(a.issue_date.take());
                a.implementation_date = data
                    .implementation_date
                    .map(|d| d.to_string())
                    .or(a.implementation_date.take());
            }
            None => amendments.push(Amendment {
                number: text,
                issue_date: data.issue_date.map(|d| d.to_string()),
                implementation_date: data.implementation_date.map(|d| d.to_string()),
            }),
        }
        standard::Entity::update_many()
            .col_expr(standard::Column::Amendments, Expr::value(json(&amendments)))
            .col_expr(standard::Column::UpdatedAt, Expr::value(now))
            .filter(standard::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
        outbox::enqueue(txn, OUTBOX, row.id).await?;
        return Ok((row.id, Outcome::Updated));
    }
    let (industry, region, group) = match n.level() {
        StandardLevel::Industry => (Some(n.code().to_string()), None, None),
        StandardLevel::Local => (None, n.code().strip_prefix("DB").map(str::to_string), None),
        StandardLevel::Group => (None, None, n.code().strip_prefix("T/").map(str::to_string)),
        _ => (None, None, None),
    };
    let mut amendments = data.amendments.clone();
    if let Some((num, year)) = n.amendment() {
        let text = format!("{edition}/XG{num}-{year}");
        if !amendments.iter().any(|a| a.number == text) {
            amendments.push(Amendment {
                number: text,
                ..Default::default()
            });
        }
    }
    let replaces: Vec<StoredReplacement> = data
        .replaces
        .iter()
        .map(|r| StoredReplacement {
            number: r.number.edition(),
            scope: r.scope,
        })
        .collect();
    let mut am = standard::ActiveModel {
        id: NotSet,
        number: Set(edition.clone()),
        raw_number: Set(n.raw().to_string()),
        family_key: Set(n.family_key()),
        edition: Set(edition.clone()),
        level: Set(n.level().as_str().into()),
        prefix: Set(n.prefix()),
        nature: Set(data.nature.map(|x| x.as_str().to_string())),
        industry_code: Set(industry),
        region_code: Set(region),
        group_org: Set(group),
        sequence: Set(n.sequence().to_string()),
        year: Set(n.year().map(i32::from)),
        title_zh: Set(data.title_zh.clone()),
        title_en: Set(data.title_en.clone()),
        status_label: Set(data.status_label.clone()),
        issue_date: Set(data.issue_date),
        issue_sort: Set(data.issue_date.unwrap_or(UNKNOWN_DATE)),
        implementation_date: Set(data.implementation_date),
        withdrawal_date: Set(data.withdrawal_date),
        replaced_on: Set(replacement_date(txn, &edition).await?),
        adoption_degree: Set(data.adoption.as_ref().map(|a| a.0.as_str().to_string())),
        adoption_number: Set(data.adoption.as_ref().map(|a| a.1.clone())),
        ics_codes: Set(json(&data.ics_codes)),
        ccs_code: Set(data.ccs_code.clone()),
        committee: Set(data.committee.clone()),
        committee_name: Set(data.committee_name.clone()),
        department: Set(data.department.clone()),
        drafting_organizations: Set(json(&data.drafting_organizations)),
        drafters: Set(json(&data.drafters)),
        amendments: Set(json(&amendments)),
        replaces: Set(json(&replaces)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let mut previously_replaced: Vec<String> = Vec::new();
    let (id, outcome) = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            // Amendments recorded by their own rows stay.
            let stored: Vec<Amendment> = serde_json::from_str(&row.amendments).unwrap_or_default();
            for a in stored {
                if !amendments.iter().any(|x| x.number == a.number) {
                    amendments.push(a);
                }
            }
            am.amendments = Set(json(&amendments));
            standard::Entity::update(am).exec(txn).await?;
            previously_replaced = standard_replacement::Entity::find()
                .filter(standard_replacement::Column::StandardId.eq(row.id))
                .all(txn)
                .await?
                .into_iter()
                .map(|r| r.replaced_number)
                .collect();
            standard_ics::Entity::delete_many()
                .filter(standard_ics::Column::StandardId.eq(row.id))
                .exec(txn)
                .await?;
            standard_replacement::Entity::delete_many()
                .filter(standard_replacement::Column::StandardId.eq(row.id))
                .exec(txn)
                .await?;
            standard_drafter::Entity::delete_many()
                .filter(standard_drafter::Column::StandardId.eq(row.id))
                .exec(txn)
                .await?;
            (row.id, Outcome::Updated)
        }
        None => (
            standard::Entity::insert(am).exec(txn).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    if !data.ics_codes.is_empty() {
        standard_ics::Entity::insert_many(data.ics_codes.iter().map(|c| standard_ics::ActiveModel {
            standard_id: Set(id),
            code: Set(c.clone()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let mut seen = Vec::new();
    let replacements: Vec<&Replacement> = data
        .replaces
        .iter()
        .filter(|r| {
            let e = r.number.edition();
            let fresh = !seen.contains(&e);
            seen.push(e);
            fresh
        })
        .collect();
    if !replacements.is_empty() {
        standard_replacement::Entity::insert_many(replacements.iter().map(|r| standard_replacement::ActiveModel {
            standard_id: Set(id),
            replaced_number: Set(r.number.edition()),
            replaced_family: Set(r.number.family_key()),
            scope: Set(r.scope.as_str().to_string()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    if !data.drafting_organizations.is_empty() {
        standard_drafter::Entity::insert_many(data.drafting_organizations.iter().enumerate().map(|(i, o)| {
            standard_drafter::ActiveModel {
                standard_id: Set(id),
                position: Set(i as i32),
                name: Set(o.name.clone()),
                credit_code: Set(o.credit_code.clone()),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    outbox::enqueue(txn, OUTBOX, id).await?;
    // The standards this one replaces (now or before) may have a new end date.
    for e in replacements
        .iter()
        .map(|r| r.number.edition())
        .chain(previously_replaced)
    {
        refresh_replaced_on(txn, &e).await?;
    }
    Ok((id, outcome))
}

pub(super) fn from_model(m: standard::Model) -> anyhow::Result<Standard> {
    let number = StandardNumber::parse(&m.raw_number)
        .or_else(|_| StandardNumber::parse(&m.number))
        .map_err(|e| anyhow::anyhow!("stored number {:?} unreadable: {e}", m.number))?;
    let replaces: Vec<StoredReplacement> = serde_json::from_str(&m.replaces)?;
    let replaces = replaces
        .into_iter()
        .filter_map(|r| {
            StandardNumber::parse(&r.number).ok().map(|n| Replacement {
                number: n,
                scope: r.scope,
            })
        })
        .collect();
    let drafting: Vec<DraftingOrganization> = serde_json::from_str(&m.drafting_organizations)?;
    Ok(Standard {
        id: m.id,
        data: StandardData {
            number,
            nature: m.nature.as_deref().and_then(StandardNature::parse),
            title_zh: m.title_zh,
            title_en: m.title_en,
            status_label: m.status_label,
            issue_date: m.issue_date,
            implementation_date: m.implementation_date,
            withdrawal_date: m.withdrawal_date,
            replaces,
            amendments: serde_json::from_str(&m.amendments)?,
            adoption: match (
                m.adoption_degree.as_deref().and_then(AdoptionDegree::parse),
                m.adoption_number,
            ) {
                (Some(d), Some(n)) => Some((d, n)),
                _ => None,
            },
            ics_codes: serde_json::from_str(&m.ics_codes)?,
            ccs_code: m.ccs_code,
            committee: m.committee,
            committee_name: m.committee_name,
            department: m.department,
            drafting_organizations: drafting,
            drafters: serde_json::from_str(&m.drafters)?,
        },
        replaced_on: m.replaced_on,
        updated_at: m.updated_at,
    })
}

/// Standards by id, in the order of `ids`; missing ids are skipped.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Standard>> {
    paging::by_ids::<standard::Entity, C>(db, standard::Column::Id, ids, |m| m.id)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// The standard of exactly this edition.
pub async fn by_edition<C: ConnectionTrait>(db: &C, edition: &str) -> anyhow::Result<Option<Standard>> {
    match standard::Entity::find()
        .filter(standard::Column::Number.eq(edition))
        .one(db)
        .await?
    {
        Some(m) => Ok(Some(from_model(m)?)),
        None => Ok(None),
    }
}

/// Every edition of a family, newest first.
pub async fn editions<C: ConnectionTrait>(db: &C, family_key: &str) -> anyhow::Result<Vec<Standard>> {
    standard::Entity::find()
        .filter(standard::Column::FamilyKey.eq(family_key))
        .order_by(standard::Column::Year, Order::Desc)
        .order_by(standard::Column::Id, Order::Desc)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Standards that replace `edition`, with the scope of each replacement.
pub async fn replaced_by<C: ConnectionTrait>(
    db: &C,
    edition: &str,
) -> anyhow::Result<Vec<(Standard, ReplacementScope)>> {
    let rows = standard_replacement::Entity::find()
        .filter(standard_replacement::Column::ReplacedNumber.eq(edition))
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.standard_id).collect();
    let standards = by_ids(db, &ids).await?;
    Ok(standards
        .into_iter()
        .filter_map(|s| {
            let scope = rows.iter().find(|r| r.standard_id == s.id)?.scope.clone();
            Some((
                s,
                if scope == "PARTIAL" {
                    ReplacementScope::Partial
                } else {
                    ReplacementScope::Whole
                },
            ))
        })
        .collect())
}

/// Standards with any of these ICS codes (exact) or whose family is one of `families`.
pub async fn related<C: ConnectionTrait>(
    db: &C,
    ics: &[String],
    families: &[String],
    limit: u64,
) -> anyhow::Result<Vec<Standard>> {
    if ics.is_empty() && families.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = Condition::any();
    if !ics.is_empty() {
        any = any.add(
            standard::Column::Id.in_subquery(
                Query::select()
                    .column(standard_ics::Column::StandardId)
                    .from(standard_ics::Entity)
                    .and_where(standard_ics::Column::Code.is_in(ics.to_vec()))
                    .to_owned(),
            ),
        );
    }
    if !families.is_empty() {
        any = any.add(standard::Column::FamilyKey.is_in(families.to_vec()));
    }
    standard::Entity::find()
        .filter(any)
        .order_by(standard::Column::IssueDate, Order::Desc)
        .order_by(standard::Column::Id, Order::Desc)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// A standard is withdrawn (废止) on `on`.
pub async fn withdraw<C: ConnectionTrait>(db: &C, id: i32, on: NaiveDate) -> Result<(), crate::catalog::EndError> {
    let row = standard::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::catalog::EndError::Invalid("no such standard".into()))?;
    if row.issue_date.is_some_and(|d| on < d) {
        return Err(crate::catalog::EndError::Invalid(format!(
            "on: {on} is before the standard was issued ({})",
            row.issue_date.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    let mut am: standard::ActiveModel = row.into();
    am.withdrawal_date = Set(Some(on));
    am.updated_at = Set(Utc::now());
    standard::Entity::update(am).exec(db).await?;
    outbox::enqueue(db, OUTBOX, id).await?;
    Ok(())
}
