//! The events every window listens to, the run snapshots they carry, and how a sync this
//! process runs becomes them: its progress (at most ten events a second, built in memory,
//! no database read) and its end, once; the tray follows along.
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::sync::{MailCounts, MailStore};
use inbox_sync_core::{SyncRun, Trigger};
use serde_json::json;
use tauri::{AppHandle, Emitter, Runtime};

use super::shown::ShownMailbox;
use super::{notify, tray};
use crate::app::{LiveRun, OpenMailbox, RunningSync};

/// Progress events are coalesced to this interval (at most ~10 per second).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub const PROGRESS: &str = "sync://progress";
pub const FINISHED: &str = "sync://finished";
pub const MAIL_CHANGED: &str = "mail://changed";

/// The run, plus when it was sent (`emittedAtMs`) so the window can measure how long the
/// way to the screen took.
pub fn progress<R: Runtime>(app: &AppHandle<R>, mailbox: &str, run: &SyncRun) {
    let mut payload = with_mailbox(run, mailbox);
    if let Some(fields) = payload.as_object_mut() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        fields.insert("emittedAtMs".into(), json!(now));
    }
    if let Err(e) = app.emit(PROGRESS, payload) {
        tracing::warn!(error = %e, "cannot send progress to the windows");
    }
}

/// The run with the key of the mailbox it syncs, so each window keeps the ones it shows.
fn with_mailbox(run: &SyncRun, mailbox: &str) -> serde_json::Value {
    let mut payload = serde_json::to_value(run).unwrap_or_default();
    if let Some(fields) = payload.as_object_mut() {
        fields.insert("mailbox".into(), json!(mailbox));
    }
    payload
}

pub fn finished<R: Runtime>(app: &AppHandle<R>, mailbox: &str, run: &SyncRun) {
    if let Err(e) = app.emit(FINISHED, with_mailbox(run, mailbox)) {
        tracing::warn!(error = %e, "cannot send the end of a sync to the windows");
    }
}

pub fn mail_changed<R: Runtime>(app: &AppHandle<R>, mailbox: &str, counts: &MailCounts) {
    let _ = app.emit(
        MAIL_CHANGED,
        json!({ "mailbox": mailbox, "counts": counts }),
    );
}

/// Sends a sync's progress to the windows until it stops reporting, then its end.
pub async fn follow<R: Runtime>(
    app: AppHandle<R>,
    shown: Arc<ShownMailbox>,
    open: Arc<OpenMailbox>,
    running: RunningSync,
) {
    let RunningSync { run_id, live, end } = running;
    let key = shown.key();
    forward_progress(&app, key, open.mail(), live).await;
    if let Err(e) = end.wait().await {
        tracing::error!(mailbox = %key, run_id, code = %e.code, "the sync ended with an error: {}", e.message);
    }
    let ended = announce_end(&app, key, &open, run_id).await;
    if let Some(run) = &ended {
        notify::run_ended(&app, &open.mailbox().view(), run);
    }
    tray::show_run(&app, key, None);
    // Damage found by this sync (or the check after it): set the file aside and rebuild at
    // once, as the command line does — once, never after a sync that was itself a rebuild.
    if open.damage().is_some() && open.repaired().is_none() && !shown.is_removed() {
        let trigger = ended.map_or(Trigger::Button, |run| run.trigger);
        super::shown::spawn_sync(app.clone(), shown.clone(), trigger);
    }
}

async fn forward_progress<R: Runtime>(
    app: &AppHandle<R>,
    key: &str,
    mail: &MailStore,
    mut live: LiveRun,
) {
    let mut stored = -1;
    while let Some(run) = live.next().await {
        progress(app, key, &run);
        tray::show_run(app, key, Some(&run));
        // The mail counts move with each committed batch; tell the windows when they do.
        if run.progress.inserted_emails != stored {
            stored = run.progress.inserted_emails;
            if let Ok(counts) = mail.counts().await {
                mail_changed(app, key, &counts);
            }
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}

/// Tells every window how run `run_id` ended and what the mail looks like now; returns the
/// ended run.
pub async fn announce_end<R: Runtime>(
    app: &AppHandle<R>,
    key: &str,
    open: &OpenMailbox,
    run_id: i64,
) -> Option<SyncRun> {
    let run = open.ledger().get(run_id).await.ok().flatten();
    if let Some(run) = &run {
        finished(app, key, run);
    }
    if let Ok(counts) = open.mail().counts().await {
        mail_changed(app, key, &counts);
    }
    run
}
