//! Full-text search through Meilisearch: Chinese, traditional input, codes, filters, facets, highlights, reindex.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};

const SEARCH: &str = r#"query($q: String!, $filter: NoticeFilter, $first: Int, $after: String) {
  searchNotices(query: $q, filter: $filter, first: $first, after: $after) {
    estimatedTotalCount
    edges { cursor node { symbol member { code } hsCodes } highlights { titleZh titleEn descriptionZh } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    facets { field values { value count } } } }"#;

fn hit_symbols(r: &Value) -> Vec<String> {
    r["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["symbol"].as_str().unwrap().to_string())
        .collect()
}

async fn search(app: &TestApp, q: &str, filter: Value) -> Value {
    app.data(SEARCH, json!({"q": q, "filter": filter, "first": 10})).await["searchNotices"].clone()
}

both_backends!(
    chinese_search_finds_what_a_person_expects,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        app.import_demo().await;
        app.wait_indexed().await;

        // A symbol finds its notice first, then its follow-ups.
        let r = search(&app, "G/TBT/N/CHN/2140", json!(null)).await;
        assert_eq!(hit_symbols(&r)[..2], ["G/TBT/N/CHN/2140", "G/TBT/N/CHN/2140/Add.1"]);
        let r = search(&app, "g/tbt/n/chn/2140/add.1", json!(null)).await;
        assert_eq!(hit_symbols(&r)[0], "G/TBT/N/CHN/2140/Add.1");
        // Its number alone.
        assert!(hit_symbols(&search(&app, "2140", json!(null)).await).contains(&"G/TBT/N/CHN/2140".to_string()));
        // A Chinese word of the title, with a highlight around it.
        let r = search(&app, "信号灯", json!(null)).await;
        assert_eq!(hit_symbols(&r)[0], "G/TBT/N/CHN/2140");
        let title = r["edges"][0]["highlights"]["titleZh"].as_str().unwrap();
        assert!(title.contains("<mark>"), "{title}");
        // Traditional characters find simplified text.
        let simplified = search(&app, "儿童 玩具", json!(null)).await;
        let traditional = search(&app, "兒童 玩具", json!(null)).await;
        assert!(!hit_symbols(&simplified).is_empty());
        assert_eq!(hit_symbols(&traditional), hit_symbols(&simplified));
        let r = search(&app, "通報", json!(null)).await;
        assert!(
            r["estimatedTotalCount"].as_i64().unwrap() >= 60,
            "通報 is every notice: {}",
            r["estimatedTotalCount"]
        );
        let r = search(&app, "電池", json!(null)).await;
        assert!(!hit_symbols(&r).is_empty(), "電池 finds 电池");
        // A part of a longer word: 电池 inside 锂电池 / 蓄电池.
        let r = search(&app, "电池", json!(null)).await;
        assert!(r["estimatedTotalCount"].as_i64().unwrap() >= 3);
        // An HS code, whole or as a heading.
        for code in ["950300", "9503"] {
            let r = search(&app, code, json!(null)).await;
            let edges = r["edges"].as_array().unwrap();
            assert!(!edges.is_empty(), "{code}");
            for e in edges.iter().take(3) {
                let hs: Vec<&str> = e["node"]["hsCodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap())
                    .collect();
                assert!(hs.iter().any(|h| h.starts_with("9503")), "{code}: {hs:?}");
            }
        }
        // English.
        assert!(!hit_symbols(&search(&app, "toys", json!(null)).await).is_empty());
        // Synonyms: 技术性贸易壁垒 means TBT.
        let r = search(&app, "技术性贸易壁垒", json!(null)).await;
        assert!(r["estimatedTotalCount"].as_i64().unwrap() >= 40);
        app.finish().await;
    }
);

both_backends!(search_filters_facets_and_paging, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_demo().await;
    app.wait_indexed().await;

    let all = search(&app, "玩具", json!(null)).await;
    let eu = search(&app, "玩具", json!({"members": ["EU"]})).await;
    assert!(!hit_symbols(&eu).is_empty());
    for e in eu["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["member"]["code"], "EU");
    }
    // Facet counts agree with the filtered search.
    let member_facet = all["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "member")
        .unwrap();
    let eu_count = member_facet["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "EU")
        .unwrap()["count"]
        .clone();
    assert_eq!(eu_count, eu["estimatedTotalCount"]);
    let fields: Vec<&str> = all["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["member", "area", "kind", "objectives", "year"]);

    // Every listing filter works in search too.
    let sps = search(&app, "通报", json!({"area": "SPS"})).await;
    assert!(hit_symbols(&sps).iter().all(|s| s.starts_with("G/SPS/")));
    let open = search(&app, "通报", json!({"openForCommentOn": "2026-11-22"})).await;
    assert_eq!(open["estimatedTotalCount"], 7);
    // G/TBT/N/CHN/2140's own deadline passed on 2026-11-09; its Add.1 extended it to 2026-12-09.
    assert!(hit_symbols(&open).contains(&"G/TBT/N/CHN/2140".to_string()));
    let hs = search(&app, "通报", json!({"hsCodes": ["8507"]})).await;
    for e in hs["edges"].as_array().unwrap() {
        assert!(
            e["node"]["hsCodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h.as_str().unwrap().starts_with("8507"))
        );
    }
    // A hostile filter value never reaches Meilisearch: it is not a member code.
    let hostile = json!({"q": "通报", "filter": {"members": ["EU\" OR area = \"SPS"]}});
    assert_eq!(app.error_code(SEARCH, hostile).await, "BAD_USER_INPUT");

    // Paging through search results.
    let p1 = app.data(SEARCH, json!({"q": "通报", "first": 5})).await["searchNotices"].clone();
    let p2 = app
        .data(
            SEARCH,
            json!({"q": "通报", "first": 5, "after": p1["pageInfo"]["endCursor"]}),
        )
        .await["searchNotices"]
        .clone();
    assert_eq!(p1["pageInfo"]["hasNextPage"], true);
    assert_eq!(p2["pageInfo"]["hasPreviousPage"], true);
    let a = hit_symbols(&p1);
    let b = hit_symbols(&p2);
    assert!(a.iter().all(|s| !b.contains(s)), "pages do not overlap");
    assert_eq!(
        app.error_code(SEARCH, json!({"q": "x", "first": 500})).await,
        "PAGE_SIZE_INVALID"
    );
    app.finish().await;
});

both_backends!(reindex_swaps_in_a_complete_index, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    app.import_demo().await;
    app.wait_indexed().await;
    let search_client = zhiliang::search::Search::new(&app.settings, zhiliang::catalog::FAMILIES).unwrap();
    let notices = &zhiliang::catalog::notices::search::Notices;
    let n = zhiliang::search::reindex::rebuild(&app.db, &search_client, notices, false)
        .await
        .unwrap();
    assert_eq!(n, 65);
    // `zhiliang reindex` rebuilds every family's index.
    let all = zhiliang::search::reindex::rebuild_all(&app.db, &search_client, false)
        .await
        .unwrap();
    assert_eq!(all.len(), zhiliang::catalog::FAMILIES.len());
    assert!(all.contains(&("notices", 65)), "{all:?}");
    let r = search(&app, "通报", json!(null)).await;
    assert_eq!(r["estimatedTotalCount"], 65);
    assert_eq!(
        hit_symbols(&search(&app, "信号灯", json!(null)).await)[0],
        "G/TBT/N/CHN/2140"
    );
    // The rebuild index is gone after the swap.
    let leftover = search_client
        .client
        .get_index(format!(
            "{}__rebuild",
            search_client.index_uid(zhiliang::catalog::notices::search::INDEX)
        ))
        .await;
    assert!(leftover.is_err());
    app.finish().await;
});

/// Every `Notice` field a search may answer from the index's stored documents, with an alias and a fragment.
const FROM_INDEX_FIELDS: &str = "fragment F on Notice { symbols baseSymbol area kind titleZh titleEn titleOriginal \
     descriptionZh descriptionEn productsText hsCodes icsCodes keywords agency distributionDate commentDeadline \
     open: openForComment(on: \"2023-11-20\") } ";

both_backends!(
    hits_answered_from_the_index_equal_the_records,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        app.import_demo().await;
        app.wait_indexed().await;
        let search = format!(
            "{FROM_INDEX_FIELDS} query($q: String!) {{ searchNotices(query: $q, first: 20) {{ \
             nodes {{ __typename id s: symbol ...F }} }} }}"
        );
        let lookup = format!(
            "{FROM_INDEX_FIELDS} query($s: String!) {{ notice(symbol: $s) {{ __typename id s: symbol ...F }} }}"
        );
        let mut compared = 0;
        for q in [
            "玩具",
            "食品",
            "G/TBT/N/CHN/2140",
            "9503",
            "乳制品",
            "EU",
            "纺织品 标签",
        ] {
            let r = app.data(&search, json!({"q": q})).await;
            for node in r["searchNotices"]["nodes"].as_array().unwrap() {
                let symbol = node["s"].as_str().unwrap();
                let record = app.data(&lookup, json!({"s": symbol})).await;
                assert_eq!(node, &record["notice"], "search hit {symbol} for {q}");
                compared += 1;
            }
        }
        assert!(compared > 20, "only {compared} hits compared");

        // The one-box answers its notices the same way.
        let onebox = format!(
            "{FROM_INDEX_FIELDS} query($q: String!) {{ search(query: $q, first: 20) {{ \
             edges {{ type node {{ __typename ... on Notice {{ id s: symbol ...F }} ... on Standard {{ number }} }} }} }} }}"
        );
        let mut compared = 0;
        for q in ["玩具", "食品", "G/TBT/N/CHN/2140", "乳制品"] {
            let r = app.data(&onebox, json!({"q": q})).await;
            for edge in r["search"]["edges"].as_array().unwrap() {
                if edge["type"] != "NOTICE" {
                    continue;
                }
                let node = &edge["node"];
                let symbol = node["s"].as_str().unwrap();
                let record = app.data(&lookup, json!({"s": symbol})).await;
                assert_eq!(node, &record["notice"], "one-box hit {symbol} for {q}");
                compared += 1;
            }
        }
        assert!(compared > 10, "only {compared} one-box hits compared");
        app.finish().await;
    }
);

/// Sets the notice's Chinese title in the database alone: `queued` also queues it for the index, as every write
/// does; without it the change never reaches the index (what no write of the service does), which shows which
/// path an answer took.
async fn retitle(app: &TestApp, symbol: &str, title: &str, queued: bool) {
    use sea_orm::ConnectionTrait;
    let txn = zhiliang::db::begin_write(&app.db).await.unwrap();
    let b = txn.get_database_backend();
    let row = txn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            b,
            match b {
                sea_orm::DatabaseBackend::Postgres => "SELECT id FROM notice WHERE primary_symbol = $1",
                _ => "SELECT id FROM notice WHERE primary_symbol = ?",
            },
            [symbol.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let id: i32 = row.try_get_by_index(0).unwrap();
    txn.execute_raw(sea_orm::Statement::from_sql_and_values(
        b,
        match b {
            sea_orm::DatabaseBackend::Postgres => "UPDATE notice SET title_zh = $1 WHERE id = $2",
            _ => "UPDATE notice SET title_zh = ? WHERE id = ?",
        },
        [title.into(), id.into()],
    ))
    .await
    .unwrap();
    if queued {
        zhiliang::search::outbox::enqueue(&txn, "notice", id).await.unwrap();
    }
    zhiliang::db::commit(txn).await.unwrap();
}

/// Holds (`true`) or frees the search outbox's lease in the test's name, so that the service's worker sends
/// nothing while it is held.
async fn hold_outbox(app: &TestApp, hold: bool) {
    use sea_orm::ConnectionTrait;
    let sql = if hold {
        "UPDATE search_lease SET holder = 'test holding the outbox', expires_at = 99999999999999 \
         WHERE name = 'search_outbox'"
    } else {
        "UPDATE search_lease SET expires_at = 0 WHERE name = 'search_outbox'"
    };
    let r = app.db.execute_unprepared(sql).await.unwrap();
    assert_eq!(r.rows_affected(), 1, "the service holds the outbox lease by now");
}

both_backends!(
    hits_come_from_the_index_only_while_it_holds_every_write,
    |backend: Backend| async move {
        let app = TestApp::spawn(backend).await;
        app.import_demo().await;
        app.wait_indexed().await;
        let symbol = "G/TBT/N/CHN/2140";
        // `notifiedCommentDeadline` is not stored in the index: that selection reads the hits from the database.
        let light = "query { searchNotices(query: \"G/TBT/N/CHN/2140\", first: 1) { nodes { symbol titleZh } } }";
        let full = "query { searchNotices(query: \"G/TBT/N/CHN/2140\", first: 1) { nodes { symbol titleZh \
                    notifiedCommentDeadline } } }";
        let title = |r: Value| -> (String, String) {
            let n = &r["searchNotices"]["nodes"][0];
            (
                n["symbol"].as_str().unwrap().to_string(),
                n["titleZh"].as_str().unwrap().to_string(),
            )
        };
        // The one-box (its text hits; an exact symbol is read from the database): a fragment on another kind
        // does not stop notices being answered from the index, a
        // notice field the index lacks does.
        let onebox = |extra: &str| {
            format!(
                "query {{ search(query: \"道路交通信号灯\", types: [NOTICE, STANDARD], first: 5) {{ edges {{ node {{ \
                 ... on Notice {{ symbol titleZh {extra} }} ... on Standard {{ number titleZh }} }} }} }} }}"
            )
        };
        let onebox_title = |r: Value| -> String {
            let edges = r["search"]["edges"].as_array().unwrap().clone();
            let n = edges
                .iter()
                .map(|e| &e["node"])
                .find(|n| n["symbol"] == symbol)
                .expect("the notice is found");
            n["titleZh"].as_str().unwrap().to_string()
        };
        let indexed = title(app.data(light, json!({})).await);
        assert_eq!(indexed.0, symbol);
        assert_eq!(onebox_title(app.data(&onebox(""), json!({})).await), indexed.1);
        assert_eq!(title(app.data(full, json!({})).await), indexed);

        // A change the index never hears of: the light selection answers from the index, the other from the
        // database.
        retitle(&app, symbol, "只在数据库里的标题", false).await;
        assert_eq!(title(app.data(light, json!({})).await).1, indexed.1);
        assert_eq!(title(app.data(full, json!({})).await).1, "只在数据库里的标题");
        assert_eq!(onebox_title(app.data(&onebox(""), json!({})).await), indexed.1);
        assert_eq!(
            onebox_title(app.data(&onebox("notifiedCommentDeadline"), json!({})).await),
            "只在数据库里的标题"
        );

        // A change waiting in the outbox (the worker is held off): both selections read the database.
        hold_outbox(&app, true).await;
        retitle(&app, symbol, "等待索引的标题", true).await;
        assert!(zhiliang::search::outbox::pending(&app.db).await.unwrap() > 0);
        assert_eq!(title(app.data(light, json!({})).await).1, "等待索引的标题");
        assert_eq!(title(app.data(full, json!({})).await).1, "等待索引的标题");
        assert_eq!(onebox_title(app.data(&onebox(""), json!({})).await), "等待索引的标题");
        // The same with a key (answers to keyed requests are not kept, so the search reads the outbox itself).
        let key = crate::common::admin_key(&app.db).await;
        let r = app.gql_as(&key, light, json!({})).await;
        assert_eq!(title(r["data"].clone()).1, "等待索引的标题", "{r}");

        // Once the index has it, the index answers again.
        hold_outbox(&app, false).await;
        app.wait_indexed().await;
        assert_eq!(title(app.data(light, json!({})).await).1, "等待索引的标题");
        let r = app.gql_as(&key, light, json!({})).await;
        assert_eq!(title(r["data"].clone()).1, "等待索引的标题", "{r}");
        // And the keyed request takes the index's answer too: a change it never heard of shows.
        retitle(&app, symbol, "又只在数据库里", false).await;
        let r = app.gql_as(&key, light, json!({})).await;
        assert_eq!(title(r["data"].clone()).1, "等待索引的标题", "{r}");
        app.finish().await;
    }
);
