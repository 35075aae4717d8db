//! Relay paging shared by every listing: page-size rules, opaque cursors, `PageInfo`.

use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::catalog::paging::{PageRequest, Position};
use crate::error::{ApiError, ApiResult, Code};

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

/// Relay `PageInfo`.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// Which end of the window a page is read from, and how many rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub limit: u64,
    pub from_end: bool,
}

/// The complexity of a connection: its page size times the cost of one item. The page size counts at most
/// `MAX_PAGE` (and at least 1), so that a page size out of range reaches the resolver and is refused there with
/// `PAGE_SIZE_INVALID`, instead of passing for a too complex query.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.map_or(DEFAULT_PAGE, |n| (n.max(1) as u64).min(MAX_PAGE));
    size as usize * child_complexity.max(1)
}

/// `first`/`last`: at most one of them, 0..=100, default 20 from the start. Larger values are an error, not a clamp.
pub fn page_size(first: Option<i32>, last: Option<i32>) -> ApiResult<PageSize> {
    let check = |name: &str, v: i32| -> ApiResult<u64> {
        if v < 0 || v as u64 > MAX_PAGE {
            Err(ApiError::user(
                Code::PageSizeInvalid,
                format!("`{name}` must be between 0 and {MAX_PAGE}, got {v}"),
            ))
        } else {
            Ok(v as u64)
        }
    };
    match (first, last) {
        (Some(_), Some(_)) => Err(ApiError::user(
            Code::PageSizeInvalid,
            "give `first` or `last`, not both",
        )),
        (Some(f), None) => Ok(PageSize {
            limit: check("first", f)?,
            from_end: false,
        }),
        (None, Some(l)) => Ok(PageSize {
            limit: check("last", l)?,
            from_end: true,
        }),
        (None, None) => Ok(PageSize {
            limit: DEFAULT_PAGE,
            from_end: false,
        }),
    }
}

/// Encodes the parts of a cursor, `|`-separated, as opaque text. The first part names the listing.
pub fn encode_cursor(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("|"))
}

/// Decodes a cursor made by `encode_cursor` for `listing`, with `n` parts after the listing name.
pub fn decode_cursor(cursor: &str, listing: &str, n: usize) -> ApiResult<Vec<String>> {
    let bad = || {
        ApiError::user(
            Code::InvalidCursor,
            format!("cursor {cursor:?} does not belong to this listing"),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let parts: Vec<String> = text.split('|').map(str::to_string).collect();
    if parts.len() != n + 1 || parts[0] != listing {
        return Err(bad());
    }
    Ok(parts[1..].to_vec())
}

/// A keyset cursor: the listing, the sort and direction it belongs to, the sort value and the row id.
pub fn keyset_cursor(listing: &str, sort: &str, desc: bool, key: &str, id: i32) -> String {
    encode_cursor(&[listing, sort, if desc { "desc" } else { "asc" }, key, &id.to_string()])
}

/// Reads a keyset cursor made for this listing, sort and direction; `parse_key` turns the sort value back.
pub fn parse_keyset_cursor(
    cursor: &str,
    listing: &str,
    sort: &str,
    desc: bool,
    parse_key: &dyn Fn(&str) -> Option<sea_orm::Value>,
) -> ApiResult<Position> {
    let parts = decode_cursor(cursor, listing, 4)?;
    if parts[0] != sort || parts[1] != if desc { "desc" } else { "asc" } {
        return Err(ApiError::user(
            Code::InvalidCursor,
            "the cursor was made for another order; start again without it",
        ));
    }
    let bad = || ApiError::user(Code::InvalidCursor, format!("cursor {cursor:?} is damaged"));
    Ok(Position {
        key: parse_key(&parts[2]).ok_or_else(bad)?,
        id: parts[3].parse().map_err(|_| bad())?,
    })
}

/// The Relay arguments of a keyset listing, checked and turned into a store request.
pub struct KeysetArgs<'a> {
    pub listing: &'a str,
    pub sort: &'a str,
    pub descending: bool,
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl KeysetArgs<'_> {
    pub fn request(&self, parse_key: &dyn Fn(&str) -> Option<sea_orm::Value>) -> ApiResult<PageRequest> {
        let size = page_size(self.first, self.last)?;
        let read = |c: &Option<String>| {
            c.as_deref()
                .map(|c| parse_keyset_cursor(c, self.listing, self.sort, self.descending, parse_key))
                .transpose()
        };
        Ok(PageRequest {
            descending: self.descending,
            after: read(&self.after)?,
            before: read(&self.before)?,
            limit: size.limit,
            from_end: size.from_end,
            other_side: true,
        })
    }

    /// The page request of a GraphQL field: as `request`, but whether rows lie beyond the starting cursor is
    /// found out only when the query reads it (`pageInfo { hasPreviousPage }` after `after`, `hasNextPage`
    /// before `before`).
    pub fn request_for(
        &self,
        ctx: &async_graphql::Context<'_>,
        parse_key: &dyn Fn(&str) -> Option<sea_orm::Value>,
    ) -> ApiResult<PageRequest> {
        let mut req = self.request(parse_key)?;
        let info = ctx.look_ahead().field("pageInfo");
        req.other_side = if req.from_end {
            info.field("hasNextPage").exists()
        } else {
            info.field("hasPreviousPage").exists()
        };
        Ok(req)
    }

    pub fn cursor(&self, key: &str, id: i32) -> String {
        keyset_cursor(self.listing, self.sort, self.descending, key, id)
    }
}

impl PageInfo {
    pub fn from_cursors(cursors: &[String], has_next: bool, has_previous: bool) -> PageInfo {
        PageInfo {
            has_next_page: has_next,
            has_previous_page: has_previous,
            start_cursor: cursors.first().cloned(),
            end_cursor: cursors.last().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes() {
        assert_eq!(
            page_size(None, None).unwrap(),
            PageSize {
                limit: 20,
                from_end: false
            }
        );
        assert_eq!(page_size(Some(100), None).unwrap().limit, 100);
        assert_eq!(
            page_size(None, Some(5)).unwrap(),
            PageSize {
                limit: 5,
                from_end: true
            }
        );
        assert_eq!(page_size(Some(101), None).unwrap_err().code(), Code::PageSizeInvalid);
        assert_eq!(page_size(Some(-1), None).unwrap_err().code(), Code::PageSizeInvalid);
        assert_eq!(page_size(Some(1), Some(1)).unwrap_err().code(), Code::PageSizeInvalid);
    }

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let c = encode_cursor(&["notices", "d", "2024-01-01", "7"]);
        assert_eq!(decode_cursor(&c, "notices", 3).unwrap(), vec!["d", "2024-01-01", "7"]);
        assert_eq!(
            decode_cursor(&c, "standards", 3).unwrap_err().code(),
            Code::InvalidCursor
        );
        assert_eq!(
            decode_cursor("%%%", "notices", 3).unwrap_err().code(),
            Code::InvalidCursor
        );
    }
}
