//! `counted_connection!`: the Relay connection and edge of a keyset listing whose `totalCount` runs its count
//! query only when selected. Enterprises, credit entries, brands and titles use it.

/// Defines `$conn` (edges, nodes, pageInfo, totalCount) and `$edge` for nodes of `$node`; `$count` counts the rows
/// of a `$q` (no query: an empty listing, counted as 0).
macro_rules! counted_connection {
    ($conn:ident, $edge:ident, $node:ty, $count:path, $q:ty) => {
        #[derive(::async_graphql::SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        pub struct $conn {
            edges: Vec<$edge>,
            page_info: $crate::graphql::connection::PageInfo,
            query: Option<$q>,
        }

        #[::async_graphql::Object]
        impl $conn {
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }
            async fn page_info(&self) -> &$crate::graphql::connection::PageInfo {
                &self.page_info
            }
            /// Exact count; computed only when asked for.
            async fn total_count(&self, ctx: &::async_graphql::Context<'_>) -> ::async_graphql::Result<u64> {
                match &self.query {
                    None => Ok(0),
                    Some(q) => {
                        let db = &ctx.data_unchecked::<$crate::context::AppContext>().db;
                        Ok($count(db, q).await.map_err($crate::error::ApiError::from)?)
                    }
                }
            }
        }
    };
}
pub(crate) use counted_connection;
