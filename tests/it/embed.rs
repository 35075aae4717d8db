//! The `/embed/` widgets and the `/embed.js` loader: each widget lists what its GraphQL listing lists for the same
//! filter, imported text is escaped, bad parameters are a 400 page (never a 500), caching and CSP headers hold,
//! and a real Chromium (tests/js/embed.mjs) shows two widgets on another origin's page through the loader.

use std::time::Duration;

use base64::Engine;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

async fn get(app: &TestApp, path: &str) -> Page {
    let resp = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
    Page {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap(),
    }
}

/// A 200 widget page.
async fn widget(app: &TestApp, path: &str) -> Page {
    let p = get(app, path).await;
    assert_eq!(p.status, 200, "{path}: {}", p.body);
    assert!(
        p.headers["content-type"].to_str().unwrap().starts_with("text/html"),
        "{path}"
    );
    assert!(
        p.body.contains("<html lang=\"zh-CN\">") || p.body.contains("<html lang=\"en\">"),
        "{path}"
    );
    p
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

/// The tables of a page, in order.
fn tables(body: &str) -> Vec<&str> {
    body.split("<table>")
        .skip(1)
        .map(|t| &t[..t.find("</table>").unwrap()])
        .collect()
}

/// The text of each row's header cell (the first column) of a table.
fn row_heads(table: &str) -> Vec<String> {
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|c| strip_tags(&c[..c.find("</th>").unwrap()]))
        .collect()
}

/// The row heads of the last table (the listing itself).
fn listed(body: &str) -> Vec<String> {
    row_heads(tables(body).last().expect("a table"))
}

/// The href of the paging link `rel` (`next`, `prev`, `first`), unescaped.
fn link(body: &str, rel: &str) -> Option<String> {
    let end = body.find(&format!("\" rel=\"{rel}\""))?;
    let start = body[..end].rfind("href=\"")? + 6;
    Some(unescape(&body[start..end]))
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n[field].as_str().unwrap_or_default().to_string())
        .collect()
}

fn enterprise_names(v: &Value) -> Vec<String> {
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["enterprise"]["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Every widget against its GraphQL listing, for the same filter.
async fn widgets_list_what_the_listings_list(app: &TestApp) {
    // A zone's members on a day, with their titles and brands valid that day.
    let day = "2026-11-29";
    let data = app
        .data(
            "query($d: Date!) { zone(code: \"zj-ninghai-stationery\") { name members(asOf: $d) {
                role enterprise { name creditCode brands(asOf: $d) { name } titles(asOf: $d) { name } } } } }",
            json!({"d": day}),
        )
        .await;
    let members = data["zone"]["members"].as_array().unwrap();
    assert!(members.len() >= 3, "{data}");
    let want: Vec<String> = members
        .iter()
        .map(|m| m["enterprise"]["name"].as_str().unwrap().to_string())
        .collect();
    let page = widget(app, &format!("/embed/zone/zj-ninghai-stationery?asOf={day}")).await;
    assert_eq!(listed(&page.body), want, "zone members");
    assert!(
        page.body.contains("2026年11月29日"),
        "the zone list writes dates in Chinese"
    );
    for m in members {
        assert!(page.body.contains(m["enterprise"]["creditCode"].as_str().unwrap()));
        for b in m["enterprise"]["brands"].as_array().unwrap() {
            assert!(page.body.contains(b["name"].as_str().unwrap()), "brand {b}");
        }
        for t in m["enterprise"]["titles"].as_array().unwrap() {
            assert!(page.body.contains(t["name"].as_str().unwrap()), "title {t}");
        }
    }
    let leads = members.iter().filter(|m| m["role"] == "LEAD").count();
    assert_eq!(page.body.matches("龙头企业").count(), leads, "roles in Chinese");
    // Paged two at a time, the pages add up to the same members.
    let mut seen = Vec::new();
    let mut path = format!("/embed/zone/zj-ninghai-stationery?asOf={day}&first=2");
    for _ in 0..10 {
        let p = widget(app, &path).await;
        let rows = listed(&p.body);
        assert!(rows.len() <= 2);
        seen.extend(rows);
        match link(&p.body, "next") {
            Some(href) => path = format!("/embed/zone/zj-ninghai-stationery{href}"),
            None => break,
        }
    }
    assert_eq!(seen, want, "zone members page by page");

    // Brands by scheme and region, paged: the next link carries the listing's own cursor.
    let data = app
        .data(
            "{ brands(schemes: [ZHEJIANG_MADE, WELL_KNOWN_TRADEMARK], filter: {region: \"33\"}, first: 3) {
                nodes { name } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    let page = widget(
        app,
        "/embed/brands?schemes=ZHEJIANG_MADE,WELL_KNOWN_TRADEMARK&region=33&first=3",
    )
    .await;
    assert_eq!(listed(&page.body), strings(&data["brands"], "name"), "brands");
    assert!(data["brands"]["pageInfo"]["hasNextPage"].as_bool().unwrap(), "{data}");
    let next = link(&page.body, "next").expect("a next link");
    let cursor = data["brands"]["pageInfo"]["endCursor"].as_str().unwrap();
    assert!(next.contains(&format!("after={cursor}")), "{next}");
    let data2 = app
        .data(
            "query($a: String) { brands(schemes: [ZHEJIANG_MADE, WELL_KNOWN_TRADEMARK], filter: {region: \"33\"},
                first: 3, after: $a) { nodes { name } } }",
            json!({"a": cursor}),
        )
        .await;
    let page2 = widget(app, &format!("/embed/brands{next}")).await;
    assert_eq!(listed(&page2.body), strings(&data2["brands"], "name"), "brands, page 2");
    assert!(link(&page2.body, "first").is_some());

    // Titles by region, and by scheme.
    for (args, params) in [
        ("filter: {region: \"330226\"}", "region=330226"),
        (
            "schemes: [SINGLE_CHAMPION, GOVERNMENT_QUALITY_AWARD]",
            "schemes=single_champion&schemes=GOVERNMENT_QUALITY_AWARD",
        ),
        ("filter: {activeOn: \"2015-06-01\"}", "activeOn=2015-06-01"),
    ] {
        let data = app
            .data(
                &format!("{{ titles({args}, first: 100) {{ nodes {{ name }} }} }}"),
                json!({}),
            )
            .await;
        let page = widget(app, &format!("/embed/titles?{params}&first=100")).await;
        assert_eq!(listed(&page.body), strings(&data["titles"], "name"), "titles {params}");
    }

    // The credit list: removed entries stay, with their removal, in the public lists' date style.
    let data = app
        .data(
            "{ creditEntries(lists: [ABNORMAL_OPERATIONS], first: 100) { nodes { enterprise { name } removedOn } } }",
            json!({}),
        )
        .await;
    let page = widget(app, "/embed/credit?lists=ABNORMAL_OPERATIONS&first=100").await;
    assert_eq!(
        listed(&page.body),
        enterprise_names(&data["creditEntries"]),
        "credit entries"
    );
    for h in [
        "列入原因",
        "列入日期",
        "作出决定机关（列入）",
        "移出原因",
        "移出日期",
        "作出决定机关（移出）",
    ] {
        assert!(page.body.contains(&format!(">{h}</th>")), "{h}");
    }
    assert!(
        page.body.contains("2018年10月22日"),
        "the removal date, written as the list writes it"
    );
    assert!(
        page.body.contains("<tr class=\"ended\">"),
        "a removed entry is kept, muted"
    );
    let data = app
        .data(
            "{ creditEntries(filter: {activeOn: \"2019-08-01\"}, first: 100) { nodes { enterprise { name } } } }",
            json!({}),
        )
        .await;
    let page = widget(app, "/embed/credit?activeOn=2019-08-01&first=100").await;
    assert_eq!(
        listed(&page.body),
        enterprise_names(&data["creditEntries"]),
        "credit entries on a day"
    );

    // Notices for HS codes: the listing, and the ones open for comment today first.
    let today = zhiliang::graphql::scalars::today_in_china().to_string();
    for (filter, params) in [
        (json!({"hsCodes": ["9503"]}), "hsCodes=9503"),
        (json!({"members": ["USA", "EU"]}), "members=USA,EU"),
    ] {
        let mut open_filter = filter.clone();
        open_filter["openForCommentOn"] = json!(today);
        let data = app
            .data(
                "query($f: NoticeFilter, $o: NoticeFilter) { all: notices(filter: $f, first: 5) { nodes { symbol } }
                    open: notices(filter: $o, first: 100) { nodes { symbol } } }",
                json!({"f": filter, "o": open_filter}),
            )
            .await;
        let page = widget(app, &format!("/embed/notices?{params}&first=5")).await;
        let ts = tables(&page.body);
        let open = strings(&data["open"], "symbol");
        assert_eq!(
            row_heads(ts.last().unwrap()),
            strings(&data["all"], "symbol"),
            "notices {params}"
        );
        if open.is_empty() {
            assert_eq!(ts.len(), 1, "no open table when nothing is open");
        } else {
            assert_eq!(ts.len(), 2);
            assert_eq!(row_heads(ts[0]), open, "open notices first {params}");
        }
        assert!(page.headers.contains_key("last-modified"), "notices give Last-Modified");
    }
    // Sorted as the listing sorts, and paged backwards too.
    let data = app
        .data(
            "{ notices(orderBy: {field: SYMBOL, direction: ASC}, first: 4) { nodes { symbol } } }",
            json!({}),
        )
        .await;
    let page = widget(app, "/embed/notices?sort=symbol&direction=asc&first=4").await;
    assert_eq!(
        listed(&page.body),
        strings(&data["notices"], "symbol"),
        "notices by symbol"
    );
    assert!(page.body.contains("aria-sort=\"ascending\""));
    let next = link(&page.body, "next").unwrap();
    let page2 = widget(app, &format!("/embed/notices{next}")).await;
    let prev = link(&page2.body, "prev").expect("a previous link");
    let back = widget(app, &format!("/embed/notices{prev}")).await;
    assert_eq!(listed(&back.body), listed(&page.body), "back to page 1");

    // Standards by ICS code, committee and drafting organisation.
    for (filter, params) in [
        (json!({"icsCodes": ["97.200"]}), "icsCodes=97.200"),
        (json!({"committee": "TC253"}), "committee=TC253"),
        (json!({"draftedBy": "得力"}), "draftedBy=%E5%BE%97%E5%8A%9B"),
    ] {
        let data = app
            .data(
                "query($f: StandardFilter) { standards(filter: $f, first: 100) { nodes { number } } }",
                json!({"f": filter}),
            )
            .await;
        let want = strings(&data["standards"], "number");
        assert!(!want.is_empty(), "{params} selects standards");
        let page = widget(app, &format!("/embed/standards?{params}&first=100")).await;
        assert_eq!(listed(&page.body), want, "standards {params}");
    }
    let data = app
        .data(
            "{ standards(orderBy: {field: NUMBER, direction: ASC}, filter: {icsCodes: [\"97\"]}, first: 6) { nodes { number } } }",
            json!({}),
        )
        .await;
    let page = widget(app, "/embed/standards?icsCodes=97&sort=NUMBER&direction=ASC&first=6").await;
    assert_eq!(
        listed(&page.body),
        strings(&data["standards"], "number"),
        "standards by number"
    );
    for h in ["标准号", "标准名称", "状态", "发布日期", "实施日期"] {
        assert!(page.body.contains(h), "{h}");
    }

    // English by parameter.
    let page = widget(app, "/embed/credit?lang=en&first=2").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Reason listed"));
}

both_backends!(widgets_match_listings, |backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_all_demo().await;
    widgets_list_what_the_listings_list(&app).await;
    app.finish().await;
});

/// The inline script and style of a page, and the hashes the CSP must name for them.
fn inline_hash(body: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = body.find(&open).unwrap() + open.len();
    let end = start + body[start..].find(&format!("</{tag}>")).unwrap();
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body.as_bytes()[start..end]))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_caching_escaping_and_refusals() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;

    // Caching: public max-age, ETag of the body, 304 on If-None-Match; CSP with hashes; no cookie.
    for path in [
        "/embed/zone/zj-ninghai-stationery",
        "/embed/brands",
        "/embed/titles",
        "/embed/credit",
        "/embed/notices?hsCodes=9503",
        "/embed/standards?icsCodes=97.200&theme=dark&accent=%2300695c",
    ] {
        let p = widget(&app, path).await;
        let h = &p.headers;
        assert_eq!(h["cache-control"], "public, max-age=300", "{path}");
        assert!(h.get("set-cookie").is_none(), "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors *"), "{csp}");
        assert!(
            csp.contains(&format!("script-src {}", inline_hash(&p.body, "script"))),
            "{csp}"
        );
        assert!(
            csp.contains(&format!("style-src {}", inline_hash(&p.body, "style"))),
            "{csp}"
        );
        assert!(
            !p.body.contains("http://") && !p.body.contains("https://"),
            "nothing from another host: {path}"
        );
        assert!(!p.body.contains("@font-face") && !p.body.contains("@import"), "{path}");
        let etag = h["etag"].clone();
        let again = app
            .http
            .get(format!("{}{path}", app.base))
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag);
        assert_eq!(again.headers()["cache-control"], "public, max-age=300");
        assert!(again.text().await.unwrap().is_empty());
        // Last-Modified from the newest change of what the page shows (rows, the enterprises they name, and on
        // the zone page the zone, its memberships and the members' brands and titles).
        assert!(h.contains_key("last-modified"), "{path}");
        // A real table: caption, column and row headers.
        assert!(
            p.body.contains("<caption>") && p.body.contains("<th scope=\"col\">"),
            "{path}"
        );
    }
    let dark = widget(&app, "/embed/standards?theme=dark&accent=%2300695c").await;
    assert!(dark.body.contains("--accent:#00695c") && dark.body.contains("color-scheme:dark"));

    // The loader: compiled in, cached a day, revalidated.
    let js = get(&app, "/embed.js").await;
    assert_eq!(js.status, 200);
    assert!(
        js.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(js.headers["cache-control"], "public, max-age=86400");
    assert!(js.body.contains("postMessage") || js.body.contains("addEventListener('message'"));
    let again = app
        .http
        .get(format!("{}/embed.js", app.base))
        .header("if-none-match", js.headers["etag"].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // Bad parameters: a Chinese 400 page with the code, never a 500.
    for (path, code) in [
        ("/embed/notices?first=1000", "PAGE_SIZE_INVALID"),
        ("/embed/notices?first=ten", "BAD_USER_INPUT"),
        ("/embed/notices?hsCodes=abc", "BAD_USER_INPUT"),
        (
            "/embed/notices?members=USA&openForCommentOn=2023-02-30",
            "BAD_USER_INPUT",
        ),
        ("/embed/notices?after=bogus", "INVALID_CURSOR"),
        ("/embed/notices?sort=TITLE", "BAD_USER_INPUT"),
        ("/embed/standards?status=NOPE", "BAD_USER_INPUT"),
        ("/embed/standards?draftedAsLead=maybe", "BAD_USER_INPUT"),
        (
            "/embed/standards?issuedFrom=2020-01-01&issuedTo=2019-01-01",
            "BAD_USER_INPUT",
        ),
        ("/embed/brands?schemes=BEST_BRAND", "BAD_USER_INPUT"),
        ("/embed/brands?region=zhejiang", "BAD_USER_INPUT"),
        ("/embed/titles?levels=GALACTIC", "BAD_USER_INPUT"),
        (
            "/embed/credit?lists=ABNORMAL_OPERATIONS&from=2020-01-01&to=2019-01-01",
            "BAD_USER_INPUT",
        ),
        ("/embed/credit?accent=red", "BAD_USER_INPUT"),
        ("/embed/credit?accent=%23123456%3Bbackground:url(x)", "BAD_USER_INPUT"),
        ("/embed/credit?theme=neon", "BAD_USER_INPUT"),
        ("/embed/credit?lang=fr", "BAD_USER_INPUT"),
        ("/embed/credit?colour=red", "BAD_USER_INPUT"),
        ("/embed/credit?first=%FF", "BAD_USER_INPUT"),
        ("/embed/zone/zj-ninghai-stationery?asOf=yesterday", "BAD_USER_INPUT"),
        ("/embed/zone/zj-ninghai-stationery?role=BOSS", "BAD_USER_INPUT"),
        ("/embed/zone/zj-ninghai-stationery?after=bogus", "INVALID_CURSOR"),
    ] {
        let p = get(&app, path).await;
        assert_eq!(p.status, 400, "{path}: {}", p.body);
        assert_eq!(p.headers["x-zhiliang-error"], code, "{path}: {}", p.body);
        assert!(
            p.headers["content-type"].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        assert!(
            p.body.contains("<html lang=\"zh-CN\">") && p.body.contains("参数有误"),
            "{path}: {}",
            p.body
        );
        assert!(
            p.body.contains(&format!("\"code\":\"{code}\"")),
            "{path}: the code in a comment"
        );
        assert!(
            p.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors")
        );
    }
    let p = get(&app, "/embed/zone/no-such-zone").await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert_eq!(p.headers["x-zhiliang-error"], "NOT_FOUND");
    assert!(p.body.contains("未找到") && p.body.contains("no-such-zone"));

    // Imported names are text, never markup.
    let report = app
        .import_text(
            "evil.jsonl",
            concat!(
                r#"{"type":"zone","code":"evil-zone","name":"<script>alert(1)</script>示范区","kind":"INDUSTRIAL","level":"PROVINCIAL","history":[{"status":"CULTIVATING","date":"2020-01-01"}]}"#,
                "\n",
                r#"{"type":"enterprise","creditCode":"91330226573218648K","name":"<script>alert(\"企业\")</script>&公司"}"#,
                "\n",
                r#"{"type":"zoneMembership","zone":"evil-zone","creditCode":"91330226573218648K","role":"LEAD","admittedOn":"2020-01-01"}"#,
                "\n",
                r#"{"type":"creditEntry","creditCode":"91330226573218648K","list":"ADMINISTRATIVE_PENALTY","reason":"<img src=x onerror=alert(2)>","listedOn":"2024-01-02","authority":"宁海县市场监督管理局","documentNumber":"宁市监罚〔2024〕1号"}"#,
                "\n",
            ),
        )
        .await;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    for path in ["/embed/zone/evil-zone", "/embed/credit?lists=ADMINISTRATIVE_PENALTY"] {
        let p = widget(&app, path).await;
        assert!(!p.body.contains("<script>alert"), "{path}: {}", p.body);
        assert!(!p.body.contains("<img"), "{path}");
        assert!(
            p.body
                .contains("&lt;script&gt;alert(&quot;企业&quot;)&lt;/script&gt;&amp;公司"),
            "{path}: {}",
            p.body
        );
        assert_eq!(p.body.matches("<script>").count(), 1, "only the height script: {path}");
    }
    let p = widget(&app, "/embed/zone/evil-zone").await;
    assert!(
        p.body
            .contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;示范区</title>"),
        "{}",
        p.body
    );
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_ancestors_follow_the_setting() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.frame_ancestors = vec!["https://xh.example.org".into(), "http://127.0.0.1:3000".into()];
        s.cache_max_age = Duration::from_secs(60);
    })
    .await;
    for path in ["/embed/notices", "/embed/zone/none", "/embed/credit?lang=xx"] {
        let p = get(&app, path).await;
        let csp = p.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.ends_with("frame-ancestors https://xh.example.org http://127.0.0.1:3000"),
            "{path}: {csp}"
        );
        assert!(!csp.contains('*'), "{csp}");
        assert!(p.headers.get("x-frame-options").is_none());
    }
    let p = widget(&app, "/embed/notices").await;
    assert_eq!(p.headers["cache-control"], "public, max-age=60");
    app.finish().await;
}

/// Serves `html` at `/association.html` (and 404 elsewhere) on a port of its own: another origin than zhiliang.
async fn association_site(html: String) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                break;
            };
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&got);
                let (status, body) = if head.starts_with("GET /association.html ") {
                    ("200 OK", html)
                } else if head.starts_with("GET /favicon.ico ") {
                    ("204 No Content", String::new())
                } else {
                    ("404 Not Found", "not found".to_string())
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (base, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_widgets_on_an_association_page_in_chromium() {
    assert!(
        repo("tests/js/node_modules/playwright-core").is_dir(),
        "tests/js has no node_modules: run `npm ci` in tests/js (scripts/test does)"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: apt-get install chromium (scripts/test does)"
    );
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.import_all_demo().await;
    app.wait_indexed().await;

    // What the widgets must show, from the API.
    let data = app
        .data(
            "{ zone(code: \"zj-ninghai-stationery\") { members { enterprise { name } } }
               p1: creditEntries(first: 5) { nodes { enterprise { name } } pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let zone_members: Vec<String> = data["zone"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["enterprise"]["name"].as_str().unwrap().to_string())
        .collect();
    let credit_page1 = enterprise_names(&data["p1"]);
    let cursor = data["p1"]["pageInfo"]["endCursor"].as_str().unwrap().to_string();
    let data = app
        .data(
            "query($a: String) { creditEntries(first: 5, after: $a) { nodes { enterprise { name } } } }",
            json!({"a": cursor}),
        )
        .await;
    let credit_page2 = enterprise_names(&data["creditEntries"]);

    let html = format!(
        r##"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>宁海县文具行业协会</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;background:#f3f1ec;color:#222}}
header{{background:#7a1c1c;color:#fff;padding:14px 24px}}header h1{{margin:0;font-size:22px}}
main{{max-width:1100px;margin:0 auto;padding:16px 24px}}section{{background:#fff;margin:0 0 20px;padding:12px 16px;
border-radius:6px}}h2{{font-size:18px;margin:4px 0 10px}}</style></head>
<body><header><h1>宁海县文具行业协会</h1></header><main>
<section><h2>示范区成员企业</h2>
<script src="{base}/embed.js" data-widget="zone" data-zone="zj-ninghai-stationery" data-accent="#7a1c1c"></script>
</section>
<section><h2>信用信息公示</h2>
<script src="{base}/embed.js" data-widget="credit" data-first="5" data-title="信用名单"></script>
</section>
</main></body></html>
"##,
        base = app.base
    );
    let (site, server) = association_site(html).await;
    let screenshot = repo("target/embed-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("node")
            .arg(repo("tests/js/embed.mjs"))
            .arg(format!("{site}/association.html"))
            .arg(&screenshot)
            .current_dir(repo(""))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("embed.mjs finishes within 120 s")
    .expect("node runs");
    server.abort();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "embed.mjs failed ({}):\n{stderr}\n{stdout}",
        out.status
    );
    let report: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("embed.mjs printed no JSON ({e}):\n{stdout}\n{stderr}"));

    let zone = &report["frames"]["zone"];
    assert_eq!(zone["lang"], "zh-CN", "{report:#}");
    assert_eq!(
        zone["headers"],
        json!(["企业名称", "统一社会信用代码", "角色", "称号", "品牌", "入选日期"])
    );
    assert_eq!(zone["rowHeads"], json!(zone_members), "{report:#}");
    assert_eq!(zone["rowCount"], json!(zone_members.len()));
    let credit = &report["frames"]["credit"];
    assert_eq!(credit["rowHeads"], json!(credit_page1), "{report:#}");
    assert_eq!(credit["rowCount"], 5);
    assert_eq!(credit["headers"][3], "列入原因");
    for w in [zone, credit] {
        assert!(
            w["scrollWidth"].as_f64().unwrap() <= w["clientWidth"].as_f64().unwrap(),
            "no sideways scrolling at a desktop width: {w}"
        );
        assert!(
            w["scopes"].as_array().unwrap().iter().all(|s| s == "col" || s == "row"),
            "{w}"
        );
        assert_eq!(w["cookie"], "", "no cookies");
    }
    assert_eq!(report["iframeTitles"], json!(["示范区成员企业", "信用名单"]));

    // Paged by keyboard: the next page's first row is the listing's.
    let page2 = &report["creditPage2"];
    assert_eq!(page2["focused"], "next", "{report:#}");
    assert_eq!(page2["firstRow"], json!(credit_page2[0]), "{report:#}");
    assert_eq!(page2["rowHeads"], json!(credit_page2));

    // Heights fit the content: no inner scrollbar, at a desktop width, after paging and on a phone.
    for key in ["fits", "fitsAfterPaging"] {
        for f in report[key].as_array().unwrap() {
            let (outer, inner) = (f["iframeHeight"].as_f64().unwrap(), f["content"].as_f64().unwrap());
            assert!((outer - inner).abs() <= 1.0, "{key}: {f}");
            assert!(f["scrollHeight"].as_f64() <= f["clientHeight"].as_f64(), "{key}: {f}");
        }
    }
    let phone = &report["phone"];
    for w in ["zone", "credit"] {
        let f = &phone[w];
        assert!(
            f["scrollWidth"].as_f64().unwrap() <= f["clientWidth"].as_f64().unwrap(),
            "no sideways scrolling at 360 px: {w} {f}"
        );
    }
    assert!(phone["pageScrollWidth"].as_f64().unwrap() <= 360.0, "{phone}");

    // Nothing but the two local origins was asked for anything.
    let requests: Vec<&str> = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(requests.iter().any(|u| u.ends_with("/embed.js")), "{requests:?}");
    for url in &requests {
        assert!(
            url.starts_with(&format!("{}/", app.base)) || url.starts_with(&format!("{site}/")),
            "a request left for another host: {url}"
        );
    }
    assert_eq!(
        report["consoleErrors"],
        json!([]),
        "console errors (CSP included): {report:#}"
    );
    assert!(screenshot.is_file());
    app.finish().await;
}
