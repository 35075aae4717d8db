//! The catalogues zhiliang publishes, one folder per listing family.

pub mod codes;
pub mod counted;
pub mod declarations;
pub mod divisions;
pub mod encoding;
pub mod enterprises;
pub mod exports;
pub mod like;
pub mod listings;
pub mod notices;
pub mod paging;
pub mod policies;
pub mod recalls;
pub mod region;
pub mod standards;
pub mod table;
pub mod terms;
pub mod watches;
pub mod zones;

use crate::search::Family;

/// Declares a family's search side: `pub struct $name;` implementing `search::Family`, with its outbox kind, the
/// family's `INDEX`, its settings function, the document fields whose meaning is embedded, and its table (`entity` is the sea-orm module with `Id` and
/// `UpdatedAt` columns), followed by the `Family` methods that differ (`documents`, and `changing_between` when
/// dates change documents).
#[macro_export]
macro_rules! search_family {
    (
        $(#[$meta:meta])*
        pub struct $name:ident;
        kind: $kind:expr, settings: $settings:expr, meaning: $meaning:expr, entity: $($entity:ident)::+;
        $($methods:tt)*
    ) => {
        $(#[$meta])*
        pub struct $name;

        impl $crate::search::Family for $name {
            fn spec(&self) -> &$crate::search::family::Spec {
                static SPEC: $crate::search::family::Spec = $crate::search::family::Spec {
                    kind: $kind,
                    index: INDEX,
                    settings: $settings,
                    meaning: $meaning,
                    table: &$crate::catalog::paging::Table::<$($entity)::+::Entity> {
                        id: $($entity)::+::Column::Id,
                        updated_at: $($entity)::+::Column::UpdatedAt,
                    },
                };
                &SPEC
            }

            $($methods)*
        }
    };
}

/// Every family with a search index: the outbox worker, `reindex` and the index set-up iterate this list, in
/// this order. A new family adds its line here.
pub static FAMILIES: &[&dyn Family] = &[
    &notices::search::Notices,
    &standards::search::Standards,
    &enterprises::search::Enterprises,
    &policies::search::Policies,
    &listings::search::Listings,
    &zones::search::Zones,
    &declarations::search::Declarations,
    &recalls::search::Recalls,
];

/// The outbox kinds of `FAMILIES`, in order: what `crate::db::freshness` reads.
pub fn outbox_kinds() -> &'static [&'static str] {
    static KINDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| FAMILIES.iter().map(|f| f.kind()).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_family_has_its_own_outbox_kind_and_index() {
        let mut kinds: Vec<&str> = super::FAMILIES.iter().map(|f| f.kind()).collect();
        let mut indexes: Vec<&str> = super::FAMILIES.iter().map(|f| f.index()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        indexes.sort_unstable();
        indexes.dedup();
        assert_eq!(kinds.len(), super::FAMILIES.len(), "two families share an outbox kind");
        assert_eq!(indexes.len(), super::FAMILIES.len(), "two families share an index");
        for f in super::FAMILIES {
            assert!(!f.kind().is_empty() && !f.index().is_empty());
            assert!(
                f.index().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                f.index()
            );
        }
    }
}

/// Why a record could not be ended (`operate::write::end`).
#[derive(Debug, thiserror::Error)]
pub enum EndError {
    /// The ending contradicts the record (before it began, already ended earlier).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}
