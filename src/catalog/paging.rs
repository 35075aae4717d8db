//! Keyset paging shared by every listing: rows after/before a position on `(sort key, id)`, read from either end.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Value,
};

/// A position in a sorted listing: the sort value and the row id that breaks ties.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub key: Value,
    pub id: i32,
}

/// One page request in store terms.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub descending: bool,
    /// Rows strictly after this position (in listing order).
    pub after: Option<Position>,
    /// Rows strictly before this position (in listing order).
    pub before: Option<Position>,
    pub limit: u64,
    /// Take the last `limit` rows of the window instead of the first.
    pub from_end: bool,
    /// Whether to find out if rows lie on the other side of the cursor the page starts from (`hasPreviousPage`
    /// after `after`, `hasNextPage` before `before`): one more query, made only when the request reads it.
    pub other_side: bool,
}

#[derive(Debug)]
pub struct Page<M> {
    pub rows: Vec<M>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl<M> Page<M> {
    /// The same page with each row turned into a domain value.
    pub fn try_map<T, E>(self, f: impl FnMut(M) -> Result<T, E>) -> Result<Page<T>, E> {
        Ok(Page {
            rows: self.rows.into_iter().map(f).collect::<Result<_, _>>()?,
            has_next: self.has_next,
            has_previous: self.has_previous,
        })
    }
}

/// Rows that come after `p` in a listing sorted by `col` (descending or not), ties broken by `id`. Written as a
/// row-value comparison, `(col, id) < (key, id)`, which PostgreSQL and SQLite both answer from the
/// `(col, id)` index; the equivalent `col < key OR (col = key AND id < id)` makes PostgreSQL scan.
pub fn beyond<C: ColumnTrait>(col: C, id: C, p: &Position, descending: bool) -> Condition {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let left = Expr::tuple([Expr::col(col), Expr::col(id)]);
    let right = Expr::tuple([Expr::val(p.key.clone()), Expr::val(p.id)]);
    Condition::all().add(if descending { left.lt(right) } else { left.gt(right) })
}

/// One page of `E` matching `filter`, sorted by `col` then `id`; page 1,000 costs what page 1 costs.
pub async fn page<E, D>(
    db: &D,
    filter: Condition,
    col: E::Column,
    id: E::Column,
    p: &PageRequest,
) -> anyhow::Result<Page<E::Model>>
where
    E: EntityTrait,
    D: ConnectionTrait,
{
    page_read::<E, D, _, _, _>(db, filter, col, id, p, |select| select.all(db)).await
}

/// As `page`, with the rows read by `read` from the page's `SELECT` (filtered, ordered and limited): a caller
/// that needs only some columns narrows the select there (`select_only().columns(..)`) and decodes the rows.
pub async fn page_read<E, D, R, F, Fut>(
    db: &D,
    filter: Condition,
    col: E::Column,
    id: E::Column,
    p: &PageRequest,
    read: F,
) -> anyhow::Result<Page<R>>
where
    E: EntityTrait,
    D: ConnectionTrait,
    F: FnOnce(sea_orm::Select<E>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<R>, sea_orm::DbErr>>,
{
    let mut window = filter.clone();
    if let Some(a) = &p.after {
        window = window.add(beyond(col, id, a, p.descending));
    }
    if let Some(b) = &p.before {
        window = window.add(beyond(col, id, b, !p.descending));
    }
    // Reading from the end means reading the reversed order, then turning the rows round.
    let desc = p.descending != p.from_end;
    let order = if desc { Order::Desc } else { Order::Asc };
    let rows = read(
        E::find()
            .filter(window)
            .order_by(col, order.clone())
            .order_by(id, order)
            .limit(p.limit + 1),
    )
    .await?;
    let more = rows.len() as u64 > p.limit;
    let mut rows: Vec<R> = rows.into_iter().take(p.limit as usize).collect();
    if p.from_end {
        rows.reverse();
    }
    // Whether anything lies on the other side of the cursor we came from.
    let exists = |pos: &Position, forward: bool| {
        let below = if forward { p.descending } else { !p.descending };
        let cond = filter.clone().add(beyond(col, id, pos, below));
        // Ordered from the cursor outwards, as the `(col, id)` index runs, so the first row found ends the scan
        // (unordered, PostgreSQL read the table from its start). Only the id is read: the answer is yes or no.
        let order = if below { Order::Desc } else { Order::Asc };
        async move {
            E::find()
                .select_only()
                .column(id)
                .filter(cond)
                .order_by(col, order.clone())
                .order_by(id, order)
                .limit(1)
                .into_tuple::<i32>()
                .all(db)
                .await
                .map(|rows| !rows.is_empty())
        }
    };
    let (has_next, has_previous) = if p.from_end {
        let next = match &p.before {
            Some(b) if p.other_side => exists(b, true).await?,
            _ => false,
        };
        (next, more)
    } else {
        let prev = match &p.after {
            Some(a) if p.other_side => exists(a, false).await?,
            _ => false,
        };
        (more, prev)
    };
    Ok(Page {
        rows,
        has_next,
        has_previous,
    })
}

/// Ids after `after`, in id order, at most `limit`: for streaming a whole table.
pub async fn ids_after<E: EntityTrait, D: ConnectionTrait>(
    db: &D,
    id: E::Column,
    after: i32,
    limit: u64,
) -> anyhow::Result<Vec<i32>> {
    Ok(E::find()
        .select_only()
        .column(id)
        .filter(id.gt(after))
        .order_by(id, Order::Asc)
        .limit(limit)
        .into_tuple::<i32>()
        .all(db)
        .await?)
}

/// Ids of rows changed at or after `since`.
pub async fn ids_updated_since<E: EntityTrait, D: ConnectionTrait>(
    db: &D,
    id: E::Column,
    updated_at: E::Column,
    since: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<i32>> {
    Ok(E::find()
        .select_only()
        .column(id)
        .filter(updated_at.gte(since))
        .into_tuple::<i32>()
        .all(db)
        .await?)
}

pub async fn total<E: EntityTrait, D: ConnectionTrait>(db: &D, id: E::Column) -> anyhow::Result<u64> {
    use sea_orm::sea_query::{Expr, Func};
    let n: Option<i64> = E::find()
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col(id))), "n")
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0) as u64)
}

/// Rows by id, in the order of `ids`; missing ids are skipped.
pub async fn by_ids<E: EntityTrait, D: ConnectionTrait>(
    db: &D,
    id: E::Column,
    ids: &[i32],
    id_of: fn(&E::Model) -> i32,
) -> anyhow::Result<Vec<E::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = E::find().filter(id.is_in(ids.to_vec())).all(db).await?;
    let mut by_id: std::collections::HashMap<i32, E::Model> = rows.into_iter().map(|r| (id_of(&r), r)).collect();
    Ok(ids.iter().filter_map(|i| by_id.remove(i)).collect())
}

/// A table's id and `updated_at` columns: what a rebuild of its search index walks.
pub struct Table<E: EntityTrait> {
    pub id: E::Column,
    pub updated_at: E::Column,
}

impl<E: EntityTrait> Table<E> {
    /// The newest `updated_at` among these rows (none when `ids` is empty or none exists): the `Last-Modified`
    /// of a page that shows them.
    pub async fn latest_change<D: ConnectionTrait>(
        &self,
        db: &D,
        ids: &[i32],
    ) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let mut latest = None;
        for chunk in ids.chunks(500) {
            let m: Option<Option<chrono::DateTime<chrono::Utc>>> = E::find()
                .select_only()
                .column_as(Expr::col(self.updated_at).max(), "m")
                .filter(self.id.is_in(chunk.to_vec()))
                .into_tuple()
                .one(db)
                .await?;
            latest = std::cmp::max(latest, m.flatten());
        }
        Ok(latest)
    }
}

impl<E> crate::search::family::RecordIds for Table<E>
where
    E: EntityTrait,
    E::Column: Send + Sync,
{
    fn total<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(total::<E, _>(db, self.id))
    }

    fn after<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        after: i32,
        limit: u64,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(ids_after::<E, _>(db, self.id, after, limit))
    }

    fn updated_since<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        since: chrono::DateTime<chrono::Utc>,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(ids_updated_since::<E, _>(db, self.id, self.updated_at, since))
    }
}
