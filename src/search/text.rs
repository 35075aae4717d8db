//! Text preparation for Meilisearch: overlapping Chinese bigrams, query clean-up, safe highlights.

use crate::catalog::codes::{fold_width, to_simplified};

/// Highlight markers that cannot occur in real text; replaced by `<mark>` after HTML escaping.
pub const PRE: &str = "\u{E000}";
pub const POST: &str = "\u{E001}";

/// Meilisearch counts only the first 10 query terms.
pub const MAX_QUERY_TERMS: usize = 10;

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Every pair of neighbouring Han characters, space separated: `锂电池` gives `锂电 电池`. Indexed in a
/// field listed last, it lets `电池` find `锂电池`, which jieba's whole-word tokens miss.
pub fn han_bigrams<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut seen = std::collections::HashSet::new();
    for text in texts {
        let chars: Vec<char> = to_simplified(text).chars().collect();
        for w in chars.windows(2) {
            if is_han(w[0]) && is_han(w[1]) {
                let bigram: String = w.iter().collect();
                if seen.insert(bigram.clone()) {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(&bigram);
                }
            }
        }
    }
    out
}

/// A query as Meilisearch should see it: simplified characters, ASCII for full-width forms, trimmed, at most 10
/// terms.
pub fn prepare_query(q: &str) -> String {
    let simplified = to_simplified(&fold_width(q));
    let terms: Vec<&str> = simplified.split_whitespace().collect();
    if terms.len() > MAX_QUERY_TERMS {
        terms[..MAX_QUERY_TERMS].join(" ")
    } else {
        terms.join(" ")
    }
}

/// HTML-escapes Meilisearch's formatted text and turns the markers into `<mark>` tags.
pub fn safe_highlight(formatted: &str) -> String {
    let mut out = String::with_capacity(formatted.len() + 16);
    for c in formatted.chars() {
        match c {
            '\u{E000}' => out.push_str("<mark>"),
            '\u{E001}' => out.push_str("</mark>"),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

/// HTML-escapes text for an element's content or a quoted attribute.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_overlap_and_skip_latin() {
        assert_eq!(han_bigrams(["锂电池 battery 婴幼儿"]), "锂电 电池 婴幼 幼儿");
        assert_eq!(han_bigrams(["電池"]), "电池");
    }

    #[test]
    fn queries_are_simplified_and_capped() {
        assert_eq!(prepare_query("  通報 美國 "), "通报 美国");
        assert_eq!(prepare_query("ＧＢ　６６７５"), "GB 6675");
        assert_eq!(prepare_query("a b c d e f g h i j k l").split(' ').count(), 10);
    }

    #[test]
    fn highlights_are_escaped() {
        assert_eq!(
            safe_highlight("<b>x</b> \u{E000}玩具\u{E001} & co"),
            "&lt;b&gt;x&lt;/b&gt; <mark>玩具</mark> &amp; co"
        );
    }
}
