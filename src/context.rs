//! The request context every resolver reaches (the database and Meilisearch), and the per-request warnings
//! collector. It sits outside `graphql/` so that the catalogue families depend on it and on the shared GraphQL
//! helpers, and only the schema assembly (`graphql/mod.rs`) depends on the families.

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::search::Search;

/// What every resolver reaches: the database and Meilisearch.
#[derive(Clone)]
pub struct AppContext {
    pub db: DatabaseConnection,
    /// Statements sent to the database by this process (`/metrics`).
    pub queries: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub search: Search,
    pub settings: std::sync::Arc<crate::config::Settings>,
    /// How many watches each client address may still create.
    pub watch_limiter: std::sync::Arc<crate::follow::limit::Limiter>,
    /// Rate limits of writes, searches and refused keys.
    pub limits: std::sync::Arc<crate::operate::Limits>,
    /// Wakes the import-job worker when a file arrives.
    pub jobs_wake: std::sync::Arc<tokio::sync::Notify>,
    /// The data version and the search outbox's state, read once for all requests that ask at the same time.
    pub freshness: std::sync::Arc<crate::db::SharedFreshness>,
    /// Connections kept between reads (`crate::db::warm`): the data-version read and the notices' pages.
    pub warm: std::sync::Arc<crate::db::warm::Warm>,
}

/// The address of the client of a GraphQL request (the TCP peer), for rate limits. Not logged.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Warnings for the response's `extensions.warnings`: the HTTP handler puts one collector in each request's data
/// and copies what resolvers added into the response.
#[derive(Default)]
pub struct Warnings(std::sync::Mutex<Vec<String>>);

impl Warnings {
    /// The warnings added so far, in order, once each.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Adds a warning to the response's `extensions.warnings` (where the request carries a collector).
pub fn warn(ctx: &Context<'_>, warning: &str) {
    if let Some(w) = ctx.data_opt::<std::sync::Arc<Warnings>>() {
        let mut list = w.0.lock().unwrap_or_else(|p| p.into_inner());
        if !list.iter().any(|x| x == warning) {
            list.push(warning.to_string());
        }
    }
}
