//! Reading export products from sheets with Chinese headers: 统一社会信用代码, 产品名称, HS编码, 出口市场 (one
//! product a row; several HS codes or markets in a cell separated by 、，, ; /, markets also by spaces).

use super::model::{ExportProductRecord, split_cell};
use crate::catalog::enterprises::import::{CODE, has_any, read_by_code};
use crate::catalog::table::Table;

const PRODUCT: &[&str] = &["产品名称", "出口产品"];
const HS: &[&str] = &["HS编码", "HS code", "商品编码"];
const MARKETS: &[&str] = &["出口市场", "出口国家（地区）", "出口国家"];

/// Whether a sheet lists export products: a credit code, a product name and HS codes.
pub fn is_export_sheet(t: &Table) -> bool {
    has_any(t, CODE) && has_any(t, PRODUCT) && has_any(t, HS)
}

pub fn read_export_products(t: &Table) -> Vec<(usize, Result<ExportProductRecord, String>)> {
    read_by_code(t, |code, get| ExportProductRecord {
        credit_code: code,
        product: get(PRODUCT),
        hs_codes: get(HS).map(|c| split_cell(&c, false)).unwrap_or_default(),
        markets: get(MARKETS).map(|c| split_cell(&c, true)).unwrap_or_default(),
        ..Default::default()
    })
}
