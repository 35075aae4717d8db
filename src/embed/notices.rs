//! The notice widget, `/embed/notices`: what `notices(filter:, orderBy:)` lists (for HS codes, members, ...),
//! with the notices still open for comment today first in a table of their own (the same filter plus
//! `openForCommentOn: today`), on the first page. Sortable by symbol or distribution date, as the listing is.

use maud::{Markup, html};

use crate::catalog::notices::graphql::{NoticeFilter, NoticeOrderField, OrderDirection};
use crate::catalog::notices::members;
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store::{self, NoticeQuery, SortField};
use crate::graphql::connection::KeysetArgs;
use crate::graphql::scalars::today_in_china;
use crate::http::HttpState;

use super::page::{Column, DateStyle, Pager, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

super::widget_handler!(build);

/// The fields of `NoticeFilter`, named as in GraphQL.
const FILTER_FIELDS: &[(&str, Field)] = &[
    ("area", Field::Enum),
    ("kinds", Field::EnumList),
    ("members", Field::TextList),
    ("hsCodes", Field::TextList),
    ("icsCodes", Field::TextList),
    ("distributedFrom", Field::Date),
    ("distributedTo", Field::Date),
    ("openForCommentOn", Field::Date),
    ("objectives", Field::EnumList),
    ("baseSymbol", Field::Text),
];

fn cursor_key(n: &Notice, f: SortField) -> String {
    match f {
        SortField::DistributionDate => n.data.distribution_date.to_string(),
        SortField::Symbol => n.data.primary_symbol().to_string(),
    }
}

fn row(n: &Notice, lang: Lang, today: chrono::NaiveDate) -> Row {
    let m = members::member(&n.data.member);
    let member = match lang {
        Lang::Zh => m.name_zh.or(m.name_en).unwrap_or(m.code),
        Lang::En => m.name_en.or(m.name_zh).unwrap_or(m.code),
    };
    let title = match lang {
        Lang::Zh => n.data.title_zh.as_deref().or(n.data.title_en.as_deref()),
        Lang::En => n.data.title_en.as_deref().or(n.data.title_zh.as_deref()),
    }
    .or(n.data.title_original.as_deref())
    .unwrap_or("");
    let deadline: Markup = match (n.deadline_in_force, &n.data.comment_deadline_text) {
        (Some(x), _) => date_cell(Some(x), DateStyle::Iso, lang),
        (None, Some(t)) => html! { (t) },
        (None, None) => html! {},
    };
    Row {
        ended: n.deadline_in_force.is_some_and(|x| x < today),
        cells: vec![
            html! { span.code { (n.data.primary_symbol().to_string()) } },
            html! { (member) },
            html! { (title) },
            html! { span.code { (n.data.hs_codes.join(" ")) } },
            date_cell(Some(n.data.distribution_date), DateStyle::Iso, lang),
            deadline,
        ],
    }
}

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    let lang = look.lang;
    let filter: Option<NoticeFilter> = p.input(FILTER_FIELDS)?;
    let sort: Option<NoticeOrderField> = p.arg("sort", Field::Enum)?;
    let direction: Option<OrderDirection> = p.arg("direction", Field::Enum)?;
    let first = p.first()?;
    let after = p.one("after");
    let before = p.one("before");
    p.finish()?;
    let query = filter.unwrap_or_default().to_query()?;
    let sort = sort.unwrap_or_default();
    let descending = direction.unwrap_or_default() == OrderDirection::Desc;
    let field = match sort {
        NoticeOrderField::DistributionDate => SortField::DistributionDate,
        NoticeOrderField::Symbol => SortField::Symbol,
    };
    let sort_code = |f: SortField| match f {
        SortField::DistributionDate => "d",
        SortField::Symbol => "s",
    };
    let (first, last) = if before.is_some() {
        (None, first.or(Some(20)))
    } else {
        (first, None)
    };
    let args = KeysetArgs {
        listing: "notices",
        sort: sort_code(field),
        descending,
        first,
        after: after.clone(),
        last,
        before: before.clone(),
    };
    let parse_key = |k: &str| match field {
        SortField::DistributionDate => k.parse::<chrono::NaiveDate>().ok().map(Into::into),
        SortField::Symbol => Some(k.to_string().into()),
    };
    let req = args.request(&parse_key)?;
    let db = &s.app.db;
    let page = store::list(db, &query, field, &req).await?;
    let today = today_in_china();

    // Open for comment first: on the first page, when the filter does not already ask for a day.
    let mut open: Vec<Notice> = Vec::new();
    if after.is_none() && before.is_none() && query.open_for_comment_on.is_none() {
        let q = NoticeQuery {
            open_for_comment_on: Some(today),
            ..query.clone()
        };
        let open_args = KeysetArgs {
            first: Some(100),
            after: None,
            last: None,
            before: None,
            ..args
        };
        open = store::list(db, &q, field, &open_args.request(&parse_key)?).await?.rows;
    }

    let kept = p.kept(&["after", "before"]);
    let paged = after.is_some() || before.is_some();
    let pager = Pager {
        first: paged.then(|| super::link(&kept, &[])),
        previous: match page.rows.first() {
            Some(n) if page.has_previous => Some(super::link(
                &kept,
                &[("before", &args.cursor(&cursor_key(n, field), n.id))],
            )),
            _ => None,
        },
        next: match page.rows.last() {
            Some(n) if page.has_next => Some(super::link(
                &kept,
                &[("after", &args.cursor(&cursor_key(n, field), n.id))],
            )),
            _ => None,
        },
    };
    let sorted_link = |f: NoticeOrderField, label: &str| -> Column {
        let current = (f == sort).then_some(descending);
        let dir = match current {
            Some(true) => "ASC",
            Some(false) => "DESC",
            None if f == NoticeOrderField::Symbol => "ASC",
            None => "DESC",
        };
        let name = match f {
            NoticeOrderField::DistributionDate => "DISTRIBUTION_DATE",
            NoticeOrderField::Symbol => "SYMBOL",
        };
        let keep = p.kept(&["after", "before", "sort", "direction"]);
        Column {
            label: label.to_string(),
            wide: false,
            sort: Some((super::link(&keep, &[("sort", name), ("direction", dir)]), current)),
        }
    };
    let columns = || -> Vec<Column> {
        vec![
            sorted_link(NoticeOrderField::Symbol, lang.t("通报号", "Symbol")),
            Column::plain(lang.t("通报成员", "Member")),
            Column::wide(lang.t("标题", "Title")),
            Column::plain(lang.t("HS编码", "HS codes")),
            sorted_link(NoticeOrderField::DistributionDate, lang.t("分发日期", "Distributed")),
            Column::plain(lang.t("评议截止日期", "Comments until")),
        ]
    };
    let last_modified = open.iter().chain(page.rows.iter()).map(|n| n.updated_at).max();
    let mut tables = Vec::new();
    if !open.is_empty() {
        tables.push(Table {
            caption: format!(
                "{}{}{}",
                lang.t("正在征求意见的通报（", "Open for comment ("),
                date(Some(today), DateStyle::Iso, lang),
                lang.t("）", ")")
            ),
            columns: columns(),
            rows: open.iter().map(|n| row(n, lang, today)).collect(),
            empty: String::new(),
        });
    }
    tables.push(Table {
        caption: lang.t("技术性贸易措施通报", "TBT/SPS notifications").to_string(),
        columns: columns(),
        rows: page.rows.iter().map(|n| row(n, lang, today)).collect(),
        empty: lang.t("没有符合条件的通报。", "No notices match.").to_string(),
    });
    Ok(View {
        title: lang.t("WTO/TBT-SPS 通报", "WTO TBT/SPS notifications").to_string(),
        subtitle: Some(
            lang.t(
                "评议截止日期为现行的截止日期（含补遗修改的）",
                "Comment deadlines are those in force (addenda included)",
            )
            .to_string(),
        ),
        tables,
        pager,
        last_modified,
    })
}
