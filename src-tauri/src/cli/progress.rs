//! Sync progress on the terminal: an indicatif bar when stderr is a terminal, otherwise one
//! plain line per phase (logs and CI stay readable).
use std::io::IsTerminal;
use std::time::Duration;

use inbox_sync_core::Phase;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::LiveRun;

/// Words for a phase (`None`: the run has not said yet).
pub fn phase_label(phase: Option<Phase>) -> &'static str {
    match phase {
        None => "Starting",
        Some(Phase::Listing) => "Listing messages",
        Some(Phase::Fetching) => "Fetching messages",
        Some(Phase::History) => "Checking for changes",
        Some(Phase::Throttled) => "Waiting on Gmail quota",
        Some(Phase::Finishing) => "Finishing",
    }
}

/// Follows the run until it stops reporting.
pub async fn show(mut live: LiveRun) {
    if std::io::stderr().is_terminal() {
        bar(&mut live).await
    } else {
        lines(&mut live).await
    }
}

async fn bar(live: &mut LiveRun) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner:.green} {msg:<24} [{bar:32.cyan/blue}] {pos}/{len} messages ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    while let Some(p) = live.next().await {
        if let Some(total) = p.total_estimate {
            bar.set_length(total.max(p.progress.processed_emails).max(0) as u64);
        }
        bar.set_position(p.progress.processed_emails.max(0) as u64);
        bar.set_message(phase_label(p.phase));
    }
    bar.finish_and_clear();
}

async fn lines(live: &mut LiveRun) {
    let mut last_phase = None;
    while let Some(p) = live.next().await {
        if p.phase.is_some() && p.phase != last_phase {
            let total = p
                .total_estimate
                .map(|t| format!("/{t}"))
                .unwrap_or_default();
            eprintln!(
                "{}… ({}{} messages done)",
                phase_label(p.phase),
                p.progress.processed_emails,
                total
            );
            last_phase = p.phase;
        }
    }
}
