//! URL query parameters read as the GraphQL arguments and filter fields of a listing: each parameter is turned
//! into the GraphQL value its field takes and parsed by that field's own input type, so an export or feed accepts
//! and refuses exactly what `notices(filter:)`, `brands(schemes:, filter:)`, ... accept and refuse.

use async_graphql::{InputType, Name, Value};

use crate::error::{ApiError, ApiResult};

/// How a parameter's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One value: a string, an enum name or a date.
    One,
    /// A list: the parameter repeated, or values separated by commas (`hsCodes=9503,9608`).
    Many,
    /// `true` or `false`.
    Bool,
}

/// The parameters given, in order; a parameter may be repeated for a list.
pub type Pairs = [(String, String)];

/// The parameters that are not part of any filter (`first`: at most this many rows).
pub const COMMON: &[&str] = &["first"];

/// Checks that every parameter is one of `known` (or a common one).
pub fn check_known(pairs: &Pairs, known: &[(&str, Kind)]) -> ApiResult<()> {
    for (k, _) in pairs {
        if !known.iter().any(|(n, _)| n == k) && !COMMON.contains(&k.as_str()) {
            let names: Vec<&str> = known.iter().map(|(n, _)| *n).chain(COMMON.iter().copied()).collect();
            return Err(ApiError::bad_input(format!(
                "unknown parameter {k:?}; this listing takes {}",
                names.join(", ")
            )));
        }
    }
    Ok(())
}

/// The GraphQL value of parameter `name`, or `None` when it is absent.
pub fn value(pairs: &Pairs, name: &str, kind: Kind) -> ApiResult<Option<Value>> {
    let given: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect();
    if given.is_empty() {
        return Ok(None);
    }
    match kind {
        Kind::Many => Ok(Some(Value::List(
            given
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| Value::String(v.to_string()))
                .collect(),
        ))),
        Kind::One | Kind::Bool if given.len() > 1 => Err(ApiError::bad_input(format!(
            "{name}: give it once, not {} times",
            given.len()
        ))),
        Kind::One => Ok(Some(Value::String(given[0].to_string()))),
        Kind::Bool => match given[0].trim() {
            "true" => Ok(Some(Value::Boolean(true))),
            "false" => Ok(Some(Value::Boolean(false))),
            v => Err(ApiError::bad_input(format!("{name}: {v:?} is not true or false"))),
        },
    }
}

/// Parameter `name` parsed as the GraphQL input type `T` (an argument of the listing).
pub fn arg<T: InputType>(pairs: &Pairs, name: &str, kind: Kind) -> ApiResult<Option<T>> {
    match value(pairs, name, kind)? {
        None => Ok(None),
        Some(v) => T::parse(Some(v))
            .map(Some)
            .map_err(|e| ApiError::bad_input(format!("{name}: {}", e.into_server_error(Default::default()).message))),
    }
}

/// The filter input object `T` made of the parameters named in `fields`.
pub fn filter<T: InputType + Default>(pairs: &Pairs, fields: &[(&str, Kind)]) -> ApiResult<T> {
    let mut map = async_graphql::indexmap::IndexMap::new();
    for (name, kind) in fields {
        if let Some(v) = value(pairs, name, *kind)? {
            map.insert(Name::new(name), v);
        }
    }
    if map.is_empty() {
        return Ok(T::default());
    }
    T::parse(Some(Value::Object(map))).map_err(|e| ApiError::bad_input(e.into_server_error(Default::default()).message))
}

/// `first`: at most this many rows (any positive number; without it, every row).
pub fn first(pairs: &Pairs) -> ApiResult<Option<u64>> {
    match value(pairs, "first", Kind::One)? {
        None => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ApiError::bad_input(format!("first: {s:?} is not a whole number"))),
        Some(_) => Ok(None),
    }
}
