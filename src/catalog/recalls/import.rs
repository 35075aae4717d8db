//! The public formats recalls are published in, read into `RecallRecord`s: the U.S. CPSC recalls JSON (the array
//! saferproducts.gov's REST service answers), the EU Safety Gate alert export (a sheet with its English column
//! names), and customs lists of returned or rejected exports with Chinese headers (通报国家/地区, 退运口岸, 退运原因, ...).

use serde_json::Value;

use super::model::{CompanyRecord, RecallRecord};
use crate::catalog::table::Table;

// ---------------------------------------------------------------------------------------------------------------
// CPSC

/// Whether a `.json` text is a JSON array (the CPSC answer) rather than JSON Lines.
pub fn is_json_array(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim_start().starts_with('[')
}

/// The line (1-based) on which each element of a top-level JSON array begins, in order.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut line, mut depth) = (1usize, 0usize);
    let (mut in_string, mut escaped, mut awaiting) = (false, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if depth == 1 && awaiting && !c.is_whitespace() && c != ',' && c != ']' {
            lines.push(line);
            awaiting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    awaiting = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => awaiting = true,
            _ => {}
        }
    }
    lines
}

/// Text of a field that may be a string or a number.
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The `field` of every object of the array `v[list]` (`Manufacturers[].Name`); bare strings count too.
fn each(v: &Value, list: &str, field: &str) -> Vec<String> {
    v.get(list)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| match x {
                    Value::Object(_) => text_of(x.get(field)),
                    other => text_of(Some(other)),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn joined(v: Vec<String>, sep: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    (!out.is_empty()).then(|| out.join(sep))
}

/// One recall of the CPSC JSON as a record.
pub fn cpsc_record(v: &Value) -> Result<RecallRecord, String> {
    if !v.is_object() {
        return Err("not a JSON object".into());
    }
    let mut companies = Vec::new();
    for (list, role) in [
        ("Manufacturers", "MANUFACTURER"),
        ("Importers", "IMPORTER"),
        ("Distributors", "DISTRIBUTOR"),
        ("Retailers", "RETAILER"),
    ] {
        for name in each(v, list, "Name") {
            companies.push(CompanyRecord {
                role: Some(role.into()),
                name: Some(name),
                credit_code: None,
            });
        }
    }
    let hazard_types = each(v, "Hazards", "HazardType");
    let hazards = each(v, "Hazards", "Name");
    let mut risk_types = hazard_types.clone();
    if risk_types.is_empty() {
        risk_types = hazards.clone();
    }
    let mut measures = each(v, "Remedies", "Name");
    measures.extend(each(v, "RemedyOptions", "Option"));
    let mut links: Vec<String> = text_of(v.get("URL")).into_iter().collect();
    links.extend(each(v, "Inconjunctions", "URL"));
    let title = text_of(v.get("Title"));
    Ok(RecallRecord {
        record_type: None,
        kind: Some("RECALL".into()),
        reference: text_of(v.get("RecallNumber")),
        country: Some("USA".into()),
        authority: Some("U.S. Consumer Product Safety Commission (CPSC)".into()),
        notified_on: text_of(v.get("RecallDate")),
        category: joined(each(v, "Products", "Type"), "; "),
        product: title.clone(),
        name: joined(each(v, "Products", "Name"), "; ").or(title),
        brand: None,
        model: joined(each(v, "Products", "Model"), "; "),
        batch: None,
        barcodes: each(v, "ProductUPCs", "UPC"),
        hs_codes: Vec::new(),
        risk_types,
        risk: joined(hazard_types, "; "),
        risk_description: joined(hazards, "\n"),
        measures: joined(measures, "\n"),
        origin: joined(each(v, "ManufacturerCountries", "Country"), ", "),
        port: None,
        reason: None,
        units: joined(each(v, "Products", "NumberOfUnits"), "; "),
        description: text_of(v.get("Description")),
        links,
        companies,
    })
}

/// The records of a CPSC JSON text, each with the line its object begins on; a text that is not a JSON array is
/// one error on line 1.
pub fn read_cpsc(text: &str) -> Vec<(usize, Result<RecallRecord, String>)> {
    let text = text.trim_start_matches('\u{feff}');
    let items: Vec<Value> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(_) => return vec![(1, Err("not a JSON array of recalls".into()))],
        Err(e) => return vec![(e.line().max(1), Err(format!("not JSON: {e}")))],
    };
    let lines = element_lines(text);
    items
        .iter()
        .enumerate()
        .map(|(i, v)| (lines.get(i).copied().unwrap_or(1), cpsc_record(v)))
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Safety Gate

const SG_REFERENCE: &[&str] = &["Alert number", "Reference", "Alert reference", "Case number"];
const SG_RISK: &[&str] = &["Risk type", "Risk types"];

/// Whether a sheet is a Safety Gate alert export (an alert number and a risk type column).
pub fn is_safety_gate(t: &Table) -> bool {
    SG_REFERENCE.iter().any(|n| t.has(n)) && SG_RISK.iter().any(|n| t.has(n))
}

/// Runs of 8 to 14 digits in a "Batch number / Barcode" cell: the barcodes (EAN-8 to GTIN-14).
fn barcodes_in(cell: &str) -> Vec<String> {
    cell.split(|c: char| !c.is_ascii_digit())
        .filter(|d| (8..=14).contains(&d.len()))
        .map(String::from)
        .collect()
}

pub fn read_safety_gate(t: &Table) -> Vec<(usize, Result<RecallRecord, String>)> {
    t.rows
        .iter()
        .map(|(line, row)| {
            let get = |names: &[&str]| t.get(row, names, false);
            let batch = get(&[
                "Batch number / Barcode",
                "Batch number/Barcode",
                "Batch number",
                "Batch",
            ]);
            let mut barcodes: Vec<String> = get(&["Barcode", "Barcodes"])
                .map(|b| barcodes_in(&b))
                .unwrap_or_default();
            if barcodes.is_empty() {
                barcodes = batch.as_deref().map(barcodes_in).unwrap_or_default();
            }
            let measures: Vec<String> = [
                get(&["Measures adopted by notifying country", "Measures", "Measures taken"]),
                get(&[
                    "Measures adopted by economic operators",
                    "Measures taken by economic operators",
                ]),
                get(&["Products were found and measures were taken also in", "Also found in"])
                    .map(|c| format!("Also found in: {c}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            let measures = (!measures.is_empty()).then(|| measures.join("\n"));
            let rejected = measures.as_deref().is_some_and(|m| {
                let m = m.to_lowercase();
                m.contains("rejected at the border")
                    || m.contains("import rejected")
                    || m.contains("rejected at border")
            });
            let mut companies = Vec::new();
            for (col, role) in [
                ("Manufacturer", "MANUFACTURER"),
                ("Exporter", "EXPORTER"),
                ("Importer", "IMPORTER"),
            ] {
                if let Some(name) = get(&[col]) {
                    companies.push(CompanyRecord {
                        role: Some(role.into()),
                        name: Some(name),
                        credit_code: None,
                    });
                }
            }
            let links = ["URL of case", "Link", "URL", "Company recall page"]
                .iter()
                .filter_map(|c| get(&[c]))
                .collect();
            let record = RecallRecord {
                kind: Some(if rejected { "BORDER_REJECTION" } else { "RECALL" }.into()),
                reference: get(SG_REFERENCE),
                country: get(&["Notifying country", "Alert submitted by", "Notifying Member State"]),
                authority: get(&["Notifying authority", "Authority"]),
                notified_on: t.get(
                    row,
                    &["Date of publication", "Publication date", "Alert date", "Date"],
                    true,
                ),
                category: get(&["Product category", "Category"]),
                product: get(&["Product"]),
                name: get(&["Name", "Product name"]),
                brand: get(&["Brand"]),
                model: get(&["Type / number of model", "Type/number of model", "Model", "Type"]),
                batch,
                barcodes,
                hs_codes: get(&["HS code", "HS codes"]).into_iter().collect(),
                risk_types: Vec::new(),
                risk: get(SG_RISK),
                risk_description: get(&["Risk", "Risk description", "Danger", "Hazard"]),
                measures,
                origin: get(&["Country of origin", "Origin"]),
                description: get(&["Description", "Product description"]),
                links,
                companies,
                ..Default::default()
            };
            (*line, Ok(record))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Customs returned-goods lists

const CN_COUNTRY: &[&str] = &[
    "通报国家/地区",
    "通报国家(地区)",
    "通报国家",
    "国家/地区",
    "国家(地区)",
    "通报国别",
];
const CN_PORT: &[&str] = &["退运口岸", "口岸"];
const CN_REASON: &[&str] = &["退运原因", "不合格原因", "通报原因", "拒绝入境原因"];

/// Whether a sheet is a list of returned or rejected exports (a notifying country column and a port or reason).
pub fn is_returns_sheet(t: &Table) -> bool {
    CN_COUNTRY.iter().any(|n| t.has(n)) && (CN_PORT.iter().chain(CN_REASON).any(|n| t.has(n)))
}

pub fn read_returns(t: &Table) -> Vec<(usize, Result<RecallRecord, String>)> {
    t.rows
        .iter()
        .map(|(line, row)| {
            let get = |names: &[&str]| t.get(row, names, false);
            let mut companies = Vec::new();
            let exporter = (
                get(&["企业名称", "出口企业", "出口企业名称", "出口商"]),
                get(&["统一社会信用代码", "出口企业统一社会信用代码", "信用代码"]),
            );
            let maker = (
                get(&["生产企业", "生产企业名称", "生产商"]),
                get(&["生产企业统一社会信用代码"]),
            );
            for ((name, code), role) in [(exporter, "EXPORTER"), (maker, "MANUFACTURER")] {
                if name.is_some() || code.is_some() {
                    companies.push(CompanyRecord {
                        role: Some(role.into()),
                        name,
                        credit_code: code,
                    });
                }
            }
            let record = RecallRecord {
                kind: Some(get(&["类型", "通报类型", "措施类型"]).unwrap_or_else(|| "RETURNED_GOODS".into())),
                reference: get(&["通报编号", "通报号", "编号"]),
                country: get(CN_COUNTRY),
                authority: get(&["通报机构", "通报部门"]),
                notified_on: t.get(row, &["通报日期", "退运日期", "日期"], true),
                category: get(&["产品类别", "类别"]),
                name: get(&["产品名称", "货物名称", "商品名称"]),
                brand: get(&["品牌"]),
                model: get(&["型号", "规格型号"]),
                batch: get(&["批次", "批号"]),
                hs_codes: get(&["HS编码", "商品编码", "海关编码", "HS编码/商品编码"])
                    .into_iter()
                    .collect(),
                risk: get(&["风险类型", "危害类型"]),
                risk_description: get(&["风险描述", "危害描述"]),
                measures: get(&["处理措施", "措施"]),
                origin: Some(get(&["原产国", "原产地"]).unwrap_or_else(|| "CHN".into())),
                port: get(CN_PORT),
                reason: get(CN_REASON),
                units: get(&["数量", "数/重量"]),
                companies,
                ..Default::default()
            };
            (*line, Ok(record))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_array_element_knows_its_line() {
        let text = "[\n  {\"a\": \"[x]\"},\n  {\n    \"b\": [1, 2]\n  },\n  3\n]";
        assert_eq!(element_lines(text), vec![2, 3, 6]);
        assert_eq!(element_lines("[]"), Vec::<usize>::new());
    }

    #[test]
    fn a_cpsc_recall_becomes_a_record() {
        let v: Value = serde_json::json!({
            "RecallID": 9001, "RecallNumber": "24123", "RecallDate": "2024-03-14T00:00:00",
            "Title": "Heaters Recalled Due to Fire Hazard", "Description": "This recall involves space heaters.",
            "URL": "https://www.cpsc.gov/Recalls/2024/heaters",
            "Products": [{"Name": "Space heater", "Model": "SH-1500", "Type": "Heaters", "NumberOfUnits": "About 12,000"}],
            "Manufacturers": [{"Name": "Ningbo Haiyang Electric Co., Ltd.", "CompanyID": "1"}],
            "Retailers": [{"Name": "Example Stores"}],
            "ManufacturerCountries": [{"Country": "China"}],
            "ProductUPCs": [{"UPC": "012345678905"}],
            "Hazards": [{"Name": "The heater can overheat, posing a fire hazard.", "HazardType": "Fire"}],
            "Remedies": [{"Name": "Refund"}]
        });
        let r = cpsc_record(&v).unwrap();
        assert_eq!(r.reference.as_deref(), Some("24123"));
        assert_eq!(r.name.as_deref(), Some("Space heater"));
        assert_eq!(r.barcodes, vec!["012345678905"]);
        assert_eq!(r.companies.len(), 2);
        let d = r.validate().unwrap();
        assert_eq!(d.country, "USA");
        assert_eq!(d.origin.as_deref(), Some("CHN"));
        assert_eq!(d.notified_on.to_string(), "2024-03-14");
        assert_eq!(d.risk_types, vec![super::super::model::RiskType::Fire]);
        assert!(cpsc_record(&serde_json::json!(3)).is_err());
    }

    #[test]
    fn cpsc_text_that_is_not_an_array() {
        assert_eq!(read_cpsc("{}").len(), 1);
        assert!(read_cpsc("[{\"RecallNumber\": 1,").first().unwrap().1.is_err());
        let rows = read_cpsc("[\n{\"RecallNumber\": \"1\"},\n7\n]");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, 3);
        assert!(rows[1].1.is_err());
    }

    #[test]
    fn barcodes_are_long_digit_runs() {
        assert_eq!(barcodes_in("Batch 2301; EAN 5901234123457"), vec!["5901234123457"]);
    }
}
