//! The `zhiliang` command: serve, migrate, import, reindex, export-schema.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use zhiliang::config::Settings;
use zhiliang::search::{Search, outbox};
use zhiliang::{Application, db, graphql, import};

#[derive(Parser)]
#[command(
    name = "zhiliang",
    version,
    about = "Quality-and-export public information (TBT/SPS notices, ...) over GraphQL"
)]
struct Cli {
    /// TOML settings file; ZHILIANG_* environment variables override it.
    #[arg(long, global = true, env = "ZHILIANG_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server: GraphQL at /graphql, GraphiQL at /graphiql, /healthz and /readyz;
    /// also runs the worker that keeps Meilisearch in step with the database.
    Serve,
    /// Apply pending database migrations (creates the SQLite file if needed).
    Migrate,
    /// Import JSON Lines (.jsonl) or WTO ePing Excel (.xlsx) files. Records already present are updated;
    /// bad rows are reported with file, line and reason, and the good rows still load.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Do not wait for Meilisearch to take the changes (the server's worker sends them later).
        #[arg(long)]
        no_index: bool,
        /// Exit with status 2 when any row was rejected.
        #[arg(long)]
        fail_on_reject: bool,
    },
    /// Rebuild every search index from the database in a new index and swap it in; search stays up meanwhile.
    Reindex,
    /// Compute the sentence embeddings that search documents still lack (with the configured embedder, the local
    /// model by default once scripts/install-model has installed it), then send those documents to Meilisearch.
    /// `serve` does the same in the background; this shows a progress bar and returns when all are done.
    Embed,
    /// Print the GraphQL schema (SDL); `schema.graphql` in the repository is this output.
    ExportSchema,
    /// Manage API keys: the offices that publish and correct records through the API (docs/operate.md).
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a key and print it once (only its hash is stored).
    Create {
        /// A unique name people know the key by (the office).
        #[arg(long)]
        name: String,
        /// admin, editor or reader.
        #[arg(long)]
        role: String,
        /// Catalogues an editor writes (repeat, or separate with commas): notices, standards, enterprises,
        /// listings, zones, policies, export_profiles.
        #[arg(long = "catalogue", value_delimiter = ',')]
        catalogues: Vec<String>,
        /// The start of the division codes an editor is held to (330226 for 宁海县).
        #[arg(long)]
        region: Option<String>,
        /// The last day it works (YYYY-MM-DD, through 23:59:59 Asia/Shanghai) or an RFC 3339 time.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the keys (never their secrets).
    List,
    /// Revoke a key, by name or by number (from `keys list`).
    Revoke { key: String },
}

/// Logs go to stderr: text (coloured only when stderr is a terminal), or one JSON object a line with
/// `ZHILIANG_LOG_FORMAT=json`. `ZHILIANG_LOG` filters them.
fn init_logging() -> Result<(), String> {
    let filter = || tracing_subscriber::EnvFilter::try_from_env("ZHILIANG_LOG").unwrap_or_else(|_| "info".into());
    let format = std::env::var("ZHILIANG_LOG_FORMAT").unwrap_or_default();
    match format.trim().to_ascii_lowercase().as_str() {
        "" | "text" => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .init(),
        "json" => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init(),
        other => return Err(format!("ZHILIANG_LOG_FORMAT: {other:?} is not `text` or `json`")),
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::ExportSchema = cli.command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = init_logging() {
        eprintln!("error: {e}");
        return ExitCode::from(78);
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(78);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Limits refuse deep or long inputs before they reach recursive code; a larger stack is a second fence.
        .thread_stack_size(8 << 20)
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli.command, settings)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::ExportSchema => unreachable!("handled before start-up"),
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            tracing::info!(
                "zhiliang listening on http://{}:{} (GraphiQL at /graphiql)",
                settings.listen.ip(),
                app.port()
            );
            app.run_until(zhiliang::shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let conn = db::connect(&settings.database_url).await?;
            let n = db::migrate(&conn).await?;
            eprintln!("migrations applied: {n} ({})", db::redact(&settings.database_url));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            files,
            no_index,
            fail_on_reject,
        } => {
            let conn = db::connect(&settings.database_url).await?;
            let pending = db::pending_migrations(&conn).await?;
            if !pending.is_empty() {
                anyhow::bail!("the database lacks migrations; run `zhiliang migrate` first");
            }
            let show = std::io::stderr().is_terminal();
            let mut rejected = 0;
            for f in &files {
                let report = import::import_file(&conn, f, show).await?;
                for r in &report.rejected {
                    eprintln!("rejected {r}");
                }
                rejected += report.rejected.len();
                println!("{}: {}", f.display(), report.summary());
            }
            if !no_index {
                let search = Search::new(&settings, zhiliang::catalog::FAMILIES)?;
                let ready = match outbox::prepare(&conn, &search).await {
                    Ok(()) => outbox::drain_all(&conn, &search, Duration::from_secs(3600)).await,
                    Err(e) => Err(e),
                };
                match ready {
                    Ok(n) => println!("search: {n} change(s) indexed"),
                    Err(e) => eprintln!(
                        "warning: search not updated yet ({e:#}); the changes wait in the outbox and `zhiliang serve` sends them when Meilisearch is reachable"
                    ),
                }
            }
            Ok(if fail_on_reject && rejected > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Keys { action } => keys(action, &settings).await,
        Command::Embed => {
            let conn = db::connect(&settings.database_url).await?;
            let search = Search::new(&settings, zhiliang::catalog::FAMILIES)?;
            let Some(meaning) = search.meaning.clone() else {
                anyhow::bail!(
                    "no embedder is configured: embedder = \"none\", or \"auto\" without the local model (install it with \
                     scripts/install-model)"
                );
            };
            zhiliang::search::outbox::prepare(&conn, &search).await?;
            let started = std::time::Instant::now();
            let n = zhiliang::search::meaning::worker::embed_all(
                &conn,
                &meaning,
                zhiliang::catalog::FAMILIES,
                std::io::stderr().is_terminal(),
            )
            .await?;
            let sent =
                zhiliang::search::outbox::drain_all(&conn, &search, std::time::Duration::from_secs(3600)).await?;
            println!(
                "embedded {n} documents with {} in {:.1} s; sent {sent} documents to Meilisearch",
                meaning.model(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex => {
            let conn = db::connect(&settings.database_url).await?;
            let search = Search::new(&settings, zhiliang::catalog::FAMILIES)?;
            let done = zhiliang::search::reindex::rebuild_all(&conn, &search, std::io::stderr().is_terminal()).await?;
            for (index, n) in done {
                println!("reindexed {n} {index} and swapped the new index in");
            }
            // Records changed during the rebuild were queued again: send them (or wait for the server that sends).
            let sent = outbox::drain_all(&conn, &search, Duration::from_secs(3600)).await?;
            println!("search: the changes made during the rebuild are indexed ({sent} sent from here)");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads `--expires`: a day (the key works through its end in Asia/Shanghai) or an RFC 3339 time.
fn expiry(v: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let v = v.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("--expires: {v:?} is neither YYYY-MM-DD nor an RFC 3339 time"))?;
    let end = day
        .succ_opt()
        .ok_or_else(|| anyhow::anyhow!("--expires: {v:?} is too far"))?
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    // Midnight in Asia/Shanghai (UTC+8) is 16:00 UTC the day before.
    Ok(chrono::DateTime::from_naive_utc_and_offset(
        end - chrono::Duration::hours(8),
        chrono::Utc,
    ))
}

async fn keys(action: KeysCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    use zhiliang::operate::keys::{self, Catalogue, NewKey, Role};
    use zhiliang::operate::write::{Action, Actor};
    let conn = db::connect(&settings.database_url).await?;
    if !db::pending_migrations(&conn).await?.is_empty() {
        anyhow::bail!("the database lacks migrations; run `zhiliang migrate` first");
    }
    let actor = Actor::cli();
    match action {
        KeysCommand::Create {
            name,
            role,
            catalogues,
            region,
            expires,
        } => {
            let role =
                Role::parse(&role).ok_or_else(|| anyhow::anyhow!("--role: {role:?} is not admin, editor or reader"))?;
            let catalogues = catalogues
                .iter()
                .filter(|c| !c.trim().is_empty())
                .map(|c| {
                    Catalogue::parse(&c.trim().replace('-', "_"))
                        .ok_or_else(|| anyhow::anyhow!("--catalogue: {c:?} is not one of notices, standards, enterprises, listings, zones, policies, export_profiles"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let new = NewKey {
                name,
                role,
                catalogues,
                region_prefix: region,
                expires_at: expires.as_deref().map(expiry).transpose()?,
            }
            .check(chrono::Utc::now())
            .map_err(|e| anyhow::anyhow!(e))?;
            if keys::name_taken(&conn, &new.name).await? {
                anyhow::bail!("a key named {:?} exists already", new.name);
            }
            let txn = db::begin_write(&conn).await?;
            let (key, secret) = keys::create(&txn, &new, &actor.principal.name).await?;
            zhiliang::operate::write::audit_key(&txn, &actor, &key, Action::KeyCreated)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            db::commit(txn).await?;
            eprintln!(
                "key {} ({}) made; it is shown this once, only its hash is kept. Send it as `Authorization: Bearer <key>`:",
                key.name,
                key.role.as_str()
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::List => {
            let now = chrono::Utc::now();
            for k in keys::list(&conn).await? {
                let cats: Vec<&str> = k.catalogues.iter().map(|c| c.as_str()).collect();
                let state = if k.revoked_at.is_some() {
                    "revoked".to_string()
                } else if !k.active(now) {
                    "expired".to_string()
                } else {
                    "active".to_string()
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\tregion {}\texpires {}\t{}",
                    k.id,
                    k.name,
                    k.prefix,
                    k.role.as_str(),
                    if cats.is_empty() {
                        "-".to_string()
                    } else {
                        cats.join(",")
                    },
                    k.region_prefix.as_deref().unwrap_or("-"),
                    k.expires_at.map_or("never".to_string(), |t| t.to_rfc3339()),
                    state
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Revoke { key } => {
            let found = match key.trim().parse::<i32>() {
                Ok(id) => keys::by_id(&conn, id).await?,
                Err(_) => keys::by_name(&conn, &key).await?,
            };
            let Some(k) = found else {
                anyhow::bail!("no key named or numbered {key:?}; `zhiliang keys list` shows them");
            };
            let txn = db::begin_write(&conn).await?;
            if keys::revoke(&txn, k.id).await? {
                let k = keys::by_id(&txn, k.id).await?.unwrap_or(k);
                zhiliang::operate::write::audit_key(&txn, &actor, &k, Action::KeyRevoked)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                db::commit(txn).await?;
                println!("revoked {}", k.name);
            } else {
                txn.rollback().await?;
                println!("{} was revoked already", k.name);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
