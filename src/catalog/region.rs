//! Division codes (GB/T 2260) as enterprises, listings and zones take them: the check of an imported region code,
//! the check of a `region` prefix argument, and the province, city and county prefixes a search document carries
//! for region filters. Names of divisions are in `divisions.rs`.

use crate::catalog::codes::clean;
use crate::error::{ApiError, ApiResult};

/// An imported region code: 2 to 12 digits, an even number of them; the reason names the field.
pub fn import_region(field: &str, v: Option<String>) -> Result<Option<String>, String> {
    match clean(v) {
        None => Ok(None),
        Some(r)
            if (2..=12).contains(&r.len()) && r.len().is_multiple_of(2) && r.chars().all(|c| c.is_ascii_digit()) =>
        {
            Ok(Some(r))
        }
        Some(r) => Err(format!("{field}: {r:?} is not a division code (2 to 12 digits)")),
    }
}

/// A `region` argument: a division code prefix of 1 to 12 digits.
pub fn region_prefix(r: &Option<String>) -> ApiResult<Option<String>> {
    match r {
        None => Ok(None),
        Some(r) => {
            let r = r.trim();
            if r.is_empty() || r.len() > 12 || !r.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::bad_input(format!(
                    "region: {r:?} is not a division code prefix"
                )));
            }
            Ok(Some(r.to_string()))
        }
    }
}

/// The 2-, 4- and 6-digit prefixes of a division code (province, city, county), for region filters.
pub fn prefixes(code: Option<&str>) -> Vec<String> {
    code.map(|r| {
        [2, 4, 6]
            .iter()
            .filter(|&&n| r.len() >= n)
            .map(|&n| r[..n].to_string())
            .collect()
    })
    .unwrap_or_default()
}
