//! The notice as the domain knows it: vocabularies, the import record, and its validation.

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::symbol::{Area, NoticeSymbol, SuffixKind};
use crate::catalog::codes::{self, clean, date_field};

/// Kind of a notification.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoticeKind {
    Regular,
    /// SPS emergency measure (Article 6 of Annex B).
    Emergency,
    Addendum,
    Corrigendum,
    Revision,
    Supplement,
    /// SPS recognition of equivalence.
    RecognitionOfEquivalence,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Regular => "REGULAR",
            NoticeKind::Emergency => "EMERGENCY",
            NoticeKind::Addendum => "ADDENDUM",
            NoticeKind::Corrigendum => "CORRIGENDUM",
            NoticeKind::Revision => "REVISION",
            NoticeKind::Supplement => "SUPPLEMENT",
            NoticeKind::RecognitionOfEquivalence => "RECOGNITION_OF_EQUIVALENCE",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        let k = s.trim().to_ascii_lowercase();
        Some(match k.as_str() {
            "regular" | "regular notification" => NoticeKind::Regular,
            "emergency" | "emergency notification" | "emergency measure" => NoticeKind::Emergency,
            "addendum" | "emergency addendum" => NoticeKind::Addendum,
            "corrigendum" => NoticeKind::Corrigendum,
            "revision" => NoticeKind::Revision,
            "supplement" => NoticeKind::Supplement,
            "recognition_of_equivalence" | "recognition of equivalence" => NoticeKind::RecognitionOfEquivalence,
            _ => return None,
        })
    }

    /// What the symbol says: the last suffix decides; no suffix means regular.
    pub fn from_symbol(s: &NoticeSymbol) -> NoticeKind {
        match s.suffixes().last().map(|x| x.kind) {
            None => NoticeKind::Regular,
            Some(SuffixKind::Add) => NoticeKind::Addendum,
            Some(SuffixKind::Corr) => NoticeKind::Corrigendum,
            Some(SuffixKind::Rev) => NoticeKind::Revision,
            Some(SuffixKind::Suppl) => NoticeKind::Supplement,
        }
    }
}

/// TBT or SPS.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeArea {
    Tbt,
    Sps,
}

impl From<Area> for NoticeArea {
    fn from(a: Area) -> Self {
        match a {
            Area::Tbt => NoticeArea::Tbt,
            Area::Sps => NoticeArea::Sps,
        }
    }
}

impl NoticeArea {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeArea::Tbt => "TBT",
            NoticeArea::Sps => "SPS",
        }
    }
}

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal [$($alias:literal),*]),* $(,)? }) => {
        $(#[$m])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            /// The enum name, or the wording ePing and Chinese portals use.
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                let lower = t.to_lowercase();
                $(
                    if t.eq_ignore_ascii_case($code) $(|| lower.contains($alias))* {
                        return Some($name::$variant);
                    }
                )*
                None
            }
        }
    };
}

vocabulary! {
    /// Objective and rationale of a measure (box 7). TBT objectives first, then the five of SPS.
    NoticeObjective {
        ConsumerProtection = "CONSUMER_PROTECTION" ["deceptive", "consumer protection", "消费者保护", "欺诈"],
        HumanHealthSafety = "HUMAN_HEALTH_SAFETY" ["human health", "health or safety", "人类健康", "人身安全", "健康或安全"],
        AnimalPlantHealth = "ANIMAL_PLANT_HEALTH" ["animal or plant", "animal and plant", "动植物"],
        Environment = "ENVIRONMENT" ["environment", "环境"],
        QualityRequirements = "QUALITY_REQUIREMENTS" ["quality requirement", "质量要求"],
        Labelling = "LABELLING" ["labelling", "labeling", "consumer information", "标签", "消费者信息"],
        Harmonization = "HARMONIZATION" ["harmoni", "协调"],
        ReducingTradeBarriers = "REDUCING_TRADE_BARRIERS" ["trade barrier", "trade facilitation", "减少贸易壁垒", "贸易便利"],
        CostSaving = "COST_SAVING" ["cost saving", "productivity", "节约成本"],
        NationalSecurity = "NATIONAL_SECURITY" ["national security", "国家安全"],
        FoodSafety = "FOOD_SAFETY" ["food safety", "食品安全"],
        AnimalHealth = "ANIMAL_HEALTH" ["animal health", "动物健康"],
        PlantProtection = "PLANT_PROTECTION" ["plant protection", "植物保护"],
        ProtectHumansFromPests = "PROTECT_HUMANS_FROM_PESTS" ["humans from animal", "protect humans", "保护人类免受"],
        ProtectTerritoryFromPests = "PROTECT_TERRITORY_FROM_PESTS" ["territory", "保护国家免受", "保护领土"],
        Other = "OTHER" ["other", "其他"],
    }
}

vocabulary! {
    /// Why an addendum was issued.
    AddendumReason {
        CommentPeriodChanged = "COMMENT_PERIOD_CHANGED" ["comment period", "评议期", "意见期"],
        MeasureAdopted = "MEASURE_ADOPTED" ["adopted", "采纳", "批准"],
        MeasurePublished = "MEASURE_PUBLISHED" ["published", "发布"],
        EnteredIntoForce = "ENTERED_INTO_FORCE" ["entry into force", "entered into force", "生效"],
        Withdrawn = "WITHDRAWN" ["withdrawn", "撤回"],
        ContentChanged = "CONTENT_CHANGED" ["content", "内容"],
        InterpretiveGuidance = "INTERPRETIVE_GUIDANCE" ["interpretive", "guidance", "解释"],
        Other = "OTHER" ["other", "其他"],
    }
}

/// A relevant document (box 8).
#[derive(SimpleObject, Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoticeDocument {
    pub title: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub pages: Option<i32>,
}

/// One `{"type": "notice", ...}` line of a JSON Lines import; the field names are those of the GraphQL type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoticeRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub symbols: Vec<String>,
    pub area: Option<String>,
    pub kind: Option<String>,
    pub member: Option<String>,
    pub local_government: Option<String>,
    pub agency: Option<String>,
    #[serde(default)]
    pub articles: Vec<String>,
    pub distribution_date: Option<String>,
    pub comment_deadline: Option<String>,
    pub comment_deadline_text: Option<String>,
    pub proposed_adoption_date: Option<String>,
    pub proposed_adoption_date_text: Option<String>,
    pub proposed_entry_into_force_date: Option<String>,
    pub proposed_entry_into_force_date_text: Option<String>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub title_original: Option<String>,
    pub original_language: Option<String>,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    pub products_text: Option<String>,
    #[serde(default)]
    pub hs_codes: Vec<String>,
    #[serde(default)]
    pub ics_codes: Vec<String>,
    #[serde(default)]
    pub objectives: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub documents: Vec<NoticeDocument>,
    #[serde(default)]
    pub addendum_reasons: Vec<String>,
    #[serde(default)]
    pub regions_affected: Vec<String>,
}

/// A validated notice, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeData {
    pub symbols: Vec<NoticeSymbol>,
    pub area: NoticeArea,
    pub kind: NoticeKind,
    pub member: String,
    pub local_government: Option<String>,
    pub agency: Option<String>,
    pub articles: Vec<String>,
    pub distribution_date: NaiveDate,
    pub comment_deadline: Option<NaiveDate>,
    pub comment_deadline_text: Option<String>,
    pub comment_deadline_derived: bool,
    pub proposed_adoption_date: Option<NaiveDate>,
    pub proposed_adoption_date_text: Option<String>,
    pub proposed_entry_into_force_date: Option<NaiveDate>,
    pub proposed_entry_into_force_date_text: Option<String>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub title_original: Option<String>,
    pub original_language: Option<String>,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    pub products_text: Option<String>,
    pub hs_codes: Vec<String>,
    pub ics_codes: Vec<String>,
    pub objectives: Vec<NoticeObjective>,
    pub keywords: Vec<String>,
    pub documents: Vec<NoticeDocument>,
    pub addendum_reasons: Vec<AddendumReason>,
    pub regions_affected: Vec<String>,
}

impl NoticeData {
    pub fn primary_symbol(&self) -> &NoticeSymbol {
        &self.symbols[0]
    }

    /// A notice of `symbols` (at least one) distributed on `distribution_date`, every other field empty: for a
    /// partial read (the columns a listing selected, the attributes a search index stores) that fills what it
    /// read and resolves nothing else.
    pub fn bare(symbols: Vec<NoticeSymbol>, distribution_date: NaiveDate) -> NoticeData {
        NoticeData {
            symbols,
            area: NoticeArea::Tbt,
            kind: NoticeKind::Regular,
            member: String::new(),
            local_government: None,
            agency: None,
            articles: Vec::new(),
            distribution_date,
            comment_deadline: None,
            comment_deadline_text: None,
            comment_deadline_derived: false,
            proposed_adoption_date: None,
            proposed_adoption_date_text: None,
            proposed_entry_into_force_date: None,
            proposed_entry_into_force_date_text: None,
            title_zh: None,
            title_en: None,
            title_original: None,
            original_language: None,
            description_zh: None,
            description_en: None,
            products_text: None,
            hs_codes: Vec::new(),
            ics_codes: Vec::new(),
            objectives: Vec::new(),
            keywords: Vec::new(),
            documents: Vec::new(),
            addendum_reasons: Vec::new(),
            regions_affected: Vec::new(),
        }
    }
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: i32,
    pub data: NoticeData,
    /// The comment deadline in force: `data.comment_deadline` unless a follow-up changed the comment period.
    pub deadline_in_force: Option<NaiveDate>,
    /// The follow-up (addendum or corrigendum) that set `deadline_in_force`; `None` when it is the notice's own.
    pub deadline_set_by: Option<i32>,
    pub source: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl NoticeData {
    /// Whether this record changes the comment period of `notice`: an addendum or corrigendum of it (or of one
    /// of its addenda) that gives the reason `COMMENT_PERIOD_CHANGED` and a new deadline.
    pub fn changes_comment_period_of(&self, notice: &NoticeData) -> bool {
        self.comment_deadline.is_some()
            && self.addendum_reasons.contains(&AddendumReason::CommentPeriodChanged)
            && self
                .symbols
                .iter()
                .any(|s| notice.symbols.iter().any(|of| s.amends(of)))
    }
}

/// The comment deadline in force for `notice`, and the follow-up that set it (`None`: the notice's own).
/// `chain` holds the other notices of its chain (it may hold `notice` too, and notices of other chains). The
/// newest of the notice itself and the follow-ups that change its comment period decides, by distribution
/// date and then symbol, so the answer does not depend on the order in which the records arrived.
pub fn deadline_in_force(notice: &Notice, chain: &[Notice]) -> (Option<NaiveDate>, Option<i32>) {
    let key = |n: &Notice| (n.data.distribution_date, n.data.primary_symbol().clone(), n.id);
    let newest = chain
        .iter()
        .filter(|f| f.id != notice.id && f.data.changes_comment_period_of(&notice.data))
        .max_by_key(|f| key(f));
    match newest {
        Some(f) if key(f) > key(notice) => (f.data.comment_deadline, Some(f.id)),
        _ => (notice.data.comment_deadline, None),
    }
}

/// "60 days after notification", "通报后60天": the number of days counted from distribution, if the text says so.
pub fn days_from_notification(text: &str) -> Option<i64> {
    let lower = text.to_lowercase();
    let mentions = lower.contains("notif") || lower.contains("distribut") || text.contains("通报");
    if !mentions {
        return None;
    }
    let digits: String = lower
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let n: i64 = digits.parse().ok()?;
    let unit_ok = lower.contains("day") || text.contains('天') || text.contains('日');
    (unit_ok && (1..=365).contains(&n)).then_some(n)
}

impl NoticeRecord {
    /// Checks every field; the error says which field and why.
    pub fn validate(self) -> Result<NoticeData, String> {
        if let Some(t) = &self.record_type
            && t != "notice"
        {
            return Err(format!("type: expected \"notice\", found {t:?}"));
        }
        if self.symbols.is_empty() {
            return Err("symbols: at least one notification symbol is required".into());
        }
        let mut symbols: Vec<NoticeSymbol> = Vec::new();
        for s in &self.symbols {
            let sym = NoticeSymbol::parse(s).map_err(|e| format!("symbols: {e}"))?;
            if !symbols.contains(&sym) {
                symbols.push(sym);
            }
        }
        let first_area = symbols[0].area();
        if symbols.iter().any(|s| s.area() != first_area) {
            return Err("symbols: a joint notification cannot mix TBT and SPS symbols".into());
        }
        let area = NoticeArea::from(first_area);
        if let Some(a) = clean(self.area.clone()) {
            match Area::parse(&a) {
                Some(given) if NoticeArea::from(given) == area => {}
                Some(_) => return Err(format!("area: {a:?} contradicts the symbol {}", symbols[0])),
                None => return Err(format!("area: {a:?} is not TBT or SPS")),
            }
        }
        let derived_kind = NoticeKind::from_symbol(&symbols[0]);
        let kind = match clean(self.kind.clone()) {
            None => derived_kind,
            Some(k) => {
                let given = NoticeKind::parse(&k).ok_or_else(|| format!("kind: {k:?} is not a notice kind"))?;
                // A symbol with a suffix decides; emergency and equivalence are only known from the form.
                if derived_kind != NoticeKind::Regular && given != derived_kind && given != NoticeKind::Emergency {
                    return Err(format!("kind: {k:?} contradicts the symbol {}", symbols[0]));
                }
                if derived_kind != NoticeKind::Regular {
                    derived_kind
                } else {
                    given
                }
            }
        };
        let member = match (clean(self.member.clone()), symbols[0].member()) {
            (_, Some(code)) => code.to_string(),
            (Some(m), None) => {
                let m = m.to_ascii_uppercase();
                if !(2..=4).contains(&m.len()) || !m.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err(format!("member: {m:?} is not a WTO member code"));
                }
                m
            }
            (None, None) => return Err("member: a legacy symbol does not name the member; give `member`".into()),
        };
        let distribution_date =
            date_field("distributionDate", self.distribution_date)?.ok_or("distributionDate: required")?;
        let mut comment_deadline = date_field("commentDeadline", self.comment_deadline)?;
        let comment_deadline_text = clean(self.comment_deadline_text);
        let mut comment_deadline_derived = false;
        if comment_deadline.is_none()
            && let Some(days) = comment_deadline_text.as_deref().and_then(days_from_notification)
        {
            comment_deadline = Some(distribution_date + chrono::Duration::days(days));
            comment_deadline_derived = true;
        }
        let mut hs_codes = Vec::new();
        for c in &self.hs_codes {
            for part in codes::split_codes(c) {
                let code = codes::normalise_hs(part)
                    .ok_or_else(|| format!("hsCodes: {part:?} is not an HS code (2-10 digits)"))?;
                if !hs_codes.contains(&code) {
                    hs_codes.push(code);
                }
            }
        }
        let mut ics_codes = Vec::new();
        for c in &self.ics_codes {
            for part in codes::split_codes(c) {
                let code = codes::normalise_ics(part)
                    .ok_or_else(|| format!("icsCodes: {part:?} is not an ICS code (e.g. 97.200.50)"))?;
                if !ics_codes.contains(&code) {
                    ics_codes.push(code);
                }
            }
        }
        let mut objectives = Vec::new();
        for o in &self.objectives {
            let v = NoticeObjective::parse(o).ok_or_else(|| format!("objectives: {o:?} is not a known objective"))?;
            if !objectives.contains(&v) {
                objectives.push(v);
            }
        }
        let mut addendum_reasons = Vec::new();
        for o in &self.addendum_reasons {
            let v = AddendumReason::parse(o).ok_or_else(|| format!("addendumReasons: {o:?} is not a known reason"))?;
            if !addendum_reasons.contains(&v) {
                addendum_reasons.push(v);
            }
        }
        for a in &self.articles {
            let a = a.trim();
            if a.is_empty() || a.len() > 16 {
                return Err(format!("articles: {a:?} is not an article number"));
            }
        }
        if clean(self.title_zh.clone()).is_none()
            && clean(self.title_en.clone()).is_none()
            && clean(self.title_original.clone()).is_none()
        {
            return Err("titleZh/titleEn: a notice needs a title".into());
        }
        Ok(NoticeData {
            symbols,
            area,
            kind,
            member,
            local_government: clean(self.local_government),
            agency: clean(self.agency),
            articles: self.articles.iter().map(|a| a.trim().to_string()).collect(),
            distribution_date,
            comment_deadline,
            comment_deadline_text,
            comment_deadline_derived,
            proposed_adoption_date: date_field("proposedAdoptionDate", self.proposed_adoption_date)?,
            proposed_adoption_date_text: clean(self.proposed_adoption_date_text),
            proposed_entry_into_force_date: date_field(
                "proposedEntryIntoForceDate",
                self.proposed_entry_into_force_date,
            )?,
            proposed_entry_into_force_date_text: clean(self.proposed_entry_into_force_date_text),
            title_zh: clean(self.title_zh),
            title_en: clean(self.title_en),
            title_original: clean(self.title_original),
            original_language: clean(self.original_language),
            description_zh: clean(self.description_zh),
            description_en: clean(self.description_en),
            products_text: clean(self.products_text),
            hs_codes,
            ics_codes,
            objectives,
            keywords: self.keywords.into_iter().filter_map(|k| clean(Some(k))).collect(),
            documents: self.documents,
            addendum_reasons,
            regions_affected: self
                .regions_affected
                .into_iter()
                .filter_map(|k| clean(Some(k)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> NoticeRecord {
        NoticeRecord {
            symbols: vec!["g/tbt/n/usa/1598/add.1".into()],
            distribution_date: Some("2024-03-15".into()),
            title_en: Some("Toys".into()),
            ..Default::default()
        }
    }

    #[test]
    fn kind_and_member_follow_from_the_symbol() {
        let d = record().validate().unwrap();
        assert_eq!(d.kind, NoticeKind::Addendum);
        assert_eq!(d.member, "USA");
        assert_eq!(d.area, NoticeArea::Tbt);
        assert_eq!(d.primary_symbol().to_string(), "G/TBT/N/USA/1598/Add.1");
    }

    #[test]
    fn deadline_is_derived_only_when_the_text_counts_days_from_notification() {
        let mut r = record();
        r.comment_deadline_text = Some("60 days from notification".into());
        let d = r.validate().unwrap();
        assert_eq!(d.comment_deadline, NaiveDate::from_ymd_opt(2024, 5, 14));
        assert!(d.comment_deadline_derived);
        let mut r = record();
        r.comment_deadline_text = Some("通报后60天".into());
        assert!(r.validate().unwrap().comment_deadline_derived);
        let mut r = record();
        r.comment_deadline_text = Some("To be determined".into());
        let d = r.validate().unwrap();
        assert_eq!(d.comment_deadline, None);
        assert!(!d.comment_deadline_derived);
        assert_eq!(d.comment_deadline_text.as_deref(), Some("To be determined"));
    }

    fn stored(id: i32, symbol: &str, distributed: &str, deadline: Option<&str>, reasons: &[&str]) -> Notice {
        let r = NoticeRecord {
            symbols: vec![symbol.into()],
            distribution_date: Some(distributed.into()),
            comment_deadline: deadline.map(Into::into),
            addendum_reasons: reasons.iter().map(|r| r.to_string()).collect(),
            title_en: Some("Toys".into()),
            ..Default::default()
        };
        let data = r.validate().unwrap();
        Notice {
            id,
            deadline_in_force: data.comment_deadline,
            deadline_set_by: None,
            data,
            source: "test".into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_newest_change_of_the_comment_period_is_in_force() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let original = stored(1, "G/TBT/N/CHN/2140", "2026-09-10", Some("2026-11-09"), &[]);
        let extends = stored(
            2,
            "G/TBT/N/CHN/2140/Add.1",
            "2026-10-28",
            Some("2026-12-09"),
            &["COMMENT_PERIOD_CHANGED"],
        );
        let adopted = stored(
            3,
            "G/TBT/N/CHN/2140/Add.2",
            "2026-12-20",
            Some("2027-01-31"),
            &["MEASURE_ADOPTED"],
        );
        let corrects = stored(
            4,
            "G/TBT/N/CHN/2140/Add.1/Corr.1",
            "2026-11-02",
            Some("2026-12-19"),
            &["COMMENT_PERIOD_CHANGED"],
        );
        let revision = stored(
            5,
            "G/TBT/N/CHN/2140/Rev.1",
            "2027-03-01",
            Some("2027-05-01"),
            &["COMMENT_PERIOD_CHANGED"],
        );
        let other = stored(
            6,
            "G/TBT/N/CHN/2141/Add.1",
            "2026-11-01",
            Some("2027-06-01"),
            &["COMMENT_PERIOD_CHANGED"],
        );

        assert_eq!(deadline_in_force(&original, &[]), (day("2026-11-09"), None));
        let chain = [
            original.clone(),
            extends.clone(),
            adopted.clone(),
            revision.clone(),
            other.clone(),
        ];
        assert_eq!(deadline_in_force(&original, &chain), (day("2026-12-09"), Some(2)));
        // In any order; a later corrigendum of the addendum wins over the addendum.
        let chain = [
            corrects.clone(),
            other,
            revision,
            adopted,
            extends.clone(),
            original.clone(),
        ];
        assert_eq!(deadline_in_force(&original, &chain), (day("2026-12-19"), Some(4)));
        assert_eq!(deadline_in_force(&extends, &chain), (day("2026-12-19"), Some(4)));
        // A follow-up dated before the original (a data error) does not override it.
        let early = stored(
            7,
            "G/TBT/N/CHN/2140/Add.3",
            "2026-09-01",
            Some("2026-09-30"),
            &["COMMENT_PERIOD_CHANGED"],
        );
        assert_eq!(deadline_in_force(&original, &[early]), (day("2026-11-09"), None));
        // A change of the comment period without a date changes nothing.
        let undated = stored(
            8,
            "G/TBT/N/CHN/2140/Add.4",
            "2026-11-30",
            None,
            &["COMMENT_PERIOD_CHANGED"],
        );
        assert_eq!(deadline_in_force(&original, &[undated]), (day("2026-11-09"), None));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut r = record();
        r.distribution_date = Some("2024-02-31".into());
        assert!(r.validate().unwrap_err().starts_with("distributionDate"));
        let mut r = record();
        r.hs_codes = vec!["95A3".into()];
        assert!(r.validate().unwrap_err().starts_with("hsCodes"));
        let mut r = record();
        r.objectives = vec!["world peace".into()];
        assert!(r.validate().unwrap_err().starts_with("objectives"));
        let mut r = record();
        r.symbols = vec!["G/TBT/N/USA/1".into(), "G/SPS/N/USA/1".into()];
        assert!(r.validate().unwrap_err().contains("mix"));
        let mut r = record();
        r.distribution_date = None;
        assert!(r.validate().unwrap_err().starts_with("distributionDate"));
    }

    #[test]
    fn objectives_parse_from_eping_wording() {
        assert_eq!(
            NoticeObjective::parse("Protection of human health or safety"),
            Some(NoticeObjective::HumanHealthSafety)
        );
        assert_eq!(
            NoticeObjective::parse("Consumer information, labelling"),
            Some(NoticeObjective::Labelling)
        );
        assert_eq!(NoticeObjective::parse("FOOD_SAFETY"), Some(NoticeObjective::FoodSafety));
        assert_eq!(NoticeObjective::parse("Food safety"), Some(NoticeObjective::FoodSafety));
        assert_eq!(
            NoticeObjective::parse("Protection of the environment"),
            Some(NoticeObjective::Environment)
        );
    }
}
