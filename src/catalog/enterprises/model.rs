//! Enterprises (DOMAIN.md §3): the import record, its validation, and the credit code check every import of a
//! listing or membership shares.

use serde::Deserialize;

use super::uscc::Uscc;
use crate::catalog::codes::clean;
use crate::catalog::region::import_region;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnterpriseRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub credit_code: String,
    pub name: Option<String>,
    #[serde(default)]
    pub former_names: Vec<String>,
    pub registration_number: Option<String>,
    pub region_code: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub main_products: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseData {
    pub credit_code: Uscc,
    pub name: Option<String>,
    pub former_names: Vec<String>,
    pub registration_number: Option<String>,
    pub region_code: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub main_products: Vec<String>,
}

/// A credit code of an import: a wrong check character is kept and flagged, anything else refused.
pub fn import_code(field: &str, v: &str) -> Result<Uscc, String> {
    Uscc::read(v).map_err(|e| format!("{field}: {e}"))
}

impl EnterpriseRecord {
    pub fn validate(self) -> Result<EnterpriseData, String> {
        let credit_code = import_code("creditCode", &self.credit_code)?;
        let registration_number = clean(self.registration_number);
        if let Some(r) = &registration_number
            && (r.len() != 15 || !r.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(format!(
                "registrationNumber: {r:?} is not a 15-digit registration number"
            ));
        }
        let name = clean(self.name);
        if name.is_none() {
            return Err("name: required".into());
        }
        Ok(EnterpriseData {
            credit_code,
            name,
            former_names: self.former_names.into_iter().filter_map(|n| clean(Some(n))).collect(),
            registration_number,
            region_code: import_region("regionCode", self.region_code)?,
            industry: clean(self.industry),
            address: clean(self.address),
            main_products: self.main_products.into_iter().filter_map(|n| clean(Some(n))).collect(),
        })
    }
}
