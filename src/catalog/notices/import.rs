//! Reading notices from files: JSON Lines records and rows of the WTO ePing Excel export.

use super::members;
use super::model::NoticeRecord;
use super::symbol::split_symbols;
use crate::catalog::codes::{html_to_text, parse_date};
use crate::catalog::table::Table;

/// The ePing export's columns, as we look them up (lower case, spaces collapsed).
const SYMBOL: &str = "document symbol";
const MEMBER: &str = "notifying member";
const DISTRIBUTED: &str = "distribution date";
const TYPE: &str = "notification type";
const TITLE: &str = "title";
const DESCRIPTION: &str = "description";
const PRODUCTS: &str = "products covered";
const HS: &str = "hs code(s)";
const ICS: &str = "ics code(s)";
const OBJECTIVES: &str = "objectives";
const KEYWORDS: &str = "keywords";
const COMMENTS: &str = "final date for comments";
const ADOPTION: &str = "proposed adoption date";
const FORCE: &str = "proposed entry into force date";

/// A date-or-text column: a date goes to the date field, anything else is kept as text.
fn date_or_text(v: Option<String>) -> (Option<String>, Option<String>) {
    match v {
        None => (None, None),
        Some(t) => match parse_date(&t) {
            Some(d) => (Some(d.to_string()), None),
            None => (None, Some(t)),
        },
    }
}

/// Rows of an ePing `Notification_EN.xlsx`: each with its spreadsheet line number and the record or the reason it
/// cannot be read.
pub fn read_eping(table: &Table) -> Vec<(usize, Result<NoticeRecord, String>)> {
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let line = *line;
        let get = |name: &str, date: bool| table.get(row, &[name], date);
        let symbols: Vec<String> = get(SYMBOL, false)
            .map(|s| split_symbols(&s).into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        let (comment_deadline, comment_deadline_text) = date_or_text(get(COMMENTS, true));
        let (adoption, adoption_text) = date_or_text(get(ADOPTION, true));
        let (force, force_text) = date_or_text(get(FORCE, true));
        let distribution = get(DISTRIBUTED, true);
        let distribution_date = match &distribution {
            Some(t) => match parse_date(t) {
                Some(d) => Some(d.to_string()),
                None => {
                    out.push((line, Err(format!("Distribution date: {t:?} is not a date"))));
                    continue;
                }
            },
            None => None,
        };
        let member = get(MEMBER, false).map(|m| members::code_for(&m).unwrap_or(m));
        let list = |v: Option<String>, seps: &[char]| -> Vec<String> {
            v.map(|t| {
                t.split(seps)
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default()
        };
        let record = NoticeRecord {
            record_type: None,
            symbols,
            member: member.filter(|m| m.len() <= 4),
            kind: get(TYPE, false),
            distribution_date,
            comment_deadline,
            comment_deadline_text,
            proposed_adoption_date: adoption,
            proposed_adoption_date_text: adoption_text,
            proposed_entry_into_force_date: force,
            proposed_entry_into_force_date_text: force_text,
            title_en: get(TITLE, false).map(|t| html_to_text(&t)),
            description_en: get(DESCRIPTION, false).map(|t| html_to_text(&t)),
            products_text: get(PRODUCTS, false).map(|t| html_to_text(&t)),
            hs_codes: get(HS, false).into_iter().collect(),
            ics_codes: get(ICS, false).into_iter().collect(),
            objectives: list(get(OBJECTIVES, false), &[';', '\n']),
            keywords: list(get(KEYWORDS, false), &[';', ',', '\n']),
            ..Default::default()
        };
        out.push((line, Ok(record)));
    }
    out
}

/// Whether a sheet is an ePing export.
pub fn is_eping(table: &Table) -> bool {
    table.has(SYMBOL) && table.has(DISTRIBUTED)
}
