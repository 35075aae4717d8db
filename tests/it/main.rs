//! Integration tests: the real application against SQLite, PostgreSQL and Meilisearch.

mod common;
mod contract;
mod deadlines;
mod embed;
mod encodings;
mod enterprises;
mod exports;
mod exports_out;
mod follow;
mod follow_all;
mod follow_email;
mod follow_live;
mod follow_webhook;
mod graphiql;
mod http;
mod import;
mod literal_filters;
mod notices;
mod outbox;
mod policies;
mod readme;
mod relevance;
mod search;
mod standards;
mod unified;
mod watches;
