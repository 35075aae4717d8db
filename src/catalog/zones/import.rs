//! Reading demonstration zones from a sheet with the Chinese headers that `/exports/zones` writes (示范区代码,
//! 示范区名称, 类别, 级别, 行政区划代码, 产业, 批准机关, 公告文号, 批次, 建设历程), so an export loads back.
//! 建设历程 holds one step a line: the date, the phase in Chinese, and the step's note if any
//! (`2017-03-01 培育 宁政办发〔2017〕49号`).

use super::model::{ZoneRecord, ZoneStepRecord};
use crate::catalog::table::Table;

const CODE: &[&str] = &["示范区代码"];
const NAME: &[&str] = &["示范区名称"];

/// Whether the sheet lists zones (a 示范区代码 and a 示范区名称 column).
pub fn is_zone_sheet(t: &Table) -> bool {
    CODE.iter().any(|c| t.has(c)) && NAME.iter().any(|c| t.has(c))
}

/// The steps of a 建设历程 cell; a line that is not "date phase [note]" is an error naming it.
pub fn history(cell: &str) -> Result<Vec<ZoneStepRecord>, String> {
    let mut steps = Vec::new();
    for line in cell.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.splitn(3, char::is_whitespace);
        let (Some(date), Some(status)) = (parts.next(), parts.next()) else {
            return Err(format!("建设历程: {line:?} is not \"date phase [note]\""));
        };
        steps.push(ZoneStepRecord {
            status: status.trim().to_string(),
            date: date.trim().to_string(),
            note: parts.next().map(str::trim).filter(|n| !n.is_empty()).map(String::from),
        });
    }
    Ok(steps)
}

/// Rows of a zone sheet as the records of the JSON Lines import (validated the same way).
pub fn read_zones(t: &Table) -> Vec<(usize, Result<ZoneRecord, String>)> {
    t.rows
        .iter()
        .map(|(line, row)| {
            let get = |names: &[&str]| t.get(row, names, false);
            let record = history(&get(&["建设历程"]).unwrap_or_default()).map(|history| ZoneRecord {
                record_type: None,
                code: get(CODE).unwrap_or_default(),
                name: get(NAME).unwrap_or_default(),
                kind: get(&["类别"]).unwrap_or_default(),
                level: get(&["级别"]).unwrap_or_default(),
                region_code: get(&["行政区划代码"]),
                industry: get(&["产业"]),
                approving_authority: get(&["批准机关"]),
                announcement_number: get(&["公告文号"]),
                batch: get(&["批次"]),
                history,
            });
            (*line, record)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_lines_read_back() {
        let steps = history("2017-03-01 培育 宁政办发〔2017〕49号 工作方案\n\n2019-01-10 验收").unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].date, "2017-03-01");
        assert_eq!(steps[0].status, "培育");
        assert_eq!(steps[0].note.as_deref(), Some("宁政办发〔2017〕49号 工作方案"));
        assert_eq!(steps[1].status, "验收");
        assert_eq!(steps[1].note, None);
        assert!(history("2017-03-01").is_err());
        assert!(history("").unwrap().is_empty());
    }
}
