//! The HTTP surface: `/graphql` (POST, and GET for queries), GraphiQL, watch feeds, `/healthz`, `/readyz`, and the
//! limits.

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
use tower_http::cors::{Any, CorsLayer};

use crate::context::AppContext;
use crate::error::Code;
use crate::graphql::ZhiliangSchema;
use crate::graphql::shape::SchemaShape;
use crate::search::outbox;

mod feeds;
mod graphiql;
pub mod graphql;

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
}

pub fn router(state: HttpState, timeout: Duration) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql::get).post(graphql::post).fallback(method_not_allowed),
        )
        .merge(graphiql::routes(&state.assets_dir))
        .route("/feeds/watches/{file}", get(feeds::watch_feed))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn_with_state(timeout, time_limit))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            refusal(Code::Internal, "internal error", MediaType::Json)
        }))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::ACCEPT]),
        )
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
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
