//! Enterprises (DOMAIN.md §3), their credit entries (§4), brands and titles (§5), and demonstration zones (§6).

pub mod entity;
pub mod graphql;
pub mod import;
pub mod listing_search;
pub mod model;
pub mod search;
pub mod store;
pub mod uscc;
