//! Literal `LIKE` matches: a value a user typed is text to find, never a pattern, on SQLite and PostgreSQL alike.
//!
//! Every `LIKE` built from outside input goes through here: `\`, `%` and `_` are escaped and the expression
//! says `ESCAPE '\'` (SQLite has no default escape character; PostgreSQL's default is the same backslash).
//! Case is treated as each backend treats `LIKE`: SQLite ignores the case of ASCII letters, PostgreSQL does not.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, LikeExpr};

/// The escape character of every pattern built here.
const ESCAPE: char = '\\';

/// `text` made literal inside a `LIKE` pattern: `\`, `%` and `_` each preceded by `\`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push(ESCAPE);
        }
        out.push(c);
    }
    out
}

// The one place a pattern meets a column (clippy.toml disallows `like`, `contains` and `starts_with` elsewhere).
#[allow(clippy::disallowed_methods)]
fn like(col: impl ColumnTrait, pattern: String) -> Expr {
    col.like(LikeExpr::new(pattern).escape(ESCAPE))
}

/// `col` contains `text` (`LIKE '%text%' ESCAPE '\'`).
pub fn contains(col: impl ColumnTrait, text: &str) -> Expr {
    like(col, format!("%{}%", escape(text)))
}

/// `col` starts with `text` (`LIKE 'text%' ESCAPE '\'`).
pub fn starts_with(col: impl ColumnTrait, text: &str) -> Expr {
    like(col, format!("{}%", escape(text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::policies::entity::policy;
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    #[test]
    fn wildcards_and_the_escape_character_are_escaped() {
        assert_eq!(escape("宁波"), "宁波");
        assert_eq!(escape("%"), "\\%");
        assert_eq!(escape("a_b"), "a\\_b");
        assert_eq!(escape("\\"), "\\\\");
        assert_eq!(escape("100%_\\x"), "100\\%\\_\\\\x");
    }

    #[test]
    fn both_backends_are_told_the_escape_character() {
        let sql = |b: DbBackend| {
            policy::Entity::find()
                .filter(contains(policy::Column::Title, "5%_"))
                .build(b)
                .to_string()
        };
        let sqlite = sql(DbBackend::Sqlite);
        assert!(sqlite.contains(r#""title" LIKE '%5\%\_%' ESCAPE '\'"#), "{sqlite}");
        let pg = sql(DbBackend::Postgres);
        assert!(pg.contains(r#""title" LIKE E'%5\\%\\_%' ESCAPE E'\\'"#), "{pg}");
    }
}
