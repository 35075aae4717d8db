//! Reward clauses of a policy as data (seed 002, the Quzhou document): what fact of the catalogue a clause
//! rewards (drafting a standard of some level, as lead or participant; a brand award of some scheme), the amount,
//! the regions and the period it applies to, and the clause's own text; and the check of one enterprise's facts
//! against a clause, with the records that prove it or the reasons it fails.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::codes::date_field;
use crate::catalog::listings::brand::BrandScheme;
use crate::catalog::standards::number::{StandardLevel, StandardNumber};

/// The most clauses one policy carries.
pub const MAX_CLAUSES: usize = 200;
/// The largest sum a clause may promise, in yuan (GraphQL's `Int`).
pub const MAX_AMOUNT_YUAN: i64 = i32::MAX as i64;
/// The longest clause text kept, in characters.
const MAX_TEXT_CHARS: usize = 4_000;

/// One clause as written in an import record (`rewards` of a `{"type": "policy"}` line) and as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClauseRecord {
    /// The clause's own number in the document (`18`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// The clause's text, as the document words it.
    pub text: String,
    /// The sum promised, in yuan.
    pub amount_yuan: i64,
    /// The sum is a ceiling (最高不超过), not a fixed amount.
    #[serde(default)]
    pub up_to: bool,
    pub condition: ConditionRecord,
    /// Division codes the clause applies to: six digits for exactly that division (`330802`), two or four for
    /// everything under a province or prefecture (`3308`). Empty: anywhere.
    #[serde(default)]
    pub regions: Vec<String>,
    /// The document's own words on the region (`衢州市级、柯城区、衢江区(不含驻衢部、省属企业)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_note: Option<String>,
    /// First day the clause applies (default: the policy's effective date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Last day it applies; none: until the policy is replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
}

/// The fact a clause rewards, as written: `{"fact": "STANDARD_DRAFTED", "role": "LEAD", "standards":
/// [{"level": "NATIONAL"}]}` or `{"fact": "BRAND_AWARDED", "schemes": ["ZHEJIANG_MADE"], "first": true}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConditionRecord {
    pub fact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<StandardKindRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemes: Vec<String>,
    /// Only the enterprise's first award of the scheme counts (首次通过).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first: bool,
}

/// A kind of standard: a level, narrowed to some codes (`DB33` for Zhejiang's local standards, `T/ZZB` for
/// 浙江制造 group standards).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StandardKindRecord {
    pub level: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
}

/// Whether the organisation led the drafting (first drafting organisation, 主导) or took part (参与).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftingRole {
    /// 主导: the first drafting organisation.
    Lead,
    /// 参与: any drafting organisation after the first.
    Participant,
}

impl DraftingRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftingRole::Lead => "LEAD",
            DraftingRole::Participant => "PARTICIPANT",
        }
    }
    fn parse(s: &str) -> Option<DraftingRole> {
        match s.trim().to_ascii_uppercase().as_str() {
            "LEAD" | "主导" => Some(DraftingRole::Lead),
            "PARTICIPANT" | "参与" => Some(DraftingRole::Participant),
            _ => None,
        }
    }
    /// The role of the organisation at `position` (0-based) in the drafting list.
    pub fn of_position(position: i32) -> DraftingRole {
        if position == 0 {
            DraftingRole::Lead
        } else {
            DraftingRole::Participant
        }
    }
}

/// A validated kind of standard.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardKind {
    pub level: StandardLevel,
    /// Codes (`DB33`) or code prefixes with their marker (`T/ZZB`); empty: any of the level.
    pub codes: Vec<String>,
}

impl StandardKind {
    pub fn matches(&self, n: &StandardNumber) -> bool {
        n.level() == self.level
            && (self.codes.is_empty()
                || self
                    .codes
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(n.code()) || c.eq_ignore_ascii_case(&n.prefix())))
    }
}

/// A validated condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    StandardDrafted {
        role: DraftingRole,
        kinds: Vec<StandardKind>,
    },
    BrandAwarded {
        schemes: Vec<BrandScheme>,
        first: bool,
    },
}

/// A validated clause.
#[derive(Debug, Clone, PartialEq)]
pub struct RewardClause {
    pub clause: Option<String>,
    pub text: String,
    pub amount_yuan: i64,
    pub up_to: bool,
    pub condition: Condition,
    pub regions: Vec<String>,
    pub region_note: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl ClauseRecord {
    /// Checks the clause; `at` names it in errors (`rewards[3]`).
    pub fn validate(self, at: &str) -> Result<RewardClause, String> {
        let text = self.text.trim().to_string();
        if text.is_empty() {
            return Err(format!("{at}.text: required (the clause as the document words it)"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(format!("{at}.text: longer than {MAX_TEXT_CHARS} characters"));
        }
        if self.amount_yuan <= 0 || self.amount_yuan > MAX_AMOUNT_YUAN {
            return Err(format!(
                "{at}.amountYuan: {} is not a sum from 1 to {MAX_AMOUNT_YUAN} yuan",
                self.amount_yuan
            ));
        }
        let condition = self.condition.validate(at)?;
        let mut regions = Vec::new();
        for r in &self.regions {
            let r = r.trim();
            if !(r.len() == 2 || r.len() == 4 || r.len() == 6) || !r.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "{at}.regions: {r:?} is not a division code (two, four or six digits)"
                ));
            }
            if !regions.iter().any(|x: &String| x == r) {
                regions.push(r.to_string());
            }
        }
        let valid_from = date_field(&format!("{at}.validFrom"), self.valid_from)?;
        let valid_to = date_field(&format!("{at}.validTo"), self.valid_to)?;
        if let (Some(a), Some(b)) = (valid_from, valid_to)
            && a > b
        {
            return Err(format!("{at}: validFrom {a} is after validTo {b}"));
        }
        Ok(RewardClause {
            clause: trimmed(self.clause),
            text,
            amount_yuan: self.amount_yuan,
            up_to: self.up_to,
            condition,
            regions,
            region_note: trimmed(self.region_note),
            valid_from,
            valid_to,
        })
    }
}

impl ConditionRecord {
    fn validate(self, at: &str) -> Result<Condition, String> {
        match self.fact.trim().to_ascii_uppercase().as_str() {
            "STANDARD_DRAFTED" => {
                if !self.schemes.is_empty() || self.first {
                    return Err(format!(
                        "{at}.condition: schemes and first belong to BRAND_AWARDED, not STANDARD_DRAFTED"
                    ));
                }
                let role = self
                    .role
                    .as_deref()
                    .ok_or_else(|| format!("{at}.condition.role: required (LEAD or PARTICIPANT)"))?;
                let role = DraftingRole::parse(role)
                    .ok_or_else(|| format!("{at}.condition.role: {role:?} is not LEAD or PARTICIPANT"))?;
                if self.standards.is_empty() {
                    return Err(format!("{at}.condition.standards: name at least one level"));
                }
                let mut kinds = Vec::new();
                for k in self.standards {
                    let level = StandardLevel::parse(&k.level)
                        .ok_or_else(|| format!("{at}.condition.standards: {:?} is not a standard level", k.level))?;
                    let codes = k
                        .codes
                        .iter()
                        .map(|c| c.trim().to_string())
                        .filter(|c| !c.is_empty())
                        .collect();
                    kinds.push(StandardKind { level, codes });
                }
                Ok(Condition::StandardDrafted { role, kinds })
            }
            "BRAND_AWARDED" => {
                if self.role.is_some() || !self.standards.is_empty() {
                    return Err(format!(
                        "{at}.condition: role and standards belong to STANDARD_DRAFTED, not BRAND_AWARDED"
                    ));
                }
                if self.schemes.is_empty() {
                    return Err(format!("{at}.condition.schemes: name at least one brand scheme"));
                }
                let mut schemes = Vec::new();
                for s in &self.schemes {
                    let scheme = BrandScheme::parse(s)
                        .ok_or_else(|| format!("{at}.condition.schemes: {s:?} is not a brand scheme"))?;
                    if !schemes.contains(&scheme) {
                        schemes.push(scheme);
                    }
                }
                Ok(Condition::BrandAwarded {
                    schemes,
                    first: self.first,
                })
            }
            other => Err(format!(
                "{at}.condition.fact: {other:?} is not STANDARD_DRAFTED or BRAND_AWARDED"
            )),
        }
    }
}

impl RewardClause {
    /// The stored (and re-importable) form.
    pub fn to_record(&self) -> ClauseRecord {
        let condition = match &self.condition {
            Condition::StandardDrafted { role, kinds } => ConditionRecord {
                fact: "STANDARD_DRAFTED".into(),
                role: Some(role.as_str().into()),
                standards: kinds
                    .iter()
                    .map(|k| StandardKindRecord {
                        level: k.level.as_str().into(),
                        codes: k.codes.clone(),
                    })
                    .collect(),
                ..Default::default()
            },
            Condition::BrandAwarded { schemes, first } => ConditionRecord {
                fact: "BRAND_AWARDED".into(),
                schemes: schemes.iter().map(|s| s.as_str().to_string()).collect(),
                first: *first,
                ..Default::default()
            },
        };
        ClauseRecord {
            clause: self.clause.clone(),
            text: self.text.clone(),
            amount_yuan: self.amount_yuan,
            up_to: self.up_to,
            condition,
            regions: self.regions.clone(),
            region_note: self.region_note.clone(),
            valid_from: self.valid_from.map(|d| d.to_string()),
            valid_to: self.valid_to.map(|d| d.to_string()),
        }
    }

    /// Whether an enterprise registered in `region` is in the clause's regions.
    pub fn covers_region(&self, region: Option<&str>) -> bool {
        self.regions.is_empty()
            || region.is_some_and(|r| {
                self.regions.iter().any(|c| {
                    if c.len() == 6 {
                        r == c
                    } else {
                        r.starts_with(c.as_str())
                    }
                })
            })
    }
}

/// Validates a policy's clauses.
pub fn validate_all(records: Vec<ClauseRecord>) -> Result<Vec<RewardClause>, String> {
    if records.len() > MAX_CLAUSES {
        return Err(format!("rewards: at most {MAX_CLAUSES} clauses"));
    }
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.validate(&format!("rewards[{i}]")))
        .collect()
}

/// The stored JSON of validated clauses.
pub fn to_json(clauses: &[RewardClause]) -> String {
    let records: Vec<ClauseRecord> = clauses.iter().map(RewardClause::to_record).collect();
    serde_json::to_string(&records).expect("plain data serialises")
}

/// Clauses read back from storage (validated when written; a clause that no longer reads is skipped and logged).
pub fn from_json(json: &str) -> Vec<RewardClause> {
    let records: Vec<ClauseRecord> = match serde_json::from_str(json) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "stored reward clauses do not read");
            return Vec::new();
        }
    };
    records
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| match r.validate(&format!("rewards[{i}]")) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!(error = %e, "a stored reward clause does not validate");
                None
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Checking an enterprise against a clause

/// A standard the enterprise is named among the drafting organisations of.
#[derive(Debug, Clone)]
pub struct DraftedFact {
    pub standard_id: i32,
    pub number: StandardNumber,
    pub issue_date: Option<NaiveDate>,
    /// 0-based place in the drafting list; 0 leads.
    pub position: i32,
    /// Named by its credit code (true) or by its current or a former name (false).
    pub by_credit_code: bool,
}

/// A brand the enterprise holds.
#[derive(Debug, Clone)]
pub struct BrandFact {
    pub listing_id: i32,
    pub scheme: BrandScheme,
    pub awarded_on: Option<NaiveDate>,
}

/// What the catalogue knows of one enterprise that a clause can ask about.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The division the enterprise is registered in.
    pub region: Option<String>,
    pub drafted: Vec<DraftedFact>,
    pub brands: Vec<BrandFact>,
}

/// Why a clause is not met.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardReason {
    /// The enterprise is registered outside the clause's regions (or its region is unknown).
    OutOfRegion,
    /// Records of the right kind exist, but none is dated within the period.
    OutOfPeriod,
    /// The catalogue holds no record of the kind the clause rewards.
    NoMatchingRecord,
    /// Records of the right kind exist without a date, so the period cannot be checked.
    DateUnknown,
    /// The clause rewards a first award only, and the enterprise held the scheme before the period.
    NotFirst,
}

/// A record that bears on a clause: the standard or brand, its date and whether the date is in the period.
#[derive(Debug, Clone)]
pub enum EvidenceRecord {
    Standard(DraftedFact),
    Brand(BrandFact),
}

#[derive(Debug, Clone)]
pub struct Evidence {
    pub record: EvidenceRecord,
    pub date: Option<NaiveDate>,
    pub in_period: bool,
}

/// One clause checked.
#[derive(Debug, Clone)]
pub struct Eligibility {
    pub met: bool,
    pub reasons: Vec<RewardReason>,
    pub evidence: Vec<Evidence>,
    /// The period records were checked against (the clause's validity narrowed to the asked one).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn later(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn earlier(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Checks `facts` against `clause` for the period `[from, to]` (either open), within the clause's own validity;
/// `policy_effective` stands in for a clause without `validFrom`.
pub fn check(
    clause: &RewardClause,
    policy_effective: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    facts: &Facts,
) -> Eligibility {
    let start = later(clause.valid_from.or(policy_effective), from);
    let end = earlier(clause.valid_to, to);
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| start.is_none_or(|s| d >= s) && end.is_none_or(|e| d <= e));
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut not_first = false;
    match &clause.condition {
        Condition::StandardDrafted { role, kinds } => {
            for f in &facts.drafted {
                if DraftingRole::of_position(f.position) == *role && kinds.iter().any(|k| k.matches(&f.number)) {
                    evidence.push(Evidence {
                        record: EvidenceRecord::Standard(f.clone()),
                        date: f.issue_date,
                        in_period: within(f.issue_date),
                    });
                }
            }
        }
        Condition::BrandAwarded { schemes, first } => {
            for scheme in schemes {
                let mut of_scheme: Vec<&BrandFact> = facts.brands.iter().filter(|b| b.scheme == *scheme).collect();
                of_scheme.sort_by_key(|b| b.awarded_on);
                for b in &of_scheme {
                    evidence.push(Evidence {
                        record: EvidenceRecord::Brand((*b).clone()),
                        date: b.awarded_on,
                        in_period: within(b.awarded_on),
                    });
                }
                // First award only: an award of the scheme dated before the period rules out the ones within it.
                if *first
                    && let Some(s) = start
                    && of_scheme.iter().any(|b| b.awarded_on.is_some_and(|d| d < s))
                    && of_scheme.iter().any(|b| within(b.awarded_on))
                {
                    not_first = true;
                    for e in evidence.iter_mut() {
                        if let EvidenceRecord::Brand(b) = &e.record
                            && b.scheme == *scheme
                        {
                            e.in_period = false;
                        }
                    }
                }
            }
        }
    }
    let mut reasons = Vec::new();
    if !clause.covers_region(facts.region.as_deref()) {
        reasons.push(RewardReason::OutOfRegion);
    }
    if evidence.is_empty() {
        reasons.push(RewardReason::NoMatchingRecord);
    } else if !evidence.iter().any(|e| e.in_period) {
        if not_first {
            reasons.push(RewardReason::NotFirst);
        } else if evidence.iter().all(|e| e.date.is_none()) {
            reasons.push(RewardReason::DateUnknown);
        } else {
            reasons.push(RewardReason::OutOfPeriod);
        }
    }
    if start.is_some() && end.is_some() && start > end && !reasons.contains(&RewardReason::OutOfPeriod) {
        reasons.push(RewardReason::OutOfPeriod);
    }
    // Evidence in the period first, then by date.
    evidence.sort_by(|a, b| b.in_period.cmp(&a.in_period).then(a.date.cmp(&b.date)));
    Eligibility {
        met: reasons.is_empty(),
        reasons,
        evidence,
        from: start,
        to: end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn clause(json: &str) -> RewardClause {
        serde_json::from_str::<ClauseRecord>(json)
            .unwrap()
            .validate("c")
            .unwrap()
    }

    fn drafted(number: &str, issued: &str, position: i32) -> DraftedFact {
        DraftedFact {
            standard_id: 1,
            number: StandardNumber::parse(number).unwrap(),
            issue_date: Some(day(issued)),
            position,
            by_credit_code: true,
        }
    }

    const NATIONAL_LEAD: &str = r#"{"clause":"18","text":"主导制修订国家标准","amountYuan":500000,
        "condition":{"fact":"STANDARD_DRAFTED","role":"LEAD","standards":[{"level":"NATIONAL"}]},
        "regions":["330800","330802","330803"]}"#;

    #[test]
    fn a_lead_drafted_national_standard_in_the_period_in_the_region_is_met() {
        let c = clause(NATIONAL_LEAD);
        let facts = Facts {
            region: Some("330803".into()),
            drafted: vec![drafted("GB/T 1234-2019", "2019-05-10", 0)],
            brands: vec![],
        };
        let e = check(&c, Some(day("2017-12-27")), None, None, &facts);
        assert!(e.met, "{e:?}");
        assert_eq!(e.evidence.len(), 1);
        assert!(e.evidence[0].in_period);
        assert_eq!(e.from, Some(day("2017-12-27")));
    }

    #[test]
    fn a_participation_is_not_a_lead_and_the_asked_period_narrows() {
        let c = clause(NATIONAL_LEAD);
        let facts = Facts {
            region: Some("330802".into()),
            drafted: vec![drafted("GB/T 1234-2019", "2019-05-10", 3)],
            brands: vec![],
        };
        let e = check(&c, Some(day("2017-12-27")), None, None, &facts);
        assert_eq!(e.reasons, [RewardReason::NoMatchingRecord]);
        let lead = Facts {
            drafted: vec![drafted("GB/T 1234-2019", "2019-05-10", 0)],
            ..facts
        };
        let e = check(&c, Some(day("2017-12-27")), Some(day("2020-01-01")), None, &lead);
        assert_eq!(e.reasons, [RewardReason::OutOfPeriod]);
        assert!(!e.evidence[0].in_period);
    }

    #[test]
    fn out_of_region_and_the_prefecture_prefix() {
        let c = clause(NATIONAL_LEAD);
        let facts = Facts {
            region: Some("330822".into()),
            drafted: vec![drafted("GB/T 1234-2019", "2019-05-10", 0)],
            brands: vec![],
        };
        let e = check(&c, None, None, None, &facts);
        assert_eq!(e.reasons, [RewardReason::OutOfRegion]);
        let wide = RewardClause {
            regions: vec!["3308".into()],
            ..c.clone()
        };
        assert!(check(&wide, None, None, None, &facts).met);
        let unknown = Facts { region: None, ..facts };
        assert_eq!(
            check(&c, None, None, None, &unknown).reasons,
            [RewardReason::OutOfRegion]
        );
    }

    #[test]
    fn provincial_local_and_zhejiang_made_group_standards_by_code() {
        let c = clause(
            r#"{"text":"主导省地方标准(含浙江制造团体标准)","amountYuan":100000,
            "condition":{"fact":"STANDARD_DRAFTED","role":"LEAD","standards":[{"level":"LOCAL","codes":["DB33"]},
            {"level":"GROUP","codes":["T/ZZB"]}]}}"#,
        );
        for (n, ok) in [
            ("DB33/T 1234-2019", true),
            ("T/ZZB 0878-2018", true),
            ("DB3301/T 0322.3-2020", false),
            ("T/CHEAA 0001-2017", false),
            ("GB/T 1234-2019", false),
        ] {
            let facts = Facts {
                region: None,
                drafted: vec![drafted(n, "2019-01-01", 0)],
                brands: vec![],
            };
            assert_eq!(check(&c, None, None, None, &facts).met, ok, "{n}");
        }
    }

    #[test]
    fn a_brand_awarded_before_the_period_and_first_awards_only() {
        let c = clause(
            r#"{"text":"首次通过浙江制造认证","amountYuan":300000,
            "condition":{"fact":"BRAND_AWARDED","schemes":["浙江制造"],"first":true}}"#,
        );
        let brand = |d: &str| BrandFact {
            listing_id: 7,
            scheme: BrandScheme::ZhejiangMade,
            awarded_on: Some(day(d)),
        };
        let before = Facts {
            brands: vec![brand("2016-03-01")],
            ..Default::default()
        };
        let e = check(&c, Some(day("2017-12-27")), None, None, &before);
        assert_eq!(e.reasons, [RewardReason::OutOfPeriod]);
        let renewed = Facts {
            brands: vec![brand("2016-03-01"), brand("2019-03-01")],
            ..Default::default()
        };
        let e = check(&c, Some(day("2017-12-27")), None, None, &renewed);
        assert_eq!(e.reasons, [RewardReason::NotFirst]);
        let new = Facts {
            brands: vec![brand("2019-03-01")],
            ..Default::default()
        };
        assert!(check(&c, Some(day("2017-12-27")), None, None, &new).met);
        let undated = Facts {
            brands: vec![BrandFact {
                awarded_on: None,
                ..brand("2019-03-01")
            }],
            ..Default::default()
        };
        assert_eq!(
            check(&c, Some(day("2017-12-27")), None, None, &undated).reasons,
            [RewardReason::DateUnknown]
        );
    }

    #[test]
    fn bad_clauses_are_refused_with_the_place() {
        for (json, says) in [
            (
                r#"{"text":"x","amountYuan":0,"condition":{"fact":"BRAND_AWARDED","schemes":["驰名商标"]}}"#,
                "amountYuan",
            ),
            (
                r#"{"text":" ","amountYuan":5,"condition":{"fact":"BRAND_AWARDED","schemes":["驰名商标"]}}"#,
                "text",
            ),
            (
                r#"{"text":"x","amountYuan":5,"condition":{"fact":"BRAND_AWARDED","schemes":["金牌"]}}"#,
                "schemes",
            ),
            (
                r#"{"text":"x","amountYuan":5,"condition":{"fact":"STANDARD_DRAFTED","standards":[{"level":"NATIONAL"}]}}"#,
                "role",
            ),
            (
                r#"{"text":"x","amountYuan":5,"condition":{"fact":"STANDARD_DRAFTED","role":"LEAD","standards":[{"level":"GALACTIC"}]}}"#,
                "level",
            ),
            (r#"{"text":"x","amountYuan":5,"condition":{"fact":"PATENT"}}"#, "fact"),
            (
                r#"{"text":"x","amountYuan":5,"regions":["33A"],"condition":{"fact":"BRAND_AWARDED","schemes":["驰名商标"]}}"#,
                "regions",
            ),
            (
                r#"{"text":"x","amountYuan":5,"validFrom":"2020-01-01","validTo":"2019-01-01","condition":{"fact":"BRAND_AWARDED","schemes":["驰名商标"]}}"#,
                "after",
            ),
        ] {
            let r: ClauseRecord = serde_json::from_str(json).unwrap();
            let e = r.validate("rewards[0]").unwrap_err();
            assert!(e.contains(says) && e.starts_with("rewards[0]"), "{json}: {e}");
        }
    }

    #[test]
    fn stored_form_reads_back_the_same() {
        let c = clause(NATIONAL_LEAD);
        let json = to_json(std::slice::from_ref(&c));
        assert_eq!(from_json(&json), vec![c]);
        assert!(from_json("not json").is_empty());
    }
}
