//! `/graphql` by the GraphQL-over-HTTP spec: POST with `application/json`, GET for queries, the response media
//! type chosen from `Accept`, request errors without `data`, and a coded JSON error for every refusal.
//!
//! Order of checks: the request's media types, the body (size, UTF-8, nesting, JSON, shape), then the query
//! (nesting and tokens scanned before the parser runs, the parsed document's field counts, the operation), then
//! async-graphql's validation and execution, then the data put in the query's order (`graphql::shape`).

use std::sync::Arc;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ServerError, Variables};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use super::HttpState;
use crate::context::{ClientAddr, Warnings};
use crate::error::Code;
use crate::graphql::guard::{self, Refusal};
use crate::graphql::phases;
use crate::graphql::shape;

/// The media type of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/json`: what a client gets unless it asks for the other; GraphQL errors are answered 200.
    Json,
    /// `application/graphql-response+json`: request errors are answered 400.
    GraphqlJson,
}

impl MediaType {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::Json => "application/json; charset=utf-8",
            MediaType::GraphqlJson => "application/graphql-response+json; charset=utf-8",
        })
    }
}

/// Chooses the response media type from `Accept`: the acceptable type with the highest `q` (on a tie, the
/// GraphQL one); `*/*`, `application/*` and a missing header mean JSON. `None` when nothing offered is acceptable.
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() || values.iter().all(|v| v.trim().is_empty()) {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, u8, MediaType)> = None;
    for range in values.iter().flat_map(|v| v.split(',')) {
        let mut parts = range.split(';');
        let kind = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        for p in parts {
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        let (rank, media) = match kind.as_str() {
            "application/graphql-response+json" => (2, MediaType::GraphqlJson),
            "application/json" => (1, MediaType::Json),
            "application/*" | "*/*" => (0, MediaType::Json),
            _ => continue,
        };
        if q <= 0.0 {
            continue;
        }
        if best.is_none_or(|(bq, br, _)| q > bq || (q == bq && rank > br)) {
            best = Some((q, rank, media));
        }
    }
    best.map(|(_, _, m)| m)
}

/// A JSON error response for a request refused before GraphQL: `{"errors": [{message, extensions: {code}}]}`.
pub fn refusal(code: Code, message: impl Into<String>, media: MediaType) -> Response {
    let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let error = phases::with_code(ServerError::new(message.into(), None), code);
    let body = serde_json::to_string(&Body_ {
        data: None,
        errors: &[error],
        extensions: &Default::default(),
    })
    .unwrap_or_default();
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, media.header());
    if code == Code::MethodNotAllowed {
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    }
    resp
}

/// The parameters of a GraphQL request, from a JSON body or a URL.
pub struct Params {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: serde_json::Map<String, serde_json::Value>,
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

fn bad(message: &str) -> Refusal {
    Refusal {
        code: Code::InvalidRequest,
        message: message.to_string(),
    }
}

/// Reads the parameters out of a JSON object, checking each one's type.
pub(super) fn params_from_object(mut obj: serde_json::Map<String, serde_json::Value>) -> Result<Params, Refusal> {
    use serde_json::Value as J;
    let query = match obj.remove("query") {
        Some(J::String(s)) => s,
        None | Some(J::Null) => return Err(bad("the request has no `query`")),
        Some(_) => return Err(bad("`query` must be a string")),
    };
    let operation_name = match obj.remove("operationName") {
        None | Some(J::Null) => None,
        Some(J::String(s)) => Some(s),
        Some(_) => return Err(bad("`operationName` must be a string or null")),
    };
    let map = |name: &str, v: Option<J>| match v {
        None | Some(J::Null) => Ok(serde_json::Map::new()),
        Some(J::Object(m)) => Ok(m),
        Some(_) => Err(bad(&format!("`{name}` must be an object or null"))),
    };
    let variables = map("variables", obj.remove("variables"))?;
    let extensions = map("extensions", obj.remove("extensions"))?;
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// Parses JSON after checking its nesting; `what` names it in messages.
fn parse_json(bytes: &[u8], what: &str) -> Result<serde_json::Value, Refusal> {
    guard::scan_json(bytes)?;
    serde_json::from_slice(bytes).map_err(|e| Refusal {
        code: Code::InvalidJson,
        message: format!("{what} is not valid JSON: {e}"),
    })
}

/// Reads a POST body: at most `max` bytes of UTF-8 JSON holding one request object.
fn params_from_body(bytes: &[u8]) -> Result<Params, Refusal> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Refusal {
            code: Code::InvalidJson,
            message: "the body is empty; send a JSON object with `query`".into(),
        });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(Refusal {
            code: Code::InvalidJson,
            message: format!("the body is not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        });
    }
    match parse_json(bytes, "the body")? {
        serde_json::Value::Object(obj) => params_from_object(obj),
        serde_json::Value::Array(_) => Err(Refusal {
            code: Code::BatchNotSupported,
            message: "batches (a JSON array of requests) are not accepted; send one request object".into(),
        }),
        other => Err(bad(&format!(
            "the body must be a JSON object with `query`, not {}",
            json_kind(&other)
        ))),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads GET parameters: `query`, `operationName`, and `variables`/`extensions` as JSON text.
fn params_from_url(pairs: Vec<(String, String)>) -> Result<Params, Refusal> {
    let mut obj = serde_json::Map::new();
    for (k, v) in pairs {
        let value = match k.as_str() {
            "query" | "operationName" => serde_json::Value::String(v),
            "variables" | "extensions" if v.trim().is_empty() => serde_json::Value::Null,
            "variables" | "extensions" => parse_json(v.as_bytes(), &format!("the `{k}` parameter"))?,
            _ => continue,
        };
        if obj.insert(k.clone(), value).is_some() {
            return Err(bad(&format!("the `{k}` parameter is given twice")));
        }
    }
    params_from_object(obj)
}

/// Whether a POST's `Content-Type` is JSON in UTF-8.
fn json_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let refuse = |m: String| Refusal {
        code: Code::UnsupportedMediaType,
        message: m,
    };
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Err(refuse("send the body with `Content-Type: application/json`".into()));
    };
    let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
    let mut parts = ct.split(';');
    let kind = parts.next().unwrap_or("").trim();
    if kind != "application/json" {
        return Err(refuse(format!(
            "`Content-Type: {kind}` is not accepted; send `application/json`"
        )));
    }
    for p in parts {
        if let Some((k, v)) = p.split_once('=')
            && k.trim() == "charset"
            && !matches!(v.trim().trim_matches('"'), "utf-8" | "utf8")
        {
            return Err(refuse(format!("charset {} is not accepted; send UTF-8", v.trim())));
        }
    }
    Ok(())
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Files one multipart request may carry.
const MAX_UPLOADS: usize = 1;

/// Reads a GraphQL multipart request: `operations` (the request object), `map` (which file goes to which
/// variable, `{"0": ["variables.input.file"]}`), then the files, at most `max_upload_bytes` in all.
async fn multipart_params(
    s: &HttpState,
    request: axum::extract::Request,
) -> Result<(Params, Vec<(String, async_graphql::UploadValue)>), Refusal> {
    use axum::extract::FromRequest;
    let max = s.app.settings.max_upload_bytes;
    let refuse = |code: Code, message: String| Refusal { code, message };
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| refuse(Code::InvalidRequest, format!("the multipart body does not read: {e}")))?;
    let mut operations: Option<Bytes> = None;
    let mut map: Option<Bytes> = None;
    let mut files: Vec<(String, async_graphql::UploadValue)> = Vec::new();
    let too_large = |e: &axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refuse(Code::PayloadTooLarge, format!("the request is larger than {max} bytes"))
        } else {
            refuse(
                Code::InvalidRequest,
                format!("the multipart body does not read: {}", e.body_text()),
            )
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| too_large(&e))? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "operations" | "map" => {
                let bytes = field.bytes().await.map_err(|e| too_large(&e))?;
                if bytes.len() > s.max_body {
                    return Err(refuse(
                        Code::PayloadTooLarge,
                        format!("`{name}` is larger than {} bytes", s.max_body),
                    ));
                }
                if name == "operations" {
                    operations = Some(bytes);
                } else {
                    map = Some(bytes);
                }
            }
            _ => {
                if files.len() >= MAX_UPLOADS {
                    return Err(refuse(
                        Code::InvalidRequest,
                        format!("at most {MAX_UPLOADS} file a request"),
                    ));
                }
                let filename = field.file_name().unwrap_or("").to_string();
                let content_type = field.content_type().map(str::to_string);
                let content = field.bytes().await.map_err(|e| too_large(&e))?;
                files.push((
                    name,
                    async_graphql::UploadValue {
                        filename,
                        content_type,
                        content,
                    },
                ));
            }
        }
    }
    let operations = operations.ok_or_else(|| refuse(Code::InvalidRequest, "no `operations` part".into()))?;
    let mut params = match parse_json(&operations, "`operations`")? {
        serde_json::Value::Object(obj) => params_from_object(obj)?,
        serde_json::Value::Array(_) => {
            return Err(refuse(
                Code::BatchNotSupported,
                "batches (a JSON array of requests) are not accepted; send one request object".into(),
            ));
        }
        _ => {
            return Err(refuse(
                Code::InvalidRequest,
                "`operations` must be a JSON object".into(),
            ));
        }
    };
    let map: std::collections::BTreeMap<String, Vec<String>> = match map {
        None => Default::default(),
        Some(m) => {
            guard::scan_json(&m)?;
            serde_json::from_slice(&m).map_err(|e| {
                refuse(
                    Code::InvalidRequest,
                    format!("`map` must be an object of file names to lists of paths: {e}"),
                )
            })?
        }
    };
    let sent: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    if let Some(missing) = map.keys().find(|k| !sent.contains(k)) {
        return Err(refuse(
            Code::InvalidRequest,
            format!("`map` names a file part {missing:?} that was not sent"),
        ));
    }
    let mut uploads = Vec::new();
    for (part, value) in files {
        let Some(paths) = map.get(&part) else {
            return Err(refuse(
                Code::InvalidRequest,
                format!("the file part {part:?} is not in `map`"),
            ));
        };
        for path in paths {
            if !path.starts_with("variables.") {
                return Err(refuse(
                    Code::InvalidRequest,
                    format!("`map` path {path:?} does not start with `variables.`"),
                ));
            }
            // The variable holds null by the spec; a placeholder lets the non-null check pass, and `set_upload`
            // puts the file there.
            if !mark_upload(&mut params.variables, &path["variables.".len()..]) {
                return Err(refuse(
                    Code::InvalidRequest,
                    format!("`map` path {path:?} names no variable of `operations`"),
                ));
            }
            let copy = value
                .try_clone()
                .map_err(|e| refuse(Code::InvalidRequest, format!("the file part {part:?}: {e}")))?;
            uploads.push((path.clone(), copy));
        }
    }
    Ok((params, uploads))
}

/// Puts a placeholder where `path` (`input.file`, `files.0`) points in the variables; `false` where it points at
/// nothing.
fn mark_upload(variables: &mut serde_json::Map<String, serde_json::Value>, path: &str) -> bool {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut at) = variables.get_mut(first) else {
        return false;
    };
    for part in parts {
        at = match at {
            serde_json::Value::Object(m) => match m.get_mut(part) {
                Some(v) => v,
                None => return false,
            },
            serde_json::Value::Array(a) => match part.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    *at = serde_json::Value::String("(file)".into());
    true
}

/// POST `/graphql`.
pub async fn post(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers.clone();
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let rid = super::operate::request_id(&parts.extensions);
    let client = super::client_addr(&s, peer, &headers);
    let principal = match super::operate::authenticate(&s, &headers, client, media).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if is_multipart(&headers) {
        // Files come only with a key: a browser may send a multipart form to any site without asking first, but
        // never an `Authorization` header.
        if principal.is_none() {
            return refusal(
                Code::Unauthenticated,
                "a multipart request (a file upload) needs an API key: send `Authorization: Bearer <key>`",
                media,
            );
        }
    }
    let read = if is_multipart(&headers) {
        // The GraphQL multipart request spec (files for `uploadImport`), as Apollo's upload clients send it.
        multipart_params(&s, axum::extract::Request::from_parts(parts, body)).await
    } else {
        json_params(&s, &headers, body).await.map(|p| (p, Vec::new()))
    };
    match read {
        Ok((p, uploads)) => {
            let caller = Caller {
                client,
                principal,
                rid: &rid,
                uploads,
            };
            run(&s, p, media, false, caller).await
        }
        Err(r) => refusal(r.code, r.message, media),
    }
}

/// Reads a JSON POST body: its media type, its size (declared, then read), then the request object.
async fn json_params(s: &HttpState, headers: &HeaderMap, body: axum::body::Body) -> Result<Params, Refusal> {
    json_content_type(headers)?;
    let too_large = || Refusal {
        code: Code::PayloadTooLarge,
        message: format!("the body is larger than {} bytes", s.max_body),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > s.max_body as u64) {
        return Err(too_large());
    }
    let bytes: Bytes = axum::body::to_bytes(body, s.max_body).await.map_err(|_| too_large())?;
    params_from_body(&bytes)
}

/// GET `/graphql`: queries only.
pub async fn get(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    axum::Extension(rid): axum::Extension<crate::operate::RequestId>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let client = super::client_addr(&s, peer, &headers);
    let principal = match super::operate::authenticate(&s, &headers, client, media).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let pairs = match query {
        Ok(Query(p)) => p,
        Err(e) => {
            return refusal(
                Code::InvalidRequest,
                format!("the URL's parameters do not decode: {e}"),
                media,
            );
        }
    };
    match params_from_url(pairs) {
        Ok(p) => {
            // HTTP caching of GET queries (ETag of the body, 304, public max-age; none for errors or a watch, whose
            // token is a secret): src/exports_out/cache.rs.
            // An answer to a key is never cached publicly: what a key reads may one day differ.
            let secret = p.query.contains("watch") || principal.is_some();
            let resp = run(
                &s,
                p,
                media,
                true,
                Caller {
                    client,
                    principal,
                    rid: &rid,
                    uploads: Vec::new(),
                },
            )
            .await;
            crate::exports_out::cache::graphql_get(resp, &headers, secret, s.app.settings.cache_max_age).await
        }
        Err(r) => refusal(r.code, r.message, media),
    }
}

fn not_acceptable() -> Response {
    refusal(
        Code::NotAcceptable,
        "`Accept` allows neither application/graphql-response+json nor application/json",
        MediaType::Json,
    )
}

/// The body of a GraphQL response: no `data` entry on a request error.
#[derive(Serialize)]
struct Body_<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

fn graphql_response(
    media: MediaType,
    data: Option<&async_graphql::Value>,
    errors: &[ServerError],
    extensions: &std::collections::BTreeMap<String, async_graphql::Value>,
) -> Response {
    // A request error (no data) is 400 in the GraphQL media type and 200 in plain JSON, as the spec asks.
    let status = if data.is_none() && media == MediaType::GraphqlJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let text = serde_json::to_string(&Body_ {
        data,
        errors,
        extensions,
    })
    .unwrap_or_else(|_| {
        json!({"errors": [{"message": "internal error", "extensions": {"code": Code::Internal.as_str()}}]}).to_string()
    });
    with_media_headers((status, text).into_response(), media)
}

/// The headers of every GraphQL answer: its media type, and that it varies with `Accept`.
fn with_media_headers(mut resp: Response, media: MediaType) -> Response {
    resp.headers_mut().insert(header::CONTENT_TYPE, media.header());
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    resp
}

/// A request error of GraphQL (before execution), with the code's message.
fn request_error(media: MediaType, r: Refusal, locations: Vec<async_graphql::Pos>) -> Response {
    let mut e = ServerError::new(r.message, None);
    e.locations = locations;
    let e = phases::with_code(e, r.code);
    graphql_response(media, None, &[e], &Default::default())
}

/// Picks the operation that `operationName` names (or the only one).
pub(super) fn pick_operation<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d async_graphql::Positioned<async_graphql::parser::types::OperationDefinition>, Refusal> {
    let refuse = |m: String| Refusal {
        code: Code::OperationNotFound,
        message: m,
    };
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), None) => Ok(op),
        (DocumentOperations::Single(_), Some(n)) => Err(refuse(format!(
            "`operationName` is {n:?}, but the document's only operation has no name"
        ))),
        (DocumentOperations::Multiple(map), Some(n)) => map
            .get(n)
            .ok_or_else(|| refuse(format!("the document has no operation named {n:?}"))),
        (DocumentOperations::Multiple(map), None) if map.len() == 1 => Ok(map.values().next().expect("one")),
        (DocumentOperations::Multiple(_), None) => Err(refuse(
            "the document has several operations; name one in `operationName`".into(),
        )),
    }
}

/// A request that passed every check made before execution: the parsed document, the variables with the
/// defaults of those not given, and the operation picked.
pub(super) struct Checked {
    pub doc: ExecutableDocument,
    pub variables: Variables,
    pub ty: OperationType,
    pub pos: async_graphql::Pos,
}

/// The checks before execution, shared by HTTP and the WebSocket: nesting and tokens scanned before the parser
/// runs, the parsed document's field counts, list sizes in variables, the reserved response key, the operation,
/// and the non-null variables. A refusal comes with the locations to report.
pub(super) fn check(p: &Params) -> Result<Checked, (Refusal, Vec<async_graphql::Pos>)> {
    guard::scan_query(&p.query).map_err(|r| (r, vec![]))?;
    let doc = match async_graphql::parser::parse_query(&p.query) {
        Ok(d) => d,
        Err(e) => {
            let locations = e.positions().collect();
            let message = if p.query.trim().is_empty() {
                "the query is empty".to_string()
            } else {
                e.to_string()
            };
            return Err((
                Refusal {
                    code: Code::GraphqlParseFailed,
                    message,
                },
                locations,
            ));
        }
    };
    guard::check_document(&doc).map_err(|r| (r, vec![]))?;
    p.variables
        .values()
        .try_for_each(guard::check_json_lists)
        .map_err(|r| (r, vec![]))?;
    if shape::uses_type_key(&doc) {
        let r = Refusal {
            code: Code::GraphqlValidationFailed,
            message: format!("the response key `{}` is reserved", shape::TYPE_KEY),
        };
        return Err((r, vec![]));
    }
    let op = pick_operation(&doc, p.operation_name.as_deref()).map_err(|r| (r, vec![]))?;
    // Variable coercion for non-null types, which async-graphql leaves to the argument that reads the variable
    // (and lets a null through where that argument is nullable); and the defaults of variables not given, which
    // async-graphql does not apply to `@skip`/`@include`.
    let mut defaults = Vec::new();
    for def in &op.node.variable_definitions {
        let d = &def.node;
        if let Some(default) = &d.default_value
            && !p.variables.contains_key(d.name.node.as_str())
        {
            defaults.push((d.name.node.clone(), default.node.clone()));
        }
        if d.var_type.node.nullable {
            continue;
        }
        let name = d.name.node.as_str();
        let missing = match p.variables.get(name) {
            None => d.default_value.is_none(),
            Some(serde_json::Value::Null) => true,
            Some(_) => false,
        };
        if missing {
            let r = Refusal {
                code: Code::BadUserInput,
                message: format!(
                    "variable `${name}` of type `{}` needs a value that is not null",
                    d.var_type.node
                ),
            };
            return Err((r, vec![def.pos]));
        }
    }
    let (ty, pos) = (op.node.ty, op.pos);
    let mut variables = Variables::from_json(serde_json::Value::Object(p.variables.clone()));
    variables.extend(defaults);
    Ok(Checked {
        doc,
        variables,
        ty,
        pos,
    })
}

/// The root fields of a selection set, through fragments (`__typename` aside): what one request asks for.
fn root_fields<'d>(
    doc: &'d ExecutableDocument,
    set: &'d async_graphql::parser::types::SelectionSet,
    depth: usize,
    out: &mut Vec<&'d str>,
) {
    use async_graphql::parser::types::Selection;
    if depth > 8 {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) if f.node.name.node == "__typename" => {}
            Selection::Field(f) => out.push(f.node.name.node.as_str()),
            Selection::InlineFragment(i) => root_fields(doc, &i.node.selection_set.node, depth + 1, out),
            Selection::FragmentSpread(sp) => {
                if let Some(f) = doc.fragments.get(&sp.node.fragment_name.node) {
                    root_fields(doc, &f.node.selection_set.node, depth + 1, out)
                }
            }
        }
    }
}

/// Counts a request against the rate limits: each root field of a mutation is one write, and a query that selects
/// a search (`search`, `searchNotices`, ..., `suggest`) at its root is one search. `Some((seconds to wait, what))`
/// when over a limit. Shared by HTTP and the WebSocket.
pub(super) fn over_limit(
    s: &HttpState,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    who: crate::operate::Who,
) -> Option<(u64, &'static str)> {
    let op = pick_operation(doc, operation_name).ok()?;
    let mut fields = Vec::new();
    root_fields(doc, &op.node.selection_set.node, 0, &mut fields);
    let limits = &s.app.limits;
    match op.node.ty {
        OperationType::Mutation => {
            for _ in 0..fields.len().max(1) {
                if let Err(wait) = limits.writes.take_key(who) {
                    return Some((wait, "writes"));
                }
            }
            None
        }
        OperationType::Query if fields.iter().any(|n| n.starts_with("search") || *n == "suggest") => {
            limits.searches.take_key(who).err().map(|wait| (wait, "searches"))
        }
        _ => None,
    }
}

/// Who sent a request, and what came with it besides the GraphQL parameters.
struct Caller<'a> {
    client: ClientAddr,
    principal: Option<crate::operate::keys::Principal>,
    rid: &'a crate::operate::RequestId,
    uploads: Vec<(String, async_graphql::UploadValue)>,
}

/// Runs a GraphQL request and records its time by operation name (`/metrics`).
async fn run(s: &HttpState, p: Params, media: MediaType, over_get: bool, caller: Caller<'_>) -> Response {
    let start = std::time::Instant::now();
    let mut operation = p.operation_name.clone();
    let (resp, kept) = execute(s, p, media, over_get, caller, &mut operation).await;
    s.metrics.observe(operation.as_deref(), kept, start.elapsed());
    resp
}

/// Runs a GraphQL request; true when the answer was kept from before (`answers`).
async fn execute(
    s: &HttpState,
    p: Params,
    media: MediaType,
    over_get: bool,
    caller: Caller<'_>,
    operation: &mut Option<String>,
) -> (Response, bool) {
    let Caller {
        client,
        principal,
        rid,
        uploads,
    } = caller;
    let Checked {
        mut doc,
        variables,
        ty,
        pos,
    } = match check(&p) {
        Ok(c) => c,
        Err((r, locations)) => return (request_error(media, r, locations), false),
    };
    // The operation's own name when the request names none (a document of one named operation).
    if operation.is_none()
        && let DocumentOperations::Multiple(ops) = &doc.operations
        && ops.len() == 1
    {
        *operation = ops.keys().next().map(|n| n.to_string());
    }
    match ty {
        OperationType::Mutation if over_get => {
            return (
                refusal(Code::MethodNotAllowed, "mutations are accepted over POST only", media),
                false,
            );
        }
        OperationType::Subscription => {
            let r = Refusal {
                code: Code::GraphqlValidationFailed,
                message: "subscriptions are not offered over HTTP; use a WebSocket (`graphql-transport-ws`) on \
                          /graphql"
                    .into(),
            };
            return (request_error(media, r, vec![pos]), false);
        }
        _ => {}
    }
    let who = crate::operate::Who::of(principal.as_ref(), client.0);
    if let Some((wait, what)) = over_limit(s, &doc, p.operation_name.as_deref(), who) {
        return (super::operate::too_many(wait, what, media), false);
    }
    // An anonymous query's answer may have been computed already at the current data version.
    let kept = match ty {
        OperationType::Query
            if principal.is_none() && uploads.is_empty() && cacheable(&p.query) && s.answers.enabled() =>
        {
            match s.app.freshness.get().await {
                Ok(fresh) => {
                    let key = answer_key(&p, media);
                    if let Some(a) = s.answers.get(fresh.version, &key) {
                        return (kept_response(media, a), true);
                    }
                    Some((fresh, key))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reading the data version failed; the answer is computed and not kept");
                    None
                }
            }
        }
        _ => None,
    };

    shape::add_type_fields(&mut doc);
    let warnings = Arc::new(Warnings::default());
    let mut req = async_graphql::Request::new(p.query)
        .variables(variables.clone())
        .data(warnings.clone())
        .data(client)
        .data(rid.clone());
    if let Some(p) = principal {
        req = req.data(p);
    }
    // What the version read found waiting for the search indexes: a search of an index that is current may
    // answer from what the index stores (`crate::db::Freshness`).
    if let Some((fresh, _)) = &kept {
        req = req.data(fresh.clone());
    }
    for (path, upload) in uploads {
        req.set_upload(&path, upload);
    }
    req.operation_name = p.operation_name.clone();
    req.extensions = async_graphql::Value::from_json(serde_json::Value::Object(p.extensions))
        .ok()
        .and_then(|v| match v {
            async_graphql::Value::Object(m) => Some(async_graphql::Extensions(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            )),
            _ => None,
        })
        .unwrap_or_default();
    req.set_parsed_query(doc.clone());

    let mut resp = s.schema.execute(req).await;
    let executed = phases::executed(&resp);
    for e in &mut resp.errors {
        let has_code = e.extensions.as_ref().is_some_and(|x| x.get("code").is_some());
        if !has_code {
            let code = if executed {
                phases::execution_code(&e.message)
            } else {
                phases::validation_code(&e.message)
            };
            *e = phases::with_code(e.clone(), code);
        }
    }
    let list = warnings.take();
    if !list.is_empty() {
        resp.extensions.insert(
            "warnings".to_string(),
            async_graphql::Value::List(list.into_iter().map(async_graphql::Value::String).collect()),
        );
    }
    if !executed {
        return (graphql_response(media, None, &resp.errors, &resp.extensions), false);
    }
    if let Ok(op) = pick_operation(&doc, p.operation_name.as_deref()) {
        shape::order_response(&doc, &op.node, &s.shape, &variables, &mut resp.data);
    }
    let response = graphql_response(media, Some(&resp.data), &resp.errors, &resp.extensions);
    match kept {
        // Only a clean answer is kept: no errors, no warnings (a degraded or relaxed search is not).
        Some((fresh, key)) if resp.errors.is_empty() && resp.extensions.is_empty() => {
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            s.answers.put(
                fresh.version,
                key,
                super::answers::Answer {
                    status: parts.status,
                    body: body.clone(),
                },
            );
            (Response::from_parts(parts, axum::body::Body::from(body)), false)
        }
        _ => (response, false),
    }
}

/// Whether a query's answer may be kept: not one that reads a watch (its token is a secret, and its deliveries
/// change outside the catalogue's writes).
fn cacheable(query: &str) -> bool {
    !query.contains("watch")
}

/// The key of an answer: everything of the request that the answer depends on, and the day in China.
fn answer_key(p: &Params, media: MediaType) -> super::answers::Key {
    let variables = serde_json::to_vec(&p.variables).unwrap_or_default();
    let extensions = serde_json::to_vec(&p.extensions).unwrap_or_default();
    let today = crate::graphql::scalars::today_in_china().to_string();
    let media: &[u8] = match media {
        MediaType::Json => b"json",
        MediaType::GraphqlJson => b"graphql-response+json",
    };
    super::answers::Answers::key(&[
        p.query.as_bytes(),
        p.operation_name.as_deref().unwrap_or("").as_bytes(),
        &variables,
        &extensions,
        media,
        today.as_bytes(),
    ])
}

/// A kept answer as a response, with the headers `graphql_response` gives.
fn kept_response(media: MediaType, a: super::answers::Answer) -> Response {
    with_media_headers((a.status, a.body).into_response(), media)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> Option<MediaType> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        negotiate(&h)
    }

    #[test]
    fn accept_negotiation() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(accept("application/json"), Some(MediaType::Json));
        assert_eq!(accept("*/*"), Some(MediaType::Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(MediaType::GraphqlJson)
        );
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(MediaType::GraphqlJson)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json;q=0.5"),
            Some(MediaType::Json)
        );
        assert_eq!(
            accept("text/html,application/xhtml+xml,*/*;q=0.8"),
            Some(MediaType::Json)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn bodies_that_are_not_requests_are_refused_with_codes() {
        let code = |b: &[u8]| params_from_body(b).err().map(|r| r.code);
        assert_eq!(code(b""), Some(Code::InvalidJson));
        assert_eq!(code(b"{\"query\": \"{ a }"), Some(Code::InvalidJson));
        assert_eq!(code(b"{\"query\": \"\0\"}"), Some(Code::InvalidJson));
        assert_eq!(code(b"{\"query\": \"\\ud800\"}"), Some(Code::InvalidJson));
        assert_eq!(code(b"{\"query\": \"\xff\"}"), Some(Code::InvalidJson));
        assert_eq!(code(b"\"{ a }\""), Some(Code::InvalidRequest));
        assert_eq!(code(b"null"), Some(Code::InvalidRequest));
        assert_eq!(code(b"[{\"query\": \"{ a }\"}]"), Some(Code::BatchNotSupported));
        assert_eq!(code(b"{\"qeury\": \"{ a }\"}"), Some(Code::InvalidRequest));
        assert_eq!(
            code(b"{\"query\": \"{ a }\", \"variables\": \"x\"}"),
            Some(Code::InvalidRequest)
        );
        assert_eq!(
            code(b"{\"query\": \"{ a }\", \"operationName\": 0}"),
            Some(Code::InvalidRequest)
        );
        assert!(params_from_body(b"{\"query\": \"{ a }\", \"variables\": null, \"extensions\": null}").is_ok());
    }
}
