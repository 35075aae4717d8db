//! What the brand, title and credit widgets share: the `ListingFilter` of `brands`, `titles` and `creditEntries`
//! read from the URL and turned into the store query as those resolvers turn it, one keyset page read by
//! `store::list_listings` under the listing's own cursor name (a GraphQL cursor pages a widget and back), and
//! the enterprises of the page.

use std::collections::HashMap;

use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise};
use crate::catalog::listings::graphql::ListingFilter;
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::store::{self, Listing, ListingQuery};
use crate::graphql::connection::KeysetArgs;
use crate::http::HttpState;

use super::page::Pager;
use super::params::{Field, Params, Refusal};

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
        });
    };
    let page = store::list_listings(&s.app.db, &q, &req).await?;
    let ids: Vec<i32> = page.rows.iter().filter_map(|l| l.enterprise_id).collect();
    let enterprises = enterprise_store::enterprises_by_ids(&s.app.db, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
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
    })
}
