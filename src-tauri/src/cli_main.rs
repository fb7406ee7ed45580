//! The `inbox-sync-cli` binary: the command line alone, without the window. It calls nothing
//! of `gui/`, so the linker (`--as-needed`) leaves WebKitGTK, JavaScriptCore and GTK out of
//! it (tests/lean_cli.rs holds that); `inbox-sync SUBCOMMAND` execs it when it is installed
//! beside `inbox-sync`.
fn main() {
    std::process::exit(inbox_sync_app::cli_entry());
}
