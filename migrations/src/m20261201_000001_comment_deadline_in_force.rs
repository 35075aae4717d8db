//! The comment deadline in force: an addendum or corrigendum that changes the comment period of a notice
//! (reason `COMMENT_PERIOD_CHANGED`, with a new deadline) sets the deadline the notice answers. Adds
//! `notice.deadline_in_force` and `notice.deadline_set_by`, fills them for the notices already stored, and
//! queues the notices whose deadline changed for search.
//!
//! The rule is written out here as it stood when this migration landed (the application keeps its own copy in
//! `catalog::notices::model::deadline_in_force`): a migration must not change when the code does.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notice {
    Table,
    Id,
    CommentDeadline,
    DeadlineInForce,
    DeadlineSetBy,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Entity,
    EntityId,
    CreatedAt,
    Attempts,
}

/// One stored notice, as much of it as the rule needs.
struct Row {
    symbols: Vec<String>,
    bases: BTreeSet<String>,
    primary: String,
    distributed: String,
    changes_comment_period: bool,
}

/// A canonical symbol's order: the part before the suffixes, then the suffixes with their numbers as numbers.
fn symbol_key(symbol: &str) -> (String, Vec<(u8, u32)>) {
    let mut head = Vec::new();
    let mut suffixes = Vec::new();
    for part in symbol.split('/') {
        let suffix = ["Add.", "Rev.", "Corr.", "Suppl."]
            .iter()
            .enumerate()
            .find_map(|(rank, word)| {
                part.strip_prefix(word)
                    .and_then(|n| n.parse::<u32>().ok())
                    .map(|n| (rank as u8, n))
            });
        match suffix {
            Some(s) if !head.is_empty() => suffixes.push(s),
            _ => head.push(part),
        }
    }
    (head.join("/"), suffixes)
}

/// `follow_up` is `of` followed by `Add.`/`Corr.` suffixes only.
fn amends(follow_up: &str, of: &str) -> bool {
    follow_up
        .strip_prefix(of)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| rest.split('/').all(|p| p.starts_with("Add.") || p.starts_with("Corr.")))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table(Notice::Table)
                .add_column(date_null(Notice::DeadlineInForce))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Notice::Table)
                .add_column(integer_null(Notice::DeadlineSetBy))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::update()
                .table(Notice::Table)
                .value(Notice::DeadlineInForce, Expr::col(Notice::CommentDeadline))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_deadline_in_force")
                .table(Notice::Table)
                .col(Notice::DeadlineInForce)
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        let backend = db.get_database_backend();
        // Dates as ISO text (SQLite stores them so; PostgreSQL is asked for that form whatever its DateStyle).
        let distributed = match backend {
            DbBackend::Postgres => "to_char(n.distribution_date, 'YYYY-MM-DD')",
            _ => "CAST(n.distribution_date AS TEXT)",
        };
        let sql = format!(
            "SELECT n.id AS id, s.symbol AS symbol, s.base_symbol AS base, n.primary_symbol AS primary_symbol, \
             {distributed} AS distributed, \
             CASE WHEN n.comment_deadline IS NOT NULL AND n.addendum_reasons LIKE '%\"COMMENT_PERIOD_CHANGED\"%' \
             THEN 1 ELSE 0 END AS changes \
             FROM notice_symbol s JOIN notice n ON n.id = s.notice_id ORDER BY n.id, s.position"
        );
        let mut rows: BTreeMap<i32, Row> = BTreeMap::new();
        let mut chains: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
        for r in db.query_all_raw(Statement::from_string(backend, sql)).await? {
            let id: i32 = r.try_get("", "id")?;
            let symbol: String = r.try_get("", "symbol")?;
            let base: String = r.try_get("", "base")?;
            let changes: i32 = r.try_get("", "changes")?;
            let row = match rows.entry(id) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(Row {
                    symbols: Vec::new(),
                    bases: BTreeSet::new(),
                    primary: r.try_get("", "primary_symbol")?,
                    distributed: r.try_get("", "distributed")?,
                    changes_comment_period: changes == 1,
                }),
            };
            row.symbols.push(symbol);
            row.bases.insert(base.clone());
            chains.entry(base).or_default().insert(id);
        }
        let key = |id: i32, r: &Row| (r.distributed.clone(), symbol_key(&r.primary), id);

        // Each notice against the follow-ups of its chains that change its comment period: the newest decides.
        let mut set_by: Vec<(i32, i32)> = Vec::new();
        for (&id, notice) in &rows {
            let mut newest = None;
            let candidates: BTreeSet<i32> = notice.bases.iter().flat_map(|b| chains[b].iter().copied()).collect();
            for f in candidates {
                let follow_up = &rows[&f];
                let amends_notice = follow_up
                    .symbols
                    .iter()
                    .any(|s| notice.symbols.iter().any(|of| amends(s, of)));
                if f == id || !follow_up.changes_comment_period || !amends_notice {
                    continue;
                }
                let k = key(f, follow_up);
                if newest.as_ref().is_none_or(|(best, _)| &k > best) {
                    newest = Some((k, f));
                }
            }
            if let Some((k, f)) = newest
                && k > key(id, notice)
            {
                set_by.push((id, f));
            }
        }

        for (id, f) in set_by {
            m.exec_stmt(
                Query::update()
                    .table(Notice::Table)
                    .value(
                        Notice::DeadlineInForce,
                        SimpleExpr::SubQuery(
                            None,
                            Box::new(
                                Query::select()
                                    .column(Notice::CommentDeadline)
                                    .from(Notice::Table)
                                    .and_where(Expr::col(Notice::Id).eq(f))
                                    .to_owned()
                                    .into(),
                            ),
                        ),
                    )
                    .value(Notice::DeadlineSetBy, f)
                    .and_where(Expr::col(Notice::Id).eq(id))
                    .to_owned(),
            )
            .await?;
            m.exec_stmt(
                Query::insert()
                    .into_table(SearchOutbox::Table)
                    .columns([
                        SearchOutbox::Entity,
                        SearchOutbox::EntityId,
                        SearchOutbox::CreatedAt,
                        SearchOutbox::Attempts,
                    ])
                    .values_panic(["notice".into(), id.into(), Expr::current_timestamp(), 0.into()])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addenda_and_corrigenda_amend_revisions_do_not() {
        assert!(amends("G/TBT/N/CHN/2140/Add.1", "G/TBT/N/CHN/2140"));
        assert!(amends("G/TBT/N/CHN/2140/Add.1/Corr.1", "G/TBT/N/CHN/2140"));
        assert!(!amends("G/TBT/N/CHN/2140/Rev.1/Add.1", "G/TBT/N/CHN/2140"));
        assert!(!amends("G/TBT/N/CHN/21400/Add.1", "G/TBT/N/CHN/2140"));
        assert!(!amends("G/TBT/N/CHN/2140", "G/TBT/N/CHN/2140"));
        assert!(symbol_key("G/TBT/N/CHN/2140/Add.9") < symbol_key("G/TBT/N/CHN/2140/Add.10"));
        assert!(symbol_key("G/TBT/N/CHN/2140") < symbol_key("G/TBT/N/CHN/2140/Add.1"));
    }
}
