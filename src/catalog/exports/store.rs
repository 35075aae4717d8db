//! Storage of export products (upsert by enterprise and product name, the products of an enterprise) and the
//! queries of `Notice.affected`: products sharing an HS prefix with a notice and shipping to its members, their
//! enterprises, those enterprises' zones on a day, and counts by region. All in SQL over indexed columns.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{export_product, export_product_hs, export_product_market};
use super::model::ExportProductData;
use crate::catalog::enterprises::entity::enterprise;
use crate::catalog::enterprises::store::{Outcome, json};
use crate::catalog::region;
use crate::catalog::zones::entity::zone_membership;
use crate::catalog::zones::store as zone_store;

/// A stored export product.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProduct {
    pub id: i32,
    pub enterprise_id: i32,
    pub product: String,
    pub hs_codes: Vec<String>,
    pub markets: Vec<String>,
}

fn product_from(m: export_product::Model) -> ExportProduct {
    ExportProduct {
        id: m.id,
        enterprise_id: m.enterprise_id,
        product: m.product,
        hs_codes: serde_json::from_str(&m.hs_codes).unwrap_or_default(),
        markets: serde_json::from_str(&m.markets).unwrap_or_default(),
    }
}

/// Why an export product could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("creditCode: no enterprise with the credit code {0}; import the enterprise first")]
    UnknownEnterprise(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Stores a product of an enterprise already in the catalogue; the same (enterprise, product name) again replaces
/// its HS codes and markets.
pub async fn upsert<C: ConnectionTrait>(db: &C, d: &ExportProductData) -> Result<(i32, Outcome), ExportError> {
    let e = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(d.credit_code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| ExportError::UnknownEnterprise(d.credit_code.to_string()))?;
    let existing = export_product::Entity::find()
        .filter(export_product::Column::EnterpriseId.eq(e.id))
        .filter(export_product::Column::Product.eq(d.product.clone()))
        .one(db)
        .await?;
    let now = Utc::now();
    let mut am = export_product::ActiveModel {
        id: NotSet,
        enterprise_id: Set(e.id),
        product: Set(d.product.clone()),
        hs_codes: Set(json(&d.hs_codes)),
        markets: Set(json(&d.markets)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let (id, outcome) = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            export_product::Entity::update(am).exec(db).await?;
            export_product_hs::Entity::delete_many()
                .filter(export_product_hs::Column::ProductId.eq(row.id))
                .exec(db)
                .await?;
            export_product_market::Entity::delete_many()
                .filter(export_product_market::Column::ProductId.eq(row.id))
                .exec(db)
                .await?;
            (row.id, Outcome::Updated)
        }
        None => (
            export_product::Entity::insert(am).exec(db).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    for code in &d.hs_codes {
        export_product_hs::Entity::insert(export_product_hs::ActiveModel {
            product_id: Set(id),
            code: Set(code.clone()),
        })
        .exec(db)
        .await?;
    }
    for member in &d.markets {
        export_product_market::Entity::insert(export_product_market::ActiveModel {
            product_id: Set(id),
            member: Set(member.clone()),
        })
        .exec(db)
        .await?;
    }
    Ok((id, outcome))
}

/// The export products of an enterprise, by name.
pub async fn products_of<C: ConnectionTrait>(db: &C, enterprise_id: i32) -> anyhow::Result<Vec<ExportProduct>> {
    Ok(export_product::Entity::find()
        .filter(export_product::Column::EnterpriseId.eq(enterprise_id))
        .order_by_asc(export_product::Column::Product)
        .order_by_asc(export_product::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(product_from)
        .collect())
}

/// What a notice concerns: its HS codes and its notifying members (every member of a joint notification).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub hs_codes: Vec<String>,
    pub members: Vec<String>,
}

impl Target {
    fn is_empty(&self) -> bool {
        self.hs_codes.is_empty() || self.members.is_empty()
    }

    /// Ids of the products one of whose HS codes starts with one of the target's, or is the start of one (a
    /// product's code has at least 2 digits), and that list no market or ship to one of the members.
    fn products(&self) -> SelectStatement {
        let mut codes = Condition::any();
        for c in &self.hs_codes {
            // Digit strings from `c` to `c` padded with nines to 10 digits are exactly those starting with `c`: a
            // range the index on the code answers on both backends (a `LIKE` prefix needs special collations).
            let last = format!("{c}{}", "9".repeat(10usize.saturating_sub(c.len())));
            codes = codes.add(export_product_hs::Column::Code.between(c.clone(), last));
            let starts: Vec<String> = (2..c.len()).map(|n| c[..n].to_string()).collect();
            if !starts.is_empty() {
                codes = codes.add(export_product_hs::Column::Code.is_in(starts));
            }
        }
        let by_code = Query::select()
            .column(export_product_hs::Column::ProductId)
            .from(export_product_hs::Entity)
            .cond_where(codes)
            .to_owned();
        let any_market = Query::select()
            .column(export_product_market::Column::ProductId)
            .from(export_product_market::Entity)
            .to_owned();
        let to_members = Query::select()
            .column(export_product_market::Column::ProductId)
            .from(export_product_market::Entity)
            .and_where(export_product_market::Column::Member.is_in(self.members.clone()))
            .to_owned();
        Query::select()
            .column(export_product::Column::Id)
            .from(export_product::Entity)
            .cond_where(
                Condition::all()
                    .add(export_product::Column::Id.in_subquery(by_code))
                    .add(
                        Condition::any()
                            .add(export_product::Column::Id.not_in_subquery(any_market))
                            .add(export_product::Column::Id.in_subquery(to_members)),
                    ),
            )
            .to_owned()
    }

    /// Ids of the enterprises with a matching product.
    fn enterprises(&self) -> SelectStatement {
        Query::select()
            .column(export_product::Column::EnterpriseId)
            .from(export_product::Entity)
            .and_where(export_product::Column::Id.in_subquery(self.products()))
            .to_owned()
    }
}

/// How many enterprises a target concerns.
pub async fn enterprise_count<C: ConnectionTrait>(db: &C, t: &Target) -> anyhow::Result<u64> {
    if t.is_empty() {
        return Ok(0);
    }
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Id.in_subquery(t.enterprises()))
        .count(db)
        .await?)
}

/// Up to `limit` ids of the enterprises a target concerns, after `after`, in id order.
pub async fn enterprise_ids<C: ConnectionTrait>(
    db: &C,
    t: &Target,
    after: Option<i32>,
    limit: u64,
) -> anyhow::Result<Vec<i32>> {
    if t.is_empty() {
        return Ok(Vec::new());
    }
    let mut find = enterprise::Entity::find().filter(enterprise::Column::Id.in_subquery(t.enterprises()));
    if let Some(a) = after {
        find = find.filter(enterprise::Column::Id.gt(a));
    }
    Ok(find
        .select_only()
        .column(enterprise::Column::Id)
        .order_by_asc(enterprise::Column::Id)
        .limit(limit)
        .into_tuple::<i32>()
        .all(db)
        .await?)
}

/// The matching products of these enterprises, by enterprise.
pub async fn matching_products<C: ConnectionTrait>(
    db: &C,
    t: &Target,
    enterprise_ids: &[i32],
) -> anyhow::Result<HashMap<i32, Vec<ExportProduct>>> {
    let mut out: HashMap<i32, Vec<ExportProduct>> = HashMap::new();
    if t.is_empty() || enterprise_ids.is_empty() {
        return Ok(out);
    }
    let rows = export_product::Entity::find()
        .filter(export_product::Column::EnterpriseId.is_in(enterprise_ids.to_vec()))
        .filter(export_product::Column::Id.in_subquery(t.products()))
        .order_by_asc(export_product::Column::Product)
        .order_by_asc(export_product::Column::Id)
        .all(db)
        .await?;
    for r in rows {
        out.entry(r.enterprise_id).or_default().push(product_from(r));
    }
    Ok(out)
}

/// The zones the target's enterprises are members of on `day`, each with how many of them, by zone id.
pub async fn zone_counts<C: ConnectionTrait>(db: &C, t: &Target, day: NaiveDate) -> anyhow::Result<Vec<(i32, u64)>> {
    if t.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i32, i64)> = zone_membership::Entity::find()
        .filter(zone_membership::Column::EnterpriseId.in_subquery(t.enterprises()))
        .filter(zone_store::in_force_on(day))
        .select_only()
        .column(zone_membership::Column::ZoneId)
        .column_as(Expr::col(zone_membership::Column::EnterpriseId).count_distinct(), "n")
        .group_by(zone_membership::Column::ZoneId)
        .order_by_asc(zone_membership::Column::ZoneId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(z, n)| (z, n as u64)).collect())
}

/// How many of the target's enterprises are in each province, city and county (2-, 4- and 6-digit division
/// prefixes of their region codes), by code.
pub async fn region_counts<C: ConnectionTrait>(db: &C, t: &Target) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    if t.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Option<String>, i64)> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.in_subquery(t.enterprises()))
        .select_only()
        .column(enterprise::Column::RegionCode)
        .column_as(Expr::col(enterprise::Column::Id).count(), "n")
        .group_by(enterprise::Column::RegionCode)
        .into_tuple()
        .all(db)
        .await?;
    for (code, n) in rows {
        for p in region::prefixes(code.as_deref()) {
            *out.entry(p).or_insert(0) += n as u64;
        }
    }
    Ok(out)
}
