//! Listing feeds (Atom, RFC 4287): `GET /feeds/{listing}.atom` with the same parameters as the exports, the newest
//! 50 changes of the listing: notices and standards as the listing orders them (newest distributed or issued
//! first), brands and titles newly recorded or revoked, credit entries listed and removed (a removal is an entry
//! of its own), zones' phases and their members' admissions and exits, enterprises by their last change. Entry
//! ids are stable: the same change keeps its id across requests.

use std::collections::BinaryHeap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::plan::{self, Cursor, Plan, Query as Q};
use super::{cache, file_plan, refuse};
use crate::catalog::enterprises::entity::enterprise;
use crate::catalog::enterprises::store as enterprise_store;
use crate::catalog::listings::brand::BrandScheme;
use crate::catalog::listings::credit::CreditList;
use crate::catalog::listings::entity::listing;
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::store as listing_store;
use crate::catalog::listings::title::TitleScheme;
use crate::catalog::notices::store::{self as notice_store, SortField};
use crate::catalog::paging::{PageRequest, Position};
use crate::catalog::standards::store as standard_store;
use crate::catalog::zones::store as zone_store;
use crate::context::AppContext;
use crate::error::ApiResult;
use crate::graphql::ids;
use crate::http::HttpState;
use crate::http::feeds::{escape, percent, rfc3339};

/// How many changes a feed holds, newest first.
pub const FEED_ENTRIES: usize = 50;

/// One change of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// When it happened: the day of the change (listed, removed, admitted, ...) or the time it was recorded.
    pub at: DateTime<Utc>,
    /// Stable: `tag:zhiliang,2026:{what}`.
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The kind of change (`listed`, `removed`, `new`, `revoked`, `admitted`, `exited`, a zone phase, ...).
    pub category: String,
    /// A GET GraphQL query that answers the record.
    pub link: String,
    /// When the record was last written (the feed's `updated`).
    pub recorded: DateTime<Utc>,
}

impl Ord for Change {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed, so that a max-heap keeps the oldest on top (to be dropped first).
        (other.at, &other.id).cmp(&(self.at, &self.id))
    }
}

impl PartialOrd for Change {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The newest `FEED_ENTRIES` changes offered to it.
struct Newest(BinaryHeap<Change>);

impl Newest {
    fn push(&mut self, c: Change) {
        self.0.push(c);
        if self.0.len() > FEED_ENTRIES {
            self.0.pop();
        }
    }
    fn into_sorted(self) -> Vec<Change> {
        // `into_sorted_vec` is ascending by `Ord`, which is reversed time: newest first.
        self.0.into_sorted_vec()
    }
}

/// A day as a time: 00:00 in China (UTC+8).
fn day_time(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(8)
}

/// Percent-encodes a GraphQL query for a link.
fn query_link(q: &str) -> String {
    format!("/graphql?query={}", percent(q))
}

fn node_link(type_name: &str, id: i32, fields: &str) -> String {
    query_link(&format!(
        "{{node(id:\"{}\"){{... on {type_name}{{{fields}}}}}}}",
        ids::encode(type_name, id).as_str()
    ))
}

/// `GET /feeds/{listing}.atom`.
pub async fn listing_feed(
    State(s): State<HttpState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let (plan, _, pairs) = match file_plan(&s, &file, &["atom"], "feed", query).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let changes = match changes(&s.app, &plan).await {
        Ok(c) => c,
        Err(e) => return refuse(e),
    };
    let self_href = if plan.canonical.is_empty() {
        format!("/feeds/{file}")
    } else {
        format!("/feeds/{file}?{}", query_string(&pairs))
    };
    let latest = changes.iter().map(|c| c.recorded).max();
    let xml = atom(&plan, &self_href, &changes, latest);
    let etag = cache::etag(&[xml.as_bytes()]);
    let mut resp = if cache::fresh(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, xml).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    cache::public(h, &etag, latest, s.app.settings.cache_max_age);
    resp
}

/// The parameters again, percent-encoded, for the feed's `self` link.
fn query_string(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b',') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The newest changes of the listing with the plan's filter.
pub async fn changes(app: &AppContext, plan: &Plan) -> ApiResult<Vec<Change>> {
    let db = &app.db;
    let req = |after: Cursor, descending: bool, limit: u64| PageRequest {
        descending,
        after,
        before: None,
        limit,
        from_end: false,
        other_side: false,
    };
    let mut newest = Newest(BinaryHeap::new());
    match &plan.query {
        // Notices and standards: the listing's own order is the order of news.
        Q::Notices(q) => {
            let page = notice_store::list(
                db,
                q,
                SortField::DistributionDate,
                &req(None, true, FEED_ENTRIES as u64),
            )
            .await?;
            for n in page.rows {
                let d = &n.data;
                let symbol = d.primary_symbol().to_string();
                newest.push(Change {
                    at: day_time(d.distribution_date),
                    id: format!("tag:zhiliang,2026:notice:{symbol}"),
                    title: format!(
                        "{symbol} {}",
                        d.title_zh.as_deref().or(d.title_en.as_deref()).unwrap_or_default()
                    ),
                    summary: d
                        .description_zh
                        .as_deref()
                        .or(d.description_en.as_deref())
                        .or(d.products_text.as_deref())
                        .unwrap_or_default()
                        .to_string(),
                    category: "new".into(),
                    link: query_link(&format!(
                        "{{notice(symbol:\"{symbol}\"){{symbols titleZh titleEn distributionDate commentDeadline hsCodes}}}}"
                    )),
                    recorded: n.updated_at,
                });
            }
        }
        Q::Standards(q) => {
            let page = crate::catalog::standards::query::list(
                db,
                q,
                standard_store::SortField::IssueDate,
                &req(None, true, FEED_ENTRIES as u64),
            )
            .await?;
            for st in page.rows {
                let number = st.data.number.to_string();
                newest.push(Change {
                    at: day_time(st.data.issue_date.unwrap_or(standard_store::UNKNOWN_DATE)),
                    id: format!("tag:zhiliang,2026:standard:{number}"),
                    title: format!("{number} {}", st.data.title_zh.as_deref().unwrap_or_default()),
                    summary: match st.data.implementation_date {
                        Some(d) => format!("{number} 发布，{d} 实施"),
                        None => format!("{number} 发布"),
                    },
                    category: "issued".into(),
                    link: query_link(&format!(
                        "{{standard(number:\"{number}\"){{standard{{number titleZh status issueDate implementationDate}}}}}}"
                    )),
                    recorded: st.updated_at,
                });
            }
        }
        Q::Enterprises(q) => {
            // Every enterprise of the filter, page by page; the newest written win.
            let mut cursor: Cursor = None;
            loop {
                let page = enterprise_store::list_enterprises(db, q, &req(cursor.clone(), false, 1_000)).await?;
                let Some(last) = page.rows.last() else { break };
                cursor = Some(Position {
                    key: last.credit_code.clone().into(),
                    id: last.id,
                });
                let ids: Vec<i32> = page.rows.iter().map(|e| e.id).collect();
                let times = enterprise::Entity::find()
                    .filter(enterprise::Column::Id.is_in(ids))
                    .all(db)
                    .await
                    .map_err(anyhow::Error::from)?;
                for e in &page.rows {
                    let Some(t) = times.iter().find(|m| m.id == e.id) else {
                        continue;
                    };
                    let name = e.name.clone().unwrap_or_default();
                    let added = t.created_at == t.updated_at;
                    newest.push(Change {
                        at: t.updated_at,
                        id: format!(
                            "tag:zhiliang,2026:enterprise:{}:{}",
                            e.credit_code,
                            t.updated_at.timestamp()
                        ),
                        title: format!("{}：{name}", if added { "新增企业" } else { "企业信息更新" }),
                        summary: format!("{name}（{}）", e.credit_code),
                        category: if added { "new" } else { "updated" }.into(),
                        link: query_link(&format!(
                            "{{enterprise(creditCode:\"{}\"){{creditCode name region{{code}} industry}}}}",
                            e.credit_code
                        )),
                        recorded: t.updated_at,
                    });
                }
                if !page.has_next {
                    break;
                }
            }
        }
        Q::Listings(_, None) => {}
        Q::Listings(kind, Some(q)) => {
            let mut cursor: Cursor = None;
            loop {
                let page = listing_store::list_listings(db, q, &req(cursor.clone(), true, 1_000)).await?;
                let Some(last) = page.rows.last() else { break };
                cursor = Some(Position {
                    key: last.id.into(),
                    id: last.id,
                });
                let ids: Vec<i32> = page.rows.iter().map(|l| l.id).collect();
                let times = listing::Entity::find()
                    .filter(listing::Column::Id.is_in(ids))
                    .all(db)
                    .await
                    .map_err(anyhow::Error::from)?;
                let mut eids: Vec<i32> = page.rows.iter().filter_map(|l| l.enterprise_id).collect();
                eids.sort_unstable();
                eids.dedup();
                let enterprises = enterprise_store::enterprises_by_ids(db, &eids).await?;
                for l in &page.rows {
                    let Some(t) = times.iter().find(|m| m.id == l.id) else {
                        continue;
                    };
                    let holder = l
                        .enterprise_id
                        .and_then(|id| enterprises.iter().find(|e| e.id == id))
                        .map(|e| e.name.clone().unwrap_or_else(|| e.credit_code.clone()))
                        .or_else(|| l.region_code.clone())
                        .unwrap_or_default();
                    for c in listing_changes(*kind, l, &holder, t.created_at, t.updated_at) {
                        newest.push(c);
                    }
                }
                if !page.has_next {
                    break;
                }
            }
        }
        Q::Zones { .. } => {
            let (zones, _) = zones_of(app, plan).await?;
            for z in &zones {
                let d = &z.data;
                let link = query_link(&format!(
                    "{{zone(code:\"{}\"){{code name level status history{{status date}}}}}}",
                    d.code
                ));
                for step in &d.history {
                    let phase = plan::zone_status_zh(step.status);
                    newest.push(Change {
                        at: day_time(step.date),
                        id: format!(
                            "tag:zhiliang,2026:zone:{}:{}:{}",
                            d.code,
                            step.status.as_str(),
                            step.date
                        ),
                        title: format!("{}：{phase}", d.name),
                        summary: step
                            .note
                            .clone()
                            .unwrap_or_else(|| format!("{} 进入{phase}阶段", d.name)),
                        category: step.status.as_str().to_string(),
                        link: link.clone(),
                        recorded: day_time(step.date),
                    });
                }
                let members = zone_store::memberships(db, Some(z.id), None).await?;
                let eids: Vec<i32> = members.iter().map(|m| m.enterprise_id).collect();
                let enterprises = enterprise_store::enterprises_by_ids(db, &eids).await?;
                for m in members {
                    let who = enterprises
                        .iter()
                        .find(|e| e.id == m.enterprise_id)
                        .map(|e| e.name.clone().unwrap_or_else(|| e.credit_code.clone()))
                        .unwrap_or_default();
                    if let Some(a) = m.admitted_on {
                        newest.push(Change {
                            at: day_time(a),
                            id: format!("tag:zhiliang,2026:zone-member:{}:admitted", m.id),
                            title: format!("{} 纳入 {}", who, d.name),
                            summary: format!("{a} {who} 纳入{}", d.name),
                            category: "admitted".into(),
                            link: link.clone(),
                            recorded: day_time(a),
                        });
                    }
                    if let Some(x) = m.exited_on {
                        newest.push(Change {
                            at: day_time(x),
                            id: format!("tag:zhiliang,2026:zone-member:{}:exited", m.id),
                            title: format!("{} 退出 {}", who, d.name),
                            summary: format!(
                                "{x} {who} 退出{}{}",
                                d.name,
                                m.exit_reason.as_deref().map(|r| format!("：{r}")).unwrap_or_default()
                            ),
                            category: "exited".into(),
                            link: link.clone(),
                            recorded: day_time(x),
                        });
                    }
                }
            }
        }
    }
    Ok(newest.into_sorted())
}

/// The zones of a zone plan (all of them: zones are few).
async fn zones_of(app: &AppContext, plan: &Plan) -> ApiResult<(Vec<zone_store::Zone>, NaiveDate)> {
    let Q::Zones { query, status, on } = &plan.query else {
        return Ok((Vec::new(), chrono::Utc::now().date_naive()));
    };
    let zones = zone_store::all_zones(&app.db, query)
        .await?
        .into_iter()
        .filter(|z| match status {
            None => true,
            Some(s) => z.data.status_on(*on).is_some_and(|st| s.contains(&st)),
        })
        .collect();
    Ok((zones, *on))
}

/// The changes of one credit entry, brand or title: listed or awarded (recorded), and removed or revoked.
fn listing_changes(
    kind: ListingKind,
    l: &listing_store::Listing,
    holder: &str,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
) -> Vec<Change> {
    let (type_name, fields, what) = match kind {
        ListingKind::Credit => (
            "CreditEntry",
            "list reason listedOn removedOn enterprise{creditCode name}",
            CreditList::parse(&l.scheme)
                .map(plan::credit_list_zh)
                .unwrap_or("信用名单"),
        ),
        ListingKind::Brand => (
            "Brand",
            "scheme name product awardedOn revokedOn enterprise{creditCode name}",
            BrandScheme::parse(&l.scheme)
                .map(plan::brand_scheme_zh)
                .unwrap_or("品牌"),
        ),
        ListingKind::Title => (
            "Title",
            "scheme name awardedOn revokedOn enterprise{creditCode name}",
            TitleScheme::parse(&l.scheme)
                .map(plan::title_scheme_zh)
                .unwrap_or("称号"),
        ),
    };
    let link = node_link(type_name, l.id, fields);
    let label = l.name.clone().or(l.reason.clone()).unwrap_or_default();
    let tag = ids::encode(type_name, l.id).0;
    let mut out = Vec::new();
    let (start_word, end_word) = match kind {
        ListingKind::Credit => ("列入", "移出"),
        _ => ("新增", "撤销"),
    };
    out.push(Change {
        // A credit entry is news on the day it was listed; a brand or title when it was recorded here.
        at: match kind {
            ListingKind::Credit => l.started_on.map(day_time).unwrap_or(created),
            _ => created,
        },
        id: format!("tag:zhiliang,2026:{tag}:start"),
        title: format!("{start_word}{what}：{holder}"),
        summary: [
            Some(format!("{holder} {start_word}{what}")),
            (!label.is_empty()).then(|| label.clone()),
            l.started_on.map(|d| format!("{d}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("；"),
        category: match kind {
            ListingKind::Credit => "listed",
            _ => "new",
        }
        .into(),
        link: link.clone(),
        recorded: updated,
    });
    if let Some(end) = l.ended_on {
        out.push(Change {
            at: day_time(end),
            id: format!("tag:zhiliang,2026:{tag}:end"),
            title: format!("{end_word}{what}：{holder}"),
            summary: [Some(format!("{end} {holder} {end_word}{what}")), l.end_reason.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("；"),
            category: match kind {
                ListingKind::Credit => "removed",
                _ => "revoked",
            }
            .into(),
            link,
            recorded: updated,
        });
    }
    out
}

fn atom(plan: &Plan, self_href: &str, changes: &[Change], latest: Option<DateTime<Utc>>) -> String {
    // A feed with no entries still needs an `updated`: the epoch says "nothing yet".
    let updated = latest.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str(&format!(
        "  <id>tag:zhiliang,2026:feed:{}?{}</id>\n",
        plan.listing.name(),
        escape(&plan.canonical)
    ));
    x.push_str(&format!(
        "  <title>{}{}</title>\n",
        plan.listing.zh(),
        if plan.canonical.is_empty() {
            String::new()
        } else {
            format!("（{}）", escape(&plan.canonical))
        }
    ));
    x.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    x.push_str("  <author><name>zhiliang</name></author>\n");
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(self_href)
    ));
    for c in changes {
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <id>{}</id>\n", escape(&c.id)));
        x.push_str(&format!("    <title>{}</title>\n", escape(&c.title)));
        x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(c.at)));
        x.push_str(&format!("    <published>{}</published>\n", rfc3339(c.at)));
        x.push_str(&format!("    <link rel=\"alternate\" href=\"{}\"/>\n", escape(&c.link)));
        x.push_str(&format!("    <category term=\"{}\"/>\n", escape(&c.category)));
        x.push_str(&format!("    <summary>{}</summary>\n", escape(&c.summary)));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}
