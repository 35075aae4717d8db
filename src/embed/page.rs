//! The page every widget is drawn in: one or more real tables (caption, `<th scope>`), paging links, the inline
//! style (themes, the accent colour, a card layout below 600 px) and the small script that reports the page's
//! height to the loader; and the HTTP answer around it: CSP with `frame-ancestors`, caching, ETag and 304.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::params::{DEFAULT_ACCENT, Lang, Look, Refusal, Theme};

/// How dates are written: the credit and zone lists write 2026年11月29日, the notice and standards lists 2026-11-29.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Iso,
    Chinese,
}

/// A date cell: kept on one line.
pub fn date_cell(d: Option<NaiveDate>, style: DateStyle, lang: Lang) -> Markup {
    html! { @if d.is_some() { span.nowrap { (date(d, style, lang)) } } }
}

pub fn date(d: Option<NaiveDate>, style: DateStyle, lang: Lang) -> String {
    match d {
        None => String::new(),
        Some(d) if style == DateStyle::Chinese && lang == Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Some(d) => d.to_string(),
    }
}

/// A column header; a sortable one links to the listing sorted by it.
pub struct Column {
    pub label: String,
    /// (link, current direction when the listing is sorted by this column: `Some(true)` descending)
    pub sort: Option<(String, Option<bool>)>,
    /// A column of long text (a reason), given room before the short ones.
    pub wide: bool,
}

impl Column {
    pub fn plain(label: &str) -> Column {
        Column {
            label: label.to_string(),
            sort: None,
            wide: false,
        }
    }
    pub fn wide(label: &str) -> Column {
        Column {
            wide: true,
            ..Column::plain(label)
        }
    }
}

/// One table: its caption, headers and rows (the first cell of each row is its header cell).
pub struct Table {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub empty: String,
}

pub struct Row {
    pub cells: Vec<Markup>,
    /// A row shown muted (a credit entry removed from its list, a member that left).
    pub ended: bool,
}

/// Paging links, relative (`?…`): the first page, the previous and the next.
#[derive(Default)]
pub struct Pager {
    pub first: Option<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// What a widget shows.
pub struct View {
    pub title: String,
    /// A line under the title (the zone's level and phase, the day listed as of).
    pub subtitle: Option<String>,
    pub tables: Vec<Table>,
    pub pager: Pager,
    /// The newest `updated_at` of the rows shown, when the store gives it.
    pub last_modified: Option<DateTime<Utc>>,
}

/// Reports the page's height to the page that frames it, whenever it changes. The height is not a secret, so
/// any parent may read it (`*`); the loader checks that the message comes from this origin and this frame.
const HEIGHT_SCRIPT: &str = "(function(){var last=0;function send(){var h=Math.ceil(document.documentElement.\
getBoundingClientRect().height);if(h!==last&&window.parent!==window){last=h;window.parent.postMessage({type:\
'zhiliang-embed-height',height:h},'*');}}if(window.ResizeObserver){new ResizeObserver(send).observe(document.\
documentElement);}window.addEventListener('load',send);window.addEventListener('resize',send);send();})();";

fn sha256_source(s: &str) -> String {
    format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s.as_bytes())))
}

static SCRIPT_HASH: LazyLock<String> = LazyLock::new(|| sha256_source(HEIGHT_SCRIPT));

/// WCAG relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let c = |i: usize| {
        let v = u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
}

fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The text colour on the accent: white or black, whichever contrasts more (at least 4.58:1 for any colour).
fn on_accent(accent: &str) -> &'static str {
    let l = luminance(accent);
    if contrast(l, 1.0) >= contrast(l, 0.0) {
        "#ffffff"
    } else {
        "#000000"
    }
}

const LIGHT: &str = "--bg:#ffffff;--fg:#1b1b1b;--muted:#595959;--line:#d0d4d9;--stripe:#f5f6f7;--link:#0b57d0;";
const DARK: &str = "--bg:#161616;--fg:#ececec;--muted:#b4b4b4;--line:#3d3d3d;--stripe:#1f1f1f;--link:#9ec1ff;";

/// The page's style: colours by theme, the accent on header cells and focus rings, and the card layout for phones.
fn style(look: &Look) -> String {
    let accent = look.accent.as_deref().unwrap_or(DEFAULT_ACCENT);
    let palette = match look.theme {
        Theme::Light => format!(":root{{{LIGHT}}}"),
        Theme::Dark => format!(":root{{{DARK}color-scheme:dark}}"),
        Theme::Auto => {
            format!(":root{{{LIGHT}}}@media (prefers-color-scheme:dark){{:root{{{DARK}color-scheme:dark}}}}")
        }
    };
    format!(
        "{palette}:root{{--accent:{accent};--on-accent:{on}}}\
*{{box-sizing:border-box}}\
html{{background:var(--bg);color:var(--fg)}}\
body{{margin:0;padding:12px;font:15px/1.55 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\
\"PingFang SC\",\"Hiragino Sans GB\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\
\"WenQuanYi Micro Hei\",sans-serif}}\
h1{{font-size:1.15em;margin:0 0 2px}}\
.sub{{margin:0 0 10px;color:var(--muted);font-size:.9em}}\
.scroll{{overflow-x:auto;margin:0 0 14px}}.scroll:focus-visible{{outline:3px solid var(--accent)}}\
table{{width:100%;border-collapse:collapse;font-size:.93em}}\
caption{{text-align:left;font-weight:600;padding:6px 0;border-bottom:3px solid var(--accent)}}\
th,td{{text-align:left;vertical-align:top;padding:6px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}}\
thead th{{background:var(--accent);color:var(--on-accent);font-weight:600;min-width:4.5em}}\
thead th.wide{{min-width:8em}}\
thead th a{{color:var(--on-accent)}}\
tbody tr:nth-child(even){{background:var(--stripe)}}\
tbody th{{font-weight:600}}\
tr.ended{{color:var(--muted)}}\
a{{color:var(--link)}}\
a:focus-visible{{outline:3px solid var(--accent);outline-offset:2px}}\
thead th a:focus-visible{{outline-color:var(--on-accent)}}\
.code{{font-family:ui-monospace,\"SFMono-Regular\",Menlo,Consolas,monospace;font-size:.92em;white-space:nowrap}}\
.empty{{color:var(--muted)}}\
.nowrap{{white-space:nowrap}}\
.note{{display:block;color:var(--muted);font-size:.88em}}\
tbody th{{min-width:6.5em}}\
nav ul{{list-style:none;display:flex;flex-wrap:wrap;gap:8px 16px;margin:0 0 8px;padding:0}}\
nav a{{display:inline-block;padding:6px 10px;border:1px solid var(--line);border-radius:4px;text-decoration:none}}\
footer{{color:var(--muted);font-size:.8em}}\
@media (max-width:600px){{body{{padding:8px;font-size:14px}}thead{{position:absolute;width:1px;height:1px;\
overflow:hidden;clip:rect(0 0 0 0)}}table,caption,tbody,tr,th,td{{display:block;width:100%}}tbody tr{{border-bottom:2px solid \
var(--line);padding:4px 0}}tbody th,tbody td{{border:0;padding:2px 4px}}tbody td[data-label]::before{{content:\
attr(data-label) \"：\";color:var(--muted)}}tbody td:empty{{display:none}}}}",
        on = on_accent(accent),
    )
}

fn table(t: &Table, lang: Lang) -> Markup {
    html! {
        // A narrow frame scrolls a wide table sideways inside this region (reachable by Tab), not the page.
        div.scroll tabindex="0" role="region" aria-label=(t.caption) {
            table {
                caption { (t.caption) }
                thead {
                    tr {
                        @for c in &t.columns {
                            @match &c.sort {
                                None => th scope="col" class=[c.wide.then_some("wide")] { (c.label) },
                                Some((href, current)) => {
                                    @let aria = match current {
                                        Some(true) => Some("descending"),
                                        Some(false) => Some("ascending"),
                                        None => None,
                                    };
                                    @let mark = match current {
                                        Some(true) => " ↓",
                                        Some(false) => " ↑",
                                        None => "",
                                    };
                                    th scope="col" class=[c.wide.then_some("wide")] aria-sort=[aria] {
                                        a href=(href) title=(lang.t("按此列排序", "Sort by this column")) {
                                            (c.label) (mark)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                tbody {
                    @if t.rows.is_empty() {
                        tr { td.empty colspan=(t.columns.len()) { (t.empty) } }
                    }
                    @for r in &t.rows {
                        tr class=[r.ended.then_some("ended")] {
                            @for (i, cell) in r.cells.iter().enumerate() {
                                @if i == 0 {
                                    th scope="row" { (cell) }
                                } @else {
                                    td data-label=(t.columns.get(i).map(|c| c.label.as_str()).unwrap_or("")) { (cell) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn shell(look: &Look, title: &str, css: &str, body: Markup, comment: Option<&str>) -> String {
    let lang = look.lang;
    let page = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="strict-origin-when-cross-origin";
                title { (title) }
                style { (PreEscaped(css)) }
            }
            body {
                @if let Some(c) = comment {
                    (PreEscaped(format!("<!-- {c} -->")))
                }
                (body)
                script { (PreEscaped(HEIGHT_SCRIPT)) }
            }
        }
    };
    page.into_string()
}

/// The HTML of a widget.
pub fn render(look: &Look, v: &View) -> (String, String) {
    let lang = look.lang;
    let css = style(look);
    let body = html! {
        main {
            h1 { (v.title) }
            @if let Some(s) = &v.subtitle { p.sub { (s) } }
            @for t in &v.tables { (table(t, lang)) }
            @if v.pager.first.is_some() || v.pager.previous.is_some() || v.pager.next.is_some() {
                nav aria-label=(lang.t("分页", "Pages")) {
                    ul {
                        @if let Some(h) = &v.pager.first { li { a href=(h) rel="first" { (lang.t("首页", "First page")) } } }
                        @if let Some(h) = &v.pager.previous { li { a href=(h) rel="prev" { (lang.t("上一页", "Previous page")) } } }
                        @if let Some(h) = &v.pager.next { li { a href=(h) rel="next" { (lang.t("下一页", "Next page")) } } }
                    }
                }
            }
        }
        footer { (lang.t("数据来源：质量与出口公共信息服务平台（zhiliang）", "Source: zhiliang public information service")) }
    };
    let html = shell(look, &v.title, &css, body, None);
    (html, css)
}

/// A refusal as a page: Chinese first, the code of the API's error registry in a header and in a comment.
pub fn refusal_page(look: &Look, r: &Refusal) -> (String, String) {
    let lang = look.lang;
    let css = style(look);
    let (heading, hint) = match r.status {
        404 => (
            lang.t("未找到", "Not found"),
            lang.t("请检查嵌入代码中的编号。", "Check the code in the embed snippet."),
        ),
        400 => (
            lang.t("参数有误", "Bad parameters"),
            lang.t(
                "请检查嵌入代码的 data- 属性或网址参数（见 docs/embed.md）。",
                "Check the snippet's data- attributes or the URL parameters (see docs/embed.md).",
            ),
        ),
        _ => (
            lang.t("暂时无法显示", "Cannot show this now"),
            lang.t("请稍后再试。", "Please try again later."),
        ),
    };
    let body = html! {
        main {
            h1 { (heading) }
            p { (r.message) }
            p.sub { (hint) " " span.code { (r.code.as_str()) } }
        }
    };
    let comment = serde_json::json!({"code": r.code.as_str(), "status": r.status}).to_string();
    (shell(look, heading, &css, body, Some(&comment)), css)
}

fn csp(frame_ancestors: &[String], css: &str) -> String {
    let ancestors = if frame_ancestors.is_empty() {
        "'none'".to_string()
    } else {
        frame_ancestors.join(" ")
    };
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'; \
         frame-ancestors {ancestors}",
        sha256_source(css),
        *SCRIPT_HASH
    )
}

/// What every widget answer carries: the CSP, no referrer beyond the origin, no sniffing.
fn common(h: &mut HeaderMap, frame_ancestors: &[String], css: &str) {
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp(frame_ancestors, css)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// `"…"`: the first 16 bytes of the body's SHA-256.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(&Sha256::digest(body)[..16]))
}

/// Whether `If-None-Match` names this tag (weak or strong) or `*`.
pub fn fresh(request: &HeaderMap, etag: &str) -> bool {
    request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
}

/// The answer of a widget: 200 with the page, or 304 when the reader's copy is current.
pub fn answer(
    request: &HeaderMap,
    html: String,
    css: &str,
    last_modified: Option<DateTime<Utc>>,
    frame_ancestors: &[String],
    max_age: u64,
) -> Response {
    let etag = etag_of(html.as_bytes());
    let mut resp = if fresh(request, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, html).into_response()
    };
    let h = resp.headers_mut();
    common(h, frame_ancestors, css);
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    if let Some(t) = last_modified
        && let Ok(v) = HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    resp
}

/// A refusal page with its status, the code in `X-Zhiliang-Error`, and no caching.
pub fn refused(look: &Look, r: &Refusal, frame_ancestors: &[String]) -> Response {
    let (html, css) = refusal_page(look, r);
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    common(h, frame_ancestors, &css);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-zhiliang-error", HeaderValue::from_static(r.code.as_str()));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_the_accent_keeps_contrast() {
        assert_eq!(on_accent("#a4161a"), "#ffffff");
        assert_eq!(on_accent("#ffd400"), "#000000");
        for accent in ["#a4161a", "#ffd400", "#0b57d0", "#777777", "#00ff00"] {
            let text = on_accent(accent);
            assert!(
                contrast(luminance(accent), luminance(text)) >= 4.5,
                "{accent} with {text}"
            );
        }
    }

    #[test]
    fn dates_as_the_lists_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 29);
        assert_eq!(date(d, DateStyle::Chinese, Lang::Zh), "2026年11月29日");
        assert_eq!(date(d, DateStyle::Iso, Lang::Zh), "2026-11-29");
        assert_eq!(date(d, DateStyle::Chinese, Lang::En), "2026-11-29");
    }
}
