//! The app shell: the `inbox-sync` command line (`cli/`) and the Tauri window (`gui/`), both
//! thin presenters over one application layer (`app/`), which opens mailboxes and starts,
//! stops and reports their syncs through the core.
mod app;
mod cli;
mod demo;
mod format;
mod gui;
mod paths;

use clap::Parser;

/// Runs the binary: a subcommand runs in the terminal, no subcommand opens the window.
/// Returns the process exit code.
pub fn main_entry() -> i32 {
    init_logging();
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => cli::run(&args.global, command),
        None => gui::run(
            args.global.data_dir.as_deref(),
            args.global.stale_after(),
            args.autostart,
        ),
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
