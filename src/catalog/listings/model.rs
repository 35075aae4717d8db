//! Credit entries, brands and titles (DOMAIN.md §4-§5): the kinds of listing, where a brand or title stands on a
//! day, the import record, its validation, and the natural key that makes a re-import an update.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::brand::BrandScheme;
use super::credit::CreditList;
use super::store::Listing;
use super::title::TitleScheme;
use crate::catalog::codes::{clean, date_field};
use crate::catalog::enterprises::model::import_code;
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::region::import_region;
use crate::catalog::terms::{Level, covers, words};

words! {
    /// Where a brand or title stands on a day.
    AwardStatus {
        Valid = "VALID" ["有效"],
        /// Its validity ended.
        Expired = "EXPIRED" ["过期", "到期"],
        /// Withdrawn by the issuer.
        Revoked = "REVOKED" ["撤销"],
        /// The scheme itself no longer exists.
        SchemeAbolished = "SCHEME_ABOLISHED" ["取消"],
        /// Not yet awarded on that day.
        NotYetAwarded = "NOT_YET_AWARDED" ["未"],
    }
}

/// Which kind of listing a row of the listing table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingKind {
    Credit,
    Brand,
    Title,
}

impl ListingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingKind::Credit => "CREDIT",
            ListingKind::Brand => "BRAND",
            ListingKind::Title => "TITLE",
        }
    }
}

/// Status of a brand or title on `day`.
pub fn award_status(
    day: NaiveDate,
    awarded: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    revoked: Option<NaiveDate>,
    abolished_from: Option<NaiveDate>,
) -> AwardStatus {
    if awarded.is_some_and(|a| a > day) {
        return AwardStatus::NotYetAwarded;
    }
    if revoked.is_some_and(|r| r <= day) {
        return AwardStatus::Revoked;
    }
    if abolished_from.is_some_and(|a| a <= day) {
        return AwardStatus::SchemeAbolished;
    }
    if valid_until.is_some_and(|v| v < day) {
        return AwardStatus::Expired;
    }
    AwardStatus::Valid
}

impl Listing {
    /// Whether the listing is in force on `day`: a credit entry listed and not removed; a brand or title valid.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        match self.kind {
            ListingKind::Credit => covers(self.started_on, self.ended_on, day),
            kind => {
                let abolished = if kind == ListingKind::Brand {
                    BrandScheme::parse(&self.scheme).and_then(|s| s.abolished_from())
                } else {
                    None
                };
                award_status(day, self.started_on, self.valid_until, self.ended_on, abolished) == AwardStatus::Valid
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Import records

/// A credit entry, brand or title as one import record. Field names follow the GraphQL types.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListingRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub credit_code: Option<String>,
    pub enterprise_name: Option<String>,
    pub region_code: Option<String>,
    // credit entries
    pub list: Option<String>,
    pub reason: Option<String>,
    pub listed_on: Option<String>,
    pub authority: Option<String>,
    pub document_number: Option<String>,
    pub grade: Option<String>,
    pub removed_on: Option<String>,
    pub removal_reason: Option<String>,
    pub removal_authority: Option<String>,
    // brands and titles
    pub scheme: Option<String>,
    pub name: Option<String>,
    pub product: Option<String>,
    pub level: Option<String>,
    pub issuer: Option<String>,
    pub certifier: Option<String>,
    pub certificate_number: Option<String>,
    pub standard_number: Option<String>,
    pub batch: Option<String>,
    pub edition: Option<String>,
    pub announcement_number: Option<String>,
    pub awarded_on: Option<String>,
    pub valid_until: Option<String>,
    pub revoked_on: Option<String>,
    #[serde(default)]
    pub authorized_users: Vec<String>,
}

/// Extra fields of a listing, kept as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_number: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorized_users: Vec<String>,
}

/// A validated listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingData {
    pub kind: ListingKind,
    /// `CreditList`, `BrandScheme` or `TitleScheme` as its name.
    pub scheme: String,
    pub enterprise: Option<Uscc>,
    pub enterprise_name: Option<String>,
    pub region_code: Option<String>,
    pub name: Option<String>,
    pub level: Option<Level>,
    pub authority: Option<String>,
    pub batch: Option<String>,
    pub document_number: Option<String>,
    pub reason: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub end_authority: Option<String>,
    pub details: ListingDetails,
}

impl ListingData {
    /// What makes two records the same listing: re-importing updates instead of duplicating.
    pub fn natural_key(&self) -> String {
        let who = self
            .enterprise
            .as_ref()
            .map(|u| u.to_string())
            .or_else(|| self.region_code.clone())
            .unwrap_or_default();
        let parts = [
            self.kind.as_str().to_string(),
            self.scheme.clone(),
            who,
            self.name.clone().unwrap_or_default(),
            self.details.product.clone().unwrap_or_default(),
            self.batch.clone().unwrap_or_default(),
            self.started_on.map(|d| d.to_string()).unwrap_or_default(),
            self.document_number.clone().unwrap_or_default(),
        ];
        parts.join("|")
    }
}

impl ListingRecord {
    pub fn validate(self, kind: ListingKind) -> Result<ListingData, String> {
        let enterprise = match clean(self.credit_code.clone()) {
            Some(c) => Some(import_code("creditCode", &c)?),
            None => None,
        };
        let region_code = import_region("regionCode", self.region_code.clone())?;
        let level = match clean(self.level.clone()) {
            Some(l) => Some(
                Level::parse(&l).ok_or_else(|| format!("level: {l:?} is not NATIONAL, PROVINCIAL, CITY or COUNTY"))?,
            ),
            None => None,
        };
        let mut authorized = Vec::new();
        for u in &self.authorized_users {
            authorized.push(import_code("authorizedUsers", u)?.to_string());
        }
        let details = ListingDetails {
            grade: clean(self.grade.clone()),
            product: clean(self.product.clone()),
            certifier: clean(self.certifier.clone()),
            certificate_number: clean(self.certificate_number.clone()),
            standard_number: clean(self.standard_number.clone()),
            authorized_users: authorized,
        };
        let data = match kind {
            ListingKind::Credit => {
                let list = clean(self.list).ok_or("list: required")?;
                let list = CreditList::parse(&list).ok_or_else(|| format!("list: {list:?} is not a credit list"))?;
                if enterprise.is_none() {
                    return Err("creditCode: a credit entry names its enterprise".into());
                }
                let listed = date_field("listedOn", self.listed_on)?.ok_or("listedOn: required")?;
                let removed = date_field("removedOn", self.removed_on)?;
                if removed.is_some_and(|r| r < listed) {
                    return Err("removedOn: before listedOn".into());
                }
                if list == CreditList::CreditGrade && details.grade.is_none() {
                    return Err("grade: a credit grade entry needs its grade".into());
                }
                ListingData {
                    kind,
                    scheme: list.as_str().into(),
                    enterprise,
                    enterprise_name: clean(self.enterprise_name),
                    region_code,
                    name: None,
                    level,
                    authority: clean(self.authority),
                    batch: None,
                    document_number: clean(self.document_number),
                    reason: clean(self.reason),
                    started_on: Some(listed),
                    valid_until: None,
                    ended_on: removed,
                    end_reason: clean(self.removal_reason),
                    end_authority: clean(self.removal_authority),
                    details,
                }
            }
            ListingKind::Brand | ListingKind::Title => {
                let scheme_text = clean(self.scheme).ok_or("scheme: required")?;
                let scheme = if kind == ListingKind::Brand {
                    BrandScheme::parse(&scheme_text).map(|s| s.as_str())
                } else {
                    TitleScheme::parse(&scheme_text).map(|s| s.as_str())
                }
                .ok_or_else(|| {
                    format!(
                        "scheme: {scheme_text:?} is not a {} scheme",
                        if kind == ListingKind::Brand { "brand" } else { "title" }
                    )
                })?;
                if enterprise.is_none()
                    && region_code.is_none()
                    && !(kind == ListingKind::Brand && scheme == "GEOGRAPHICAL_INDICATION")
                {
                    return Err("creditCode: names the enterprise (or regionCode, for a title of a place)".into());
                }
                let awarded = date_field("awardedOn", self.awarded_on)?;
                let valid_until = date_field("validUntil", self.valid_until)?;
                let revoked = date_field("revokedOn", self.revoked_on)?;
                if let (Some(a), Some(v)) = (awarded, valid_until)
                    && v < a
                {
                    return Err("validUntil: before awardedOn".into());
                }
                ListingData {
                    kind,
                    scheme: scheme.into(),
                    enterprise,
                    enterprise_name: clean(self.enterprise_name),
                    region_code,
                    name: clean(self.name),
                    level,
                    authority: clean(self.issuer),
                    batch: clean(self.batch).or(clean(self.edition)),
                    document_number: clean(self.announcement_number),
                    reason: None,
                    started_on: awarded,
                    valid_until,
                    ended_on: revoked,
                    end_reason: None,
                    end_authority: None,
                    details,
                }
            }
        };
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_and_award_status() {
        assert!(covers(Some(d("2021-06-10")), Some(d("2022-03-01")), d("2022-02-28")));
        assert!(!covers(Some(d("2021-06-10")), Some(d("2022-03-01")), d("2022-03-01")));
        assert!(!covers(Some(d("2021-06-10")), None, d("2021-06-09")));
        let a = Some(d("2019-05-20"));
        let v = Some(d("2022-05-19"));
        assert_eq!(award_status(d("2020-01-01"), a, v, None, None), AwardStatus::Valid);
        assert_eq!(award_status(d("2022-05-19"), a, v, None, None), AwardStatus::Valid);
        assert_eq!(award_status(d("2022-05-20"), a, v, None, None), AwardStatus::Expired);
        assert_eq!(
            award_status(d("2019-01-01"), a, v, None, None),
            AwardStatus::NotYetAwarded
        );
        assert_eq!(
            award_status(d("2021-01-01"), a, v, Some(d("2020-06-01")), None),
            AwardStatus::Revoked
        );
        let abolished = BrandScheme::ProvincialFamousTrademark.abolished_from();
        assert_eq!(
            award_status(d("2016-01-01"), Some(d("2014-01-01")), None, None, abolished),
            AwardStatus::Valid
        );
        assert_eq!(
            award_status(d("2019-01-01"), Some(d("2014-01-01")), None, None, abolished),
            AwardStatus::SchemeAbolished
        );
    }

    #[test]
    fn words_in_chinese() {
        assert_eq!(
            CreditList::parse("列入经营异常名录"),
            Some(CreditList::AbnormalOperations)
        );
        assert_eq!(
            BrandScheme::parse("中国驰名商标"),
            Some(BrandScheme::WellKnownTrademark)
        );
        assert_eq!(
            BrandScheme::parse("浙江省著名商标"),
            Some(BrandScheme::ProvincialFamousTrademark)
        );
        assert_eq!(
            BrandScheme::parse("中国名牌产品"),
            Some(BrandScheme::ChinaFamousProduct)
        );
        assert_eq!(
            BrandScheme::parse("浙江名牌产品"),
            Some(BrandScheme::ProvincialFamousProduct)
        );
    }
}
