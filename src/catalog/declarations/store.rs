//! Storage of declarations: upsert by enterprise and standard edition (the enterprise is created, known only by
//! reference, when the catalogue lacks it), lookups, the filtered listing in keyset pages, the declarations of an
//! enterprise or of a standard, and withdrawal.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::declaration;
use super::model::{DeclarationData, DeclarationStatus, Indicator};
use crate::catalog::enterprises::store::{Outcome, ensure_enterprise, json};
use crate::catalog::like;
use crate::catalog::paging::{self, Page, PageRequest};

/// The search outbox kind of declarations.
pub const OUTBOX: &str = "declaration";

/// A stored declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub id: i32,
    pub enterprise_id: i32,
    pub standard_number: String,
    pub standard_number_raw: String,
    pub standard_edition: String,
    pub standard_family: String,
    pub standard_name: Option<String>,
    pub products: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub declared_on: NaiveDate,
    pub status: DeclarationStatus,
    pub status_label: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
    pub source_id: Option<String>,
}

fn from_model(m: declaration::Model) -> Declaration {
    Declaration {
        id: m.id,
        enterprise_id: m.enterprise_id,
        standard_number: m.standard_number,
        standard_number_raw: m.standard_number_raw,
        standard_edition: m.standard_edition,
        standard_family: m.standard_family,
        standard_name: m.standard_name,
        products: serde_json::from_str(&m.products).unwrap_or_default(),
        indicators: serde_json::from_str(&m.indicators).unwrap_or_default(),
        declared_on: m.declared_on,
        status: DeclarationStatus::parse(&m.status).unwrap_or(DeclarationStatus::Public),
        status_label: m.status_label,
        withdrawn_on: m.withdrawn_on,
        source_id: m.source_id,
    }
}

/// Stores a declaration: an update when the enterprise declared this edition before.
pub async fn upsert<C: ConnectionTrait>(db: &C, d: &DeclarationData) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let enterprise_id = ensure_enterprise(db, &d.enterprise, d.enterprise_name.as_deref()).await?;
    let key = d.natural_key();
    let existing = declaration::Entity::find()
        .filter(declaration::Column::NaturalKey.eq(key.clone()))
        .one(db)
        .await?;
    let now = Utc::now();
    let mut am = declaration::ActiveModel {
        id: NotSet,
        enterprise_id: Set(enterprise_id),
        standard_number: Set(d.number.to_string()),
        standard_number_raw: Set(d.number.raw().trim().to_string()),
        standard_edition: Set(d.number.edition()),
        standard_family: Set(d.number.family_key()),
        standard_name: Set(d.standard_name.clone()),
        products: Set(json(&d.products)),
        products_text: Set(d.products.join("、")),
        indicators: Set(json(&d.indicators)),
        declared_on: Set(d.declared_on),
        status: Set(d.status.as_str().to_string()),
        status_label: Set(d.status_label.clone()),
        withdrawn_on: Set(d.withdrawn_on),
        source_id: Set(d.source_id.clone()),
        natural_key: Set(key),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let result = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            declaration::Entity::update(am).exec(db).await?;
            (row.id, Outcome::Updated)
        }
        None => (
            declaration::Entity::insert(am).exec(db).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    crate::search::outbox::enqueue(db, OUTBOX, result.0).await?;
    Ok(result)
}

/// Queues the search documents of an enterprise's declarations again: they carry its name and region.
pub async fn requeue_of_enterprise<C: ConnectionTrait>(db: &C, enterprise_id: i32) -> Result<(), sea_orm::DbErr> {
    let ids: Vec<i32> = declaration::Entity::find()
        .select_only()
        .column(declaration::Column::Id)
        .filter(declaration::Column::EnterpriseId.eq(enterprise_id))
        .into_tuple()
        .all(db)
        .await?;
    let entries: Vec<(&str, i32)> = ids.into_iter().map(|id| (OUTBOX, id)).collect();
    crate::search::outbox::enqueue_many(db, &entries).await
}

/// How a listing of declarations is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    DeclaredOn,
    StandardNumber,
}

/// What a listing of declarations may be narrowed by; the parts are ANDed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeclarationQuery {
    pub enterprise_id: Option<i32>,
    /// The standard edition (`GB/T 19001-2016`).
    pub edition: Option<String>,
    /// Every edition of a standard (`GB/T 19001`): the number was given without its year.
    pub family: Option<String>,
    pub statuses: Vec<DeclarationStatus>,
    pub declared_from: Option<NaiveDate>,
    pub declared_to: Option<NaiveDate>,
    /// A part of a product or service name.
    pub product: Option<String>,
    /// Division code prefix of the declaring enterprise.
    pub region_prefix: Option<String>,
}

fn condition(q: &DeclarationQuery) -> Condition {
    use declaration::Column as D;
    let mut c = Condition::all();
    if let Some(e) = q.enterprise_id {
        c = c.add(D::EnterpriseId.eq(e));
    }
    if let Some(e) = &q.edition {
        c = c.add(D::StandardEdition.eq(e.clone()));
    }
    if let Some(f) = &q.family {
        c = c.add(D::StandardFamily.eq(f.clone()));
    }
    if !q.statuses.is_empty() {
        c = c.add(D::Status.is_in(q.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(d) = q.declared_from {
        c = c.add(D::DeclaredOn.gte(d));
    }
    if let Some(d) = q.declared_to {
        c = c.add(D::DeclaredOn.lte(d));
    }
    if let Some(p) = &q.product {
        c = c.add(like::contains(D::ProductsText, p));
    }
    if let Some(r) = &q.region_prefix {
        c = c.add(D::EnterpriseId.in_subquery(crate::catalog::enterprises::store::in_region(r)));
    }
    c
}

/// One keyset page of the declarations matching `q`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    q: &DeclarationQuery,
    sort: SortField,
    p: &PageRequest,
) -> anyhow::Result<Page<Declaration>> {
    let col = match sort {
        SortField::DeclaredOn => declaration::Column::DeclaredOn,
        SortField::StandardNumber => declaration::Column::StandardNumber,
    };
    let page = paging::page::<declaration::Entity, C>(db, condition(q), col, declaration::Column::Id, p).await?;
    page.try_map(|m| Ok(from_model(m)))
}

pub async fn count<C: ConnectionTrait>(db: &C, q: &DeclarationQuery) -> anyhow::Result<u64> {
    Ok(declaration::Entity::find().filter(condition(q)).count(db).await?)
}

/// Declarations by id, in the order of `ids`; missing ids are skipped.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Declaration>> {
    Ok(
        paging::by_ids::<declaration::Entity, C>(db, declaration::Column::Id, ids, |m| m.id)
            .await?
            .into_iter()
            .map(from_model)
            .collect(),
    )
}

/// The declaration the national platform publishes under this id.
pub async fn by_source_id<C: ConnectionTrait>(db: &C, source_id: &str) -> anyhow::Result<Option<Declaration>> {
    Ok(declaration::Entity::find()
        .filter(declaration::Column::SourceId.eq(source_id))
        .order_by(declaration::Column::Id, Order::Asc)
        .one(db)
        .await?
        .map(from_model))
}

/// The declarations of many enterprises at once (`Enterprise.declarations`, batched), each enterprise's newest
/// first.
pub async fn of_enterprises<C: ConnectionTrait>(
    db: &C,
    enterprise_ids: &[i32],
) -> anyhow::Result<std::collections::HashMap<i32, Vec<Declaration>>> {
    let mut out: std::collections::HashMap<i32, Vec<Declaration>> = std::collections::HashMap::new();
    for chunk in enterprise_ids.chunks(500) {
        let rows = declaration::Entity::find()
            .filter(declaration::Column::EnterpriseId.is_in(chunk.iter().copied()))
            .order_by(declaration::Column::DeclaredOn, Order::Desc)
            .order_by(declaration::Column::Id, Order::Desc)
            .all(db)
            .await?;
        for m in rows {
            out.entry(m.enterprise_id).or_default().push(from_model(m));
        }
    }
    Ok(out)
}

/// The declarations that name this standard edition, and those that name its family without a year; newest first.
pub async fn of_standard<C: ConnectionTrait>(db: &C, edition: &str, family: &str) -> anyhow::Result<Vec<Declaration>> {
    use declaration::Column as D;
    let any = Condition::any().add(D::StandardEdition.eq(edition)).add(
        Condition::all()
            .add(D::StandardFamily.eq(family))
            .add(D::StandardEdition.eq(family)),
    );
    Ok(declaration::Entity::find()
        .filter(any)
        .order_by(D::DeclaredOn, Order::Desc)
        .order_by(D::Id, Order::Desc)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// A declaration is withdrawn (废止) on `on`.
pub async fn withdraw<C: ConnectionTrait>(db: &C, id: i32, on: NaiveDate) -> Result<(), crate::catalog::EndError> {
    let row = declaration::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::catalog::EndError::Invalid("no such declaration".into()))?;
    if on < row.declared_on {
        return Err(crate::catalog::EndError::Invalid(format!(
            "on: {on} is before the declaration was made ({})",
            row.declared_on
        )));
    }
    let mut am: declaration::ActiveModel = row.into();
    am.status = Set(DeclarationStatus::Withdrawn.as_str().to_string());
    am.status_label = Set(Some("废止".to_string()));
    am.withdrawn_on = Set(Some(on));
    am.updated_at = Set(Utc::now());
    declaration::Entity::update(am).exec(db).await?;
    crate::search::outbox::enqueue(db, OUTBOX, id).await?;
    Ok(())
}
