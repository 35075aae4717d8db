//! Spreadsheets and CSV files as a header row and data rows, with cells read as text the way people wrote them.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader};

use super::codes::excel_serial_date;
use super::encoding::{self, TextEncoding};

/// A sheet: header names (spaces collapsed, lower-cased) to column numbers, and the data rows with their
/// line numbers in the file.
pub struct Table {
    pub columns: HashMap<String, usize>,
    pub rows: Vec<(usize, Vec<Data>)>,
    /// The encoding a CSV file was read as; `None` for a workbook.
    pub encoding: Option<TextEncoding>,
}

/// A header as it is looked up: spaces collapsed, lower case, full-width parentheses made ASCII.
pub fn header_key(s: &str) -> String {
    s.replace(['（'], "(")
        .replace(['）'], ")")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A cell as text; dates (real date cells, and serial numbers in date columns) become `YYYY-MM-DD`.
pub fn cell_text(c: &Data, date_column: bool) -> Option<String> {
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

impl Table {
    /// Reads the first sheet of an Excel workbook, or a CSV file in UTF-8 (with or without a byte-order mark),
    /// UTF-16 or GB18030/GBK (see [`encoding::decode`]).
    pub fn read(path: &Path) -> anyhow::Result<Table> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut text_encoding = None;
        let (first_line, mut all): (usize, Vec<Vec<Data>>) = if ext == "csv" {
            let decoded = encoding::read_text(path)?;
            text_encoding = Some(decoded.encoding);
            let text = decoded.text;
            // Excel's "Unicode text" is UTF-16 with tabs between the cells: a header line with tabs and no
            // commas is read so.
            let header = text.lines().next().unwrap_or_default();
            let delimiter = if header.contains('\t') && !header.contains(',') {
                b'\t'
            } else {
                b','
            };
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for rec in reader.records() {
                let rec = rec.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                rows.push(rec.iter().map(|f| Data::String(f.to_string())).collect());
            }
            (1, rows)
        } else {
            let mut book = calamine::open_workbook_auto(path)
                .map_err(|e| anyhow::anyhow!("{}: not a readable workbook: {e}", path.display()))?;
            let range = book
                .worksheet_range_at(0)
                .ok_or_else(|| anyhow::anyhow!("{}: the workbook has no sheet", path.display()))??;
            let first = range.start().map(|(r, _)| r as usize + 1).unwrap_or(1);
            (first, range.rows().map(|r| r.to_vec()).collect())
        };
        if all.is_empty() {
            anyhow::bail!("{}: the sheet is empty", path.display());
        }
        let header = all.remove(0);
        let columns = header
            .iter()
            .enumerate()
            .filter_map(|(i, c)| cell_text(c, false).map(|t| (header_key(&t), i)))
            .collect();
        let rows = all
            .into_iter()
            .enumerate()
            .map(|(i, r)| (first_line + 1 + i, r))
            .filter(|(_, r)| !r.iter().all(|c| cell_text(c, false).is_none()))
            .collect();
        Ok(Table {
            columns,
            rows,
            encoding: text_encoding,
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(&header_key(name))
    }

    /// The text of the first of `names` that is a column of the sheet.
    pub fn get(&self, row: &[Data], names: &[&str], date: bool) -> Option<String> {
        names
            .iter()
            .find_map(|n| self.columns.get(&header_key(n)))
            .and_then(|&i| row.get(i))
            .and_then(|c| cell_text(c, date))
    }
}
