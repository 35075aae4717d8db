//! Export profiles (issue 11): an enterprise's export products with their HS codes and markets, imported as JSON
//! Lines or from a Chinese-header sheet, shown on `Enterprise`, and `Notice.affected`: the enterprises, zones and
//! regions a notice concerns. No search index.

pub mod entity;
pub mod graphql;
pub mod import;
pub mod model;
pub mod store;
