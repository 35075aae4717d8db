//! Pinyin of names, for people who type a name the way they type it into any Chinese search box: full pinyin
//! with or without spaces (`ningbo haiyang wenju`, `haiyangwenju`) or initials (`hywj`, `nbhywj`). A name gives
//! the pinyin of every run of 1 to 6 of its syllables and the initials of every run of 2 to 8, of the name as
//! registered, of its distinctive part (without the legal form: 有限公司, 股份有限公司, ...; without a zone's
//! 出口...质量安全示范区), and of that part without the words of divisions (省, 市, 县), which people leave out.
//! Each character takes its most common reading; a character with other readings (长: chang, zhang) also gives
//! the runs with each of them, one character at a time.

use pinyin::ToPinyinMulti;

/// Endings that say what a name is, not which one: dropped for the distinctive part, longest first.
const ENDINGS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "质量安全示范区",
    "示范区",
    "集团",
    "公司",
    "制品",
    "用品",
    "厂",
];

/// The longest run of syllables spelt out in full, and of initials.
const MAX_FULL: usize = 6;
const MAX_INITIALS: usize = 8;

/// Readings of a character kept at most (many have rare ones).
const MAX_READINGS: usize = 3;

/// The syllables of a text, each with its readings (the most common first): the plain pinyin of each Han
/// character; a run of ASCII letters and digits is one syllable of its own (lower-cased); anything else separates.
fn syllables(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut ascii = String::new();
    for (c, p) in text.chars().zip(text.to_pinyin_multi()) {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
            continue;
        }
        if !ascii.is_empty() {
            out.push(vec![std::mem::take(&mut ascii)]);
        }
        if let Some(p) = p {
            let mut readings: Vec<String> = Vec::new();
            for r in p {
                let r = r.plain().to_string();
                if !readings.contains(&r) && readings.len() < MAX_READINGS {
                    readings.push(r);
                }
            }
            out.push(readings);
        }
    }
    if !ascii.is_empty() {
        out.push(vec![ascii]);
    }
    out
}

/// The spellings of a text: every syllable in its first reading, and one more for each other reading of each
/// syllable.
fn spellings(text: &str) -> Vec<Vec<String>> {
    let s = syllables(text);
    let first: Vec<String> = s.iter().map(|r| r[0].clone()).collect();
    let mut out = vec![first.clone()];
    for (i, readings) in s.iter().enumerate() {
        for r in &readings[1..] {
            let mut v = first.clone();
            v[i] = r.clone();
            out.push(v);
        }
    }
    out
}

/// The distinctive part of a name: without its legal form or kind of zone, and without the 出口 that zone names
/// carry before their products (`德化出口陶瓷` → `德化陶瓷`).
fn core(name: &str) -> String {
    let mut n = name.trim().replace("出口", "");
    while let Some(e) = ENDINGS
        .iter()
        .find(|e| n.ends_with(*e) && n.chars().count() > e.chars().count() + 1)
    {
        n.truncate(n.len() - e.len());
    }
    n
}

/// A name without the division words 省, 市, 县 that follow a place name (`宁波市海洋文具` → `宁波海洋文具`).
fn without_divisions(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '省' | '市' | '县') && i >= 2 && i + 1 < chars.len() {
            continue;
        }
        out.push(*c);
    }
    out
}

/// The pinyin terms of some names, space separated, each once.
pub fn terms<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = Vec::new();
    let mut add = |t: String, out: &mut Vec<String>| {
        if !t.is_empty() && seen.insert(t.clone()) {
            out.push(t);
        }
    };
    for name in names {
        let c = core(name);
        let variants = [name.trim().to_string(), without_divisions(&c), c];
        for s in variants.iter().flat_map(|v| spellings(v)) {
            for n in 1..=s.len().min(MAX_FULL) {
                for w in s.windows(n) {
                    add(w.concat(), &mut out);
                }
            }
            let initials: Vec<&str> = s.iter().map(|x| &x[..1]).collect();
            for n in 2..=initials.len().min(MAX_INITIALS) {
                for w in initials.windows(n) {
                    add(w.concat(), &mut out);
                }
            }
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(terms: &str, t: &str) -> bool {
        terms.split(' ').any(|x| x == t)
    }

    #[test]
    fn names_give_full_pinyin_and_initials() {
        let t = terms(["宁波市海洋文具有限公司"]);
        for want in [
            "ningbo",
            "haiyang",
            "wenju",
            "haiyangwenju",
            "ningboshi",
            "hywj",
            "nbhywj",
            "nbshywj",
        ] {
            assert!(has(&t, want), "{want} missing from {t}");
        }
        // The distinctive part without 市 is one run: 宁波海洋文具.
        assert!(has(&t, "ningbohaiyangwenju"), "{t}");
    }

    #[test]
    fn zones_lose_their_common_ending_and_keep_letters() {
        let t = terms(["河南省长垣出口起重机质量安全示范区"]);
        assert!(has(&t, "cyqzj"), "{t}");
        assert!(has(&t, "changyuan"), "{t}");
        let t = terms(["LED庭院灯"]);
        assert!(has(&t, "ledtingyuan"), "{t}");
        assert!(has(&t, "ltyd"), "{t}");
    }
}
