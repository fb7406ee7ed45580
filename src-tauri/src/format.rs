//! Plain-words text for runs and labels on a terminal: relative times, durations, tables.
use inbox_sync_core::sync::{LabelView, MessageSummary, Total};
use inbox_sync_core::{RunStatus, SyncRun};

/// "3 min ago", "2 h ago", "just now".
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let secs = (now_ms - then_ms).max(0) / 1000;
    match secs {
        0..=4 => "just now".into(),
        5..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// 1200 as "1,200".
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "850 ms", "3.2 s", "4 min 05 s".
pub fn duration(ms: i64) -> String {
    match ms {
        ..=999 => format!("{} ms", ms.max(0)),
        1000..=59_999 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {:02} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

fn run_duration(run: &SyncRun, now_ms: i64) -> i64 {
    run.finished_at.unwrap_or(now_ms) - run.started_at
}

fn counters(run: &SyncRun) -> String {
    let p = &run.progress;
    format!(
        "{} fetched, {} processed, {} new, {} links",
        p.fetched_emails, p.processed_emails, p.inserted_emails, p.stored_links
    )
}

/// What `inbox-sync status` prints.
/// The line `status` adds about the latest repair of a damaged database (a `corrupt` row).
pub fn repair_text(run: &SyncRun, now_ms: i64) -> String {
    format!(
        "Damaged database repaired {}: {}.",
        ago(run.finished_at.unwrap_or(run.started_at), now_ms),
        run.error_message
            .as_deref()
            .unwrap_or("it was set aside and rebuilt from Gmail")
    )
}

pub fn status_text(active: Option<&SyncRun>, latest: Option<&SyncRun>, now_ms: i64) -> String {
    let mut lines = Vec::new();
    match active {
        Some(run) if run.is_stale => lines.push(format!(
            "Sync #{} is marked running but its owner is gone or silent (last heartbeat {}); the next sync replaces it.",
            run.id,
            ago(run.last_heartbeat_at, now_ms)
        )),
        Some(run) => lines.push(format!(
            "Sync #{} in progress ({}, started {} by {}): {}.",
            run.id,
            run.phase.map_or("starting", |p| p.as_str()),
            ago(run.started_at, now_ms),
            run.trigger,
            counters(run)
        )),
        None => lines.push("No sync is running.".into()),
    }
    match latest {
        None => lines.push("No sync has run yet.".into()),
        Some(run) if run.status == RunStatus::Running => {}
        Some(run) => {
            let mut line = format!(
                "Latest sync #{}: {} {} after {} ({}); {}.",
                run.id,
                run.status,
                ago(run.finished_at.unwrap_or(run.started_at), now_ms),
                duration(run_duration(run, now_ms)),
                run.trigger,
                counters(run)
            );
            if let Some(message) = &run.error_message {
                line.push_str(&format!(
                    "\n  {}: {}",
                    run.error_tag.map_or("error", |t| t.as_str()),
                    message
                ));
            }
            lines.push(line);
        }
    }
    lines.join("\n")
}

/// What `inbox-sync history` prints: one row per run, newest first.
pub fn history_table(runs: &[SyncRun], now_ms: i64) -> String {
    if runs.is_empty() {
        return "No sync has run yet.\n".into();
    }
    let mut out = format!(
        "{:>6}  {:<8}  {:<8}  {:<12}  {:>10}  {:>7}  {:>7}  {:>6}  {}\n",
        "RUN", "STATUS", "TRIGGER", "STARTED", "DURATION", "FETCHED", "NEW", "LINKS", "ERROR"
    );
    for run in runs {
        let status = if run.is_stale {
            "stale".to_string()
        } else {
            run.status.to_string()
        };
        let error = match (&run.error_tag, &run.error_message) {
            (Some(tag), Some(message)) => format!("{tag}: {message}"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{:>6}  {:<8}  {:<8}  {:<12}  {:>10}  {:>7}  {:>7}  {:>6}  {}\n",
            run.id,
            status,
            run.trigger.as_str(),
            ago(run.started_at, now_ms),
            duration(run_duration(run, now_ms)),
            run.progress.fetched_emails,
            run.progress.inserted_emails,
            run.progress.stored_links,
            error
        ));
    }
    out
}

/// What `inbox-sync labels` prints: system labels first, then the user's, with counts.
pub fn labels_table(labels: &[LabelView]) -> String {
    if labels.is_empty() {
        return "No labels yet: sync first.\n".into();
    }
    let mut out = format!(
        "{:<32}  {:<6}  {:>8}  {:>7}  {}\n",
        "LABEL", "TYPE", "MESSAGES", "UNREAD", "ID"
    );
    for view in labels {
        out.push_str(&format!(
            "{:<32}  {:<6}  {:>8}  {:>7}  {}\n",
            view.label.name, view.label.kind, view.total, view.unread, view.label.id
        ));
    }
    out
}

/// What `inbox-sync search` prints: how many match, then one line a message, newest first.
pub fn search_results(messages: &[MessageSummary], total: Total, now_ms: i64) -> String {
    let mut out = match total.count {
        // Not all counted: a floor, said as one.
        n if !total.exact => format!(
            "More than {n} messages match; the newest {} are shown.\n",
            messages.len()
        ),
        0 => return "No messages match.\n".into(),
        1 => "1 message matches.\n".to_string(),
        n if n as usize > messages.len() => {
            format!(
                "{n} messages match; the newest {} are shown.\n",
                messages.len()
            )
        }
        n => format!("{n} messages match.\n"),
    };
    for m in messages {
        let h = &m.headers;
        let when = h
            .internal_date_ms
            .map(|ms| ago(ms, now_ms))
            .unwrap_or_default();
        let from: String = h
            .from
            .as_deref()
            .unwrap_or("(no sender)")
            .chars()
            .take(30)
            .collect();
        out.push_str(&format!(
            "{when:<12}  {from:<30}  {}  [{}]\n",
            h.subject.as_deref().unwrap_or("(no subject)"),
            h.gmail_id
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative times and durations read naturally at each scale.
    #[test]
    fn times_read_naturally() {
        assert_eq!(ago(0, 3_000), "just now", "a few seconds is 'just now'");
        assert_eq!(ago(0, 180_000), "3 min ago", "minutes");
        assert_eq!(duration(850), "850 ms", "sub-second");
        assert_eq!(duration(3_200), "3.2 s", "seconds with one decimal");
        assert_eq!(
            duration(245_000),
            "4 min 05 s",
            "minutes and padded seconds"
        );
    }
}
