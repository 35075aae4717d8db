//! What the brand, title and credit widgets share: the `ListingFilter` of `brands`, `titles` and `creditEntries`
//! read from the URL and turned into the store query as those resolvers turn it, one keyset page read by
//! `store::list_listings` under the listing's own cursor name (a GraphQL cursor pages a widget and back), and
//! the enterprises of the page; and the brand and title widgets, which differ only in their words and two cells.

use std::collections::HashMap;

use async_graphql::InputType;
use chrono::NaiveDate;
use maud::html;

use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise};
use crate::catalog::listings::graphql::ListingFilter;
use crate::catalog::listings::model::{AwardStatus, ListingKind};
use crate::catalog::listings::store::{self, Listing, ListingQuery};
use crate::catalog::terms::Level;
use crate::graphql::connection::KeysetArgs;
use crate::graphql::scalars::today_in_china;
use crate::http::HttpState;

use super::brands::{level_name, status_name};
use super::page::{Column, DateStyle, Pager, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

/// The fields of `ListingFilter`, named as in GraphQL.
pub const FILTER_FIELDS: &[(&str, Field)] = &[
    ("creditCode", Field::Text),
    ("region", Field::Text),
    ("levels", Field::EnumList),
    ("activeOn", Field::Date),
    ("from", Field::Date),
    ("to", Field::Date),
];

/// The store query of `kind`, made as the GraphQL listing makes it; `None` when the filter names an enterprise the
/// catalogue lacks (the listing is empty).
pub async fn query(
    s: &HttpState,
    kind: ListingKind,
    schemes: Vec<String>,
    f: ListingFilter,
) -> Result<Option<ListingQuery>, Refusal> {
    Ok(crate::catalog::listings::graphql::listing_query(&s.app.db, kind, schemes, f).await?)
}

/// One page of a listing, with the enterprises its rows name.
pub struct ListingPage {
    pub rows: Vec<Listing>,
    pub enterprises: HashMap<i32, Enterprise>,
    pub pager: Pager,
    /// The newest change of the rows and the enterprises they name.
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
}

/// Reads `first` and `after`, checks them as the GraphQL listing `listing` does, and reads the page.
pub async fn page(
    s: &HttpState,
    p: &mut Params,
    listing: &'static str,
    query: Option<ListingQuery>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ListingPage, Refusal> {
    let args = KeysetArgs {
        listing,
        sort: "i",
        descending: true,
        first,
        after: after.clone(),
        last: None,
        before: None,
    };
    let req = args.request(&|k| k.parse::<i32>().ok().map(Into::into))?;
    let Some(q) = query else {
        return Ok(ListingPage {
            rows: Vec::new(),
            enterprises: HashMap::new(),
            pager: Pager::default(),
            last_modified: None,
        });
    };
    let page = store::list_listings(&s.app.db, &q, &req).await?;
    let ids: Vec<i32> = page.rows.iter().filter_map(|l| l.enterprise_id).collect();
    let enterprises = enterprise_store::enterprises_by_ids(&s.app.db, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    // The page changed when one of its rows or of the enterprises it names did.
    let listing_ids: Vec<i32> = page.rows.iter().map(|l| l.id).collect();
    let last_modified = store::latest_change(&s.app.db, &listing_ids)
        .await?
        .max(enterprise_store::latest_change(&s.app.db, &ids).await?);
    let kept = p.kept(&["after"]);
    let pager = Pager {
        first: after.is_some().then(|| super::link(&kept, &[])),
        previous: None,
        next: match page.rows.last() {
            Some(l) if page.has_next => Some(super::link(&kept, &[("after", &args.cursor(&l.id.to_string(), l.id))])),
            _ => None,
        },
    };
    Ok(ListingPage {
        rows: page.rows,
        enterprises,
        pager,
        last_modified,
    })
}

/// What a brand or title widget has of its own: the listing, its words, and its schemes of type `S`.
pub struct Awards<S: 'static> {
    pub kind: ListingKind,
    /// The GraphQL listing, whose cursors page the widget.
    pub listing: &'static str,
    /// The column headers (Chinese, English); the third is `holder`'s, the fourth `detail`'s.
    pub columns: [(&'static str, &'static str); 9],
    /// The caption unless the widget shows one scheme, and the text of an empty table (Chinese, English).
    pub caption: (&'static str, &'static str),
    pub empty: (&'static str, &'static str),
    pub parse: fn(&str) -> Option<S>,
    pub as_str: fn(S) -> &'static str,
    pub scheme_name: fn(S, Lang) -> &'static str,
    /// A row's status on a day.
    pub status: fn(&Listing, NaiveDate) -> AwardStatus,
    /// Who holds a row's award (its enterprise, if the page has it), and the row's detail.
    pub holder: fn(&Listing, Option<&Enterprise>) -> String,
    pub detail: fn(&Listing) -> Option<&str>,
}

/// A brand or title widget: what `brands`/`titles(schemes:, filter:)` lists, with each row's status on `activeOn`
/// (default today), dates written 2026-11-29.
pub async fn awards<S: InputType + Copy>(
    a: &Awards<S>,
    s: &HttpState,
    p: &mut Params,
    look: &Look,
) -> Result<View, Refusal> {
    let lang = look.lang;
    let schemes: Option<Vec<S>> = p.arg("schemes", Field::EnumList)?;
    let filter: Option<ListingFilter> = p.input(FILTER_FIELDS)?;
    let first = p.first()?;
    let after = p.one("after");
    p.finish()?;
    let schemes = schemes.unwrap_or_default();
    let filter = filter.unwrap_or_default();
    let day = filter.active_on.map(|d| d.0).unwrap_or_else(today_in_china);
    let names = schemes.iter().map(|s| (a.as_str)(*s).to_string()).collect();
    let q = query(s, a.kind, names, filter).await?;
    let page = page(s, p, a.listing, q, first, after).await?;
    let d = |x| date_cell(x, DateStyle::Iso, lang);
    let rows = page
        .rows
        .iter()
        .map(|l| {
            let e = l.enterprise_id.and_then(|id| page.enterprises.get(&id));
            let scheme = (a.parse)(&l.scheme)
                .map(|s| (a.scheme_name)(s, lang))
                .unwrap_or(&l.scheme);
            let status = (a.status)(l, day);
            Row {
                ended: status != AwardStatus::Valid,
                cells: vec![
                    html! { (l.name.as_deref().unwrap_or("")) },
                    html! { (scheme) },
                    html! { ((a.holder)(l, e)) },
                    html! { ((a.detail)(l).unwrap_or("")) },
                    html! { (level_name(l.level.as_deref().and_then(Level::parse), lang)) },
                    html! { (l.authority.as_deref().unwrap_or("")) },
                    html! { (d(l.started_on)) },
                    html! { (d(l.valid_until)) },
                    html! { (status_name(status, lang)) },
                ],
            }
        })
        .collect();
    let columns = a.columns.iter().map(|(zh, en)| Column::plain(lang.t(zh, en))).collect();
    let caption = match schemes.as_slice() {
        [one] => (a.scheme_name)(*one, lang).to_string(),
        _ => lang.t(a.caption.0, a.caption.1).to_string(),
    };
    Ok(View {
        title: caption.clone(),
        subtitle: Some(format!(
            "{}{}",
            lang.t("状态截至 ", "Status as of "),
            date(Some(day), DateStyle::Iso, lang)
        )),
        tables: vec![Table {
            caption,
            columns,
            rows,
            empty: lang.t(a.empty.0, a.empty.1).to_string(),
        }],
        pager: page.pager,
        last_modified: page.last_modified,
    })
}
