//! Exports and listing feeds (docs/exports.md): `GET /exports/{listing}.csv` and `.xlsx`, every row of a listing
//! with the same filters as its GraphQL query, streamed; `GET /feeds/{listing}.atom`, the newest 50 changes of a
//! listing. Both answer `ETag`, `Last-Modified` and `Cache-Control: public, max-age`, and 304 on a matching
//! `If-None-Match`. (Not to be confused with `catalog::exports`, the enterprises' export-product profiles.)

pub mod cache;
pub mod feeds;
pub mod params;
pub mod plan;
pub mod write;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::{ApiError, Code};
use crate::http::HttpState;
use crate::http::graphql::{MediaType, refusal};
use plan::ListingName;

/// The routes: `/exports/{file}` and `/feeds/{file}` (the watch feeds keep `/feeds/watches/...`).
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/exports/{file}", get(export))
        .route("/feeds/{file}", get(feeds::listing_feed))
}

/// The JSON refusal of an `ApiError` (400 for a bad parameter, with the GraphQL error code).
pub(crate) fn refuse(e: ApiError) -> Response {
    if let ApiError::Internal(cause) = &e {
        tracing::error!(error = ?cause, "export or feed failed");
    }
    refusal(e.code(), e.message(), MediaType::Json)
}

/// The URL's parameters as pairs, or the BAD_USER_INPUT error.
pub(crate) fn pairs(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Vec<(String, String)>, ApiError> {
    query
        .map(|Query(p)| p)
        .map_err(|e| ApiError::bad_input(format!("the URL's parameters do not decode: {e}")))
}

/// A listing name and extension from `notices.csv`; `None` for anything else.
pub(crate) fn split_file<'a>(file: &'a str, exts: &[&'a str]) -> Option<(ListingName, &'a str)> {
    let (name, ext) = file.rsplit_once('.')?;
    let ext = exts.iter().find(|e| **e == ext)?;
    Some((ListingName::parse(name)?, ext))
}

fn unknown_file(file: &str, what: &str) -> Response {
    let names: Vec<&str> = ListingName::ALL.iter().map(|l| l.name()).collect();
    refusal(
        Code::NotFound,
        format!(
            "no such {what} {file:?}; the listings are {} (e.g. notices{})",
            names.join(", "),
            if what == "export" { ".csv or .xlsx" } else { ".atom" }
        ),
        MediaType::Json,
    )
}

/// What `GET /exports/{file}` and `GET /feeds/{file}` read: the listing and extension `file` names (one of `exts`;
/// `what` is the route's word in the 404), and the plan of that listing with the URL's parameters, returned with
/// them; or the refusal.
pub(crate) async fn file_plan<'a>(
    s: &HttpState,
    file: &'a str,
    exts: &[&'a str],
    what: &str,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<(plan::Plan, &'a str, Vec<(String, String)>), Response> {
    let Some((listing, ext)) = split_file(file, exts) else {
        return Err(unknown_file(file, what));
    };
    let pairs = pairs(query).map_err(refuse)?;
    let plan = plan::plan(&s.app, listing, &pairs).await.map_err(refuse)?;
    Ok((plan, ext, pairs))
}

/// `Content-Disposition: attachment` with the Chinese file name (RFC 5987) and an ASCII fallback.
fn disposition(zh: &str, ascii: &str) -> HeaderValue {
    let encoded = crate::http::feeds::percent(zh);
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `GET /exports/{listing}.csv|.xlsx`.
pub async fn export(
    State(s): State<HttpState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let (plan, ext, _) = match file_plan(&s, &file, &["csv", "xlsx"], "export", query).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    // The validator is computed before streaming, since the body is never held: the listing, format and
    // parameters, the number of rows the filter matches, the newest change of the tables read, and today's date
    // (filters default to "today").
    let (count, latest) = match tokio::try_join!(plan.count(&s.app), plan.latest_change(&s.app)) {
        Ok(v) => v,
        Err(e) => return refuse(e),
    };
    let etag = cache::etag(&[
        plan.listing.name().as_bytes(),
        ext.as_bytes(),
        plan.canonical.as_bytes(),
        count.to_string().as_bytes(),
        latest.map(|t| t.to_rfc3339()).unwrap_or_default().as_bytes(),
        crate::graphql::scalars::today_in_china().to_string().as_bytes(),
    ]);
    let max_age = s.app.settings.cache_max_age;
    if cache::fresh(&headers, &etag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        cache::public(resp.headers_mut(), &etag, latest, max_age);
        return resp;
    }
    let rows = plan.limit.map_or(count, |l| l.min(count));
    let (zh, ascii) = plan.file_names(ext);
    let (content_type, body) = if ext == "csv" {
        match write::csv_body(s.app.clone(), plan).await {
            Ok(body) => ("text/csv; charset=utf-8", body),
            Err(e) => return refuse(ApiError::from(e)),
        }
    } else {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            write::xlsx_body(s.app.clone(), plan),
        )
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, disposition(&zh, &ascii));
    if let Ok(v) = HeaderValue::from_str(&rows.to_string()) {
        h.insert("x-total-count", v);
    }
    cache::public(h, &etag, latest, max_age);
    resp
}
