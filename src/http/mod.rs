//! The HTTP surface: `/graphql` (POST, GET for queries, a WebSocket for subscriptions), GraphiQL, watch feeds,
//! `/healthz`, `/readyz`, and the limits.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::context::AppContext;
use crate::error::Code;
use crate::graphql::ZhiliangSchema;
use crate::graphql::shape::SchemaShape;
use crate::search::outbox;

pub mod answers;
pub(crate) mod feeds;
mod follow;
mod graphiql;
pub mod graphql;
pub mod metrics;
pub mod operate;
mod ws;

use graphql::{MediaType, refusal};

#[derive(Clone)]
pub struct HttpState {
    pub schema: ZhiliangSchema,
    pub app: AppContext,
    /// Where `scripts/install-web-assets` put the browser files (`Settings::assets_dir`).
    pub assets_dir: std::path::PathBuf,
    /// Root and possible types of the schema, for putting responses in the query's order.
    pub shape: Arc<SchemaShape>,
    /// The largest request body read (`Settings::max_body_bytes`).
    pub max_body: usize,
    /// Answers to anonymous queries, kept until the data change (`Settings::response_cache_bytes`).
    pub answers: Arc<answers::Answers>,
    /// Request latencies for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
}

pub fn router(state: HttpState, timeout: Duration) -> Router {
    let cors_origins = state.app.settings.cors_origins.clone();
    Router::new()
        .route(
            "/graphql",
            // GET: a query, or a WebSocket (`graphql-transport-ws`) for subscriptions.
            get(ws::get)
                .post(graphql::post)
                .fallback(method_not_allowed)
                // The limit of multipart requests (files for `uploadImport`); JSON bodies keep `max_body_bytes`.
                .layer(axum::extract::DefaultBodyLimit::max(
                    state.app.settings.max_upload_bytes + (64 << 10),
                )),
        )
        .merge(graphiql::routes(&state.assets_dir))
        .merge(crate::embed::routes())
        .route("/feeds/watches/{file}", get(feeds::watch_feed))
        // Exports and listing feeds (src/exports_out/).
        .merge(
            crate::exports_out::routes()
                .route_layer(middleware::from_fn_with_state(state.clone(), operate::expensive_read)),
        )
        .route("/watches/{id}/confirm", get(follow::confirm_page).post(follow::confirm))
        .route(
            "/watches/{id}/unsubscribe",
            get(follow::unsubscribe_page).post(follow::unsubscribe),
        )
        .route(
            "/uploads",
            axum::routing::post(operate::upload).layer(axum::extract::DefaultBodyLimit::max(
                state.app.settings.max_upload_bytes + (64 << 10),
            )),
        )
        .route("/uploads/{id}", get(operate::upload_status))
        .route("/audit.jsonl", get(operate::audit_export))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn_with_state(timeout, time_limit))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            refusal(Code::Internal, "internal error", MediaType::Json)
        }))
        .layer(cors(&cors_origins))
        .layer(middleware::from_fn(request_id))
}

/// Gives every request an id (`X-Request-Id` when the client sent a usable one) for the handlers, the audit
/// trail and the logs, and sends it back on every response.
async fn request_id(mut req: Request, next: Next) -> Response {
    let rid = crate::operate::RequestId::from_header(req.headers().get("x-request-id").and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(rid.clone());
    let span = tracing::info_span!("request", id = %rid.0);
    let resp = tracing::Instrument::instrument(next.run(req), span).await;
    operate::with_request_id(resp, &rid)
}

/// CORS for browsers on other sites: any origin when the settings say `*` (the default: the data is public), else
/// only the listed ones.
fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_NONE_MATCH,
            header::AUTHORIZATION,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([header::HeaderName::from_static("x-request-id"), header::RETRY_AFTER]);
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<header::HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}

/// The client of a request: the TCP peer, or, when the peer is a trusted proxy (`Settings::trusted_proxies`), the
/// last address in `X-Forwarded-For` that is not itself a trusted proxy (the ones before it can be forged).
pub fn client_addr(
    s: &HttpState,
    peer: std::net::SocketAddr,
    headers: &axum::http::HeaderMap,
) -> crate::context::ClientAddr {
    let trusted = &s.app.settings.trusted_proxies;
    let mut client = peer.ip();
    if crate::follow::webhook::is_allowed(client, trusted) {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<std::net::IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !crate::follow::webhook::is_allowed(ip, trusted) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    }
    crate::context::ClientAddr(client)
}

/// Answers `REQUEST_TIMEOUT` (408, JSON) when a request runs longer than the limit.
async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => refusal(
            Code::RequestTimeout,
            format!("the request took longer than {} s", limit.as_secs_f64()),
            MediaType::Json,
        ),
    }
}

async fn not_found() -> Response {
    refusal(Code::NotFound, "no such path; the API is at /graphql", MediaType::Json)
}

async fn method_not_allowed() -> Response {
    refusal(
        Code::MethodNotAllowed,
        "/graphql takes GET (queries) and POST",
        MediaType::Json,
    )
}

/// The process is up.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// The database and Meilisearch are reachable; each is reported.
async fn readyz(State(s): State<HttpState>) -> Response {
    let db = crate::db::ping(&s.app.db).await;
    let search = s.app.search.healthy().await;
    let pending = outbox::pending(&s.app.db).await.ok();
    // Which process sends the outbox (of several servers on one database, one does).
    let sender = outbox::lease_holder(&s.app.db).await.ok().flatten().map(|h| h.holder);
    let unmatched = crate::follow::events::pending(&s.app.db).await.ok();
    // How far the sentence embeddings have got: search works by keywords for the records still waiting.
    let embedding = match &s.app.search.meaning {
        Some(m) => {
            let p = crate::search::meaning::store::progress(&s.app.db).await.ok();
            json!({
                "model": m.model(),
                "waiting": p.map(|p| p.waiting),
                "embedded": p.map(|p| p.embedded),
            })
        }
        None => serde_json::Value::Null,
    };
    let part = |r: &anyhow::Result<()>| match r {
        Ok(()) => json!({"ok": true}),
        Err(e) => json!({"ok": false, "error": format!("{e:#}")}),
    };
    let ready = db.is_ok() && search.is_ok();
    let body = json!({
        "ready": ready,
        "database": part(&db),
        "search": part(&search),
        "searchOutboxPending": pending,
        "searchOutboxSender": sender,
        "noticeChangesUnmatched": unmatched,
        "embedding": embedding,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
