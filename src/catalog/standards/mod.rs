//! Standards catalogue (DOMAIN.md §2): numbers of every level, editions, replacement, status by date.

pub mod entity;
pub mod filter;
pub mod graphql;
pub mod import;
pub mod model;
pub mod number;
pub mod query;
pub mod search;
pub mod store;
