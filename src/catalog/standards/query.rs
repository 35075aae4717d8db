//! Standards listings: the filter conditions (status by date, committee, drafters, ICS/CCS prefixes, region), the
//! filtered and sorted listing, counts, and which standards' status changes between two days.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{standard, standard_drafter, standard_ics};
use super::model::{Standard, StandardStatus};
use super::store::{SortField, StandardQuery, from_model};
use crate::catalog::like;
use crate::catalog::paging::{self, Page, PageRequest};

fn label_says(labels: &[&str]) -> Condition {
    Condition::all()
        .add(standard::Column::WithdrawalDate.is_null())
        .add(standard::Column::ReplacedOn.is_null())
        .add(standard::Column::StatusLabel.is_in(labels.iter().map(|s| s.to_string())))
}

const WITHDRAWN_LABELS: [&str; 4] = ["废止", "作废", "已废止", "WITHDRAWN"];
const REPLACED_LABELS: [&str; 3] = ["被代替", "已被代替", "REPLACED"];

/// The SQL of `status_on` in `model.rs`: the same rules, as a condition on a day.
fn status_condition(status: StandardStatus, d: NaiveDate) -> Condition {
    use standard::Column as C;
    let replaced_by_day = Condition::all()
        .add(C::ReplacedOn.is_not_null())
        .add(C::ReplacedOn.lte(d));
    let withdrawn_by_day = Condition::all()
        .add(C::WithdrawalDate.is_not_null())
        .add(C::WithdrawalDate.lte(d));
    let not_upcoming = Condition::any()
        .add(C::ImplementationDate.is_null())
        .add(C::ImplementationDate.lte(d));
    let replaced = Condition::all().add(replaced_by_day.clone()).add(
        Condition::any()
            .add(withdrawn_by_day.clone().not())
            .add(Expr::col(C::ReplacedOn).lte(Expr::col(C::WithdrawalDate))),
    );
    let ended = Condition::any().add(replaced_by_day).add(withdrawn_by_day.clone());
    match status {
        StandardStatus::Replaced => Condition::any()
            .add(replaced.clone())
            .add(Condition::all().add(label_says(&REPLACED_LABELS)).add(not_upcoming)),
        StandardStatus::Withdrawn => Condition::any()
            .add(Condition::all().add(withdrawn_by_day).add(replaced.not()))
            .add(Condition::all().add(label_says(&WITHDRAWN_LABELS)).add(not_upcoming)),
        StandardStatus::Upcoming => Condition::all()
            .add(ended.not())
            .add(C::ImplementationDate.is_not_null())
            .add(C::ImplementationDate.gt(d)),
        StandardStatus::Current => Condition::all()
            .add(ended.not())
            .add(not_upcoming)
            .add(label_says(&WITHDRAWN_LABELS).not())
            .add(label_says(&REPLACED_LABELS).not()),
    }
}

fn filter_condition(q: &StandardQuery) -> Condition {
    use standard::Column as C;
    let mut c = Condition::all();
    if !q.levels.is_empty() {
        c = c.add(C::Level.is_in(q.levels.iter().map(|l| l.as_str())));
    }
    if !q.natures.is_empty() {
        c = c.add(C::Nature.is_in(q.natures.iter().map(|l| l.as_str())));
    }
    if !q.status.is_empty() {
        let day = q.status_on.unwrap_or_else(crate::graphql::scalars::today_in_china);
        let mut any = Condition::any();
        for s in &q.status {
            any = any.add(status_condition(*s, day));
        }
        c = c.add(any);
    }
    if !q.industry_codes.is_empty() {
        c = c.add(C::IndustryCode.is_in(q.industry_codes.clone()));
    }
    if let Some(r) = &q.region_prefix {
        c = c.add(like::starts_with(C::RegionCode, r));
    }
    if !q.group_orgs.is_empty() {
        c = c.add(C::GroupOrg.is_in(q.group_orgs.clone()));
    }
    if !q.ics_prefixes.is_empty() {
        let mut any = Condition::any();
        for p in &q.ics_prefixes {
            any = any.add(like::starts_with(standard_ics::Column::Code, p));
        }
        c = c.add(
            C::Id.in_subquery(
                Query::select()
                    .column(standard_ics::Column::StandardId)
                    .from(standard_ics::Entity)
                    .cond_where(any)
                    .to_owned(),
            ),
        );
    }
    if !q.ccs_prefixes.is_empty() {
        let mut any = Condition::any();
        for p in &q.ccs_prefixes {
            any = any.add(like::starts_with(C::CcsCode, p));
        }
        c = c.add(any);
    }
    if let Some(tc) = &q.committee {
        c = c.add(
            Condition::any()
                .add(C::Committee.eq(tc.clone()))
                .add(like::starts_with(C::Committee, &format!("{tc}/")))
                .add(like::contains(C::CommitteeName, tc)),
        );
    }
    if let Some(org) = &q.drafted_by {
        c = c.add(
            C::Id.in_subquery(
                Query::select()
                    .column(standard_drafter::Column::StandardId)
                    .from(standard_drafter::Entity)
                    .cond_where(drafter_condition(org, q.drafted_as_lead))
                    .to_owned(),
            ),
        );
    }
    for (col, from, to) in [
        (C::IssueDate, q.issued_from, q.issued_to),
        (C::ImplementationDate, q.implemented_from, q.implemented_to),
    ] {
        if let Some(d) = from {
            c = c.add(col.gte(d));
        }
        if let Some(d) = to {
            c = c.add(col.lte(d));
        }
    }
    if let Some(f) = &q.family_key {
        c = c.add(C::FamilyKey.eq(f.clone()));
    }
    c
}

/// Drafting-organisation rows of `org` (its credit code, or a part of its name); with `lead`, only where it led.
fn drafter_condition(org: &str, lead: bool) -> Condition {
    let who = Condition::any()
        .add(standard_drafter::Column::CreditCode.eq(org.to_ascii_uppercase()))
        .add(like::contains(standard_drafter::Column::Name, org));
    if lead {
        Condition::all().add(who).add(standard_drafter::Column::Position.eq(0))
    } else {
        who
    }
}

/// Ids of the standards `draftedBy: org` (and `draftedAsLead: lead`) selects, as the listing reads them: a search
/// filters by these, since the index cannot match a part of a name or a credit code.
pub async fn ids_drafted_by<C: ConnectionTrait>(db: &C, org: &str, lead: bool) -> anyhow::Result<Vec<i32>> {
    Ok(standard_drafter::Entity::find()
        .select_only()
        .column(standard_drafter::Column::StandardId)
        .distinct()
        .filter(drafter_condition(org, lead))
        .order_by_asc(standard_drafter::Column::StandardId)
        .into_tuple()
        .all(db)
        .await?)
}

/// The sort column: issue dates may be missing, so they sort through a non-null copy.
fn sort_column(f: SortField) -> standard::Column {
    match f {
        SortField::IssueDate => standard::Column::IssueSort,
        SortField::Number => standard::Column::Number,
    }
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    q: &StandardQuery,
    field: SortField,
    p: &PageRequest,
) -> anyhow::Result<Page<Standard>> {
    let filter = filter_condition(q);
    let page = paging::page::<standard::Entity, C>(db, filter, sort_column(field), standard::Column::Id, p).await?;
    page.try_map(from_model)
}

pub async fn count<C: ConnectionTrait>(db: &C, q: &StandardQuery) -> anyhow::Result<u64> {
    Ok(standard::Entity::find().filter(filter_condition(q)).count(db).await?)
}

/// Standards whose status changes on a day in `(after, until]`: their search documents must be refreshed.
pub async fn ids_changing_status<C: ConnectionTrait>(
    db: &C,
    after: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<i32>> {
    use standard::Column as C;
    let mut any = Condition::any();
    for col in [C::ImplementationDate, C::WithdrawalDate, C::ReplacedOn] {
        any = any.add(Condition::all().add(col.gt(after)).add(col.lte(until)));
    }
    Ok(standard::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(any)
        .into_tuple::<i32>()
        .all(db)
        .await?)
}

/// Where an organisation is named among drafting organisations: `(standard id, 0-based position, named by credit
/// code)`. Named means its credit code, or exactly one of `names` (its current and former names; full- and
/// half-width brackets alike) on a row that carries no other credit code — never a part of a name.
pub async fn drafting_places<C: ConnectionTrait>(
    db: &C,
    credit_code: &str,
    names: &[String],
) -> anyhow::Result<Vec<(i32, i32, bool)>> {
    use standard_drafter::Column as D;
    let mut spelled: Vec<String> = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        for v in [
            n.to_string(),
            n.replace('（', "(").replace('）', ")"),
            n.replace('(', "（").replace(')', "）"),
        ] {
            if !spelled.contains(&v) {
                spelled.push(v);
            }
        }
    }
    let code = credit_code.to_ascii_uppercase();
    let mut who = Condition::any().add(D::CreditCode.eq(code.clone()));
    if !spelled.is_empty() {
        who = who.add(
            Condition::all().add(D::Name.is_in(spelled)).add(
                Condition::any()
                    .add(D::CreditCode.is_null())
                    .add(D::CreditCode.eq(code.clone())),
            ),
        );
    }
    let rows: Vec<(i32, i32, Option<String>)> = standard_drafter::Entity::find()
        .select_only()
        .columns([D::StandardId, D::Position, D::CreditCode])
        .filter(who)
        .order_by_asc(D::StandardId)
        .order_by_asc(D::Position)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<(i32, i32, bool)> = Vec::new();
    for (id, position, c) in rows {
        // One place per standard: the first (an organisation named twice keeps its highest place).
        if out.last().is_some_and(|(last, _, _)| *last == id) {
            continue;
        }
        out.push((id, position, c.as_deref() == Some(code.as_str())));
    }
    Ok(out)
}
