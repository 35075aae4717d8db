//! `Uscc`: the 18-character unified social credit code (统一社会信用代码, GB 32100-2015), check character
//! verified, parts decoded.

use std::fmt;

/// The code's alphabet: digits and capital letters without I, O, Z, S, V; a character's value is its position.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1 to 17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character the first 17 characters call for.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    let mut n = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
        n += 1;
    }
    if n != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize)
}

/// Why a text is not a valid credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("a credit code has 18 characters, {0:?} has {1}")]
    Length(String, usize),
    #[error("{0:?} is not a character of credit codes (digits and capital letters except I, O, Z, S, V)")]
    Character(char),
    #[error("the check character of {code} is {found:?}, but its first 17 characters call for {expected:?}")]
    Check { code: String, found: char, expected: char },
}

/// A credit code whose characters are all of the alphabet; `valid` says whether the check character agrees.
/// `Uscc::parse` refuses a wrong check (for codes typed by hand); `Uscc::read` keeps it, flagged (for imports).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc {
    code: String,
    valid: bool,
}

/// Registering departments (position 1).
pub fn department(c: char) -> Option<&'static str> {
    Some(match c {
        '1' => "机构编制",
        '2' => "外交",
        '3' => "司法行政",
        '4' => "文化",
        '5' => "民政",
        '6' => "旅游",
        '7' => "宗教",
        '8' => "工会",
        '9' => "市场监督管理(工商)",
        'A' => "中央军委改革和编制办公室",
        'N' => "农业",
        'Y' => "其他",
        _ => return None,
    })
}

/// Category (positions 1-2) in words, for the common ones.
pub fn category(code: &str) -> Option<&'static str> {
    Some(match code {
        "11" => "机关",
        "12" => "事业单位",
        "13" => "中央编办直接管理机构编制的群众团体",
        "19" => "其他机构编制",
        "51" => "社会团体",
        "52" => "民办非企业单位",
        "53" => "基金会",
        "59" => "其他民政登记",
        "91" => "企业",
        "92" => "个体工商户",
        "93" => "农民专业合作社",
        "N1" => "农村集体经济组织",
        _ => return None,
    })
}

impl Uscc {
    /// Reads a code as written (any case, spaces ignored): wrong characters and lengths are errors, a wrong check
    /// character is kept and flagged.
    pub fn read(input: &str) -> Result<Uscc, UsccError> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::Length(input.trim().to_string(), n));
        }
        if let Some(bad) = code.chars().find(|c| value(*c).is_none()) {
            return Err(UsccError::Character(bad));
        }
        let expected = check_char(&code[..17]).expect("17 characters of the alphabet");
        let valid = code.ends_with(expected);
        Ok(Uscc { code, valid })
    }

    /// A code typed by hand: a wrong check character is refused, naming the one expected.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let u = Uscc::read(input)?;
        if !u.valid {
            let expected = check_char(&u.code[..17]).expect("17 characters of the alphabet");
            return Err(UsccError::Check {
                found: u.code.chars().last().expect("18 characters"),
                code: u.code,
                expected,
            });
        }
        Ok(u)
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }
    pub fn is_valid(&self) -> bool {
        self.valid
    }
    /// Position 1: the registering department.
    pub fn department_code(&self) -> char {
        self.code.chars().next().expect("18 characters")
    }
    /// Positions 1-2: the category (`91` enterprise, `92` individual business, ...).
    pub fn category_code(&self) -> &str {
        &self.code[..2]
    }
    /// Positions 3-8: division code of the registering authority (GB/T 2260, as valid when issued).
    pub fn region_code(&self) -> &str {
        &self.code[2..8]
    }
    /// Positions 9-17: the organisation code.
    pub fn organization_code(&self) -> &str {
        &self.code[8..17]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_pass() {
        // Codes of real enterprises, as their registers publish them.
        for code in [
            "91110000802100433B",
            "91440300708461136T",
            "91330100716105852F",
            "91310000717854505W",
        ] {
            let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(u.is_valid());
            assert_eq!(u.category_code(), "91");
        }
        assert_eq!(Uscc::parse("91440300708461136T").unwrap().region_code(), "440300");
        let u = Uscc::parse("91330226573218648K").unwrap();
        assert!(u.is_valid());
        assert_eq!(u.category_code(), "91");
        assert_eq!(category(u.category_code()), Some("企业"));
        assert_eq!(department(u.department_code()), Some("市场监督管理(工商)"));
        assert_eq!(u.region_code(), "330226");
        assert_eq!(u.organization_code(), "573218648");
    }

    #[test]
    fn the_check_character_is_computed() {
        assert_eq!(check_char("91330226573218648"), Some('K'));
        assert_eq!(check_char("91330200566180434"), Some('F'));
        assert_eq!(check_char("91330226688402170"), Some('0'));
        assert_eq!(check_char("9133022657321864"), None);
        assert_eq!(check_char("9133022657321864I"), None);
    }

    #[test]
    fn any_case_and_spaces() {
        assert_eq!(
            Uscc::parse(" 91330226 573218648k ").unwrap().as_str(),
            "91330226573218648K"
        );
    }

    #[test]
    fn wrong_codes_are_refused_or_flagged() {
        let e = Uscc::parse("91330226573218648A").unwrap_err();
        assert_eq!(
            e,
            UsccError::Check {
                code: "91330226573218648A".into(),
                found: 'A',
                expected: 'K'
            }
        );
        assert!(e.to_string().contains("'K'"), "{e}");
        let flagged = Uscc::read("91330226573218648A").unwrap();
        assert!(!flagged.is_valid());
        assert!(matches!(Uscc::read("9133022657321864"), Err(UsccError::Length(_, 16))));
        assert_eq!(Uscc::read("9133022657321864IK"), Err(UsccError::Character('I')));
        assert_eq!(Uscc::read("9133022657321864OK"), Err(UsccError::Character('O')));
    }
}
