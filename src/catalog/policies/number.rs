//! `DocumentNumber`: a Chinese official document number, `宁政办发〔2017〕49号`, written with any brackets.

use std::fmt;

/// A valid document number: issuer abbreviation, year, serial.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentNumber {
    /// `宁政办发`, `甬政办发`, `衢政发`.
    pub prefix: String,
    pub year: u16,
    pub serial: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("{0:?} is not a document number such as 宁政办发〔2017〕49号")]
    Shape(String),
    #[error("{0} is not a year of a document")]
    Year(u32),
}

const OPEN: &[char] = &['〔', '[', '(', '［', '（', '【', '﹝'];
const CLOSE: &[char] = &['〕', ']', ')', '］', '）', '】', '﹞'];

impl DocumentNumber {
    pub fn parse(input: &str) -> Result<DocumentNumber, NumberError> {
        let t: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = || NumberError::Shape(input.trim().to_string());
        let open = t.find(OPEN).ok_or_else(bad)?;
        let prefix = &t[..open];
        let rest = &t[open..];
        let open_len = rest.chars().next().ok_or_else(bad)?.len_utf8();
        let close = rest.find(CLOSE).ok_or_else(bad)?;
        let year_text = &rest[open_len..close];
        let close_len = rest[close..].chars().next().ok_or_else(bad)?.len_utf8();
        let tail = &rest[close + close_len..];
        let serial_text = tail.strip_suffix('号').unwrap_or(tail);
        let prefix_ok = !prefix.is_empty()
            && prefix.chars().count() <= 12
            && prefix.chars().all(|c| !c.is_ascii_digit() && !c.is_ascii_punctuation());
        if !prefix_ok || year_text.len() != 4 || !year_text.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if serial_text.is_empty() || serial_text.len() > 5 || !serial_text.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let year: u32 = year_text.parse().map_err(|_| bad())?;
        if !(1949..=2100).contains(&year) {
            return Err(NumberError::Year(year));
        }
        Ok(DocumentNumber {
            prefix: prefix.to_string(),
            year: year as u16,
            serial: serial_text.parse().map_err(|_| bad())?,
        })
    }

    /// Numbers written in a text, in order.
    pub fn find_all(text: &str) -> Vec<DocumentNumber> {
        let mut out = Vec::new();
        for (i, _) in text.match_indices(OPEN) {
            // The issuer abbreviation is the run of 2-6 Han characters right before the bracket; a longer run is
            // prose running into the number, which is left out rather than guessed.
            let before: Vec<char> = text[..i].chars().rev().take_while(|c| is_han(*c)).take(7).collect();
            if !(2..=6).contains(&before.len()) {
                continue;
            }
            let prefix: String = before.into_iter().rev().collect();
            let after: String = text[i..].chars().take(14).collect();
            let Some(end) = after.find('号') else { continue };
            let candidate = format!("{prefix}{}", &after[..end + '号'.len_utf8()]);
            if let Ok(n) = DocumentNumber::parse(&candidate)
                && !out.contains(&n)
            {
                out.push(n);
            }
        }
        out
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF)
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}〔{}〕{}号", self.prefix, self.year, self.serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_bracket_style() {
        for s in [
            "宁政办发〔2017〕49号",
            "宁政办发[2017]49号",
            "宁政办发(2017)49号",
            "宁政办发（2017）49号",
            "宁政办发［2017］49号",
            " 宁政办发 〔2017〕 49 号 ",
        ] {
            assert_eq!(
                DocumentNumber::parse(s).unwrap().to_string(),
                "宁政办发〔2017〕49号",
                "{s}"
            );
        }
        let n = DocumentNumber::parse("甬政办发〔2016〕148号").unwrap();
        assert_eq!((n.prefix.as_str(), n.year, n.serial), ("甬政办发", 2016, 148));
        assert_eq!(DocumentNumber::parse("衢政发〔2017〕46号").unwrap().serial, 46);
    }

    #[test]
    fn wrong_numbers_are_refused() {
        for s in [
            "",
            "宁政办发2017年49号",
            "〔2017〕49号",
            "宁政办发〔17〕49号",
            "宁政办发〔2017〕号",
            "宁政办发〔1800〕1号",
        ] {
            assert!(DocumentNumber::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn numbers_in_text() {
        let t =
            "根据《宁波市人民政府办公厅关于推进宁波市出口产品质量安全示范区建设的指导意见》(甬政办发〔2016〕148号)要求";
        assert_eq!(
            DocumentNumber::find_all(t)
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>(),
            ["甬政办发〔2016〕148号"]
        );
    }
}
