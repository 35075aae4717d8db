//! Database migrations of zhiliang: forward-only, one file per change, never edited once landed.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_notices;
mod m20261122_000002_standards;
mod m20261122_000003_enterprises;
mod m20261122_000004_divisions;
mod m20261201_000001_comment_deadline_in_force;
mod m20261202_000001_export_products;
mod m20261203_000001_watches;
mod m20261204_000001_follow;
mod m20261205_000001_delivery_order;
mod m20261206_000001_operate;
mod m20261207_000001_meaning;
mod m20261207_000005_outbox_lease;
mod m20261208_000010_data_version;
mod m20261209_000001_recalls;
mod m20261209_000002_declarations;
mod m20261209_000003_policy_rewards;
mod m20261210_000001_outbox_by_entity;
mod m20261211_000001_audit_lz4;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_notices::Migration),
            Box::new(m20261122_000002_standards::Migration),
            Box::new(m20261122_000003_enterprises::Migration),
            Box::new(m20261122_000004_divisions::Migration),
            Box::new(m20261201_000001_comment_deadline_in_force::Migration),
            Box::new(m20261202_000001_export_products::Migration),
            Box::new(m20261203_000001_watches::Migration),
            Box::new(m20261204_000001_follow::Migration),
            Box::new(m20261205_000001_delivery_order::Migration),
            Box::new(m20261206_000001_operate::Migration),
            Box::new(m20261207_000001_meaning::Migration),
            Box::new(m20261207_000005_outbox_lease::Migration),
            Box::new(m20261208_000010_data_version::Migration),
            Box::new(m20261209_000001_recalls::Migration),
            Box::new(m20261209_000002_declarations::Migration),
            Box::new(m20261209_000003_policy_rewards::Migration),
            Box::new(m20261210_000001_outbox_by_entity::Migration),
            Box::new(m20261211_000001_audit_lz4::Migration),
        ]
    }
}
