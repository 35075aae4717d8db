//! The standard search document, its index settings, and full-text search over standards.

use chrono::Datelike;
use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use super::model::Standard;
use super::number::StandardNumber;
use super::store::{self, StandardQuery};
use crate::graphql::scalars::today_in_china;
use crate::search::family::{Documents, documents_of};
use crate::search::text::{han_bigrams, prepare_query};
use crate::search::{IndexSpec, RawOutcome, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "standards";

pub use crate::search::MAX_TOTAL_HITS;

/// What Meilisearch stores for a standard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandardDoc {
    pub id: i32,
    pub number: String,
    /// Compact forms that survive tokenising: `GBT19001`, `GBT190012016`, `19001`, `190012016`.
    pub number_codes: Vec<String>,
    pub family_key: String,
    pub level: String,
    pub nature: Option<String>,
    /// Status on the day the document was written; refreshed by the worker when a date passes.
    pub status: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub ics_codes: Vec<String>,
    pub ics_prefixes: Vec<String>,
    /// The first field of the ICS code (`97`), for facets.
    pub ics_field: Vec<String>,
    pub ccs_code: Option<String>,
    pub committee: Option<String>,
    pub committee_name: Option<String>,
    pub drafting_organizations: Vec<String>,
    pub adoption_number: Option<String>,
    pub industry_code: Option<String>,
    pub region_code: Option<String>,
    pub group_org: Option<String>,
    pub issue_date: Option<u32>,
    pub implementation_date: Option<u32>,
    pub year: Option<u16>,
    /// The level and nature in Chinese words (`国家标准 强制性国家标准`), so those words find the standard.
    pub labels: String,
    /// 2 for a current standard, 1 for one not yet in force, 0 otherwise: the last ranking rule, so that among
    /// equal matches the editions in force come first.
    pub in_force: u8,
    pub overlap: String,
}

/// The words people use for a level and a nature.
fn labels(level: super::number::StandardLevel, nature: Option<super::model::StandardNature>) -> String {
    use super::model::StandardNature as N;
    use super::number::StandardLevel as L;
    let level = match level {
        L::National => "国家标准 国标",
        L::Industry => "行业标准",
        L::Local => "地方标准",
        L::Group => "团体标准",
        L::Enterprise => "企业标准",
        L::International => "国际标准",
        L::Foreign => "国外标准",
    };
    let nature = match nature {
        Some(N::Mandatory) => "强制性标准 强标",
        Some(N::Recommended) => "推荐性标准",
        Some(N::Guidance) => "指导性技术文件",
        None => "",
    };
    format!("{level} {nature}").trim().to_string()
}

fn ymd(d: chrono::NaiveDate) -> u32 {
    d.year() as u32 * 10_000 + d.month() * 100 + d.day()
}

/// Compact codes of a number: with and without the code and the year.
pub fn number_codes(n: &StandardNumber) -> Vec<String> {
    let alnum = |s: &str| -> String { s.chars().filter(|c| c.is_ascii_alphanumeric()).collect() };
    let seq = alnum(n.sequence());
    let mut v = vec![n.compact_family(), seq.clone()];
    if let Some(y) = n.year() {
        v.push(format!("{}{y}", n.compact_family()));
        v.push(format!("{seq}{y}"));
    }
    v.dedup();
    v
}

impl StandardDoc {
    pub fn from_standard(s: &Standard) -> StandardDoc {
        let d = &s.data;
        let mut ics_prefixes = Vec::new();
        let mut ics_field = Vec::new();
        for c in &d.ics_codes {
            for end in 1..=c.len() {
                let p = c[..end].to_string();
                if !ics_prefixes.contains(&p) {
                    ics_prefixes.push(p);
                }
            }
            let f = c[..2.min(c.len())].to_string();
            if !ics_field.contains(&f) {
                ics_field.push(f);
            }
        }
        let status = s.status_on(today_in_china());
        let orgs: Vec<String> = d.drafting_organizations.iter().map(|o| o.name.clone()).collect();
        StandardDoc {
            id: s.id,
            number: d.number.edition(),
            number_codes: number_codes(&d.number),
            family_key: d.number.family_key(),
            level: d.number.level().as_str().into(),
            nature: d.nature.map(|n| n.as_str().to_string()),
            status: status.as_str().into(),
            title_zh: d.title_zh.clone(),
            title_en: d.title_en.clone(),
            ics_codes: d.ics_codes.clone(),
            ics_prefixes,
            ics_field,
            ccs_code: d.ccs_code.clone(),
            committee: d.committee.clone(),
            committee_name: d.committee_name.clone(),
            overlap: han_bigrams(
                [&d.title_zh, &d.committee_name]
                    .into_iter()
                    .filter_map(|t| t.as_deref())
                    .chain(orgs.iter().map(String::as_str)),
            ),
            drafting_organizations: orgs,
            adoption_number: d.adoption.as_ref().map(|a| a.1.clone()),
            industry_code: (d.number.level() == super::number::StandardLevel::Industry).then(|| d.number.code().into()),
            region_code: d
                .number
                .code()
                .strip_prefix("DB")
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            group_org: d.number.code().strip_prefix("T/").map(str::to_string),
            issue_date: d.issue_date.map(ymd),
            implementation_date: d.implementation_date.map(ymd),
            year: d.number.year(),
            labels: labels(d.number.level(), d.nature),
            in_force: match status {
                super::model::StandardStatus::Current => 2,
                super::model::StandardStatus::Upcoming => 1,
                _ => 0,
            },
        }
    }
}

pub const FACETS: [&str; 4] = ["level", "status", "nature", "icsField"];

pub fn index_settings() -> IndexSettings {
    // Meilisearch's default rules, then the editions in force before the others.
    build_settings(&IndexSpec {
        searchable: &[
            "numberCodes",
            "number",
            "titleZh",
            "titleEn",
            "adoptionNumber",
            "committee",
            "committeeName",
            "draftingOrganizations",
            "labels",
            "icsCodes",
            "overlap",
        ],
        filterable: &[
            // `draftedBy` is resolved in the database and filters by id.
            "id",
            "level",
            "nature",
            "status",
            "industryCode",
            "regionCode",
            "groupOrg",
            "icsPrefixes",
            "icsField",
            "ccsCode",
            "committee",
            "issueDate",
            "implementationDate",
            "familyKey",
            "year",
        ],
        sortable: &["issueDate", "implementationDate"],
        displayed: &[
            "id",
            "number",
            "titleZh",
            "titleEn",
            "committeeName",
            "draftingOrganizations",
        ],
        no_typos: &["numberCodes", "number", "icsCodes", "adoptionNumber", "committee"],
    })
    .with_ranking_rules([
        "words",
        "typo",
        "proximity",
        "attribute",
        "sort",
        "exactness",
        "inForce:desc",
    ])
}

/// Filters of a standards search. Status is that of today (documents are refreshed when a date passes); a
/// status on another day is answered from the dates. `drafted` holds the ids of the standards `draftedBy` selects
/// (read from the database by [`super::query::ids_drafted_by`]); an empty list, or none, matches nothing.
fn filter_array(q: &StandardQuery, drafted: Option<&[i32]>) -> Vec<String> {
    let list = |vals: Vec<String>| vals.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ");
    let mut f = Vec::new();
    if !q.levels.is_empty() {
        f.push(format!(
            "level IN [{}]",
            list(q.levels.iter().map(|l| l.as_str().to_string()).collect())
        ));
    }
    if !q.natures.is_empty() {
        f.push(format!(
            "nature IN [{}]",
            list(q.natures.iter().map(|l| l.as_str().to_string()).collect())
        ));
    }
    if !q.status.is_empty() {
        f.push(format!(
            "status IN [{}]",
            list(q.status.iter().map(|l| l.as_str().to_string()).collect())
        ));
    }
    if !q.industry_codes.is_empty() {
        f.push(format!("industryCode IN [{}]", list(q.industry_codes.clone())));
    }
    if let Some(r) = &q.region_prefix {
        f.push(format!("regionCode STARTS WITH {}", quote(r)));
    }
    if !q.group_orgs.is_empty() {
        f.push(format!("groupOrg IN [{}]", list(q.group_orgs.clone())));
    }
    if !q.ics_prefixes.is_empty() {
        f.push(format!("icsPrefixes IN [{}]", list(q.ics_prefixes.clone())));
    }
    if !q.ccs_prefixes.is_empty() {
        let any: Vec<String> = q
            .ccs_prefixes
            .iter()
            .map(|p| format!("ccsCode STARTS WITH {}", quote(p)))
            .collect();
        f.push(format!("({})", any.join(" OR ")));
    }
    if let Some(tc) = &q.committee {
        f.push(format!("committee = {}", quote(tc)));
    }
    for (name, from, to) in [
        ("issueDate", q.issued_from, q.issued_to),
        ("implementationDate", q.implemented_from, q.implemented_to),
    ] {
        if let Some(d) = from {
            f.push(format!("{name} >= {}", ymd(d)));
        }
        if let Some(d) = to {
            f.push(format!("{name} <= {}", ymd(d)));
        }
    }
    if let Some(k) = &q.family_key {
        f.push(format!("familyKey = {}", quote(k)));
    }
    if q.drafted_by.is_some() {
        // Without its ids the filter still holds: nothing matches, never the whole catalogue.
        let ids: Vec<String> = drafted.unwrap_or_default().iter().map(i32::to_string).collect();
        f.push(format!("id IN [{}]", ids.join(", ")));
    }
    f
}

/// A query that is a standard number (in any form) is sent as its compact codes and must match whole.
pub(crate) fn plan(query: &str) -> (String, bool) {
    let q = prepare_query(query);
    if q.chars().any(|c| c.is_ascii_digit())
        && let Ok(n) = StandardNumber::parse(&q)
    {
        let codes = number_codes(&n);
        let best = if n.year().is_some() {
            codes[2].clone()
        } else {
            codes[0].clone()
        };
        return (best, true);
    }
    // `19001-2016` without a code: the sequence and year glued.
    if let Some((seq, year)) = q.split_once('-')
        && seq.chars().all(|c| c.is_ascii_digit() || c == '.')
        && year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
    {
        let seq: String = seq.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        return (format!("{seq}{year}"), true);
    }
    (q, false)
}

/// Searches standards. `drafted` holds the ids of the standards `filter.drafted_by` selects, read from the
/// database ([`super::query::ids_drafted_by`]): the index cannot match a part of a name.
pub async fn search(
    search: &Search,
    query: &str,
    filter: &StandardQuery,
    drafted: Option<&[i32]>,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
) -> anyhow::Result<RawOutcome> {
    let (q, exact) = plan(query);
    search
        .run(&SearchRequest {
            index: INDEX,
            query: q,
            exact,
            filters: filter_array(filter, drafted),
            highlight: &["number", "titleZh", "titleEn", "committeeName", "draftingOrganizations"],
            crop: &[],
            facets: &FACETS,
            retrieve: &[],
            offset,
            limit,
            want,
        })
        .await
}

crate::search_family! {
    /// The standards' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Standards;
    kind: store::OUTBOX, settings: index_settings,
    meaning: &["titleZh", "titleEn"], entity: super::entity::standard;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        documents_of(store::by_ids(db, ids), |s| s.id, StandardDoc::from_standard)
    }

    /// A standard's status (in force, withdrawn, replaced) follows from its dates.
    fn changing_between<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        last: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> BoxFuture<'a, anyhow::Result<Vec<i32>>> {
        Box::pin(super::query::ids_changing_status(txn, last, today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_queries_become_compact_codes() {
        assert_eq!(plan("GB/T19001"), ("GBT19001".into(), true));
        assert_eq!(plan("gb/t 19001-2016"), ("GBT190012016".into(), true));
        assert_eq!(plan("19001-2016"), ("190012016".into(), true));
        assert!(!plan("玩具安全").1);
    }

    #[test]
    fn drafted_by_always_filters() {
        let q = StandardQuery {
            drafted_by: Some("无此单位".into()),
            ..Default::default()
        };
        assert_eq!(filter_array(&q, Some(&[])), vec!["id IN []"]);
        assert_eq!(filter_array(&q, Some(&[3, 14])), vec!["id IN [3, 14]"]);
        assert_eq!(filter_array(&q, None), vec!["id IN []"]);
        assert!(filter_array(&StandardQuery::default(), None).is_empty());
    }

    #[test]
    fn codes_of_a_number() {
        let n = StandardNumber::parse("GB 4806.7-2016").unwrap();
        assert_eq!(number_codes(&n), vec!["GB48067", "48067", "GB480672016", "480672016"]);
    }
}
