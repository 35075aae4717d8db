//! zhiliang: China's quality-and-export public information (TBT/SPS notices, standards, enterprises) over GraphQL.

pub mod catalog;
pub mod config;
pub mod context;
pub mod db;
pub mod embed;
pub mod error;
pub mod exports_out;
pub mod follow;
pub mod graphql;
pub mod http;
pub mod import;
pub mod operate;
pub mod search;

/// The allocator of every program built on this library (the service, its tests and benches): see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::config::Settings;
use crate::context::AppContext;
use crate::search::Search;

/// A built application: bound to its port, not yet serving. One start-up path for `main` and the tests.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    port: u16,
    worker: Option<search::outbox::Worker>,
    follow: Option<follow::Worker>,
    jobs: Option<operate::jobs::Worker>,
    embedder: Option<search::meaning::worker::Worker>,
    shutdown_tx: watch::Sender<bool>,
    pub context: AppContext,
    pub wake_worker: Arc<Notify>,
}

impl Application {
    /// Connects to the database (which must be migrated) and Meilisearch, and binds the listen address.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let mut db = db::connect(&settings.database_url).await?;
        // Statements this process sends, for `/metrics` (set before the connection is shared).
        let queries = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = queries.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let pending = db::pending_migrations(&db).await?;
        if !pending.is_empty() {
            anyhow::bail!(
                "the database lacks {} migration(s) ({}); run `zhiliang migrate` first",
                pending.len(),
                pending.join(", ")
            );
        }
        let search = Search::new(&settings, catalog::FAMILIES)?;
        let warm = db::warm::Warm::new(&db, queries.clone());
        let context = AppContext {
            db: db.clone(),
            queries,
            search: search.clone(),
            settings: Arc::new(settings.clone()),
            watch_limiter: Arc::new(follow::limit::Limiter::per_hour(settings.watch_create_per_hour)),
            limits: Arc::new(operate::Limits::new(&settings)),
            jobs_wake: Arc::new(Notify::new()),
            freshness: db::shared_freshness(warm.clone()),
            warm,
        };
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        // Subscriptions: one poller per process, started by the first subscriber, stopped with the server.
        let live = graphql::subscriptions::Live::new(db.clone(), shutdown_rx.clone());
        let schema = graphql::build_schema(context.clone(), live);
        let shape = Arc::new(graphql::shape::SchemaShape::of(&schema).await);
        let router = http::router(
            http::HttpState {
                schema,
                app: context.clone(),
                assets_dir: settings.assets_dir.clone(),
                shape,
                max_body: settings.max_body_bytes,
                answers: Arc::new(http::answers::Answers::new(settings.response_cache_bytes)),
                metrics: Arc::default(),
            },
            settings.request_timeout,
        );
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let wake_worker = Arc::new(Notify::new());
        let follow = if settings.follow_worker {
            Some(follow::Worker {
                ctx: follow::FollowContext::new(db.clone(), Arc::new(settings.clone())),
                wake: Arc::new(Notify::new()),
                shutdown: shutdown_rx.clone(),
            })
        } else {
            None
        };
        let jobs = settings.import_worker.then(|| operate::jobs::Worker {
            db: db.clone(),
            wake: context.jobs_wake.clone(),
            shutdown: shutdown_rx.clone(),
        });
        // The embedding worker runs where the outbox worker does: it queues records for it.
        let embedder = match (&search.meaning, settings.search_worker) {
            (Some(m), true) => Some(search::meaning::worker::Worker {
                db: db.clone(),
                meaning: m.clone(),
                outbox: wake_worker.clone(),
                shutdown: shutdown_rx.clone(),
                families: catalog::FAMILIES,
            }),
            _ => None,
        };
        let worker = settings.search_worker.then(|| search::outbox::Worker {
            db,
            search,
            wake: wake_worker.clone(),
            shutdown: shutdown_rx,
        });
        Ok(Application {
            listener,
            router,
            port,
            worker,
            follow,
            jobs,
            embedder,
            shutdown_tx,
            context,
            wake_worker,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `signal` completes, then finishes open requests and stops the worker.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let worker = self.worker.map(|w| tokio::spawn(w.run()));
        let follow = self.follow.map(|w| tokio::spawn(w.run()));
        let jobs = self.jobs.map(|w| tokio::spawn(w.run()));
        let embedder = self.embedder.map(|w| tokio::spawn(w.run()));
        let tx = self.shutdown_tx;
        use axum::serve::ListenerExt;
        // No Nagle delay: a streamed answer (an export, a feed) otherwise waits for the client's delayed ACK
        // between its writes (about 40 ms, measured in benches/cache.rs).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await
        .context("serving HTTP")?;
        let _ = tx.send(true);
        if let Some(w) = worker {
            let _ = w.await;
        }
        if let Some(w) = follow {
            let _ = w.await;
        }
        if let Some(w) = jobs {
            let _ = w.await;
        }
        if let Some(w) = embedder {
            let _ = w.await;
        }
        Ok(())
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing open requests");
}
