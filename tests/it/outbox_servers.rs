//! More than one server (issue 15): the outbox lease lets one process send at a time, passes on when its holder
//! stops renewing, and two real `zhiliang serve` processes on one PostgreSQL keep Meilisearch equal to the
//! database through a `kill -9` of the one sending.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use zhiliang::search::outbox::{Lease, lease_holder};

use crate::both_backends;
use crate::common::{Backend, meili_url, new_database, repo, unique};

both_backends!(
    the_lease_has_one_holder_until_it_expires,
    |backend: Backend| async move {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = new_database(backend, dir.path(), "zl_lease").await;
        let db = zhiliang::db::connect(&url).await.unwrap();
        zhiliang::db::migrate(&db).await.unwrap();

        let ttl = Duration::from_secs(3);
        let a = Lease::new(ttl);
        let b = Lease::new(ttl);
        assert_ne!(a.holder(), b.holder());
        assert_eq!(lease_holder(&db).await.unwrap(), None, "nobody holds a new lease");
        assert!(a.acquire(&db).await.unwrap());
        assert!(!b.acquire(&db).await.unwrap(), "a live lease is not taken");
        assert!(!b.renew(&db).await.unwrap(), "nor renewed by another");
        assert_eq!(lease_holder(&db).await.unwrap().unwrap().holder, a.holder());
        // The holder renews, by `acquire` as by `renew`.
        assert!(a.acquire(&db).await.unwrap());
        assert!(a.renew(&db).await.unwrap());

        // Renewed before it expires, it stays with its holder past its first term.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(a.renew(&db).await.unwrap());
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(!b.acquire(&db).await.unwrap(), "a renewed lease is not taken");

        // Not renewed, it expires and another takes it; the old holder can then neither renew nor take it back.
        tokio::time::sleep(ttl + Duration::from_millis(500)).await;
        assert_eq!(lease_holder(&db).await.unwrap(), None, "an expired lease has no holder");
        assert!(b.acquire(&db).await.unwrap());
        assert!(!a.renew(&db).await.unwrap());
        assert!(!a.acquire(&db).await.unwrap());
        assert_eq!(lease_holder(&db).await.unwrap().unwrap().holder, b.holder());

        // Released, it is free at once.
        b.release(&db).await.unwrap();
        assert_eq!(lease_holder(&db).await.unwrap(), None);
        assert!(!b.renew(&db).await.unwrap(), "a released lease is not renewed");

        // Many would-be holders at once on a free lease: exactly one gets it.
        let racers: Vec<Lease> = (0..8).map(|_| Lease::new(ttl)).collect();
        let won = futures_util::future::join_all(racers.iter().map(|l| l.acquire(&db))).await;
        let winners: Vec<&Lease> = racers
            .iter()
            .zip(&won)
            .filter(|(_, w)| *w.as_ref().unwrap())
            .map(|(l, _)| l)
            .collect();
        assert_eq!(winners.len(), 1, "{won:?}");
        assert_eq!(lease_holder(&db).await.unwrap().unwrap().holder, winners[0].holder());

        db.close().await.ok();
        crate::common::drop_pg(pg).await;
    }
);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `zhiliang serve` process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database_url: &str, prefix: &str, log: &std::path::Path) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
            .arg("serve")
            .env_remove("ZHILIANG_CONFIG")
            .env("ZHILIANG_DATABASE_URL", database_url)
            .env("ZHILIANG_MEILI_URL", meili_url())
            .env("ZHILIANG_MEILI_INDEX_PREFIX", prefix)
            .env("ZHILIANG_MEILI_TIMEOUT_SECS", "5")
            .env("ZHILIANG_LISTEN", format!("127.0.0.1:{port}"))
            .env("ZHILIANG_ASSETS_DIR", repo(".web-assets"))
            .env("ZHILIANG_EMBEDDER", "none")
            .env("ZHILIANG_FOLLOW_WORKER", "false")
            .env("ZHILIANG_WRITE_PER_MINUTE", "100000")
            .env("ZHILIANG_LOG", "zhiliang=info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("the zhiliang binary runs");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn wait_up(&self, http: &reqwest::Client) {
        let start = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{}/healthz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "zhiliang serve did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// This process's part of the lease holder's name (`<host> pid <pid> #<salt>`).
    fn holder_mark(&self) -> String {
        format!(" pid {} #", self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PUT: &str = "mutation($i: PutRecordInput!) { putRecord(input: $i) { action version } }";

fn symbol(i: usize) -> String {
    format!("G/TBT/N/NZL/{}", 1000 + i)
}

fn notice_line(i: usize, round: &str) -> Value {
    json!({"type": "notice", "symbols": [symbol(i)], "distributionDate": "2026-11-20",
        "titleZh": format!("新西兰关于登山杖安全要求的通报 {i} 第{round}版"), "hsCodes": ["660200"]})
}

/// Writes notice `i` at `round` through `server` with an API key; false when the server is gone.
async fn put(http: &reqwest::Client, server: &str, key: &str, i: usize, round: &str) -> bool {
    let resp = http
        .post(format!("{server}/graphql"))
        .bearer_auth(key)
        .json(&json!({"query": PUT, "variables": {"i": {"record": notice_line(i, round)}}}))
        .send()
        .await;
    let Ok(resp) = resp else { return false };
    let Ok(body) = resp.json::<Value>().await else {
        return false;
    };
    assert!(body.get("errors").is_none(), "errors: {body:#}");
    true
}

async fn pending(db: &sea_orm::DatabaseConnection) -> u64 {
    zhiliang::search::outbox::pending(db).await.unwrap()
}

/// Tasks Meilisearch has not finished for `uid`.
async fn unfinished_tasks(http: &reqwest::Client, uid: &str) -> u64 {
    let r: Value = http
        .get(format!(
            "{}/tasks?indexUids={uid}&statuses=enqueued,processing&limit=1",
            meili_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["total"].as_u64().unwrap_or(0)
}

async fn sender(http: &reqwest::Client, server: &Server) -> Option<String> {
    let r: Value = http
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    r["searchOutboxSender"].as_str().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_keep_search_equal_to_the_database_through_a_kill() {
    const N: usize = 2_000;
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = new_database(Backend::Postgres, dir.path(), "zl_servers").await;
    let db = zhiliang::db::connect(&url).await.unwrap();
    zhiliang::db::migrate(&db).await.unwrap();
    let prefix = format!("{}_", unique("srv"));
    let uid = format!("{prefix}notices");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let key = crate::common::admin_key(&db).await;

    let servers = [
        Server::start(&url, &prefix, &dir.path().join("a.log")),
        Server::start(&url, &prefix, &dir.path().join("b.log")),
    ];
    for s in &servers {
        s.wait_up(&http).await;
    }
    // The first round through `zhiliang import --no-index`, as an office's nightly load would come.
    let file = dir.path().join("round1.jsonl");
    let text: String = (0..N).map(|i| format!("{}\n", notice_line(i, "1"))).collect();
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["import", "--no-index"])
        .arg(&file)
        .env_remove("ZHILIANG_CONFIG")
        .env("ZHILIANG_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Rounds 2..: updates through both servers at once, the first 100 notices again and again.
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let http = http.clone();
            let key = key.clone();
            let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
            tokio::spawn(async move {
                let mut alive = [true, true];
                for round in 2..=6 {
                    for i in (w..100).step_by(2) {
                        // Alternate servers; once one is gone, the other takes every write.
                        let mut k = (i + round) % 2;
                        if !alive[k] {
                            k = 1 - k;
                        }
                        if !put(&http, &bases[k], &key, i, &round.to_string()).await {
                            alive[k] = false;
                            assert!(put(&http, &bases[1 - k], &key, i, &round.to_string()).await);
                        }
                    }
                }
            })
        })
        .collect();

    // Kill the sender while it sends: entries wait and a task of its is unfinished in Meilisearch.
    let start = Instant::now();
    let (victim, holder) = loop {
        assert!(start.elapsed() < Duration::from_secs(120), "no server was seen sending");
        let mut found = None;
        for (n, s) in servers.iter().enumerate() {
            if let Some(h) = sender(&http, s).await
                && h.contains(&s.holder_mark())
            {
                found = Some((n, h));
            }
        }
        if let Some(f) = found
            && pending(&db).await > 0
            && unfinished_tasks(&http, &uid).await > 0
        {
            break f;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut servers = servers;
    servers[victim].child.kill().unwrap(); // SIGKILL: no release, the lease must expire
    servers[victim].child.wait().unwrap();
    let survivor = &servers[1 - victim];
    for w in writers {
        w.await.unwrap();
    }
    // A last round through the survivor alone.
    for i in 0..20 {
        assert!(put(&http, &survivor.base, &key, i, "7").await);
    }

    // The survivor takes the lease over once it expired and empties the outbox.
    let start = Instant::now();
    loop {
        let s = sender(&http, survivor).await.unwrap_or_default();
        if s.contains(&survivor.holder_mark()) && pending(&db).await == 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "after the kill of {holder}: sender {s:?}, {} entries left",
            pending(&db).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    while unfinished_tasks(&http, &uid).await > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Every document equals its record's latest state.
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, title_zh FROM notice".to_string(),
        ))
        .await
        .unwrap();
    let stored: BTreeMap<i64, String> = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<i32>("", "id").unwrap() as i64,
                r.try_get::<String>("", "title_zh").unwrap(),
            )
        })
        .collect();
    assert_eq!(stored.len(), N);
    assert!(stored.values().filter(|t| t.ends_with("第7版")).count() == 20);
    assert!(stored.values().filter(|t| t.ends_with("第6版")).count() == 80);
    let docs: Value = http
        .get(format!(
            "{}/indexes/{uid}/documents?limit={}&fields=id,titleZh",
            meili_url(),
            N + 100
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let indexed: BTreeMap<i64, String> = docs["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["titleZh"].as_str().unwrap().to_string()))
        .collect();
    let differing: Vec<_> = stored
        .iter()
        .filter(|(id, t)| indexed.get(id) != Some(t))
        .take(5)
        .collect();
    assert!(
        differing.is_empty(),
        "documents differ from the database: {differing:?}"
    );
    assert_eq!(indexed.len(), stored.len());
    assert_eq!(pending(&db).await, 0);

    drop(servers);
    let indexes: Value = http
        .get(format!("{}/indexes?limit=1000", meili_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for i in indexes["results"].as_array().unwrap() {
        let name = i["uid"].as_str().unwrap();
        if name.starts_with(&prefix) {
            let _ = http.delete(format!("{}/indexes/{name}", meili_url())).send().await;
        }
    }
    db.close().await.ok();
    crate::common::drop_pg(pg).await;
}
