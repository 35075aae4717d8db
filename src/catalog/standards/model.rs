//! The standard as the domain knows it: nature, status by date, replacement, adoption, the import record.

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::number::{Marker, StandardLevel, StandardNumber};
use crate::catalog::codes::{self, clean, date_field};

/// 标准性质: a field of its own (GB 13000-2010 kept its GB number but became recommended in 2017).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StandardNature {
    /// 强制性
    Mandatory,
    /// 推荐性
    Recommended,
    /// 指导性
    Guidance,
}

impl StandardNature {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardNature::Mandatory => "MANDATORY",
            StandardNature::Recommended => "RECOMMENDED",
            StandardNature::Guidance => "GUIDANCE",
        }
    }

    pub fn parse(s: &str) -> Option<StandardNature> {
        let t = s.trim();
        Some(match t.to_ascii_uppercase().as_str() {
            "MANDATORY" => StandardNature::Mandatory,
            "RECOMMENDED" => StandardNature::Recommended,
            "GUIDANCE" => StandardNature::Guidance,
            _ if t.starts_with("强制") => StandardNature::Mandatory,
            _ if t.starts_with("推荐") => StandardNature::Recommended,
            _ if t.starts_with("指导") => StandardNature::Guidance,
            _ => return None,
        })
    }

    /// What the number says: no marker is mandatory for GB, GBZ, industry and local codes; `/T` recommended; `/Z`
    /// guidance. Group, enterprise and foreign numbers say nothing.
    pub fn from_number(n: &StandardNumber) -> Option<StandardNature> {
        match (n.level(), n.marker()) {
            (_, Marker::T) => Some(StandardNature::Recommended),
            (_, Marker::Z) => Some(StandardNature::Guidance),
            (StandardLevel::National | StandardLevel::Industry | StandardLevel::Local, Marker::None) => {
                Some(StandardNature::Mandatory)
            }
            _ => None,
        }
    }
}

/// Status on a given day: follows from the dates, never stored.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StandardStatus {
    /// 现行: in force.
    Current,
    /// 即将实施: published, implementation date still to come.
    Upcoming,
    /// 废止: withdrawn.
    Withdrawn,
    /// 被代替: replaced whole by a newer standard in force.
    Replaced,
}

impl StandardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardStatus::Current => "CURRENT",
            StandardStatus::Upcoming => "UPCOMING",
            StandardStatus::Withdrawn => "WITHDRAWN",
            StandardStatus::Replaced => "REPLACED",
        }
    }

    pub fn parse_label(s: &str) -> Option<StandardStatus> {
        let t = s.trim();
        Some(match t {
            "现行" | "现行有效" | "有效" => StandardStatus::Current,
            "即将实施" => StandardStatus::Upcoming,
            "废止" | "作废" | "已废止" => StandardStatus::Withdrawn,
            "被代替" | "已被代替" => StandardStatus::Replaced,
            _ => match t.to_ascii_uppercase().as_str() {
                "CURRENT" => StandardStatus::Current,
                "UPCOMING" => StandardStatus::Upcoming,
                "WITHDRAWN" => StandardStatus::Withdrawn,
                "REPLACED" => StandardStatus::Replaced,
                _ => return None,
            },
        })
    }
}

/// 全部代替 or 部分代替.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReplacementScope {
    Whole,
    Partial,
}

impl ReplacementScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplacementScope::Whole => "WHOLE",
            ReplacementScope::Partial => "PARTIAL",
        }
    }
}

/// Degree of adoption of an international standard.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AdoptionDegree {
    /// Identical.
    Idt,
    /// Modified.
    Mod,
    /// Not equivalent.
    Neq,
}

impl AdoptionDegree {
    pub fn as_str(self) -> &'static str {
        match self {
            AdoptionDegree::Idt => "IDT",
            AdoptionDegree::Mod => "MOD",
            AdoptionDegree::Neq => "NEQ",
        }
    }
    pub fn parse(s: &str) -> Option<AdoptionDegree> {
        match s.trim().to_ascii_uppercase().as_str() {
            "IDT" | "等同" => Some(AdoptionDegree::Idt),
            "MOD" | "修改" => Some(AdoptionDegree::Mod),
            "NEQ" | "非等效" => Some(AdoptionDegree::Neq),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplacementRecord {
    pub number: String,
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdoptionRecord {
    pub degree: String,
    pub number: String,
}

/// A drafting organisation, in order: the first leads (主导), the others take part (参与).
#[derive(SimpleObject, Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftingOrganization {
    pub name: String,
    /// Unified social credit code, when known.
    pub credit_code: Option<String>,
}

/// An amendment (修改单).
#[derive(SimpleObject, Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Amendment {
    pub number: String,
    pub issue_date: Option<String>,
    pub implementation_date: Option<String>,
}

/// One `{"type": "standard", ...}` line of a JSON Lines import.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StandardRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub number: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub level: Option<String>,
    pub nature: Option<String>,
    pub status_label: Option<String>,
    pub issue_date: Option<String>,
    pub implementation_date: Option<String>,
    pub withdrawal_date: Option<String>,
    #[serde(default)]
    pub replaces: Vec<ReplacementRecord>,
    #[serde(default)]
    pub amendments: Vec<Amendment>,
    pub adoption: Option<AdoptionRecord>,
    #[serde(default)]
    pub ics_codes: Vec<String>,
    pub ccs_code: Option<String>,
    pub committee: Option<String>,
    pub committee_name: Option<String>,
    pub department: Option<String>,
    #[serde(default)]
    pub drafting_organizations: Vec<DraftingOrganization>,
    #[serde(default)]
    pub drafters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Replacement {
    pub number: StandardNumber,
    pub scope: ReplacementScope,
}

/// A validated standard.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardData {
    pub number: StandardNumber,
    pub nature: Option<StandardNature>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub status_label: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub implementation_date: Option<NaiveDate>,
    pub withdrawal_date: Option<NaiveDate>,
    pub replaces: Vec<Replacement>,
    pub amendments: Vec<Amendment>,
    pub adoption: Option<(AdoptionDegree, String)>,
    pub ics_codes: Vec<String>,
    pub ccs_code: Option<String>,
    pub committee: Option<String>,
    pub committee_name: Option<String>,
    pub department: Option<String>,
    pub drafting_organizations: Vec<DraftingOrganization>,
    pub drafters: Vec<String>,
}

/// A stored standard, with the day its whole replacement took effect (from the replacing standard).
#[derive(Debug, Clone, PartialEq)]
pub struct Standard {
    pub id: i32,
    pub data: StandardData,
    pub replaced_on: Option<NaiveDate>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Standard {
    /// The day it stops being in force: withdrawal or whole replacement, whichever comes first.
    pub fn end_date(&self) -> Option<NaiveDate> {
        match (self.data.withdrawal_date, self.replaced_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Status on `day`, from the dates; the raw label decides only when no date does.
    pub fn status_on(&self, day: NaiveDate) -> StandardStatus {
        status_on(
            day,
            self.data.implementation_date,
            self.data.withdrawal_date,
            self.replaced_on,
            self.data.status_label.as_deref(),
        )
    }
}

pub fn status_on(
    day: NaiveDate,
    implementation: Option<NaiveDate>,
    withdrawal: Option<NaiveDate>,
    replaced_on: Option<NaiveDate>,
    label: Option<&str>,
) -> StandardStatus {
    let replaced = replaced_on.is_some_and(|r| r <= day);
    let withdrawn = withdrawal.is_some_and(|w| w <= day);
    if replaced && (!withdrawn || replaced_on <= withdrawal) {
        return StandardStatus::Replaced;
    }
    if withdrawn {
        return StandardStatus::Withdrawn;
    }
    if implementation.is_some_and(|i| i > day) {
        return StandardStatus::Upcoming;
    }
    // No end date known: a source that says withdrawn or replaced is believed.
    if withdrawal.is_none()
        && replaced_on.is_none()
        && let Some(s) = label.and_then(StandardStatus::parse_label)
        && matches!(s, StandardStatus::Withdrawn | StandardStatus::Replaced)
    {
        return s;
    }
    StandardStatus::Current
}

/// `TC151`, `TC46/SC1`, also found inside a committee's name `(SAC/TC 151)`.
pub fn committee_code(s: &str) -> Option<String> {
    let upper = s.to_ascii_uppercase().replace(' ', "");
    let i = upper.find("TC")?;
    let code: String = upper[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect();
    let code = code.trim_end_matches('/').to_string();
    (code.len() > 2 && code[2..].starts_with(|c: char| c.is_ascii_digit())).then_some(code)
}

impl StandardRecord {
    pub fn validate(self) -> Result<StandardData, String> {
        if let Some(t) = &self.record_type
            && t != "standard"
        {
            return Err(format!("type: expected \"standard\", found {t:?}"));
        }
        let number = StandardNumber::parse(&self.number).map_err(|e| format!("number: {e}"))?;
        if number.year().is_none() && number.level() != super::number::StandardLevel::Enterprise {
            return Err(format!(
                "number: {:?} has no year; a record needs its edition",
                self.number
            ));
        }
        if let Some(l) = clean(self.level.clone()) {
            let given = StandardLevel::parse(&l).ok_or_else(|| format!("level: {l:?} is not a standard level"))?;
            if given != number.level() {
                return Err(format!("level: {l:?} contradicts the number {number}"));
            }
        }
        let nature = match clean(self.nature.clone()) {
            Some(n) => {
                Some(StandardNature::parse(&n).ok_or_else(|| format!("nature: {n:?} is not 强制性/推荐性/指导性"))?)
            }
            None => StandardNature::from_number(&number),
        };
        if let Some(label) = &self.status_label
            && !label.trim().is_empty()
            && StandardStatus::parse_label(label).is_none()
        {
            return Err(format!("statusLabel: {label:?} is not 现行, 即将实施, 废止 or 被代替"));
        }
        let mut replaces = Vec::new();
        for r in self.replaces {
            let n = StandardNumber::parse(&r.number).map_err(|e| format!("replaces: {e}"))?;
            let scope = match clean(r.scope).as_deref() {
                None => ReplacementScope::Whole,
                Some(s) if s.eq_ignore_ascii_case("WHOLE") || s.contains("全部") => ReplacementScope::Whole,
                Some(s) if s.eq_ignore_ascii_case("PARTIAL") || s.contains("部分") => ReplacementScope::Partial,
                Some(s) => return Err(format!("replaces: scope {s:?} is not WHOLE or PARTIAL")),
            };
            if n.edition() == number.edition() {
                return Err("replaces: a standard cannot replace itself".into());
            }
            replaces.push(Replacement { number: n, scope });
        }
        let adoption = match self.adoption {
            None => None,
            Some(a) => {
                let degree = AdoptionDegree::parse(&a.degree)
                    .ok_or_else(|| format!("adoption: degree {:?} is not IDT, MOD or NEQ", a.degree))?;
                let n = StandardNumber::parse(&a.number).map_err(|e| format!("adoption: {e}"))?;
                Some((degree, n.to_string()))
            }
        };
        let mut ics_codes = Vec::new();
        for c in &self.ics_codes {
            for part in codes::split_codes(c) {
                let code =
                    codes::normalise_ics(part).ok_or_else(|| format!("icsCodes: {part:?} is not an ICS code"))?;
                if !ics_codes.contains(&code) {
                    ics_codes.push(code);
                }
            }
        }
        let ccs_code = match clean(self.ccs_code) {
            None => None,
            Some(c) => {
                let c = c.to_ascii_uppercase();
                let ok = c.len() == 3
                    && c.starts_with(|x: char| x.is_ascii_uppercase())
                    && c[1..].chars().all(|x| x.is_ascii_digit());
                if !ok {
                    return Err(format!("ccsCode: {c:?} is not a letter and two digits (A00)"));
                }
                Some(c)
            }
        };
        let committee_name = clean(self.committee_name);
        let committee = clean(self.committee)
            .map(|c| committee_code(&c).unwrap_or(c))
            .or_else(|| committee_name.as_deref().and_then(committee_code));
        let mut orgs = Vec::new();
        for o in self.drafting_organizations {
            let name = o.name.trim().to_string();
            if name.is_empty() {
                return Err("draftingOrganizations: a name is empty".into());
            }
            let credit_code = clean(o.credit_code).map(|c| c.to_ascii_uppercase().replace(' ', ""));
            if let Some(c) = &credit_code
                && c.chars().count() != 18
            {
                return Err(format!("draftingOrganizations: credit code {c:?} is not 18 characters"));
            }
            orgs.push(DraftingOrganization { name, credit_code });
        }
        let issue_date = date_field("issueDate", self.issue_date)?;
        let implementation_date = date_field("implementationDate", self.implementation_date)?;
        let withdrawal_date = date_field("withdrawalDate", self.withdrawal_date)?;
        if let (Some(i), Some(m)) = (issue_date, implementation_date)
            && m < i
        {
            return Err(format!("implementationDate {m} is before issueDate {i}"));
        }
        if clean(self.title_zh.clone()).is_none() && clean(self.title_en.clone()).is_none() {
            return Err("titleZh/titleEn: a standard needs a title".into());
        }
        Ok(StandardData {
            number,
            nature,
            title_zh: clean(self.title_zh),
            title_en: clean(self.title_en),
            status_label: clean(self.status_label),
            issue_date,
            implementation_date,
            withdrawal_date,
            replaces,
            amendments: self.amendments,
            adoption,
            ics_codes,
            ccs_code,
            committee,
            committee_name,
            department: clean(self.department),
            drafting_organizations: orgs,
            drafters: self.drafters.into_iter().filter_map(|d| clean(Some(d))).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn status_follows_the_calendar() {
        let imp = Some(d("2017-07-01"));
        assert_eq!(
            status_on(d("2017-01-01"), imp, None, None, Some("现行")),
            StandardStatus::Upcoming
        );
        assert_eq!(
            status_on(d("2017-07-01"), imp, None, None, None),
            StandardStatus::Current
        );
        assert_eq!(
            status_on(d("2020-01-01"), imp, Some(d("2019-01-01")), None, None),
            StandardStatus::Withdrawn
        );
        assert_eq!(
            status_on(d("2020-01-01"), imp, None, Some(d("2018-01-01")), None),
            StandardStatus::Replaced
        );
        assert_eq!(
            status_on(d("2017-12-31"), imp, None, Some(d("2018-01-01")), None),
            StandardStatus::Current
        );
        // The label decides only when no date does.
        assert_eq!(
            status_on(d("2020-01-01"), imp, None, None, Some("废止")),
            StandardStatus::Withdrawn
        );
        assert_eq!(
            status_on(d("2016-01-01"), imp, None, None, Some("废止")),
            StandardStatus::Upcoming
        );
    }

    #[test]
    fn nature_defaults_from_the_number_and_can_be_given() {
        let r = StandardRecord {
            number: "GB 13000-2010".into(),
            title_zh: Some("信息技术 通用多八位编码字符集".into()),
            nature: Some("推荐性".into()),
            ..Default::default()
        };
        assert_eq!(r.validate().unwrap().nature, Some(StandardNature::Recommended));
        let r = StandardRecord {
            number: "GB 6675.1-2014".into(),
            title_zh: Some("玩具安全".into()),
            ..Default::default()
        };
        assert_eq!(r.validate().unwrap().nature, Some(StandardNature::Mandatory));
        let r = StandardRecord {
            number: "T/ZZB 0001-2015".into(),
            title_zh: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(r.validate().unwrap().nature, None);
    }

    #[test]
    fn committee_codes_are_found_in_names() {
        assert_eq!(
            committee_code("全国质量管理和质量保证标准化技术委员会(SAC/TC 151)").as_deref(),
            Some("TC151")
        );
        assert_eq!(committee_code("TC46/SC1").as_deref(), Some("TC46/SC1"));
        assert_eq!(committee_code("国家标准化管理委员会"), None);
    }

    #[test]
    fn bad_records_say_why() {
        let base = || StandardRecord {
            number: "GB/T 19001-2016".into(),
            title_zh: Some("质量管理体系 要求".into()),
            ..Default::default()
        };
        let mut r = base();
        r.number = "GB/T 19001".into();
        assert!(r.validate().unwrap_err().contains("no year"));
        let mut r = base();
        r.level = Some("LOCAL".into());
        assert!(r.validate().unwrap_err().starts_with("level"));
        let mut r = base();
        r.ccs_code = Some("A0".into());
        assert!(r.validate().unwrap_err().starts_with("ccsCode"));
        let mut r = base();
        r.issue_date = Some("2016-12-30".into());
        r.implementation_date = Some("2016-01-01".into());
        assert!(r.validate().unwrap_err().contains("before"));
        let mut r = base();
        r.replaces = vec![ReplacementRecord {
            number: "GB/T 19001-2016".into(),
            scope: None,
        }];
        assert!(r.validate().unwrap_err().contains("itself"));
    }
}
