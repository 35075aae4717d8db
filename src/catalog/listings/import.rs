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
                list: Some(list.as_str().to_string()),
                reason: get(cols.reason, false),
                listed_on: get(cols.listed, true),
                authority: get(AUTHORITY, false),
                document_number: get(DOCUMENT, false),
                removed_on: get(REMOVED, true),
                removal_reason: get(REMOVAL_REASON, false),
                removal_authority: get(REMOVAL_AUTHORITY, false),
                ..Default::default()
            };
            (*line, Ok(record))
        })
        .collect()
}
