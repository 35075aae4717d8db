//! Enterprises and what is listed about them (DOMAIN.md §3-§6): vocabularies, import records, validation, and
//! the rules that answer "now" and "as of a date".

use async_graphql::Enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::uscc::Uscc;
use crate::catalog::codes::{clean, date_field};

macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal [$($alias:literal),*]),* $(,)? }) => {
        $(#[$m])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            /// The enum name or the Chinese words lists use.
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) $(|| t.contains($alias))* {
                        return Some($name::$variant);
                    }
                )*
                None
            }
        }
    };
}

words! {
    /// Which credit list an entry is on.
    CreditList {
        /// 经营异常名录
        AbnormalOperations = "ABNORMAL_OPERATIONS" ["经营异常"],
        /// 严重违法失信名单
        SeriousDishonest = "SERIOUS_DISHONEST" ["严重违法失信"],
        /// 行政处罚 (双公示)
        AdministrativePenalty = "ADMINISTRATIVE_PENALTY" ["行政处罚"],
        /// 质量信用等级
        CreditGrade = "CREDIT_GRADE" ["信用等级"],
        /// 守信激励 / 红名单
        RedList = "RED_LIST" ["红名单", "守信"],
    }
}

words! {
    /// Brand schemes.
    BrandScheme {
        /// 中国驰名商标 (case-by-case recognition; not for advertising)
        WellKnownTrademark = "WELL_KNOWN_TRADEMARK" ["驰名商标"],
        /// 中国名牌产品: no batches after 2007
        ChinaFamousProduct = "CHINA_FAMOUS_PRODUCT" ["中国名牌"],
        /// 省名牌产品 (re-evaluated every 3 years)
        ProvincialFamousProduct = "PROVINCIAL_FAMOUS_PRODUCT" ["名牌产品"],
        /// 地理标志, with the enterprises authorised to use it
        GeographicalIndication = "GEOGRAPHICAL_INDICATION" ["地理标志"],
        /// 浙江制造 certification (品字标)
        ZhejiangMade = "ZHEJIANG_MADE" ["浙江制造", "品字标"],
        /// 省著名商标: abolished in 2017
        ProvincialFamousTrademark = "PROVINCIAL_FAMOUS_TRADEMARK" ["著名商标"],
    }
}

impl BrandScheme {
    /// The first day on which the scheme no longer exists, for the schemes that were abolished.
    pub fn abolished_from(self) -> Option<NaiveDate> {
        match self {
            BrandScheme::ProvincialFamousTrademark => NaiveDate::from_ymd_opt(2018, 1, 1),
            BrandScheme::ChinaFamousProduct => NaiveDate::from_ymd_opt(2008, 1, 1),
            _ => None,
        }
    }
}

words! {
    /// Title schemes.
    TitleScheme {
        /// 政府质量奖
        GovernmentQualityAward = "GOVERNMENT_QUALITY_AWARD" ["质量奖"],
        /// 制造业单项冠军
        SingleChampion = "SINGLE_CHAMPION" ["单项冠军"],
        /// 示范企业
        DemonstrationEnterprise = "DEMONSTRATION_ENTERPRISE" ["示范企业"],
        /// 优质产品生产基地
        QualityProductionBase = "QUALITY_PRODUCTION_BASE" ["生产基地"],
        Other = "OTHER" ["其他"],
    }
}

words! {
    /// Administrative level of an award, brand or zone.
    Level {
        National = "NATIONAL" ["国家", "全国"],
        Provincial = "PROVINCIAL" ["省"],
        City = "CITY" ["市"],
        County = "COUNTY" ["县", "区"],
    }
}

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

/// Which kind of listing a row of the listing table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Whether a period covers `day`: begun on or before it, not ended on or before it.
pub fn covers(start: Option<NaiveDate>, end: Option<NaiveDate>, day: NaiveDate) -> bool {
    start.is_none_or(|s| s <= day) && end.is_none_or(|e| e > day)
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

// ---------------------------------------------------------------------------------------------------------------
// Import records

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

fn region(field: &str, v: Option<String>) -> Result<Option<String>, String> {
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
            region_code: region("regionCode", self.region_code)?,
            industry: clean(self.industry),
            address: clean(self.address),
            main_products: self.main_products.into_iter().filter_map(|n| clean(Some(n))).collect(),
        })
    }
}

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
        let region_code = region("regionCode", self.region_code.clone())?;
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
            region_code: region("regionCode", self.region_code)?,
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
