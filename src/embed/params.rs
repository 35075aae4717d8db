//! The URL parameters of a widget: the look (`lang`, `theme`, `accent`), paging (`first`, `after`, `before`),
//! sorting, and the listing's filter, which is built as a GraphQL input value and parsed by the very input type
//! the GraphQL listing takes, so a parameter means exactly what the filter field means.

use std::collections::BTreeSet;

use async_graphql::indexmap::IndexMap;
use async_graphql::{InputType, Name, Value};

use crate::error::{ApiError, Code};
use crate::graphql::scalars::today_in_china;

/// A refused request: the status, the code of the API's error registry and what the page says.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub code: Code,
    pub message: String,
}

impl Refusal {
    pub fn bad(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            code: Code::BadUserInput,
            message: message.into(),
        }
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Refusal {
        let status = match e.code() {
            Code::BadUserInput | Code::PageSizeInvalid | Code::InvalidCursor | Code::InvalidId => 400,
            Code::SearchUnavailable => 503,
            _ => {
                if let ApiError::Internal(cause) = &e {
                    tracing::error!(error = ?cause, "embed widget failed");
                }
                500
            }
        };
        Refusal {
            status,
            code: e.code(),
            message: e.message(),
        }
    }
}

impl From<anyhow::Error> for Refusal {
    fn from(e: anyhow::Error) -> Refusal {
        ApiError::Internal(e).into()
    }
}

/// Language of the page: Chinese first, English by `lang=en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    /// The Chinese or the English text.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    /// Follows the reader's system setting (`prefers-color-scheme`).
    Auto,
}

/// How the page looks: kept in every paging and sorting link.
#[derive(Debug, Clone)]
pub struct Look {
    pub lang: Lang,
    pub theme: Theme,
    /// `#rrggbb`, validated.
    pub accent: Option<String>,
}

/// The default accent: a deep red (7.1:1 against white text).
pub const DEFAULT_ACCENT: &str = "#a4161a";

/// `#abc`, `#aabbcc`, with or without `#`, any case: the colour as `#aabbcc`.
pub fn hex_colour(v: &str) -> Option<String> {
    let h = v.trim().trim_start_matches('#');
    if !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match h.len() {
        6 => Some(format!("#{}", h.to_ascii_lowercase())),
        3 => Some(format!(
            "#{}",
            h.chars().flat_map(|c| [c, c]).collect::<String>().to_ascii_lowercase()
        )),
        _ => None,
    }
}

/// The parameters of one request, consumed by name; whatever is left at the end is unknown and refused.
pub struct Params {
    pairs: Vec<(String, String)>,
    used: BTreeSet<String>,
}

/// What a filter field is, to turn its text into a GraphQL input value.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Text,
    /// A date: `YYYY-MM-DD`, or `today` (Asia/Shanghai).
    Date,
    Bool,
    Enum,
    /// Comma-separated or repeated.
    TextList,
    EnumList,
}

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Params {
        Params {
            pairs,
            used: BTreeSet::new(),
        }
    }

    /// The last value of `name`, trimmed; an empty value counts as absent.
    pub fn one(&mut self, name: &str) -> Option<String> {
        self.used.insert(name.to_string());
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Every value of `name`, each split at commas (also the Chinese ones), trimmed, empty parts dropped.
    pub fn list(&mut self, name: &str) -> Option<Vec<String>> {
        self.used.insert(name.to_string());
        let out: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split([',', '，', '、']).map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect();
        (!out.is_empty()).then_some(out)
    }

    /// A date parameter read as the GraphQL `Date` scalar reads it; `today` is today in Asia/Shanghai.
    pub fn date(&mut self, name: &str) -> Result<Option<chrono::NaiveDate>, Refusal> {
        match self.one(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("today") => Ok(Some(today_in_china())),
            Some(v) => crate::graphql::scalars::Date::parse(Some(Value::String(v.clone())))
                .map(|d| Some(d.0))
                .map_err(|_| Refusal::bad(format!("{name}: {v:?} is not a date (YYYY-MM-DD or today)"))),
        }
    }

    /// The look: `lang` (`zh-CN`, default, or `en`), `theme` (`light`, default, `dark`, `auto`), `accent` (hex).
    pub fn look(&mut self) -> Result<Look, Refusal> {
        let lang = match self.one("lang").map(|l| l.to_ascii_lowercase()) {
            None => Lang::Zh,
            Some(l) if l == "zh" || l.starts_with("zh-") => Lang::Zh,
            Some(l) if l == "en" || l.starts_with("en-") => Lang::En,
            Some(l) => return Err(Refusal::bad(format!("lang: {l:?} is neither zh-CN nor en"))),
        };
        let theme = match self.one("theme").map(|t| t.to_ascii_lowercase()).as_deref() {
            None | Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some("auto") => Theme::Auto,
            Some(t) => return Err(Refusal::bad(format!("theme: {t:?} is not light, dark or auto"))),
        };
        let accent = match self.one("accent") {
            None => None,
            Some(a) => Some(
                hex_colour(&a)
                    .ok_or_else(|| Refusal::bad(format!("accent: {a:?} is not a hex colour such as #a4161a")))?,
            ),
        };
        Ok(Look { lang, theme, accent })
    }

    /// `first`: the page size, checked as the GraphQL `first` is (0 to 100, default 20).
    pub fn first(&mut self) -> Result<Option<i32>, Refusal> {
        match self.one("first") {
            None => Ok(None),
            Some(v) => v
                .parse::<i32>()
                .map(Some)
                .map_err(|_| Refusal::bad(format!("first: {v:?} is not a whole number"))),
        }
    }

    /// The filter input object `T` of a GraphQL listing, from the parameters named as its fields.
    pub fn input<T: InputType>(&mut self, fields: &[(&str, Field)]) -> Result<Option<T>, Refusal> {
        let mut map = IndexMap::new();
        for &(name, kind) in fields {
            if let Some(v) = self.value(name, kind)? {
                map.insert(Name::new(name), v);
            }
        }
        if map.is_empty() {
            return Ok(None);
        }
        parse_input::<T>(Value::Object(map)).map(Some)
    }

    /// One argument of a GraphQL listing (a list of enum values, say), parsed by its own input type.
    pub fn arg<T: InputType>(&mut self, name: &str, kind: Field) -> Result<Option<T>, Refusal> {
        match self.value(name, kind)? {
            None => Ok(None),
            Some(v) => parse_input::<T>(v)
                .map(Some)
                .map_err(|r| Refusal::bad(format!("{name}: {}", r.message))),
        }
    }

    fn value(&mut self, name: &str, kind: Field) -> Result<Option<Value>, Refusal> {
        let enum_value = |s: &str| Value::Enum(Name::new(s.trim().to_ascii_uppercase().replace('-', "_")));
        Ok(match kind {
            Field::Text => self.one(name).map(Value::String),
            Field::Date => self.date(name)?.map(|d| Value::String(d.to_string())),
            Field::Bool => match self.one(name).map(|v| v.to_ascii_lowercase()).as_deref() {
                None => None,
                Some("true" | "1" | "yes") => Some(Value::Boolean(true)),
                Some("false" | "0" | "no") => Some(Value::Boolean(false)),
                Some(v) => return Err(Refusal::bad(format!("{name}: {v:?} is not true or false"))),
            },
            Field::Enum => self.one(name).map(|v| enum_value(&v)),
            Field::TextList => self
                .list(name)
                .map(|l| Value::List(l.into_iter().map(Value::String).collect())),
            Field::EnumList => self
                .list(name)
                .map(|l| Value::List(l.iter().map(|v| enum_value(v)).collect())),
        })
    }

    /// The parameters kept in paging and sorting links: every one read, except those named.
    pub fn kept(&self, except: &[&str]) -> Vec<(String, String)> {
        self.pairs
            .iter()
            .filter(|(k, v)| self.used.contains(k) && !except.contains(&k.as_str()) && !v.trim().is_empty())
            .cloned()
            .collect()
    }

    /// Refuses parameters no widget reads (a typo would otherwise widen the listing silently).
    pub fn finish(&self) -> Result<(), Refusal> {
        let unknown: BTreeSet<&str> = self
            .pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !self.used.contains(*k))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Refusal::bad(format!(
                "unknown parameter(s): {}",
                unknown.into_iter().collect::<Vec<_>>().join(", ")
            )))
        }
    }
}

fn parse_input<T: InputType>(v: Value) -> Result<T, Refusal> {
    T::parse(Some(v)).map_err(|e| Refusal::bad(e.into_server_error(Default::default()).message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_only() {
        assert_eq!(hex_colour("#A4161A").as_deref(), Some("#a4161a"));
        assert_eq!(hex_colour("0af").as_deref(), Some("#00aaff"));
        for bad in ["red", "#12345", "#1234567", "url(x)", "#12g456", "", "#"] {
            assert_eq!(hex_colour(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_split_and_unknowns_are_refused() {
        let mut p = Params::new(vec![
            ("hsCodes".into(), "9503, 9608".into()),
            ("hsCodes".into(), "9609".into()),
            ("typo".into(), "1".into()),
        ]);
        assert_eq!(p.list("hsCodes").unwrap(), vec!["9503", "9608", "9609"]);
        assert!(p.finish().unwrap_err().message.contains("typo"));
    }
}
