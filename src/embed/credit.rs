//! The credit-list widget, `/embed/credit`: what `creditEntries(lists:, filter:)` lists, in the columns of the
//! public lists (列入原因, 列入日期, 作出决定机关; once removed, 移出原因, 移出日期 and the removing authority filled
//! in, the row kept, as 国家企业信用信息公示系统 shows it), dates written 2026年11月29日.

use maud::html;

use crate::catalog::listings::credit::CreditList;
use crate::catalog::listings::graphql::ListingFilter;
use crate::catalog::listings::model::ListingKind;
use crate::http::HttpState;

use super::listings::{self, FILTER_FIELDS};
use super::page::{Column, DateStyle, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

super::widget_handler!(build);

pub fn list_name(l: CreditList, lang: Lang) -> &'static str {
    match l {
        CreditList::AbnormalOperations => lang.t("经营异常名录", "Abnormal operations list"),
        CreditList::SeriousDishonest => lang.t("严重违法失信名单", "Serious illegal and dishonest list"),
        CreditList::AdministrativePenalty => lang.t("行政处罚", "Administrative penalties"),
        CreditList::CreditGrade => lang.t("质量信用等级", "Quality credit grades"),
        CreditList::RedList => lang.t("守信激励（红名单）", "Red list"),
    }
}

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    let lang = look.lang;
    let lists: Option<Vec<CreditList>> = p.arg("lists", Field::EnumList)?;
    let filter: Option<ListingFilter> = p.input(FILTER_FIELDS)?;
    let first = p.first()?;
    let after = p.one("after");
    p.finish()?;
    let lists = lists.unwrap_or_default();
    let filter = filter.unwrap_or_default();
    let active_on = filter.active_on.map(|d| d.0);
    let schemes = lists.iter().map(|l| l.as_str().to_string()).collect();
    let q = listings::query(s, ListingKind::Credit, schemes, filter).await?;
    let page = listings::page(s, p, "credit-entries", q, first, after).await?;
    let d = |x| date_cell(x, DateStyle::Chinese, lang);
    let rows = page
        .rows
        .iter()
        .map(|l| {
            let e = l.enterprise_id.and_then(|id| page.enterprises.get(&id));
            let list = CreditList::parse(&l.scheme)
                .map(|c| list_name(c, lang))
                .unwrap_or(&l.scheme);
            Row {
                ended: l.ended_on.is_some(),
                cells: vec![
                    html! { (e.and_then(|e| e.name.as_deref()).unwrap_or("")) },
                    html! { span.code { (e.map(|e| e.credit_code.as_str()).unwrap_or("")) } },
                    html! { (list) @if let Some(g) = &l.details.grade { "（" (g) "）" } },
                    html! { (l.reason.as_deref().unwrap_or("")) },
                    html! { (d(l.started_on)) },
                    html! {
                        (l.authority.as_deref().unwrap_or(""))
                        @if let Some(n) = &l.document_number { span.note { (n) } }
                    },
                    html! { (l.end_reason.as_deref().unwrap_or("")) },
                    html! { (d(l.ended_on)) },
                    html! { (l.end_authority.as_deref().unwrap_or("")) },
                ],
            }
        })
        .collect();
    let columns = [
        ("企业名称", "Enterprise"),
        ("统一社会信用代码", "Credit code"),
        ("名单", "List"),
        ("列入原因", "Reason listed"),
        ("列入日期", "Listed on"),
        ("作出决定机关（列入）", "Listing authority"),
        ("移出原因", "Reason removed"),
        ("移出日期", "Removed on"),
        ("作出决定机关（移出）", "Removing authority"),
    ]
    .iter()
    .map(|(zh, en)| {
        if zh.contains("原因") {
            Column::wide(lang.t(zh, en))
        } else {
            Column::plain(lang.t(zh, en))
        }
    })
    .collect();
    let caption = match lists.as_slice() {
        [one] => list_name(*one, lang).to_string(),
        _ => lang.t("信用名单", "Credit lists").to_string(),
    };
    let subtitle = match active_on {
        Some(day) => format!(
            "{}{}",
            lang.t("在列于 ", "Listed on "),
            date(Some(day), DateStyle::Chinese, lang)
        ),
        None => lang
            .t(
                "含已移出的记录：移出原因、移出日期和作出决定机关见右侧各栏",
                "Removed entries stay, with the reason, date and authority of their removal",
            )
            .to_string(),
    };
    Ok(View {
        title: caption.clone(),
        subtitle: Some(subtitle),
        tables: vec![Table {
            caption,
            columns,
            rows,
            empty: lang.t("没有符合条件的记录。", "No entries match.").to_string(),
        }],
        pager: page.pager,
        last_modified: page.last_modified,
    })
}
