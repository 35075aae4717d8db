//! Export products: the import record, its validation, and the readers of HS codes and markets in any written
//! form (`9503.00.10`, `95 03`, full-width digits; `USA`, `美国`, `United States`).

use serde::Deserialize;

use crate::catalog::codes::{clean, fold_width, normalise_hs};
use crate::catalog::enterprises::model::import_code;
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::notices::members::code_for;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportProductRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub credit_code: String,
    pub product: Option<String>,
    #[serde(default)]
    pub hs_codes: Vec<String>,
    #[serde(default)]
    pub markets: Vec<String>,
}

/// A validated export product: HS codes as digits only, markets as WTO member codes, each once, in record order.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProductData {
    pub credit_code: Uscc,
    pub product: String,
    pub hs_codes: Vec<String>,
    pub markets: Vec<String>,
}

/// An HS code as written on a sheet or in a record: full-width forms folded, dots and spaces dropped, 2 to 10
/// digits with leading zeros kept.
pub fn hs_code(s: &str) -> Result<String, String> {
    let folded: String = fold_width(s).chars().filter(|c| !c.is_whitespace()).collect();
    normalise_hs(&folded).ok_or_else(|| format!("hsCodes: {:?} is not an HS code (2 to 10 digits)", s.trim()))
}

/// A market: a WTO member code (`USA`, `EU`) or the member's Chinese or English name (`美国`, `欧盟`).
pub fn market(s: &str) -> Result<String, String> {
    code_for(&fold_width(s)).ok_or_else(|| {
        format!(
            "markets: {:?} is not a WTO member (give a code such as USA or EU, or the member's Chinese or English name)",
            s.trim()
        )
    })
}

/// The items of a sheet cell listing several values, separated by 、，, ; / (and by spaces when `spaces`).
pub fn split_cell(cell: &str, spaces: bool) -> Vec<String> {
    cell.split(|c: char| matches!(c, '、' | '，' | ',' | ';' | '；' | '/' | '\n') || (spaces && c.is_whitespace()))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn once(mut v: Vec<String>, item: String) -> Vec<String> {
    if !v.contains(&item) {
        v.push(item);
    }
    v
}

impl ExportProductRecord {
    pub fn validate(self) -> Result<ExportProductData, String> {
        let credit_code = import_code("creditCode", &self.credit_code)?;
        let product = clean(self.product).ok_or("product: required")?;
        let mut hs_codes = Vec::new();
        for h in &self.hs_codes {
            hs_codes = once(hs_codes, hs_code(h)?);
        }
        if hs_codes.is_empty() {
            return Err("hsCodes: at least one HS code is required".into());
        }
        let mut markets = Vec::new();
        for m in self.markets.iter().filter(|m| !m.trim().is_empty()) {
            markets = once(markets, market(m)?);
        }
        Ok(ExportProductData {
            credit_code,
            product,
            hs_codes,
            markets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_codes_in_any_written_form() {
        for s in ["9503", "95 03", "９５０３", "95.03"] {
            assert_eq!(hs_code(s).as_deref(), Ok("9503"), "{s}");
        }
        assert_eq!(hs_code("9503.00.10").as_deref(), Ok("95030010"));
        assert_eq!(hs_code("0805").as_deref(), Ok("0805"));
        assert!(hs_code("9").is_err());
        assert!(hs_code("95x3").unwrap_err().contains("95x3"));
    }

    #[test]
    fn markets_by_code_or_name() {
        assert_eq!(market("美国").as_deref(), Ok("USA"));
        assert_eq!(market("欧盟").as_deref(), Ok("EU"));
        assert_eq!(market("usa").as_deref(), Ok("USA"));
        assert!(market("Atlantis").is_err());
        assert_eq!(split_cell("美国、欧盟，日本/英国 加拿大", true).len(), 5);
        assert_eq!(split_cell("95 03、9608", false), vec!["95 03", "9608"]);
    }
}
