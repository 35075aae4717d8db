//! Enterprises (DOMAIN.md §3): the enterprise and its credit code, storage, GraphQL, search and import. What is
//! listed about them is in `listings/` (credit entries, brands and titles, §4-§5) and `zones/` (§6).

pub mod entity;
pub mod graphql;
pub mod import;
pub mod model;
pub mod search;
pub mod store;
pub mod uscc;
