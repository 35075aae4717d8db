//! Credit entries (DOMAIN.md §4), brands and titles (§5): one `listing` table told apart by kind, shared paging,
//! filters, search and import, with a module per kind for its vocabulary and GraphQL object.

pub mod brand;
pub mod credit;
pub mod entity;
pub mod graphql;
pub mod import;
pub mod model;
pub mod search;
pub mod store;
pub mod title;
