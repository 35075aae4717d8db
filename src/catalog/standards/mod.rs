//! Standards catalogue (DOMAIN.md §2): numbers of every level, editions, replacement, status by date.

pub mod number;
