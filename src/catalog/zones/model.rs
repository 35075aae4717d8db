//! Demonstration zones (DOMAIN.md §6): kinds, phases and member roles, the import records of a zone (with its
//! history) and of a membership, their validation, and a zone's phase on a day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::codes::{clean, date_field};
use crate::catalog::enterprises::model::import_code;
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::region::import_region;
use crate::catalog::terms::{Level, words};

words! {
    /// Kind of demonstration zone.
    ZoneKind {
        /// 工业产品
        Industrial = "INDUSTRIAL" ["工业"],
        /// 食品农产品
        FoodAgricultural = "FOOD_AGRICULTURAL" ["农产品", "食品"],
    }
}

words! {
    /// Phase of a demonstration zone.
    ZoneStatus {
        /// 培育
        Cultivating = "CULTIVATING" ["培育"],
        /// 申报
        Applying = "APPLYING" ["申报", "申请"],
        /// 验收 / 命名
        Accepted = "ACCEPTED" ["验收", "命名", "认定"],
        /// 撤销
        Revoked = "REVOKED" ["撤销", "取消"],
    }
}

words! {
    /// Role of an enterprise in a zone.
    ZoneRole {
        /// 龙头企业
        Lead = "LEAD" ["龙头"],
        /// 示范企业
        Member = "MEMBER" ["示范", "成员"],
    }
}

/// One step of a zone's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZoneStepRecord {
    pub status: String,
    pub date: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZoneRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: String,
    pub region_code: Option<String>,
    pub industry: Option<String>,
    pub approving_authority: Option<String>,
    pub announcement_number: Option<String>,
    pub batch: Option<String>,
    #[serde(default)]
    pub history: Vec<ZoneStepRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneStep {
    pub status: ZoneStatus,
    pub date: NaiveDate,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneData {
    pub code: String,
    pub name: String,
    pub kind: ZoneKind,
    pub level: Level,
    pub region_code: Option<String>,
    pub industry: Option<String>,
    pub approving_authority: Option<String>,
    pub announcement_number: Option<String>,
    pub batch: Option<String>,
    pub history: Vec<ZoneStep>,
}

impl ZoneData {
    /// The phase on `day`: the last step taken on or before it.
    pub fn status_on(&self, day: NaiveDate) -> Option<ZoneStatus> {
        self.history.iter().rfind(|s| s.date <= day).map(|s| s.status)
    }
}

impl ZoneRecord {
    pub fn validate(self) -> Result<ZoneData, String> {
        let code = self.code.trim().to_string();
        if code.is_empty() || code.len() > 120 || code.chars().any(char::is_whitespace) {
            return Err(format!("code: {code:?} must be a short identifier without spaces"));
        }
        let mut history = Vec::new();
        for s in self.history {
            let status =
                ZoneStatus::parse(&s.status).ok_or_else(|| format!("history: {:?} is not a zone status", s.status))?;
            let date = date_field("history.date", Some(s.date))?.ok_or("history.date: required")?;
            history.push(ZoneStep {
                status,
                date,
                note: clean(s.note),
            });
        }
        if history.windows(2).any(|w| w[1].date < w[0].date) {
            return Err("history: steps must be in date order".into());
        }
        Ok(ZoneData {
            code,
            name: clean(Some(self.name)).ok_or("name: required")?,
            kind: ZoneKind::parse(&self.kind)
                .ok_or_else(|| format!("kind: {:?} is not INDUSTRIAL or FOOD_AGRICULTURAL", self.kind))?,
            level: Level::parse(&self.level).ok_or_else(|| format!("level: {:?} is not a level", self.level))?,
            region_code: import_region("regionCode", self.region_code)?,
            industry: clean(self.industry),
            approving_authority: clean(self.approving_authority),
            announcement_number: clean(self.announcement_number),
            batch: clean(self.batch),
            history,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MembershipRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub zone: String,
    pub credit_code: String,
    pub enterprise_name: Option<String>,
    pub role: Option<String>,
    pub admitted_on: Option<String>,
    pub exited_on: Option<String>,
    pub exit_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MembershipData {
    pub zone: String,
    pub enterprise: Uscc,
    pub enterprise_name: Option<String>,
    pub role: ZoneRole,
    pub admitted_on: Option<NaiveDate>,
    pub exited_on: Option<NaiveDate>,
    pub exit_reason: Option<String>,
}

impl MembershipRecord {
    pub fn validate(self) -> Result<MembershipData, String> {
        let admitted_on = date_field("admittedOn", self.admitted_on)?;
        let exited_on = date_field("exitedOn", self.exited_on)?;
        if let (Some(a), Some(e)) = (admitted_on, exited_on)
            && e < a
        {
            return Err("exitedOn: before admittedOn".into());
        }
        Ok(MembershipData {
            zone: self.zone.trim().to_string(),
            enterprise: import_code("creditCode", &self.credit_code)?,
            enterprise_name: clean(self.enterprise_name),
            role: match clean(self.role) {
                None => ZoneRole::Member,
                Some(r) => ZoneRole::parse(&r).ok_or_else(|| format!("role: {r:?} is not LEAD or MEMBER"))?,
            },
            admitted_on,
            exited_on,
            exit_reason: clean(self.exit_reason),
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
    fn zone_words_in_chinese() {
        assert_eq!(ZoneStatus::parse("通过验收"), Some(ZoneStatus::Accepted));
    }

    #[test]
    fn zone_status_follows_history() {
        let z = ZoneRecord {
            code: "x".into(),
            name: "浙江省宁海出口文具质量安全示范区".into(),
            kind: "INDUSTRIAL".into(),
            level: "NATIONAL".into(),
            history: vec![
                ZoneStepRecord {
                    status: "CULTIVATING".into(),
                    date: "2017-06-01".into(),
                    note: None,
                },
                ZoneStepRecord {
                    status: "ACCEPTED".into(),
                    date: "2019-12-01".into(),
                    note: None,
                },
            ],
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(z.status_on(d("2017-01-01")), None);
        assert_eq!(z.status_on(d("2018-01-01")), Some(ZoneStatus::Cultivating));
        assert_eq!(z.status_on(d("2020-01-01")), Some(ZoneStatus::Accepted));
    }
}
