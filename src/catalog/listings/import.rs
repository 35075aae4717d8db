//! Reading credit entries from sheets with the Chinese column headers of the public lists (统一社会信用代码,
//! 企业名称, 列入经营异常名录原因, 列入日期, 作出决定机关, 移出原因, 移出日期, ...).

use super::credit::CreditList;
use super::model::ListingRecord;
use crate::catalog::enterprises::import::{CODE, NAME, has_any};
use crate::catalog::table::Table;

/// One kind of list sheet: the columns whose presence names the list, and those of its fields.
struct ListColumns {
    list: CreditList,
    reason: &'static [&'static str],
    listed: &'static [&'static str],
}

const LISTS: &[ListColumns] = &[
    ListColumns {
        list: CreditList::AbnormalOperations,
        reason: &["列入经营异常名录原因", "列入原因"],
        listed: &["列入日期", "列入经营异常名录日期"],
    },
    ListColumns {
        list: CreditList::SeriousDishonest,
        reason: &["列入严重违法失信名单原因", "列入严重违法失信企业名单原因"],
        listed: &["列入日期", "列入严重违法失信名单日期"],
    },
    ListColumns {
        list: CreditList::AdministrativePenalty,
        reason: &["违法行为类型", "处罚事由", "行政处罚内容"],
        listed: &["处罚决定日期", "决定日期"],
    },
];
const AUTHORITY: &[&str] = &["作出决定机关", "列入决定机关", "处罚机关"];
const DOCUMENT: &[&str] = &["决定书文号", "行政处罚决定书文号", "列入决定书文号"];
const REMOVAL_REASON: &[&str] = &["移出原因", "移出经营异常名录原因", "移出严重违法失信名单原因"];
const REMOVED: &[&str] = &["移出日期"];
const REMOVAL_AUTHORITY: &[&str] = &["移出决定机关", "移出作出决定机关"];
/// A sheet of several lists names each row's list (as zhiliang's exports do).
const LIST: &[&str] = &["名单", "名单类型"];
const GRADE: &[&str] = &["信用等级"];

/// The list a sheet holds, if it is a credit-list sheet.
pub fn credit_list_of(t: &Table) -> Option<CreditList> {
    if !has_any(t, CODE) {
        return None;
    }
    // The most specific reason column decides (列入原因 alone means the abnormal-operations list).
    LISTS
        .iter()
        .find(|l| t.has(l.reason[0]))
        .or_else(|| LISTS.iter().find(|l| has_any(t, l.reason)))
        .map(|l| l.list)
}

pub fn read_credit_entries(t: &Table, list: CreditList) -> Vec<(usize, Result<ListingRecord, String>)> {
    let cols = LISTS.iter().find(|l| l.list == list).expect("a known list");
    t.rows
        .iter()
        .map(|(line, row)| {
            let get = |names: &[&str], date: bool| t.get(row, names, date);
            let record = ListingRecord {
                credit_code: get(CODE, false),
                enterprise_name: get(NAME, false),
                list: get(LIST, false).or_else(|| Some(list.as_str().to_string())),
                reason: get(cols.reason, false),
                listed_on: get(cols.listed, true),
                authority: get(AUTHORITY, false),
                document_number: get(DOCUMENT, false),
                removed_on: get(REMOVED, true),
                removal_reason: get(REMOVAL_REASON, false),
                removal_authority: get(REMOVAL_AUTHORITY, false),
                grade: get(GRADE, false),
                ..Default::default()
            };
            (*line, Ok(record))
        })
        .collect()
}

/// The columns of brand and title sheets, as zhiliang's exports write them (`/exports/brands.csv`, ...).
const BRAND_SCHEME: &[&str] = &["品牌类别"];
const TITLE_SCHEME: &[&str] = &["称号类别"];
const REGION: &[&str] = &["行政区划代码"];

/// Whether a sheet lists brands (a 品牌类别 column) or titles (称号类别).
pub fn award_kind_of(t: &Table) -> Option<super::model::ListingKind> {
    if has_any(t, BRAND_SCHEME) {
        Some(super::model::ListingKind::Brand)
    } else if has_any(t, TITLE_SCHEME) {
        Some(super::model::ListingKind::Title)
    } else {
        None
    }
}

/// Rows of a brand or title sheet as the records of the JSON Lines import (validated the same way). Several
/// values in a cell (the enterprises authorised to use a geographical indication) are separated by 、 or commas.
pub fn read_awards(t: &Table, kind: super::model::ListingKind) -> Vec<(usize, Result<ListingRecord, String>)> {
    use super::model::ListingKind;
    t.rows
        .iter()
        .map(|(line, row)| {
            let get = |names: &[&str], date: bool| t.get(row, names, date);
            let brand = kind == ListingKind::Brand;
            let record = ListingRecord {
                credit_code: get(CODE, false),
                enterprise_name: get(NAME, false),
                region_code: if brand { None } else { get(REGION, false) },
                scheme: get(if brand { BRAND_SCHEME } else { TITLE_SCHEME }, false),
                name: get(if brand { &["品牌名称"] } else { &["称号名称"] }, false),
                product: if brand { get(&["产品"], false) } else { None },
                level: get(&["级别"], false),
                issuer: get(&["发布机关"], false),
                certifier: if brand { get(&["认证机构"], false) } else { None },
                certificate_number: if brand { get(&["证书编号"], false) } else { None },
                standard_number: if brand { get(&["依据标准"], false) } else { None },
                batch: if brand { get(&["批次"], false) } else { None },
                edition: if brand { None } else { get(&["届次"], false) },
                announcement_number: get(&["公告文号"], false),
                awarded_on: get(&["认定日期", "授予日期"], true),
                valid_until: get(&["有效期至"], true),
                revoked_on: get(&["撤销日期"], true),
                authorized_users: get(&["授权使用企业"], false)
                    .map(|c| {
                        c.split(['、', ',', '，', ';', '；'])
                            .map(|x| x.trim().to_string())
                            .filter(|x| !x.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                ..Default::default()
            };
            (*line, Ok(record))
        })
        .collect()
}
