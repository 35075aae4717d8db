//! Administrative divisions: GB/T 2260 codes and names, loaded by `zhiliang import` (the product ships no copy),
//! and the `Region` a division code stands for.

use async_graphql::SimpleObject;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

pub mod division {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "division")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name: String,
        pub parent_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One `{"type": "division", "code": "330226", "name": "宁海县", "parentCode": "3302"}` record.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DivisionRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DivisionData {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

fn digits(field: &str, v: &str) -> Result<String, String> {
    let t = v.trim();
    if (2..=12).contains(&t.len()) && t.len().is_multiple_of(2) && t.chars().all(|c| c.is_ascii_digit()) {
        Ok(t.to_string())
    } else {
        Err(format!("{field}: {t:?} is not a division code (2, 4, 6, ... digits)"))
    }
}

impl DivisionRecord {
    pub fn validate(self) -> Result<DivisionData, String> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err("name: required".into());
        }
        Ok(DivisionData {
            code: digits("code", &self.code)?,
            name,
            parent_code: match self.parent_code.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                Some(p) => Some(digits("parentCode", p)?),
                None => None,
            },
        })
    }
}

/// Inserts or renames a division; `true` when it was new.
pub async fn upsert<C: ConnectionTrait>(db: &C, d: &DivisionData) -> Result<bool, sea_orm::DbErr> {
    let am = division::ActiveModel {
        code: Set(d.code.clone()),
        name: Set(d.name.clone()),
        parent_code: Set(d.parent_code.clone()),
    };
    if division::Entity::find_by_id(d.code.clone()).one(db).await?.is_some() {
        division::Entity::update(am).exec(db).await?;
        Ok(false)
    } else {
        division::Entity::insert(am).exec_without_returning(db).await?;
        Ok(true)
    }
}

/// The place a division code names, with the names of its province, city and county when the catalogue has them.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct Region {
    pub code: String,
    /// The division's own name (`宁海县`).
    pub name: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    /// Province, city and county joined (`浙江省宁波市宁海县`); `市辖区` is left out.
    pub full_name: Option<String>,
}

/// The prefixes of a division code that name its province, city and county.
fn prefixes(code: &str) -> Vec<String> {
    [2, 4, 6]
        .iter()
        .filter(|&&n| code.len() >= n && code.is_char_boundary(n))
        .map(|&n| code[..n].to_string())
        .collect()
}

/// Resolves a division code to names; codes of 2, 4 or 6 digits (or more, read to 6).
pub async fn region<C: ConnectionTrait>(db: &C, code: &str) -> Result<Region, sea_orm::DbErr> {
    let mut all = regions(db, &[code.to_string()]).await?;
    Ok(all.remove(code).unwrap_or_else(|| assemble(code, &[])))
}

/// Resolves many division codes with one query (`region` for each).
pub async fn regions<C: ConnectionTrait>(
    db: &C,
    codes: &[String],
) -> Result<std::collections::HashMap<String, Region>, sea_orm::DbErr> {
    let mut wanted: Vec<String> = codes.iter().flat_map(|c| prefixes(c)).collect();
    wanted.sort();
    wanted.dedup();
    let rows = if wanted.is_empty() {
        Vec::new()
    } else {
        division::Entity::find()
            .filter(division::Column::Code.is_in(wanted))
            .all(db)
            .await?
    };
    Ok(codes.iter().map(|c| (c.clone(), assemble(c, &rows))).collect())
}

/// The region of `code` from the division rows at hand.
fn assemble(code: &str, rows: &[division::Model]) -> Region {
    let prefixes = prefixes(code);
    let name_of = |n: usize| -> Option<String> {
        let p = prefixes.iter().find(|p| p.len() == n)?;
        rows.iter().find(|r| &r.code == p).map(|r| r.name.clone())
    };
    let (province, city, county) = (name_of(2), name_of(4), name_of(6));
    let full_name: String = [&province, &city, &county]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .filter(|p| *p != "市辖区" && *p != "县")
        .collect();
    let own = prefixes
        .last()
        .and_then(|p| rows.iter().find(|r| &r.code == p))
        .map(|r| r.name.clone());
    Region {
        code: code.to_string(),
        name: own,
        province,
        city,
        county,
        full_name: (!full_name.is_empty()).then_some(full_name),
    }
}
