//! The plans: for each kind of record asked for, its index, its filters and the fields it is highlighted,
//! cropped and counted by (`TypeSpec`).

use crate::search::http::MeiliHttp;
use meilisearch_sdk::search::{MultiSearchQuery, SearchQuery};

use super::{SearchFilter, SearchType};
use crate::catalog::listings::model::ListingKind;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::search::quote;

/// How one kind of record takes part in the mixed list.
pub(super) struct TypeSpec {
    /// The field shown highlighted (title or name).
    pub(super) headline: &'static str,
    /// A longer field cropped around the matches, if the kind has one.
    pub(super) snippet: Option<&'static str>,
    /// The field holding the division-code prefixes (2, 4 and 6 digits), if the kind has a region.
    pub(super) region: Option<&'static str>,
    /// The numeric year field, if any.
    pub(super) year: Option<&'static str>,
    /// The status values a kind knows and the filter each becomes.
    statuses: &'static [(&'static str, &'static str)],
    /// The status facet field.
    pub(super) status_field: Option<&'static str>,
    /// Multiplies the ranking scores of this kind in the mixed list (Meilisearch's federation weight).
    pub(super) weight: f32,
}

const STANDARD_STATUSES: [(&str, &str); 4] = [
    ("CURRENT", "status = \"CURRENT\""),
    ("UPCOMING", "status = \"UPCOMING\""),
    ("WITHDRAWN", "status = \"WITHDRAWN\""),
    ("REPLACED", "status = \"REPLACED\""),
];
const ZONE_STATUSES: [(&str, &str); 4] = [
    ("CULTIVATING", "status = \"CULTIVATING\""),
    ("APPLYING", "status = \"APPLYING\""),
    ("ACCEPTED", "status = \"ACCEPTED\""),
    ("REVOKED", "status = \"REVOKED\""),
];
const DECLARATION_STATUSES: [(&str, &str); 2] = [
    ("PUBLIC", "status = \"PUBLIC\""),
    ("WITHDRAWN", "status = \"WITHDRAWN\""),
];
const LISTING_STATUSES: [(&str, &str); 2] = [("ACTIVE", "active = true"), ("ENDED", "active = false")];

impl SearchType {
    pub(super) const ALL: [SearchType; 10] = [
        SearchType::Notice,
        SearchType::Standard,
        SearchType::Enterprise,
        SearchType::Brand,
        SearchType::Title,
        SearchType::Zone,
        SearchType::Policy,
        SearchType::CreditEntry,
        SearchType::Declaration,
        SearchType::Recall,
    ];

    /// The index its records are in (`Family::index`).
    fn index(self) -> &'static str {
        match self {
            SearchType::Notice => crate::catalog::notices::search::INDEX,
            SearchType::Standard => crate::catalog::standards::search::INDEX,
            SearchType::Enterprise => crate::catalog::enterprises::search::INDEX,
            SearchType::Brand | SearchType::Title | SearchType::CreditEntry => crate::catalog::listings::search::INDEX,
            SearchType::Zone => crate::catalog::zones::search::INDEX,
            SearchType::Policy => crate::catalog::policies::search::INDEX,
            SearchType::Declaration => crate::catalog::declarations::search::INDEX,
            SearchType::Recall => crate::catalog::recalls::search::INDEX,
        }
    }

    pub(super) fn listing_kind(self) -> Option<ListingKind> {
        match self {
            SearchType::Brand => Some(ListingKind::Brand),
            SearchType::Title => Some(ListingKind::Title),
            SearchType::CreditEntry => Some(ListingKind::Credit),
            _ => None,
        }
    }

    /// The GraphQL type name, also the type part of global IDs.
    pub(super) fn type_name(self) -> &'static str {
        match self {
            SearchType::Notice => "Notice",
            SearchType::Standard => "Standard",
            SearchType::Enterprise => "Enterprise",
            SearchType::Brand => "Brand",
            SearchType::Title => "Title",
            SearchType::Zone => "Zone",
            SearchType::Policy => "Policy",
            SearchType::CreditEntry => "CreditEntry",
            SearchType::Declaration => "Declaration",
            SearchType::Recall => "Recall",
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            SearchType::Notice => "NOTICE",
            SearchType::Standard => "STANDARD",
            SearchType::Enterprise => "ENTERPRISE",
            SearchType::Brand => "BRAND",
            SearchType::Title => "TITLE",
            SearchType::Zone => "ZONE",
            SearchType::Policy => "POLICY",
            SearchType::CreditEntry => "CREDIT_ENTRY",
            SearchType::Declaration => "DECLARATION",
            SearchType::Recall => "RECALL",
        }
    }

    fn spec(self) -> TypeSpec {
        let listing = |headline, snippet| TypeSpec {
            headline,
            snippet,
            region: Some("regionPrefixes"),
            year: Some("year"),
            statuses: &LISTING_STATUSES,
            status_field: Some("active"),
            weight: 1.0,
        };
        match self {
            SearchType::Notice => TypeSpec {
                headline: "titleZh",
                snippet: Some("descriptionZh"),
                region: None,
                year: Some("year"),
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
            SearchType::Standard => TypeSpec {
                headline: "titleZh",
                snippet: None,
                region: None,
                year: Some("year"),
                statuses: &STANDARD_STATUSES,
                status_field: Some("status"),
                weight: 1.0,
            },
            SearchType::Enterprise => TypeSpec {
                headline: "name",
                snippet: Some("mainProducts"),
                region: Some("regionPrefixes"),
                year: None,
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
            SearchType::Brand => listing("name", Some("product")),
            SearchType::Title => listing("name", Some("enterpriseName")),
            SearchType::CreditEntry => listing("enterpriseName", Some("reason")),
            SearchType::Zone => TypeSpec {
                headline: "name",
                snippet: Some("members"),
                region: Some("regionPrefixes"),
                year: None,
                statuses: &ZONE_STATUSES,
                status_field: Some("status"),
                weight: 1.0,
            },
            SearchType::Policy => TypeSpec {
                headline: "title",
                snippet: Some("text"),
                region: None,
                year: Some("year"),
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
            SearchType::Declaration => TypeSpec {
                headline: "standardName",
                snippet: Some("products"),
                region: Some("regionPrefixes"),
                year: Some("year"),
                statuses: &DECLARATION_STATUSES,
                status_field: Some("status"),
                weight: 1.0,
            },
            SearchType::Recall => TypeSpec {
                headline: "title",
                snippet: Some("description"),
                region: None,
                year: Some("year"),
                statuses: &[],
                status_field: None,
                weight: 1.0,
            },
        }
    }
}

/// A division code reduced to its significant prefix: `330000` is `33`, `330200` is `3302`.
pub(super) fn region_prefix(code: &str) -> Result<String, ApiError> {
    let c = code.trim();
    let bad = || {
        ApiError::bad_input(format!(
            "filter.region: {code:?} is not a division code of 2, 4 or 6 digits"
        ))
    };
    if !matches!(c.len(), 2 | 4 | 6) || !c.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut p = c.to_string();
    while p.len() > 2 && p.ends_with("00") {
        p.truncate(p.len() - 2);
    }
    if p == "00" {
        return Err(bad());
    }
    Ok(p)
}

/// One search of one kind of record: its index, its filters and its part of the facets.
pub(super) struct Plan {
    pub(super) t: SearchType,
    pub(super) uid: String,
    pub(super) filters: Vec<String>,
    pub(super) spec: TypeSpec,
}

/// The indexes and filter arrays of a list of plans, kept while the queries built from them borrow them.
pub(super) struct PlanIndexes<'p> {
    plans: &'p [Plan],
    indexes: Vec<meilisearch_sdk::indexes::Index<MeiliHttp>>,
    filters: Vec<Vec<&'p str>>,
}

impl<'p> PlanIndexes<'p> {
    pub(super) fn new(app: &AppContext, plans: &'p [Plan]) -> PlanIndexes<'p> {
        PlanIndexes {
            plans,
            indexes: plans.iter().map(|p| app.search.client.index(&p.uid)).collect(),
            filters: plans
                .iter()
                .map(|p| p.filters.iter().map(String::as_str).collect())
                .collect(),
        }
    }

    /// The query of plan `i`: the text against its index, with its filters.
    fn query<'a>(&'a self, i: usize, q: &'a str) -> SearchQuery<'a, MeiliHttp>
    where
        'p: 'a,
    {
        let mut sq = SearchQuery::new(&self.indexes[i]);
        sq.with_query(q);
        if !self.filters[i].is_empty() {
            sq.with_array_filter(self.filters[i].clone());
        }
        sq
    }

    /// A multi-search of `q` over the plans, the query of plan `i` finished by `finish(i, query)`. A federated
    /// search (`weighted`) takes each query with its plan's weight.
    pub(super) fn multi_search<'a>(
        &'a self,
        app: &'a AppContext,
        q: &'a str,
        weighted: bool,
        finish: impl FnMut(usize, &mut SearchQuery<'a, MeiliHttp>),
    ) -> MultiSearchQuery<'a, 'a, MeiliHttp>
    where
        'p: 'a,
    {
        let weights: Option<Vec<f32>> = weighted.then(|| self.plans.iter().map(|p| p.spec.weight).collect());
        self.multi_search_each(app, |_| q, weights, finish)
    }

    /// A multi-search where plan `i` searches `text(i)` and, in a federated search, weighs `weights[i]`.
    pub(super) fn multi_search_each<'a>(
        &'a self,
        app: &'a AppContext,
        text: impl Fn(usize) -> &'a str,
        weights: Option<Vec<f32>>,
        mut finish: impl FnMut(usize, &mut SearchQuery<'a, MeiliHttp>),
    ) -> MultiSearchQuery<'a, 'a, MeiliHttp>
    where
        'p: 'a,
    {
        let mut multi = app.search.client.multi_search();
        for i in 0..self.plans.len() {
            let mut sq = self.query(i, text(i));
            finish(i, &mut sq);
            match &weights {
                Some(w) => multi.with_search_query_and_weight(sq, w[i]),
                None => multi.with_search_query(sq),
            };
        }
        multi
    }
}

/// The searches `types` and `filter` call for; kinds the filter cannot apply to are left out.
/// `region` is the filter's region already read by [`region_prefix`].
pub(super) fn plans(
    app: &AppContext,
    types: &[SearchType],
    filter: &SearchFilter,
    region: Option<&str>,
) -> Result<Vec<Plan>, ApiError> {
    let statuses: Vec<String> = filter
        .status
        .iter()
        .flatten()
        .map(|s| s.trim().to_ascii_uppercase())
        .collect();
    for s in &statuses {
        let known = SearchType::ALL
            .iter()
            .any(|t| t.spec().statuses.iter().any(|(v, _)| v == s));
        if !known {
            return Err(ApiError::bad_input(format!(
                "filter.status: {s:?} is none of CURRENT, UPCOMING, WITHDRAWN, REPLACED, ACTIVE, ENDED, \
                 CULTIVATING, APPLYING, ACCEPTED, REVOKED, PUBLIC"
            )));
        }
    }
    let mut out = Vec::new();
    'types: for &t in types {
        let spec = t.spec();
        let mut filters = Vec::new();
        if let Some(k) = t.listing_kind() {
            filters.push(format!("kind = {}", quote(k.as_str())));
        }
        if let Some(r) = region {
            let Some(field) = spec.region else { continue 'types };
            filters.push(format!("{field} = {}", quote(r)));
        }
        if let Some(y) = filter.year {
            let Some(field) = spec.year else { continue 'types };
            filters.push(format!("{field} = {y}"));
        }
        if !statuses.is_empty() {
            let conds: Vec<&str> = spec
                .statuses
                .iter()
                .filter(|(v, _)| statuses.iter().any(|s| s == v))
                .map(|(_, cond)| *cond)
                .collect();
            if conds.is_empty() {
                continue 'types;
            }
            filters.push(conds.join(" OR "));
        }
        out.push(Plan {
            t,
            uid: app.search.index_uid(t.index()),
            filters,
            spec,
        });
    }
    Ok(out)
}
