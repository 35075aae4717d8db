//! Gives every error that async-graphql raises before execution a code from the registry, and records whether
//! execution began: an error before it is a request error (no `data` entry, 400 with
//! `application/graphql-response+json`), an error after it a field error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

use crate::error::Code;

/// Put in each request's data; set when execution begins.
#[derive(Default)]
pub struct Progress {
    executed: AtomicBool,
}

impl Progress {
    pub fn executed(&self) -> bool {
        self.executed.load(Ordering::SeqCst)
    }
}

/// The extension factory for the schema.
pub struct Phases;

impl ExtensionFactory for Phases {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PhasesExtension)
    }
}

struct PhasesExtension;

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
    if message.starts_with("Query is too complex") {
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

#[async_graphql::async_trait::async_trait]
impl Extension for PhasesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|e| {
            let code = if e.message.contains("recursion depth") {
                Code::NestingTooDeep
            } else {
                Code::GraphqlParseFailed
            };
            with_code(e, code)
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let code = validation_code(&e.message);
                    with_code(e, code)
                })
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(p) = ctx.data_opt::<Arc<Progress>>() {
            p.executed.store(true, Ordering::SeqCst);
        }
        next.run(ctx, operation_name).await
    }
}
