//! GraphQL of standards: the `Standard` type, lookups in any written form, editions, replacement both ways,
//! filtered listing and search.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;

pub use super::filter::StandardFilter;
use super::model::{
    AdoptionDegree, Amendment, DraftingOrganization, ReplacementScope, Standard, StandardNature, StandardStatus,
};
use super::number::{StandardLevel, StandardNumber};
use super::query;
use super::search as standard_search;
use super::store::{self, SortField, StandardQuery};
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{KeysetArgs, PageInfo};
use crate::graphql::ids;
use crate::graphql::scalars::{Date, today_in_china};
use crate::graphql::search::{Facet, facets, search_cursor, search_page_info, search_window};

/// The adoption of an international standard.
#[derive(SimpleObject, Debug, Clone)]
pub struct Adoption {
    pub degree: AdoptionDegree,
    pub number: String,
}

/// One side of a replacement: the number as written in the record, its scope, and the standard when the
/// catalogue holds it.
pub struct StandardReplacement {
    number: String,
    scope: ReplacementScope,
    standard: Option<Standard>,
}

#[Object]
impl StandardReplacement {
    /// Canonical number of the other standard.
    async fn number(&self) -> &str {
        &self.number
    }
    /// 全部代替 (WHOLE) or 部分代替 (PARTIAL).
    async fn scope(&self) -> ReplacementScope {
        self.scope
    }
    /// The other standard, when it is in the catalogue.
    async fn standard(&self) -> Option<&Standard> {
        self.standard.as_ref()
    }
}

fn app<'a>(ctx: &'a Context<'_>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

#[Object]
impl Standard {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode("Standard", self.id)
    }
    /// Canonical number of this edition: ASCII, one space after the code (`GB/T 19001-2016`).
    async fn number(&self) -> String {
        self.data.number.edition()
    }
    /// The number as the source wrote it.
    async fn raw_number(&self) -> &str {
        self.data.number.raw()
    }
    /// Code and sequence without the year (`GB/T 19001`): shared by every edition.
    async fn family_key(&self) -> String {
        self.data.number.family_key()
    }
    /// Enterprises that declared they follow this edition (or this standard without naming a year), newest
    /// first; `status` keeps only those.
    async fn declarations(
        &self,
        ctx: &async_graphql::Context<'_>,
        status: Option<Vec<crate::catalog::declarations::model::DeclarationStatus>>,
    ) -> Result<Vec<crate::catalog::declarations::store::Declaration>> {
        crate::catalog::declarations::graphql::of_standard(ctx, &self.data.number, status).await
    }
    async fn level(&self) -> StandardLevel {
        self.data.number.level()
    }
    /// `GB/T`, `QB/T`, `NB/SH/T`, `DB33/T`, `T/ZZB`, `Q/CSG`, `ISO`.
    async fn code(&self) -> String {
        self.data.number.prefix()
    }
    /// 强制性, 推荐性 or 指导性; a field of its own, not always what the number suggests.
    async fn nature(&self) -> Option<StandardNature> {
        self.data.nature
    }
    async fn year(&self) -> Option<i32> {
        self.data.number.year().map(i32::from)
    }
    async fn title_zh(&self) -> Option<&str> {
        self.data.title_zh.as_deref()
    }
    async fn title_en(&self) -> Option<&str> {
        self.data.title_en.as_deref()
    }
    /// Status on `on` (default: today in Asia/Shanghai), computed from the dates.
    async fn status(&self, on: Option<Date>) -> StandardStatus {
        self.status_on(on.map(|d| d.0).unwrap_or_else(today_in_china))
    }
    /// The status label as the source wrote it (现行, 即将实施, 废止, 被代替).
    async fn status_label(&self) -> Option<&str> {
        self.data.status_label.as_deref()
    }
    /// 发布日期
    async fn issue_date(&self) -> Option<Date> {
        self.data.issue_date.map(Date)
    }
    /// 实施日期
    async fn implementation_date(&self) -> Option<Date> {
        self.data.implementation_date.map(Date)
    }
    /// 废止日期
    async fn withdrawal_date(&self) -> Option<Date> {
        self.data.withdrawal_date.map(Date)
    }
    /// The day a standard that replaces this one whole took effect.
    async fn replaced_on(&self) -> Option<Date> {
        self.replaced_on.map(Date)
    }
    /// Standards this one replaces (代替标准).
    async fn replaces(&self, ctx: &Context<'_>) -> Result<Vec<StandardReplacement>> {
        let mut out = Vec::new();
        for r in &self.data.replaces {
            let edition = r.number.edition();
            out.push(StandardReplacement {
                standard: store::by_edition(&app(ctx).db, &edition)
                    .await
                    .map_err(ApiError::from)?,
                number: edition,
                scope: r.scope,
            });
        }
        Ok(out)
    }
    /// Standards that replace this one.
    async fn replaced_by(&self, ctx: &Context<'_>) -> Result<Vec<StandardReplacement>> {
        let rows = store::replaced_by(&app(ctx).db, &self.data.number.edition())
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(|(s, scope)| StandardReplacement {
                number: s.data.number.edition(),
                scope,
                standard: Some(s),
            })
            .collect())
    }
    /// Every edition of this standard in the catalogue, newest first (this one included).
    #[graphql(complexity = "10 * child_complexity")]
    async fn editions(&self, ctx: &Context<'_>) -> Result<Vec<Standard>> {
        Ok(store::editions(&app(ctx).db, &self.data.number.family_key())
            .await
            .map_err(ApiError::from)?)
    }
    /// Amendments (修改单).
    async fn amendments(&self) -> &[Amendment] {
        &self.data.amendments
    }
    /// The international standard adopted, and how.
    async fn adoption(&self) -> Option<Adoption> {
        self.data.adoption.as_ref().map(|(degree, number)| Adoption {
            degree: *degree,
            number: number.clone(),
        })
    }
    /// The international number the standard's own number carries (`GB/T 19001-2016/ISO 9001:2015`).
    async fn double_number(&self) -> Option<String> {
        self.data.number.double_number().map(|d| d.to_string())
    }
    async fn ics_codes(&self) -> &[String] {
        &self.data.ics_codes
    }
    /// China Standard Classification code (letter and two digits).
    async fn ccs_code(&self) -> Option<&str> {
        self.data.ccs_code.as_deref()
    }
    /// Technical committee code (`TC151`, `TC46/SC1`).
    async fn committee(&self) -> Option<&str> {
        self.data.committee.as_deref()
    }
    /// 归口单位
    async fn committee_name(&self) -> Option<&str> {
        self.data.committee_name.as_deref()
    }
    /// 主管部门
    async fn department(&self) -> Option<&str> {
        self.data.department.as_deref()
    }
    /// Drafting organisations in order; the first leads (主导), the others take part (参与).
    async fn drafting_organizations(&self) -> &[DraftingOrganization] {
        &self.data.drafting_organizations
    }
    /// The organisation that led the drafting.
    async fn lead_organization(&self) -> Option<&DraftingOrganization> {
        self.data.drafting_organizations.first()
    }
    async fn drafters(&self) -> &[String] {
        &self.data.drafters
    }
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.updated_at
    }
}

/// How `standard(number:)` found its answer.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardMatch {
    /// The edition asked for.
    Exact,
    /// No year was given: the edition in force today.
    CurrentEdition,
    /// No year was given and no edition is in force: the newest edition.
    LatestEdition,
}

/// The answer of `standard(number:)`.
#[derive(SimpleObject)]
pub struct StandardLookup {
    pub standard: Standard,
    #[graphql(name = "match")]
    pub match_kind: StandardMatch,
    /// Says in words which edition was chosen and why.
    pub note: String,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StandardOrderField {
    /// Issue date; standards without one come last (first in ascending order).
    #[default]
    IssueDate,
    Number,
}

/// Order of a standards listing; ties broken by internal id.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct StandardOrder {
    #[graphql(default)]
    pub field: StandardOrderField,
    #[graphql(default)]
    pub direction: crate::catalog::notices::graphql::OrderDirection,
}

#[derive(SimpleObject)]
pub struct StandardEdge {
    pub cursor: String,
    pub node: Standard,
}

/// A page of standards.
pub struct StandardConnection {
    edges: Vec<StandardEdge>,
    page_info: PageInfo,
    query: StandardQuery,
}

#[Object]
impl StandardConnection {
    async fn edges(&self) -> &[StandardEdge] {
        &self.edges
    }
    async fn nodes(&self) -> Vec<&Standard> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// Exact number of standards that match; counted only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(query::count(&app(ctx).db, &self.query).await.map_err(ApiError::from)?)
    }
}

/// Highlighted parts of a hit, HTML-escaped with `<mark>` around matches.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct StandardHighlights {
    pub number: Option<String>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub committee_name: Option<String>,
}

#[derive(SimpleObject)]
pub struct StandardSearchEdge {
    pub cursor: String,
    pub node: Standard,
    pub highlights: StandardHighlights,
}

/// Results of a standards search.
#[derive(SimpleObject)]
pub struct StandardSearchResult {
    pub edges: Vec<StandardSearchEdge>,
    pub nodes: Vec<Standard>,
    pub page_info: PageInfo,
    /// Meilisearch's estimate, not an exact count; it stops at 10,000.
    pub estimated_total_count: i32,
    /// Counts by `level`, `status` (today), `nature` and `icsField` (first two digits of the ICS code).
    pub facets: Vec<Facet>,
    pub processing_time_ms: i32,
}

/// Queries of the standards catalogue.
#[derive(Default)]
pub struct StandardQueries;

#[Object]
impl StandardQueries {
    /// A standard by its number in any written form (`GB/T19001-2016`, `gb／t 19001—2016`). Without a year, the
    /// edition in force today (or the newest), and the answer says so.
    async fn standard(&self, ctx: &Context<'_>, number: String) -> Result<Option<StandardLookup>> {
        let n = StandardNumber::parse(&number).map_err(|e| ApiError::bad_input(format!("number: {e}")))?;
        let db = &app(ctx).db;
        if n.year().is_some() {
            let found = store::by_edition(db, &n.edition()).await.map_err(ApiError::from)?;
            return Ok(found.map(|s| StandardLookup {
                note: format!("the edition {}", s.data.number.edition()),
                standard: s,
                match_kind: StandardMatch::Exact,
            }));
        }
        let editions = store::editions(db, &n.family_key()).await.map_err(ApiError::from)?;
        let today = today_in_china();
        let current = editions
            .iter()
            .position(|s| s.status_on(today) == StandardStatus::Current);
        Ok(match current {
            Some(i) => {
                let s = editions.into_iter().nth(i).expect("index in range");
                Some(StandardLookup {
                    note: format!(
                        "{} has no year: {} is the edition in force on {today}",
                        n.family_key(),
                        s.data.number.edition()
                    ),
                    standard: s,
                    match_kind: StandardMatch::CurrentEdition,
                })
            }
            None => editions.into_iter().next().map(|s| StandardLookup {
                note: format!(
                    "{} has no year and no edition is in force on {today}: {} is the newest",
                    n.family_key(),
                    s.data.number.edition()
                ),
                standard: s,
                match_kind: StandardMatch::LatestEdition,
            }),
        })
    }

    /// Standards, newest issue first unless `orderBy` says otherwise. `first`/`last` default to 20, at most 100.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first.or(last), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn standards(
        &self,
        ctx: &Context<'_>,
        filter: Option<StandardFilter>,
        order_by: Option<StandardOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<StandardConnection> {
        let query = filter.unwrap_or_default().to_query()?;
        let order = order_by.unwrap_or_default();
        let field = match order.field {
            StandardOrderField::IssueDate => SortField::IssueDate,
            StandardOrderField::Number => SortField::Number,
        };
        let args = KeysetArgs {
            listing: "standards",
            sort: match field {
                SortField::IssueDate => "d",
                SortField::Number => "n",
            },
            descending: order.direction == crate::catalog::notices::graphql::OrderDirection::Desc,
            first,
            after,
            last,
            before,
        };
        let req = args.request_for(ctx, &|k| match field {
            SortField::IssueDate => k.parse::<NaiveDate>().ok().map(Into::into),
            SortField::Number => Some(k.to_string().into()),
        })?;
        let page = query::list(&app(ctx).db, &query, field, &req)
            .await
            .map_err(ApiError::from)?;
        let edges: Vec<StandardEdge> = page
            .rows
            .into_iter()
            .map(|s| {
                let key = match field {
                    SortField::IssueDate => s.data.issue_date.unwrap_or(store::UNKNOWN_DATE).to_string(),
                    SortField::Number => s.data.number.edition(),
                };
                StandardEdge {
                    cursor: args.cursor(&key, s.id),
                    node: s,
                }
            })
            .collect();
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(StandardConnection {
            page_info: PageInfo::from_cursors(&cursors, page.has_next, page.has_previous),
            edges,
            query,
        })
    }

    /// Full-text search over numbers (any form: `GB/T19001`, `19001-2016`), Chinese and English titles, committees
    /// and drafting organisations. Status filters apply to today.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn search_standards(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<StandardFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<StandardSearchResult> {
        let q = filter.unwrap_or_default().to_query()?;
        if let Some(d) = q.status_on
            && d != today_in_china()
            && !q.status.is_empty()
        {
            return Err(ApiError::bad_input(
                "searchStandards filters status as of today; use standards(filter:) for another day",
            )
            .into());
        }
        let (offset, size) = search_window("search-standards", first, after)?;
        let a = app(ctx);
        // The index holds names, not parts of names: the database says which standards `draftedBy` selects.
        let drafted = match &q.drafted_by {
            Some(org) => Some(
                query::ids_drafted_by(&a.db, org, q.drafted_as_lead)
                    .await
                    .map_err(ApiError::from)?,
            ),
            None => None,
        };
        let outcome = standard_search::search(
            &a.search,
            &query,
            &q,
            drafted.as_deref(),
            offset,
            size,
            crate::graphql::search::wanted(ctx),
        )
        .await
        .map_err(ApiError::Search)?;
        let ids: Vec<i32> = outcome.hits.iter().map(|h| h.id).collect();
        let mut found: std::collections::HashMap<i32, Standard> = store::by_ids(&a.db, &ids)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut edges = Vec::new();
        for (i, hit) in outcome.hits.iter().enumerate() {
            if let Some(s) = found.remove(&hit.id) {
                edges.push(StandardSearchEdge {
                    cursor: search_cursor("search-standards", offset + i),
                    node: s,
                    highlights: StandardHighlights {
                        number: hit.highlight("number"),
                        title_zh: hit.highlight("titleZh"),
                        title_en: hit.highlight("titleEn"),
                        committee_name: hit.highlight("committeeName"),
                    },
                });
            }
        }
        let total = outcome.estimated_total;
        let cursors: Vec<String> = edges.iter().map(|e| e.cursor.clone()).collect();
        Ok(StandardSearchResult {
            nodes: edges.iter().map(|e| e.node.clone()).collect(),
            page_info: search_page_info(&cursors, offset, size, total),
            edges,
            estimated_total_count: total as i32,
            facets: facets(outcome.facets),
            processing_time_ms: outcome.processing_ms as i32,
        })
    }
}

pub async fn node_by_id(app: &AppContext, id: i32) -> ApiResult<Option<Standard>> {
    Ok(store::by_ids(&app.db, &[id]).await?.into_iter().next())
}

/// Standard numbers written in a text (`GB 6675.1-2014`, `ISO 8124-1`): their family keys.
pub fn families_named_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        let c = chars[start];
        let boundary = start == 0 || !chars[start - 1].is_ascii_alphanumeric();
        if !boundary || !c.is_ascii_uppercase() {
            continue;
        }
        // Take a candidate up to a character that cannot be part of a number.
        let candidate: String = chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || " /.-:—".contains(**c))
            .take(40)
            .collect();
        let trimmed = candidate.trim_end_matches([' ', '/', '.', '-', ':']);
        if !trimmed.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        // Shorten word by word until it parses.
        let words: Vec<&str> = trimmed.split(' ').collect();
        for n in (1..=words.len().min(4)).rev() {
            let cand = words[..n].join(" ");
            if let Ok(num) = StandardNumber::parse(&cand)
                && num.level() != StandardLevel::Enterprise
            {
                let key = num.family_key();
                if !out.contains(&key) {
                    out.push(key);
                }
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_found_in_text() {
        let t = "本技术法规参照 GB 6675.1-2014 和 ISO 8124-1:2022 的要求，另见 EN 71-1。";
        let f = super::families_named_in(t);
        assert!(f.contains(&"GB 6675.1".to_string()), "{f:?}");
        assert!(f.contains(&"ISO 8124-1".to_string()), "{f:?}");
        assert!(f.contains(&"EN 71-1".to_string()), "{f:?}");
        assert!(super::families_named_in("no numbers here").is_empty());
    }
}
