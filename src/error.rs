//! The one error type of the API and the one registry of stable error codes (GraphQL `extensions.code`).

use async_graphql::ErrorExtensions;

/// Every code a client can see. Documented in `docs/errors.md`; never renamed once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// An argument is malformed (bad symbol, bad date range, bad HS code).
    BadUserInput,
    /// `first` or `last` above 100, or below 0, or both given.
    PageSizeInvalid,
    /// A cursor that this server did not make, or made for another listing or order.
    InvalidCursor,
    /// A global ID that does not decode.
    InvalidId,
    /// Search is unavailable (Meilisearch unreachable or failing).
    SearchUnavailable,
    /// Anything else: logged with its cause, returned without it.
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::PageSizeInvalid => "PAGE_SIZE_INVALID",
            Code::InvalidCursor => "INVALID_CURSOR",
            Code::InvalidId => "INVALID_ID",
            Code::SearchUnavailable => "SEARCH_UNAVAILABLE",
            Code::Internal => "INTERNAL",
        }
    }

    pub const ALL: [Code; 6] = [
        Code::BadUserInput,
        Code::PageSizeInvalid,
        Code::InvalidCursor,
        Code::InvalidId,
        Code::SearchUnavailable,
        Code::Internal,
    ];
}

/// An error of the API. Deliberately not `Display`: it reaches clients only through the conversion below,
/// which adds the code and hides internal causes.
#[derive(Debug)]
pub enum ApiError {
    User { code: Code, message: String },
    Search(anyhow::Error),
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn user(code: Code, message: impl Into<String>) -> ApiError {
        ApiError::User {
            code,
            message: message.into(),
        }
    }

    pub fn bad_input(message: impl Into<String>) -> ApiError {
        ApiError::user(Code::BadUserInput, message)
    }

    /// What the client reads.
    pub fn message(&self) -> String {
        match self {
            ApiError::User { message, .. } => message.clone(),
            ApiError::Search(_) => "search is unavailable right now; listings still work".into(),
            ApiError::Internal(_) => "internal error".into(),
        }
    }

    pub fn code(&self) -> Code {
        match self {
            ApiError::User { code, .. } => *code,
            ApiError::Search(_) => Code::SearchUnavailable,
            ApiError::Internal(_) => Code::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        match &e {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::Search(cause) => tracing::warn!(error = ?cause, "search unavailable"),
            ApiError::User { .. } => {}
        }
        let code = e.code().as_str();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| ext.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
