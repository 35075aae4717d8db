//! `StandardNumber`: every level of Chinese standard number (DOMAIN.md §2) and common international ones, as
//! people write them, with a canonical form and a family key that links editions.

use std::fmt;

/// Level of a standard.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StandardLevel {
    /// 国家标准: GB, GB/T, GB/Z, and GBZ (occupational health).
    National,
    /// 行业标准: two-letter industry codes (QB, JB, SN, ...) and composite ones (NB/SH).
    Industry,
    /// 地方标准: DB33, DB3301, ...
    Local,
    /// 团体标准: T/ZZB, T/CHEAA, ...
    Group,
    /// 企业标准: Q/...
    Enterprise,
    /// ISO, IEC, ITU.
    International,
    /// Standards of other countries and regions (EN, ASTM, BS, DIN, JIS, ...).
    Foreign,
}

impl StandardLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardLevel::National => "NATIONAL",
            StandardLevel::Industry => "INDUSTRY",
            StandardLevel::Local => "LOCAL",
            StandardLevel::Group => "GROUP",
            StandardLevel::Enterprise => "ENTERPRISE",
            StandardLevel::International => "INTERNATIONAL",
            StandardLevel::Foreign => "FOREIGN",
        }
    }

    pub fn parse(s: &str) -> Option<StandardLevel> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "NATIONAL" | "国家标准" => StandardLevel::National,
            "INDUSTRY" | "行业标准" => StandardLevel::Industry,
            "LOCAL" | "地方标准" => StandardLevel::Local,
            "GROUP" | "团体标准" => StandardLevel::Group,
            "ENTERPRISE" | "企业标准" => StandardLevel::Enterprise,
            "INTERNATIONAL" | "国际标准" => StandardLevel::International,
            "FOREIGN" | "国外标准" => StandardLevel::Foreign,
            _ => return None,
        })
    }
}

/// What the number's nature marker says: none (mandatory for GB/GBZ/DB, otherwise unmarked), `/T`, `/Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    None,
    T,
    Z,
}

/// The official two-letter industry standard codes (行业标准代号).
pub const INDUSTRY_CODES: &[&str] = &[
    "AQ", "BB", "CB", "CH", "CJ", "CY", "DA", "DB", "DL", "DZ", "EJ", "FZ", "GA", "GC", "GH", "GM", "GY", "HB", "HG",
    "HJ", "HS", "HY", "JB", "JC", "JG", "JR", "JT", "JY", "LB", "LD", "LS", "LY", "MH", "MT", "MZ", "NB", "NY", "QB",
    "QC", "QJ", "QX", "RB", "SB", "SC", "SF", "SH", "SJ", "SL", "SN", "SW", "SY", "TB", "TD", "TY", "WB", "WH", "WJ",
    "WM", "WS", "WW", "XB", "XF", "YB", "YC", "YD", "YJ", "YS", "YY", "YZ", "ZY",
];

const INTERNATIONAL_ORGS: &[&str] = &["ISO", "IEC", "ISO/IEC", "ITU", "ITU-T", "ITU-R", "ISO/IEC/IEEE"];
const FOREIGN_ORGS: &[&str] = &[
    "EN", "ASTM", "BS", "DIN", "JIS", "ANSI", "UL", "IEEE", "NF", "KS", "AS", "AS/NZS", "CSA", "SASO", "GSO", "IS",
    "ABNT", "GOST", "TCVN", "CNS", "ANSI/UL", "EN ISO", "BS EN", "DIN EN", "CAN/CSA", "OHSAS",
];

/// Document types that may stand between an international organisation and its number (`IEC TR 62854`).
const DOCUMENT_TYPES: &[&str] = &["TR", "TS", "PAS", "GUIDE", "ISP", "IWA"];

/// A valid standard number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StandardNumber {
    raw: String,
    level: StandardLevel,
    /// The code before the sequence: `GB`, `QB`, `NB/SH`, `DB33`, `T/ZZB`, `Q/CSG`, `ISO`.
    code: String,
    marker: Marker,
    /// Sequence with parts, leading zeros kept: `4806.7`, `0001`, `2 16 004`, `9001`, `71-1`.
    sequence: String,
    year: Option<u16>,
    /// `/XG1-2006`: amendment number and year.
    amendment: Option<(u16, u16)>,
    /// `/ISO 9001:2015`: the international standard the number also carries.
    double: Option<Box<StandardNumber>>,
    /// International numbers: anything after the year (`+A1:2018`).
    tail: String,
}

/// Why a text is not a standard number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("a standard number is empty")]
    Empty,
    #[error(
        "{0:?} is not a standard code (GB, GB/T, GB/Z, GBZ, an industry code such as QB, DBnn, T/..., Q/..., ISO, IEC, ...)"
    )]
    Code(String),
    #[error("{0:?} is not an industry standard code")]
    Industry(String),
    #[error("/{0} is not a nature marker (only /T, and /Z for GB)")]
    Marker(String),
    #[error("{0:?} has no sequence number after the code")]
    Sequence(String),
    #[error("{0:?} is not a year (two or four digits after '-')")]
    Year(String),
    #[error("{0:?} is not an amendment (XGn-yyyy)")]
    Amendment(String),
    #[error("local standard code {0:?} needs 2, 4 or 6 digits of a division code after DB")]
    Local(String),
}

/// Full-width and typographic characters to ASCII, spaces collapsed.
fn normalise(input: &str) -> String {
    let mapped: String = input
        .chars()
        .map(|c| match c {
            '／' => '/',
            '－' | '—' | '–' | '‐' | '‑' | '―' | '─' => '-',
            '：' => ':',
            '．' | '。' => '.',
            '＋' => '+',
            '\u{3000}' => ' ',
            c if ('！'..='～').contains(&c) => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    let collapsed = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    // No spaces around separators: "GB / T 19001 - 2016" means "GB/T 19001-2016".
    collapsed
        .replace(" /", "/")
        .replace("/ ", "/")
        .replace(" -", "-")
        .replace("- ", "-")
        .replace(" :", ":")
        .replace(": ", ":")
        .replace(" .", ".")
        .replace(". ", ".")
}

fn parse_year(s: &str) -> Result<u16, NumberError> {
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(NumberError::Year(s.to_string()));
    }
    match s.len() {
        4 => {
            let y: u16 = s.parse().map_err(|_| NumberError::Year(s.to_string()))?;
            if (1900..=2100).contains(&y) {
                Ok(y)
            } else {
                Err(NumberError::Year(s.to_string()))
            }
        }
        // Two-digit years were used before 2000 (GB 13000.1-93).
        2 => Ok(1900 + s.parse::<u16>().map_err(|_| NumberError::Year(s.to_string()))?),
        _ => Err(NumberError::Year(s.to_string())),
    }
}

impl StandardNumber {
    pub fn parse(input: &str) -> Result<StandardNumber, NumberError> {
        let raw = input.trim().to_string();
        let s = normalise(input);
        if s.is_empty() {
            return Err(NumberError::Empty);
        }
        let upper = s.to_ascii_uppercase();
        let mut n = if upper.starts_with("Q/") {
            Self::parse_enterprise(&s)?
        } else if upper.starts_with("T/") {
            Self::parse_group(&upper)?
        } else if let Some(org) = Self::international_org(&upper) {
            Self::parse_international(&upper, org)?
        } else {
            Self::parse_chinese(&upper)?
        };
        n.raw = raw;
        Ok(n)
    }

    fn international_org(upper: &str) -> Option<&'static str> {
        let mut best: Option<&'static str> = None;
        for org in INTERNATIONAL_ORGS.iter().chain(FOREIGN_ORGS) {
            if let Some(rest) = upper.strip_prefix(org)
                && rest.starts_with([' ', '/'])
                && rest
                    .trim_start_matches([' ', '/'])
                    .starts_with(|c: char| c.is_ascii_alphanumeric())
                && best.is_none_or(|b| org.len() > b.len())
            {
                best = Some(org);
            }
        }
        // "ISO/IEC 17025" must not read as ISO with sequence "IEC 17025".
        best.filter(|org| {
            !upper[org.len()..].starts_with('/') || upper[org.len() + 1..].starts_with(|c: char| c.is_ascii_digit())
        })
    }

    fn parse_international(upper: &str, org: &'static str) -> Result<StandardNumber, NumberError> {
        let mut rest = upper[org.len()..].trim_start_matches([' ', '/']);
        let mut code = org.to_string();
        if let Some((word, after)) = rest.split_once(' ')
            && DOCUMENT_TYPES.contains(&word)
        {
            code = format!("{org} {word}");
            rest = after.trim_start();
        }
        let level = if INTERNATIONAL_ORGS.contains(&org) {
            StandardLevel::International
        } else {
            StandardLevel::Foreign
        };
        // ISO/IEC style: sequence[:year][+amendments]; ASTM style: sequence-yy.
        let (main, tail) = match rest.find('+') {
            Some(i) => (&rest[..i], rest[i..].to_string()),
            None => (rest, String::new()),
        };
        let (sequence, year) = if let Some((seq, y)) = main.rsplit_once(':') {
            (seq.to_string(), Some(parse_year(y)?))
        } else if org == "ASTM"
            && let Some((seq, y)) = main.rsplit_once('-')
            && (y.len() == 2 || y.len() == 4)
            && y.chars().all(|c| c.is_ascii_digit())
        {
            let year = if y.len() == 2 {
                let v: u16 = y.parse().map_err(|_| NumberError::Year(y.to_string()))?;
                if v < 50 { 2000 + v } else { 1900 + v }
            } else {
                parse_year(y)?
            };
            (seq.to_string(), Some(year))
        } else {
            (main.to_string(), None)
        };
        let plain = sequence
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && sequence.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !sequence.ends_with(['-', '.']);
        if !plain || !sequence.chars().any(|c| c.is_ascii_digit()) {
            return Err(NumberError::Sequence(upper.to_string()));
        }
        Ok(StandardNumber {
            raw: String::new(),
            level,
            code,
            marker: Marker::None,
            sequence,
            year,
            amendment: None,
            double: None,
            tail,
        })
    }

    /// Enterprise numbers are free-form: best effort, never an error once `Q/` and something follow.
    fn parse_enterprise(s: &str) -> Result<StandardNumber, NumberError> {
        let body = s[2..].trim();
        if body.is_empty() {
            return Err(NumberError::Sequence(s.to_string()));
        }
        // Q/CSG 2 16 004-2019: the code is the leading letters (and digits) up to the first space or digit run.
        let code_end = body.find([' ', '-']).unwrap_or(body.len());
        let (mut code, rest) = body.split_at(code_end);
        let mut rest = rest.trim().to_string();
        // Q/NHXH001-2021, typed without the space: the letters are the code, the digits after them the sequence.
        let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
        if !letters.is_empty()
            && letters.len() < code.len()
            && letters.chars().all(|c| c.is_ascii_alphabetic())
            && (rest.is_empty() || rest.starts_with('-'))
        {
            rest = format!("{}{rest}", &code[letters.len()..]);
            code = letters;
        }
        let (sequence, year) = match rest.rsplit_once('-') {
            Some((seq, y)) if parse_year(y).is_ok() && y.len() == 4 => (seq.trim().to_string(), parse_year(y).ok()),
            _ => (rest.to_string(), None),
        };
        Ok(StandardNumber {
            raw: String::new(),
            level: StandardLevel::Enterprise,
            code: format!("Q/{}", code.to_ascii_uppercase()),
            marker: Marker::None,
            sequence,
            year,
            amendment: None,
            double: None,
            tail: String::new(),
        })
    }

    fn parse_group(upper: &str) -> Result<StandardNumber, NumberError> {
        let body = &upper[2..];
        let split = body
            .find(' ')
            .or_else(|| {
                // T/ZZB0001-2015: letters then digits.
                let first_digit = body.find(|c: char| c.is_ascii_digit())?;
                Some(first_digit)
            })
            .ok_or_else(|| NumberError::Sequence(upper.to_string()))?;
        let org = body[..split].trim();
        if org.is_empty() || !org.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(NumberError::Code(format!("T/{org}")));
        }
        let mut n = Self::parse_after_code(body[split..].trim(), upper)?;
        n.level = StandardLevel::Group;
        n.code = format!("T/{org}");
        Ok(n)
    }

    fn parse_chinese(upper: &str) -> Result<StandardNumber, NumberError> {
        // The head is everything before the first digit that starts the sequence; local codes carry digits (DB33).
        let head_end = if let Some(rest) = upper.strip_prefix("DB")
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            let after = &rest[digits..];
            // `DB33/ 2146-2018`: a bare slash marks a mandatory local standard.
            let marker_len = if after.starts_with("/T") {
                2
            } else if after.starts_with('/') {
                1
            } else {
                0
            };
            2 + digits + marker_len
        } else {
            upper.find(|c: char| c.is_ascii_digit()).unwrap_or(upper.len())
        };
        let head = upper[..head_end].trim().trim_end_matches('/');
        let rest = upper[head_end..].trim();
        if head.is_empty() {
            return Err(NumberError::Code(upper.to_string()));
        }
        // A dropped slash: GBT, QBT mean GB/T, QB/T (GBZ is occupational health, not GB/Z).
        let head_owned;
        let head = if !head.contains('/')
            && head.len() == 3
            && head.ends_with('T')
            && (head.starts_with("GB") || INDUSTRY_CODES.contains(&&head[..2]))
        {
            head_owned = format!("{}/T", &head[..2]);
            head_owned.as_str()
        } else {
            head
        };
        let mut parts: Vec<&str> = head.split('/').map(str::trim).collect();
        let marker = match parts.last().copied() {
            Some("T") if parts.len() > 1 => {
                parts.pop();
                Marker::T
            }
            Some("Z") if parts.len() > 1 => {
                parts.pop();
                Marker::Z
            }
            Some(m) if parts.len() > 1 && m.len() == 1 => return Err(NumberError::Marker(m.to_string())),
            _ => Marker::None,
        };
        let code = parts.join("/");
        let level = if code == "GB" || code == "GBZ" {
            if marker == Marker::Z && code != "GB" {
                return Err(NumberError::Marker("Z".into()));
            }
            StandardLevel::National
        } else if let Some(digits) = code.strip_prefix("DB")
            && !digits.is_empty()
        {
            if ![2, 4, 6].contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(NumberError::Local(code));
            }
            if marker == Marker::Z {
                return Err(NumberError::Marker("Z".into()));
            }
            StandardLevel::Local
        } else if parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_uppercase()))
        {
            if let Some(bad) = parts.iter().find(|p| !INDUSTRY_CODES.contains(p)) {
                return Err(NumberError::Industry((*bad).to_string()));
            }
            if marker == Marker::Z {
                return Err(NumberError::Marker("Z".into()));
            }
            StandardLevel::Industry
        } else {
            return Err(NumberError::Code(code));
        };
        let mut n = Self::parse_after_code(rest, upper)?;
        n.level = level;
        n.code = code;
        n.marker = marker;
        Ok(n)
    }

    /// `sequence[-year][/XGn-yyyy][/double number]`.
    fn parse_after_code(rest: &str, whole: &str) -> Result<StandardNumber, NumberError> {
        let rest = rest.trim();
        // The double number starts at the first '/' followed by letters that are not XG.
        let mut main = rest;
        let mut double = None;
        let mut amendment = None;
        let mut pieces = rest.splitn(2, '/');
        let first = pieces.next().unwrap_or_default();
        if let Some(after) = pieces.next() {
            main = first;
            let mut remaining = after;
            if remaining.starts_with("XG") {
                let (amd, more) = match remaining.split_once('/') {
                    Some((a, m)) => (a, Some(m)),
                    None => (remaining, None),
                };
                let (num, year) = amd[2..]
                    .split_once('-')
                    .ok_or_else(|| NumberError::Amendment(amd.to_string()))?;
                let num: u16 = num.parse().map_err(|_| NumberError::Amendment(amd.to_string()))?;
                let year = parse_year(year).map_err(|_| NumberError::Amendment(amd.to_string()))?;
                amendment = Some((num, year));
                remaining = more.unwrap_or("");
            }
            if !remaining.is_empty() {
                double = Some(Box::new(StandardNumber::parse(remaining)?));
            }
        }
        let (sequence, year) = match main.rsplit_once('-') {
            Some((seq, y)) => (seq.trim(), Some(parse_year(y.trim())?)),
            None => (main.trim(), None),
        };
        let valid_seq = !sequence.is_empty()
            && sequence.starts_with(|c: char| c.is_ascii_digit())
            && sequence.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ' ')
            && !sequence.ends_with('.');
        if !valid_seq {
            return Err(NumberError::Sequence(whole.to_string()));
        }
        Ok(StandardNumber {
            raw: String::new(),
            level: StandardLevel::National,
            code: String::new(),
            marker: Marker::None,
            sequence: sequence.to_string(),
            year,
            amendment,
            double,
            tail: String::new(),
        })
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }
    pub fn level(&self) -> StandardLevel {
        self.level
    }
    pub fn code(&self) -> &str {
        &self.code
    }
    pub fn marker(&self) -> Marker {
        self.marker
    }
    pub fn sequence(&self) -> &str {
        &self.sequence
    }
    pub fn year(&self) -> Option<u16> {
        self.year
    }
    pub fn amendment(&self) -> Option<(u16, u16)> {
        self.amendment
    }
    pub fn double_number(&self) -> Option<&StandardNumber> {
        self.double.as_deref()
    }

    /// Code with its marker: `GB/T`, `NB/SH/T`, `DB33/T`, `T/ZZB`.
    pub fn prefix(&self) -> String {
        match self.marker {
            Marker::None => self.code.clone(),
            Marker::T => format!("{}/T", self.code),
            Marker::Z => format!("{}/Z", self.code),
        }
    }

    /// Code and sequence without the year: every edition of a standard shares it (`GB/T 19001`).
    pub fn family_key(&self) -> String {
        format!("{} {}", self.prefix(), self.sequence)
    }

    /// The edition without amendment and double number: `GB/T 15629.11-2003`.
    pub fn edition(&self) -> String {
        let mut s = self.family_key();
        if let Some(y) = self.year {
            s.push_str(&self.year_text(y));
        }
        s.push_str(&self.tail);
        s
    }

    fn year_text(&self, y: u16) -> String {
        match self.level {
            StandardLevel::International => format!(":{y}"),
            StandardLevel::Foreign if self.code != "ASTM" => format!(":{y}"),
            _ => format!("-{y}"),
        }
    }

    /// Letters and digits only, upper case: `GBT19001`, for search tokens that survive tokenising.
    pub fn compact_family(&self) -> String {
        self.family_key()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect()
    }
}

impl fmt::Display for StandardNumber {
    /// The canonical form: ASCII, one space after the code, four-digit years.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.edition())?;
        if let Some((n, y)) = self.amendment {
            write!(f, "/XG{n}-{y}")?;
        }
        if let Some(d) = &self.double {
            write!(f, "/{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        match StandardNumber::parse(s) {
            Ok(n) => n.to_string(),
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    #[test]
    fn national_numbers() {
        for (input, expected, level) in [
            ("GB/T 19001-2016", "GB/T 19001-2016", StandardLevel::National),
            ("GB 4806.7-2016", "GB 4806.7-2016", StandardLevel::National),
            ("GB 6675.1-2014", "GB 6675.1-2014", StandardLevel::National),
            ("GB 21027-2020", "GB 21027-2020", StandardLevel::National),
            ("GB/Z 41275.1-2022", "GB/Z 41275.1-2022", StandardLevel::National),
            ("GB 13000.1-93", "GB 13000.1-1993", StandardLevel::National),
            ("GB 3100—1993", "GB 3100-1993", StandardLevel::National),
            ("GB／T 19001－2016", "GB/T 19001-2016", StandardLevel::National),
            ("GB/T19001-2016", "GB/T 19001-2016", StandardLevel::National),
            ("gb/t 19001-2016", "GB/T 19001-2016", StandardLevel::National),
            ("GB / T  19001 - 2016", "GB/T 19001-2016", StandardLevel::National),
            (
                "GB/T 15629.11-2003/XG1-2006",
                "GB/T 15629.11-2003/XG1-2006",
                StandardLevel::National,
            ),
            (
                "GB/T 19001-2016/ISO 9001:2015",
                "GB/T 19001-2016/ISO 9001:2015",
                StandardLevel::National,
            ),
            ("GB 4943.1-2022", "GB 4943.1-2022", StandardLevel::National),
            ("GB 7000.1-2015", "GB 7000.1-2015", StandardLevel::National),
            ("GB 17761-2018", "GB 17761-2018", StandardLevel::National),
            ("GB/T 32100-2015", "GB/T 32100-2015", StandardLevel::National),
            ("GB/T 2260-2007", "GB/T 2260-2007", StandardLevel::National),
            ("GB 13000-2010", "GB 13000-2010", StandardLevel::National),
            ("GBZ 2.1-2019", "GBZ 2.1-2019", StandardLevel::National),
            ("GBZ/T 229.1-2010", "GBZ/T 229.1-2010", StandardLevel::National),
            ("GB 31701-2015", "GB 31701-2015", StandardLevel::National),
        ] {
            let n = StandardNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(n.to_string(), expected, "{input}");
            assert_eq!(n.level(), level, "{input}");
            assert_eq!(n.raw(), input.trim());
        }
        let n = StandardNumber::parse("GB/T 15629.11-2003/XG1-2006").unwrap();
        assert_eq!(n.amendment(), Some((1, 2006)));
        assert_eq!(n.edition(), "GB/T 15629.11-2003");
        assert_eq!(n.family_key(), "GB/T 15629.11");
        let d = StandardNumber::parse("GB/T 19001-2016/ISO 9001:2015").unwrap();
        assert_eq!(d.double_number().unwrap().to_string(), "ISO 9001:2015");
        assert_eq!(d.family_key(), "GB/T 19001");
        assert_eq!(d.compact_family(), "GBT19001");
        assert_eq!(StandardNumber::parse("GBZ 2.1-2019").unwrap().code(), "GBZ");
    }

    #[test]
    fn industry_numbers() {
        for (input, expected) in [
            ("QB/T 1355-2019", "QB/T 1355-2019"),
            ("JB/T 10345-2002", "JB/T 10345-2002"),
            ("HG/T 2458-2019", "HG/T 2458-2019"),
            ("SN/T 1649-2015", "SN/T 1649-2015"),
            ("YY 0505-2012", "YY 0505-2012"),
            ("QC/T 29106-2014", "QC/T 29106-2014"),
            ("NB/SH/T 0847-2010", "NB/SH/T 0847-2010"),
            ("DB/T 15-2009", "DB/T 15-2009"),
            ("FZ/T 81014-2008", "FZ/T 81014-2008"),
            ("SJ/T 11364-2014", "SJ/T 11364-2014"),
        ] {
            let n = StandardNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(n.to_string(), expected);
            assert_eq!(n.level(), StandardLevel::Industry, "{input}");
        }
        assert_eq!(StandardNumber::parse("NB/SH/T 0847-2010").unwrap().code(), "NB/SH");
        assert_eq!(StandardNumber::parse("NB/SH/T 0847-2010").unwrap().sequence(), "0847");
        // DB/T is the seismic industry, not a local standard.
        assert_eq!(
            StandardNumber::parse("DB/T 15-2009").unwrap().level(),
            StandardLevel::Industry
        );
    }

    #[test]
    fn local_group_enterprise_numbers() {
        for (input, expected, level) in [
            ("DB33/T 2350-2021", "DB33/T 2350-2021", StandardLevel::Local),
            ("DB3301/T 0322.3-2020", "DB3301/T 0322.3-2020", StandardLevel::Local),
            ("DB33 1050-2016", "DB33 1050-2016", StandardLevel::Local),
            ("DB33/ 2146-2018", "DB33 2146-2018", StandardLevel::Local),
            ("DB3302/T 1019-2021", "DB3302/T 1019-2021", StandardLevel::Local),
            ("T/ZZB 0001-2015", "T/ZZB 0001-2015", StandardLevel::Group),
            ("T/ZZB0001-2015", "T/ZZB 0001-2015", StandardLevel::Group),
            ("T/CHEAA 0001-2017", "T/CHEAA 0001-2017", StandardLevel::Group),
            ("t/zzb 1234-2019", "T/ZZB 1234-2019", StandardLevel::Group),
            ("Q/CSG 2 16 004-2019", "Q/CSG 2 16 004-2019", StandardLevel::Enterprise),
            ("Q/NHWJ 001-2020", "Q/NHWJ 001-2020", StandardLevel::Enterprise),
            ("Q/NHXH001-2021", "Q/NHXH 001-2021", StandardLevel::Enterprise),
            ("Q/GDW 1168-2013", "Q/GDW 1168-2013", StandardLevel::Enterprise),
        ] {
            let n = StandardNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(n.to_string(), expected, "{input}");
            assert_eq!(n.level(), level, "{input}");
        }
        // Leading zeros matter.
        assert_ne!(
            StandardNumber::parse("DB3301/T 0322.3-2020").unwrap().family_key(),
            StandardNumber::parse("DB3301/T 322.3-2020").unwrap().family_key()
        );
        assert_eq!(
            StandardNumber::parse("T/ZZB 0001-2015").unwrap().family_key(),
            "T/ZZB 0001"
        );
        // Enterprise numbers are best effort, never a crash.
        assert!(StandardNumber::parse("Q/淘宝 某某-abc").is_ok());
    }

    #[test]
    fn international_and_foreign_numbers() {
        for (input, expected, level) in [
            ("ISO 9001:2015", "ISO 9001:2015", StandardLevel::International),
            ("IEC 60335-1:2020", "IEC 60335-1:2020", StandardLevel::International),
            ("ISO/IEC 17025:2017", "ISO/IEC 17025:2017", StandardLevel::International),
            ("ISO 8124-1:2022", "ISO 8124-1:2022", StandardLevel::International),
            ("iso 9001：2015", "ISO 9001:2015", StandardLevel::International),
            ("EN 71-1:2014+A1:2018", "EN 71-1:2014+A1:2018", StandardLevel::Foreign),
            ("ASTM F963-23", "ASTM F963-2023", StandardLevel::Foreign),
            ("IEC TR 62854:2014", "IEC TR 62854:2014", StandardLevel::International),
            ("OHSAS 18001:2007", "OHSAS 18001:2007", StandardLevel::Foreign),
        ] {
            let n = StandardNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(n.to_string(), expected, "{input}");
            assert_eq!(n.level(), level, "{input}");
        }
        assert_eq!(
            StandardNumber::parse("IEC 60335-1:2020").unwrap().family_key(),
            "IEC 60335-1"
        );
        assert_eq!(StandardNumber::parse("ISO 9001").unwrap().year(), None);
    }

    #[test]
    fn numbers_without_a_year_name_a_family() {
        let n = StandardNumber::parse("GB/T 19001").unwrap();
        assert_eq!(n.year(), None);
        assert_eq!(n.family_key(), "GB/T 19001");
        // The slash is often dropped: GBT 19001, QBT 1355.
        assert_eq!(canon("GBT19001-2016"), "GB/T 19001-2016");
        assert_eq!(canon("QBT 1355-2019"), "QB/T 1355-2019");
    }

    #[test]
    fn wrong_numbers_are_refused_with_the_reason() {
        for (input, what) in [
            ("", "empty"),
            ("GB/T", "sequence"),
            ("GB/X 123-2000", "marker"),
            ("XX 123-2000", "industry"),
            ("GB 123-20001", "year"),
            ("GB 123-1850", "year"),
            ("GB/T 15629.11-2003/XG-2006", "amendment"),
            ("DB333/T 12-2020", "local"),
            ("QB/Z 12-2020", "marker"),
            ("DB33/T", "sequence"),
            ("T/ 0001-2015", "code"),
            ("hello", "code"),
        ] {
            let e = StandardNumber::parse(input).expect_err(input);
            let msg = e.to_string().to_lowercase();
            let ok = match what {
                "empty" => e == NumberError::Empty,
                "sequence" => matches!(e, NumberError::Sequence(_)),
                "marker" => matches!(e, NumberError::Marker(_)),
                "industry" => matches!(e, NumberError::Industry(_)),
                "year" => matches!(e, NumberError::Year(_)),
                "amendment" => matches!(e, NumberError::Amendment(_)),
                "local" => matches!(e, NumberError::Local(_)),
                "code" => matches!(e, NumberError::Code(_)),
                _ => false,
            };
            assert!(ok, "{input:?} gave {e:?} ({msg}), expected a {what} error");
        }
    }

    #[test]
    fn canonical_forms_are_fixed_points() {
        for s in [
            "GB/T 19001-2016/ISO 9001:2015",
            "Q/CSG 2 16 004-2019",
            "GB 13000.1-93",
            "ASTM F963-23",
            "EN 71-1:2014+A1:2018",
        ] {
            let c = canon(s);
            assert_eq!(canon(&c), c, "{s}");
        }
    }

    mod properties {
        use super::super::StandardNumber;
        use proptest::prelude::*;

        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec![
                    "GB", "GB/T", "GB/Z", "GBZ", "GBT", "QB/T", "NB/SH/T", "DB/T", "DB33/T", "DB3301/T", "T/ZZB",
                    "Q/CSG", "ISO", "IEC", "EN", "ASTM", "SN", "YY", "XX", "",
                ])
                .prop_map(str::to_string),
                "[A-Z/]{0,6}",
            ]
        }

        fn number_like() -> impl Strategy<Value = String> {
            (
                piece(),
                prop::sample::select(vec![" ", "", "  ", "\u{3000}"]),
                "[0-9]{1,5}(\\.[0-9]{1,2})?",
                prop::sample::select(vec!["-", "—", "－", ":", ""]),
                "([0-9]{2}|[0-9]{4})?",
                prop::sample::select(vec![
                    "",
                    "/XG1-2006",
                    "/ISO 9001:2015",
                    "/XG2-2010/IEC 60335-1:2020",
                    "+A1:2018",
                ]),
            )
                .prop_map(|(a, sp, b, dash, y, tail)| format!("{a}{sp}{b}{dash}{y}{tail}"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn canonical_form_is_a_fixed_point(s in number_like()) {
                if let Ok(n) = StandardNumber::parse(&s) {
                    let c = n.to_string();
                    let again = StandardNumber::parse(&c).expect("a canonical form parses");
                    prop_assert_eq!(again.to_string(), c);
                    prop_assert_eq!(again.family_key(), n.family_key());
                }
            }

            #[test]
            fn no_input_panics(s in any::<String>()) {
                let _ = StandardNumber::parse(&s);
            }

            #[test]
            fn no_number_like_input_panics(s in "[GBTZQDSNIOEC/ .:0-9—－／-]{0,30}") {
                if let Ok(n) = StandardNumber::parse(&s) {
                    let _ = StandardNumber::parse(&n.to_string());
                }
            }
        }
    }
}
