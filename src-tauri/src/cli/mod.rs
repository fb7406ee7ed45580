//! The command line: `status` and `history` read the run ledger, `sync` runs one sync,
//! `fake-gmail` serves a fake Gmail; with no subcommand the binary opens the window.
mod account;
mod fake;
mod progress;
mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use inbox_sync_core::{Ledger, LedgerConfig, LedgerError, Store, StoreError, StoreOptions};
use serde_json::json;

use crate::mailbox::{self, Mailbox};
use crate::{format, paths};

pub use account::AccountArgs;
pub use fake::FakeArgs;
pub use sync::SyncArgs;

#[derive(Parser)]
#[command(
    name = "inbox-sync",
    version,
    about = "Sync a Gmail mailbox into a local SQLite database."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Clone)]
pub struct GlobalArgs {
    /// Where the database lives [default: the app's platform data directory]
    #[arg(long, global = true, env = "INBOX_SYNC_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A running sync silent for this long is stale and may be replaced
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub stale_after: u64,
}

#[derive(Subcommand)]
pub enum Command {
    /// Show whether a sync is running and how the latest one went
    Status {
        /// Print `{ "active": run|null, "latest": run|null }`
        #[arg(long)]
        json: bool,
    },
    /// Sync now: exit 0 when done, 3 when another sync is running, 1 on error, 130 on Ctrl-C
    Sync(SyncArgs),
    /// Connect a Gmail account (sign in with Google), show it, or disconnect it
    Account(AccountArgs),
    /// Serve a fake Gmail on 127.0.0.1 (prints its base URL first) until killed
    FakeGmail(FakeArgs),
    /// List past syncs, newest first
    History {
        /// How many runs to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print a JSON array of runs
        #[arg(long)]
        json: bool,
    },
}

/// Runs one subcommand and returns the exit code: 0 on success, 1 on error.
pub fn run(global: &GlobalArgs, command: Command) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(&format!("cannot start: {e}"), "internal"),
    };
    runtime.block_on(async {
        match &command {
            Command::FakeGmail(args) => return fake::serve(args).await,
            Command::Account(args) => return account::run(global, args).await,
            _ => {}
        }
        let (dir, accounts) = match data_dir_and_accounts(global) {
            Ok(found) => found,
            Err((message, code)) => return report(&message, code),
        };
        // `sync --demo` and `sync --gmail-base-url` use the demo's database; everything else
        // the connected account's, when there is one.
        let mailbox = match &command {
            Command::Sync(args) if args.uses_demo_database() => Ok(Mailbox::Demo),
            _ => Mailbox::current(&accounts),
        };
        let mailbox = match mailbox {
            Ok(m) => m,
            Err(e) => return report(&e.to_string(), e.code()),
        };
        let ledger = match open_ledger(&dir, &mailbox, global.stale_after).await {
            Ok(l) => l,
            Err((message, code)) => return report(&message, code),
        };
        let result = match command {
            Command::Status { json } => status(&ledger, json).await,
            Command::History { limit, json } => history(&ledger, limit, json).await,
            Command::Sync(args) => {
                let code = sync::run(&ledger, &args, &mailbox, &accounts).await;
                ledger.store().close().await;
                return code;
            }
            Command::FakeGmail(_) | Command::Account(_) => unreachable!("served above"),
        };
        ledger.store().close().await;
        match result {
            Ok(()) => 0,
            Err(e) => report(&e.to_string(), e.code()),
        }
    })
}

/// The data directory (created on first use) and its account side.
pub fn data_dir_and_accounts(
    global: &GlobalArgs,
) -> Result<(PathBuf, inbox_sync_core::auth::Accounts), (String, &'static str)> {
    let dir = paths::data_dir(global.data_dir.as_deref()).map_err(|m| (m, "dataDir"))?;
    create_data_dir(&dir)?;
    let accounts = mailbox::accounts(&dir).map_err(|e| (e.to_string(), e.code()))?;
    Ok((dir, accounts))
}

/// Opens the ledger (and mail) database of `mailbox`, creating its folder on first use.
pub async fn open_ledger(
    dir: &Path,
    mailbox: &Mailbox,
    stale_after: u64,
) -> Result<Ledger, (String, &'static str)> {
    let path = mailbox.database_path(dir);
    if let Some(parent) = path.parent() {
        create_data_dir(parent)?;
    }
    let store = Store::open(&path, StoreOptions::default())
        .await
        .map_err(|e: StoreError| (e.to_string(), e.code()))?;
    let config = LedgerConfig::with_stale_after(Duration::from_secs(stale_after));
    Ok(Ledger::new(store, config))
}

fn create_data_dir(dir: &Path) -> Result<(), (String, &'static str)> {
    std::fs::create_dir_all(dir).map_err(|e| {
        let err = StoreError::from_io(e, dir);
        (
            format!("cannot create the data directory {}: {err}", dir.display()),
            err.code(),
        )
    })
}

pub(crate) fn report(message: &str, code: &str) -> i32 {
    eprintln!("inbox-sync: error: {message} [{code}]");
    1
}

async fn status(ledger: &Ledger, as_json: bool) -> Result<(), LedgerError> {
    let active = ledger.get_active().await?;
    let latest = ledger.get_latest().await?;
    if as_json {
        println!("{}", json!({ "active": active, "latest": latest }));
        return Ok(());
    }
    let now = ledger.clock().now_ms();
    println!(
        "{}",
        format::status_text(active.as_ref(), latest.as_ref(), now)
    );
    Ok(())
}

async fn history(ledger: &Ledger, limit: u32, as_json: bool) -> Result<(), LedgerError> {
    let runs = ledger.history(limit, None).await?;
    if as_json {
        println!(
            "{}",
            serde_json::to_string(&runs).unwrap_or_else(|_| "[]".into())
        );
        return Ok(());
    }
    let now = ledger.clock().now_ms();
    print!("{}", format::history_table(&runs, now));
    Ok(())
}
