//! `search`: one search box over every catalogue. A code-shaped query (notice symbol, standard number, credit
//! code, document number) puts its exact record first; the rest comes from Meilisearch's federated search over
//! every index in one ranked list. If Meilisearch is unreachable, a simpler database match answers and the
//! response says `degraded: true`.

use async_graphql::{Context, Enum, Object, Result, SimpleObject, Union};
use meilisearch_sdk::search::{FederationOptions, Selectors};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::AppContext;
use super::connection::PageInfo;
use super::search::{search_cursor, search_page_info, search_window};
use crate::catalog::enterprises::graphql::{Brand, CreditEntry, Title};
use crate::catalog::enterprises::model::ListingKind;
use crate::catalog::enterprises::store::{self as ent_store, Enterprise, Zone};
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::notices::model::Notice;
use crate::catalog::notices::store as notice_store;
use crate::catalog::notices::symbol::NoticeSymbol;
use crate::catalog::policies::number::DocumentNumber;
use crate::catalog::policies::store::{self as policy_store, Policy};
use crate::catalog::standards::model::{Standard, StandardStatus};
use crate::catalog::standards::number::StandardNumber;
use crate::catalog::standards::store as standard_store;
use crate::error::ApiError;
use crate::search::Catalogue;
use crate::search::text::{POST, PRE, prepare_query, safe_highlight};

/// The kinds of record `search` can return.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchType {
    Notice,
    Standard,
    Enterprise,
    Brand,
    Title,
    Zone,
    Policy,
    CreditEntry,
}

impl SearchType {
    const ALL: [SearchType; 8] = [
        SearchType::Notice,
        SearchType::Standard,
        SearchType::Enterprise,
        SearchType::Brand,
        SearchType::Title,
        SearchType::Zone,
        SearchType::Policy,
        SearchType::CreditEntry,
    ];

    fn catalogue(self) -> Catalogue {
        match self {
            SearchType::Notice => Catalogue::Notices,
            SearchType::Standard => Catalogue::Standards,
            SearchType::Enterprise => Catalogue::Enterprises,
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => Catalogue::Listings,
            SearchType::Zone => Catalogue::Zones,
            SearchType::Policy => Catalogue::Policies,
        }
    }

    fn listing_kind(self) -> Option<ListingKind> {
        match self {
            SearchType::Brand => Some(ListingKind::Brand),
            SearchType::Title => Some(ListingKind::Title),
            SearchType::CreditEntry => Some(ListingKind::Credit),
            _ => None,
        }
    }

    /// The field shown highlighted for a hit of this kind.
    fn headline(self) -> &'static str {
        match self {
            SearchType::Notice => "titleZh",
            SearchType::Standard => "titleZh",
            SearchType::Enterprise | SearchType::Zone => "name",
            SearchType::Brand | SearchType::Title => "name",
            SearchType::CreditEntry => "reason",
            SearchType::Policy => "title",
        }
    }
}

/// One record of any catalogue.
#[derive(Union)]
pub enum SearchItem {
    Notice(Notice),
    Standard(Standard),
    Enterprise(Enterprise),
    Brand(Brand),
    Title(Title),
    Zone(Zone),
    Policy(Policy),
    CreditEntry(CreditEntry),
}

#[derive(SimpleObject)]
pub struct SearchEdge {
    pub cursor: String,
    #[graphql(name = "type")]
    pub kind: SearchType,
    pub node: SearchItem,
    /// The record's headline (title or name) with `<mark>` around matches, HTML-escaped.
    pub highlight: Option<String>,
    /// True for the record a code-shaped query names exactly.
    pub exact: bool,
}

/// The results of `search`.
#[derive(SimpleObject)]
pub struct SearchResult {
    pub edges: Vec<SearchEdge>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate of all hits (not an exact count; at most 10,000 per index).
    pub estimated_total_count: i32,
    /// True when Meilisearch was unreachable and a simpler database match answered.
    pub degraded: bool,
    /// Why the answer is degraded, in words.
    pub warning: Option<String>,
}

/// The record a code-shaped query names, if the catalogue has it.
async fn exact_record(
    app: &AppContext,
    query: &str,
    types: &[SearchType],
) -> anyhow::Result<Option<(SearchType, SearchItem, i32)>> {
    let q = query.trim();
    let wants = |t: SearchType| types.contains(&t);
    if wants(SearchType::Notice)
        && q.contains('/')
        && let Ok(sym) = NoticeSymbol::parse(q)
        && let Some(n) = notice_store::by_symbol(&app.db, &sym).await?
    {
        let id = n.id;
        return Ok(Some((SearchType::Notice, SearchItem::Notice(n), id)));
    }
    if wants(SearchType::Enterprise)
        && let Ok(code) = Uscc::read(q)
        && let Some(e) = ent_store::enterprise_by_code(&app.db, code.as_str()).await?
    {
        let id = e.id;
        return Ok(Some((SearchType::Enterprise, SearchItem::Enterprise(e), id)));
    }
    if wants(SearchType::Policy)
        && let Ok(n) = DocumentNumber::parse(q)
        && let Some(p) = policy_store::by_number(&app.db, &n).await?
    {
        let id = p.id;
        return Ok(Some((SearchType::Policy, SearchItem::Policy(p), id)));
    }
    if wants(SearchType::Standard)
        && q.chars().any(|c| c.is_ascii_digit())
        && q.chars().any(|c| c.is_ascii_alphabetic())
        && let Ok(n) = StandardNumber::parse(q)
    {
        let found = if n.year().is_some() {
            standard_store::by_edition(&app.db, &n.edition()).await?
        } else {
            let today = super::scalars::today_in_china();
            let editions = standard_store::editions(&app.db, &n.family_key()).await?;
            let current = editions
                .iter()
                .position(|s| s.status_on(today) == StandardStatus::Current);
            match current {
                Some(i) => editions.into_iter().nth(i),
                None => editions.into_iter().next(),
            }
        };
        if let Some(s) = found {
            let id = s.id;
            return Ok(Some((SearchType::Standard, SearchItem::Standard(s), id)));
        }
    }
    Ok(None)
}

/// Loads the record of a hit from the database.
async fn load(app: &AppContext, t: SearchType, id: i32) -> anyhow::Result<Option<SearchItem>> {
    let db = &app.db;
    Ok(match t {
        SearchType::Notice => notice_store::by_ids(db, &[id]).await?.pop().map(SearchItem::Notice),
        SearchType::Standard => standard_store::by_ids(db, &[id]).await?.pop().map(SearchItem::Standard),
        SearchType::Enterprise => ent_store::enterprises_by_ids(db, &[id])
            .await?
            .pop()
            .map(SearchItem::Enterprise),
        SearchType::Zone => ent_store::zones_by_ids(db, &[id]).await?.pop().map(SearchItem::Zone),
        SearchType::Policy => policy_store::by_ids(db, &[id]).await?.pop().map(SearchItem::Policy),
        SearchType::Brand => ent_store::listings_by_ids(db, &[id])
            .await?
            .pop()
            .map(|l| SearchItem::Brand(Brand(l))),
        SearchType::Title => ent_store::listings_by_ids(db, &[id])
            .await?
            .pop()
            .map(|l| SearchItem::Title(Title(l))),
        SearchType::CreditEntry => ent_store::listings_by_ids(db, &[id])
            .await?
            .pop()
            .map(|l| SearchItem::CreditEntry(CreditEntry(l))),
    })
}

#[derive(serde::Deserialize)]
struct Hit {
    id: i32,
}

/// Meilisearch's federated search over the indexes of `types`: (type, id, highlight) in rank order, and the total.
async fn federated(
    app: &AppContext,
    query: &str,
    types: &[SearchType],
    offset: usize,
    limit: usize,
) -> anyhow::Result<(Vec<(SearchType, i32, Option<String>)>, usize)> {
    let q = prepare_query(query);
    let uids: Vec<String> = types.iter().map(|t| app.search.index_uid(t.catalogue())).collect();
    let filters: Vec<Option<String>> = types
        .iter()
        .map(|t| t.listing_kind().map(|k| format!("kind = \"{}\"", k.as_str())))
        .collect();
    let headlines: Vec<[&str; 1]> = types.iter().map(|t| [t.headline()]).collect();
    let indexes: Vec<meilisearch_sdk::indexes::Index> = uids.iter().map(|u| app.search.client.index(u)).collect();
    let mut multi = app.search.client.multi_search();
    for (i, t) in types.iter().enumerate() {
        let mut sq = indexes[i].search();
        sq.with_query(&q)
            .with_attributes_to_highlight(Selectors::Some(&headlines[i]))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST);
        if let Some(f) = &filters[i] {
            sq.with_filter(f);
        }
        let _ = t;
        multi.with_search_query(sq);
    }
    let federation = FederationOptions {
        offset: Some(offset),
        limit: Some(limit),
        ..Default::default()
    };
    let res = app
        .search
        .timed("federated search", multi.with_federation(federation).execute::<Hit>())
        .await?;
    let mut out = Vec::new();
    for h in res.hits {
        let Some(info) = &h.federation else { continue };
        let t = types[info.queries_position];
        let highlight = h
            .formatted_result
            .as_ref()
            .and_then(|f| f.get(t.headline()))
            .and_then(|v| v.as_str())
            .map(safe_highlight);
        out.push((t, h.result.id, highlight));
    }
    Ok((out, res.estimated_total_hits))
}

/// The database's answer when Meilisearch is away: records whose headline contains the query.
async fn fallback(
    app: &AppContext,
    query: &str,
    types: &[SearchType],
    limit: u64,
) -> anyhow::Result<Vec<(SearchType, i32)>> {
    use crate::catalog::enterprises::entity::{enterprise, listing, zone};
    use crate::catalog::notices::entity::notice;
    use crate::catalog::policies::entity::policy;
    use crate::catalog::standards::entity::standard;
    use sea_orm::ExprTrait;
    let q = crate::catalog::codes::to_simplified(query.trim());
    let db = &app.db;
    let mut out = Vec::new();
    for t in types {
        let ids: Vec<i32> = match t {
            SearchType::Notice => {
                notice::Entity::find()
                    .select_only()
                    .column(notice::Column::Id)
                    .filter(
                        notice::Column::TitleZh
                            .contains(&q)
                            .or(notice::Column::TitleEn.contains(&q))
                            .or(notice::Column::PrimarySymbol.contains(&q)),
                    )
                    .limit(limit)
                    .into_tuple()
                    .all(db)
                    .await?
            }
            SearchType::Standard => {
                standard::Entity::find()
                    .select_only()
                    .column(standard::Column::Id)
                    .filter(
                        standard::Column::TitleZh
                            .contains(&q)
                            .or(standard::Column::Number.contains(&q)),
                    )
                    .limit(limit)
                    .into_tuple()
                    .all(db)
                    .await?
            }
            SearchType::Enterprise => {
                enterprise::Entity::find()
                    .select_only()
                    .column(enterprise::Column::Id)
                    .filter(
                        enterprise::Column::Name
                            .contains(&q)
                            .or(enterprise::Column::CreditCode.contains(&q)),
                    )
                    .limit(limit)
                    .into_tuple()
                    .all(db)
                    .await?
            }
            SearchType::Zone => {
                zone::Entity::find()
                    .select_only()
                    .column(zone::Column::Id)
                    .filter(zone::Column::Name.contains(&q))
                    .limit(limit)
                    .into_tuple()
                    .all(db)
                    .await?
            }
            SearchType::Policy => {
                policy::Entity::find()
                    .select_only()
                    .column(policy::Column::Id)
                    .filter(policy::Column::Title.contains(&q))
                    .limit(limit)
                    .into_tuple()
                    .all(db)
                    .await?
            }
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => {
                let kind = t.listing_kind().expect("a listing type").as_str();
                listing::Entity::find()
                    .select_only()
                    .column(listing::Column::Id)
                    .filter(listing::Column::Kind.eq(kind))
                    .filter(
                        listing::Column::Name
                            .contains(&q)
                            .or(listing::Column::Reason.contains(&q)),
                    )
                    .limit(limit)
                    .into_tuple()
                    .all(db)
                    .await?
            }
        };
        out.extend(ids.into_iter().map(|id| (*t, id)));
    }
    Ok(out)
}

#[derive(Default)]
pub struct UnifiedSearchQueries;

#[Object]
impl UnifiedSearchQueries {
    /// One search box over every catalogue, ranked in one list. `types` narrows the kinds of record. A notice
    /// symbol, standard number, credit code or document number puts its exact record first. When Meilisearch is
    /// unreachable, a simpler database match answers and `degraded` is true.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        types: Option<Vec<SearchType>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SearchResult> {
        let app = ctx.data_unchecked::<AppContext>();
        let types: Vec<SearchType> = match types {
            Some(t) if !t.is_empty() => t,
            _ => SearchType::ALL.to_vec(),
        };
        if query.trim().is_empty() {
            return Err(ApiError::bad_input("query: empty").into());
        }
        let (offset, size) = search_window("search", first, after)?;
        let mut edges = Vec::new();
        let exact = if offset == 0 {
            exact_record(app, &query, &types).await.map_err(ApiError::from)?
        } else {
            None
        };
        let exact_key = exact.as_ref().map(|(t, _, id)| (*t, *id));
        if let Some((t, item, _)) = exact {
            edges.push(SearchEdge {
                cursor: search_cursor("search", 0),
                kind: t,
                node: item,
                highlight: None,
                exact: true,
            });
        }
        let (hits, total, degraded, warning) = match federated(app, &query, &types, offset, size).await {
            Ok((hits, total)) => (hits, total, false, None),
            Err(e) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "search: Meilisearch unreachable, answering from the database"
                );
                let hits = fallback(app, &query, &types, size as u64)
                    .await
                    .map_err(ApiError::from)?;
                let n = hits.len();
                (
                    hits.into_iter().map(|(t, id)| (t, id, None)).collect(),
                    n,
                    true,
                    Some("search is degraded: Meilisearch is unreachable, so these are simple text matches from the database".to_string()),
                )
            }
        };
        for (i, (t, id, highlight)) in hits.into_iter().enumerate() {
            if edges.len() >= size || exact_key == Some((t, id)) {
                continue;
            }
            if let Some(item) = load(app, t, id).await.map_err(ApiError::from)? {
                edges.push(SearchEdge {
                    cursor: search_cursor("search", offset + i),
                    kind: t,
                    node: item,
                    highlight,
                    exact: false,
                });
            }
        }
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(SearchResult {
            page_info: search_page_info(&cursors, offset, size, total),
            edges,
            estimated_total_count: total as i32,
            degraded,
            warning,
        })
    }
}
