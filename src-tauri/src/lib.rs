//! The app shell: the `inbox-sync` command line (`cli/`) and the Tauri window (`gui/`), both
//! thin presenters over one application layer (`app/`), which opens mailboxes and starts,
//! stops and reports their syncs through the core.
mod app;
mod cli;
mod demo;
mod format;
mod gui;
mod paths;

use clap::{CommandFactory, Parser};

/// The command line's own binary, built beside `inbox-sync` from this same library. It links
/// no GUI library (no WebKitGTK, JavaScriptCore, GTK), so a sync from the terminal costs
/// none of the ~50 MB they map at start.
pub const CLI_BINARY: &str = "inbox-sync-cli";

/// Runs the `inbox-sync` binary: a subcommand runs in the terminal, no subcommand opens the
/// window. On Unix a subcommand is handed to [`CLI_BINARY`] when it sits beside this binary
/// (the same process: `exec`, so the pid, signals and exit code are the command's own);
/// elsewhere, or without it, the command runs in this process. Returns the process exit code.
pub fn main_entry() -> i32 {
    init_logging();
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => {
            hand_to_cli_binary();
            cli::run(&args.global, command)
        }
        None => gui::run(
            args.global.data_dir.as_deref(),
            args.global.stale_after(),
            args.autostart,
        ),
    }
}

/// Runs the `inbox-sync-cli` binary: the command line alone; without a subcommand it prints
/// its help (the window is `inbox-sync`'s). Returns the process exit code.
pub fn cli_entry() -> i32 {
    init_logging();
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => cli::run(&args.global, command),
        None => {
            let mut help = cli::Cli::command();
            eprintln!(
                "{}\nGive a command; `inbox-sync` with none opens the window.",
                help.render_help()
            );
            2
        }
    }
}

/// Replaces this process with [`CLI_BINARY`] from this binary's folder, with the same
/// arguments (and the same `argv[0]`, so usage and errors still say `inbox-sync`). Returns
/// only when there is no such binary or it cannot be run; the caller then runs the command
/// itself.
#[cfg(unix)]
fn hand_to_cli_binary() {
    use std::os::unix::process::CommandExt;

    let Some(cli) = std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(CLI_BINARY))
        .filter(|cli| cli.is_file())
    else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "inbox-sync".into());
    let error = std::process::Command::new(&cli)
        .arg0(arg0)
        .args(args)
        .exec();
    tracing::warn!(
        cli = %cli.display(),
        %error,
        "cannot run the command-line binary; running the command in this process"
    );
}

/// Windows has no `exec`: a child process would get a new pid and its own console handling,
/// so the command runs in this process.
#[cfg(not(unix))]
fn hand_to_cli_binary() {}

/// Log lines go to standard error at the level `INBOX_SYNC_LOG` names (default `warn`, with
/// sqlx's statements at `error`; e.g. `INBOX_SYNC_LOG=debug` or `inbox_sync_core=trace`).
/// Nothing logged carries a token.
///
/// sqlx warns of every statement slower than a second with its whole text: the update of an
/// older database (seconds a migration at 250,000 messages) put kilobytes of SQL on the
/// user's terminal beside its own progress bar. Asked for by name, they are still there.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("INBOX_SYNC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
