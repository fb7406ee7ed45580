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
    let args = cli::Cli::parse();
    match args.command {
        Some(command) => cli::run(&args.global, command),
        None => gui::run(&args.global),
    }
}
