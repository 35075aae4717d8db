//! Integration tests: the real application against SQLite, PostgreSQL and Meilisearch.

mod common;
mod enterprises;
mod http;
mod import;
mod notices;
mod outbox;
mod policies;
mod relevance;
mod search;
mod standards;
mod unified;
