//! A policy document: the import record, metadata read from a page's text, and the likeness of two texts that
//! tells copies of one document apart from different documents.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Deserialize;

use super::number::DocumentNumber;
use super::rewards::{ClauseRecord, RewardClause, validate_all};
use crate::catalog::codes::{clean, date_field, parse_date};

/// One `{"type": "policy", ...}` line. `sourceFile` is read relative to the JSON Lines file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyRecord {
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    pub issuer: Option<String>,
    pub document_number: Option<String>,
    pub title: Option<String>,
    pub issued_on: Option<String>,
    pub effective_on: Option<String>,
    #[serde(default)]
    pub replaces: Vec<String>,
    pub text: Option<String>,
    pub source_file: Option<String>,
    /// Reward clauses (`rewards::ClauseRecord`); absent: keep what is stored; `[]`: none.
    pub rewards: Option<Vec<ClauseRecord>>,
}

/// A validated policy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyData {
    pub document_number: Option<DocumentNumber>,
    pub issuer: Option<String>,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub replaces: Vec<String>,
    pub body: String,
    pub source_files: Vec<String>,
    /// Reward clauses; `None` when the record said nothing of them.
    pub rewards: Option<Vec<RewardClause>>,
}

impl PolicyRecord {
    /// `text` is the content of `sourceFile`, already read by the caller.
    pub fn validate(self, file_text: Option<(String, String)>) -> Result<PolicyData, String> {
        let document_number = match clean(self.document_number) {
            Some(n) => Some(DocumentNumber::parse(&n).map_err(|e| format!("documentNumber: {e}"))?),
            None => None,
        };
        let mut replaces = Vec::new();
        for r in &self.replaces {
            replaces.push(
                DocumentNumber::parse(r)
                    .map_err(|e| format!("replaces: {e}"))?
                    .to_string(),
            );
        }
        let (body, source_files, read) = match (clean(self.text), file_text) {
            (Some(t), _) => (t, Vec::new(), None),
            (None, Some((name, t))) => {
                if normalise(&t).len() < 50 {
                    return Err(format!("{name}: not a policy page (fewer than 50 Chinese characters)"));
                }
                let read = read_text(&t);
                (t, vec![name], Some(read))
            }
            (None, None) => (String::new(), Vec::new(), None),
        };
        let rewards = match self.rewards {
            Some(r) => Some(validate_all(r)?),
            None => None,
        };
        let title = clean(self.title)
            .or_else(|| read.as_ref().map(|r| r.title.clone()))
            .ok_or("title: required (or a sourceFile to read it from)")?;
        Ok(PolicyData {
            document_number: document_number.or_else(|| read.as_ref().and_then(|r| r.document_number.clone())),
            issuer: clean(self.issuer).or_else(|| read.as_ref().and_then(|r| r.issuer.clone())),
            title,
            issued_on: date_field("issuedOn", self.issued_on)?.or_else(|| read.as_ref().and_then(|r| r.issued_on)),
            effective_on: date_field("effectiveOn", self.effective_on)?
                .or_else(|| read.as_ref().and_then(|r| r.effective_on)),
            replaces: if replaces.is_empty() {
                read.as_ref().map(|r| r.replaces.clone()).unwrap_or_default()
            } else {
                replaces
            },
            body,
            source_files,
            rewards,
        })
    }
}

/// Lines of a scraped page that are navigation, not the document.
fn is_noise(line: &str) -> bool {
    let l = line.trim();
    l.is_empty()
        || l == "朗读"
        || l.starts_with('•')
        || l.starts_with("【")
        || l.ends_with("门户网站")
        || l.starts_with("来源")
        || l.starts_with("发布机构")
        || l.contains("发布时间")
        || l.starts_with("版权")
}

/// A date somewhere in a line: `2017.12.25`, `2017-03-17 08:54`, `2017年6月28日`.
fn date_in(line: &str) -> Option<NaiveDate> {
    for token in line.split(|c: char| c.is_whitespace() || c == ':' || c == '：' || c == '•') {
        if let Some(d) = parse_date(token) {
            return Some(d);
        }
    }
    let i = line.find(|c: char| c.is_ascii_digit())?;
    let tail: String = line[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || "年月日".contains(*c))
        .collect();
    parse_date(&tail)
}

/// What a page's text says about itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadText {
    pub document_number: Option<DocumentNumber>,
    pub issuer: Option<String>,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub replaces: Vec<String>,
}

const ORG_ENDINGS: &[&str] = &[
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "办公室",
    "办公厅",
    "局",
    "委员会",
];

const TITLE_ENDINGS: &[&str] = &["意见", "通知", "办法", "方案", "计划", "决定", "规定", "细则", "纲要"];

/// Reads the metadata of a policy page: its own number (a line holding only a number; numbers inside sentences
/// are other documents), title, issuer and date.
pub fn read_text(text: &str) -> ReadText {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let document_number = lines.iter().find_map(|l| DocumentNumber::parse(l).ok());
    let head: Vec<&str> = lines.iter().take(12).copied().filter(|l| !is_noise(l)).collect();
    let titled = |l: &&str| {
        let n = l.chars().count();
        (6..=80).contains(&n)
            && TITLE_ENDINGS.iter().any(|e| l.ends_with(e))
            && !l.starts_with("根据")
            && !l.starts_with('各')
            && !l.contains('。')
    };
    let title = head
        .iter()
        .find(|l| l.contains("关于") && titled(l))
        .or_else(|| head.iter().find(|l| titled(l)))
        .or_else(|| {
            head.iter().find(|l| {
                // Not a numbered heading (一、, （一）, 1.) nor an addressee line.
                let numbered = l.chars().nth(1) == Some('、') || l.starts_with('（') || l.starts_with('(');
                l.chars().count() <= 40 && !numbered && !l.ends_with('：') && !l.ends_with(':') && !l.starts_with('各')
            })
        })
        .map(|l| l.split_whitespace().collect::<String>())
        .unwrap_or_default();
    // The signature at the end: the issuing body's line, then the date (`2017年6月12日印发`).
    let tail: Vec<&str> = lines.iter().rev().take(8).copied().collect();
    let signed = tail
        .iter()
        .position(|l| (l.ends_with('日') || l.ends_with("印发")) && l.chars().count() <= 16 && date_in(l).is_some());
    let signed_on = signed.and_then(|i| date_in(tail[i]));
    let signer = signed
        .and_then(|i| tail.get(i + 1))
        .filter(|l| ORG_ENDINGS.iter().any(|e| l.ends_with(e)) && l.chars().count() <= 20)
        .map(|l| l.to_string());
    let issuer = lines
        .iter()
        .take(6)
        .find_map(|l| l.strip_suffix("文件").map(str::to_string))
        .or_else(|| {
            let before = title.split("关于").next()?;
            (title.contains("关于") && ORG_ENDINGS.iter().any(|e| before.ends_with(e))).then(|| before.to_string())
        })
        .or(signer);
    let issued_on = signed_on.or_else(|| {
        lines
            .iter()
            .take(8)
            .filter(|l| l.contains("发布时间") || l.starts_with("时间") || l.starts_with('•'))
            .find_map(|l| date_in(l))
    });
    let effective_on = lines
        .iter()
        .filter(|l| l.contains("起实施") || l.contains("起施行"))
        .find_map(|l| date_in(l));
    let replaces = lines
        .iter()
        .filter(|l| l.contains("废止") || l.contains("停止执行"))
        .flat_map(|l| DocumentNumber::find_all(l))
        .map(|n| n.to_string())
        .collect();
    // A page without a title line: the document is named by its first words.
    let title = if title.is_empty() || title.contains("发布时间") {
        let first = lines
            .iter()
            .find(|l| !is_noise(l) && !l.starts_with('各'))
            .copied()
            .unwrap_or_default();
        let words: String = first.chars().take(30).collect();
        if words.is_empty() {
            String::new()
        } else {
            format!("{words}…")
        }
    } else {
        title
    };
    ReadText {
        document_number,
        issuer,
        title,
        issued_on,
        effective_on,
        replaces,
    }
}

/// The text reduced to Han characters and digits: the same document copied from two websites (full- or half-width
/// punctuation, extra navigation lines) reduces to nearly the same sequence.
pub fn normalise(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_ascii_digit() || matches!(*c as u32, 0x4E00..=0x9FFF))
        .collect()
}

/// Overlapping 8-character pieces of a normalised text.
pub fn shingles(text: &str) -> HashSet<String> {
    normalise(text).windows(8).map(|w| w.iter().collect()).collect()
}

/// Share of the smaller text's pieces found in the other: 1.0 for copies, near 0 for different documents.
pub fn likeness(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0.0;
    }
    small.iter().filter(|s| big.contains(*s)).count() as f64 / small.len() as f64
}

/// Texts at least this alike are copies of one document.
pub const SAME_DOCUMENT: f64 = 0.85;

/// A stable hash of the normalised text (FNV-1a, 64 bits, as hex); for an empty text, of the document number.
pub fn fingerprint(body: &str, number: Option<&DocumentNumber>, title: &str) -> String {
    let basis: String = if body.trim().is_empty() {
        format!(
            "number:{}|title:{title}",
            number.map(|n| n.to_string()).unwrap_or_default()
        )
    } else {
        normalise(body).into_iter().collect()
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in basis.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "\n\n宁海县人民政府办公室文件\n\n宁政办发〔2017〕49号\n\n宁海县人民政府办公室 关于加快推进出口产品质量安全示范区 建设的指导意见\n\n各乡镇人民政府、街道办事处，县政府直属各单位：\n根据《宁波市人民政府办公厅关于推进宁波市出口产品质量安全示范区建设的指导意见》（甬政办发〔2016〕148号）要求，提出以下意见。\n\n宁海县人民政府办公室\n2017年6月28日\n";

    #[test]
    fn metadata_from_a_page() {
        let r = read_text(PAGE);
        assert_eq!(r.document_number.unwrap().to_string(), "宁政办发〔2017〕49号");
        assert_eq!(
            r.title,
            "宁海县人民政府办公室关于加快推进出口产品质量安全示范区建设的指导意见"
        );
        assert_eq!(r.issuer.as_deref(), Some("宁海县人民政府办公室"));
        assert_eq!(r.issued_on, NaiveDate::from_ymd_opt(2017, 6, 28));
        let r = read_text(
            "为加强品牌建设，提出如下意见。\n本意见自2017年12月27日起实施。《若干意见》(衢政发〔2007〕47号)同时停止执行。\n衢州市人民政府办公室\n2017年11月27日",
        );
        assert_eq!(r.issued_on, NaiveDate::from_ymd_opt(2017, 11, 27));
        assert_eq!(r.effective_on, NaiveDate::from_ymd_opt(2017, 12, 27));
        assert_eq!(r.replaces, ["衢政发〔2007〕47号"]);
        assert_eq!(r.issuer.as_deref(), Some("衢州市人民政府办公室"));
        assert!(r.title.starts_with("为加强品牌建设"), "{}", r.title);
    }

    #[test]
    fn a_number_inside_a_sentence_is_not_the_documents_own() {
        let r = read_text("朗读\n各乡镇人民政府：\n根据《意见》(甬政办发〔2016〕148号)要求,现提出以下意见。");
        assert!(r.document_number.is_none());
    }

    #[test]
    fn copies_are_alike_and_different_documents_are_not() {
        let a = shingles(PAGE);
        let copy = PAGE
            .replace('，', ",")
            .replace('：', ":")
            .replace("宁海县人民政府办公室文件\n", "朗读\n");
        let b = shingles(&copy);
        assert!(likeness(&a, &b) > SAME_DOCUMENT, "{}", likeness(&a, &b));
        let other = shingles(
            "衢州市人民政府关于进一步加强标准强市质量强市品牌强市和浙江制造品牌建设的若干意见，各县市区人民政府。",
        );
        assert!(likeness(&a, &other) < 0.2);
        assert_eq!(
            fingerprint(PAGE, None, ""),
            fingerprint(&PAGE.replace('，', ","), None, "")
        );
    }
}
