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
    /// Print the GraphQL schema (SDL); `schema.graphql` in the repository is this output.
    ExportSchema,
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
                let ready = match search.apply_settings().await {
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
        Command::Reindex => {
            let conn = db::connect(&settings.database_url).await?;
            let search = Search::new(&settings, zhiliang::catalog::FAMILIES)?;
            let done = zhiliang::search::reindex::rebuild_all(&conn, &search, std::io::stderr().is_terminal()).await?;
            for (index, n) in done {
                println!("reindexed {n} {index} and swapped the new index in");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
