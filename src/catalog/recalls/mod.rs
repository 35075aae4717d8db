//! Foreign recalls, border rejections and returned exports of Chinese-made products (国外通报召回, 出口退运): the
//! record and its vocabularies (`model.rs`), the public formats it is read from (`import.rs`: the EU Safety Gate
//! export, the U.S. CPSC recalls JSON, customs returned-goods sheets), storage with the matching of named companies
//! to enterprises (`store.rs`), GraphQL and search.

pub mod entity;
pub mod graphql;
pub mod import;
pub mod model;
pub mod search;
pub mod store;
