//! Words that name a kind of record (标准, 通报, 品牌, 政策, 示范区, 黑名单, ...) steer the mixed list toward that
//! kind: its records weigh more, and it is searched with the rest of the query, which decides which of its
//! records come first. Other kinds are searched with the whole query, as before.

use super::SearchType;

/// Each word and the kinds it names. A word counts when it is a whole term of the query, or, when no term is a
/// whole kind word, the end of a longer term (`玩具标准`) after at least two other characters.
const WORDS: &[(&str, &[SearchType])] = &[
    ("标准", &[SearchType::Standard]),
    ("国标", &[SearchType::Standard]),
    ("国家标准", &[SearchType::Standard]),
    ("行业标准", &[SearchType::Standard]),
    ("通报", &[SearchType::Notice]),
    ("tbt通报", &[SearchType::Notice]),
    ("品牌", &[SearchType::Brand]),
    ("商标", &[SearchType::Brand]),
    ("文件", &[SearchType::Policy]),
    ("政策", &[SearchType::Policy]),
    ("示范区", &[SearchType::Zone]),
    ("基地", &[SearchType::Zone]),
    ("黑名单", &[SearchType::CreditEntry]),
    ("失信", &[SearchType::CreditEntry]),
    ("处罚", &[SearchType::CreditEntry]),
    ("经营异常", &[SearchType::CreditEntry]),
    ("自我声明", &[SearchType::Declaration]),
    ("企业标准自我声明", &[SearchType::Declaration]),
    ("召回", &[SearchType::Recall]),
    ("退运", &[SearchType::Recall]),
    ("企业", &[SearchType::Enterprise]),
    ("公司", &[SearchType::Enterprise]),
    ("厂家", &[SearchType::Enterprise]),
];

/// Words whose kind must be a whole term: as the end of a longer term they are part of a name
/// (`示范企业`, `有限公司`).
const WHOLE_ONLY: &[&str] = &["企业", "公司", "厂家"];

/// Multiplies the federation weight of a steered kind.
pub(super) const BOOST: f32 = 3.0;

/// The kinds a query steers toward and the query without the kind words.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Steer {
    pub(super) kinds: Vec<SearchType>,
    /// The query without the words that named the kinds; empty when they were all of it.
    pub(super) rest: String,
}

/// `q` is a prepared query (simplified, terms separated by single spaces).
pub(super) fn steer(q: &str) -> Option<Steer> {
    let terms: Vec<&str> = q.split(' ').filter(|t| !t.is_empty()).collect();
    let lower: Vec<String> = terms.iter().map(|t| t.to_lowercase()).collect();
    let mut kinds: Vec<SearchType> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    // Every term a kind word (`示范区 文件`): the last names the kind, the others are the topic.
    if terms.len() >= 2 && lower.iter().all(|t| WORDS.iter().any(|(w, _)| t == w)) {
        let (_, ks) = WORDS.iter().find(|(w, _)| *w == lower[terms.len() - 1])?;
        return Some(Steer {
            kinds: ks.to_vec(),
            rest: terms[..terms.len() - 1].join(" "),
        });
    }
    let whole = lower.iter().any(|t| WORDS.iter().any(|(w, _)| t == w));
    for (t, l) in terms.iter().zip(&lower) {
        if let Some((_, ks)) = WORDS.iter().find(|(w, _)| l == w) {
            kinds.extend(ks.iter().copied());
            continue;
        }
        if !whole
            && let Some((w, ks)) = WORDS
                .iter()
                .filter(|(w, _)| !WHOLE_ONLY.contains(w))
                .find(|(w, _)| l.ends_with(w) && l.chars().count() >= w.chars().count() + 2)
        {
            kinds.extend(ks.iter().copied());
            rest.push(t.chars().take(t.chars().count() - w.chars().count()).collect());
            continue;
        }
        rest.push(t.to_string());
    }
    if kinds.is_empty() {
        return None;
    }
    kinds.sort_by_key(|k| *k as u8);
    kinds.dedup();
    // A query of kind words only ("标准") names no topic: nothing to steer by.
    if rest.is_empty() {
        return None;
    }
    Some(Steer {
        kinds,
        rest: rest.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_words_steer_and_leave_the_topic() {
        let s = steer("玩具 标准").expect("steers");
        assert_eq!(s.kinds, vec![SearchType::Standard]);
        assert_eq!(s.rest, "玩具");
        let s = steer("玩具标准").expect("steers");
        assert_eq!((s.kinds, s.rest.as_str()), (vec![SearchType::Standard], "玩具"));
        let s = steer("文具 处罚").expect("steers");
        assert_eq!(s.kinds, vec![SearchType::CreditEntry]);
        // A whole kind word wins over the end of a longer term: 生产基地 stays the topic.
        let s = steer("生产基地 文件").expect("steers");
        assert_eq!((s.kinds, s.rest.as_str()), (vec![SearchType::Policy], "生产基地"));
        // Kind words only: the last is the kind, the others the topic.
        let s = steer("示范区 文件").expect("steers");
        assert_eq!((s.kinds, s.rest.as_str()), (vec![SearchType::Policy], "示范区"));
    }

    #[test]
    fn names_and_bare_kind_words_do_not_steer() {
        assert_eq!(steer("宁波市海洋文具有限公司"), None);
        assert_eq!(steer("示范企业"), None);
        assert_eq!(steer("标准"), None);
        assert_eq!(steer("锂离子电池"), None);
        // Too short to be a topic plus a kind word.
        assert_eq!(steer("国标"), None);
    }
}
