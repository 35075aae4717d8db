//! WTO members and observers: code to Chinese and English names, from `data-ref/wto-members.csv`.

use std::collections::HashMap;
use std::sync::OnceLock;

use async_graphql::SimpleObject;

/// A notifying member.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// ISO 3166 alpha-3 code, or `EU`, or `TPKM` (Chinese Taipei).
    pub code: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
}

const CSV: &str = include_str!("../../../data-ref/wto-members.csv");

fn table() -> &'static HashMap<String, (String, String)> {
    static TABLE: OnceLock<HashMap<String, (String, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for line in CSV.lines().skip(1) {
            let fields = split_csv_line(line);
            if fields.len() >= 3 {
                m.insert(fields[0].clone(), (fields[1].clone(), fields[2].clone()));
            }
        }
        m
    })
}

/// One CSV line with optional double-quoted fields.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

pub fn member(code: &str) -> Member {
    let names = table().get(code);
    Member {
        code: code.to_string(),
        name_en: names.map(|n| n.0.clone()),
        name_zh: names.map(|n| n.1.clone()),
    }
}

/// The code of a member named in English or Chinese (as ePing's "Notifying Member" column gives it), or a code itself.
pub fn code_for(name: &str) -> Option<String> {
    let n = name.trim();
    if table().contains_key(n) {
        return Some(n.to_string());
    }
    let upper = n.to_ascii_uppercase();
    if table().contains_key(&upper) {
        return Some(upper);
    }
    if let Some((code, _)) = table()
        .iter()
        .find(|(_, (en, zh))| en.eq_ignore_ascii_case(n) || zh == n)
    {
        return Some(code.clone());
    }
    // Short forms: "United States" for "United States of America".
    let lower = n.to_lowercase();
    let mut found: Vec<&String> = table()
        .iter()
        .filter(|(_, (en, _))| {
            let en = en.to_lowercase();
            en.starts_with(&lower) && en[lower.len()..].starts_with([' ', ','])
        })
        .map(|(code, _)| code)
        .collect();
    found.sort();
    (found.len() == 1).then(|| found[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_common_members() {
        let usa = member("USA");
        assert_eq!(usa.name_zh.as_deref(), Some("美国"));
        assert_eq!(member("EU").name_zh.as_deref(), Some("欧盟"));
        assert!(member("TPKM").name_en.is_some());
        assert_eq!(code_for("United States").as_deref(), Some("USA"));
        assert_eq!(code_for("Japan").as_deref(), Some("JPN"));
        assert_eq!(code_for("日本").as_deref(), Some("JPN"));
        assert_eq!(member("XXX").name_zh, None);
        assert!(table().len() >= 130, "{} members", table().len());
    }

    #[test]
    fn csv_fields_may_be_quoted() {
        assert_eq!(
            split_csv_line("KOR,\"Korea, Republic of\",韩国"),
            vec!["KOR", "Korea, Republic of", "韩国"]
        );
    }
}
