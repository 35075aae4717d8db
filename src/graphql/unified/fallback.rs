//! The database fallback when Meilisearch is unreachable: records whose headline or code contains the query.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::SearchType;
use crate::context::AppContext;

pub(super) const DEGRADED: &str =
    "search is degraded: Meilisearch is unreachable, so these are simple text matches from the database";

/// Ids of the rows of `E` that meet `cond`, at most `limit`.
async fn ids_where<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    id: E::Column,
    cond: sea_orm::Condition,
    limit: u64,
) -> Result<Vec<i32>, sea_orm::DbErr> {
    E::find()
        .select_only()
        .column(id)
        .filter(cond)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// The database's answer when Meilisearch is away: records whose headline (or code) contains the query.
pub(super) async fn fallback(
    app: &AppContext,
    query: &str,
    types: &[SearchType],
    limit: u64,
) -> anyhow::Result<Vec<(SearchType, i32)>> {
    use crate::catalog::declarations::entity::declaration;
    use crate::catalog::enterprises::entity::enterprise;
    use crate::catalog::like;
    use crate::catalog::listings::entity::listing;
    use crate::catalog::notices::entity::notice;
    use crate::catalog::policies::entity::policy;
    use crate::catalog::standards::entity::standard;
    use crate::catalog::zones::entity::zone;
    use sea_orm::Condition;
    let q = crate::catalog::codes::to_simplified(query.trim());
    let q = q.as_str();
    let db = &app.db;
    let mut out = Vec::new();
    for &t in types {
        let ids = match t {
            SearchType::Notice => {
                use notice::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::TitleZh, q))
                    .add(like::contains(C::TitleEn, q))
                    .add(like::contains(C::PrimarySymbol, q));
                ids_where::<notice::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Standard => {
                use standard::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::TitleZh, q))
                    .add(like::contains(C::Number, q));
                ids_where::<standard::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Enterprise => {
                use enterprise::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::Name, q))
                    .add(like::contains(C::CreditCode, q));
                ids_where::<enterprise::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Zone => {
                use zone::Column as C;
                ids_where::<zone::Entity>(db, C::Id, Condition::all().add(like::contains(C::Name, q)), limit).await?
            }
            SearchType::Policy => {
                use policy::Column as C;
                ids_where::<policy::Entity>(db, C::Id, Condition::all().add(like::contains(C::Title, q)), limit).await?
            }
            SearchType::Declaration => {
                use declaration::Column as C;
                let cond = Condition::any()
                    .add(like::contains(C::ProductsText, q))
                    .add(like::contains(C::StandardName, q))
                    .add(like::contains(C::StandardNumber, q));
                ids_where::<declaration::Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Recall => {
                use crate::catalog::recalls::entity::recall::{Column as C, Entity};
                let cond = Condition::any()
                    .add(like::contains(C::Name, q))
                    .add(like::contains(C::Reference, q));
                ids_where::<Entity>(db, C::Id, cond, limit).await?
            }
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => {
                use listing::Column as C;
                let kind = t.listing_kind().expect("a listing type").as_str();
                let cond = Condition::all().add(C::Kind.eq(kind)).add(
                    Condition::any()
                        .add(like::contains(C::Name, q))
                        .add(like::contains(C::Reason, q)),
                );
                ids_where::<listing::Entity>(db, C::Id, cond, limit).await?
            }
        };
        out.extend(ids.into_iter().map(|id| (t, id)));
    }
    Ok(out)
}
