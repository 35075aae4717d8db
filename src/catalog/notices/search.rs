//! The notice search document, its index settings, and full-text search with filters, highlights and facets.

use futures_util::future::BoxFuture;
use meilisearch_sdk::settings::Settings as IndexSettings;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::members;
use super::model::Notice;
use super::store::{self, NoticeQuery};
use super::symbol::NoticeSymbol;
use crate::search::family::{Documents, documents_of};
use crate::search::text::{han_bigrams, prepare_query};
use crate::search::{IndexSpec, Search, SearchRequest, build_settings, quote};

/// The index name, without the configured prefix.
pub const INDEX: &str = "notices";

pub use crate::search::MAX_TOTAL_HITS;

/// What Meilisearch stores for a notice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeDoc {
    pub id: i32,
    pub symbols: Vec<String>,
    /// Each symbol without separators (`GTBTNUSA1598ADD1`) and as member+number (`USA1598`).
    pub symbol_codes: Vec<String>,
    /// The base symbols without separators: an original and its follow-ups share them.
    pub base_codes: Vec<String>,
    pub base_symbol: String,
    pub area: String,
    pub kind: String,
    pub member: Vec<String>,
    pub member_names: Vec<String>,
    /// Words for the area and kind (`技术性贸易措施 通报`, `补遗`), so such words find the notices.
    pub labels: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub title_original: Option<String>,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    pub products_text: Option<String>,
    pub hs_codes: Vec<String>,
    /// Every prefix of every HS code, for prefix filters and for typing `9503`.
    pub hs_prefixes: Vec<String>,
    pub ics_codes: Vec<String>,
    pub ics_prefixes: Vec<String>,
    pub objectives: Vec<String>,
    pub keywords: Vec<String>,
    pub agency: Option<String>,
    /// `YYYYMMDD` as a number, for range filters and sorting.
    pub distribution_date: u32,
    /// The comment deadline in force (an addendum may have extended the notice's own), `YYYYMMDD`.
    pub comment_deadline: Option<u32>,
    pub year: i32,
    /// Overlapping Chinese bigrams of the Chinese text; searched last.
    pub overlap: String,
}

fn ymd(d: chrono::NaiveDate) -> u32 {
    use chrono::Datelike;
    d.year() as u32 * 10_000 + d.month() * 100 + d.day()
}

fn prefixes(codes: &[String], min: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in codes {
        for end in min..=c.len() {
            if c.is_char_boundary(end) {
                let p = c[..end].to_string();
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

fn compact_codes(s: &NoticeSymbol) -> Vec<String> {
    let mut v = vec![s.compact()];
    if let Some(m) = s.member() {
        v.push(format!("{m}{}", s.number()));
    }
    v
}

impl NoticeDoc {
    pub fn from_notice(n: &Notice) -> NoticeDoc {
        let d = &n.data;
        use chrono::Datelike;
        let mut member_codes: Vec<String> = Vec::new();
        for s in &d.symbols {
            let m = s.member().unwrap_or(&d.member).to_string();
            if !member_codes.contains(&m) {
                member_codes.push(m);
            }
        }
        let mut member_names = Vec::new();
        for code in &member_codes {
            let m = members::member(code);
            member_names.extend(m.name_zh);
            member_names.extend(m.name_en);
        }
        let mut labels = match d.area.as_str() {
            "TBT" => "技术性贸易措施 技术性贸易壁垒 TBT 通报".to_string(),
            _ => "卫生与植物卫生措施 SPS 通报".to_string(),
        };
        labels.push(' ');
        labels.push_str(match d.kind.as_str() {
            "ADDENDUM" => "补遗 addendum",
            "CORRIGENDUM" => "勘误 corrigendum",
            "REVISION" => "修订 revision",
            "SUPPLEMENT" => "增补 supplement",
            "EMERGENCY" => "紧急通报 emergency",
            "RECOGNITION_OF_EQUIVALENCE" => "等效性承认 equivalence",
            _ => "",
        });
        let mut symbol_codes = Vec::new();
        let mut base_codes = Vec::new();
        for s in &d.symbols {
            symbol_codes.extend(compact_codes(s));
            base_codes.extend(compact_codes(&s.base()));
        }
        let overlap = han_bigrams(
            [&d.title_zh, &d.description_zh, &d.products_text]
                .into_iter()
                .filter_map(|t| t.as_deref())
                .chain(d.keywords.iter().map(String::as_str)),
        );
        NoticeDoc {
            id: n.id,
            symbols: d.symbols.iter().map(|s| s.to_string()).collect(),
            symbol_codes,
            base_codes,
            base_symbol: d.primary_symbol().base().to_string(),
            area: d.area.as_str().to_string(),
            kind: d.kind.as_str().to_string(),
            member: member_codes,
            member_names,
            labels: labels.trim().to_string(),
            title_zh: d.title_zh.clone(),
            title_en: d.title_en.clone(),
            title_original: d.title_original.clone(),
            description_zh: d.description_zh.clone(),
            description_en: d.description_en.clone(),
            products_text: d.products_text.clone(),
            hs_codes: d.hs_codes.clone(),
            hs_prefixes: prefixes(&d.hs_codes, 1),
            ics_codes: d.ics_codes.clone(),
            ics_prefixes: prefixes(&d.ics_codes, 1),
            objectives: d.objectives.iter().map(|o| o.as_str().to_string()).collect(),
            keywords: d.keywords.clone(),
            agency: d.agency.clone(),
            distribution_date: ymd(d.distribution_date),
            comment_deadline: n.deadline_in_force.map(ymd),
            year: d.distribution_date.year(),
            overlap,
        }
    }
}

/// The facets a notice search counts.
pub const FACETS: [&str; 5] = ["member", "area", "kind", "objectives", "year"];

/// Index settings, applied at start-up and on every rebuild.
pub fn index_settings() -> IndexSettings {
    build_settings(&IndexSpec {
        searchable: &[
            "symbolCodes",
            "baseCodes",
            "symbols",
            "titleZh",
            "titleEn",
            "titleOriginal",
            "productsText",
            "hsPrefixes",
            "icsCodes",
            "keywords",
            "memberNames",
            "labels",
            "descriptionZh",
            "descriptionEn",
            "agency",
            "overlap",
        ],
        filterable: &[
            "area",
            "kind",
            "member",
            "hsPrefixes",
            "icsPrefixes",
            "objectives",
            "distributionDate",
            "commentDeadline",
            "year",
            "baseSymbol",
        ],
        sortable: &["distributionDate", "commentDeadline"],
        displayed: &[
            "id",
            "symbols",
            "area",
            "kind",
            "titleZh",
            "titleEn",
            "titleOriginal",
            "descriptionZh",
            "descriptionEn",
            "productsText",
            "hsCodes",
            "icsCodes",
            "keywords",
            "agency",
            "distributionDate",
            "commentDeadline",
        ],
        no_typos: &["symbolCodes", "baseCodes", "hsPrefixes", "icsCodes", "memberNames"],
    })
}

/// The filter array for Meilisearch: one condition an element (elements are ANDed), every value quoted.
pub fn filter_array(q: &NoticeQuery) -> Vec<String> {
    let list = |vals: Vec<String>| vals.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ");
    let mut f = Vec::new();
    if let Some(a) = q.area {
        f.push(format!("area = {}", quote(a.as_str())));
    }
    if !q.kinds.is_empty() {
        f.push(format!(
            "kind IN [{}]",
            list(q.kinds.iter().map(|k| k.as_str().to_string()).collect())
        ));
    }
    if !q.members.is_empty() {
        f.push(format!("member IN [{}]", list(q.members.clone())));
    }
    if !q.hs_prefixes.is_empty() {
        f.push(format!("hsPrefixes IN [{}]", list(q.hs_prefixes.clone())));
    }
    if !q.ics_prefixes.is_empty() {
        f.push(format!("icsPrefixes IN [{}]", list(q.ics_prefixes.clone())));
    }
    if !q.objectives.is_empty() {
        f.push(format!(
            "objectives IN [{}]",
            list(q.objectives.iter().map(|o| o.as_str().to_string()).collect())
        ));
    }
    if let Some(d) = q.distributed_from {
        f.push(format!("distributionDate >= {}", ymd(d)));
    }
    if let Some(d) = q.distributed_to {
        f.push(format!("distributionDate <= {}", ymd(d)));
    }
    if let Some(d) = q.open_for_comment_on {
        f.push(format!("distributionDate <= {}", ymd(d)));
        f.push(format!("commentDeadline >= {}", ymd(d)));
    }
    if let Some(b) = &q.base_symbol {
        f.push(format!("baseSymbol = {}", quote(b)));
    }
    f
}

/// Highlighted and cropped text of one hit, HTML-escaped with `<mark>` around matches.
#[derive(Debug, Clone, Default)]
pub struct Highlights {
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    pub products_text: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub id: i32,
    pub highlights: Highlights,
    /// The stored attributes asked for (`search`'s `retrieve`).
    pub document: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub hits: Vec<Hit>,
    pub estimated_total: usize,
    pub facets: Vec<(String, Vec<(String, usize)>)>,
    pub processing_ms: usize,
}

/// How a query is sent: code-shaped queries are rewritten to the compact code and must match whole.
fn plan(query: &str) -> (String, bool) {
    let q = prepare_query(query);
    if let Ok(sym) = NoticeSymbol::parse(&q)
        && q.contains('/')
    {
        return (sym.compact(), true);
    }
    let codey = !q.is_empty()
        && q.chars().all(|c| c.is_ascii_alphanumeric() || "/.-: ".contains(c))
        && q.chars().any(|c| c.is_ascii_digit());
    (q, codey)
}

pub async fn search(
    search: &Search,
    query: &str,
    filter: &NoticeQuery,
    offset: usize,
    limit: usize,
    want: crate::search::Wanted,
    retrieve: &[&str],
) -> anyhow::Result<Outcome> {
    let (q, exact) = plan(query);
    let raw = search
        .run(&SearchRequest {
            index: INDEX,
            query: q,
            exact,
            filters: filter_array(filter),
            highlight: &["titleZh", "titleEn", "descriptionZh", "descriptionEn", "productsText"],
            crop: &[("descriptionZh", Some(60)), ("descriptionEn", Some(40))],
            facets: &FACETS,
            retrieve,
            offset,
            limit,
            want,
        })
        .await?;
    Ok(Outcome {
        hits: raw
            .hits
            .into_iter()
            .map(|h| Hit {
                id: h.id,
                highlights: Highlights {
                    title_zh: h.highlight("titleZh"),
                    title_en: h.highlight("titleEn"),
                    description_zh: h.highlight("descriptionZh"),
                    description_en: h.highlight("descriptionEn"),
                    products_text: h.highlight("productsText"),
                },
                document: h.document,
            })
            .collect(),
        estimated_total: raw.estimated_total,
        facets: raw.facets,
        processing_ms: raw.processing_ms,
    })
}

/// The fields of the GraphQL `Notice` that a search answers from the index's stored document, and the stored
/// attributes each reads. Every one of them is a copy of the record's own value in `NoticeDoc::from_notice`; a
/// selection with any other field reads its hits from the database. `symbols` is always retrieved.
const FROM_INDEX: &[(&str, &[&str])] = &[
    ("__typename", &[]),
    ("id", &[]),
    ("symbol", &[]),
    ("symbols", &[]),
    ("baseSymbol", &[]),
    ("area", &["area"]),
    ("kind", &["kind"]),
    ("titleZh", &["titleZh"]),
    ("titleEn", &["titleEn"]),
    ("titleOriginal", &["titleOriginal"]),
    ("descriptionZh", &["descriptionZh"]),
    ("descriptionEn", &["descriptionEn"]),
    ("productsText", &["productsText"]),
    ("hsCodes", &["hsCodes"]),
    ("icsCodes", &["icsCodes"]),
    ("keywords", &["keywords"]),
    ("agency", &["agency"]),
    ("distributionDate", &["distributionDate"]),
    ("commentDeadline", &["commentDeadline"]),
    ("openForComment", &["distributionDate", "commentDeadline"]),
];

/// The stored attributes that answer a selection of `Notice` fields, or `None` when a field needs the database.
pub fn index_attributes<'a>(fields: impl IntoIterator<Item = &'a str>) -> Option<Vec<&'static str>> {
    let mut attrs = vec!["symbols"];
    for field in fields {
        let (_, needs) = FROM_INDEX.iter().find(|(name, _)| *name == field)?;
        for a in *needs {
            if !attrs.contains(a) {
                attrs.push(a);
            }
        }
    }
    Some(attrs)
}

fn ymd_date(v: &serde_json::Value) -> Option<chrono::NaiveDate> {
    let n = u32::try_from(v.as_u64()?).ok()?;
    chrono::NaiveDate::from_ymd_opt((n / 10_000) as i32, n / 100 % 100, n % 100)
}

fn strings(v: &serde_json::Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect()
}

fn text(v: &serde_json::Value) -> Option<Option<String>> {
    match v {
        serde_json::Value::Null => Some(None),
        serde_json::Value::String(s) => Some(Some(s.clone())),
        _ => None,
    }
}

/// A notice built from its stored document, with the attributes `attrs` (from `index_attributes`) filled and
/// every other field empty: only the fields `FROM_INDEX` names may be resolved on it. `None` when an attribute is
/// missing or does not read (an index built by an older version): the caller reads the database instead.
pub fn notice_from_document(
    id: i32,
    doc: &serde_json::Map<String, serde_json::Value>,
    attrs: &[&str],
) -> Option<Notice> {
    use super::model::{NoticeArea, NoticeData, NoticeKind};
    let symbols: Vec<NoticeSymbol> = strings(doc.get("symbols")?)?
        .iter()
        .map(|s| NoticeSymbol::parse(s).ok())
        .collect::<Option<_>>()?;
    if symbols.is_empty() {
        return None;
    }
    let mut data = NoticeData::bare(symbols, chrono::NaiveDate::MIN);
    let mut deadline_in_force = None;
    for attr in attrs {
        let v = doc.get(*attr)?;
        match *attr {
            "symbols" => {}
            "area" => {
                data.area = match v.as_str()? {
                    "TBT" => NoticeArea::Tbt,
                    "SPS" => NoticeArea::Sps,
                    _ => return None,
                }
            }
            "kind" => data.kind = NoticeKind::parse(v.as_str()?)?,
            "titleZh" => data.title_zh = text(v)?,
            "titleEn" => data.title_en = text(v)?,
            "titleOriginal" => data.title_original = text(v)?,
            "descriptionZh" => data.description_zh = text(v)?,
            "descriptionEn" => data.description_en = text(v)?,
            "productsText" => data.products_text = text(v)?,
            "hsCodes" => data.hs_codes = strings(v)?,
            "icsCodes" => data.ics_codes = strings(v)?,
            "keywords" => data.keywords = strings(v)?,
            "agency" => data.agency = text(v)?,
            "distributionDate" => data.distribution_date = ymd_date(v)?,
            "commentDeadline" => {
                deadline_in_force = match v {
                    serde_json::Value::Null => None,
                    v => Some(ymd_date(v)?),
                }
            }
            _ => return None,
        }
    }
    let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    Some(Notice {
        id,
        data,
        deadline_in_force,
        deadline_set_by: None,
        source: String::new(),
        created_at: epoch,
        updated_at: epoch,
    })
}

crate::search_family! {
    /// The notices' index, as the search plumbing sees it (`catalog::FAMILIES` lists it).
    pub struct Notices;
    kind: store::OUTBOX, settings: index_settings,
    meaning: &["titleZh", "keywords", "productsText", "descriptionZh"], entity: super::entity::notice;

    fn documents<'a>(&'a self, db: &'a DatabaseConnection, ids: &'a [i32]) -> BoxFuture<'a, anyhow::Result<Documents>> {
        documents_of(store::by_ids(db, ids), |n| n.id, NoticeDoc::from_notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_queries_become_compact_codes() {
        assert_eq!(plan("G/TBT/N/CHN/2140"), ("GTBTNCHN2140".to_string(), true));
        assert_eq!(plan("g/tbt/n/usa/1598/add.1"), ("GTBTNUSA1598ADD1".to_string(), true));
        assert!(!plan("信号灯").1);
        assert_eq!(plan("950300"), ("950300".to_string(), true));
    }

    #[test]
    fn filters_quote_values() {
        let q = NoticeQuery {
            members: vec!["USA\" OR area = \"SPS".into()],
            ..Default::default()
        };
        assert_eq!(
            filter_array(&q),
            vec!["member IN [\"USA\\\" OR area = \\\"SPS\"]".to_string()]
        );
    }

    #[test]
    fn synonyms_are_mutual() {
        let s = crate::search::synonyms();
        assert!(s["tbt"].contains(&"技术性贸易措施".to_string()));
        assert!(s["技术性贸易壁垒"].contains(&"tbt".to_string()));
    }
}
