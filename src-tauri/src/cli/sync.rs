//! `inbox-sync sync`: a sync now of every connected account side by side (or of one, or of
//! the demo mailbox or a Gmail-compatible server), with progress on the terminal. Exit codes:
//! 0 done, 3 another sync is running, 1 error, 130 stopped with Ctrl-C (the run ends
//! aborted/cancelled). With several accounts each gets its own code and the command exits
//! with the worst: 130, then 1, then 3.
use std::sync::Arc;

use clap::Args;
use inbox_sync_core::gmail::GmailEndpoint;
use inbox_sync_core::sync::SyncOptions;
use inbox_sync_core::{ErrorTag, LeaseLoss, Outcome, Trigger};

use indicatif::MultiProgress;

use super::progress::{self, Shown};
use crate::app::{demo_mailbox, AppError, DataDir, Ended, Mailbox, OpenMailbox, Start};

pub const EXIT_ALREADY_RUNNING: i32 = 3;
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Args, Clone)]
pub struct SyncArgs {
    /// Sync the built-in demo mailbox (shaped by INBOX_SYNC_DEMO_MESSAGES, _LATENCY_MS, _QUOTA, _SEED)
    #[arg(long, conflicts_with = "gmail_base_url")]
    demo: bool,
    /// Sync only this connected account
    #[arg(long, value_name = "ADDRESS", conflicts_with_all = ["demo", "gmail_base_url", "all"])]
    account: Option<String>,
    /// Sync every connected account side by side (what `sync` does without an option)
    #[arg(long, conflicts_with_all = ["demo", "gmail_base_url"])]
    all: bool,
    /// Sync from a Gmail-compatible server (https, or http on this machine), e.g. `inbox-sync fake-gmail`
    #[arg(long, value_name = "URL")]
    gmail_base_url: Option<String>,
    /// Print the finished run as JSON on stdout (with several accounts, one line each:
    /// `{ "account", "exit", "run" }`)
    #[arg(long)]
    json: bool,
    /// Client-side quota in Gmail units per second [default: Gmail's 250, or the demo's]
    #[arg(long, value_name = "UNITS")]
    quota: Option<u32>,
    /// Messages fetched at once
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    concurrency: u32,
}

impl SyncArgs {
    /// The mailboxes this sync is for: the demo or a server by address when asked (both use
    /// the demo's database), else the account named, else every connected account, else the
    /// demo.
    fn mailboxes(&self, dir: &DataDir) -> Result<Vec<Mailbox>, AppError> {
        if let Some(url) = &self.gmail_base_url {
            return GmailEndpoint::custom(url)
                .map(|e| vec![Mailbox::Server(e)])
                .map_err(|e| AppError::config(e.to_string()));
        }
        if self.demo {
            return Ok(vec![demo_mailbox()?]);
        }
        if let Some(address) = &self.account {
            return Ok(vec![dir.account_mailbox(address)?]);
        }
        let mailboxes = dir.all_mailboxes()?;
        let emails: Vec<&str> = mailboxes
            .iter()
            .filter_map(|m| match m {
                Mailbox::Account(record) => Some(record.email.as_str()),
                _ => None,
            })
            .collect();
        if emails.is_empty() {
            eprintln!("No Gmail account is connected: syncing the built-in demo mailbox.");
        } else {
            eprintln!("Syncing {}.", emails.join(" and "));
        }
        Ok(mailboxes)
    }

    /// The mailbox's own options with what the arguments change.
    fn options(&self, mailbox: &Mailbox) -> SyncOptions {
        let mut options = mailbox.sync_options();
        if let Some(quota) = self.quota {
            options.quota_units_per_sec = (quota > 0).then_some(quota);
        }
        options.concurrency = self.concurrency as usize;
        options
    }
}

/// Syncs each mailbox, several side by side (each on its own lease and quota), and returns
/// the exit code.
pub async fn run(dir: &DataDir, args: &SyncArgs) -> i32 {
    let mailboxes = match args.mailboxes(dir) {
        Ok(mailboxes) => mailboxes,
        Err(e) => return e.report(),
    };
    if mailboxes.len() == 1 {
        let mailbox = mailboxes.into_iter().next().expect("one mailbox");
        return run_one(dir, args, mailbox, Shown::default(), &mut None).await;
    }
    let bars = MultiProgress::new();
    let mut runs = tokio::task::JoinSet::new();
    for mailbox in mailboxes {
        let who = match &mailbox {
            Mailbox::Account(record) => record.email.clone(),
            other => other.view()["label"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        };
        let shown = Shown {
            who: Some(who.clone()),
            bars: Some(bars.clone()),
        };
        let (dir, args) = (dir.clone(), args.clone());
        runs.spawn(async move {
            let mut run = None;
            let code = run_one(&dir, &args, mailbox, shown, &mut run).await;
            (who, code, run)
        });
    }
    let mut codes = Vec::new();
    while let Some(joined) = runs.join_next().await {
        let (who, code, run) = joined.unwrap_or_else(|e| {
            let code = AppError::internal(e.to_string()).report();
            ("?".into(), code, None)
        });
        // One line per account, also for one whose sync never started (refused, no token…).
        if args.json {
            println!(
                "{}",
                serde_json::json!({ "account": who, "exit": code, "run": run })
            );
        }
        codes.push(code);
    }
    worst(&codes)
}

/// The exit code of several syncs: an interruption, else an error, else a refusal, else 0.
fn worst(codes: &[i32]) -> i32 {
    [EXIT_INTERRUPTED, 1, EXIT_ALREADY_RUNNING]
        .into_iter()
        .find(|c| codes.contains(c))
        .unwrap_or(0)
}

/// Syncs one mailbox; when its database is found damaged (at open, during the sync or by
/// the check after it), it is set aside by the next open and the sync runs once more, a full
/// one into the fresh file — at most one rebuild per command.
async fn run_one(
    dir: &DataDir,
    args: &SyncArgs,
    mailbox: Mailbox,
    shown: Shown,
    run_out: &mut Option<serde_json::Value>,
) -> i32 {
    let who = Who(shown.who.clone());
    let mut rebuilt = false;
    loop {
        let open = match dir.open_mailbox(mailbox.clone()).await {
            Ok(open) => open,
            Err(e) => return who.report(&e),
        };
        if let Some(aside) = open.repaired() {
            rebuilt = true;
            eprintln!(
                "{who}The database was damaged ({}). It was set aside as {} (not deleted); rebuilding \
                 the mail from Gmail with a full sync — nothing is lost. [{}]",
                aside.reason,
                aside.path.display(),
                ErrorTag::Corrupt
            );
        }
        let code = sync(&open, args, shown.clone(), run_out).await;
        let damage = open.damage();
        open.close().await;
        match damage {
            Some(reason) if !rebuilt => {
                eprintln!("{who}The database was found damaged ({reason}); setting it aside and rebuilding it.");
            }
            _ => return code,
        }
    }
}

/// Which account a line is about, when several sync at once: `"you@example.com: "`.
struct Who(Option<String>);

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(who) => write!(f, "{who}: "),
            None => Ok(()),
        }
    }
}

impl Who {
    /// [`AppError::report`], naming the account when there are several.
    fn report(&self, e: &AppError) -> i32 {
        match &self.0 {
            Some(_) => {
                eprintln!("inbox-sync: error: {self}{} [{}]", e.message, e.code);
                1
            }
            None => e.report(),
        }
    }
}

/// Syncs `open`; with several accounts, the finished run goes to `run_out` instead of
/// stdout, for the account's JSON line.
async fn sync(
    open: &Arc<OpenMailbox>,
    args: &SyncArgs,
    shown: Shown,
    run_out: &mut Option<serde_json::Value>,
) -> i32 {
    let who = Who(shown.who.clone());
    let options = args.options(open.mailbox());
    let running = match open.start(Trigger::Cli, Some(options)).await {
        Ok(Start::Started(running)) => *running,
        Ok(Start::AlreadyRunning { run_id }) => {
            eprintln!(
                "{who}Another sync (run #{run_id}) is already running; not starting a second one."
            );
            return EXIT_ALREADY_RUNNING;
        }
        Err(e) => return who.report(&e),
    };
    let stopper = {
        let open = open.clone();
        tokio::spawn(async move {
            stop_signal().await;
            open.cancel().await;
        })
    };
    let display = tokio::spawn(progress::show(running.live, shown.clone()));
    let ended = running.end.wait().await;
    let _ = display.await;
    stopper.abort();
    let Ended { report: ran, run } = match ended {
        Ok(ended) => ended,
        Err(e) => return who.report(&e),
    };
    if args.json {
        if let Some(run) = &run {
            match &shown.who {
                Some(_) => *run_out = serde_json::to_value(run).ok(),
                None => println!("{}", serde_json::to_string(run).unwrap_or_default()),
            }
        }
    }
    if let Some(loss) = ran.lost {
        let (tag, message) = match loss {
            LeaseLoss::TakenOver => (
                ErrorTag::LeaseLost,
                "another sync took over this one, so it stopped",
            ),
            LeaseLoss::SelfFenced => (
                ErrorTag::LeaseExpired,
                "the sync could not renew its lease in time and stopped; the next sync resumes from where it was",
            ),
        };
        return who.report(&AppError::new(tag.as_str(), message));
    }
    match &ran.outcome {
        Outcome::Success => {
            if let (Some(summary), false) = (&ran.value, args.json) {
                let took = run
                    .as_ref()
                    .and_then(|r| r.finished_at.map(|f| f - r.started_at))
                    .unwrap_or(0);
                println!(
                    "{who}Synced ({} sync, {}): {} new, {} removed, {} links; {} requests.",
                    summary.kind,
                    crate::format::duration(took),
                    summary.inserted,
                    summary.deleted,
                    summary.links,
                    summary.requests
                );
            }
            0
        }
        Outcome::Aborted {
            tag: ErrorTag::Cancelled,
            ..
        } => {
            eprintln!("{who}Sync stopped; what was fetched so far is kept and the next sync resumes from there.");
            EXIT_INTERRUPTED
        }
        Outcome::Aborted { tag, message } | Outcome::Error { tag, message, .. } => {
            who.report(&AppError::new(tag.as_str(), message.clone()))
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
