//! Watches (issue 11): saved notice filters, managed by a secret token of which only the SHA-256 is stored, each
//! with an Atom feed. No search index.

pub mod entity;
pub mod graphql;
pub mod model;
pub mod store;
