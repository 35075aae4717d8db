//! Files as Chinese authorities publish them: a Chinese-header CSV saved as GB18030 (Excel's default on a Chinese
//! Windows) or UTF-16 loads the same records as the UTF-8 file, and the report says which encoding was read;
//! a file in none of these encodings is refused whole, saying why.

use encoding_rs::GB18030;
use serde_json::{Value, json};
use zhiliang::catalog::encoding::TextEncoding;

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const STANDARDS: &str = r#"{ standards(first: 100, orderBy: {field: NUMBER, direction: ASC}) { totalCount nodes {
  number titleZh titleEn nature statusLabel issueDate implementationDate withdrawalDate
  replaces { number scope } replacedBy { number scope } adoption { degree number } icsCodes ccsCode
  committee committeeName draftingOrganizations { name } } } }"#;

const POLICY: &str =
    r#"{ policies(first: 10) { nodes { documentNumber title issuer issuedOn effectiveOn replaces text } } }"#;

fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = GB18030.encode(text);
    assert!(!unmappable, "GB18030 encodes every character");
    bytes.into_owned()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// Imports `bytes` as `name` into a fresh application; returns the report and what `query` answers then.
async fn load(backend: Backend, name: &str, bytes: &[u8], query: &str) -> (zhiliang::import::Report, Value) {
    let app = TestApp::spawn(backend).await;
    let path = app.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let report = app.import(&path).await;
    let data = app.data(query, json!({})).await;
    app.finish().await;
    (report, data)
}

both_backends!(
    chinese_header_csv_in_gb18030_and_utf16_loads_like_utf8,
    |backend: Backend| async move {
        let utf8 = std::fs::read_to_string(repo("tests/fixtures/standards_zh.csv")).unwrap();
        let (report, expected) = load(backend, "标准.csv", utf8.as_bytes(), STANDARDS).await;
        assert_eq!((report.added, report.rejected.len()), (4, 0), "{:?}", report.rejected);
        assert_eq!(report.encoding, Some(TextEncoding::Utf8));
        assert!(report.summary().ends_with("; read as UTF-8"), "{}", report.summary());
        assert_eq!(expected["standards"]["totalCount"], 4);
        let first = &expected["standards"]["nodes"][0];
        assert_eq!(first["number"], "GB 6675.1-2014");
        assert_eq!(first["titleZh"], "玩具安全 第1部分：基本规范");
        let gbt = &expected["standards"]["nodes"][1];
        assert_eq!(gbt["number"], "GB/T 19001-2008");
        assert_eq!(gbt["replacedBy"][0]["number"], "GB/T 19001-2016");

        // Excel's "Unicode text": UTF-16LE with tabs between the cells.
        let mut tsv = csv::WriterBuilder::new().delimiter(b'\t').from_writer(Vec::new());
        for record in csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(utf8.as_bytes())
            .records()
        {
            tsv.write_record(&record.unwrap()).unwrap();
        }
        let tsv = String::from_utf8(tsv.into_inner().unwrap()).unwrap();
        assert!(!tsv.lines().next().unwrap().contains(','));
        for (bytes, encoding, label) in [
            (gb18030(&utf8), TextEncoding::Gb18030, "GB18030"),
            (utf16le_with_bom(&utf8), TextEncoding::Utf16Le, "UTF-16LE"),
            (utf16le_with_bom(&tsv), TextEncoding::Utf16Le, "UTF-16LE"),
        ] {
            assert!(std::str::from_utf8(&bytes).is_err(), "{label} is not UTF-8 by accident");
            let (report, got) = load(backend, "标准.csv", &bytes, STANDARDS).await;
            assert_eq!(
                (report.added, report.rejected.len()),
                (4, 0),
                "{label}: {:?}",
                report.rejected
            );
            assert_eq!(report.encoding, Some(encoding));
            assert!(
                report.summary().ends_with(&format!("; read as {label}")),
                "{}",
                report.summary()
            );
            assert_eq!(got, expected, "{label} loads the records the UTF-8 file loads");
        }
    }
);

both_backends!(policy_page_in_gb18030_reads_like_utf8, |backend: Backend| async move {
    let page = std::fs::read_to_string(repo("../shared/data/policies/001_7cf707b131396657.txt")).unwrap();
    let (report, expected) = load(backend, "ninghai.txt", page.as_bytes(), POLICY).await;
    assert_eq!((report.added, report.encoding), (1, Some(TextEncoding::Utf8)));
    assert_eq!(
        expected["policies"]["nodes"][0]["documentNumber"],
        "宁政办发〔2017〕49号"
    );
    let (report, got) = load(backend, "ninghai.txt", &gb18030(&page), POLICY).await;
    assert_eq!((report.added, report.encoding), (1, Some(TextEncoding::Gb18030)));
    assert_eq!(got, expected);
});

both_backends!(files_in_no_known_encoding_are_refused, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    // Latin-1 (é before a comma, ë before a line end): neither UTF-8 nor GB18030.
    let latin1 = b"\xb1\xea\xd7\xbc\xba\xc5,name\nGB 1-2000,Caf\xe9,Zo\xeb\n";
    for name in ["latin1.csv", "latin1.txt"] {
        let path = app.dir.path().join(name);
        std::fs::write(&path, latin1).unwrap();
        let err = zhiliang::import::import_file(&app.db, &path, false).await.unwrap_err();
        assert!(
            err.to_string().contains("not text in UTF-8, UTF-16 or GB18030"),
            "{name}: {err}"
        );
    }
    // JSON Lines in no known encoding are read line by line: the damaged line is rejected, the others load.
    let mut jsonl =
        br#"{"type":"notice","symbols":["G/TBT/N/CHN/1"],"distributionDate":"2026-01-05","titleEn":"A"}"#.to_vec();
    jsonl.extend_from_slice(b"\n{\"type\":\"notice\",\"titleEn\":\"Caf\xe9\"}\n");
    jsonl.extend_from_slice(
        br#"{"type":"notice","symbols":["G/TBT/N/CHN/2"],"distributionDate":"2026-01-06","titleEn":"B"}"#,
    );
    let path = app.dir.path().join("mixed.jsonl");
    std::fs::write(&path, &jsonl).unwrap();
    let r = app.import(&path).await;
    assert_eq!(r.added, 2);
    assert_eq!(r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(), [2]);
    assert!(r.rejected[0].reason.contains("not text in UTF-8"), "{}", r.rejected[0]);
    assert_eq!(r.encoding, None);
    // JSON Lines in GB18030 load whole.
    let text = r#"{"type":"notice","symbols":["G/TBT/N/CHN/3"],"distributionDate":"2026-01-07","titleZh":"玩具安全"}"#;
    let path = app.dir.path().join("gb.jsonl");
    std::fs::write(&path, gb18030(text)).unwrap();
    let r = app.import(&path).await;
    assert_eq!((r.added, r.encoding), (1, Some(TextEncoding::Gb18030)));
    let d = app
        .data(r#"{ notice(symbol: "G/TBT/N/CHN/3") { titleZh } }"#, json!({}))
        .await;
    assert_eq!(d["notice"]["titleZh"], "玩具安全");
    app.finish().await;
});
