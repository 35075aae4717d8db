//! Self-declared enterprise standards (企业产品和服务标准自我声明公开, seed 003): an enterprise declares in public that
//! its products or services follow a standard (its own `Q/...` standard, or a group, industry or national one it
//! adopts), with the key indicators it commits to. Linked to the enterprise by credit code and to the standards
//! catalogue by canonical number; searchable; imported from JSON Lines and from the platform's Chinese sheets.

pub mod entity;
pub mod graphql;
pub mod import;
pub mod model;
pub mod search;
pub mod store;
