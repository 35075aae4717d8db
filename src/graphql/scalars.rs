//! Scalars of the API: `Date` is an ISO 8601 calendar date in the Asia/Shanghai calendar.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{FixedOffset, NaiveDate, Utc};

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// An ISO 8601 calendar date (`YYYY-MM-DD`) in the Asia/Shanghai calendar.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("{s:?} is not a date in the form YYYY-MM-DD"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Checked in validation too, so an impossible date (`2023-02-30`) given as a literal or a variable is
    /// refused before execution, with `BAD_USER_INPUT`.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Today in Asia/Shanghai (UTC+8, no daylight saving).
pub fn today_in_china() -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    Utc::now().with_timezone(&offset).date_naive()
}
