//! Support shared by the benchmarks: the synthetic notice generator, the GraphQL client with its latency
//! measurement, scratch PostgreSQL databases, and the notice benchmark's report. Each bench target includes it with `mod support;`.

pub mod client;
pub mod generator;
pub mod outbox;
pub mod pg;
pub mod report;
