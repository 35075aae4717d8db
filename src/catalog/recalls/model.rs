//! Recalls (国外通报召回, 出口退运): kinds, risk types and company roles, countries as WTO member codes, the import
//! record every format is read into, and its validation into `RecallData`.

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::catalog::codes::{clean, date_field, fold_width, normalise_hs, split_codes};
use crate::catalog::enterprises::model::import_code;
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::notices::members::code_for;
use crate::catalog::terms::words;

words! {
    /// What the notifying country did.
    RecallKind {
        /// 召回: withdrawn from the market or recalled from consumers.
        Recall = "RECALL" ["召回", "recall"],
        /// 拒绝入境: stopped at the border.
        BorderRejection = "BORDER_REJECTION" ["拒绝入境", "拒入", "rejected at the border", "rejection"],
        /// 退运: sent back to China.
        ReturnedGoods = "RETURNED_GOODS" ["退运", "退货", "returned"],
        /// 通报: an alert without a measure of these kinds.
        Alert = "ALERT" ["通报", "预警"],
    }
}

words! {
    /// Kind of hazard, as Safety Gate and CPSC classify them; the published wording is kept beside it.
    RiskType {
        Chemical = "CHEMICAL" ["化学", "有害物质", "重金属", "增塑剂", "邻苯", "溶出", "甲醛", "镉"],
        Choking = "CHOKING" ["哽噎", "噎"],
        Injuries = "INJURIES" ["伤害", "割伤", "跌落"],
        ElectricShock = "ELECTRIC_SHOCK" ["电击", "触电"],
        Fire = "FIRE" ["火灾", "起火", "着火"],
        Burns = "BURNS" ["烧伤", "烫伤", "灼伤"],
        Microbiological = "MICROBIOLOGICAL" ["微生物", "细菌"],
        Strangulation = "STRANGULATION" ["勒颈", "勒伤"],
        Suffocation = "SUFFOCATION" ["窒息"],
        Drowning = "DROWNING" ["溺水"],
        Entrapment = "ENTRAPMENT" ["夹伤", "卡住"],
        Environment = "ENVIRONMENT" ["环境"],
        Hearing = "HEARING" ["听力"],
        /// Not one of the above (the wording is in `riskRaw`).
        Other = "OTHER" [],
    }
}

impl RiskType {
    /// One risk as Safety Gate or CPSC writes it (`Electric shock`, `Burn Hazard`, `Electrocution`, 化学危害).
    pub fn read(s: &str) -> RiskType {
        let t = s.trim().to_lowercase();
        if let Some(r) = RiskType::parse(&t.replace([' ', '-'], "_")) {
            return r;
        }
        const ENGLISH: &[(&str, RiskType)] = &[
            ("chemical", RiskType::Chemical),
            ("lead", RiskType::Chemical),
            ("poison", RiskType::Chemical),
            ("choking", RiskType::Choking),
            ("aspiration", RiskType::Choking),
            ("electr", RiskType::ElectricShock),
            ("shock", RiskType::ElectricShock),
            ("fire", RiskType::Fire),
            ("burn", RiskType::Burns),
            ("microbio", RiskType::Microbiological),
            ("strangulation", RiskType::Strangulation),
            ("suffocation", RiskType::Suffocation),
            ("drowning", RiskType::Drowning),
            ("entrapment", RiskType::Entrapment),
            ("environment", RiskType::Environment),
            ("hearing", RiskType::Hearing),
            ("injur", RiskType::Injuries),
            ("laceration", RiskType::Injuries),
            ("fall", RiskType::Injuries),
            ("tip-over", RiskType::Injuries),
            ("tip over", RiskType::Injuries),
            ("crash", RiskType::Injuries),
            ("cut", RiskType::Injuries),
        ];
        ENGLISH
            .iter()
            .find(|(w, _)| t.contains(w))
            .map(|(_, r)| *r)
            .or_else(|| RiskType::parse(s))
            .unwrap_or(RiskType::Other)
    }

    /// Every risk of a cell (`Chemical, Injuries`, `Burns/Fire`, 化学；窒息), each once, in order.
    pub fn read_all(s: &str) -> Vec<RiskType> {
        let mut out = Vec::new();
        for piece in s
            .split([',', ';', '/', '\n', '，', '；', '、'])
            .flat_map(|p| p.split(" and "))
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let r = RiskType::read(piece);
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

words! {
    /// What a company named by a recall did with the product.
    CompanyRole {
        /// 生产商
        Manufacturer = "MANUFACTURER" ["生产", "制造", "manufacturer"],
        /// 出口商
        Exporter = "EXPORTER" ["出口", "exporter"],
        /// 进口商
        Importer = "IMPORTER" ["进口", "importer"],
        /// 经销商
        Distributor = "DISTRIBUTOR" ["经销", "分销", "distributor"],
        /// 零售商
        Retailer = "RETAILER" ["零售", "retailer"],
        Other = "OTHER" [],
    }
}

/// ISO alpha-2 codes people and feeds use, as the WTO member codes (ISO alpha-3) this catalogue stores.
const ALPHA2: &[(&str, &str)] = &[
    ("AT", "AUT"),
    ("AU", "AUS"),
    ("BE", "BEL"),
    ("BG", "BGR"),
    ("CA", "CAN"),
    ("CN", "CHN"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DE", "DEU"),
    ("DK", "DNK"),
    ("EE", "EST"),
    ("ES", "ESP"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("GB", "GBR"),
    ("UK", "GBR"),
    ("GR", "GRC"),
    ("EL", "GRC"),
    ("HK", "HKG"),
    ("HR", "HRV"),
    ("HU", "HUN"),
    ("IE", "IRL"),
    ("IS", "ISL"),
    ("IT", "ITA"),
    ("JP", "JPN"),
    ("KR", "KOR"),
    ("LI", "LIE"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("MT", "MLT"),
    ("NL", "NLD"),
    ("NO", "NOR"),
    ("NZ", "NZL"),
    ("PL", "POL"),
    ("PT", "PRT"),
    ("RO", "ROU"),
    ("SE", "SWE"),
    ("SI", "SVN"),
    ("SK", "SVK"),
    ("TR", "TUR"),
    ("US", "USA"),
    ("VN", "VNM"),
];

/// Names the member list does not spell this way.
const ALIASES: &[(&str, &str)] = &[
    ("people's republic of china", "CHN"),
    ("p.r. china", "CHN"),
    ("pr china", "CHN"),
    ("prc", "CHN"),
    ("中华人民共和国", "CHN"),
    ("中国大陆", "CHN"),
    ("u.s.", "USA"),
    ("u.s.a.", "USA"),
    ("united states", "USA"),
    ("czechia", "CZE"),
    ("slovakia", "SVK"),
    ("the netherlands", "NLD"),
    ("south korea", "KOR"),
    ("korea", "KOR"),
    ("turkey", "TUR"),
    ("great britain", "GBR"),
    ("hong kong", "HKG"),
    ("taiwan", "TPKM"),
    ("vietnam", "VNM"),
    ("russia", "RUS"),
];

/// The states of the European Union: their alerts concern a watch of the `EU` market too.
const EU_STATES: &[&str] = &[
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA", "LVA",
    "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
];

/// A country as a WTO member code (ISO alpha-3, `EU`, `TPKM`): from that code, an ISO alpha-2 code, or an English or
/// Chinese name.
pub fn country_code(s: &str) -> Option<String> {
    let t = fold_width(s).trim().trim_end_matches('.').to_string();
    if t.is_empty() {
        return None;
    }
    let upper = t.to_ascii_uppercase();
    if let Some((_, c)) = ALPHA2.iter().find(|(a, _)| *a == upper) {
        return Some((*c).to_string());
    }
    let lower = t.to_lowercase();
    if let Some((_, c)) = ALIASES.iter().find(|(a, _)| *a == lower) {
        return Some((*c).to_string());
    }
    code_for(&t)
}

/// The markets an alert of `country` concerns: the country, and `EU` for a member state.
pub fn markets_of(country: &str) -> Vec<String> {
    let mut out = vec![country.to_string()];
    if EU_STATES.contains(&country) {
        out.push("EU".into());
    }
    out
}

/// A company as a record names it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyRecord {
    pub role: Option<String>,
    pub name: Option<String>,
    pub credit_code: Option<String>,
}

/// A recall as it is read from any format (JSON Lines, Safety Gate, CPSC, customs sheets), before validation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecallRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub kind: Option<String>,
    /// The notifying country's own reference (`A12/01234/23`, CPSC `24-123`); derived for a returned-goods row that has none.
    pub reference: Option<String>,
    pub country: Option<String>,
    pub authority: Option<String>,
    pub notified_on: Option<String>,
    pub category: Option<String>,
    pub product: Option<String>,
    pub name: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub batch: Option<String>,
    #[serde(default)]
    pub barcodes: Vec<String>,
    #[serde(default)]
    pub hs_codes: Vec<String>,
    /// Enum names or the published wording; `risk` keeps the wording as a whole.
    #[serde(default)]
    pub risk_types: Vec<String>,
    pub risk: Option<String>,
    pub risk_description: Option<String>,
    pub measures: Option<String>,
    pub origin: Option<String>,
    pub port: Option<String>,
    pub reason: Option<String>,
    pub units: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default)]
    pub companies: Vec<CompanyRecord>,
}

/// A company named by a validated recall.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyData {
    pub role: CompanyRole,
    pub name: Option<String>,
    pub credit_code: Option<Uscc>,
}

/// A validated recall.
#[derive(Debug, Clone, PartialEq)]
pub struct RecallData {
    pub kind: RecallKind,
    pub reference: String,
    /// WTO member code of the notifying country.
    pub country: String,
    pub country_raw: Option<String>,
    pub authority: Option<String>,
    pub notified_on: NaiveDate,
    pub category: Option<String>,
    pub product: Option<String>,
    pub name: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub batch: Option<String>,
    pub barcodes: Vec<String>,
    /// Digits only, each once.
    pub hs_codes: Vec<String>,
    pub risk_types: Vec<RiskType>,
    pub risk_raw: Option<String>,
    pub risk_description: Option<String>,
    pub measures: Option<String>,
    /// WTO member code of the country of origin, when the text names one.
    pub origin: Option<String>,
    pub origin_raw: Option<String>,
    pub port: Option<String>,
    pub reason: Option<String>,
    pub units: Option<String>,
    pub description: Option<String>,
    pub links: Vec<String>,
    pub companies: Vec<CompanyData>,
}

impl RecallData {
    /// What makes a recall the same on a re-import: the notifying country and its reference.
    pub fn natural_key(&self) -> String {
        format!("{}|{}", self.country, self.reference)
    }
}

fn list(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v.into_iter().filter_map(|s| clean(Some(s))) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

impl RecallRecord {
    pub fn validate(self) -> Result<RecallData, String> {
        let country_raw = clean(self.country);
        let country = match &country_raw {
            None => return Err("country: required (the notifying country)".into()),
            Some(c) => country_code(c).ok_or_else(|| {
                format!("country: {c:?} is not a country this catalogue knows (give a code such as USA, DE or EU, or its name)")
            })?,
        };
        let notified_on = date_field("notifiedOn", self.notified_on)?.ok_or("notifiedOn: required")?;
        let kind = match clean(self.kind) {
            None => RecallKind::Recall,
            Some(k) => RecallKind::parse(&k)
                .ok_or_else(|| format!("kind: {k:?} is not RECALL, BORDER_REJECTION, RETURNED_GOODS or ALERT"))?,
        };
        let mut hs_codes: Vec<String> = Vec::new();
        for c in self.hs_codes.iter().flat_map(|c| split_codes(c)) {
            let folded = fold_width(c);
            let code =
                normalise_hs(&folded).ok_or_else(|| format!("hsCodes: {c:?} is not an HS code of 2 to 10 digits"))?;
            if !hs_codes.contains(&code) {
                hs_codes.push(code);
            }
        }
        let risk_raw = clean(self.risk);
        let mut risk_types: Vec<RiskType> = Vec::new();
        for r in self.risk_types.iter().chain(risk_raw.iter()) {
            for t in RiskType::read_all(r) {
                if !risk_types.contains(&t) {
                    risk_types.push(t);
                }
            }
        }
        let origin_raw = clean(self.origin);
        let origin = origin_raw.as_deref().and_then(country_code);
        let mut companies = Vec::new();
        for (i, c) in self.companies.into_iter().enumerate() {
            let credit_code = match clean(c.credit_code) {
                None => None,
                Some(code) => Some(import_code(&format!("companies[{i}].creditCode"), &code)?),
            };
            let name = clean(c.name);
            if name.is_none() && credit_code.is_none() {
                continue;
            }
            let role = match clean(c.role) {
                None => CompanyRole::Other,
                Some(r) => CompanyRole::parse(&r).unwrap_or(CompanyRole::Other),
            };
            companies.push(CompanyData {
                role,
                name,
                credit_code,
            });
        }
        let name = clean(self.name);
        let product = clean(self.product);
        let port = clean(self.port);
        let reason = clean(self.reason);
        let reference = match clean(self.reference) {
            Some(r) if r.chars().count() > 120 => {
                return Err(format!("reference: {r:?} is longer than 120 characters"));
            }
            Some(r) => r,
            None if kind == RecallKind::ReturnedGoods || kind == RecallKind::BorderRejection => derived_reference(
                kind,
                notified_on,
                &[&name, &product, &port, &reason],
                &hs_codes,
                &companies,
            ),
            None => return Err("reference: required (the notifying country's own number)".into()),
        };
        if name.is_none() && product.is_none() {
            return Err("name: required (the product's name, or its kind in `product`)".into());
        }
        Ok(RecallData {
            kind,
            reference,
            country,
            country_raw,
            authority: clean(self.authority),
            notified_on,
            category: clean(self.category),
            product,
            name,
            brand: clean(self.brand),
            model: clean(self.model),
            batch: clean(self.batch),
            barcodes: list(self.barcodes),
            hs_codes,
            risk_types,
            risk_raw,
            risk_description: clean(self.risk_description),
            measures: clean(self.measures),
            origin,
            origin_raw,
            port,
            reason,
            units: clean(self.units),
            description: clean(self.description),
            links: list(self.links),
            companies,
        })
    }
}

/// A reference for a returned-goods or rejection row that has none: `退运-` (`拒入-`) and the first 12 hex digits of
/// a hash of what the row says, so that importing the same list twice finds the same records.
fn derived_reference(
    kind: RecallKind,
    day: NaiveDate,
    texts: &[&Option<String>],
    hs: &[String],
    companies: &[CompanyData],
) -> String {
    let mut h = Sha256::new();
    h.update(day.to_string());
    for t in texts {
        h.update([0u8]);
        h.update(t.as_deref().unwrap_or_default());
    }
    for c in hs {
        h.update([1u8]);
        h.update(c);
    }
    for c in companies {
        h.update([2u8]);
        h.update(c.credit_code.as_ref().map(|u| u.as_str()).unwrap_or_default());
        h.update(c.name.as_deref().unwrap_or_default());
    }
    let hex: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    let prefix = if kind == RecallKind::BorderRejection {
        "拒入"
    } else {
        "退运"
    };
    format!("{prefix}-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_by_code_alpha2_and_name() {
        assert_eq!(country_code("CN").as_deref(), Some("CHN"));
        assert_eq!(country_code("China").as_deref(), Some("CHN"));
        assert_eq!(country_code("People's Republic of China").as_deref(), Some("CHN"));
        assert_eq!(country_code("Germany").as_deref(), Some("DEU"));
        assert_eq!(country_code("德国").as_deref(), Some("DEU"));
        assert_eq!(country_code("United States").as_deref(), Some("USA"));
        assert_eq!(country_code("usa").as_deref(), Some("USA"));
        assert_eq!(country_code("EU").as_deref(), Some("EU"));
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(markets_of("DEU"), vec!["DEU", "EU"]);
        assert_eq!(markets_of("USA"), vec!["USA"]);
    }

    #[test]
    fn risk_wordings() {
        assert_eq!(RiskType::read("Electric shock"), RiskType::ElectricShock);
        assert_eq!(RiskType::read("ELECTRIC_SHOCK"), RiskType::ElectricShock);
        assert_eq!(RiskType::read("Burn Hazard"), RiskType::Burns);
        assert_eq!(RiskType::read("Electrocution"), RiskType::ElectricShock);
        assert_eq!(RiskType::read("Lead Poisoning"), RiskType::Chemical);
        assert_eq!(RiskType::read("化学危害"), RiskType::Chemical);
        assert_eq!(RiskType::read("铅溶出量超标"), RiskType::Chemical);
        assert_eq!(RiskType::read("Damage to sight"), RiskType::Other);
        assert_eq!(
            RiskType::read_all("Chemical, Injuries; Chemical"),
            vec![RiskType::Chemical, RiskType::Injuries]
        );
        assert_eq!(
            RiskType::read_all("窒息、勒颈"),
            vec![RiskType::Suffocation, RiskType::Strangulation]
        );
    }

    fn record() -> RecallRecord {
        RecallRecord {
            reference: Some("A12/01234/23".into()),
            country: Some("Germany".into()),
            notified_on: Some("2023-06-02".into()),
            name: Some("Toy slime".into()),
            hs_codes: vec!["9503.00; 950300".into()],
            risk: Some("Chemical".into()),
            origin: Some("People's Republic of China".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_record_validates() {
        let d = record().validate().unwrap();
        assert_eq!(d.country, "DEU");
        assert_eq!(d.country_raw.as_deref(), Some("Germany"));
        assert_eq!(d.hs_codes, vec!["950300"]);
        assert_eq!(d.risk_types, vec![RiskType::Chemical]);
        assert_eq!(d.origin.as_deref(), Some("CHN"));
        assert_eq!(d.natural_key(), "DEU|A12/01234/23");
        assert_eq!(d.kind, RecallKind::Recall);
    }

    #[test]
    fn bad_records_say_why() {
        let e = RecallRecord {
            country: Some("Atlantis".into()),
            ..record()
        }
        .validate()
        .unwrap_err();
        assert!(e.starts_with("country:"), "{e}");
        let e = RecallRecord {
            notified_on: Some("yesterday".into()),
            ..record()
        }
        .validate()
        .unwrap_err();
        assert!(e.starts_with("notifiedOn:"), "{e}");
        let e = RecallRecord {
            hs_codes: vec!["95x3".into()],
            ..record()
        }
        .validate()
        .unwrap_err();
        assert!(e.starts_with("hsCodes:"), "{e}");
        let e = RecallRecord {
            reference: None,
            ..record()
        }
        .validate()
        .unwrap_err();
        assert!(e.starts_with("reference:"), "{e}");
    }

    #[test]
    fn returned_goods_get_a_stable_reference() {
        let r = || RecallRecord {
            kind: Some("退运".into()),
            reference: None,
            ..record()
        };
        let a = r().validate().unwrap();
        let b = r().validate().unwrap();
        assert_eq!(a.kind, RecallKind::ReturnedGoods);
        assert!(a.reference.starts_with("退运-"), "{}", a.reference);
        assert_eq!(a.reference, b.reference);
        let rejected = RecallRecord {
            kind: Some("BORDER_REJECTION".into()),
            reference: None,
            ..record()
        }
        .validate()
        .unwrap();
        assert!(rejected.reference.starts_with("拒入-"), "{}", rejected.reference);
    }
}
