//! The filter of standards listings and searches (`StandardFilter`), checked and turned into a `StandardQuery`.

use async_graphql::InputObject;
use chrono::NaiveDate;

use super::model::{StandardNature, StandardStatus};
use super::number::{StandardLevel, StandardNumber};
use super::store::StandardQuery;
use crate::catalog::codes;
use crate::error::{ApiError, ApiResult};
use crate::graphql::scalars::Date;

/// Narrows a standards listing. Every field given must hold; a list matches any of its values.
#[derive(InputObject, Debug, Clone, Default)]
pub struct StandardFilter {
    pub levels: Option<Vec<StandardLevel>>,
    pub natures: Option<Vec<StandardNature>>,
    /// Status on `statusOn` (default today).
    pub status: Option<Vec<StandardStatus>>,
    pub status_on: Option<Date>,
    /// Industry codes (`QB`, `SN`, `NB/SH`).
    pub industry_codes: Option<Vec<String>>,
    /// Division code prefix of local standards (`33` Zhejiang, `3301` Hangzhou).
    pub region: Option<String>,
    /// Group-standard organisations (`ZZB` for 浙江制造).
    pub group_organizations: Option<Vec<String>>,
    /// ICS prefixes (`97.200`).
    pub ics_codes: Option<Vec<String>>,
    /// CCS prefixes (`Y`, `Y61`).
    pub ccs_codes: Option<Vec<String>>,
    /// Technical committee (`TC151`).
    pub committee: Option<String>,
    /// A drafting organisation: credit code, or part of the name.
    pub drafted_by: Option<String>,
    /// With `draftedBy`: only standards that organisation led.
    pub drafted_as_lead: Option<bool>,
    pub issued_from: Option<Date>,
    pub issued_to: Option<Date>,
    pub implemented_from: Option<Date>,
    pub implemented_to: Option<Date>,
    /// Only the editions of this standard (any written form, year ignored).
    pub family: Option<String>,
}

fn range(name: &str, from: Option<Date>, to: Option<Date>) -> ApiResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    if let (Some(a), Some(b)) = (from, to)
        && a.0 > b.0
    {
        return Err(ApiError::bad_input(format!("{name}: {} is after {}", a.0, b.0)));
    }
    Ok((from.map(|d| d.0), to.map(|d| d.0)))
}

impl StandardFilter {
    pub fn to_query(&self) -> ApiResult<StandardQuery> {
        let (issued_from, issued_to) = range("issuedFrom/issuedTo", self.issued_from, self.issued_to)?;
        let (implemented_from, implemented_to) = range(
            "implementedFrom/implementedTo",
            self.implemented_from,
            self.implemented_to,
        )?;
        let mut q = StandardQuery {
            levels: self.levels.clone().unwrap_or_default(),
            natures: self.natures.clone().unwrap_or_default(),
            status: self.status.clone().unwrap_or_default(),
            status_on: self.status_on.map(|d| d.0),
            issued_from,
            issued_to,
            implemented_from,
            implemented_to,
            drafted_as_lead: self.drafted_as_lead.unwrap_or(false),
            ..Default::default()
        };
        for c in self.industry_codes.iter().flatten() {
            let c = c.trim().to_ascii_uppercase();
            let ok = c.split('/').all(|p| super::number::INDUSTRY_CODES.contains(&p));
            if !ok {
                return Err(ApiError::bad_input(format!(
                    "industryCodes: {c:?} is not an industry standard code"
                )));
            }
            q.industry_codes.push(c);
        }
        if let Some(r) = &self.region {
            let r = r.trim();
            if r.is_empty() || r.len() > 6 || !r.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::bad_input(format!(
                    "region: {r:?} is not a division code prefix"
                )));
            }
            q.region_prefix = Some(r.to_string());
        }
        for g in self.group_organizations.iter().flatten() {
            let g = g.trim().trim_start_matches("T/").to_ascii_uppercase();
            if g.is_empty() || !g.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(ApiError::bad_input(format!(
                    "groupOrganizations: {g:?} is not a group code"
                )));
            }
            q.group_orgs.push(g);
        }
        for i in self.ics_codes.iter().flatten() {
            q.ics_prefixes.push(
                codes::ics_prefix(i)
                    .ok_or_else(|| ApiError::bad_input(format!("icsCodes: {i:?} is not an ICS prefix")))?,
            );
        }
        for c in self.ccs_codes.iter().flatten() {
            let c = c.trim().to_ascii_uppercase();
            let ok = !c.is_empty()
                && c.len() <= 3
                && c.starts_with(|x: char| x.is_ascii_uppercase())
                && c[1..].chars().all(|x| x.is_ascii_digit());
            if !ok {
                return Err(ApiError::bad_input(format!(
                    "ccsCodes: {c:?} is not a CCS prefix (A, A0, A00)"
                )));
            }
            q.ccs_prefixes.push(c);
        }
        if let Some(tc) = &self.committee {
            q.committee = Some(super::model::committee_code(tc).unwrap_or_else(|| tc.trim().to_string()));
        }
        if let Some(d) = &self.drafted_by {
            let d = d.trim();
            if d.is_empty() {
                return Err(ApiError::bad_input("draftedBy: empty"));
            }
            q.drafted_by = Some(d.to_string());
        }
        if let Some(f) = &self.family {
            let n = StandardNumber::parse(f).map_err(|e| ApiError::bad_input(format!("family: {e}")))?;
            q.family_key = Some(n.family_key());
        }
        Ok(q)
    }
}
