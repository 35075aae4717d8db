//! One read shared by the requests that wait for it at the same time, without ever handing a request a value read
//! before it arrived.
//!
//! Every anonymous query reads the data version before it runs (`crate::db::freshness`): the version keys the
//! answer cache, and whether the search outbox is empty decides where search hits come from. The read must begin
//! after the request arrived, or a write committed just before the request could be missed. So a request that
//! finds no read under way starts one and takes its result; a request that finds one under way cannot use it (it
//! may have begun before the request arrived) and waits for the next, which begins as soon as the current one ends
//! and answers everyone who arrived in the meantime. Alone, a request waits for no one; under load there is one
//! statement per database round trip instead of one per request, and the pool is spared as many acquisitions.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Read<T> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = T> + Send>> + Send + Sync>;

/// Reads of `T` shared as described in the module's documentation. `T` carries its own errors (a `Result`); a
/// read abandoned midway (its task gone) hands the waiters `abandoned()`.
pub struct Shared<T: Clone + Send + 'static> {
    read: Read<T>,
    abandoned: fn() -> T,
    state: Mutex<State<T>>,
    /// Reads begun.
    pub reads: AtomicU64,
    /// Values handed out (one a caller).
    pub served: AtomicU64,
}

struct State<T> {
    /// A read is under way (begun by a caller or by the task that serves the waiters).
    reading: bool,
    /// Callers that arrived while a read was under way: the next read is theirs.
    next: Vec<oneshot::Sender<T>>,
}

impl<T: Clone + Send + 'static> Shared<T> {
    pub fn new<F, Fut>(read: F, abandoned: fn() -> T) -> Arc<Shared<T>>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        Arc::new(Shared {
            read: Box::new(move || Box::pin(read())),
            abandoned,
            state: Mutex::new(State {
                reading: false,
                next: Vec::new(),
            }),
            reads: AtomicU64::new(0),
            served: AtomicU64::new(0),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A value read after this call began.
    pub async fn get(self: &Arc<Self>) -> T {
        let waiting = {
            let mut state = self.state();
            self.served.fetch_add(1, Ordering::Relaxed);
            if state.reading {
                let (tx, rx) = oneshot::channel();
                state.next.push(tx);
                Some(rx)
            } else {
                state.reading = true;
                None
            }
        };
        match waiting {
            Some(rx) => rx.await.unwrap_or_else(|_| (self.abandoned)()),
            None => {
                // This caller reads for itself; whoever arrives meanwhile is served after it, by a task (so that
                // this caller does not wait for their read), also when this caller is dropped midway.
                let handoff = Handoff(Some(self.clone()));
                self.reads.fetch_add(1, Ordering::Relaxed);
                let value = (self.read)().await;
                drop(handoff);
                value
            }
        }
    }

    /// Serves the waiters, one read for all who arrived before it began, until none is left.
    async fn serve(self: Arc<Self>) {
        let mut handoff = Handoff(Some(self.clone()));
        loop {
            let batch = {
                let mut state = self.state();
                if state.next.is_empty() {
                    state.reading = false;
                    handoff.0 = None;
                    return;
                }
                std::mem::take(&mut state.next)
            };
            self.reads.fetch_add(1, Ordering::Relaxed);
            let value = (self.read)().await;
            for tx in batch {
                let _ = tx.send(value.clone());
            }
        }
    }
}

/// Ends a read: if callers wait, a task serves them (the read stays under way); otherwise no read is under way.
/// Runs when the read completes and when its future is dropped midway, so waiters are never left behind.
struct Handoff<T: Clone + Send + 'static>(Option<Arc<Shared<T>>>);

impl<T: Clone + Send + 'static> Drop for Handoff<T> {
    fn drop(&mut self) {
        let Some(shared) = self.0.take() else { return };
        let mut state = shared.state();
        if state.next.is_empty() {
            state.reading = false;
            return;
        }
        drop(state);
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(shared.serve());
            }
            Err(_) => {
                // No runtime to read on (shutting down): the waiters get `abandoned()`.
                let mut state = shared.state();
                state.next.clear();
                state.reading = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    /// The invariant: a value handed to a caller was read after the caller arrived. "Writes" advance a counter
    /// before each call, as a committed write comes before the request that must see it; a read takes the
    /// counter's value when it begins and then dawdles, so later callers pile up behind it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_value_is_never_older_than_its_caller() {
        let written = Arc::new(AtomicU64::new(0));
        let w = written.clone();
        let shared = Shared::new(
            move || {
                let seen = w.load(Ordering::SeqCst);
                async move {
                    tokio::time::sleep(Duration::from_micros(200 + seen % 7 * 100)).await;
                    Some(seen)
                }
            },
            || None,
        );
        let mut tasks = Vec::new();
        for _ in 0..400 {
            let (shared, written) = (shared.clone(), written.clone());
            tasks.push(tokio::spawn(async move {
                let mut stale = 0;
                for _ in 0..5 {
                    let before = written.fetch_add(1, Ordering::SeqCst) + 1;
                    let got = shared.get().await.expect("no read is abandoned here");
                    if got < before {
                        stale += 1;
                    }
                }
                stale
            }));
        }
        let mut stale = 0;
        for t in tasks {
            stale += t.await.unwrap();
        }
        assert_eq!(stale, 0, "a caller was handed a value read before it arrived");
        let (reads, served) = (
            shared.reads.load(Ordering::SeqCst),
            shared.served.load(Ordering::SeqCst),
        );
        assert_eq!(served, 2000);
        assert!(
            reads < served / 4,
            "{reads} reads for {served} callers: the reads were not shared"
        );
    }

    /// Reads that count themselves (the value is the read's number) and each wait for a permit of the gate; with
    /// `stall_first`, the first read never ends.
    #[allow(clippy::type_complexity)]
    fn gated(stall_first: bool) -> (Arc<Shared<Option<u64>>>, Arc<tokio::sync::Semaphore>, Arc<AtomicU64>) {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let begun = Arc::new(AtomicU64::new(0));
        let (g, b) = (gate.clone(), begun.clone());
        let shared = Shared::new(
            move || {
                let n = b.fetch_add(1, Ordering::SeqCst) + 1;
                let g = g.clone();
                async move {
                    if stall_first && n == 1 {
                        std::future::pending::<()>().await;
                    }
                    g.acquire().await.unwrap().forget();
                    Some(n)
                }
            },
            || None,
        );
        (shared, gate, begun)
    }

    /// A read under way serves only its own caller; everyone who arrived during it gets the next read, one for
    /// all of them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_during_a_read_share_the_next() {
        let (shared, gate, begun) = gated(false);
        let first = tokio::spawn({
            let s = shared.clone();
            async move { s.get().await }
        });
        while begun.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let later: Vec<_> = (0..10)
            .map(|_| {
                let s = shared.clone();
                tokio::spawn(async move { s.get().await })
            })
            .collect();
        while shared.served.load(Ordering::SeqCst) < 11 {
            tokio::task::yield_now().await;
        }
        gate.add_permits(2);
        assert_eq!(first.await.unwrap(), Some(1));
        for t in later {
            assert_eq!(
                t.await.unwrap(),
                Some(2),
                "a caller that arrived during read 1 must get read 2"
            );
        }
        assert_eq!(begun.load(Ordering::SeqCst), 2);
    }

    /// A caller dropped in the middle of its read (a client that went away) leaves no one waiting forever.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_reader_hands_over_its_waiters() {
        // The first read never finishes: its caller is dropped.
        let (shared, gate, begun) = gated(true);
        let first = tokio::spawn({
            let s = shared.clone();
            async move { s.get().await }
        });
        while begun.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let waiter = tokio::spawn({
            let s = shared.clone();
            async move { s.get().await }
        });
        while shared.served.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        first.abort();
        assert!(first.await.unwrap_err().is_cancelled());
        gate.add_permits(1);
        let got = tokio::time::timeout(Duration::from_secs(10), waiter).await;
        assert_eq!(got.expect("the waiter was left behind").unwrap(), Some(2));
        // And the next caller reads at once.
        gate.add_permits(1);
        assert_eq!(shared.get().await, Some(3));
    }
}
