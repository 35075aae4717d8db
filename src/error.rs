//! The one error type of the API and the one registry of stable error codes (GraphQL `extensions.code`).

use async_graphql::ErrorExtensions;

/// Every code a client can see. Documented in `docs/api.md` (a test checks that each is listed there); never
/// renamed once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// An argument or variable value is malformed (bad symbol, bad date, an Int out of range, a null for a
    /// non-null variable).
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
    /// The query text is not a GraphQL document (syntax error, empty query).
    GraphqlParseFailed,
    /// The document does not fit the schema (unknown field or argument, wrong type, fragment cycle, ...).
    GraphqlValidationFailed,
    /// `operationName` names no operation of the document, or the document has several and none was named.
    OperationNotFound,
    /// Brackets, lists, objects or JSON nested deeper than the service reads.
    NestingTooDeep,
    /// Selections nested deeper than the depth limit.
    QueryTooDeep,
    /// The query would cost more than the complexity limit.
    QueryTooComplex,
    /// Too many fields (aliases included) in one request, or too many tokens.
    TooManyFields,
    /// The body is not JSON (invalid, truncated, empty, not UTF-8, a lone surrogate).
    InvalidJson,
    /// JSON, but not a GraphQL request: not an object, no `query`, or a parameter of the wrong type.
    InvalidRequest,
    /// A JSON array of requests: batches are not accepted.
    BatchNotSupported,
    /// A POST without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// The `Accept` header allows neither JSON media type.
    NotAcceptable,
    /// A method the path does not take, or a mutation over GET.
    MethodNotAllowed,
    /// The body is larger than the limit.
    PayloadTooLarge,
    /// The request took longer than the time limit.
    RequestTimeout,
    /// No such path.
    NotFound,
    /// No watch has this token (`watch`, `updateWatch`, `deleteWatch`, the watch feed).
    WatchNotFound,
    /// Too many requests of this kind from one client address (creating watches), or too many operations at once
    /// on one WebSocket; try again later.
    RateLimited,
    /// A subscription fell too far behind the events to be sent them all; it ended, and the client resubscribes
    /// (and reads what it missed from `Watch.events`).
    SubscriptionLagged,
    /// The `Authorization: Bearer` key is not a key of this service, or is revoked or expired; or a write was sent
    /// without a key.
    Unauthenticated,
    /// The key may not do this: its role, its catalogues or its region do not cover the record (as it is, or as
    /// it would become).
    Forbidden,
    /// `expectedVersion` is not the record's version: someone changed it since it was read.
    VersionConflict,
    /// No record (or import job, or key) has this ID.
    RecordNotFound,
    /// Other records still refer to the record to be deleted.
    RecordInUse,
    /// An `idempotencyKey` already used by this key for a different request.
    IdempotencyKeyReused,
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
            Code::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::OperationNotFound => "OPERATION_NOT_FOUND",
            Code::NestingTooDeep => "NESTING_TOO_DEEP",
            Code::QueryTooDeep => "QUERY_TOO_DEEP",
            Code::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Code::TooManyFields => "TOO_MANY_FIELDS",
            Code::InvalidJson => "INVALID_JSON",
            Code::InvalidRequest => "INVALID_REQUEST",
            Code::BatchNotSupported => "BATCH_NOT_SUPPORTED",
            Code::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Code::NotAcceptable => "NOT_ACCEPTABLE",
            Code::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::RequestTimeout => "REQUEST_TIMEOUT",
            Code::NotFound => "NOT_FOUND",
            Code::WatchNotFound => "WATCH_NOT_FOUND",
            Code::RateLimited => "RATE_LIMITED",
            Code::SubscriptionLagged => "SUBSCRIPTION_LAGGED",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::VersionConflict => "VERSION_CONFLICT",
            Code::RecordNotFound => "RECORD_NOT_FOUND",
            Code::RecordInUse => "RECORD_IN_USE",
            Code::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
        }
    }

    /// The HTTP status of a request refused with this code before any GraphQL execution. Errors met while
    /// executing (the first six codes) come back with the data, as 200.
    pub fn http_status(self) -> u16 {
        match self {
            Code::Internal => 500,
            Code::SearchUnavailable => 503,
            Code::UnsupportedMediaType => 415,
            Code::NotAcceptable => 406,
            Code::MethodNotAllowed => 405,
            Code::PayloadTooLarge => 413,
            Code::RequestTimeout => 408,
            Code::NotFound | Code::WatchNotFound => 404,
            Code::RateLimited => 429,
            Code::Unauthenticated => 401,
            Code::Forbidden => 403,
            Code::VersionConflict | Code::RecordInUse => 409,
            Code::RecordNotFound => 404,
            Code::IdempotencyKeyReused => 422,
            _ => 400,
        }
    }

    pub const ALL: [Code; 31] = [
        Code::BadUserInput,
        Code::PageSizeInvalid,
        Code::InvalidCursor,
        Code::InvalidId,
        Code::SearchUnavailable,
        Code::Internal,
        Code::GraphqlParseFailed,
        Code::GraphqlValidationFailed,
        Code::OperationNotFound,
        Code::NestingTooDeep,
        Code::QueryTooDeep,
        Code::QueryTooComplex,
        Code::TooManyFields,
        Code::InvalidJson,
        Code::InvalidRequest,
        Code::BatchNotSupported,
        Code::UnsupportedMediaType,
        Code::NotAcceptable,
        Code::MethodNotAllowed,
        Code::PayloadTooLarge,
        Code::RequestTimeout,
        Code::NotFound,
        Code::WatchNotFound,
        Code::RateLimited,
        Code::SubscriptionLagged,
        Code::Unauthenticated,
        Code::Forbidden,
        Code::VersionConflict,
        Code::RecordNotFound,
        Code::RecordInUse,
        Code::IdempotencyKeyReused,
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
