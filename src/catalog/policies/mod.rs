//! Policy documents (DOMAIN.md §7): document numbers in any bracket style, metadata read from published pages,
//! copies of one document recognised as one.

pub mod entity;
pub mod graphql;
pub mod model;
pub mod number;
pub mod search;
pub mod store;
