//! `inbox-sync sync`: one sync now, from the demo mailbox or a Gmail-compatible server, with
//! progress on the terminal. Exit codes: 0 done, 3 another sync is running, 1 error, 130
//! stopped with Ctrl-C (the run ends aborted/cancelled).
use std::sync::Arc;

use clap::Args;
use inbox_sync_core::gmail::{GmailEndpoint, GmailSource};
use inbox_sync_core::sync::{run_sync, SyncOptions};
use inbox_sync_core::{Leased, Ledger, Outcome, RunProgress, Trigger};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{progress, report};
use crate::demo::{fake_grant, DemoMailbox, DemoSettings};
use crate::mailbox::{account_source, Mailbox};
use inbox_sync_core::auth::Accounts;

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
    /// Whether this sync goes to the demo's database rather than a connected account's.
    pub fn uses_demo_database(&self) -> bool {
        self.demo || self.gmail_base_url.is_some()
    }
}

pub async fn run(ledger: &Ledger, args: &SyncArgs, mailbox: &Mailbox, accounts: &Accounts) -> i32 {
    let mut quota = args.quota.unwrap_or(250);
    let request_timeout = SyncOptions::default().request_timeout;
    // Kept alive for the whole sync when the demo mailbox serves it.
    let mut demo = None;
    let source = match mailbox {
        Mailbox::Account(record) if !args.uses_demo_database() => {
            eprintln!("Syncing {}.", record.email);
            match account_source(accounts, record, request_timeout).await {
                Ok(source) => source,
                Err(e) => return report(&e.to_string(), e.code()),
            }
        }
        _ => {
            let endpoint = match &args.gmail_base_url {
                Some(url) => match GmailEndpoint::custom(url) {
                    Ok(e) => e,
                    Err(e) => return report(&e.to_string(), "config"),
                },
                None => {
                    if !args.demo {
                        eprintln!(
                            "No Gmail account is connected: syncing the built-in demo mailbox."
                        );
                    }
                    let settings = match DemoSettings::from_env() {
                        Ok(s) => s,
                        Err(e) => return report(&e, "config"),
                    };
                    quota = args.quota.unwrap_or(settings.quota);
                    match DemoMailbox::start(&settings).await {
                        Ok(mailbox) => demo.insert(mailbox).endpoint.clone(),
                        Err(e) => return report(&e, "internal"),
                    }
                }
            };
            match GmailSource::new(&endpoint, fake_grant(&endpoint), request_timeout) {
                Ok(s) => Arc::new(s),
                Err(e) => return report(&e.to_string(), "network"),
            }
        }
    };
    let options = SyncOptions {
        quota_units_per_sec: (quota > 0).then_some(quota),
        concurrency: args.concurrency as usize,
        ..SyncOptions::default()
    };

    let cancel = CancellationToken::new();
    let stopper = tokio::spawn(stop_on_signal(cancel.clone()));
    let (tx, rx) = watch::channel(RunProgress::default());
    let display = tokio::spawn(progress::show(rx));
    let result = run_sync(
        ledger,
        Trigger::Cli,
        source,
        options,
        cancel.clone(),
        Some(tx),
    )
    .await;
    let _ = display.await;
    stopper.abort();
    if let Some(mailbox) = demo {
        mailbox.server.shutdown().await;
    }

    let report_run = match result {
        Ok(Leased::AlreadyRunning { run_id }) => {
            eprintln!(
                "Another sync (run #{run_id}) is already running; not starting a second one."
            );
            return EXIT_ALREADY_RUNNING;
        }
        Ok(Leased::Ran(r)) => r,
        Err(e) => return report(&e.to_string(), e.code()),
    };
    let run = ledger
        .history(1, Some(report_run.run_id + 1))
        .await
        .ok()
        .and_then(|mut runs| runs.pop());
    if args.json {
        if let Some(run) = &run {
            println!("{}", serde_json::to_string(run).unwrap_or_default());
        }
    }
    if report_run.lost.is_some() {
        return report(
            "another sync took over this one, so it stopped",
            "leaseLost",
        );
    }
    match &report_run.outcome {
        Outcome::Success => {
            if let (Some(summary), false) = (&report_run.value, args.json) {
                let took = run
                    .as_ref()
                    .and_then(|r| r.finished_at.map(|f| f - r.started_at))
                    .unwrap_or(0);
                println!(
                    "Synced ({} sync, {}): {} new, {} removed, {} links; {} requests.",
                    summary.kind.as_str(),
                    crate::format::duration(took),
                    summary.inserted,
                    summary.deleted,
                    summary.links,
                    summary.requests
                );
            }
            0
        }
        Outcome::Aborted { tag, .. } if tag == "cancelled" => {
            eprintln!("Sync stopped; what was fetched so far is kept and the next sync resumes from there.");
            EXIT_INTERRUPTED
        }
        Outcome::Aborted { tag, message } | Outcome::Error { tag, message, .. } => {
            report(message, tag)
        }
    }
}

/// Cancels the sync on Ctrl-C or SIGTERM.
async fn stop_on_signal(cancel: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                cancel.cancel();
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    cancel.cancel();
}
