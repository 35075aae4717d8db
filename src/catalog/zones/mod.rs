//! Demonstration zones (DOMAIN.md §6): zones with their history, memberships of enterprises, storage, GraphQL and
//! search. Zones and memberships are imported as JSON Lines records (`model.rs`); no sheet format exists for them.

pub mod entity;
pub mod graphql;
pub mod import;
pub mod model;
pub mod search;
pub mod store;
