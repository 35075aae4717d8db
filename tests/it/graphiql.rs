//! GraphiQL served offline: the page runs a query in a real headless Chromium (tests/js/graphiql.mjs) loading
//! nothing but this server's own files, and a server without the installed assets says how to install them.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;
use zhiliang::Application;
use zhiliang::config::Settings;

use crate::common::{self, Backend, TestApp, repo};

const QUERY: &str = "{ notices(first: 2) { nodes { symbol } } }";
const ASSETS: [&str; 4] = [
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
];

/// What the browser run needs is installed by `scripts/test`; say what to run when it is not.
fn check_prerequisites() {
    assert!(
        repo(".web-assets/graphiql/VERSION").is_file(),
        "GraphiQL's browser files are missing: run scripts/install-web-assets"
    );
    assert!(
        repo("tests/js/node_modules/playwright-core").is_dir(),
        "tests/js has no node_modules: run `npm ci` in tests/js (scripts/test does)"
    );
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: apt-get install chromium (scripts/test does)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_a_query_in_chromium_from_this_server_alone() {
    check_prerequisites();
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_demo().await;

    // The answer the page must show, asked over plain HTTP; both symbols are demo notices.
    let data = app.data(QUERY, json!({})).await;
    let symbols: Vec<String> = data["notices"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["symbol"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(symbols.len(), 2, "{data}");
    let demo: Vec<Value> = common::demo_records();
    for s in &symbols {
        let listed = |r: &Value| {
            r["symbols"]
                .as_array()
                .is_some_and(|l| l.iter().any(|x| x == s.as_str()))
        };
        assert!(demo.iter().any(listed), "{s} is not a demo notice");
    }

    // The page forbids other hosts, and the assets are cacheable with the right types.
    let resp = app.http.get(format!("{}/graphiql", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_string();
    for directive in [
        "script-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "img-src 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("http"), "{csp}");
    let page = resp.text().await.unwrap();
    assert!(page.contains("<html lang="), "{page}");
    for name in ASSETS {
        let resp = app
            .http
            .get(format!("{}/graphiql/assets/{name}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name}");
        let ty = resp.headers()["content-type"].to_str().unwrap();
        let want = if name.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(ty.starts_with(want), "{name}: {ty}");
        assert_eq!(resp.headers()["cache-control"], "public, max-age=86400", "{name}");
        let etag = resp.headers()["etag"].clone();
        let again = app
            .http
            .get(format!("{}/graphiql/assets/{name}", app.base))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{name}");
    }

    // A real browser: render, type, run, read the result pane.
    let screenshot = repo("target/graphiql.png");
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("node")
            .arg(repo("tests/js/graphiql.mjs"))
            .arg(&app.base)
            .arg(&screenshot)
            .current_dir(repo(""))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("graphiql.mjs finishes within 120 s")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "graphiql.mjs failed ({}):\n{stderr}\n{stdout}",
        out.status
    );
    let report: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("graphiql.mjs printed no JSON ({e}):\n{stdout}\n{stderr}"));

    assert_eq!(report["rendered"], true, "{report:#}");
    let result = report["resultText"].as_str().unwrap();
    let shown: Value =
        serde_json::from_str(result).unwrap_or_else(|e| panic!("result pane is not JSON ({e}): {result}"));
    assert_eq!(
        shown,
        json!({ "data": data }),
        "the result pane differs from the API's answer"
    );
    for s in &symbols {
        assert!(result.contains(s.as_str()), "{s} not in the result pane: {result}");
    }

    let requests: Vec<&str> = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    let own = format!("{}/", app.base);
    for url in &requests {
        assert!(url.starts_with(&own), "the page requested {url}, not from {own}");
    }
    for path in ASSETS
        .iter()
        .map(|n| format!("/graphiql/assets/{n}"))
        .chain(["/graphiql/init.js".to_string(), "/graphql".to_string()])
    {
        assert!(
            requests.iter().any(|u| u.ends_with(&path)),
            "{path} was not requested: {requests:?}"
        );
    }
    assert_eq!(report["consoleErrors"], json!([]), "console errors: {report:#}");
    // GraphiQL read the schema (its introspection query is deeper than the depth limit, which spares it), so
    // the documentation explorer and autocompletion work.
    assert!(
        report["schemaError"].is_null(),
        "GraphiQL could not read the schema: {}",
        report["schemaError"]
    );
    assert!(screenshot.is_file());

    // Only the four files are served from the folder, whatever else it holds.
    for name in ["unknown.js", "VERSION", "LICENSE.graphiql", "graphiql.min.js.map"] {
        let resp = app
            .http
            .get(format!("{}/graphiql/assets/{name}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{name}");
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_installed_assets_graphiql_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("assets");
    std::fs::create_dir_all(&empty).unwrap();
    let settings = Settings {
        database_url: format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
        meili_url: common::meili_url(),
        meili_index_prefix: format!("{}_", common::unique("t")),
        listen: "127.0.0.1:0".parse().unwrap(),
        search_worker: false,
        assets_dir: empty.clone(),
        ..Settings::default()
    };
    let db = zhiliang::db::connect(&settings.database_url).await.unwrap();
    zhiliang::db::migrate(&db).await.unwrap();
    db.close().await.unwrap();
    let app = Application::build(settings).await.expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let http = reqwest::Client::new();

    let resp = http.get(format!("{base}/graphiql")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = resp.text().await.unwrap();
    assert!(page.contains("scripts/install-web-assets"), "{page}");
    let looked_in = std::path::absolute(empty.join("graphiql")).unwrap();
    assert!(page.contains(&looked_in.display().to_string()), "{page}");

    // A known asset that is not installed, and names that are not assets at all.
    let resp = http
        .get(format!("{base}/graphiql/assets/graphiql.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    for name in [
        "unknown.js",
        "VERSION",
        "LICENSE.react",
        "..%2FVERSION",
        "graphiql.min.js.map",
    ] {
        let resp = http.get(format!("{base}/graphiql/assets/{name}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{name}");
    }
    // Our own script is compiled in and is there either way.
    let resp = http.get(format!("{base}/graphiql/init.js")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("createFetcher"));

    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
}
