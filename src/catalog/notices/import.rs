//! Reading notices from files: JSON Lines records and rows of the WTO ePing Excel export.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader};

use super::members;
use super::model::NoticeRecord;
use super::symbol::split_symbols;
use crate::catalog::codes::{excel_serial_date, html_to_text, parse_date};

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

fn header_key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A cell as text; dates (real date cells and serial numbers in date columns) become `YYYY-MM-DD`.
fn cell_text(c: &Data, date_column: bool) -> Option<String> {
    let t = match c {
        Data::Empty | Data::Error(_) => return None,
        Data::String(s) => s.trim().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::DateTime(d) => excel_serial_date(d.as_f64())?.to_string(),
        Data::Float(f) if date_column => excel_serial_date(*f)
            .map(|d| d.to_string())
            .unwrap_or_else(|| f.to_string()),
        Data::Int(i) if date_column => excel_serial_date(*i as f64)
            .map(|d| d.to_string())
            .unwrap_or_else(|| i.to_string()),
        Data::Float(f) => {
            if f.fract() == 0.0 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
    };
    (!t.is_empty()).then_some(t)
}

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
pub fn read_eping(path: &Path) -> anyhow::Result<Vec<(usize, Result<NoticeRecord, String>)>> {
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| anyhow::anyhow!("{}: not a readable workbook: {e}", path.display()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| anyhow::anyhow!("{}: the workbook has no sheet", path.display()))??;
    let first_line = range.start().map(|(r, _)| r as usize + 1).unwrap_or(1);
    let mut rows = range.rows();
    let header = rows
        .next()
        .ok_or_else(|| anyhow::anyhow!("{}: the sheet is empty", path.display()))?;
    let cols: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .filter_map(|(i, c)| cell_text(c, false).map(|t| (header_key(&t), i)))
        .collect();
    if !cols.contains_key(SYMBOL) || !cols.contains_key(DISTRIBUTED) {
        anyhow::bail!(
            "{}: not an ePing export: the header row needs the columns \"Document symbol\" and \"Distribution date\"",
            path.display()
        );
    }
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let line = first_line + 1 + i;
        let get = |name: &str, date: bool| {
            cols.get(name)
                .and_then(|&c| row.get(c))
                .and_then(|c| cell_text(c, date))
        };
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
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
    Ok(out)
}
