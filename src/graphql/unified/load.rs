//! The records of the mixed list, loaded from the database with one query a kind.

use std::collections::HashMap;

use super::{Key, SearchItem, SearchType};
use crate::catalog::declarations::store as declaration_store;
use crate::catalog::enterprises::store as ent_store;
use crate::catalog::listings::brand::Brand;
use crate::catalog::listings::credit::CreditEntry;
use crate::catalog::listings::store as listing_store;
use crate::catalog::listings::title::Title;
use crate::catalog::notices::store as notice_store;
use crate::catalog::policies::store as policy_store;
use crate::catalog::standards::store as standard_store;
use crate::catalog::zones::store as zone_store;
use crate::context::AppContext;

/// Loads the records of hits from the database, one query a kind; records gone since indexing are missing.
pub(super) async fn load_many(app: &AppContext, keys: &[Key]) -> anyhow::Result<HashMap<Key, SearchItem>> {
    let db = &app.db;
    let mut by_type: HashMap<SearchType, Vec<i32>> = HashMap::new();
    for (t, id) in keys {
        by_type.entry(*t).or_default().push(*id);
    }
    let mut out = HashMap::new();
    for (t, ids) in by_type {
        let items = match t {
            SearchType::Notice => keyed(notice_store::by_ids(db, &ids).await?, |n| n.id, SearchItem::Notice),
            SearchType::Standard => keyed(standard_store::by_ids(db, &ids).await?, |s| s.id, SearchItem::Standard),
            SearchType::Enterprise => keyed(
                ent_store::enterprises_by_ids(db, &ids).await?,
                |e| e.id,
                SearchItem::Enterprise,
            ),
            SearchType::Zone => keyed(zone_store::zones_by_ids(db, &ids).await?, |z| z.id, SearchItem::Zone),
            SearchType::Policy => keyed(policy_store::by_ids(db, &ids).await?, |p| p.id, SearchItem::Policy),
            SearchType::Declaration => keyed(
                declaration_store::by_ids(db, &ids).await?,
                |d| d.id,
                SearchItem::Declaration,
            ),
            SearchType::Recall => keyed(
                crate::catalog::recalls::store::recalls_by_ids(db, &ids).await?,
                |r| r.id,
                SearchItem::Recall,
            ),
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => {
                let listings = listing_store::listings_by_ids(db, &ids).await?;
                keyed(
                    listings,
                    |l| l.id,
                    |l| match t {
                        SearchType::Brand => SearchItem::Brand(Brand(l)),
                        SearchType::Title => SearchItem::Title(Title(l)),
                        _ => SearchItem::CreditEntry(CreditEntry(l)),
                    },
                )
            }
        };
        out.extend(items.into_iter().map(|(id, item)| ((t, id), item)));
    }
    Ok(out)
}

/// Each record with its row id, made a `SearchItem`.
fn keyed<R>(records: Vec<R>, id: impl Fn(&R) -> i32, item: impl Fn(R) -> SearchItem) -> Vec<(i32, SearchItem)> {
    records.into_iter().map(|r| (id(&r), item(r))).collect()
}
