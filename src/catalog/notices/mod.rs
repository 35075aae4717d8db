//! WTO TBT/SPS notices (DOMAIN.md §1): symbols, records, storage, search, GraphQL and import.

pub mod entity;
pub mod graphql;
pub mod import;
pub mod members;
pub mod model;
pub mod search;
pub mod store;
pub mod symbol;
