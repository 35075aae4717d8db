//! Policy documents (DOMAIN.md §7): document numbers in any bracket style, metadata read from published pages,
//! copies of one document recognised as one, and reward clauses kept as data and checked against an enterprise.

pub mod eligibility;
pub mod entity;
pub mod graphql;
pub mod model;
pub mod number;
pub mod rewards;
pub mod search;
pub mod store;
