//! `zhiliang reindex`: build a fresh index beside the live one, then swap it in, so search never goes empty.
//! Records changed meanwhile are queued in the outbox again; the outbox's sender (the lease holder) sends them.

use std::time::Duration;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use meilisearch_sdk::client::SwapIndexes;
use sea_orm::DatabaseConnection;

use super::outbox::send_family;
use super::{Family, Search};

const BATCH: u64 = 20_000;

async fn resend_since(
    db: &DatabaseConnection,
    search: &Search,
    f: &dyn Family,
    uid: &str,
    since: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let ids = f.table().updated_since(db, since).await?;
    for chunk in ids.chunks(BATCH as usize) {
        send_family(db, search, f, uid, chunk).await?;
    }
    Ok(())
}

async fn requeue_since(db: &DatabaseConnection, f: &dyn Family, since: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let ids = f.table().updated_since(db, since).await?;
    for chunk in ids.chunks(1_000) {
        let txn = crate::db::begin_write(db).await?;
        for id in chunk {
            super::outbox::enqueue(&txn, f.kind(), *id).await?;
        }
        crate::db::commit(txn).await?;
    }
    Ok(())
}

/// Rebuilds one family's index from the database and swaps it in. Returns the number of documents.
pub async fn rebuild(
    db: &DatabaseConnection,
    search: &Search,
    f: &dyn Family,
    show_progress: bool,
) -> anyhow::Result<u64> {
    let live = search.index_uid(f.index());
    let build = format!("{live}__rebuild");
    // Writes from this moment on are sent again before and after the swap.
    let started = Utc::now() - chrono::Duration::seconds(2);
    if search.timed("get index", search.client.get_index(&build)).await.is_ok() {
        let task = search.timed("delete index", search.client.delete_index(&build)).await?;
        search.wait(task, Duration::from_secs(120)).await?;
    }
    search.ensure_index(&build, &f.settings()).await?;
    let bar = if show_progress {
        ProgressBar::new(f.table().total(db).await?)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("indexing {}", f.index()));
    let mut last = 0;
    let mut count = 0u64;
    loop {
        let ids = f.table().after(db, last, BATCH).await?;
        let Some(tail) = ids.last() else { break };
        last = *tail;
        send_family(db, search, f, &build, &ids).await?;
        count += ids.len() as u64;
        bar.inc(ids.len() as u64);
    }
    bar.finish_and_clear();
    search.ensure_index(&live, &f.settings()).await?;
    resend_since(db, search, f, &build, started).await?;
    let swap = SwapIndexes {
        indexes: (live.clone(), build.clone()),
        rename: None,
    };
    let task = search
        .timed("swap indexes", search.client.swap_indexes([&swap]))
        .await?;
    search.wait(task, Duration::from_secs(120)).await?;
    // Tasks that were queued for the old index are not redirected by the swap: those records go through the
    // outbox again. Not sent from here: only the holder of the outbox lease sends to a live index, so a read made
    // here can never land after a newer one sent by a server's worker.
    requeue_since(db, f, started).await?;
    let task = search.timed("delete index", search.client.delete_index(&build)).await?;
    search.wait(task, Duration::from_secs(120)).await?;
    Ok(count)
}

/// Rebuilds every family's index, one after the other; returns the documents indexed per index name.
pub async fn rebuild_all(
    db: &DatabaseConnection,
    search: &Search,
    show_progress: bool,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let mut done = Vec::new();
    for f in search.families {
        done.push((f.index(), rebuild(db, search, *f, show_progress).await?));
    }
    Ok(done)
}
