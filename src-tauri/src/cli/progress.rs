//! Sync progress on the terminal: an indicatif bar when stderr is a terminal, otherwise one
//! plain line per phase (logs and CI stay readable).
use std::io::IsTerminal;
use std::time::Duration;

use std::sync::Mutex;

use inbox_sync_core::{OnUpgrade, Phase, Upgrade};
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

/// The update of a database from an older version (on standard error, as the sync's
/// progress): a bar with the share done when stderr is a terminal, otherwise a line a step.
pub fn upgrade_progress() -> OnUpgrade {
    if std::io::stderr().is_terminal() {
        let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
        OnUpgrade::new(move |u| {
            let mut bar = bar.lock().unwrap_or_else(|e| e.into_inner());
            let shown = bar.get_or_insert_with(|| {
                let b = ProgressBar::new(1000);
                b.set_style(
                    ProgressStyle::with_template(
                        // The step's words last, cut to the terminal's width.
                        "{spinner:.green} Updating the database [{bar:20.cyan/blue}] {percent:>3}% {elapsed:>4} {wide_msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                b.enable_steady_tick(Duration::from_millis(120));
                b
            });
            shown.set_message(upgrade_words(u));
            shown.set_position((u.done * 1000.0) as u64);
            if u.finished() {
                shown.finish_and_clear();
                *bar = None;
                eprintln!(
                    "Updated the database for this version ({} messages).",
                    u.messages
                );
            }
        })
    } else {
        let last: Mutex<Option<usize>> = Mutex::new(None);
        OnUpgrade::new(move |u| {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if u.finished() {
                eprintln!(
                    "Updated the database for this version ({} messages).",
                    u.messages
                );
                *last = None;
            } else if *last != Some(u.step) {
                eprintln!(
                    "Updating the database for this version: {} ({:.0} % done)",
                    upgrade_words(u),
                    u.done * 100.0
                );
                *last = Some(u.step);
            }
        })
    }
}

/// "building the search index (step 1 of 5)"; before the first step, its words alone.
fn upgrade_words(u: &Upgrade) -> String {
    if u.steps == 0 {
        return u.what.clone();
    }
    format!("{} (step {} of {})", u.what, u.step, u.steps)
}
