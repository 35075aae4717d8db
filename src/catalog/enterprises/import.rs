//! Reading enterprises from sheets with the Chinese column headers of the public lists (统一社会信用代码, 企业名称,
//! 注册号, 住所, 行业, 主要产品, ...); the credit-list sheets are read in `listings/import.rs`.

use super::model::EnterpriseRecord;
use crate::catalog::listings::import::credit_list_of;
use crate::catalog::table::Table;

pub(crate) const CODE: &[&str] = &["统一社会信用代码", "统一社会信用代码/注册号", "信用代码"];
pub(crate) const NAME: &[&str] = &["企业名称", "市场主体名称", "名称", "当事人名称"];
const REGISTRATION: &[&str] = &["注册号"];
const ADDRESS: &[&str] = &["住所", "地址", "经营场所"];
const INDUSTRY: &[&str] = &["行业", "所属行业"];
const PRODUCTS: &[&str] = &["主要产品"];
const REGION: &[&str] = &["行政区划代码", "区划代码"];

/// Whether the sheet has any of these columns.
pub(crate) fn has_any(t: &Table, names: &[&str]) -> bool {
    names.iter().any(|n| t.has(n))
}

/// Whether a sheet lists enterprises (a credit code and a name, and no list columns).
pub fn is_enterprise_sheet(t: &Table) -> bool {
    has_any(t, CODE) && has_any(t, NAME) && credit_list_of(t).is_none()
}

/// The cells of one sheet row, looked up by any of a column's names.
pub(crate) type Cells<'a> = dyn Fn(&[&str]) -> Option<String> + 'a;

/// Each row of a sheet keyed by credit code, made a record by `read(code, cells)`; a row without a code is refused.
pub(crate) fn read_by_code<R>(t: &Table, read: impl Fn(String, &Cells) -> R) -> Vec<(usize, Result<R, String>)> {
    t.rows
        .iter()
        .map(|(line, row)| {
            let get = |names: &[&str]| t.get(row, names, false);
            match get(CODE) {
                None => (*line, Err("统一社会信用代码: empty".to_string())),
                Some(code) => (*line, Ok(read(code, &get))),
            }
        })
        .collect()
}

pub fn read_enterprises(t: &Table) -> Vec<(usize, Result<EnterpriseRecord, String>)> {
    read_by_code(t, |code, get| EnterpriseRecord {
        credit_code: code,
        name: get(NAME),
        registration_number: get(REGISTRATION),
        address: get(ADDRESS),
        industry: get(INDUSTRY),
        region_code: get(REGION),
        main_products: get(PRODUCTS)
            .map(|p| {
                p.split(['、', ',', '，', ';', '；'])
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    })
}
