//! `zhiliang reindex`: build a fresh index beside the live one, then swap it in, so search never goes empty.

use std::time::Duration;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use meilisearch_sdk::client::SwapIndexes;
use sea_orm::DatabaseConnection;

use super::outbox::send_catalogue;
use super::{Catalogue, Search, settings_of};
use crate::catalog::enterprises::entity::{enterprise, listing, zone};
use crate::catalog::notices::entity::notice;
use crate::catalog::paging;
use crate::catalog::policies::entity::policy;
use crate::catalog::standards::entity::standard;

const BATCH: u64 = 20_000;

/// Runs `$body` with `$E` bound to the catalogue's entity, `$id` to its id column and `$updated` to its
/// `updated_at` column.
macro_rules! per_table {
    ($c:expr, |$E:ident, $id:ident, $updated:ident| $body:expr) => {
        match $c {
            Catalogue::Notices => {
                type $E = notice::Entity;
                let ($id, $updated) = (notice::Column::Id, notice::Column::UpdatedAt);
                $body
            }
            Catalogue::Standards => {
                type $E = standard::Entity;
                let ($id, $updated) = (standard::Column::Id, standard::Column::UpdatedAt);
                $body
            }
            Catalogue::Enterprises => {
                type $E = enterprise::Entity;
                let ($id, $updated) = (enterprise::Column::Id, enterprise::Column::UpdatedAt);
                $body
            }
            Catalogue::Policies => {
                type $E = policy::Entity;
                let ($id, $updated) = (policy::Column::Id, policy::Column::UpdatedAt);
                $body
            }
            Catalogue::Listings => {
                type $E = listing::Entity;
                let ($id, $updated) = (listing::Column::Id, listing::Column::UpdatedAt);
                $body
            }
            Catalogue::Zones => {
                type $E = zone::Entity;
                let ($id, $updated) = (zone::Column::Id, zone::Column::UpdatedAt);
                $body
            }
        }
    };
}

async fn total(db: &DatabaseConnection, c: Catalogue) -> anyhow::Result<u64> {
    per_table!(c, |E, id, _updated| paging::total::<E, _>(db, id).await)
}

/// Ids in id order after `after`, at most `limit`.
async fn ids_after(db: &DatabaseConnection, c: Catalogue, after: i32, limit: u64) -> anyhow::Result<Vec<i32>> {
    per_table!(c, |E, id, _updated| paging::ids_after::<E, _>(db, id, after, limit)
        .await)
}

async fn updated_since(
    db: &DatabaseConnection,
    c: Catalogue,
    since: chrono::DateTime<Utc>,
) -> anyhow::Result<Vec<i32>> {
    per_table!(c, |E, id, updated| paging::ids_updated_since::<E, _>(
        db, id, updated, since
    )
    .await)
}

async fn resend_since(
    db: &DatabaseConnection,
    search: &Search,
    c: Catalogue,
    uid: &str,
    since: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let ids = updated_since(db, c, since).await?;
    for chunk in ids.chunks(BATCH as usize) {
        send_catalogue(db, search, c, uid, chunk).await?;
    }
    Ok(())
}

/// Rebuilds one catalogue's index from the database and swaps it in. Returns the number of documents.
pub async fn rebuild(
    db: &DatabaseConnection,
    search: &Search,
    c: Catalogue,
    show_progress: bool,
) -> anyhow::Result<u64> {
    let live = search.index_uid(c);
    let build = format!("{live}__rebuild");
    // Writes from this moment on are sent again before and after the swap.
    let started = Utc::now() - chrono::Duration::seconds(2);
    if search.timed("get index", search.client.get_index(&build)).await.is_ok() {
        let task = search.timed("delete index", search.client.delete_index(&build)).await?;
        search.wait(task, Duration::from_secs(120)).await?;
    }
    search.ensure_index(&build, &settings_of(c)).await?;
    let bar = if show_progress {
        ProgressBar::new(total(db, c).await?)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("indexing {}", c.name()));
    let mut last = 0;
    let mut count = 0u64;
    loop {
        let ids = ids_after(db, c, last, BATCH).await?;
        let Some(tail) = ids.last() else { break };
        last = *tail;
        send_catalogue(db, search, c, &build, &ids).await?;
        count += ids.len() as u64;
        bar.inc(ids.len() as u64);
    }
    bar.finish_and_clear();
    search.ensure_index(&live, &settings_of(c)).await?;
    resend_since(db, search, c, &build, started).await?;
    let swap = SwapIndexes {
        indexes: (live.clone(), build.clone()),
        rename: None,
    };
    let task = search
        .timed("swap indexes", search.client.swap_indexes([&swap]))
        .await?;
    search.wait(task, Duration::from_secs(120)).await?;
    // Tasks that were queued for the old index are not redirected by the swap: send those records again.
    resend_since(db, search, c, &live, started).await?;
    let task = search.timed("delete index", search.client.delete_index(&build)).await?;
    search.wait(task, Duration::from_secs(120)).await?;
    Ok(count)
}

/// Rebuilds the notice index.
pub async fn notices(db: &DatabaseConnection, search: &Search, show_progress: bool) -> anyhow::Result<u64> {
    rebuild(db, search, Catalogue::Notices, show_progress).await
}
