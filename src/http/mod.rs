//! The HTTP surface: `/graphql` (POST, and GET for queries), GraphiQL, `/healthz`, `/readyz`, and the limits.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::graphql::{AppContext, Warnings, ZhiliangSchema};
use crate::search::outbox;

#[derive(Clone)]
pub struct HttpState {
    pub schema: ZhiliangSchema,
    pub app: AppContext,
}

pub fn router(state: HttpState, max_body: usize, timeout: Duration) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphiql", get(graphiql))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::ACCEPT]),
        )
}

fn with_media_type(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/graphql-response+json; charset=utf-8"),
    );
    resp
}

/// Runs a request with a warnings collector and puts what resolvers added into `extensions.warnings`.
async fn execute(schema: &ZhiliangSchema, req: async_graphql::Request) -> Response {
    let warnings = Arc::new(Warnings::default());
    let mut resp = schema.execute(req.data(warnings.clone())).await;
    let list = warnings.take();
    if !list.is_empty() {
        resp.extensions.insert(
            "warnings".to_string(),
            async_graphql::Value::List(list.into_iter().map(async_graphql::Value::String).collect()),
        );
    }
    let resp: GraphQLResponse = resp.into();
    with_media_type(resp.into_response())
}

async fn graphql_post(State(s): State<HttpState>, req: GraphQLRequest) -> Response {
    execute(&s.schema, req.into_inner()).await
}

/// GET carries queries only: a mutation over GET is refused with 405.
async fn graphql_get(State(s): State<HttpState>, req: GraphQLRequest) -> Response {
    let req = req.into_inner();
    let is_mutation = async_graphql::parser::parse_query(&req.query)
        .map(|doc| {
            doc.operations.iter().any(|(name, op)| {
                let chosen = match (&req.operation_name, name) {
                    (Some(want), Some(n)) => want == n.as_str(),
                    _ => true,
                };
                chosen && op.node.ty == async_graphql::parser::types::OperationType::Mutation
            })
        })
        .unwrap_or(false);
    if is_mutation {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            Json(json!({"errors": [{"message": "mutations are accepted over POST only", "extensions": {"code": "METHOD_NOT_ALLOWED"}}]})),
        )
            .into_response();
    }
    execute(&s.schema, req).await
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("zhiliang GraphiQL")
            .finish(),
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
