//! GraphiQL without a CDN: our page, script and style (compiled into the binary) and the pinned React and GraphiQL
//! builds that `scripts/install-web-assets` puts in `<assets_dir>/graphiql/`, all served from this origin.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const PAGE: &str = include_str!("graphiql.html");
const INIT_JS: &str = include_str!("graphiql.js");
const INIT_CSS: &str = include_str!("graphiql.css");

/// Scripts, requests, fonts and images come from this origin only (GraphiQL's fonts and a few images are
/// `data:` URLs inside its stylesheet); inline styles are allowed because GraphiQL's components insert them.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; font-src 'self' data:; \
     img-src 'self' data:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The 503 page has nothing to load.
const PLAIN_CSP: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// The installed files the page loads, and their content types. Nothing else is served from the folder.
const ASSETS: [(&str, &str); 4] = [
    ("react.production.min.js", JS),
    ("react-dom.production.min.js", JS),
    ("graphiql.min.js", JS),
    ("graphiql.min.css", CSS),
];

const INSTALLER: &str = "scripts/install-web-assets";

#[derive(Clone)]
struct Assets {
    /// `<assets_dir>/graphiql`.
    dir: Arc<PathBuf>,
}

/// `/graphiql`, `/graphiql/init.js`, `/graphiql/init.css` and `/graphiql/assets/{file}`, reading the installed
/// files from `<assets_dir>/graphiql/` on each request (so installing them needs no restart).
pub fn routes<S: Clone + Send + Sync + 'static>(assets_dir: &Path) -> Router<S> {
    Router::new()
        .route("/graphiql", get(page))
        .route("/graphiql/init.js", get(init_js))
        .route("/graphiql/init.css", get(init_css))
        .route("/graphiql/assets/{file}", get(asset))
        .with_state(Assets {
            dir: Arc::new(assets_dir.join("graphiql")),
        })
}

async fn installed(dir: &Path) -> bool {
    for (name, _) in ASSETS {
        match tokio::fs::metadata(dir.join(name)).await {
            Ok(m) if m.is_file() => {}
            _ => return false,
        }
    }
    true
}

async fn page(State(a): State<Assets>) -> Response {
    if installed(&a.dir).await {
        return (
            [
                (header::CONTENT_TYPE, HTML),
                (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            PAGE,
        )
            .into_response();
    }
    let looked_in = std::path::absolute(a.dir.as_path()).unwrap_or_else(|_| a.dir.as_ref().clone());
    tracing::warn!(dir = %looked_in.display(), "GraphiQL's browser assets are not installed; run {INSTALLER}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, HTML),
            (header::CONTENT_SECURITY_POLICY, PLAIN_CSP),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        unavailable_page(&looked_in),
    )
        .into_response()
}

fn unavailable_page(dir: &Path) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>GraphiQL is not installed</title></head>\n\
         <body>\n<h1>GraphiQL is not installed</h1>\n\
         <p>Its browser files (React, ReactDOM and GraphiQL) were not found in <code>{}</code>.</p>\n\
         <p>Run <code>{INSTALLER}</code> in the zhiliang checkout (it fetches pinned npm packages and checks \
         their integrity), or point <code>ZHILIANG_ASSETS_DIR</code> at the folder that holds <code>graphiql/</code>.</p>\n\
         <p>The GraphQL API itself answers at <code>/graphql</code>.</p>\n</body>\n</html>\n",
        crate::search::text::escape_html(&dir.display().to_string())
    )
}

async fn init_js() -> Response {
    compiled(INIT_JS, JS)
}

async fn init_css() -> Response {
    compiled(INIT_CSS, CSS)
}

/// Our own files change with the binary: the browser revalidates them.
fn compiled(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn asset(State(a): State<Assets>, UrlPath(file): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some(&(name, content_type)) = ASSETS.iter().find(|(n, _)| *n == file) else {
        return (StatusCode::NOT_FOUND, "no such GraphiQL asset\n").into_response();
    };
    let path = a.dir.join(name);
    let body = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                format!("{name} is not installed; run {INSTALLER}\n"),
            )
                .into_response();
        }
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "reading a GraphiQL asset");
            return (StatusCode::INTERNAL_SERVER_ERROR, "could not read the asset\n").into_response();
        }
    };
    let etag = tokio::fs::metadata(&path).await.ok().and_then(|m| {
        let modified = m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        HeaderValue::from_str(&format!("\"{:x}-{:x}\"", body.len(), modified.as_nanos())).ok()
    });
    let mut resp = if etag.is_some() && headers.get(header::IF_NONE_MATCH) == etag.as_ref() {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(etag) = etag {
        h.insert(header::ETAG, etag);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_our_own_files() {
        for src in PAGE
            .split(['"', '\''])
            .filter(|s| s.starts_with('/') || s.contains("://"))
        {
            assert!(src.starts_with("/graphiql") || src == "/graphql", "{src}");
        }
        for (name, _) in ASSETS {
            assert!(PAGE.contains(&format!("/graphiql/assets/{name}")), "{name}");
        }
        assert!(PAGE.contains("<html lang=\""));
    }

    #[test]
    fn the_unavailable_page_escapes_the_folder() {
        let page = unavailable_page(Path::new("/tmp/<x>&\"y\""));
        assert!(page.contains("/tmp/&lt;x&gt;&amp;&quot;y&quot;"), "{page}");
        assert!(page.contains(INSTALLER));
    }
}
