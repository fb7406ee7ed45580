//! `inbox-sync sync`: one sync now, from the demo mailbox or a Gmail-compatible server, with
//! progress on the terminal. Exit codes: 0 done, 3 another sync is running, 1 error, 130
//! stopped with Ctrl-C (the run ends aborted/cancelled).
use std::sync::Arc;

use clap::Args;
use inbox_sync_core::gmail::GmailEndpoint;
use inbox_sync_core::sync::SyncOptions;
use inbox_sync_core::{ErrorTag, LeaseLoss, Outcome, Trigger};

use super::progress;
use crate::app::{demo_mailbox, AppError, DataDir, Ended, Mailbox, OpenMailbox, Start};

pub const EXIT_ALREADY_RUNNING: i32 = 3;
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Args, Clone)]
pub struct SyncArgs {
    /// Sync the built-in demo mailbox (shaped by INBOX_SYNC_DEMO_MESSAGES, _LATENCY_MS, _QUOTA, _SEED)
    #[arg(long, conflicts_with = "gmail_base_url")]
    demo: bool,
    /// Sync from a Gmail-compatible server (https, or http on this machine), e.g. `inbox-sync fake-gmail`
    #[arg(long, value_name = "URL")]
    gmail_base_url: Option<String>,
    /// Print the finished run as JSON on stdout
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
    /// The mailbox this sync is for: the demo or a server by address when asked (both use
    /// the demo's database), else the connected account, else the demo.
    fn mailbox(&self, dir: &DataDir) -> Result<Mailbox, AppError> {
        if let Some(url) = &self.gmail_base_url {
            return GmailEndpoint::custom(url)
                .map(Mailbox::Server)
                .map_err(|e| AppError::config(e.to_string()));
        }
        if self.demo {
            return demo_mailbox();
        }
        let mailbox = dir.current_mailbox()?;
        match &mailbox {
            Mailbox::Account(record) => eprintln!("Syncing {}.", record.email),
            _ => eprintln!("No Gmail account is connected: syncing the built-in demo mailbox."),
        }
        Ok(mailbox)
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

/// Syncs; when the database is found damaged (at open, during the sync or by the check
/// after it), it is set aside by the next open and the sync runs once more, a full one into
/// the fresh file — at most one rebuild per command.
pub async fn run(dir: &DataDir, args: &SyncArgs) -> i32 {
    let mailbox = match args.mailbox(dir) {
        Ok(mailbox) => mailbox,
        Err(e) => return e.report(),
    };
    let mut rebuilt = false;
    loop {
        let open = match dir.open_mailbox(mailbox.clone()).await {
            Ok(open) => open,
            Err(e) => return e.report(),
        };
        if let Some(aside) = open.repaired() {
            rebuilt = true;
            eprintln!(
                "The database was damaged ({}). It was set aside as {} (not deleted); rebuilding \
                 the mail from Gmail with a full sync — nothing is lost. [{}]",
                aside.reason,
                aside.path.display(),
                ErrorTag::Corrupt
            );
        }
        let code = sync(&open, args).await;
        let damage = open.damage();
        open.close().await;
        match damage {
            Some(reason) if !rebuilt => {
                eprintln!("The database was found damaged ({reason}); setting it aside and rebuilding it.");
            }
            _ => return code,
        }
    }
}

async fn sync(open: &Arc<OpenMailbox>, args: &SyncArgs) -> i32 {
    let options = args.options(open.mailbox());
    let running = match open.start(Trigger::Cli, Some(options)).await {
        Ok(Start::Started(running)) => *running,
        Ok(Start::AlreadyRunning { run_id }) => {
            eprintln!(
                "Another sync (run #{run_id}) is already running; not starting a second one."
            );
            return EXIT_ALREADY_RUNNING;
        }
        Err(e) => return e.report(),
    };
    let stopper = {
        let open = open.clone();
        tokio::spawn(async move {
            stop_signal().await;
            open.cancel().await;
        })
    };
    let display = tokio::spawn(progress::show(running.live));
    let ended = running.end.wait().await;
    let _ = display.await;
    stopper.abort();
    let Ended { report: ran, run } = match ended {
        Ok(ended) => ended,
        Err(e) => return e.report(),
    };
    if args.json {
        if let Some(run) = &run {
            println!("{}", serde_json::to_string(run).unwrap_or_default());
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
        return AppError::new(tag.as_str(), message).report();
    }
    match &ran.outcome {
        Outcome::Success => {
            if let (Some(summary), false) = (&ran.value, args.json) {
                let took = run
                    .as_ref()
                    .and_then(|r| r.finished_at.map(|f| f - r.started_at))
                    .unwrap_or(0);
                println!(
                    "Synced ({} sync, {}): {} new, {} removed, {} links; {} requests.",
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
            eprintln!("Sync stopped; what was fetched so far is kept and the next sync resumes from there.");
            EXIT_INTERRUPTED
        }
        Outcome::Aborted { tag, message } | Outcome::Error { tag, message, .. } => {
            AppError::new(tag.as_str(), message.clone()).report()
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
