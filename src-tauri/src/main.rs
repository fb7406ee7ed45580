//! The `inbox-sync` binary: the command line when given a subcommand, the window otherwise.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(inbox_sync_app::main_entry());
}
