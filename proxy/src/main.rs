//! `rollcall`: the proxy server, the sandbox providers, and the CLI in one binary.

use rollcall::{cli, serve};

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rollcall",
    version,
    about = "Rollcall: one attendee list to Tencent Meeting, WeCom, Tencent IM and 31huiyi"
)]
struct Cli {
    /// Log as JSON lines (for log shippers).
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the proxy: API, jobs, UI.
    Serve {
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run the sandbox providers in the same process, with demo credentials, the dev identity
        /// and an embedded store (the README's run command).
        #[arg(long)]
        sandbox: bool,
        /// Override `server.bind`.
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Override `server.data_dir`.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Override `server.ui_dir`.
        #[arg(long)]
        ui_dir: Option<PathBuf>,
    },
    /// Run the sandbox providers standalone as one HTTP server.
    Sandbox(serve::SandboxArgs),
    /// Roster tools.
    Roster {
        #[command(subcommand)]
        command: cli::RosterCommand,
    },
    /// Import a roster through a running proxy (creates a job).
    Import(cli::ImportArgs),
    /// Destinations a running proxy has seen (webinars created, groups and events used), by name.
    Destinations {
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    /// Inspect jobs on a running proxy.
    Jobs {
        #[command(subcommand)]
        command: cli::JobsCommand,
    },
    /// Continuous syncs on a running proxy: a webinar's new enrollees to other destinations.
    Sync {
        #[command(subcommand)]
        command: cli::sync::SyncCommand,
    },
    /// Print a Tencent Meeting signature (ROLLCALL_TM_SECRET_ID / ROLLCALL_TM_SECRET_KEY).
    Sign {
        #[command(subcommand)]
        command: cli::SignCommand,
    },
    /// Generate an IM UserSig (ROLLCALL_IM_SECRET_KEY).
    Usersig(cli::UsersigArgs),
    /// Print the HTTP API's OpenAPI 3.1 document (what `/api/openapi.json` serves).
    Openapi,
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROLLCALL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    use std::io::IsTerminal;
    // Colours only for a person at a terminal: a log file or a collector gets plain text.
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    let result = match cli.command {
        Command::Roster { command } => cli::roster(command),
        Command::Sign { command } => cli::sign(command),
        Command::Usersig(a) => cli::usersig(a),
        Command::Openapi => {
            println!("{}", rollcall::server::openapi::document());
            Ok(0)
        }
        other => {
            if matches!(other, Command::Serve { sandbox: true, .. }) {
                serve::demo_secrets_into_env();
            }
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                match other {
                    Command::Serve {
                        config,
                        sandbox,
                        bind,
                        data_dir,
                        ui_dir,
                    } => serve::serve(serve::ServeArgs {
                        config,
                        sandbox,
                        bind,
                        data_dir,
                        ui_dir,
                    })
                    .await
                    .map(|_| 0),
                    Command::Sandbox(a) => serve::sandbox(a).await.map(|_| 0),
                    Command::Import(a) => cli::import(a).await,
                    Command::Jobs { command } => cli::jobs(command).await,
                    Command::Sync { command } => cli::sync::run(command).await,
                    Command::Destinations { server, json } => {
                        cli::destinations(&server, json).await
                    }
                    _ => unreachable!("handled above"),
                }
            })
        }
    };
    match result {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("rollcall: {e:#}");
            std::process::ExitCode::from(1)
        }
    }
}
