//! GraphQL types shared by every search: facets.

use async_graphql::SimpleObject;

use super::connection::{PageInfo, decode_cursor, encode_cursor, page_size};
use crate::error::{ApiError, ApiResult, Code};
use crate::search::MAX_TOTAL_HITS;

/// Offset and size of a search page from `first`/`after`; hits past the cap cannot be paged to.
pub fn search_window(listing: &str, first: Option<i32>, after: Option<String>) -> ApiResult<(usize, usize)> {
    let size = page_size(first, None)?.limit as usize;
    let offset = match after {
        None => 0,
        Some(c) => {
            decode_cursor(&c, listing, 1)?[0]
                .parse::<usize>()
                .map_err(|_| ApiError::user(Code::InvalidCursor, "damaged search cursor"))?
                + 1
        }
    };
    if offset + size > MAX_TOTAL_HITS {
        return Err(ApiError::bad_input(format!(
            "search results can be paged through the first {MAX_TOTAL_HITS} hits only; narrow the query"
        )));
    }
    Ok((offset, size))
}

/// The records of search hits in Meilisearch's order, each made into an edge with its cursor. Hits whose record
/// is gone from the database (deleted, not yet re-indexed) are skipped. `found` holds the records in any order.
pub fn edges_in_hit_order<T, E>(
    listing: &str,
    offset: usize,
    hits: &[crate::search::RawHit],
    mut found: Vec<T>,
    id_of: fn(&T) -> i32,
    mut edge: impl FnMut(String, T, &crate::search::RawHit) -> E,
) -> Vec<E> {
    let mut out = Vec::with_capacity(hits.len());
    for (i, hit) in hits.iter().enumerate() {
        if let Some(pos) = found.iter().position(|r| id_of(r) == hit.id) {
            let record = found.swap_remove(pos);
            out.push(edge(search_cursor(listing, offset + i), record, hit));
        }
    }
    out
}

/// The cursor of the hit at `position`.
pub fn search_cursor(listing: &str, position: usize) -> String {
    encode_cursor(&[listing, &position.to_string()])
}

pub fn search_page_info(cursors: &[String], offset: usize, size: usize, total: usize) -> PageInfo {
    PageInfo::from_cursors(cursors, offset + size < total, offset > 0)
}

/// One value of a facet and how many hits have it.
#[derive(SimpleObject, Debug, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: i32,
}

/// Counts of the hits by one attribute.
#[derive(SimpleObject, Debug, Clone)]
pub struct Facet {
    pub field: String,
    pub values: Vec<FacetValue>,
}

pub fn facets(raw: Vec<(String, Vec<(String, usize)>)>) -> Vec<Facet> {
    raw.into_iter()
        .map(|(field, values)| Facet {
            field,
            values: values
                .into_iter()
                .map(|(value, count)| FacetValue {
                    value,
                    count: count as i32,
                })
                .collect(),
        })
        .collect()
}

/// What a search request selected beyond its hits: `facets`, and `edges { highlights }`. Fragments and aliases
/// count; a field asked for under any name is computed.
pub fn wanted(ctx: &async_graphql::Context<'_>) -> crate::search::Wanted {
    let selection = ctx.look_ahead();
    crate::search::Wanted {
        facets: selection.field("facets").exists(),
        highlights: selection.field("edges").field("highlights").exists(),
    }
}
