//! The app shell: the `inbox-sync` command line and the Tauri window. Thin by design: each
//! entry point makes one call into the core and maps its errors.
mod cli;
mod demo;
mod format;
mod gui;
mod mailbox;
mod paths;

use clap::Parser;

/// Runs the binary: a subcommand runs in the terminal, no subcommand opens the window.
/// Returns the process exit code.
pub fn main_entry() -> i32 {
    init_logging();
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => cli::run(&args.global, command),
        None => gui::run(&args.global),
    }
}

/// Log lines go to standard error at the level `INBOX_SYNC_LOG` names (default `warn`; e.g.
/// `INBOX_SYNC_LOG=debug` or `inbox_sync_core=trace`). Nothing logged carries a token.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("INBOX_SYNC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
