//! The command line: `status` and `history` read the run ledger (read-only), `sync` runs one sync,
//! `fake-gmail` serves a fake Gmail; with no subcommand the binary opens the window.
mod account;
mod fake;
mod progress;
mod sync;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use inbox_sync_core::{ErrorTag, SyncRun};
use serde_json::{json, Value};

use crate::app::{AppError, DataDir, Mailbox, OpenMailbox};
use crate::format;

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
    /// Open in the tray without a window (how the login entry starts the app)
    #[arg(long)]
    pub autostart: bool,
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
    /// Show whether a sync is running and how the latest one went, for every connected
    /// account (JSON: the first mailbox's `{ "active": run|null, "latest": run|null }`, plus
    /// `"repaired": run` once a damaged database was set aside and rebuilt, plus
    /// `"accounts": [{ "account", "active", "latest" }, …]` when accounts are connected)
    Status {
        /// Only this connected account
        #[arg(long, value_name = "ADDRESS")]
        account: Option<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Sync now: exit 0 when done, 3 when another sync is running, 1 on error, 130 on Ctrl-C
    Sync(SyncArgs),
    /// Connect a Gmail account (sign in with Google), show it, or disconnect it
    Account(AccountArgs),
    /// Serve a fake Gmail on 127.0.0.1 (prints its base URL first) until killed
    FakeGmail(FakeArgs),
    /// List the mailbox's labels with how many synced messages carry each (and are unread)
    Labels(JsonFlag),
    /// Search the synced mail with Gmail's search words (from:, to:, subject:, label:,
    /// is:unread, is:starred, has:attachment, has:link, before:, after:, older_than:,
    /// newer_than:, "phrases", -word, OR), newest first (JSON: `{ "total": n, "totalExact":
    /// bool, "messages": [...] }`; past 1,000 matches, `total` is 1000 with `totalExact` false:
    /// more than that many match)
    Search {
        /// What to look for, as in Gmail's search box
        query: String,
        /// How many matches to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List past syncs, newest first (JSON: an array of runs)
    History {
        /// How many runs to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// `--json`, for scripts.
#[derive(Args, Clone, Copy)]
pub struct JsonFlag {
    /// Print JSON instead of words
    #[arg(long)]
    pub json: bool,
}

/// Runs one subcommand and returns the exit code: 0 on success, 1 on error.
pub fn run(global: &GlobalArgs, command: Command) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // A task woken from another thread (the sync's writer, answered by SQLite's thread)
        // runs next, not after up to 30 others: the writer is what the fetches wait on.
        .global_queue_interval(1)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return AppError::internal(format!("cannot start: {e}")).report(),
    };
    runtime.block_on(async {
        if let Command::FakeGmail(args) = &command {
            return fake::serve(args).await;
        }
        let dir = match DataDir::open(global.data_dir.as_deref(), global.stale_after()) {
            Ok(dir) => dir.with_upgrade_progress(progress::upgrade_progress()),
            Err(e) => return e.report(),
        };
        let result = match command {
            Command::Status {
                account,
                out: JsonFlag { json },
            } => status(&dir, account.as_deref(), json).await,
            Command::History {
                limit,
                out: JsonFlag { json },
            } => history(&dir, limit, json).await,
            Command::Labels(JsonFlag { json }) => labels(&dir, json).await,
            Command::Search {
                query,
                limit,
                out: JsonFlag { json },
            } => search(&dir, &query, limit, json).await,
            Command::Sync(args) => return sync::run(&dir, &args).await,
            Command::Account(args) => account::run(&dir, &args).await,
            Command::FakeGmail(_) => unreachable!("served above"),
        };
        match result {
            Ok(()) => 0,
            Err(e) => e.report(),
        }
    })
}

impl GlobalArgs {
    pub fn stale_after(&self) -> Duration {
        Duration::from_secs(self.stale_after)
    }
}

/// The connected account's mailbox (else the demo's), opened.
async fn open_current(dir: &DataDir) -> Result<Arc<OpenMailbox>, AppError> {
    dir.open_mailbox(dir.current_mailbox()?).await
}

/// The current mailbox opened for reading only: `status` and `history` work on read-only
/// media and never write.
async fn read_current(dir: &DataDir) -> Result<Arc<OpenMailbox>, AppError> {
    dir.open_mailbox_read_only(dir.current_mailbox()?).await
}

/// One mailbox's ledger as `status` shows it: the running sync, the latest, the latest repair.
struct LedgerView {
    source: Value,
    active: Option<SyncRun>,
    latest: Option<SyncRun>,
    repaired: Option<SyncRun>,
    now: i64,
}

async fn ledger_view(dir: &DataDir, mailbox: Mailbox) -> Result<LedgerView, AppError> {
    let open = dir.open_mailbox_read_only(mailbox).await?;
    let ledger = open.ledger();
    let read = async {
        Ok::<_, AppError>((
            ledger.get_active().await?,
            ledger.get_latest().await?,
            ledger.latest_with_tag(ErrorTag::Corrupt).await?,
        ))
    };
    let result = read.await;
    open.close().await;
    let (active, latest, repaired) = result?;
    Ok(LedgerView {
        source: open.mailbox().view(),
        active,
        latest,
        repaired,
        now: ledger.clock().now_ms(),
    })
}

/// `status`: the account named, else every connected account (else the demo).
async fn status(dir: &DataDir, account: Option<&str>, as_json: bool) -> Result<(), AppError> {
    let mailboxes = match account {
        Some(address) => vec![dir.account_mailbox(address)?],
        None => dir.all_mailboxes()?,
    };
    let mut views = Vec::new();
    for mailbox in mailboxes {
        views.push(ledger_view(dir, mailbox).await?);
    }
    let several = views.len() > 1;
    if as_json {
        let first = &views[0];
        let mut out = json!({ "active": first.active, "latest": first.latest });
        // Only after a repair, so the everyday shape stays `{ active, latest }`.
        if let Some(run) = &first.repaired {
            out["repaired"] = json!(run);
        }
        let accounts: Vec<Value> = views
            .iter()
            .filter_map(|v| {
                let email = v.source.get("email")?;
                Some(json!({ "account": email, "active": v.active, "latest": v.latest }))
            })
            .collect();
        if !accounts.is_empty() {
            out["accounts"] = json!(accounts);
        }
        println!("{out}");
        return Ok(());
    }
    for v in &views {
        let text = format::status_text(v.active.as_ref(), v.latest.as_ref(), v.now);
        if several {
            let who = v
                .source
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or("demo");
            println!("{who}: {}", text.replace('\n', "\n  "));
        } else {
            println!("{text}");
        }
        // Unless the latest run is that very row (then it was printed above).
        if let Some(run) = v
            .repaired
            .as_ref()
            .filter(|r| v.latest.as_ref().is_none_or(|l| l.id != r.id))
        {
            println!("{}", format::repair_text(run, v.now));
        }
    }
    Ok(())
}

async fn history(dir: &DataDir, limit: u32, as_json: bool) -> Result<(), AppError> {
    let open = read_current(dir).await?;
    let result = open.ledger().history(limit, None).await;
    open.close().await;
    let runs = result?;
    if as_json {
        println!(
            "{}",
            serde_json::to_string(&runs).unwrap_or_else(|_| "[]".into())
        );
    } else {
        let now = open.ledger().clock().now_ms();
        print!("{}", format::history_table(&runs, now));
    }
    Ok(())
}

async fn search(dir: &DataDir, query: &str, limit: u32, as_json: bool) -> Result<(), AppError> {
    let open = open_current(dir).await?;
    let result = open.mail().summaries(limit, 0, Some(query), None).await;
    open.close().await;
    let (messages, total) = result?;
    if as_json {
        // `total` is a floor when `totalExact` is false: more than that many match.
        let out = serde_json::json!({
            "total": total.count,
            "totalExact": total.exact,
            "messages": messages,
        });
        println!("{out}");
    } else {
        print!(
            "{}",
            format::search_results(&messages, total, crate::app::now_ms())
        );
    }
    Ok(())
}

async fn labels(dir: &DataDir, as_json: bool) -> Result<(), AppError> {
    let open = open_current(dir).await?;
    let result = open.mail().labels().await;
    open.close().await;
    let labels = result?;
    if as_json {
        println!(
            "{}",
            serde_json::to_string(&labels).unwrap_or_else(|_| "[]".into())
        );
    } else {
        print!("{}", format::labels_table(&labels));
    }
    Ok(())
}
