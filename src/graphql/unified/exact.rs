//! Exact records: a code-shaped query (notice symbol, standard number, credit code, document number, HS or ICS
//! code) puts the records it names before the text hits.

use anyhow::Result;
use meilisearch_sdk::search::Selectors;

use super::federated::Hit;
use super::plan::Plan;
use super::{Key, SearchType};
use crate::catalog::codes::{normalise_hs, normalise_ics};
use crate::catalog::enterprises::store as ent_store;
use crate::catalog::enterprises::uscc::Uscc;
use crate::catalog::notices::store as notice_store;
use crate::catalog::notices::symbol::NoticeSymbol;
use crate::catalog::policies::number::DocumentNumber;
use crate::catalog::policies::store as policy_store;
use crate::catalog::standards::model::StandardStatus;
use crate::catalog::standards::number::StandardNumber;
use crate::catalog::standards::store as standard_store;
use crate::context::AppContext;
use crate::search::quote;
use crate::search::text::prepare_query;

/// The most records a code naming a class (an HS or ICS code) puts first.
const MAX_EXACT: usize = 5;

/// An HS code as typed (`9503`, `9503.00`, `95030000`): its digits, when the query is nothing else. A heading
/// at least: two digits alone are too often something else.
fn hs_code(q: &str) -> Option<String> {
    if q.starts_with('.') || q.ends_with('.') {
        return None;
    }
    normalise_hs(q).filter(|d| matches!(d.len(), 4 | 6 | 8 | 10))
}

/// An ICS code of a group or sub-group (`97.200`, `97.200.50`), when the query is nothing else; a field alone
/// (`97`) is too often something else.
fn ics_code(q: &str) -> Option<String> {
    normalise_ics(q).filter(|c| c.contains('.'))
}

/// The records a code-shaped query names, best first: a notice symbol, credit code, document number or standard
/// number names one record (looked up in the database); an HS or ICS code names the notices and standards
/// classified under it (from the index, newest first, at most five).
pub(super) async fn exact_records(app: &AppContext, query: &str, plans: &[Plan], filtered: bool) -> Result<Vec<Key>> {
    let q = prepare_query(query);
    let q = q.as_str();
    let plan = |t: SearchType| plans.iter().find(|p| p.t == t);
    if let Some(code) = hs_code(q) {
        return match plan(SearchType::Notice) {
            Some(p) => classified(app, p, "hsPrefixes", &code, "distributionDate:desc", MAX_EXACT).await,
            None => Ok(Vec::new()),
        };
    }
    if let Some(code) = ics_code(q) {
        let mut out = Vec::new();
        for (t, sort) in [
            (SearchType::Standard, "issueDate:desc"),
            (SearchType::Notice, "distributionDate:desc"),
        ] {
            if let Some(p) = plan(t) {
                out.extend(classified(app, p, "icsPrefixes", &code, sort, MAX_EXACT - out.len()).await?);
            }
        }
        return Ok(out);
    }
    // A named record is looked up whatever the filter says; with a filter the text search decides.
    if filtered {
        return Ok(Vec::new());
    }
    let wants = |t: SearchType| plan(t).is_some();
    if wants(SearchType::Notice)
        && q.contains('/')
        && let Ok(sym) = NoticeSymbol::parse(q)
        && let Some(n) = notice_store::by_symbol(&app.db, &sym).await?
    {
        return Ok(vec![(SearchType::Notice, n.id)]);
    }
    if wants(SearchType::Enterprise)
        && let Ok(code) = Uscc::read(q)
        && let Some(e) = ent_store::enterprise_by_code(&app.db, code.as_str()).await?
    {
        return Ok(vec![(SearchType::Enterprise, e.id)]);
    }
    if wants(SearchType::Policy)
        && let Ok(n) = DocumentNumber::parse(q)
        && let Some(p) = policy_store::by_number(&app.db, &n).await?
    {
        return Ok(vec![(SearchType::Policy, p.id)]);
    }
    if wants(SearchType::Standard)
        && q.chars().any(|c| c.is_ascii_digit())
        && q.chars().any(|c| c.is_ascii_alphabetic())
        && let Ok(n) = StandardNumber::parse(q)
    {
        let found = if n.year().is_some() {
            standard_store::by_edition(&app.db, &n.edition()).await?
        } else {
            let today = crate::graphql::scalars::today_in_china();
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
            return Ok(vec![(SearchType::Standard, s.id)]);
        }
    }
    Ok(Vec::new())
}

/// The records of one kind classified under a code (`field = code`), in `sort` order.
async fn classified(app: &AppContext, p: &Plan, field: &str, code: &str, sort: &str, limit: usize) -> Result<Vec<Key>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let index = app.search.client.index(&p.uid);
    let mut filters: Vec<String> = p.filters.clone();
    filters.push(format!("{field} = {}", quote(code)));
    let filter_refs: Vec<&str> = filters.iter().map(String::as_str).collect();
    let sorts = [sort];
    let mut sq = index.search();
    sq.with_query("")
        .with_limit(limit)
        .with_sort(&sorts)
        .with_attributes_to_retrieve(Selectors::Some(&["id"]))
        .with_array_filter(filter_refs);
    let res = app.search.timed("classified search", sq.execute::<Hit>()).await?;
    Ok(res.hits.into_iter().map(|h| (p.t, h.result.id)).collect())
}
