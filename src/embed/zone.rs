//! The zone widget, `/embed/zone/{code}`: a demonstration zone's member enterprises on a day, as
//! `zone(code:) { members(asOf:, role:) { role enterprise { brands(asOf:) titles(asOf:) } } }` gives them (the
//! same store calls and the same "as of" rules), in membership order, paged by a cursor on the membership.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use crate::catalog::enterprises::store as enterprise_store;
use crate::catalog::listings::brand::{Brand, BrandScheme};
use crate::catalog::listings::model::{AwardStatus, ListingKind};
use crate::catalog::listings::store as listing_store;
use crate::catalog::listings::title::{Title, TitleScheme};
use crate::catalog::terms::covers;
use crate::catalog::zones::model::{ZoneKind, ZoneRole, ZoneStatus};
use crate::catalog::zones::store as zone_store;
use crate::error::Code;
use crate::graphql::connection::{decode_cursor, encode_cursor, page_size};
use crate::graphql::scalars::today_in_china;
use crate::http::HttpState;

use super::brands::level_name;
use super::page::{Column, DateStyle, Pager, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

const CURSOR: &str = "embed-zone-members";

pub async fn page(
    State(s): State<HttpState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    match super::start(q) {
        Err((look, r)) => super::page::refused(&look, &r, &s.app.settings.frame_ancestors),
        Ok((mut p, look)) => {
            let result = build(&s, &code, &mut p, &look).await;
            super::finish(&s, &headers, &look, result)
        }
    }
}

fn role_name(r: Option<ZoneRole>, lang: Lang) -> &'static str {
    match r {
        Some(ZoneRole::Lead) => lang.t("龙头企业", "Lead enterprise"),
        Some(ZoneRole::Member) => lang.t("示范企业", "Member enterprise"),
        None => "",
    }
}

fn phase_name(s: Option<ZoneStatus>, lang: Lang) -> &'static str {
    match s {
        Some(ZoneStatus::Cultivating) => lang.t("培育阶段", "cultivating"),
        Some(ZoneStatus::Applying) => lang.t("申报阶段", "applying"),
        Some(ZoneStatus::Accepted) => lang.t("已验收", "accepted"),
        Some(ZoneStatus::Revoked) => lang.t("已撤销", "revoked"),
        None => lang.t("尚未设立", "not yet set up"),
    }
}

async fn build(s: &HttpState, code: &str, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    let lang = look.lang;
    let as_of = p.date("asOf")?;
    let role: Option<ZoneRole> = p.arg("role", Field::Enum)?;
    let size = page_size(p.first()?, None)?.limit as usize;
    let after = p.one("after");
    p.finish()?;
    let after_id = match &after {
        None => None,
        Some(c) => Some(
            decode_cursor(c, CURSOR, 1)?[0]
                .parse::<i32>()
                .map_err(|_| crate::error::ApiError::user(Code::InvalidCursor, format!("cursor {c:?} is damaged")))?,
        ),
    };
    let db = &s.app.db;
    let Some(zone) = zone_store::zone_by_code(db, code.trim()).await? else {
        return Err(Refusal {
            status: 404,
            code: Code::NotFound,
            message: format!("{}{code:?}", lang.t("没有这个编号的示范区：", "No zone has the code ")),
        });
    };
    let day = as_of.unwrap_or_else(today_in_china);
    // As `Zone.members(asOf:, role:)`: memberships in force on the day, of the role asked for.
    let members: Vec<zone_store::Membership> = zone_store::memberships(db, Some(zone.id), None)
        .await?
        .into_iter()
        .filter(|m| covers(m.admitted_on, m.exited_on, day))
        .filter(|m| role.is_none_or(|r| m.role == r.as_str()))
        .collect();
    let start = match after_id {
        None => 0,
        Some(id) => members.iter().position(|m| m.id == id).map(|i| i + 1).ok_or_else(|| {
            crate::error::ApiError::user(
                Code::InvalidCursor,
                "the cursor names a member not listed on this day; start again without it",
            )
        })?,
    };
    let end = (start + size).min(members.len());
    let shown = &members[start..end];
    let ids: Vec<i32> = shown.iter().map(|m| m.enterprise_id).collect();
    let enterprises: std::collections::HashMap<i32, enterprise_store::Enterprise> =
        enterprise_store::enterprises_by_ids(db, &ids)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
    let mut rows = Vec::new();
    // The zone, its memberships, and the enterprises, brands and titles shown: the page's Last-Modified.
    let mut last_modified = zone_store::latest_change(db, zone.id)
        .await?
        .max(enterprise_store::latest_change(db, &ids).await?);
    for m in shown {
        let e = enterprises.get(&m.enterprise_id);
        // As `Enterprise.brands(asOf:)` and `titles(asOf:)`: those valid on the day.
        let brands: Vec<Brand> = listing_store::listings_of(db, m.enterprise_id, ListingKind::Brand)
            .await?
            .into_iter()
            .map(Brand)
            .filter(|b| b.status_on(day) == AwardStatus::Valid)
            .collect();
        let titles: Vec<Title> = listing_store::listings_of(db, m.enterprise_id, ListingKind::Title)
            .await?
            .into_iter()
            .map(Title)
            .filter(|t| t.status_on(day) == AwardStatus::Valid)
            .collect();
        let listing_ids: Vec<i32> = brands
            .iter()
            .map(|b| b.0.id)
            .chain(titles.iter().map(|t| t.0.id))
            .collect();
        last_modified = last_modified.max(listing_store::latest_change(db, &listing_ids).await?);
        rows.push(Row {
            ended: false,
            cells: vec![
                html! { (e.and_then(|e| e.name.as_deref()).unwrap_or("")) },
                html! { span.code { (e.map(|e| e.credit_code.as_str()).unwrap_or("")) } },
                html! { (role_name(ZoneRole::parse(&m.role), lang)) },
                html! {
                    @for (i, t) in titles.iter().enumerate() {
                        @if i > 0 { br; }
                        @let name = t.0.name.as_deref().unwrap_or("");
                        (name)
                        @if let Some(sc) = TitleScheme::parse(&t.0.scheme).map(|sc| super::titles::scheme_name(sc, lang)) {
                            @if !name.contains(sc) { "（" (sc) "）" }
                        }
                    }
                },
                html! {
                    @for (i, b) in brands.iter().enumerate() {
                        @if i > 0 { br; }
                        @let name = b.0.name.as_deref().unwrap_or("");
                        (name)
                        @if let Some(sc) = BrandScheme::parse(&b.0.scheme).map(|sc| super::brands::scheme_name(sc, lang)) {
                            @if !name.contains(sc) { "（" (sc) "）" }
                        }
                    }
                },
                date_cell(m.admitted_on, DateStyle::Chinese, lang),
            ],
        });
    }
    let kept = p.kept(&["after"]);
    let pager = Pager {
        first: after.is_some().then(|| super::link(&kept, &[])),
        previous: None,
        next: match shown.last() {
            Some(m) if end < members.len() => Some(super::link(
                &kept,
                &[("after", &encode_cursor(&[CURSOR, &m.id.to_string()]))],
            )),
            _ => None,
        },
    };
    let kind = match zone.data.kind {
        ZoneKind::Industrial => lang.t("工业产品", "industrial products"),
        ZoneKind::FoodAgricultural => lang.t("食品农产品", "food and agricultural products"),
    };
    let on = date(Some(day), DateStyle::Chinese, lang);
    let subtitle = match lang {
        Lang::Zh => format!(
            "{} · {} · {}：{} · 成员企业 {} 家",
            level_name(Some(zone.data.level), lang),
            kind,
            on,
            phase_name(zone.data.status_on(day), lang),
            members.len()
        ),
        Lang::En => format!(
            "{} · {} · on {}: {} · {} member enterprises",
            level_name(Some(zone.data.level), lang),
            kind,
            on,
            phase_name(zone.data.status_on(day), lang),
            members.len()
        ),
    };
    let caption = match lang {
        Lang::Zh => format!("{}成员企业（截至{}）", zone.data.name, on),
        Lang::En => format!("Members of {} on {}", zone.data.name, on),
    };
    let columns = [
        ("企业名称", "Enterprise"),
        ("统一社会信用代码", "Credit code"),
        ("角色", "Role"),
        ("称号", "Titles"),
        ("品牌", "Brands"),
        ("入选日期", "Admitted on"),
    ]
    .iter()
    .map(|(zh, en)| Column::plain(lang.t(zh, en)))
    .collect();
    Ok(View {
        title: zone.data.name.clone(),
        subtitle: Some(subtitle),
        tables: vec![Table {
            caption,
            columns,
            rows,
            empty: lang
                .t("这一天没有成员企业。", "No member enterprises on that day.")
                .to_string(),
        }],
        pager,
        last_modified,
    })
}
