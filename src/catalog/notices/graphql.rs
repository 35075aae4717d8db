//! GraphQL of notices: the `Notice` type, its filter and order inputs, and the `notice`, `notices` and
//! `searchNotices` queries.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use super::members::{self, Member};
use super::model::{AddendumReason, Notice, NoticeArea, NoticeDocument, NoticeKind, NoticeObjective};
use super::search as notice_search;
use super::store::{self, Light, NoticeQuery, Projection, SortField};
use super::symbol::NoticeSymbol;
use crate::catalog::codes;
use crate::catalog::exports::graphql::Affected;
use crate::catalog::exports::store::Target;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::ids;
use crate::graphql::scalars::{Date, today_in_china};
use crate::graphql::search::{Facet, facets, search_cursor, search_page_info, search_window};

/// The codes of the notifying members: one per member of a joint notification, in symbol order.
fn member_codes(n: &Notice) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for s in &n.data.symbols {
        let c = s.member().unwrap_or(&n.data.member).to_string();
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    codes
}

#[Object]
impl Notice {
    /// Opaque global ID, for `node(id:)`.
    pub async fn id(&self) -> ID {
        ids::encode("Notice", self.id)
    }
    /// The notice's own symbol (the first one of a joint notification), canonical form.
    async fn symbol(&self) -> String {
        self.data.primary_symbol().to_string()
    }
    /// Every symbol; a joint notification has one per member.
    async fn symbols(&self) -> Vec<String> {
        self.data.symbols.iter().map(|s| s.to_string()).collect()
    }
    /// The symbol without `Add.`/`Rev.`/`Corr.`/`Suppl.` suffixes: shared by an original and its follow-ups.
    async fn base_symbol(&self) -> String {
        self.data.primary_symbol().base().to_string()
    }
    async fn area(&self) -> NoticeArea {
        self.data.area
    }
    /// Derived from the symbol unless the record says emergency or recognition of equivalence.
    async fn kind(&self) -> NoticeKind {
        self.data.kind
    }
    /// The notifying member (box 1).
    async fn member(&self) -> Member {
        members::member(&self.data.member)
    }
    /// Every member of a joint notification.
    async fn members(&self) -> Vec<Member> {
        member_codes(self).iter().map(|c| members::member(c)).collect()
    }
    /// Who this notice concerns: the enterprises whose export products share an HS prefix with it (either code
    /// may be the longer) and list no market or ship to a notifying member, their zones and their regions.
    async fn affected(&self) -> Affected {
        Affected(Target {
            hs_codes: self.data.hs_codes.clone(),
            members: member_codes(self),
        })
    }
    /// Local government that notified, if any.
    async fn local_government(&self) -> Option<&str> {
        self.data.local_government.as_deref()
    }
    /// Agency responsible (box 2).
    async fn agency(&self) -> Option<&str> {
        self.data.agency.as_deref()
    }
    /// Articles notified under (box 3), e.g. `2.9.2`.
    async fn articles(&self) -> &[String] {
        &self.data.articles
    }
    async fn distribution_date(&self) -> Date {
        Date(self.data.distribution_date)
    }
    /// The final date for comments in force: the notice's own (`notifiedCommentDeadline`) unless a later
    /// addendum or corrigendum of it changed the comment period (reason `COMMENT_PERIOD_CHANGED`, with a new
    /// date); then the newest of those, by distribution date and then symbol (`commentDeadlineSetBy`).
    async fn comment_deadline(&self) -> Option<Date> {
        self.deadline_in_force.map(Date)
    }
    /// The notice's own final date for comments (box 10): the date given, or distribution + N days where the
    /// text says so.
    async fn notified_comment_deadline(&self) -> Option<Date> {
        self.data.comment_deadline.map(Date)
    }
    /// The addendum or corrigendum that set `commentDeadline`; null when it is the notice's own.
    async fn comment_deadline_set_by(&self, ctx: &Context<'_>) -> Result<Option<Notice>> {
        let Some(id) = self.deadline_set_by else {
            return Ok(None);
        };
        let app = ctx.data_unchecked::<AppContext>();
        Ok(store::by_ids(&app.db, &[id])
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .next())
    }
    /// The notice's own deadline as it wrote it ("60 days from notification", "待定").
    async fn comment_deadline_text(&self) -> Option<&str> {
        self.data.comment_deadline_text.as_deref()
    }
    /// True when `notifiedCommentDeadline` was computed from the text, not given.
    async fn comment_deadline_derived(&self) -> bool {
        self.data.comment_deadline_derived
    }
    async fn proposed_adoption_date(&self) -> Option<Date> {
        self.data.proposed_adoption_date.map(Date)
    }
    async fn proposed_adoption_date_text(&self) -> Option<&str> {
        self.data.proposed_adoption_date_text.as_deref()
    }
    async fn proposed_entry_into_force_date(&self) -> Option<Date> {
        self.data.proposed_entry_into_force_date.map(Date)
    }
    async fn proposed_entry_into_force_date_text(&self) -> Option<&str> {
        self.data.proposed_entry_into_force_date_text.as_deref()
    }
    /// Whether comments are still accepted on `on` (default: today in Asia/Shanghai): distributed by then and
    /// `commentDeadline`, the deadline in force, not passed.
    async fn open_for_comment(&self, on: Option<Date>) -> bool {
        let day = on.map(|d| d.0).unwrap_or_else(today_in_china);
        self.data.distribution_date <= day && self.deadline_in_force.is_some_and(|d| d >= day)
    }
    async fn title_zh(&self) -> Option<&str> {
        self.data.title_zh.as_deref()
    }
    async fn title_en(&self) -> Option<&str> {
        self.data.title_en.as_deref()
    }
    /// Title in the original language when that is not English.
    async fn title_original(&self) -> Option<&str> {
        self.data.title_original.as_deref()
    }
    async fn original_language(&self) -> Option<&str> {
        self.data.original_language.as_deref()
    }
    async fn description_zh(&self) -> Option<&str> {
        self.data.description_zh.as_deref()
    }
    async fn description_en(&self) -> Option<&str> {
        self.data.description_en.as_deref()
    }
    /// Products covered (box 4), free text.
    async fn products_text(&self) -> Option<&str> {
        self.data.products_text.as_deref()
    }
    /// HS codes, 2 to 10 digits, leading zeros kept.
    async fn hs_codes(&self) -> &[String] {
        &self.data.hs_codes
    }
    async fn ics_codes(&self) -> &[String] {
        &self.data.ics_codes
    }
    async fn objectives(&self) -> &[NoticeObjective] {
        &self.data.objectives
    }
    async fn keywords(&self) -> &[String] {
        &self.data.keywords
    }
    async fn documents(&self) -> &[NoticeDocument] {
        &self.data.documents
    }
    async fn addendum_reasons(&self) -> &[AddendumReason] {
        &self.data.addendum_reasons
    }
    /// Regions affected (SPS).
    async fn regions_affected(&self) -> &[String] {
        &self.data.regions_affected
    }
    /// The original notice of this chain; null when this is the original or it is not in the catalogue.
    async fn original(&self, ctx: &Context<'_>) -> Result<Option<Notice>> {
        let base = self.data.primary_symbol().base();
        if base == *self.data.primary_symbol() {
            return Ok(None);
        }
        let app = ctx.data_unchecked::<AppContext>();
        Ok(store::by_symbol(&app.db, &base).await.map_err(ApiError::from)?)
    }
    /// Every other notice of the chain (addenda, corrigenda, revisions), oldest first.
    #[graphql(complexity = "10 * child_complexity")]
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<Notice>> {
        let app = ctx.data_unchecked::<AppContext>();
        let bases: Vec<String> = self.data.symbols.iter().map(|s| s.base().to_string()).collect();
        let chain = store::chain(&app.db, &bases).await.map_err(ApiError::from)?;
        Ok(chain
            .into_iter()
            .filter(|n| n.id != self.id && !n.data.primary_symbol().is_base())
            .collect())
    }
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.updated_at
    }
    /// Standards that share this notice's ICS codes or that its title and description name (at most 20).
    #[graphql(complexity = "20 * child_complexity")]
    async fn related_standards(&self, ctx: &Context<'_>) -> Result<Vec<crate::catalog::standards::model::Standard>> {
        let app = ctx.data_unchecked::<AppContext>();
        let d = &self.data;
        let mut families = Vec::new();
        for t in [&d.title_zh, &d.title_en, &d.description_zh, &d.description_en]
            .into_iter()
            .flatten()
        {
            for f in crate::catalog::standards::graphql::families_named_in(t) {
                if !families.contains(&f) {
                    families.push(f);
                }
            }
        }
        Ok(
            crate::catalog::standards::store::related(&app.db, &d.ics_codes, &families, 20)
                .await
                .map_err(ApiError::from)?,
        )
    }
}

/// The light columns (`store::Light`) that a field of `Notice` reads, for a listing that reads only what its
/// selection asks for; `None` for a field that needs the whole row: one that reads a list column (`symbols`,
/// codes, objectives, documents, ...) and any field not named here. A field added to `Notice` makes a listing
/// read whole rows until it is named here; `tests/it/notices.rs` compares every field both ways.
fn light_columns(field: &str) -> Option<&'static [Light]> {
    use Light::*;
    Some(match field {
        // The id, the first symbol and the distribution date are always read; `original` looks its notice up by
        // the first symbol's base.
        "__typename" | "id" | "symbol" | "baseSymbol" | "distributionDate" | "original" => &[],
        "area" => &[Area],
        "kind" => &[Kind],
        "member" => &[Member],
        "localGovernment" => &[LocalGovernment],
        "agency" => &[Agency],
        "commentDeadline" | "openForComment" => &[DeadlineInForce],
        "notifiedCommentDeadline" => &[CommentDeadline],
        "commentDeadlineSetBy" => &[DeadlineSetBy],
        "commentDeadlineText" => &[CommentDeadlineText],
        "commentDeadlineDerived" => &[CommentDeadlineDerived],
        "proposedAdoptionDate" => &[ProposedAdoptionDate],
        "proposedAdoptionDateText" => &[ProposedAdoptionDateText],
        "proposedEntryIntoForceDate" => &[ProposedEntryIntoForceDate],
        "proposedEntryIntoForceDateText" => &[ProposedEntryIntoForceDateText],
        "titleZh" => &[TitleZh],
        "titleEn" => &[TitleEn],
        "titleOriginal" => &[TitleOriginal],
        "originalLanguage" => &[OriginalLanguage],
        "descriptionZh" => &[DescriptionZh],
        "descriptionEn" => &[DescriptionEn],
        "productsText" => &[ProductsText],
        "updatedAt" => &[UpdatedAt],
        _ => return None,
    })
}

/// The columns a listing must read for the fields its nodes select, or `None` when one of them needs the whole
/// row.
fn projection_for<'a>(fields: impl IntoIterator<Item = &'a str>) -> Option<Projection> {
    let mut proj = Projection::default();
    for f in fields {
        for c in light_columns(f)? {
            proj = proj.with(*c);
        }
    }
    Some(proj)
}

/// Narrows a notice listing or search. Every field given must hold; a list matches any of its values. As an
/// output (`NoticeFilterValue`, on `Watch.filter`) it is the filter as saved.
#[derive(InputObject, SimpleObject, Debug, Clone, Default)]
#[graphql(name = "NoticeFilterValue", input_name = "NoticeFilter")]
pub struct NoticeFilter {
    pub area: Option<NoticeArea>,
    pub kinds: Option<Vec<NoticeKind>>,
    /// Member codes (`USA`, `EU`, `TPKM`); a joint notification matches each of its members.
    pub members: Option<Vec<String>>,
    /// HS code prefixes: `"9503"` matches `950300`; dots are ignored.
    pub hs_codes: Option<Vec<String>>,
    /// ICS code prefixes: `"97.200"` matches `97.200.50`.
    pub ics_codes: Option<Vec<String>>,
    /// Distributed on or after this day.
    pub distributed_from: Option<Date>,
    /// Distributed on or before this day.
    pub distributed_to: Option<Date>,
    /// Distributed by this day and the comment deadline in force (`commentDeadline`) not passed on it.
    pub open_for_comment_on: Option<Date>,
    pub objectives: Option<Vec<NoticeObjective>>,
    /// Only the chain of this base symbol (any written form).
    pub base_symbol: Option<String>,
}

impl NoticeFilter {
    pub fn to_query(&self) -> ApiResult<NoticeQuery> {
        let mut q = NoticeQuery {
            area: self.area,
            kinds: self.kinds.clone().unwrap_or_default(),
            distributed_from: self.distributed_from.map(|d| d.0),
            distributed_to: self.distributed_to.map(|d| d.0),
            open_for_comment_on: self.open_for_comment_on.map(|d| d.0),
            objectives: self.objectives.clone().unwrap_or_default(),
            ..Default::default()
        };
        for m in self.members.iter().flatten() {
            let code = members::code_for(m)
                .or_else(|| {
                    let u = m.trim().to_ascii_uppercase();
                    ((2..=4).contains(&u.len()) && u.chars().all(|c| c.is_ascii_uppercase())).then_some(u)
                })
                .ok_or_else(|| ApiError::bad_input(format!("members: {m:?} is not a WTO member code")))?;
            q.members.push(code);
        }
        for h in self.hs_codes.iter().flatten() {
            q.hs_prefixes.push(
                codes::hs_prefix(h)
                    .ok_or_else(|| ApiError::bad_input(format!("hsCodes: {h:?} is not an HS code prefix (digits)")))?,
            );
        }
        for i in self.ics_codes.iter().flatten() {
            q.ics_prefixes.push(
                codes::ics_prefix(i)
                    .ok_or_else(|| ApiError::bad_input(format!("icsCodes: {i:?} is not an ICS code prefix")))?,
            );
        }
        if let (Some(a), Some(b)) = (q.distributed_from, q.distributed_to)
            && a > b
        {
            return Err(ApiError::bad_input(format!(
                "distributedFrom {a} is after distributedTo {b}"
            )));
        }
        if let Some(b) = &self.base_symbol {
            let s = NoticeSymbol::parse(b).map_err(|e| ApiError::bad_input(format!("baseSymbol: {e}")))?;
            q.base_symbol = Some(s.base().to_string());
        }
        Ok(q)
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoticeOrderField {
    #[default]
    DistributionDate,
    Symbol,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    Asc,
    #[default]
    Desc,
}

/// Order of a notice listing; ties are broken by the internal id in the same direction.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct NoticeOrder {
    #[graphql(default)]
    pub field: NoticeOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// One notice in a listing.
#[derive(SimpleObject)]
pub struct NoticeEdge {
    pub cursor: String,
    pub node: Notice,
}

/// A page of notices.
pub struct NoticeConnection {
    edges: Vec<NoticeEdge>,
    page_info: PageInfo,
    query: NoticeQuery,
}

#[Object]
impl NoticeConnection {
    async fn edges(&self) -> &[NoticeEdge] {
        &self.edges
    }
    async fn nodes(&self) -> Vec<&Notice> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// Exact number of notices that match the filter; counted only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let app = ctx.data_unchecked::<AppContext>();
        Ok(store::count(&app.db, &self.query).await.map_err(ApiError::from)?)
    }
}

fn cursor_key(n: &Notice, f: SortField) -> String {
    match f {
        SortField::DistributionDate => n.data.distribution_date.to_string(),
        SortField::Symbol => n.data.primary_symbol().to_string(),
    }
}

/// Highlighted parts of a search hit, HTML-escaped, with `<mark>` around the words that matched.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct NoticeHighlights {
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    /// Cropped around the match.
    pub description_zh: Option<String>,
    /// Cropped around the match.
    pub description_en: Option<String>,
    pub products_text: Option<String>,
}

#[derive(SimpleObject)]
pub struct NoticeSearchEdge {
    pub cursor: String,
    pub node: Notice,
    pub highlights: NoticeHighlights,
}

/// Results of a full-text search.
#[derive(SimpleObject)]
pub struct NoticeSearchResult {
    pub edges: Vec<NoticeSearchEdge>,
    pub nodes: Vec<Notice>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate of the number of hits, not an exact count; it stops at 10,000.
    pub estimated_total_count: i32,
    /// Counts by `member`, `area`, `kind`, `objectives` and `year`.
    pub facets: Vec<Facet>,
    /// Time Meilisearch took, in milliseconds.
    pub processing_time_ms: i32,
}

/// Queries of the notice catalogue.
#[derive(Default)]
pub struct NoticeQueries;

#[Object]
impl NoticeQueries {
    /// One notice by any of its symbols, written in any case and spacing (`g/tbt/n/usa/1598/add.1`).
    async fn notice(&self, ctx: &Context<'_>, symbol: String) -> Result<Option<Notice>> {
        let sym = NoticeSymbol::parse(&symbol).map_err(|e| ApiError::bad_input(format!("symbol: {e}")))?;
        let app = ctx.data_unchecked::<AppContext>();
        Ok(store::by_symbol(&app.db, &sym).await.map_err(ApiError::from)?)
    }

    /// Notices, newest first unless `orderBy` says otherwise. `first`/`last` default to 20 and may not exceed 100.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn notices(
        &self,
        ctx: &Context<'_>,
        filter: Option<NoticeFilter>,
        order_by: Option<NoticeOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<NoticeConnection> {
        let app = ctx.data_unchecked::<AppContext>();
        let query = filter.unwrap_or_default().to_query()?;
        let order = order_by.unwrap_or_default();
        let field = match order.field {
            NoticeOrderField::DistributionDate => SortField::DistributionDate,
            NoticeOrderField::Symbol => SortField::Symbol,
        };
        let args = KeysetArgs {
            listing: "notices",
            sort: match field {
                SortField::DistributionDate => "d",
                SortField::Symbol => "s",
            },
            descending: order.direction == OrderDirection::Desc,
            first,
            after,
            last,
            before,
        };
        let req = args.request_for(ctx, &|k| match field {
            SortField::DistributionDate => k.parse::<chrono::NaiveDate>().ok().map(Into::into),
            SortField::Symbol => Some(k.to_string().into()),
        })?;
        // Only the columns the nodes' fields read, unless one of them needs the whole row.
        let selected = crate::graphql::selection::node_fields(ctx);
        // Boxed: either read nested in the schema's resolver future overflowed rustc's layout depth limit.
        use futures_util::FutureExt;
        let reads = app.warm.reads();
        let read = match projection_for(selected.iter().map(String::as_str)) {
            Some(proj) => store::list_projected(&reads, &query, field, &req, proj).boxed(),
            None => store::list(&reads, &query, field, &req).boxed(),
        };
        let page = read.await.map_err(ApiError::from)?;
        let edges: Vec<NoticeEdge> = page
            .rows
            .into_iter()
            .map(|n| NoticeEdge {
                cursor: args.cursor(&cursor_key(&n, field), n.id),
                node: n,
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        let page_info = PageInfo::from_cursors(&cursors, page.has_next, page.has_previous);
        Ok(NoticeConnection {
            edges,
            page_info,
            query,
        })
    }

    /// Full-text search in Chinese and English over symbols, titles, descriptions, products, HS and ICS codes,
    /// with the same filters as `notices`. Traditional characters are searched as simplified.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_notices(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<NoticeFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<NoticeSearchResult> {
        let app = ctx.data_unchecked::<AppContext>();
        let q = filter.unwrap_or_default().to_query()?;
        let (offset, size) = search_window("search-notices", first, after)?;
        let wanted = crate::graphql::search::wanted(ctx);
        // The hits are answered from the index's stored documents when the selection needs nothing else and no
        // change of a notice still waits in the search outbox (the index then holds every committed write);
        // otherwise they are read from the database, which the index may lag.
        let known = ctx.data_opt::<crate::db::Freshness>().map(|f| f.indexed(store::OUTBOX));
        let attrs = match known {
            Some(false) => None,
            _ => {
                notice_search::index_attributes(crate::graphql::selection::node_fields(ctx).iter().map(String::as_str))
            }
        };
        let search = notice_search::search(
            &app.search,
            &query,
            &q,
            offset,
            size,
            wanted,
            attrs.as_deref().unwrap_or(&[]),
        );
        let (outcome, indexed) = match (&attrs, known) {
            (None, _) => (search.await, false),
            (Some(_), Some(indexed)) => (search.await, indexed),
            (Some(_), None) => {
                let (outcome, fresh) = tokio::join!(search, app.freshness.get());
                (outcome, fresh.is_ok_and(|f| f.indexed(store::OUTBOX)))
            }
        };
        let outcome = outcome.map_err(ApiError::Search)?;
        let from_index: Option<Vec<Notice>> = match (&attrs, indexed) {
            (Some(attrs), true) => outcome
                .hits
                .iter()
                .map(|h| notice_search::notice_from_document(h.id, &h.document, attrs))
                .collect(),
            _ => None,
        };
        let mut notices: std::collections::HashMap<i32, Notice> = match from_index {
            Some(found) => found.into_iter().map(|n| (n.id, n)).collect(),
            None => {
                let ids: Vec<i32> = outcome.hits.iter().map(|h| h.id).collect();
                store::by_ids(&app.db, &ids)
                    .await
                    .map_err(ApiError::from)?
                    .into_iter()
                    .map(|n| (n.id, n))
                    .collect()
            }
        };
        let mut edges = Vec::new();
        for (i, hit) in outcome.hits.into_iter().enumerate() {
            // A hit whose record is gone from the database (deleted, not yet re-indexed) is skipped.
            if let Some(n) = notices.remove(&hit.id) {
                let h = hit.highlights;
                edges.push(NoticeSearchEdge {
                    cursor: search_cursor("search-notices", offset + i),
                    node: n,
                    highlights: NoticeHighlights {
                        title_zh: h.title_zh,
                        title_en: h.title_en,
                        description_zh: h.description_zh,
                        description_en: h.description_en,
                        products_text: h.products_text,
                    },
                });
            }
        }
        let total = outcome.estimated_total;
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        let page_info = search_page_info(&cursors, offset, size, total);
        Ok(NoticeSearchResult {
            nodes: edges.iter().map(|e| e.node.clone()).collect(),
            edges,
            page_info,
            estimated_total_count: total as i32,
            facets: facets(outcome.facets),
            processing_time_ms: outcome.processing_ms as i32,
        })
    }
}

/// The `Node` lookups of notices.
pub async fn node_by_id(app: &AppContext, id: i32) -> ApiResult<Option<Notice>> {
    Ok(store::by_ids(&app.db, &[id]).await?.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_selections_are_projected_and_list_fields_read_whole_rows() {
        // The fields of the peers bench: only the columns always read and the Chinese title.
        let p = projection_for(["symbol", "titleZh", "distributionDate", "__typename"]).unwrap();
        assert_eq!(p, Projection::default().with(Light::TitleZh));
        assert_eq!(projection_for([]), Some(Projection::default()));
        assert!(
            projection_for(["openForComment", "commentDeadline"])
                .unwrap()
                .has(Light::DeadlineInForce)
        );
        // A list column, a field that reads several, and a name this listing does not know: whole rows.
        for heavy in [
            "symbols",
            "members",
            "affected",
            "hsCodes",
            "followUps",
            "relatedStandards",
            "noSuchField",
        ] {
            assert_eq!(projection_for(["symbol", heavy]), None, "{heavy}");
        }
    }
}
