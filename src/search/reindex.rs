//! `zhiliang reindex`: build a fresh index beside the live one, then swap it in, so search never goes empty.

use std::time::Duration;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use meilisearch_sdk::client::SwapIndexes;
use sea_orm::DatabaseConnection;

use super::{Catalogue, Search};
use crate::catalog::notices::{search::NoticeDoc, search::index_settings, store};

const BATCH: u64 = 20_000;

async fn send(search: &Search, uid: &str, notices: &[crate::catalog::notices::model::Notice]) -> anyhow::Result<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let docs: Vec<NoticeDoc> = notices.iter().map(NoticeDoc::from_notice).collect();
    let index = search.client.index(uid);
    let task = search
        .timed("add documents", index.add_or_replace(&docs, Some("id")))
        .await?;
    search.wait(task, Duration::from_secs(600)).await
}

async fn resend_since(
    db: &DatabaseConnection,
    search: &Search,
    uid: &str,
    since: chrono::DateTime<Utc>,
) -> anyhow::Result<usize> {
    let ids = store::ids_updated_since(db, since).await?;
    for chunk in ids.chunks(BATCH as usize) {
        let notices = store::by_ids(db, chunk).await?;
        send(search, uid, &notices).await?;
    }
    Ok(ids.len())
}

/// Rebuilds the notice index from the database and swaps it in. Returns the number of documents.
pub async fn notices(db: &DatabaseConnection, search: &Search, show_progress: bool) -> anyhow::Result<u64> {
    let live = search.index_uid(Catalogue::Notices);
    let build = format!("{live}__rebuild");
    // Writes from this moment on are sent again before and after the swap.
    let started = Utc::now() - chrono::Duration::seconds(2);
    if search.timed("get index", search.client.get_index(&build)).await.is_ok() {
        let task = search.timed("delete index", search.client.delete_index(&build)).await?;
        search.wait(task, Duration::from_secs(120)).await?;
    }
    search.ensure_index(&build, &index_settings()).await?;
    let total = store::total(db).await?;
    let bar = if show_progress {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("indexing notices");
    let mut last = 0;
    let mut count = 0u64;
    loop {
        let batch = store::batch_after(db, last, BATCH).await?;
        let Some(tail) = batch.last() else { break };
        last = tail.id;
        send(search, &build, &batch).await?;
        count += batch.len() as u64;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    search.ensure_index(&live, &index_settings()).await?;
    resend_since(db, search, &build, started).await?;
    let swap = SwapIndexes {
        indexes: (live.clone(), build.clone()),
        rename: None,
    };
    let task = search
        .timed("swap indexes", search.client.swap_indexes([&swap]))
        .await?;
    search.wait(task, Duration::from_secs(120)).await?;
    // Tasks that were queued for the old index are not redirected by the swap: send those records again.
    resend_since(db, search, &live, started).await?;
    let task = search.timed("delete index", search.client.delete_index(&build)).await?;
    search.wait(task, Duration::from_secs(120)).await?;
    Ok(count)
}
