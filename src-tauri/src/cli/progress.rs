//! Sync progress on the terminal: an indicatif bar when stderr is a terminal, otherwise one
//! plain line per phase (logs and CI stay readable).
use std::io::IsTerminal;
use std::time::Duration;

use inbox_sync_core::RunProgress;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

/// Words for a phase.
pub fn phase_label(phase: &str) -> &str {
    match phase {
        "listing" => "Listing messages",
        "fetching" => "Fetching messages",
        "history" => "Checking for changes",
        "throttled" => "Waiting on Gmail quota",
        "finishing" => "Finishing",
        other => other,
    }
}

/// Follows `progress` until the sender is dropped.
pub async fn show(mut progress: watch::Receiver<RunProgress>) {
    if std::io::stderr().is_terminal() {
        bar(&mut progress).await
    } else {
        lines(&mut progress).await
    }
}

async fn bar(progress: &mut watch::Receiver<RunProgress>) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner:.green} {msg:<24} [{bar:32.cyan/blue}] {pos}/{len} messages ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    while progress.changed().await.is_ok() {
        let p = progress.borrow_and_update().clone();
        if let Some(total) = p.total_estimate {
            bar.set_length(total.max(p.progress.processed_emails).max(0) as u64);
        }
        bar.set_position(p.progress.processed_emails.max(0) as u64);
        bar.set_message(phase_label(p.phase.as_deref().unwrap_or("starting")).to_owned());
    }
    bar.finish_and_clear();
}

async fn lines(progress: &mut watch::Receiver<RunProgress>) {
    let mut last_phase = None;
    while progress.changed().await.is_ok() {
        let p = progress.borrow_and_update().clone();
        if p.phase.is_some() && p.phase != last_phase {
            let total = p
                .total_estimate
                .map(|t| format!("/{t}"))
                .unwrap_or_default();
            eprintln!(
                "{}… ({}{} messages done)",
                phase_label(p.phase.as_deref().unwrap_or_default()),
                p.progress.processed_emails,
                total
            );
            last_phase = p.phase;
        }
    }
}
