//! Codes the errors that async-graphql raises without one, and tells a request error from a field error.
//!
//! An error before execution (validation, variables, the limits) is a request error: no `data` entry, 400 with
//! `application/graphql-response+json`. An error after execution began is a field error. The schema has no
//! extension for this: an extension sends every field of every request through async-graphql's extension chain
//! (a registry lookup and a boxed future per field), which was about a tenth of a listing's CPU. Instead
//! [`executed`] reads it off the response.

use async_graphql::{Response, ServerError, Value};

use crate::error::Code;

/// Whether execution began, from what async-graphql answered. A request that failed before execution comes back
/// with `data` null and errors of which none has a path (async-graphql's `Response::from_errors`). Every error
/// raised while executing carries the path of its field (`Context::set_error_path`), so an execution that failed
/// up to the root has `data` null and an error with a path, and one that did not has an object. The caller parses
/// the document itself, so no parse error comes from async-graphql.
pub fn executed(resp: &Response) -> bool {
    resp.data != Value::Null || resp.errors.is_empty() || resp.errors.iter().any(|e| !e.path.is_empty())
}

/// Sets `extensions.code` unless the error has one.
pub fn with_code(mut e: ServerError, code: Code) -> ServerError {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    e
}

/// The code of a validation error, from what async-graphql says.
pub fn validation_code(message: &str) -> Code {
    if message.contains("recursion depth") {
        // async-graphql's second fence behind `guard::MAX_NESTING`, checked on the parsed document.
        Code::NestingTooDeep
    } else if message.starts_with("Query is too complex") {
        Code::QueryTooComplex
    } else if message.starts_with("Query is nested too deep") {
        Code::QueryTooDeep
    } else if message.starts_with("Invalid value for argument")
        || message.starts_with("Failed to parse")
        || is_variable_value_error(message)
    {
        Code::BadUserInput
    } else {
        Code::GraphqlValidationFailed
    }
}

/// A variable's value that cannot be coerced to its type (as opposed to a variable that is unused or undefined).
fn is_variable_value_error(message: &str) -> bool {
    // "Variable n is not defined." (no quotes) is async-graphql's word for a variable given no value.
    if message.starts_with("Variable ") && !message.starts_with("Variable \"") {
        return true;
    }
    message.starts_with("Variable \"")
        && !message.ends_with("is not defined")
        && !message.ends_with("is never used")
        && !message.ends_with("is not used")
        && !message.contains("cannot be non-input type")
        && !message.contains("used in position expecting")
}

/// The code of an error raised while executing that carries none (async-graphql's own input parsing).
pub fn execution_code(message: &str) -> Code {
    if message.starts_with("Failed to parse") || message.starts_with("Invalid value") {
        Code::BadUserInput
    } else {
        Code::Internal
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{PathSegment, Pos};

    use super::*;

    fn at(path: &[&str]) -> ServerError {
        let mut e = ServerError::new("an error", Some(Pos { line: 1, column: 3 }));
        e.path = path.iter().map(|f| PathSegment::Field(f.to_string())).collect();
        e
    }

    #[test]
    fn the_response_tells_whether_execution_began() {
        // Validation failed: no path on any error.
        assert!(!executed(&Response::from_errors(vec![at(&[]), at(&[])])));
        // A non-null root field failed: `data` is null too, but the error has the field's path.
        assert!(executed(&Response::from_errors(vec![at(&["notices"])])));
        assert!(executed(&Response::from_errors(vec![at(&[]), at(&["notices"])])));
        // A field error below the root leaves an object.
        let mut partial = Response::new(Value::Object(Default::default()));
        partial.errors.push(at(&["notice", "symbol"]));
        assert!(executed(&partial));
        assert!(executed(&Response::new(Value::Object(Default::default()))));
    }
}
