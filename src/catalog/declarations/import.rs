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
            let at = *at;
            let first_line = out[at].0;
            match (&mut out[at].1, indicator) {
                (Ok(r), Some(i)) => r.indicators.push(i),
                (Ok(_), None) => {}
                (Err(_), _) => out.push((
                    *line,
                    Err(format!(
                        "an indicator row of the declaration on line {first_line}, which did not load"
                    )),
                )),
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
