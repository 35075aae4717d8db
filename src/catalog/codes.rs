//! Parsers shared by every catalogue: dates as people write them, HS and ICS codes, HTML-to-text.

use chrono::NaiveDate;

/// `2024-03-15`, `2024/3/15`, `2024.03.15`, `2024年3月15日`, `15/03/2024` (day first, as ePing writes),
/// or an ISO timestamp whose date part is taken.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let t = t.split(['T', ' ']).next().unwrap_or(t);
    let t = t.replace(['年', '月'], "-").replace('日', "");
    let parts: Vec<&str> = t.split(['-', '/', '.']).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if parts[0].len() == 4 {
        NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
    } else if parts[2].len() == 4 {
        NaiveDate::from_ymd_opt(n[2] as i32, n[1], n[0])
    } else {
        None
    }
}

/// An Excel serial day number (1900 date system) as a date.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
}

/// Splits a cell holding several codes: `"9503.00; 950300"`, `"0805, 080510"`.
pub fn split_codes(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([',', ';', '\n', '，', '；', '、', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An HS code of 2 to 10 digits, dots removed: `9503.00` becomes `950300`. Leading zeros are kept.
pub fn normalise_hs(s: &str) -> Option<String> {
    let digits: String = s.trim().chars().filter(|c| *c != '.').collect();
    (digits.len() >= 2 && digits.len() <= 10 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// An ICS code: `97`, `97.200` or `97.200.50`.
pub fn normalise_ics(s: &str) -> Option<String> {
    let t = s.trim();
    let parts: Vec<&str> = t.split('.').collect();
    let lens = [2usize, 3, 2];
    let ok = !parts.is_empty()
        && parts.len() <= 3
        && parts
            .iter()
            .zip(lens)
            .all(|(p, l)| p.len() == l && p.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| t.to_string())
}

/// A prefix filter on HS codes: digits only, dots ignored, 1 to 10 digits.
pub fn hs_prefix(s: &str) -> Option<String> {
    let digits: String = s.trim().chars().filter(|c| *c != '.' && *c != ' ').collect();
    (!digits.is_empty() && digits.len() <= 10 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// A prefix filter on ICS codes: digits and dots.
pub fn ics_prefix(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t.len() <= 12 && t.chars().all(|c| c.is_ascii_digit() || c == '.')).then(|| t.to_string())
}

/// Plain text from a cell that may hold HTML: tags dropped, the common entities decoded, spaces collapsed.
pub fn html_to_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let collapsed: Vec<&str> = decoded.split_whitespace().collect();
    let mut text = collapsed.join(" ");
    // No space before punctuation that a dropped tag left behind.
    for p in [";", ",", ".", ":", "；", "，", "。"] {
        text = text.replace(&format!(" {p}"), p);
    }
    text
}

/// Trimmed text, or nothing when empty.
pub fn clean(s: Option<String>) -> Option<String> {
    s.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// An optional date field of an import record: the reason names the field.
pub fn date_field(name: &str, v: Option<String>) -> Result<Option<NaiveDate>, String> {
    match clean(v) {
        None => Ok(None),
        Some(t) => parse_date(&t)
            .map(Some)
            .ok_or_else(|| format!("{name}: {t:?} is not a date (YYYY-MM-DD)")),
    }
}

/// Traditional Chinese characters converted to simplified; other text unchanged.
pub fn to_simplified(s: &str) -> String {
    fast2s::convert(s)
}

/// Full-width Latin letters, digits and punctuation (`ＧＢ　６６７５．１`) as their ASCII forms, the ideographic
/// space as a space. Chinese punctuation such as 。 and 、 is left alone.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_fold_to_ascii() {
        assert_eq!(fold_width("ＧＢ　６６７５．１－２０１４"), "GB 6675.1-2014");
        assert_eq!(fold_width("玩具，安全。"), "玩具,安全。");
    }

    #[test]
    fn dates_in_the_forms_people_write() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 15);
        assert_eq!(parse_date("2024-03-15"), d);
        assert_eq!(parse_date("2024/3/15"), d);
        assert_eq!(parse_date("2024年3月15日"), d);
        assert_eq!(parse_date("15/03/2024"), d);
        assert_eq!(parse_date("2024-03-15T00:00:00"), d);
        assert_eq!(parse_date("31/02/2024"), None);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(excel_serial_date(45292.0), NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(excel_serial_date(45500.0), NaiveDate::from_ymd_opt(2024, 7, 27));
    }

    #[test]
    fn hs_and_ics_codes() {
        assert_eq!(normalise_hs("9503.00").as_deref(), Some("950300"));
        assert_eq!(normalise_hs("0805").as_deref(), Some("0805"));
        assert_eq!(normalise_hs("9"), None);
        assert_eq!(normalise_hs("95AB"), None);
        assert_eq!(
            split_codes("9503.00; 950300").collect::<Vec<_>>(),
            vec!["9503.00", "950300"]
        );
        assert_eq!(normalise_ics("97.200.50").as_deref(), Some("97.200.50"));
        assert_eq!(normalise_ics("97.2"), None);
        assert_eq!(hs_prefix("9503").as_deref(), Some("9503"));
        assert_eq!(hs_prefix("95x"), None);
    }

    #[test]
    fn html_titles_become_text() {
        assert_eq!(
            html_to_text("<p>Toys; <b>safety</b> requirements &amp; labelling</p>"),
            "Toys; safety requirements & labelling"
        );
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(to_simplified("通報"), "通报");
        assert_eq!(to_simplified("標準 質量"), "标准 质量");
        assert_eq!(to_simplified("G/TBT/N/USA/1"), "G/TBT/N/USA/1");
    }
}
