//! Reading declarations from sheets with the Chinese headers of the enterprise standards platform (企业标准信息公共
//! 服务平台): 统一社会信用代码, 企业名称, 标准编号 (or 执行标准), 标准名称, 产品/服务名称, 声明时间 (or 公开时间),
//! 状态, 废止时间, 声明编号, and the key indicators one a row: 指标名称, 指标值, 单位, 检验方法. A declaration with
//! several indicators takes several rows: the rows after its first either repeat its credit code and number or
//! leave both empty (merged cells in Excel read so).

use super::model::{DeclarationRecord, IndicatorRecord, split_products};
use crate::catalog::enterprises::import::{CODE, NAME, has_any};
use crate::catalog::standards::number::StandardNumber;
use crate::catalog::table::Table;

const NUMBER: &[&str] = &["标准编号", "执行标准编号", "执行标准", "标准代号"];
const STANDARD_NAME: &[&str] = &["标准名称", "执行标准名称"];
const PRODUCTS: &[&str] = &[
    "产品/服务名称",
    "产品(服务)名称",
    "产品和服务名称",
    "产品名称",
    "服务名称",
];
const DECLARED: &[&str] = &["声明时间", "声明日期", "公开时间", "公开日期", "发布时间"];
const STATUS: &[&str] = &["状态", "声明状态", "公开状态"];
const WITHDRAWN: &[&str] = &["废止时间", "废止日期"];
const SOURCE: &[&str] = &["声明编号", "记录编号", "平台编号", "公开编号"];
const INDICATOR: &[&str] = &["指标名称", "核心指标", "技术指标名称"];
const VALUE: &[&str] = &["指标值", "指标要求", "企业标准指标值"];
const UNIT: &[&str] = &["单位", "计量单位", "指标单位"];
const METHOD: &[&str] = &["检验方法", "试验方法", "检测方法"];

/// Whether the sheet lists declarations: a credit code, a standard number and a product or declaration-date column.
pub fn is_declaration_sheet(t: &Table) -> bool {
    has_any(t, CODE) && has_any(t, NUMBER) && (has_any(t, PRODUCTS) || has_any(t, DECLARED))
}

/// The key that tells whether two rows belong to one declaration: the credit code and the number's edition.
fn row_key(code: &str, number: &str) -> String {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let number = StandardNumber::parse(number)
        .map(|n| n.edition())
        .unwrap_or_else(|_| number.trim().to_string());
    format!("{code} {number}")
}

/// Rows of a declaration sheet as the records of the JSON Lines import, each at the line of its first row.
pub fn read_declarations(t: &Table) -> Vec<(usize, Result<DeclarationRecord, String>)> {
    let mut out: Vec<(usize, Result<DeclarationRecord, String>)> = Vec::new();
    // The key of the last declaration read, and where it is in `out`.
    let mut last: Option<(String, usize)> = None;
    for (line, row) in &t.rows {
        let get = |names: &[&str]| t.get(row, names, false);
        let code = get(CODE);
        let number = get(NUMBER);
        let indicator = get(INDICATOR).map(|name| IndicatorRecord {
            name: Some(name),
            value: get(VALUE),
            unit: get(UNIT),
            method: get(METHOD),
        });
        let key = match (&code, &number) {
            (Some(c), Some(n)) => Some(row_key(c, n)),
            _ => None,
        };
        let continues = match (&code, &number, &last) {
            (None, None, Some(_)) => indicator.is_some(),
            (_, _, Some((k, _))) => key.as_ref() == Some(k),
            _ => false,
        };
        if continues && let Some((_, at)) = &last {
            // `last` only ever points at a record read whole (it had a code and a number).
            if let (Ok(r), Some(i)) = (&mut out[*at].1, indicator) {
                r.indicators.push(i);
            }
            continue;
        }
        let record = match (code, number) {
            (None, _) => Err("统一社会信用代码: empty".to_string()),
            (Some(_), None) => Err("标准编号: empty".to_string()),
            (Some(code), Some(number)) => Ok(DeclarationRecord {
                record_type: None,
                credit_code: code,
                enterprise_name: get(NAME),
                standard_number: Some(number),
                standard_name: get(STANDARD_NAME),
                products: get(PRODUCTS).map(|p| split_products(&p)).unwrap_or_default(),
                indicators: indicator.into_iter().collect(),
                declared_on: t.get(row, DECLARED, true),
                status: get(STATUS),
                withdrawn_on: t.get(row, WITHDRAWN, true),
                source_id: get(SOURCE),
            }),
        };
        last = key.map(|k| (k, out.len()));
        out.push((*line, record));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::table::header_key;
    use calamine::Data;

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            columns: header.iter().enumerate().map(|(i, h)| (header_key(h), i)).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let cells = r
                        .iter()
                        .map(|c| {
                            if c.is_empty() {
                                Data::Empty
                            } else {
                                Data::String(c.to_string())
                            }
                        })
                        .collect();
                    (i + 2, cells)
                })
                .collect(),
            encoding: None,
        }
    }

    const HEADER: &[&str] = &[
        "统一社会信用代码",
        "标准编号",
        "产品（服务）名称",
        "声明时间",
        "指标名称",
        "指标值",
        "单位",
    ];

    #[test]
    fn indicator_rows_join_their_declaration() {
        let t = table(
            HEADER,
            &[
                &[
                    "91330226573218648K",
                    "Q／NHHY 001—2024",
                    "中性笔、按动中性笔",
                    "2024-06-05",
                    "书写长度",
                    "≥500",
                    "m",
                ],
                &["", "", "", "", "笔尖跳动量", "≤0.04", "mm"],
                &[
                    "91330226573218648k",
                    "Q/NHHY001-2024",
                    "",
                    "",
                    "墨水pH值",
                    "6.0~8.0",
                    "",
                ],
                &["91330226573218648K", "", "水彩笔", "2024-06-05", "", "", ""],
                &["", "", "", "", "色差", "≤2", ""],
                &[
                    "913302266884021700",
                    "Q/NHXH 003-2022",
                    "模架",
                    "2022-09-01",
                    "",
                    "",
                    "",
                ],
            ],
        );
        assert!(is_declaration_sheet(&t));
        let rows = read_declarations(&t);
        let lines: Vec<usize> = rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 5, 6, 7]);
        let first = rows[0].1.as_ref().unwrap();
        assert_eq!(first.products, vec!["中性笔", "按动中性笔"]);
        let names: Vec<&str> = first.indicators.iter().map(|i| i.name.as_deref().unwrap()).collect();
        assert_eq!(names, vec!["书写长度", "笔尖跳动量", "墨水pH值"]);
        assert_eq!(first.indicators[2].unit, None);
        assert_eq!(rows[1].1.as_ref().unwrap_err(), "标准编号: empty");
        // An indicator row after a row that did not load has no declaration to join.
        assert_eq!(rows[2].1.as_ref().unwrap_err(), "统一社会信用代码: empty");
        assert!(rows[3].1.as_ref().unwrap().indicators.is_empty());
    }

    #[test]
    fn a_standards_list_is_not_a_declaration_sheet() {
        assert!(!is_declaration_sheet(&table(
            &["标准编号", "标准名称", "发布日期"],
            &[]
        )));
        assert!(!is_declaration_sheet(&table(
            &["统一社会信用代码", "企业名称", "产品名称"],
            &[]
        )));
    }
}
