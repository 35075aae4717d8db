//! Policy documents: the five published pages in ../shared/data/policies load through the import, the two
//! copies of the Ninghai document are one policy, and document numbers are found in any bracket style.

use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestApp, repo};

const POLICY: &str = r#"query($n: String!) { policy(documentNumber: $n) { id documentNumber issuer title issuedOn
  effectiveOn replaces sourceFiles text } }"#;

both_backends!(
    published_pages_load_and_copies_are_one_document,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        let dir = repo("../shared/data/policies");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        assert_eq!(files.len(), 5);
        let mut added = 0;
        for f in &files {
            let r = app.import(f).await;
            assert!(r.rejected.is_empty(), "{:?}", r.rejected);
            added += r.added;
        }
        assert_eq!(added, 4, "five pages, four documents");
        let d = app
            .data(
                "{ policies(first: 10) { totalCount nodes { title sourceFiles } } }",
                json!({}),
            )
            .await;
        assert_eq!(d["policies"]["totalCount"], 4);

        for form in ["宁政办发〔2017〕49号", "宁政办发[2017]49号", "宁政办发（2017）49号"] {
            let p = app.data(POLICY, json!({"n": form})).await["policy"].clone();
            assert_eq!(p["documentNumber"], "宁政办发〔2017〕49号", "{form}");
            assert_eq!(p["issuer"], "宁海县人民政府办公室");
            assert_eq!(
                p["title"],
                "宁海县人民政府办公室关于加快推进出口产品质量安全示范区建设的指导意见"
            );
            assert_eq!(p["issuedOn"], "2017-06-12");
            assert_eq!(p["sourceFiles"].as_array().unwrap().len(), 2, "both copies");
            assert!(p["text"].as_str().unwrap().contains("示范区"));
        }
        // The number quoted inside the Ninghai text is another document's, not this one's.
        assert!(app.data(POLICY, json!({"n": "甬政办发〔2016〕148号"})).await["policy"].is_null());
        // The Quzhou page: dates, and the document it replaces, read from its text.
        let q = app
            .data(
                r#"{ policies(filter: {issuer: "衢州"}) { nodes { issuedOn effectiveOn replaces } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            q["policies"]["nodes"][0],
            json!({"issuedOn": "2017-11-27", "effectiveOn": "2017-12-27", "replaces": ["衢政发〔2007〕47号"]})
        );
        // Importing the pages again changes nothing.
        for f in &files {
            assert_eq!(app.import(f).await.added, 0);
        }
        assert_eq!(
            app.data("{ policies { totalCount } }", json!({})).await["policies"]["totalCount"],
            4
        );
        assert_eq!(
            app.error_code(POLICY, json!({"n": "宁政办发2017年49号"})).await,
            "BAD_USER_INPUT"
        );
        app.finish().await;
    }
);

both_backends!(policy_records_in_json_lines, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let dir = app.dir.path();
    std::fs::copy(
        repo("../shared/data/policies/001_7cf707b131396657.txt"),
        dir.join("ninghai.txt"),
    )
    .unwrap();
    let text = [
        r#"{"type":"policy","issuer":"宁波市人民政府办公厅","documentNumber":"甬政办发[2016]148号","title":"宁波市人民政府办公厅关于推进宁波市出口产品质量安全示范区建设的指导意见"}"#,
        r#"{"type":"policy","documentNumber":"宁政办发〔2017〕49号","sourceFile":"ninghai.txt","effectiveOn":"2017-06-12"}"#,
        r#"{"type":"policy","title":"x","sourceFile":"missing.txt"}"#,
        r#"{"type":"policy","documentNumber":"宁政办发2017","title":"x"}"#,
    ]
    .join("\n");
    let r = app.import_text("policies.jsonl", &text).await;
    assert_eq!(r.added, 2);
    let lines: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, [3, 4], "{:?}", r.rejected);
    assert!(r.rejected[0].reason.contains("sourceFile"));
    let p = app.data(POLICY, json!({"n": "宁政办发〔2017〕49号"})).await["policy"].clone();
    assert_eq!(
        p["title"], "宁海县人民政府办公室关于加快推进出口产品质量安全示范区建设的指导意见",
        "read from the file"
    );
    assert_eq!(p["effectiveOn"], "2017-06-12");
    let known = app.data(POLICY, json!({"n": "甬政办发〔2016〕148号"})).await["policy"].clone();
    assert_eq!(known["text"], "", "known only by reference");
    // The same page imported as a page later merges into the record.
    let again = app.import(&dir.join("ninghai.txt")).await;
    assert_eq!((again.added, again.updated + again.unchanged), (0, 1));
    app.finish().await;
});

both_backends!(policy_search, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    for e in std::fs::read_dir(repo("../shared/data/policies")).unwrap() {
        app.import(&e.unwrap().path()).await;
    }
    app.wait_indexed().await;
    let q = r#"query($q: String!) { searchPolicies(query: $q) { estimatedTotalCount
        edges { node { documentNumber title } highlights { title text } } facets { field values { value count } } } }"#;
    let d = app.data(q, json!({"q": "出口产品质量安全示范区"})).await["searchPolicies"].clone();
    assert_eq!(d["edges"][0]["node"]["documentNumber"], "宁政办发〔2017〕49号");
    assert!(d["edges"][0]["highlights"]["text"].as_str().unwrap().contains("<mark>"));
    let d = app.data(q, json!({"q": "宁政办发[2017]49号"})).await["searchPolicies"].clone();
    assert_eq!(d["estimatedTotalCount"], 1);
    // Traditional characters find the simplified text, and the document titled with these words comes first.
    let d = app.data(q, json!({"q": "優質產品生產基地"})).await["searchPolicies"].clone();
    assert_eq!(d["edges"][0]["node"]["title"], "创建优质产品生产基地管治意见");
    app.finish().await;
});
