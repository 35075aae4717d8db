//! The standards widget, `/embed/standards`: what `standards(filter:, orderBy:)` lists (by ICS code, technical
//! committee, drafting organisation, level, ...), in the columns of the national standards platform (标准号,
//! 标准名称, 状态, 发布日期, 实施日期), status on `statusOn` (default today). Sortable by number or issue date.

use maud::html;

use crate::catalog::notices::graphql::OrderDirection;
use crate::catalog::standards::graphql::{StandardFilter, StandardOrderField};
use crate::catalog::standards::model::{Standard, StandardStatus};
use crate::catalog::standards::query;
use crate::catalog::standards::store::{SortField, UNKNOWN_DATE};
use crate::graphql::connection::KeysetArgs;
use crate::graphql::scalars::today_in_china;
use crate::http::HttpState;

use super::page::{Column, DateStyle, Pager, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

super::widget_handler!(build);

/// The fields of `StandardFilter`, named as in GraphQL.
const FILTER_FIELDS: &[(&str, Field)] = &[
    ("levels", Field::EnumList),
    ("natures", Field::EnumList),
    ("status", Field::EnumList),
    ("statusOn", Field::Date),
    ("industryCodes", Field::TextList),
    ("region", Field::Text),
    ("groupOrganizations", Field::TextList),
    ("icsCodes", Field::TextList),
    ("ccsCodes", Field::TextList),
    ("committee", Field::Text),
    ("draftedBy", Field::Text),
    ("draftedAsLead", Field::Bool),
    ("issuedFrom", Field::Date),
    ("issuedTo", Field::Date),
    ("implementedFrom", Field::Date),
    ("implementedTo", Field::Date),
    ("family", Field::Text),
];

fn status_name(s: StandardStatus, lang: Lang) -> &'static str {
    match s {
        StandardStatus::Current => lang.t("现行", "In force"),
        StandardStatus::Upcoming => lang.t("即将实施", "Upcoming"),
        StandardStatus::Withdrawn => lang.t("废止", "Withdrawn"),
        StandardStatus::Replaced => lang.t("被代替", "Replaced"),
    }
}

fn cursor_key(s: &Standard, f: SortField) -> String {
    match f {
        SortField::IssueDate => s.data.issue_date.unwrap_or(UNKNOWN_DATE).to_string(),
        SortField::Number => s.data.number.edition(),
    }
}

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    let lang = look.lang;
    let filter: Option<StandardFilter> = p.input(FILTER_FIELDS)?;
    let sort: Option<StandardOrderField> = p.arg("sort", Field::Enum)?;
    let direction: Option<OrderDirection> = p.arg("direction", Field::Enum)?;
    let first = p.first()?;
    let after = p.one("after");
    let before = p.one("before");
    p.finish()?;
    let q = filter.unwrap_or_default().to_query()?;
    let sort = sort.unwrap_or_default();
    let descending = direction.unwrap_or_default() == OrderDirection::Desc;
    let field = match sort {
        StandardOrderField::IssueDate => SortField::IssueDate,
        StandardOrderField::Number => SortField::Number,
    };
    let (first, last) = if before.is_some() {
        (None, first.or(Some(20)))
    } else {
        (first, None)
    };
    let args = KeysetArgs {
        listing: "standards",
        sort: match field {
            SortField::IssueDate => "d",
            SortField::Number => "n",
        },
        descending,
        first,
        after: after.clone(),
        last,
        before: before.clone(),
    };
    let req = args.request(&|k| match field {
        SortField::IssueDate => k.parse::<chrono::NaiveDate>().ok().map(Into::into),
        SortField::Number => Some(k.to_string().into()),
    })?;
    let page = query::list(&s.app.db, &q, field, &req).await?;
    let day = q.status_on.unwrap_or_else(today_in_china);
    let d = |x| date_cell(x, DateStyle::Iso, lang);
    let rows = page
        .rows
        .iter()
        .map(|st| {
            let status = st.status_on(day);
            let title = match lang {
                Lang::Zh => st.data.title_zh.as_deref().or(st.data.title_en.as_deref()),
                Lang::En => st.data.title_en.as_deref().or(st.data.title_zh.as_deref()),
            }
            .unwrap_or("");
            Row {
                ended: matches!(status, StandardStatus::Withdrawn | StandardStatus::Replaced),
                cells: vec![
                    html! { span.code { (st.data.number.edition()) } },
                    html! { (title) },
                    html! { (status_name(status, lang)) },
                    html! { (d(st.data.issue_date)) },
                    html! { (d(st.data.implementation_date)) },
                    html! { span.code { (st.data.ics_codes.join(" ")) } },
                    html! { (st.data.committee_name.as_deref().or(st.data.committee.as_deref()).unwrap_or("")) },
                ],
            }
        })
        .collect();
    let kept = p.kept(&["after", "before"]);
    let paged = after.is_some() || before.is_some();
    let pager = Pager {
        first: paged.then(|| super::link(&kept, &[])),
        previous: match page.rows.first() {
            Some(st) if page.has_previous => Some(super::link(
                &kept,
                &[("before", &args.cursor(&cursor_key(st, field), st.id))],
            )),
            _ => None,
        },
        next: match page.rows.last() {
            Some(st) if page.has_next => Some(super::link(
                &kept,
                &[("after", &args.cursor(&cursor_key(st, field), st.id))],
            )),
            _ => None,
        },
    };
    let sorted = |f: StandardOrderField, label: &str| -> Column {
        let current = (f == sort).then_some(descending);
        let dir = match current {
            Some(true) => "ASC",
            Some(false) => "DESC",
            None if f == StandardOrderField::Number => "ASC",
            None => "DESC",
        };
        let name = match f {
            StandardOrderField::IssueDate => "ISSUE_DATE",
            StandardOrderField::Number => "NUMBER",
        };
        let keep = p.kept(&["after", "before", "sort", "direction"]);
        Column {
            label: label.to_string(),
            wide: false,
            sort: Some((super::link(&keep, &[("sort", name), ("direction", dir)]), current)),
        }
    };
    let columns = vec![
        sorted(StandardOrderField::Number, lang.t("标准号", "Number")),
        Column::wide(lang.t("标准名称", "Title")),
        Column::plain(lang.t("状态", "Status")),
        sorted(StandardOrderField::IssueDate, lang.t("发布日期", "Issued")),
        Column::plain(lang.t("实施日期", "In force from")),
        Column::plain(lang.t("ICS分类", "ICS")),
        Column::plain(lang.t("归口单位", "Committee")),
    ];
    Ok(View {
        title: lang.t("标准目录", "Standards").to_string(),
        subtitle: Some(format!(
            "{}{}",
            lang.t("状态截至 ", "Status on "),
            date(Some(day), DateStyle::Iso, lang)
        )),
        tables: vec![Table {
            caption: lang.t("标准目录", "Standards").to_string(),
            columns,
            rows,
            empty: lang.t("没有符合条件的标准。", "No standards match.").to_string(),
        }],
        pager,
        last_modified: page.rows.iter().map(|st| st.updated_at).max(),
    })
}
