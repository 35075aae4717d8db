//! `NoticeSymbol`: a WTO notification symbol that exists only when it is valid, in canonical form.

use std::fmt;

/// TBT or SPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Tbt,
    Sps,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Tbt => "TBT",
            Area::Sps => "SPS",
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        match s.trim().to_ascii_uppercase().as_str() {
            "TBT" => Some(Area::Tbt),
            "SPS" => Some(Area::Sps),
            _ => None,
        }
    }
}

/// One follow-up suffix of a symbol: `Add.1`, `Rev.2`, `Corr.1`, `Suppl.3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuffixKind {
    Add,
    Rev,
    Corr,
    Suppl,
}

impl SuffixKind {
    fn word(self) -> &'static str {
        match self {
            SuffixKind::Add => "Add",
            SuffixKind::Rev => "Rev",
            SuffixKind::Corr => "Corr",
            SuffixKind::Suppl => "Suppl",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Suffix {
    pub kind: SuffixKind,
    pub number: u16,
}

/// A valid notification symbol. Modern form `G/TBT/N/USA/1598/Add.1`, or the
/// legacy TBT form of 1995-1999 `G/TBT/Notif.99.320`.
///
/// Symbols order by area, member, number and then suffixes, numbers compared as numbers (`Add.9` before
/// `Add.10`), an original before its follow-ups.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoticeSymbol {
    area: Area,
    /// Notifying member code; `None` for legacy symbols, which do not carry it.
    member: Option<String>,
    number: u32,
    /// Legacy symbols: the two-digit year.
    legacy_year: Option<u8>,
    suffixes: Vec<Suffix>,
}

/// Why a text is not a notification symbol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    #[error("a notification symbol is empty")]
    Empty,
    #[error("a notification symbol starts with G/TBT/N/ or G/SPS/N/ (or G/TBT/Notif. for 1995-99), not {0:?}")]
    Prefix(String),
    #[error("member code {0:?} is not 2-4 Latin letters")]
    Member(String),
    #[error("notification number {0:?} is not 1-5 digits")]
    Number(String),
    #[error("suffix {0:?} is not Add.n, Rev.n, Corr.n or Suppl.n")]
    Suffix(String),
}

impl NoticeSymbol {
    /// Parses any written form a person would type: any case, spaces anywhere,
    /// full-width slashes and dots.
    pub fn parse(input: &str) -> Result<NoticeSymbol, SymbolError> {
        let cleaned: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '／' => '/',
                '．' | '。' => '.',
                c => c,
            })
            .collect();
        if cleaned.is_empty() {
            return Err(SymbolError::Empty);
        }
        let upper = cleaned.to_ascii_uppercase();
        if upper.starts_with("G/TBT/NOTIF.") {
            return Self::parse_legacy(&cleaned["G/TBT/NOTIF.".len()..].to_ascii_uppercase(), &cleaned);
        }
        let area = if upper.starts_with("G/TBT/N/") {
            Area::Tbt
        } else if upper.starts_with("G/SPS/N/") {
            Area::Sps
        } else {
            return Err(SymbolError::Prefix(input.trim().to_string()));
        };
        // ASCII upper-casing keeps byte offsets, so the member is read upper-cased and the rest as typed.
        let rest = &cleaned["G/TBT/N/".len()..];
        let mut parts = rest.split('/');
        let member = parts.next().unwrap_or_default().to_ascii_uppercase();
        if !(2..=4).contains(&member.len()) || !member.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(SymbolError::Member(member.to_string()));
        }
        let number_text = parts.next().unwrap_or_default();
        let number = parse_digits(number_text, 5).ok_or_else(|| SymbolError::Number(number_text.to_string()))?;
        let mut suffixes = Vec::new();
        for part in parts {
            suffixes.push(parse_suffix(part)?);
        }
        Ok(NoticeSymbol {
            area,
            member: Some(member),
            number,
            legacy_year: None,
            suffixes,
        })
    }

    fn parse_legacy(rest: &str, original: &str) -> Result<NoticeSymbol, SymbolError> {
        // `99.320` optionally followed by suffixes.
        let mut parts = rest.split('/');
        let head = parts.next().unwrap_or_default();
        let (year, num) = head
            .split_once('.')
            .ok_or_else(|| SymbolError::Number(original.to_string()))?;
        let year = parse_digits(year, 2)
            .filter(|_| year.len() == 2)
            .ok_or_else(|| SymbolError::Number(original.to_string()))?;
        let number = parse_digits(num, 4).ok_or_else(|| SymbolError::Number(num.to_string()))?;
        let mut suffixes = Vec::new();
        for part in parts {
            suffixes.push(parse_suffix(part)?);
        }
        Ok(NoticeSymbol {
            area: Area::Tbt,
            member: None,
            number,
            legacy_year: Some(year as u8),
            suffixes,
        })
    }

    pub fn area(&self) -> Area {
        self.area
    }

    pub fn member(&self) -> Option<&str> {
        self.member.as_deref()
    }

    pub fn number(&self) -> u32 {
        self.number
    }

    pub fn suffixes(&self) -> &[Suffix] {
        &self.suffixes
    }

    /// The symbol without its follow-up suffixes: it chains an original to
    /// its addenda, revisions and corrigenda.
    pub fn base(&self) -> NoticeSymbol {
        NoticeSymbol {
            suffixes: Vec::new(),
            ..self.clone()
        }
    }

    pub fn is_base(&self) -> bool {
        self.suffixes.is_empty()
    }

    /// Whether this symbol is `of` followed by one or more `Add.`/`Corr.` suffixes: an addendum or
    /// corrigendum of that notice (or of one of its addenda). A revision is a notice of its own: neither
    /// `Rev.1` nor `Rev.1/Add.1` amends the original.
    pub fn amends(&self, of: &NoticeSymbol) -> bool {
        self.area == of.area
            && self.member == of.member
            && self.number == of.number
            && self.legacy_year == of.legacy_year
            && self.suffixes.len() > of.suffixes.len()
            && self.suffixes.starts_with(&of.suffixes)
            && self.suffixes[of.suffixes.len()..]
                .iter()
                .all(|s| matches!(s.kind, SuffixKind::Add | SuffixKind::Corr))
    }

    /// Compact tokens that survive Meilisearch's tokeniser whole: the full
    /// symbol and the member+number without separators.
    pub fn compact(&self) -> String {
        self.to_string()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase()
    }
}

fn parse_digits(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_suffix(part: &str) -> Result<Suffix, SymbolError> {
    let err = || SymbolError::Suffix(part.to_string());
    let (word, num) = part.split_once('.').ok_or_else(err)?;
    let kind = match word.to_ascii_uppercase().as_str() {
        "ADD" => SuffixKind::Add,
        "REV" => SuffixKind::Rev,
        "CORR" => SuffixKind::Corr,
        "SUPPL" => SuffixKind::Suppl,
        _ => return Err(err()),
    };
    let number = parse_digits(num, 3).ok_or_else(err)?;
    Ok(Suffix {
        kind,
        number: number as u16,
    })
}

impl fmt::Display for NoticeSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.member, self.legacy_year) {
            (_, Some(year)) => write!(f, "G/TBT/Notif.{:02}.{}", year, self.number)?,
            (Some(member), None) => write!(f, "G/{}/N/{}/{}", self.area.as_str(), member, self.number)?,
            (None, None) => unreachable!("a modern symbol always has a member"),
        }
        for s in &self.suffixes {
            write!(f, "/{}.{}", s.kind.word(), s.number)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for NoticeSymbol {
    type Err = SymbolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NoticeSymbol::parse(s)
    }
}

/// Splits a cell that may hold several symbols (a joint notification):
/// separated by commas, semicolons, new lines or Chinese enumeration marks.
pub fn split_symbols(cell: &str) -> Vec<&str> {
    cell.split([',', ';', '\n', '，', '；', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        NoticeSymbol::parse(s).unwrap().to_string()
    }

    #[test]
    fn real_symbols_parse_to_canonical_form() {
        assert_eq!(canon("G/TBT/N/USA/1598"), "G/TBT/N/USA/1598");
        assert_eq!(canon("G/SPS/N/THA/155/Rev.2/Add.1"), "G/SPS/N/THA/155/Rev.2/Add.1");
        assert_eq!(canon("G/TBT/N/TPKM/425/Add.5"), "G/TBT/N/TPKM/425/Add.5");
        assert_eq!(canon("G/TBT/N/EU/1100"), "G/TBT/N/EU/1100");
        assert_eq!(canon("G/TBT/N/CHN/2140"), "G/TBT/N/CHN/2140");
        assert_eq!(canon("G/SPS/N/JPN/1234/Corr.1"), "G/SPS/N/JPN/1234/Corr.1");
        assert_eq!(canon("G/TBT/N/KEN/1500/Suppl.2"), "G/TBT/N/KEN/1500/Suppl.2");
    }

    #[test]
    fn odd_written_forms_normalise() {
        assert_eq!(canon("g/tbt/n/usa/1598/add.1"), "G/TBT/N/USA/1598/Add.1");
        assert_eq!(canon("  G/TBT/N/USA/1598/ADD.1 "), "G/TBT/N/USA/1598/Add.1");
        assert_eq!(canon("G / TBT / N / USA / 1598 / Add. 1"), "G/TBT/N/USA/1598/Add.1");
        assert_eq!(canon("G／TBT／N／CHN／2140"), "G/TBT/N/CHN/2140");
        assert_eq!(canon("G/SPS/N/THA/155/REV.2/add.1"), "G/SPS/N/THA/155/Rev.2/Add.1");
    }

    #[test]
    fn addenda_and_corrigenda_amend_their_notice_and_symbols_order_by_number() {
        let p = |s: &str| NoticeSymbol::parse(s).unwrap();
        let original = p("G/TBT/N/CHN/2140");
        assert!(p("G/TBT/N/CHN/2140/Add.1").amends(&original));
        assert!(p("G/TBT/N/CHN/2140/Corr.1").amends(&original));
        assert!(p("G/TBT/N/CHN/2140/Add.1/Corr.1").amends(&original));
        assert!(p("G/TBT/N/CHN/2140/Add.1/Corr.1").amends(&p("G/TBT/N/CHN/2140/Add.1")));
        assert!(!original.amends(&original));
        assert!(!p("G/TBT/N/CHN/2140/Rev.1").amends(&original));
        assert!(!p("G/TBT/N/CHN/2140/Rev.1/Add.1").amends(&original));
        assert!(p("G/TBT/N/CHN/2140/Rev.1/Add.1").amends(&p("G/TBT/N/CHN/2140/Rev.1")));
        assert!(!p("G/TBT/N/CHN/2141/Add.1").amends(&original));
        assert!(!p("G/SPS/N/CHN/2140/Add.1").amends(&original));
        assert!(!p("G/TBT/N/CHN/2140/Add.1").amends(&p("G/TBT/N/CHN/2140/Add.2")));
        assert!(original < p("G/TBT/N/CHN/2140/Add.1"));
        assert!(p("G/TBT/N/CHN/2140/Add.9") < p("G/TBT/N/CHN/2140/Add.10"));
        assert!(p("G/TBT/N/CHN/2140/Add.1") < p("G/TBT/N/CHN/2140/Add.1/Corr.1"));
    }

    #[test]
    fn base_symbol_strips_all_suffixes() {
        let s = NoticeSymbol::parse("G/SPS/N/THA/155/Rev.2/Add.1").unwrap();
        assert_eq!(s.base().to_string(), "G/SPS/N/THA/155");
        assert!(!s.is_base());
        assert!(s.base().is_base());
        assert_eq!(s.area(), Area::Sps);
        assert_eq!(s.member(), Some("THA"));
        assert_eq!(s.number(), 155);
        assert_eq!(s.suffixes().len(), 2);
        assert_eq!(s.compact(), "GSPSNTHA155REV2ADD1");
    }

    #[test]
    fn legacy_symbols_parse() {
        let s = NoticeSymbol::parse("G/TBT/Notif.99.320").unwrap();
        assert_eq!(s.to_string(), "G/TBT/Notif.99.320");
        assert_eq!(s.member(), None);
        assert_eq!(s.area(), Area::Tbt);
        assert_eq!(canon("g/tbt/notif.95.7/add.1"), "G/TBT/Notif.95.7/Add.1");
    }

    #[test]
    fn invalid_symbols_are_refused_with_the_reason() {
        assert_eq!(NoticeSymbol::parse("  "), Err(SymbolError::Empty));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/X/USA/1"),
            Err(SymbolError::Prefix(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/U/1"),
            Err(SymbolError::Member(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/USAAA/1"),
            Err(SymbolError::Member(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/US4/1"),
            Err(SymbolError::Member(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/USA/123456"),
            Err(SymbolError::Number(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/USA/"),
            Err(SymbolError::Number(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/USA/12/Amd.1"),
            Err(SymbolError::Suffix(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/USA/12/Add.1234"),
            Err(SymbolError::Suffix(_))
        ));
        assert!(matches!(
            NoticeSymbol::parse("G/TBT/N/USA/12/Add"),
            Err(SymbolError::Suffix(_))
        ));
        let msg = NoticeSymbol::parse("G/TBT/N/USA/12/Amd.1").unwrap_err().to_string();
        assert!(msg.contains("Amd.1"), "{msg}");
    }

    #[test]
    fn joint_cells_split() {
        assert_eq!(
            split_symbols("G/TBT/N/ARE/600, G/TBT/N/BHR/650;G/TBT/N/KWT/700\n"),
            vec!["G/TBT/N/ARE/600", "G/TBT/N/BHR/650", "G/TBT/N/KWT/700"]
        );
    }
}
