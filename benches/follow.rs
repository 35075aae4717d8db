//! Follow benchmark (issue 11, "Scale"): matching cost should grow with the watches that match a notice, not
//! with all watches. For each watch count (10,000 and 100,000 by default) it makes a fresh database, files the
//! watches under their keys in bulk, imports the same generated notices through `notices::store::upsert` (which
//! leaves one `notice_change` row each), then times the matcher (`events::match_pending` until nothing is
//! pending) and the webhook deliveries (`deliver::send_due` until nothing is due) to a receiver in this process.
//!
//! ```text
//! cargo bench --bench follow                                   # SQLite, 10,000 and 100,000 watches
//! cargo bench --bench follow -- --postgres                     # PostgreSQL (a scratch database, dropped after)
//! cargo bench --bench follow -- --watches 2000,20000 --notices 1000
//! ```
//!
//! Environment (the flags win): `ZHILIANG_BENCH_WATCHES` (comma list, default `10000,100000`),
//! `ZHILIANG_BENCH_NOTICES` (default 10000), `ZHILIANG_BENCH_BACKEND` (`sqlite` or `postgres`),
//! `ZHILIANG_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`, used to create and drop the
//! scratch database). HS headings and ICS codes are read from `../shared/data/reference/` (HS 2022, ICS ed. 7);
//! without those files, codes are drawn from HS chapters 01-97 and a few ICS fields.
//!
//! It prints figures; it asserts nothing but the agreement of its own counts. Run without `--bench` (as
//! `cargo test --benches` does) it does nothing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use zhiliang::catalog::notices::graphql::NoticeFilter;
use zhiliang::catalog::notices::model::{AddendumReason, Notice, NoticeArea, NoticeData, NoticeKind};
use zhiliang::catalog::notices::store::{self as notices, NoticeQuery};
use zhiliang::catalog::notices::symbol::NoticeSymbol;
use zhiliang::catalog::watches::entity::watch;
use zhiliang::catalog::watches::model::filter_json;
use zhiliang::config::Settings;
use zhiliang::follow::entity::{delivery, watch_event, watch_key};
use zhiliang::follow::{FollowContext, deliver, events};

// Only the scratch PostgreSQL databases are used here.
#[allow(dead_code)]
mod support;

/// The data's seed: the same sizes always give the same watches and notices.
const SEED: u64 = 0x464f_4c4c_4f57; // "FOLLOW"
/// Watch rows per INSERT statement (about 20 bound values each) and per transaction.
const WATCH_ROWS: usize = 500;
const WATCH_TXN: usize = 5000;
/// Notices upserted per transaction.
const NOTICE_TXN: usize = 500;
/// Share of watches, in thousandths: broad (area only), members only, ICS only; the rest name HS headings.
const BROAD_PER_MILLE: u64 = 1;
const MEMBERS_ONLY_PER_MILLE: u64 = 20;
const ICS_ONLY_PER_MILLE: u64 = 100;
/// Share of watches with a webhook, in thousandths.
const WEBHOOK_PER_MILLE: u64 = 20;
/// Share of notices that are addenda of an earlier notice of the run, in percent.
const ADDENDA_PERCENT: u64 = 10;
/// How often a long phase prints its progress on stderr.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// WTO members that notify often (and `CHN`): the members of watches and notices.
const MEMBERS: &[&str] = &[
    "EU", "USA", "JPN", "KOR", "CAN", "AUS", "GBR", "CHN", "BRA", "IND", "MEX", "CHL", "PER", "COL", "ARG", "TPKM",
    "THA", "VNM", "IDN", "MYS", "PHL", "SGP", "NZL", "CHE", "TUR", "ISR", "SAU", "ARE", "EGY", "KEN", "UGA", "TZA",
];

/// splitmix64: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }

    /// `k` distinct items (fewer when `v` is shorter).
    fn distinct<T: Clone + PartialEq>(&mut self, v: &[T], k: usize) -> Vec<T> {
        let mut out: Vec<T> = Vec::with_capacity(k);
        while out.len() < k.min(v.len()) {
            let x = self.pick(v).clone();
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }
}

/// The codes watches and notices are drawn from.
struct Codes {
    /// HS 2022 headings (4 digits) with their subheadings (6 digits).
    headings: Vec<(String, Vec<String>)>,
    /// ICS fields' groups (`13.040`) and their subgroups (`13.040.20`).
    ics_groups: Vec<(String, Vec<String>)>,
    source: String,
}

fn load_codes() -> Codes {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/reference");
    let hs = read_codes(&dir.join("hs2022.csv"), "hscode");
    let ics = read_codes(&dir.join("ics-ed7.csv"), "code");
    let mut source = Vec::new();
    let headings = match hs {
        Ok(codes) if codes.iter().any(|c| c.len() == 4) => {
            source.push(format!(
                "{} HS 2022 headings",
                codes.iter().filter(|c| c.len() == 4).count()
            ));
            group(
                &codes,
                |c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit()),
                |c| (c.len() == 6).then(|| c[..4].to_string()),
            )
        }
        other => {
            if let Err(e) = other {
                eprintln!("bench: HS codes not read ({e:#}); drawing headings from chapters 01-97");
            }
            source.push("HS headings drawn from chapters 01-97".to_string());
            (1..=97)
                .flat_map(|ch| (1..=20).map(move |h| (format!("{ch:02}{h:02}"), Vec::new())))
                .collect()
        }
    };
    let ics_groups = match ics {
        Ok(codes) if codes.iter().any(|c| c.len() == 6) => {
            source.push(format!("{} ICS groups", codes.iter().filter(|c| c.len() == 6).count()));
            group(&codes, |c| c.len() == 6, |c| (c.len() == 9).then(|| c[..6].to_string()))
        }
        other => {
            if let Err(e) = other {
                eprintln!("bench: ICS codes not read ({e:#}); drawing a few ICS groups");
            }
            source.push("a few made-up ICS groups".to_string());
            [
                "13.040", "13.060", "29.140", "43.040", "55.020", "61.060", "65.100", "67.040", "71.100", "97.200",
            ]
            .iter()
            .map(|g| (g.to_string(), (1..=5).map(|s| format!("{g}.{:02}", s * 10)).collect()))
            .collect()
        }
    };
    Codes {
        headings,
        ics_groups,
        source: source.join(", "),
    }
}

/// The `column` of a CSV file.
fn read_codes(path: &Path, column: &str) -> anyhow::Result<Vec<String>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let at = r
        .headers()?
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| anyhow!("{} has no column {column}", path.display()))?;
    let mut out = Vec::new();
    for row in r.records() {
        if let Some(c) = row?.get(at) {
            out.push(c.trim().to_string());
        }
    }
    Ok(out)
}

/// Parents (`is_parent`) with their children (`parent_of` names a child's parent).
fn group(
    codes: &[String],
    is_parent: impl Fn(&str) -> bool,
    parent_of: impl Fn(&str) -> Option<String>,
) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = codes
        .iter()
        .filter(|c| is_parent(c))
        .map(|c| (c.clone(), Vec::new()))
        .collect();
    let at: HashMap<String, usize> = out.iter().enumerate().map(|(i, (c, _))| (c.clone(), i)).collect();
    for c in codes {
        if let Some(i) = parent_of(c).and_then(|p| at.get(&p).copied()) {
            out[i].1.push(c.clone());
        }
    }
    out
}

/// A generated watch: its filter (stored as JSON), what it means, and whether it has a webhook.
struct GenWatch {
    filter: serde_json::Value,
    query: NoticeQuery,
    webhook: bool,
}

fn gen_watches(n: usize, codes: &Codes, seed: u64) -> anyhow::Result<Vec<GenWatch>> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(n);
    let members: Vec<String> = MEMBERS.iter().map(|m| m.to_string()).collect();
    for _ in 0..n {
        let r = rng.below(1000) as u64;
        let mut f = NoticeFilter::default();
        if r < BROAD_PER_MILLE {
            f.area = Some(if rng.below(2) == 0 {
                NoticeArea::Tbt
            } else {
                NoticeArea::Sps
            });
        } else if r < BROAD_PER_MILLE + MEMBERS_ONLY_PER_MILLE {
            let k = rng.between(1, 2);
            f.members = Some(rng.distinct(&members, k));
        } else if r < BROAD_PER_MILLE + MEMBERS_ONLY_PER_MILLE + ICS_ONLY_PER_MILLE {
            let k = rng.between(1, 2);
            let groups: Vec<String> = (0..k).map(|_| rng.pick(&codes.ics_groups).0.clone()).collect();
            f.ics_codes = Some(groups);
        } else {
            let k = rng.between(1, 3);
            let hs: Vec<String> = (0..k).map(|_| rng.pick(&codes.headings).0.clone()).collect();
            f.hs_codes = Some(hs);
            if rng.below(2) == 0 {
                let k = rng.between(1, 3);
                f.members = Some(rng.distinct(&members, k));
            }
        }
        let query = f
            .to_query()
            .map_err(|e| anyhow!("a generated filter does not convert: {e:?}"))?;
        let filter = filter_json(&f).map_err(|e| anyhow!("a generated filter does not convert: {e:?}"))?;
        out.push(GenWatch {
            filter,
            query,
            webhook: (rng.below(1000) as u64) < WEBHOOK_PER_MILLE,
        });
    }
    Ok(out)
}

/// Generated notices: 90% originals of random members with 1-4 HS codes of 4, 6 or 8 digits, 10% addenda of
/// an earlier one (same member and codes).
fn gen_notices(m: usize, codes: &Codes, seed: u64) -> anyhow::Result<Vec<NoticeData>> {
    let mut rng = Rng(seed);
    let first = NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date");
    let mut numbers: HashMap<(bool, &str), u32> = HashMap::new();
    let mut out: Vec<NoticeData> = Vec::with_capacity(m);
    let mut originals: Vec<usize> = Vec::new();
    let mut addenda: HashMap<usize, u32> = HashMap::new();
    for i in 0..m {
        let date = first + chrono::Days::new((i / 40) as u64);
        if !originals.is_empty() && (rng.below(100) as u64) < ADDENDA_PERCENT {
            let of = *rng.pick(&originals);
            let k = addenda.entry(of).or_insert(0);
            *k += 1;
            let base = &out[of];
            let symbol = format!("{}/Add.{k}", base.symbols[0]);
            let data = NoticeData {
                symbols: vec![NoticeSymbol::parse(&symbol).map_err(|e| anyhow!("{symbol}: {e}"))?],
                kind: NoticeKind::Addendum,
                distribution_date: date,
                comment_deadline: None,
                addendum_reasons: vec![*rng.pick(&[AddendumReason::MeasureAdopted, AddendumReason::EnteredIntoForce])],
                title_en: base.title_en.as_ref().map(|t| format!("{t}, addendum {k}")),
                title_zh: base.title_zh.as_ref().map(|t| format!("{t}（补遗 {k}）")),
                ..base.clone()
            };
            out.push(data);
            continue;
        }
        let sps = rng.below(10) < 3;
        let member = *rng.pick(MEMBERS);
        let number = numbers.entry((sps, member)).or_insert(0);
        *number += 1;
        let symbol = format!("G/{}/N/{member}/{}", if sps { "SPS" } else { "TBT" }, 1000 + *number);
        let mut hs: Vec<String> = Vec::new();
        for _ in 0..rng.between(1, 4) {
            let (heading, subs) = rng.pick(&codes.headings);
            let digits = rng.below(10);
            let code = if digits < 3 || subs.is_empty() {
                heading.clone()
            } else if digits < 7 {
                rng.pick(subs).clone()
            } else {
                format!("{}{:02}", rng.pick(subs), rng.between(1, 9) * 10)
            };
            if !hs.contains(&code) {
                hs.push(code);
            }
        }
        let ics: Vec<String> = if rng.below(2) == 0 {
            let (g, subs) = rng.pick(&codes.ics_groups);
            vec![if subs.is_empty() {
                g.clone()
            } else {
                rng.pick(subs).clone()
            }]
        } else {
            Vec::new()
        };
        originals.push(i);
        let symbols = vec![NoticeSymbol::parse(&symbol).map_err(|e| anyhow!("{symbol}: {e}"))?];
        out.push(NoticeData {
            area: if sps { NoticeArea::Sps } else { NoticeArea::Tbt },
            member: member.to_string(),
            agency: Some(format!("{member} standards agency")),
            articles: vec!["2.9.2".to_string()],
            comment_deadline: Some(date + chrono::Days::new(60)),
            title_zh: Some(format!("基准通报 {i}：产品技术要求")),
            title_en: Some(format!("Bench notice {i}: technical requirements for products")),
            description_en: Some(format!("Requirements for products under HS {}", hs.join(", "))),
            hs_codes: hs,
            ics_codes: ics,
            ..NoticeData::bare(symbols, date)
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

struct Args {
    watches: Vec<usize>,
    notices: usize,
    backend: Backend,
    pg_admin_url: String,
}

fn count(what: &str, v: &str) -> anyhow::Result<usize> {
    v.trim()
        .replace(['_', ','], "")
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| anyhow!("{what}: {v:?} is not a positive whole number"))
}

fn counts(what: &str, v: &str) -> anyhow::Result<Vec<usize>> {
    v.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| count(what, s))
        .collect()
}

fn parse_args() -> anyhow::Result<Args> {
    let env = |k: &str| std::env::var(k).ok();
    let mut watches = counts(
        "ZHILIANG_BENCH_WATCHES",
        &env("ZHILIANG_BENCH_WATCHES").unwrap_or_else(|| "10000,100000".into()),
    )?;
    let mut notices = match env("ZHILIANG_BENCH_NOTICES") {
        Some(v) => count("ZHILIANG_BENCH_NOTICES", &v)?,
        None => 10_000,
    };
    let mut backend = match env("ZHILIANG_BENCH_BACKEND")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("sqlite") => Backend::Sqlite,
        Some("postgres" | "postgresql" | "pg") => Backend::Postgres,
        Some(other) => bail!("ZHILIANG_BENCH_BACKEND: {other:?} is not sqlite or postgres"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--postgres" => backend = Backend::Postgres,
            "--sqlite" => backend = Backend::Sqlite,
            "--watches" => {
                watches = counts(
                    "--watches",
                    &args.next().ok_or_else(|| anyhow!("--watches needs a value"))?,
                )?
            }
            "--notices" => {
                notices = count(
                    "--notices",
                    &args.next().ok_or_else(|| anyhow!("--notices needs a value"))?,
                )?
            }
            _ => {} // `--bench` and whatever else cargo passes
        }
    }
    if watches.is_empty() {
        bail!("no watch count given");
    }
    Ok(Args {
        watches,
        notices,
        backend,
        pg_admin_url: env("ZHILIANG_TEST_PG_URL")
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    })
}

/// A webhook receiver on 127.0.0.1: answers 200 to every POST and counts them.
async fn start_receiver() -> anyhow::Result<(u16, Arc<AtomicU64>)> {
    use axum::extract::State;
    use axum::http::StatusCode;
    async fn hook(State(n): State<Arc<AtomicU64>>, _body: axum::body::Bytes) -> StatusCode {
        n.fetch_add(1, Ordering::Relaxed);
        StatusCode::OK
    }
    let posts = Arc::new(AtomicU64::new(0));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(posts.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("bench: the webhook receiver stopped: {e}");
        }
    });
    Ok((port, posts))
}

/// Files the watches in bulk: watch rows and their `watch_key` rows, ids 1..=n.
async fn create_watches(db: &DatabaseConnection, watches: &[GenWatch], hook_url: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut last = Instant::now();
    for (t, txn_chunk) in watches.chunks(WATCH_TXN).enumerate() {
        let txn = zhiliang::db::begin_write(db).await?;
        for (c, rows) in txn_chunk.chunks(WATCH_ROWS).enumerate() {
            let first_id = t * WATCH_TXN + c * WATCH_ROWS + 1;
            let mut keys = Vec::new();
            let models: Vec<watch::ActiveModel> = rows
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let id = (first_id + i) as i32;
                    keys.extend(
                        events::watch_keys(&w.query)
                            .into_iter()
                            .map(|key| watch_key::ActiveModel {
                                key: Set(key),
                                watch_id: Set(id),
                            }),
                    );
                    watch::ActiveModel {
                        id: Set(id),
                        token_hash: Set(format!("{id:064x}")),
                        name: Set(format!("bench watch {id}")),
                        filter: Set(w.filter.to_string()),
                        query: Set(None),
                        enterprise_credit_code: Set(None),
                        paused: Set(false),
                        created_at: Set(now),
                        updated_at: Set(now),
                        reminder_days: Set("[7,2]".into()),
                        webhook_url: Set(w.webhook.then(|| hook_url.to_string())),
                        webhook_secret: Set(w.webhook.then(|| format!("bench-secret-{id}"))),
                        webhook_failed_at: Set(None),
                        webhook_last_error: Set(None),
                        email: Set(None),
                        email_mode: Set("immediate".into()),
                        digest_hour: Set(8),
                        email_confirmed_at: Set(None),
                        link_key: Set(None),
                    }
                })
                .collect();
            watch::Entity::insert_many(models).exec_without_returning(&txn).await?;
            for k in keys.chunks(WATCH_ROWS * 2) {
                watch_key::Entity::insert_many(k.to_vec())
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
        zhiliang::db::commit(txn).await?;
        if last.elapsed() >= PROGRESS_EVERY {
            eprintln!(
                "bench: {} of {} watches filed",
                ((t + 1) * WATCH_TXN).min(watches.len()),
                watches.len()
            );
            last = Instant::now();
        }
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Ids were given explicitly: move the sequence past them.
        db.execute_unprepared("SELECT setval(pg_get_serial_sequence('watch', 'id'), (SELECT MAX(id) FROM watch))")
            .await?;
    }
    Ok(())
}

/// Upserts the notices in transactions of `NOTICE_TXN`; their ids in order.
async fn import_notices(db: &DatabaseConnection, data: &[NoticeData]) -> anyhow::Result<Vec<i32>> {
    let mut ids = Vec::with_capacity(data.len());
    let mut last = Instant::now();
    for chunk in data.chunks(NOTICE_TXN) {
        let txn = zhiliang::db::begin_write(db).await?;
        for d in chunk {
            let (id, _) = notices::upsert(&txn, d, "bench")
                .await
                .with_context(|| format!("upserting {}", d.symbols[0]))?;
            ids.push(id);
        }
        zhiliang::db::commit(txn).await?;
        if last.elapsed() >= PROGRESS_EVERY {
            eprintln!("bench: {} of {} notices imported", ids.len(), data.len());
            last = Instant::now();
        }
    }
    Ok(ids)
}

/// What the matcher should find, worked out in memory from the same keys and the same test
/// (`notices::store::matches`): the watches it looks at and the events it should make.
struct Expected {
    /// Watches filed under a notice's keys, summed over notices (what `candidates` returns for the notice).
    direct: u64,
    /// For follow-ups, watches filed under the keys of the chain's other notices (the second `candidates` call).
    chain: u64,
    /// Distinct (watch, notice) pairs that should get an event.
    events: u64,
}

fn expected(watches: &[GenWatch], stored: &[Notice]) -> Expected {
    let mut index: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, w) in watches.iter().enumerate() {
        for k in events::watch_keys(&w.query) {
            index.entry(k).or_default().push(i as u32);
        }
    }
    let mut chains: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in stored.iter().enumerate() {
        chains
            .entry(n.data.primary_symbol().base().to_string())
            .or_default()
            .push(i);
    }
    // Stamps instead of sets: `seen[w] == stamp` means looked at for the current notice.
    let mut seen = vec![0u32; watches.len()];
    let mut stamp = 0u32;
    let mut looked = |keys: &[String], seen: &mut Vec<u32>| -> Vec<u32> {
        stamp += 1;
        let mut out = Vec::new();
        for k in keys {
            for &w in index.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                if seen[w as usize] != stamp {
                    seen[w as usize] = stamp;
                    out.push(w);
                }
            }
        }
        out
    };
    let mut e = Expected {
        direct: 0,
        chain: 0,
        events: 0,
    };
    for n in stored {
        let direct = looked(&events::notice_keys(n), &mut seen);
        e.direct += direct.len() as u64;
        let mut hit: Vec<u32> = direct
            .into_iter()
            .filter(|w| notices::matches(&watches[*w as usize].query, n))
            .collect();
        let follow_up = !n.data.primary_symbol().suffixes().is_empty()
            || matches!(
                n.data.kind,
                NoticeKind::Addendum | NoticeKind::Corrigendum | NoticeKind::Revision
            );
        if follow_up {
            let others: Vec<&Notice> = chains[&n.data.primary_symbol().base().to_string()]
                .iter()
                .map(|i| &stored[*i])
                .filter(|o| o.id != n.id)
                .collect();
            let mut keys: Vec<String> = others.iter().flat_map(|o| events::notice_keys(o)).collect();
            keys.sort();
            keys.dedup();
            let cands = looked(&keys, &mut seen);
            e.chain += cands.len() as u64;
            for w in cands {
                let q = &watches[w as usize].query;
                if others.iter().any(|o| notices::matches(q, o)) && !hit.contains(&w) {
                    hit.push(w);
                }
            }
        }
        e.events += hit.len() as u64;
    }
    e
}

/// What one watch count measured.
struct Figures {
    watches: usize,
    webhooks: usize,
    keys: u64,
    notices: usize,
    changes: u64,
    setup_watches_secs: f64,
    import_secs: f64,
    expected: Expected,
    match_secs: f64,
    events: u64,
    new_notice: u64,
    follow_up: u64,
    deliveries: u64,
    deliver_secs: f64,
    sent: u64,
    failed: u64,
    left_pending: u64,
    received: u64,
}

impl Figures {
    fn notices_per_sec(&self) -> f64 {
        self.changes as f64 / self.match_secs
    }

    fn us_per_event(&self) -> f64 {
        self.match_secs * 1e6 / self.events.max(1) as f64
    }

    fn us_per_candidate(&self) -> f64 {
        self.match_secs * 1e6 / (self.expected.direct + self.expected.chain).max(1) as f64
    }
}

async fn run_size(
    backend: Backend,
    args: &Args,
    n: usize,
    codes: &Codes,
    data: &[NoticeData],
    receiver: (u16, &AtomicU64),
) -> anyhow::Result<Figures> {
    println!("\n## {} watches, {} notices, {}", n, data.len(), backend.label());
    let scratch = tempfile::tempdir().context("creating a temporary folder")?;
    let pg_name = format!("zl_follow_bench_{}_{n}", std::process::id());
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/follow.db?mode=rwc", scratch.path().display()),
        Backend::Postgres => support::pg::create_database(&args.pg_admin_url, &pg_name).await?,
    };
    let result = measure(&url, n, codes, data, receiver).await;
    if backend == Backend::Postgres
        && let Err(e) = support::pg::drop_database(&args.pg_admin_url, &pg_name).await
    {
        eprintln!("bench: dropping the PostgreSQL database {pg_name} failed: {e:#}");
    }
    result
}

async fn measure(
    url: &str,
    n: usize,
    codes: &Codes,
    data: &[NoticeData],
    (port, received): (u16, &AtomicU64),
) -> anyhow::Result<Figures> {
    let db = zhiliang::db::connect(url).await?;
    zhiliang::db::migrate(&db).await?;

    // Set-up: watches in bulk, then the notices through the import's upsert.
    let watches = gen_watches(n, codes, SEED ^ n as u64)?;
    let webhooks = watches.iter().filter(|w| w.webhook).count();
    let t = Instant::now();
    create_watches(&db, &watches, &format!("http://127.0.0.1:{port}/hook")).await?;
    let setup_watches_secs = t.elapsed().as_secs_f64();
    let keys = watch_key::Entity::find().count(&db).await?;
    println!("set-up: {n} watches ({webhooks} with a webhook) under {keys} keys in {setup_watches_secs:.2} s");
    let t = Instant::now();
    let ids = import_notices(&db, data).await?;
    let import_secs = t.elapsed().as_secs_f64();
    let changes = events::pending(&db).await?;
    println!(
        "set-up: {} notices upserted in {import_secs:.2} s ({:.0}/s), {changes} notice changes pending",
        ids.len(),
        ids.len() as f64 / import_secs
    );
    let mut stored = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        stored.extend(notices::by_ids(&db, chunk).await?);
    }
    let expected = expected(&watches, &stored);
    drop(stored);
    println!(
        "expected (in memory, same keys and test): {} candidates ({} direct, {} by chain), {} events",
        expected.direct + expected.chain,
        expected.direct,
        expected.chain,
        expected.events
    );

    // Timed: matching.
    let t = Instant::now();
    let mut done = 0usize;
    let mut last = Instant::now();
    loop {
        let k = events::match_pending(&db, events::MATCH_BATCH).await?;
        if k == 0 {
            break;
        }
        done += k;
        if last.elapsed() >= PROGRESS_EVERY {
            eprintln!(
                "bench: matched {done} of {changes} notice changes in {:.0} s ({:.0}/s)",
                t.elapsed().as_secs_f64(),
                done as f64 / t.elapsed().as_secs_f64()
            );
            last = Instant::now();
        }
    }
    let match_secs = t.elapsed().as_secs_f64();
    let events = watch_event::Entity::find().count(&db).await?;
    let kind = |k: &'static str| {
        watch_event::Entity::find()
            .filter(watch_event::Column::Kind.eq(k))
            .count(&db)
    };
    let new_notice = kind("NEW_NOTICE").await?;
    let follow_up = kind("FOLLOW_UP").await?;
    let deliveries = delivery::Entity::find()
        .filter(delivery::Column::Channel.eq("webhook"))
        .count(&db)
        .await?;
    println!(
        "matching: {done} changes in {match_secs:.2} s = {:.0} notices/s; {events} events ({new_notice} new, {follow_up} follow-ups) = {:.0} events/s, {:.1} µs/event; {deliveries} webhook deliveries queued",
        done as f64 / match_secs,
        events as f64 / match_secs,
        match_secs * 1e6 / events.max(1) as f64
    );
    if events != expected.events {
        println!(
            "warning: the matcher made {events} events, the in-memory count says {}",
            expected.events
        );
    }

    // Timed: deliveries.
    let settings = Settings {
        database_url: url.to_string(),
        webhook_allow: vec!["127.0.0.1".into()],
        ..Settings::default()
    };
    let ctx = FollowContext::new(db.clone(), Arc::new(settings));
    let before = received.load(Ordering::Relaxed);
    let t = Instant::now();
    let mut looked = 0usize;
    let mut last = Instant::now();
    loop {
        let k = deliver::send_due(&ctx).await?;
        if k == 0 {
            break;
        }
        looked += k;
        if last.elapsed() >= PROGRESS_EVERY {
            eprintln!(
                "bench: {looked} of {deliveries} deliveries sent in {:.0} s ({:.0}/s)",
                t.elapsed().as_secs_f64(),
                looked as f64 / t.elapsed().as_secs_f64()
            );
            last = Instant::now();
        }
    }
    let deliver_secs = t.elapsed().as_secs_f64();
    let received = received.load(Ordering::Relaxed) - before;
    let status = |s: &'static str| {
        delivery::Entity::find()
            .filter(delivery::Column::Channel.eq("webhook"))
            .filter(delivery::Column::Status.eq(s))
            .count(&db)
    };
    let sent = status("sent").await?;
    let failed = status("failed").await?;
    let left_pending = status("pending").await?;
    println!(
        "deliveries: {sent} sent in {deliver_secs:.2} s = {:.0}/s; the receiver counted {received} POSTs; {failed} failed, {left_pending} still pending",
        sent as f64 / deliver_secs
    );
    if sent != received {
        println!("warning: {sent} deliveries marked sent but the receiver counted {received} POSTs");
    }
    if left_pending > 0 || failed > 0 {
        let e = delivery::Entity::find()
            .filter(delivery::Column::LastError.is_not_null())
            .one(&db)
            .await?
            .and_then(|d| d.last_error);
        println!("note: a delivery's last error: {}", e.as_deref().unwrap_or("none"));
    }
    db.close().await?;
    Ok(Figures {
        watches: n,
        webhooks,
        keys,
        notices: data.len(),
        changes,
        setup_watches_secs,
        import_secs,
        expected,
        match_secs,
        events,
        new_notice,
        follow_up,
        deliveries,
        deliver_secs,
        sent,
        failed,
        left_pending,
        received,
    })
}

fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) if !head.is_empty() => {
            if git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty()) {
                format!("{head} (with uncommitted changes)")
            } else {
                head
            }
        }
        _ => "none".to_string(),
    }
}

fn print_summary(backend: Backend, codes: &Codes, figures: &[Figures]) {
    println!("\n## Summary ({})\n", backend.label());
    println!("commit {}; data: {}", commit(), codes.source);
    println!(
        "machine: {} CPU(s); matching = events::match_pending(MATCH_BATCH = {}) until 0; deliveries = deliver::send_due until 0, to a receiver in this process on 127.0.0.1",
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(0),
        events::MATCH_BATCH
    );
    if let Some(level) = option_env!("CARGO_PROFILE_BENCH_OPT_LEVEL") {
        println!("note: built with CARGO_PROFILE_BENCH_OPT_LEVEL={level}; figures are not those of a release build");
    }
    println!();
    println!(
        "| watches | notices | candidates | events | matching s | notices/s | events/s | µs/event | µs/candidate | deliveries | deliveries/s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in figures {
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.0} | {:.0} | {:.1} | {:.1} | {} | {:.0} |",
            f.watches,
            f.notices,
            f.expected.direct + f.expected.chain,
            f.events,
            f.match_secs,
            f.notices_per_sec(),
            f.events as f64 / f.match_secs,
            f.us_per_event(),
            f.us_per_candidate(),
            f.sent,
            f.sent as f64 / f.deliver_secs,
        );
    }
    println!();
    for f in figures {
        println!(
            "{} watches: {} with a webhook, {} keys; set-up {:.1} s (watches) + {:.1} s (notices, {} changes); events {} new + {} follow-ups; deliveries {} queued, {} sent, {} failed, {} pending, {} POSTs received, {:.1} s",
            f.watches,
            f.webhooks,
            f.keys,
            f.setup_watches_secs,
            f.import_secs,
            f.changes,
            f.new_notice,
            f.follow_up,
            f.deliveries,
            f.sent,
            f.failed,
            f.left_pending,
            f.received,
            f.deliver_secs
        );
    }
    if let (Some(a), Some(b)) = (figures.first(), figures.last())
        && figures.len() > 1
    {
        let r = |x: f64, y: f64| if y > 0.0 { x / y } else { f64::NAN };
        println!(
            "\ngrowth {} -> {} watches (x{:.1}): candidates x{:.2}, events x{:.2}, matching time x{:.2}, time per event x{:.2}, time per candidate x{:.2}, deliveries x{:.2}, delivery time x{:.2}",
            a.watches,
            b.watches,
            r(b.watches as f64, a.watches as f64),
            r(
                (b.expected.direct + b.expected.chain) as f64,
                (a.expected.direct + a.expected.chain) as f64
            ),
            r(b.events as f64, a.events as f64),
            r(b.match_secs, a.match_secs),
            r(b.us_per_event(), a.us_per_event()),
            r(b.us_per_candidate(), a.us_per_candidate()),
            r(b.sent as f64, a.sent as f64),
            r(b.deliver_secs, a.deliver_secs),
        );
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then there is nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        println!("follow benchmark: skipped (run it with `cargo bench --bench follow`)");
        return Ok(());
    }
    let args = parse_args()?;
    if args.backend == Backend::Postgres {
        support::pg::admin(&args.pg_admin_url).await?.close().await?;
    }
    let codes = load_codes();
    let data = gen_notices(args.notices, &codes, SEED)?;
    println!(
        "generated {} notices ({} addenda) from {}",
        data.len(),
        data.iter().filter(|d| d.kind == NoticeKind::Addendum).count(),
        codes.source
    );
    let (port, posts) = start_receiver().await?;
    let mut figures = Vec::new();
    for &n in &args.watches {
        figures.push(
            run_size(args.backend, &args, n, &codes, &data, (port, &posts))
                .await
                .with_context(|| format!("{} watches on {}", n, args.backend.label()))?,
        );
    }
    print_summary(args.backend, &codes, &figures);
    Ok(())
}
