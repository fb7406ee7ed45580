//! Sync progress on the terminal: an indicatif bar when stderr is a terminal, otherwise one
//! plain line per phase (logs and CI stay readable).
use std::io::IsTerminal;
use std::time::Duration;

use inbox_sync_core::Phase;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

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

/// Where a run's progress goes: alone, or as one of several runs side by side (each named by
/// its account, each bar a line of one `MultiProgress`).
#[derive(Clone, Default)]
pub struct Shown {
    pub who: Option<String>,
    pub bars: Option<MultiProgress>,
}

/// Follows the run until it stops reporting.
pub async fn show(mut live: LiveRun, shown: Shown) {
    if std::io::stderr().is_terminal() {
        bar(&mut live, shown).await
    } else {
        lines(&mut live, shown.who.as_deref()).await
    }
}

async fn bar(live: &mut LiveRun, shown: Shown) {
    let bar = match &shown.bars {
        Some(bars) => bars.add(ProgressBar::new(0)),
        None => ProgressBar::new(0),
    };
    // Braces are the template's own.
    let who = shown
        .who
        .map(|w| format!("{}: ", w.replace('{', "{{").replace('}', "}}")))
        .unwrap_or_default();
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner:.green}} {who}{{msg:<24}} [{{bar:32.cyan/blue}}] {{pos}}/{{len}} messages ({{per_sec}}, ETA {{eta}})",
        ))
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

async fn lines(live: &mut LiveRun, who: Option<&str>) {
    let who = who.map(|w| format!("{w}: ")).unwrap_or_default();
    let mut last_phase = None;
    while let Some(p) = live.next().await {
        if p.phase.is_some() && p.phase != last_phase {
            let total = p
                .total_estimate
                .map(|t| format!("/{t}"))
                .unwrap_or_default();
            eprintln!(
                "{who}{}… ({}{} messages done)",
                phase_label(p.phase),
                p.progress.processed_emails,
                total
            );
            last_phase = p.phase;
        }
    }
}
