//! The HTTP side of operate: `Authorization: Bearer` read and checked (refused keys answered 401 and slowed,
//! too many from one address 429), the rate limits of writes and searches (429 with `Retry-After`), and
//! `POST /uploads` (a file in a `multipart/form-data` part named `file`, imported by a background job) with
//! `GET /uploads/{id}` for its progress.

use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::HttpState;
use super::graphql::{MediaType, refusal};
use crate::context::ClientAddr;
use crate::error::Code;
use crate::exports_out::params::{self, Kind};
use crate::follow::limit::{Limiter, client_key};
use crate::operate::graphql::AuditFilter;
use crate::operate::keys::{self, Principal, Role};
use crate::operate::{RequestId, Who, jobs};

/// How long a refused key waits for its answer: guessing keys gets slow, a person who mistyped hardly notices.
const REFUSED_KEY_DELAY: Duration = Duration::from_millis(250);

/// The request's id, given by the `request_id` middleware of the router.
pub fn request_id(extensions: &axum::http::Extensions) -> RequestId {
    extensions.get::<RequestId>().cloned().unwrap_or_default()
}

/// Puts the request id on a response.
pub fn with_request_id(mut resp: Response, id: &RequestId) -> Response {
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// 429 with `Retry-After`.
pub fn too_many(wait: u64, what: &str, media: MediaType) -> Response {
    let mut resp = refusal(
        Code::RateLimited,
        format!("too many {what}; try again in {wait} s"),
        media,
    );
    if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// Counts one use of a limited thing by `who`; the 429 to answer when over the limit.
pub fn take(limiter: &Limiter<Who>, who: Who, what: &str, media: MediaType) -> Option<Response> {
    limiter.take_key(who).err().map(|wait| too_many(wait, what, media))
}

fn unauthenticated(message: &str, media: MediaType) -> Response {
    let mut resp = refusal(Code::Unauthenticated, message, media);
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"zhiliang\", error=\"invalid_token\""),
    );
    resp
}

/// The key of a request. No `Authorization` header: `Ok(None)`, a public reader. A header that is not a working
/// key: 401 (after a short wait), and 429 for an address that sent too many of them.
pub async fn authenticate(
    s: &HttpState,
    headers: &HeaderMap,
    client: ClientAddr,
    media: MediaType,
) -> Result<Option<Principal>, Response> {
    let values: Vec<&HeaderValue> = headers.get_all(header::AUTHORIZATION).iter().collect();
    if values.is_empty() {
        return Ok(None);
    }
    let addr = client_key(client.0);
    let limits = &s.app.limits;
    if let Err(wait) = limits.key_failures.check(addr) {
        return Err(too_many(wait, "refused API keys from this address", media));
    }
    let refuse = |message: &'static str| async move {
        let _ = limits.key_failures.take_key(addr);
        tokio::time::sleep(REFUSED_KEY_DELAY).await;
        unauthenticated(message, media)
    };
    if values.len() > 1 {
        return Err(refuse("send one `Authorization` header").await);
    }
    let value = values[0].to_str().unwrap_or("");
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => return Err(refuse("send the key as `Authorization: Bearer <key>`").await),
    };
    match keys::authenticate(&s.app.db, token).await {
        Ok(Ok(key)) => Ok(Some(key.principal())),
        Ok(Err(_)) => Err(refuse("this API key is not valid: unknown, revoked or expired").await),
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "API key lookup failed");
            Err(refusal(Code::Internal, "internal error", media))
        }
    }
}

fn job_json(j: &jobs::Job) -> serde_json::Value {
    json!({
        "id": crate::graphql::ids::encode("ImportJob", j.id).0,
        "fileName": j.file_name,
        "size": j.size,
        "status": j.status().as_str(),
        "rowsDone": j.rows_done,
        "added": j.added,
        "updated": j.updated,
        "unchanged": j.unchanged,
        "rejectedCount": j.rejected,
        "error": j.error,
        "requestId": j.request_id,
        "createdAt": j.created_at,
        "startedAt": j.started_at,
        "finishedAt": j.finished_at,
        "statusUrl": format!("/uploads/{}", j.id),
    })
}

/// A key that may write: EDITOR or ADMIN.
async fn writer(s: &HttpState, headers: &HeaderMap, client: ClientAddr) -> Result<Principal, Response> {
    let media = MediaType::Json;
    let Some(p) = authenticate(s, headers, client, media).await? else {
        return Err(unauthenticated(
            "uploads need an API key: send `Authorization: Bearer <key>`",
            media,
        ));
    };
    if p.role == Role::Reader {
        return Err(refusal(
            Code::Forbidden,
            "forbidden: a READER key uploads nothing",
            media,
        ));
    }
    Ok(p)
}

/// `POST /uploads`: one file in the `file` part of a `multipart/form-data` body. Answers 202 with the job.
pub async fn upload(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    axum::Extension(rid): axum::Extension<RequestId>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let client = super::client_addr(&s, peer, &headers);
    upload_inner(&s, &headers, client, &rid, multipart).await
}

async fn upload_inner(
    s: &HttpState,
    headers: &HeaderMap,
    client: ClientAddr,
    rid: &RequestId,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let media = MediaType::Json;
    let p = match writer(s, headers, client).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Some(r) = take(&s.app.limits.writes, Who::of(Some(&p), client.0), "writes", media) {
        return r;
    }
    let max = s.app.settings.max_upload_bytes;
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return refusal(
                Code::UnsupportedMediaType,
                format!("send the file as multipart/form-data in a part named `file`: {e}"),
                media,
            );
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Code::PayloadTooLarge
                } else {
                    Code::InvalidRequest
                };
                let message = if code == Code::PayloadTooLarge {
                    format!("the upload is larger than {max} bytes")
                } else {
                    format!("the multipart body does not read: {}", e.body_text())
                };
                return refusal(code, message, media);
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        if file.is_some() {
            return refusal(Code::InvalidRequest, "send one file a request", media);
        }
        let name = field.file_name().unwrap_or("").to_string();
        match field.bytes().await {
            Ok(b) => file = Some((name, b.to_vec())),
            Err(e) => {
                let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Code::PayloadTooLarge
                } else {
                    Code::InvalidRequest
                };
                return refusal(code, format!("the file does not read: {}", e.body_text()), media);
            }
        }
    }
    let Some((name, bytes)) = file else {
        return refusal(Code::InvalidRequest, "no part named `file` in the body", media);
    };
    let name = match jobs::check_file(&name, bytes.len(), max) {
        Ok(n) => n,
        Err(m) if bytes.len() > max => return refusal(Code::PayloadTooLarge, m, media),
        Err(m) => return refusal(Code::BadUserInput, m, media),
    };
    match jobs::enqueue(&s.app.db, &p, &name, bytes, Some(rid.0.clone())).await {
        Ok(job) => {
            s.app.jobs_wake.notify_one();
            let mut resp = (StatusCode::ACCEPTED, Json(json!({ "job": job_json(&job) }))).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/uploads/{}", job.id)) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "upload not stored");
            refusal(Code::Internal, "internal error", media)
        }
    }
}

/// `GET /uploads/{id}`: the job's progress, for the key that sent it (or an admin).
pub async fn upload_status(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let client = super::client_addr(&s, peer, &headers);
    async {
        let p = match writer(&s, &headers, client).await {
            Ok(p) => p,
            Err(r) => return r,
        };
        let not_found = || {
            refusal(
                Code::RecordNotFound,
                "no import job of this key has this id",
                MediaType::Json,
            )
        };
        let Ok(n) = id.parse::<i32>() else {
            return not_found();
        };
        match jobs::get(&s.app.db, n).await {
            Ok(Some(j)) if jobs::may_read(&p, &j) => {
                let mut body = job_json(&j);
                if let Ok(r) = jobs::rejections(&s.app.db, j.id, 0, 100).await {
                    body["rejections"] = json!(
                        r.iter()
                            .map(|x| json!({"line": x.line, "reason": x.reason}))
                            .collect::<Vec<_>>()
                    );
                }
                let mut resp = Json(body).into_response();
                resp.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
                resp
            }
            Ok(_) => not_found(),
            Err(e) => {
                tracing::error!(error = %e, "import job not read");
                refusal(Code::Internal, "internal error", MediaType::Json)
            }
        }
    }
    .await
}

/// The URL parameters of `GET /audit.jsonl`: the fields of `auditTrail`'s filter, read by its own input type (as
/// the listing exports read theirs). `action` is taken for `actions`, and action names in any case.
const AUDIT_PARAMS: &[(&str, Kind)] = &[
    ("record", Kind::One),
    ("recordType", Kind::One),
    ("recordKey", Kind::One),
    ("key", Kind::One),
    ("actor", Kind::One),
    ("actions", Kind::Many),
    ("since", Kind::One),
    ("until", Kind::One),
    ("requestId", Kind::One),
    ("job", Kind::One),
];

fn audit_filter(mut pairs: Vec<(String, String)>) -> Result<crate::operate::audit::Filter, crate::error::ApiError> {
    for (k, v) in &mut pairs {
        if k == "action" || k == "actions" {
            *k = "actions".into();
            *v = v.to_ascii_uppercase();
        }
    }
    params::check_known(&pairs, AUDIT_PARAMS)?;
    if pairs.iter().any(|(k, _)| params::COMMON.contains(&k.as_str())) {
        return Err(crate::error::ApiError::bad_input(
            "the audit export has no `first`: it streams every entry the filter selects",
        ));
    }
    params::filter::<AuditFilter>(&pairs, AUDIT_PARAMS)?.to_filter()
}

fn audit_line(e: &crate::operate::audit::Entry) -> String {
    use crate::graphql::ids;
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
    };
    let mut line = json!({
        "id": ids::encode("AuditEntry", e.id).0,
        "at": e.at,
        "actor": e.actor,
        "keyId": e.key_id.map(|k| ids::encode("ApiKey", k).0),
        "source": e.source,
        "action": e.action,
        "recordType": e.record_type,
        "recordId": e.record_id.map(|r| ids::encode(&e.record_type, r).0),
        "recordKey": e.record_key,
        "version": e.version,
        "before": parse(&e.before),
        "after": parse(&e.after),
        "requestId": e.request_id,
        "jobId": e.job_id.map(|j| ids::encode("ImportJob", j).0),
    })
    .to_string();
    line.push('\n');
    line
}

/// `GET /audit.jsonl`: the whole audit trail (or the part the parameters select), newest first, one JSON object a
/// line, streamed in pages; ADMIN keys only.
pub async fn audit_export(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let client = super::client_addr(&s, peer, &headers);
    let media = MediaType::Json;
    async {
        let p = match authenticate(&s, &headers, client, media).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                return unauthenticated(
                    "the audit trail needs an ADMIN key: `Authorization: Bearer <key>`",
                    media,
                );
            }
            Err(r) => return r,
        };
        if p.role != Role::Admin {
            return refusal(Code::Forbidden, "forbidden: the audit trail is for ADMIN keys", media);
        }
        if let Some(r) = take(&s.app.limits.searches, Who::of(Some(&p), client.0), "exports", media) {
            return r;
        }
        let filter = match crate::exports_out::pairs(query).and_then(audit_filter) {
            Ok(f) => f,
            Err(e) => return crate::exports_out::refuse(e),
        };
        let db = s.app.db.clone();
        // Pages of 1,000 by id, each read when the client has taken the one before.
        let stream = futures_util::stream::unfold(Some(None::<i32>), move |state| {
            let db = db.clone();
            let filter = filter.clone();
            async move {
                let before = state?;
                match crate::operate::audit::list(&db, &filter, before, 1000).await {
                    Ok(rows) if rows.is_empty() => None,
                    Ok(rows) => {
                        let next = (rows.len() == 1000).then(|| rows.last().map(|r| r.id));
                        let text: String = rows.iter().map(audit_line).collect();
                        Some((Ok::<_, std::io::Error>(text), next))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "audit export stopped");
                        Some((Err(std::io::Error::other("audit export stopped")), None))
                    }
                }
            }
        });
        let mut resp = axum::body::Body::from_stream(stream).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson; charset=utf-8"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"audit.jsonl\""),
        );
        resp
    }
    .await
}

/// Counts an export or a listing feed (every row of a listing, streamed) as an expensive read of its client
/// address, against `search_per_minute`: 429 with `Retry-After` beyond it.
pub async fn expensive_read(
    State(s): State<HttpState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let peer = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0);
    if let Some(peer) = peer {
        let client = super::client_addr(&s, peer, req.headers());
        if let Some(r) = take(
            &s.app.limits.searches,
            Who::of(None, client.0),
            "exports",
            MediaType::Json,
        ) {
            return r;
        }
    }
    next.run(req).await
}
