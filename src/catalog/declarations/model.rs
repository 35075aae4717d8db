//! Declarations (seed 003): the status words of the platform, a declared indicator, the import record and its
//! validation into `DeclarationData`, which cannot exist with an unreadable credit code, standard number or date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::codes::{clean, date_field};
use crate::catalog::enterprises::model::import_code;
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::standards::number::StandardNumber;
use crate::catalog::terms::words;

words! {
    /// Status of a declaration on the enterprise standards platform.
    DeclarationStatus {
        /// 公开: published and in force.
        Public = "PUBLIC" ["公开", "有效", "现行"],
        /// 废止: withdrawn by the enterprise (or cancelled).
        Withdrawn = "WITHDRAWN" ["废止", "作废", "撤销", "撤回"],
    }
}

/// One declared key indicator (核心指标 / 主要技术指标) of the declared products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "DeclaredIndicator")]
pub struct Indicator {
    /// 指标名称.
    pub name: String,
    /// 指标值, as declared (`≥500`, `0.3~0.5`, `符合要求`).
    pub value: String,
    /// 单位.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// 检验方法: a test method or the standard that sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// A declaration as JSON Lines (`"type": "declaration"`) or a sheet row gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclarationRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub credit_code: String,
    pub enterprise_name: Option<String>,
    pub standard_number: Option<String>,
    pub standard_name: Option<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<IndicatorRecord>,
    pub declared_on: Option<String>,
    /// 公开 / 废止, or `PUBLIC` / `WITHDRAWN`.
    pub status: Option<String>,
    pub withdrawn_on: Option<String>,
    pub source_id: Option<String>,
}

/// An indicator as written: every part text.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorRecord {
    pub name: Option<String>,
    pub value: Option<String>,
    pub unit: Option<String>,
    pub method: Option<String>,
}

/// A valid declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclarationData {
    /// Kept when its check character fails (the enterprise is flagged), like every import of a credit code.
    pub enterprise: Uscc,
    pub enterprise_name: Option<String>,
    pub number: StandardNumber,
    pub standard_name: Option<String>,
    pub products: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub declared_on: NaiveDate,
    pub status: DeclarationStatus,
    pub status_label: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
    pub source_id: Option<String>,
}

impl DeclarationData {
    /// What finds the declaration again: the enterprise and the standard edition it declares.
    pub fn natural_key(&self) -> String {
        natural_key(self.enterprise.as_str(), &self.number)
    }
}

/// The natural key of a declaration of `number` by the enterprise of `credit_code`.
pub fn natural_key(credit_code: &str, number: &StandardNumber) -> String {
    format!("{credit_code} {}", number.edition())
}

/// Product or service names of one cell: separated by `、`, `，`, `,`, `;`, `；` or line ends.
pub fn split_products(cell: &str) -> Vec<String> {
    cell.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

impl DeclarationRecord {
    pub fn validate(self) -> Result<DeclarationData, String> {
        let enterprise = import_code("creditCode", &self.credit_code)?;
        let raw = clean(self.standard_number).ok_or("standardNumber: required")?;
        let number = StandardNumber::parse(&raw).map_err(|e| format!("standardNumber: {e}"))?;
        if number.amendment().is_some() {
            return Err(format!(
                "standardNumber: {raw:?} is an amendment; declare the edition it amends"
            ));
        }
        let declared_on = date_field("declaredOn", self.declared_on)?.ok_or("declaredOn: required")?;
        let withdrawn_on = date_field("withdrawnOn", self.withdrawn_on)?;
        if let Some(w) = withdrawn_on
            && w < declared_on
        {
            return Err(format!("withdrawnOn: {w} is before declaredOn ({declared_on})"));
        }
        let status_label = clean(self.status);
        let status = match &status_label {
            Some(l) => DeclarationStatus::parse(l)
                .ok_or_else(|| format!("status: {l:?} is not 公开 (PUBLIC) or 废止 (WITHDRAWN)"))?,
            None if withdrawn_on.is_some() => DeclarationStatus::Withdrawn,
            None => DeclarationStatus::Public,
        };
        if status == DeclarationStatus::Public && withdrawn_on.is_some() {
            return Err("withdrawnOn: given, but the status says 公开 (PUBLIC)".into());
        }
        let mut products: Vec<String> = Vec::new();
        for p in self.products.iter().flat_map(|p| split_products(p)) {
            if !products.contains(&p) {
                products.push(p);
            }
        }
        let mut indicators = Vec::with_capacity(self.indicators.len());
        for (i, r) in self.indicators.into_iter().enumerate() {
            let n = i + 1;
            let name = clean(r.name).ok_or_else(|| format!("indicators[{n}]: the name (指标名称) is empty"))?;
            let value = clean(r.value).ok_or_else(|| format!("indicators[{n}]: {name:?} has no value (指标值)"))?;
            indicators.push(Indicator {
                name,
                value,
                unit: clean(r.unit),
                method: clean(r.method),
            });
        }
        Ok(DeclarationData {
            enterprise,
            enterprise_name: clean(self.enterprise_name),
            number,
            standard_name: clean(self.standard_name),
            products,
            indicators,
            declared_on,
            status,
            status_label,
            withdrawn_on,
            source_id: clean(self.source_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(number: &str) -> DeclarationRecord {
        DeclarationRecord {
            credit_code: "91330226573218648K".into(),
            standard_number: Some(number.into()),
            products: vec!["中性笔、水彩笔".into(), "中性笔".into()],
            declared_on: Some("2024年6月5日".into()),
            ..Default::default()
        }
    }

    #[test]
    fn numbers_as_people_type_them_reach_one_canonical_form() {
        for typed in [
            "Q/NHXH001-2021",
            "Q／NHXH 001－2021",
            "Q/NHXH 001—2021",
            " q/nhxh 001-2021 ",
        ] {
            let d = record(typed).validate().unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(d.number.to_string(), "Q/NHXH 001-2021", "{typed}");
            assert_eq!(d.number.family_key(), "Q/NHXH 001", "{typed}");
            assert_eq!(d.natural_key(), "91330226573218648K Q/NHXH 001-2021");
        }
        let adopted = record("GB/T19001—2016").validate().unwrap();
        assert_eq!(adopted.number.edition(), "GB/T 19001-2016");
    }

    #[test]
    fn products_split_and_dates_read() {
        let d = record("T/ZZB 0511-2018").validate().unwrap();
        assert_eq!(d.products, vec!["中性笔", "水彩笔"]);
        assert_eq!(d.declared_on, NaiveDate::from_ymd_opt(2024, 6, 5).unwrap());
        assert_eq!(d.status, DeclarationStatus::Public);
    }

    #[test]
    fn status_words_and_withdrawal() {
        let mut r = record("Q/NHHY 001-2020");
        r.status = Some("废止".into());
        r.withdrawn_on = Some("2024-07-01".into());
        let d = r.validate().unwrap();
        assert_eq!(d.status, DeclarationStatus::Withdrawn);
        assert_eq!(d.status_label.as_deref(), Some("废止"));
        let mut r = record("Q/NHHY 001-2020");
        r.withdrawn_on = Some("2024-07-01".into());
        assert_eq!(r.validate().unwrap().status, DeclarationStatus::Withdrawn);
        let mut r = record("Q/NHHY 001-2020");
        r.status = Some("公开".into());
        r.withdrawn_on = Some("2024-07-01".into());
        assert!(r.validate().unwrap_err().contains("公开"));
        let mut r = record("Q/NHHY 001-2020");
        r.status = Some("暂停".into());
        assert!(r.validate().unwrap_err().starts_with("status:"));
        let mut r = record("Q/NHHY 001-2020");
        r.withdrawn_on = Some("2020-01-01".into());
        assert!(r.validate().unwrap_err().starts_with("withdrawnOn:"));
    }

    #[test]
    fn bad_rows_say_why() {
        let mut r = record("Q/NHHY 001-2020");
        r.standard_number = None;
        assert_eq!(r.validate().unwrap_err(), "standardNumber: required");
        let mut r = record("Q/NHHY 001-2020");
        r.declared_on = Some("2024-13-40".into());
        assert!(r.validate().unwrap_err().starts_with("declaredOn:"));
        let mut r = record("Q/NHHY 001-2020");
        r.declared_on = None;
        assert_eq!(r.validate().unwrap_err(), "declaredOn: required");
        assert!(record("XYZ 12").validate().unwrap_err().starts_with("standardNumber:"));
        let mut r = record("Q/NHHY 001-2020");
        r.credit_code = "9133022657321864".into();
        assert!(r.validate().unwrap_err().starts_with("creditCode:"));
        // A wrong check character is kept (and the enterprise flagged), as for every credit code imported.
        let mut r = record("Q/NHHY 001-2020");
        r.credit_code = "91330226573218648A".into();
        assert!(!r.validate().unwrap().enterprise.is_valid());
        let mut r = record("Q/NHHY 001-2020");
        r.indicators = vec![IndicatorRecord {
            name: Some("书写长度".into()),
            ..Default::default()
        }];
        assert!(r.validate().unwrap_err().contains("书写长度"));
    }
}
