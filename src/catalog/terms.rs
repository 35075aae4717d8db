//! What enterprises, listings and zones share: vocabularies read by their enum name or the Chinese words lists
//! use (`words!`), the administrative `Level`, and the "as of" rules (a period covering a day, a day defaulting to
//! today in Asia/Shanghai).

use chrono::NaiveDate;

use crate::graphql::scalars::{Date, today_in_china};

/// A GraphQL enum whose values are read from their name or from the Chinese words lists use.
macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal [$($alias:literal),*]),* $(,)? }) => {
        $(#[$m])*
        #[derive(::async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            /// The enum name or the Chinese words lists use.
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) $(|| t.contains($alias))* {
                        return Some($name::$variant);
                    }
                )*
                None
            }
        }
    };
}
pub(crate) use words;

words! {
    /// Administrative level of an award, brand or zone.
    Level {
        National = "NATIONAL" ["国家", "全国"],
        Provincial = "PROVINCIAL" ["省"],
        City = "CITY" ["市"],
        County = "COUNTY" ["县", "区"],
    }
}

/// Whether a period covers `day`: begun on or before it, not ended on or before it.
pub fn covers(start: Option<NaiveDate>, end: Option<NaiveDate>, day: NaiveDate) -> bool {
    start.is_none_or(|s| s <= day) && end.is_none_or(|e| e > day)
}

/// The day an `on` or `asOf` argument names, today when it is absent.
pub fn day(on: Option<Date>) -> NaiveDate {
    on.map(|d| d.0).unwrap_or_else(today_in_china)
}
