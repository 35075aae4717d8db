//! Reading standards from sheets with the Chinese column headers of the national standards platform.

use super::model::{AdoptionRecord, DraftingOrganization, ReplacementRecord, StandardRecord};
use crate::catalog::table::Table;

const NUMBER: &[&str] = &["标准号", "标准编号"];
const TITLE_ZH: &[&str] = &["中文标准名称", "标准名称", "标准中文名称"];
const TITLE_EN: &[&str] = &["英文标准名称", "标准英文名称"];
const NATURE: &[&str] = &["标准性质"];
const STATUS: &[&str] = &["标准状态", "状态"];
const ISSUED: &[&str] = &["发布日期"];
const IMPLEMENTED: &[&str] = &["实施日期"];
const WITHDRAWN: &[&str] = &["废止日期"];
const REPLACES: &[&str] = &["代替标准", "代替"];
const CCS: &[&str] = &["中国标准分类号", "ccs"];
const ICS: &[&str] = &["国际标准分类号", "ics"];
const COMMITTEE: &[&str] = &["归口单位", "技术归口", "归口"];
const DEPARTMENT: &[&str] = &["主管部门"];
const DRAFTERS_ORG: &[&str] = &["起草单位"];
const DRAFTERS: &[&str] = &["起草人"];
const ADOPTION: &[&str] = &["采标情况", "采用国际标准"];

/// Whether a sheet holds standards (it has a 标准号 column).
pub fn is_standards(table: &Table) -> bool {
    NUMBER.iter().any(|n| table.has(n))
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', '，', ';', '；', '、', '\n'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// `部分代替GB 6675-2003`, `GB 6675-2003(部分)`, `GB/T 19001-2008`: the numbers and their scope.
pub fn parse_replaces(cell: &str) -> Vec<ReplacementRecord> {
    split_list(cell)
        .into_iter()
        .map(|part| {
            let partial = part.contains("部分");
            let number = part
                .replace("部分代替", "")
                .replace("全部代替", "")
                .replace("代替", "")
                .replace(['(', ')', '（', '）'], " ")
                .replace("部分", "")
                .replace("全部", "");
            ReplacementRecord {
                number: number.trim().to_string(),
                scope: Some(if partial { "PARTIAL" } else { "WHOLE" }.to_string()),
            }
        })
        .collect()
}

/// `IDT ISO 9001:2015`, `ISO 9001:2015, IDT`, `等同采用 ISO 9001:2015`: degree and number.
pub fn parse_adoption(cell: &str) -> Option<AdoptionRecord> {
    let upper = cell.to_ascii_uppercase();
    let degree = if upper.contains("IDT") || cell.contains("等同") {
        "IDT"
    } else if upper.contains("MOD") || cell.contains("修改") {
        "MOD"
    } else if upper.contains("NEQ") || cell.contains("非等效") {
        "NEQ"
    } else {
        return None;
    };
    let number = upper
        .replace("IDT", " ")
        .replace("MOD", " ")
        .replace("NEQ", " ")
        .replace(['(', ')', ',', '，', '（', '）'], " ")
        .replace("等同采用", " ")
        .replace("修改采用", " ")
        .replace("非等效采用", " ")
        .replace("非等效", " ")
        .replace("等同", " ")
        .replace("修改", " ");
    let number = number.split_whitespace().collect::<Vec<_>>().join(" ");
    (!number.is_empty()).then(|| AdoptionRecord {
        degree: degree.into(),
        number,
    })
}

/// Rows of a standards sheet with their line numbers.
pub fn read_standards(table: &Table) -> Vec<(usize, Result<StandardRecord, String>)> {
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let get = |names: &[&str], date: bool| table.get(row, names, date);
        let Some(number) = get(NUMBER, false) else {
            out.push((*line, Err("标准号: empty".to_string())));
            continue;
        };
        let adoption_text = get(ADOPTION, false);
        let adoption = adoption_text.as_deref().and_then(parse_adoption);
        if let (Some(t), None) = (&adoption_text, &adoption)
            && !t.trim().is_empty()
            && t.trim() != "无"
        {
            out.push((*line, Err(format!("采标情况: {t:?} names no degree (IDT, MOD, NEQ)"))));
            continue;
        }
        let record = StandardRecord {
            number,
            title_zh: get(TITLE_ZH, false),
            title_en: get(TITLE_EN, false),
            nature: get(NATURE, false),
            status_label: get(STATUS, false),
            issue_date: get(ISSUED, true),
            implementation_date: get(IMPLEMENTED, true),
            withdrawal_date: get(WITHDRAWN, true),
            replaces: get(REPLACES, false).map(|c| parse_replaces(&c)).unwrap_or_default(),
            adoption,
            ics_codes: get(ICS, false).map(|c| split_list(&c)).unwrap_or_default(),
            ccs_code: get(CCS, false),
            committee_name: get(COMMITTEE, false),
            department: get(DEPARTMENT, false),
            drafting_organizations: get(DRAFTERS_ORG, false)
                .map(|c| {
                    split_list(&c)
                        .into_iter()
                        .map(|name| DraftingOrganization {
                            name,
                            credit_code: None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            drafters: get(DRAFTERS, false).map(|c| split_list(&c)).unwrap_or_default(),
            ..Default::default()
        };
        out.push((*line, Ok(record)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_cells() {
        let r = parse_replaces("部分代替GB 6675-2003");
        assert_eq!(r[0].number, "GB 6675-2003");
        assert_eq!(r[0].scope.as_deref(), Some("PARTIAL"));
        let r = parse_replaces("GB/T 19001-2008，GB/T 19002-2008");
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].scope.as_deref(), Some("WHOLE"));
        let r = parse_replaces("GB 4806.6-2016(部分)");
        assert_eq!(
            (r[0].number.as_str(), r[0].scope.as_deref()),
            ("GB 4806.6-2016", Some("PARTIAL"))
        );
    }

    #[test]
    fn adoption_cells() {
        let a = parse_adoption("ISO 9001:2015, IDT").unwrap();
        assert_eq!((a.degree.as_str(), a.number.as_str()), ("IDT", "ISO 9001:2015"));
        let a = parse_adoption("MOD ISO 8124-1:2009").unwrap();
        assert_eq!((a.degree.as_str(), a.number.as_str()), ("MOD", "ISO 8124-1:2009"));
        assert!(parse_adoption("无").is_none());
    }
}
