//! Storage of recalls: upsert by notifying country and reference, with each named company matched to an enterprise
//! only where the match is certain (its credit code, or exactly one enterprise of that Chinese name) and otherwise
//! given candidates (the same trade name 字号, in Chinese or in pinyin); the filtered listing; the recalls that
//! name an enterprise.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{recall, recall_change, recall_company};
use super::model::{CompanyData, CompanyRole, RecallData, RecallKind, RiskType};
use crate::catalog::enterprises::entity::enterprise;
use crate::catalog::enterprises::store::{Outcome, ensure_enterprise, json};
use crate::catalog::like;
use crate::catalog::paging::{self, Page, PageRequest};

pub const OUTBOX: &str = "recall";

/// How a named company was tied to enterprises.
pub mod basis {
    /// Its unified social credit code: certain.
    pub const CREDIT_CODE: &str = "CREDIT_CODE";
    /// The only enterprise of exactly this Chinese name (current or former): certain.
    pub const NAME: &str = "NAME";
    /// Several enterprises have this exact name: candidates.
    pub const SAME_NAME: &str = "SAME_NAME";
    /// Another Chinese name with the same trade name (字号): candidates.
    pub const TRADE_NAME: &str = "TRADE_NAME";
    /// A name in Latin letters that spells an enterprise's trade name in pinyin: candidates.
    pub const PINYIN: &str = "PINYIN";
}

/// A company as stored with its recall.
#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub role: CompanyRole,
    pub name: Option<String>,
    pub credit_code: Option<String>,
    /// The enterprise it certainly is.
    pub enterprise_id: Option<i32>,
    pub basis: Option<String>,
    /// Enterprises it may be (never confirmed).
    pub candidates: Vec<i32>,
}

/// A stored recall. `data.companies` is empty: the stored companies, with their matches, are in `companies`.
#[derive(Debug, Clone, PartialEq)]
pub struct Recall {
    pub id: i32,
    pub source: String,
    pub data: RecallData,
    pub companies: Vec<Company>,
}

/// `|a|b|`: every value between bars, so that a `LIKE '%|a|%'` (or `'%|95%'` for a prefix) finds it.
fn barred<S: AsRef<str>>(values: &[S]) -> String {
    if values.is_empty() {
        return String::new();
    }
    let mut s = String::from("|");
    for v in values {
        s.push_str(v.as_ref());
        s.push('|');
    }
    s
}

fn unbar(s: &str) -> Vec<String> {
    s.split('|').filter(|v| !v.is_empty()).map(String::from).collect()
}

fn recall_from(m: recall::Model, companies: Vec<Company>) -> Recall {
    Recall {
        id: m.id,
        source: m.source,
        data: RecallData {
            kind: RecallKind::parse(&m.kind).unwrap_or(RecallKind::Recall),
            reference: m.reference,
            country: m.country,
            country_raw: m.country_raw,
            authority: m.authority,
            notified_on: m.notified_on,
            category: m.category,
            product: m.product,
            name: m.name,
            brand: m.brand,
            model: m.model,
            batch: m.batch,
            barcodes: serde_json::from_str(&m.barcodes).unwrap_or_default(),
            hs_codes: unbar(&m.hs_codes),
            risk_types: unbar(&m.risk_types).iter().filter_map(|r| RiskType::parse(r)).collect(),
            risk_raw: m.risk_raw,
            risk_description: m.risk_description,
            measures: m.measures,
            origin: m.origin,
            origin_raw: m.origin_raw,
            port: m.port,
            reason: m.reason,
            units: m.units,
            description: m.description,
            links: serde_json::from_str(&m.links).unwrap_or_default(),
            companies: Vec::new(),
        },
        companies,
    }
}

fn company_from(m: recall_company::Model) -> Company {
    Company {
        role: CompanyRole::parse(&m.role).unwrap_or(CompanyRole::Other),
        name: m.name,
        credit_code: m.credit_code,
        enterprise_id: m.enterprise_id,
        basis: m.basis,
        candidates: unbar(&m.candidates).iter().filter_map(|i| i.parse().ok()).collect(),
    }
}

/// Places that start enterprise names without 省, 市 or 县 (`浙江百山笔业`, `宁波澜屿模具`): the provinces and the
/// cities and counties of the export zones, so that a place is not taken for a trade name.
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "内蒙古", "黑龙江", "浙江", "江苏", "广东", "福建", "山东", "上海", "北京", "天津", "重庆", "河北", "河南", "湖北",
    "湖南", "安徽", "江西", "四川", "辽宁", "吉林", "山西", "陕西", "甘肃", "青海", "云南", "贵州", "海南", "广西",
    "宁夏", "新疆", "西藏", "香港", "澳门", "台湾", "中国", "宁波", "宁海", "杭州", "温州", "台州", "绍兴", "金华",
    "嘉兴", "湖州", "丽水", "衢州", "舟山", "义乌", "永康", "庆元", "常山", "龙游", "慈溪", "余姚", "象山", "东莞",
    "深圳", "广州", "佛山", "中山", "汕头", "厦门", "泉州", "福州", "德化", "苏州", "无锡", "常州", "南通", "常熟",
    "青岛", "醴陵", "平湖", "武义", "南浔", "镇江", "江阴",
];

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The trade name (字号) of a Chinese enterprise name: the two characters after the places it starts with
/// (`宁波市海洋文具有限公司` → `海洋`, `宁海县兴华模具有限公司` → `兴华`).
pub fn trade_name(name: &str) -> Option<String> {
    let mut chars: Vec<char> = name.trim().chars().filter(|c| !c.is_whitespace()).collect();
    loop {
        let s: String = chars.iter().collect();
        if let Some(p) = PLACES
            .iter()
            .find(|p| s.starts_with(*p) && s.chars().count() > p.chars().count() + 2)
        {
            let mut n = p.chars().count();
            if matches!(chars.get(n), Some('省' | '市' | '县')) {
                n += 1;
            } else if s[p.len()..].starts_with("自治区") {
                n += 3;
            }
            chars.drain(..n);
            continue;
        }
        match chars
            .iter()
            .take(4)
            .skip(1)
            .position(|c| matches!(c, '省' | '市' | '县' | '区' | '镇'))
        {
            Some(i) => {
                chars.drain(..i + 2);
            }
            None => break,
        }
    }
    let t: String = chars.iter().take(2).collect();
    (t.chars().count() == 2 && t.chars().all(is_han)).then_some(t)
}

/// The pinyin of a trade name without tones or spaces (`海洋` → `haiyang`).
pub fn trade_name_pinyin(trade: &str) -> String {
    use pinyin::ToPinyin;
    trade.to_pinyin().flatten().map(|p| p.plain()).collect()
}

/// A name in Latin letters as one lower-case run of letters (`Ningbo Hai-Yang Co., Ltd.` → `ningbohaiyangcoltd`).
fn letters(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Ids of enterprises whose current name is `name`, else whose former names hold it.
async fn by_exact_name<C: ConnectionTrait>(db: &C, name: &str) -> Result<Vec<i32>, sea_orm::DbErr> {
    let ids: Vec<i32> = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .filter(enterprise::Column::Name.eq(name))
        .order_by(enterprise::Column::Id, Order::Asc)
        .into_tuple()
        .all(db)
        .await?;
    if !ids.is_empty() {
        return Ok(ids);
    }
    let quoted = serde_json::to_string(name).expect("a string serialises");
    enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .filter(like::contains(enterprise::Column::FormerNames, &quoted))
        .order_by(enterprise::Column::Id, Order::Asc)
        .into_tuple()
        .all(db)
        .await
}

/// Enterprises (id, name) whose name contains `text`, or every named enterprise when `text` is empty, in id order.
async fn names_containing<C: ConnectionTrait>(db: &C, text: &str) -> Result<Vec<(i32, String)>, sea_orm::DbErr> {
    let mut q = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .column(enterprise::Column::Name)
        .filter(enterprise::Column::Name.is_not_null());
    if !text.is_empty() {
        q = q.filter(like::contains(enterprise::Column::Name, text));
    }
    let rows: Vec<(i32, Option<String>)> = q
        .order_by(enterprise::Column::Id, Order::Asc)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(id, n)| Some((id, n?))).collect())
}

/// The enterprise a named company certainly is, or the candidates it may be, and on what basis.
pub async fn match_company<C: ConnectionTrait>(
    db: &C,
    c: &CompanyData,
) -> Result<(Option<i32>, Option<&'static str>, Vec<i32>), sea_orm::DbErr> {
    if let Some(code) = &c.credit_code {
        let han_name = c.name.as_deref().filter(|n| n.chars().any(is_han));
        let id = ensure_enterprise(db, code, han_name).await?;
        return Ok((Some(id), Some(basis::CREDIT_CODE), Vec::new()));
    }
    let Some(name) = c.name.as_deref() else {
        return Ok((None, None, Vec::new()));
    };
    if name.chars().any(is_han) {
        let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        let exact = by_exact_name(db, &compact).await?;
        match exact.len() {
            1 => return Ok((Some(exact[0]), Some(basis::NAME), Vec::new())),
            0 => {}
            _ => return Ok((None, Some(basis::SAME_NAME), exact)),
        }
        let Some(trade) = trade_name(&compact) else {
            return Ok((None, None, Vec::new()));
        };
        let found: Vec<i32> = names_containing(db, &trade)
            .await?
            .into_iter()
            .filter(|(_, n)| trade_name(n).as_deref() == Some(trade.as_str()))
            .map(|(id, _)| id)
            .collect();
        let b = (!found.is_empty()).then_some(basis::TRADE_NAME);
        return Ok((None, b, found));
    }
    let spelt = letters(name);
    // Importers, distributors and retailers named in Latin letters are the foreign side of the trade: no Chinese
    // enterprise is looked for.
    let foreign = matches!(
        c.role,
        CompanyRole::Importer | CompanyRole::Distributor | CompanyRole::Retailer
    );
    if spelt.len() < 4 || foreign {
        return Ok((None, None, Vec::new()));
    }
    // Each remaining name in Latin letters is compared with every enterprise's trade name (one read of the names).
    let found: Vec<i32> = names_containing(db, "")
        .await?
        .into_iter()
        .filter(|(_, n)| {
            trade_name(n)
                .map(|t| trade_name_pinyin(&t))
                .is_some_and(|p| p.len() >= 4 && spelt.contains(&p))
        })
        .map(|(id, _)| id)
        .collect();
    let b = (!found.is_empty()).then_some(basis::PINYIN);
    Ok((None, b, found))
}

/// Stores a recall (a new one, or the one of the same country and reference) and its companies with their matches;
/// queues it for search and for the watches.
pub async fn upsert<C: ConnectionTrait>(
    db: &C,
    d: &RecallData,
    source: &str,
) -> Result<(i32, Outcome), sea_orm::DbErr> {
    let key = d.natural_key();
    let existing = recall::Entity::find()
        .filter(recall::Column::NaturalKey.eq(key.clone()))
        .one(db)
        .await?;
    let now = Utc::now();
    let risks: Vec<&str> = d.risk_types.iter().map(|r| r.as_str()).collect();
    let mut am = recall::ActiveModel {
        id: NotSet,
        natural_key: Set(key),
        kind: Set(d.kind.as_str().into()),
        source: Set(source.into()),
        reference: Set(d.reference.clone()),
        country: Set(d.country.clone()),
        country_raw: Set(d.country_raw.clone()),
        authority: Set(d.authority.clone()),
        notified_on: Set(d.notified_on),
        category: Set(d.category.clone()),
        product: Set(d.product.clone()),
        name: Set(d.name.clone()),
        brand: Set(d.brand.clone()),
        model: Set(d.model.clone()),
        batch: Set(d.batch.clone()),
        barcodes: Set(json(&d.barcodes)),
        hs_codes: Set(barred(&d.hs_codes)),
        risk_types: Set(barred(&risks)),
        risk_raw: Set(d.risk_raw.clone()),
        risk_description: Set(d.risk_description.clone()),
        measures: Set(d.measures.clone()),
        origin: Set(d.origin.clone()),
        origin_raw: Set(d.origin_raw.clone()),
        port: Set(d.port.clone()),
        reason: Set(d.reason.clone()),
        units: Set(d.units.clone()),
        description: Set(d.description.clone()),
        links: Set(json(&d.links)),
        markets: Set(barred(&super::model::markets_of(&d.country))),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let (id, outcome) = match existing {
        Some(row) => {
            am.id = Set(row.id);
            am.created_at = NotSet;
            recall::Entity::update(am).exec(db).await?;
            (row.id, Outcome::Updated)
        }
        None => (
            recall::Entity::insert(am).exec(db).await?.last_insert_id,
            Outcome::Added,
        ),
    };
    recall_company::Entity::delete_many()
        .filter(recall_company::Column::RecallId.eq(id))
        .exec(db)
        .await?;
    let mut named = Vec::new();
    for (i, c) in d.companies.iter().enumerate() {
        let (enterprise_id, b, candidates) = match_company(db, c).await?;
        named.extend(enterprise_id);
        named.extend(candidates.iter().copied());
        recall_company::Entity::insert(recall_company::ActiveModel {
            id: NotSet,
            recall_id: Set(id),
            position: Set(i as i32),
            role: Set(c.role.as_str().into()),
            name: Set(c.name.clone()),
            credit_code: Set(c.credit_code.as_ref().map(|u| u.as_str().to_string())),
            enterprise_id: Set(enterprise_id),
            basis: Set(b.map(String::from)),
            candidates: Set(barred(&candidates.iter().map(i32::to_string).collect::<Vec<_>>())),
        })
        .exec(db)
        .await?;
    }
    crate::search::outbox::enqueue(db, OUTBOX, id).await?;
    recall_change::Entity::insert(recall_change::ActiveModel {
        id: NotSet,
        recall_id: Set(id),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok((id, outcome))
}

async fn companies_of_many<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> anyhow::Result<std::collections::HashMap<i32, Vec<Company>>> {
    let mut out: std::collections::HashMap<i32, Vec<Company>> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = recall_company::Entity::find()
            .filter(recall_company::Column::RecallId.is_in(chunk.iter().copied()))
            .order_by(recall_company::Column::RecallId, Order::Asc)
            .order_by(recall_company::Column::Position, Order::Asc)
            .all(db)
            .await?;
        for m in rows {
            out.entry(m.recall_id).or_default().push(company_from(m));
        }
    }
    Ok(out)
}

async fn with_companies<C: ConnectionTrait>(db: &C, rows: Vec<recall::Model>) -> anyhow::Result<Vec<Recall>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut companies = companies_of_many(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let c = companies.remove(&m.id).unwrap_or_default();
            recall_from(m, c)
        })
        .collect())
}

/// When each of these recalls was first stored.
pub async fn created_at<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> anyhow::Result<std::collections::HashMap<i32, chrono::DateTime<Utc>>> {
    let rows = paging::by_ids::<recall::Entity, C>(db, recall::Column::Id, ids, |m| m.id).await?;
    Ok(rows.into_iter().map(|m| (m.id, m.created_at)).collect())
}

/// Recalls by id, in the order of `ids`.
pub async fn recalls_by_ids<C: ConnectionTrait>(db: &C, ids: &[i32]) -> anyhow::Result<Vec<Recall>> {
    let rows = paging::by_ids::<recall::Entity, C>(db, recall::Column::Id, ids, |m| m.id).await?;
    with_companies(db, rows).await
}

/// The recall of a country's reference (`USA`, `24123`).
pub async fn recall_by_reference<C: ConnectionTrait>(
    db: &C,
    country: &str,
    reference: &str,
) -> anyhow::Result<Option<Recall>> {
    let row = recall::Entity::find()
        .filter(recall::Column::NaturalKey.eq(format!("{country}|{}", reference.trim())))
        .one(db)
        .await?;
    Ok(with_companies(db, row.into_iter().collect()).await?.into_iter().next())
}

/// What a listing of recalls is narrowed by (each list: any of its values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecallQuery {
    /// Notifying countries or markets (`DEU`, or `EU` for every member state's alerts).
    pub countries: Vec<String>,
    pub kinds: Vec<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// HS code prefixes, digits only.
    pub hs_prefixes: Vec<String>,
    pub risk_types: Vec<String>,
    pub origins: Vec<String>,
    /// Recalls naming this enterprise for certain.
    pub enterprise_id: Option<i32>,
    /// With `enterprise_id`: also those naming it as a candidate.
    pub with_candidates: bool,
}

/// Ids of the recalls naming an enterprise (for certain, or also as a candidate), as a subquery.
fn naming(enterprise_id: i32, with_candidates: bool) -> SelectStatement {
    let mut c = Condition::any().add(recall_company::Column::EnterpriseId.eq(enterprise_id));
    if with_candidates {
        c = c.add(like::contains(
            recall_company::Column::Candidates,
            &format!("|{enterprise_id}|"),
        ));
    }
    Query::select()
        .column(recall_company::Column::RecallId)
        .from(recall_company::Entity)
        .cond_where(c)
        .to_owned()
}

fn any_barred(col: recall::Column, values: &[String], whole: bool) -> Condition {
    let mut c = Condition::any();
    for v in values {
        let pattern = if whole { format!("|{v}|") } else { format!("|{v}") };
        c = c.add(like::contains(col, &pattern));
    }
    c
}

fn condition(q: &RecallQuery) -> Condition {
    use recall::Column as R;
    let mut c = Condition::all();
    if !q.countries.is_empty() {
        c = c.add(any_barred(R::Markets, &q.countries, true));
    }
    if !q.kinds.is_empty() {
        c = c.add(R::Kind.is_in(q.kinds.clone()));
    }
    if let Some(d) = q.from {
        c = c.add(R::NotifiedOn.gte(d));
    }
    if let Some(d) = q.to {
        c = c.add(R::NotifiedOn.lte(d));
    }
    if !q.hs_prefixes.is_empty() {
        c = c.add(any_barred(R::HsCodes, &q.hs_prefixes, false));
    }
    if !q.risk_types.is_empty() {
        c = c.add(any_barred(R::RiskTypes, &q.risk_types, true));
    }
    if !q.origins.is_empty() {
        c = c.add(R::Origin.is_in(q.origins.clone()));
    }
    if let Some(e) = q.enterprise_id {
        c = c.add(R::Id.in_subquery(naming(e, q.with_candidates)));
    }
    c
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// By the notification date, then id.
    NotifiedOn,
    /// By id: the order they were imported in.
    Imported,
}

/// One page of recalls.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    q: &RecallQuery,
    sort: Sort,
    p: &PageRequest,
) -> anyhow::Result<Page<Recall>> {
    let col = match sort {
        Sort::NotifiedOn => recall::Column::NotifiedOn,
        Sort::Imported => recall::Column::Id,
    };
    let page = paging::page::<recall::Entity, C>(db, condition(q), col, recall::Column::Id, p).await?;
    let rows = with_companies(db, page.rows).await?;
    Ok(Page {
        rows,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

pub async fn count<C: ConnectionTrait>(db: &C, q: &RecallQuery) -> anyhow::Result<u64> {
    Ok(recall::Entity::find().filter(condition(q)).count(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trade_names_of_enterprise_names() {
        assert_eq!(trade_name("宁波市海洋文具有限公司").as_deref(), Some("海洋"));
        assert_eq!(trade_name("宁海县兴华模具有限公司").as_deref(), Some("兴华"));
        assert_eq!(trade_name("浙江百山笔业有限公司").as_deref(), Some("百山"));
        assert_eq!(trade_name("浙江省宁波市海洋文具有限公司").as_deref(), Some("海洋"));
        assert_eq!(trade_name("东莞市乐启玩具有限公司").as_deref(), Some("乐启"));
        assert_eq!(trade_name("宁波澜屿模具科技有限公司").as_deref(), Some("澜屿"));
        assert_eq!(trade_name("福建省德化瓷韵陶瓷有限公司").as_deref(), Some("瓷韵"));
        assert_eq!(trade_name("德化县白瓷坊工艺品有限公司").as_deref(), Some("白瓷"));
        assert_eq!(trade_name("明辉灯饰").as_deref(), Some("明辉"));
        assert_eq!(trade_name("ABC"), None);
        assert_eq!(trade_name_pinyin("海洋"), "haiyang");
        assert_eq!(letters("Ningbo Hai-Yang Co., Ltd."), "ningbohaiyangcoltd");
    }

    #[test]
    fn barred_values() {
        assert_eq!(barred(&["950300", "392690"]), "|950300|392690|");
        assert_eq!(barred::<&str>(&[]), "");
        assert_eq!(unbar("|A|B|"), vec!["A", "B"]);
    }
}
