//! Widgets for other websites (docs/embed.md): server-rendered pages under `/embed/` made to sit in an iframe,
//! and `/embed.js`, the one-line loader that inserts the iframe and keeps its height fitted to the content.
//!
//! Each widget reads the filter of a GraphQL listing from its URL (parsed by the listing's own input types) and
//! calls the store functions that listing calls, so it lists what the listing lists: `zone.rs` (a zone's members
//! as of a day, like `zone { members(asOf:, role:) }`), `brands.rs`, `titles.rs` and `credit.rs` (like `brands`,
//! `titles` and `creditEntries`, sharing `listings.rs`), `notices.rs` and `standards.rs`. `params.rs` reads the
//! parameters, `page.rs` draws the page (maud: escaped by default) and answers with CSP, caching and ETag.

use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::HttpState;

mod brands;
mod credit;
mod listings;
mod notices;
mod page;
mod params;
mod standards;
mod titles;
mod zone;

use page::View;
use params::{Lang, Look, Params, Refusal, Theme};

/// The routes of the widgets and the loader.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/embed.js", get(loader))
        .route("/embed/zone/{code}", get(zone::page))
        .route("/embed/brands", get(brands::page))
        .route("/embed/titles", get(titles::page))
        .route("/embed/credit", get(credit::page))
        .route("/embed/notices", get(notices::page))
        .route("/embed/standards", get(standards::page))
}

type RawParams = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The parameters and the look of a request; a URL that does not decode or a bad look is refused at once.
fn start(q: RawParams) -> Result<(Params, Look), (Look, Refusal)> {
    let fallback = Look {
        lang: Lang::Zh,
        theme: Theme::Light,
        accent: None,
    };
    let Query(pairs) = q.map_err(|_| {
        (
            fallback.clone(),
            Refusal::bad("the URL's parameters do not decode (percent-encoded UTF-8 expected)"),
        )
    })?;
    let mut p = Params::new(pairs);
    match p.look() {
        Ok(look) => Ok((p, look)),
        Err(r) => Err((fallback, r)),
    }
}

/// The page of a widget, or its refusal.
fn finish(s: &HttpState, headers: &HeaderMap, look: &Look, result: Result<View, Refusal>) -> Response {
    let settings = &s.app.settings;
    match result {
        Ok(view) => {
            let (html, css) = page::render(look, &view);
            page::answer(
                headers,
                html,
                &css,
                view.last_modified,
                &settings.frame_ancestors,
                settings.cache_max_age.as_secs(),
            )
        }
        Err(r) => page::refused(look, &r, &settings.frame_ancestors),
    }
}

/// A relative link to this widget with these parameters (`?…`).
pub(crate) fn link(kept: &[(String, String)], extra: &[(&str, &str)]) -> String {
    let mut u = reqwest::Url::parse("http://embed.invalid/").expect("a valid URL");
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in kept {
            q.append_pair(k, v);
        }
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    format!("?{}", u.query().unwrap_or(""))
}

const LOADER: &str = include_str!("embed.js");

/// `/embed.js`: compiled in, cached for a day, revalidated by its ETag.
async fn loader(headers: HeaderMap) -> Response {
    static ETAG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| page::etag_of(LOADER.as_bytes()));
    let mut resp = if page::fresh(&headers, &ETAG) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, LOADER).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    if let Ok(v) = HeaderValue::from_str(&ETAG) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

/// The handler of a widget: `build` reads the parameters (calling `Params::finish` once it has read them all) and
/// the store, and makes the view.
macro_rules! widget_handler {
    ($build:path) => {
        pub async fn page(
            axum::extract::State(s): axum::extract::State<crate::http::HttpState>,
            headers: axum::http::HeaderMap,
            q: Result<axum::extract::Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
        ) -> axum::response::Response {
            match super::start(q) {
                Err((look, r)) => super::page::refused(&look, &r, &s.app.settings.frame_ancestors),
                Ok((mut p, look)) => {
                    let result = $build(&s, &mut p, &look).await;
                    super::finish(&s, &headers, &look, result)
                }
            }
        }
    };
}
pub(crate) use widget_handler;
