//! The mailbox the windows show, and how its syncs reach them: a sync this process starts
//! sends its progress to every window (at most ten events a second, built in memory) and
//! its end once; the tray follows along.
use std::sync::{Arc, RwLock};
use std::time::Duration;

use inbox_sync_core::sync::MailStore;
use inbox_sync_core::{StartResult, Trigger};
use tauri::{AppHandle, Runtime};

use super::{events, tray};
use crate::app::{AppError, LiveRun, OpenMailbox, RunningSync, Start};

/// Progress events are coalesced to this interval (at most ~10 per second).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The mailbox every window shows; replaced when an account is connected or disconnected.
pub struct ShownMailbox(RwLock<Arc<OpenMailbox>>);

impl ShownMailbox {
    pub fn new(open: Arc<OpenMailbox>) -> Self {
        Self(RwLock::new(open))
    }

    pub fn get(&self) -> Arc<OpenMailbox> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts `open` in place and returns the one it replaces.
    pub fn replace(&self, open: Arc<OpenMailbox>) -> Arc<OpenMailbox> {
        std::mem::replace(
            &mut *self.0.write().unwrap_or_else(|e| e.into_inner()),
            open,
        )
    }
}

/// Starts a sync of `open` (button, tray, launch, schedule) and follows it in the windows.
pub async fn start_sync<R: Runtime>(
    app: &AppHandle<R>,
    open: &Arc<OpenMailbox>,
    trigger: Trigger,
) -> Result<StartResult, AppError> {
    match open.start(trigger, None).await? {
        Start::AlreadyRunning { run_id } => Ok(StartResult::already_running(run_id)),
        Start::Started(running) => {
            let run_id = running.run_id;
            tauri::async_runtime::spawn(follow(app.clone(), open.clone(), *running));
            Ok(StartResult::started(run_id))
        }
    }
}

/// Starts a sync from the app itself (launch, schedule, tray) in the background.
pub fn spawn_sync<R: Runtime>(app: AppHandle<R>, open: Arc<OpenMailbox>, trigger: Trigger) {
    tauri::async_runtime::spawn(async move {
        match start_sync(&app, &open, trigger).await {
            Ok(result) if !result.started => {
                tracing::info!(run_id = result.run_id, "a sync is already running")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(code = %e.code, "{trigger} sync failed to start: {}", e.message)
            }
        }
    });
}

/// Sends a sync's progress to the windows until it stops reporting, then its end.
async fn follow<R: Runtime>(app: AppHandle<R>, open: Arc<OpenMailbox>, running: RunningSync) {
    let RunningSync { run_id, live, end } = running;
    forward_progress(&app, open.mail(), live).await;
    if let Err(e) = end.wait().await {
        tracing::error!(run_id, code = %e.code, "the sync ended with an error: {}", e.message);
    }
    announce_end(&app, &open, run_id).await;
    tray::show_run(&app, None);
}

async fn forward_progress<R: Runtime>(app: &AppHandle<R>, mail: &MailStore, mut live: LiveRun) {
    let mut stored = -1;
    while let Some(run) = live.next().await {
        events::progress(app, &run);
        tray::show_run(app, Some(&run));
        // The mail counts move with each committed batch; tell the windows when they do.
        if run.progress.inserted_emails != stored {
            stored = run.progress.inserted_emails;
            if let Ok(counts) = mail.counts().await {
                events::mail_changed(app, &counts);
            }
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}

/// Tells every window how run `run_id` ended and what the mail looks like now.
pub async fn announce_end<R: Runtime>(app: &AppHandle<R>, open: &OpenMailbox, run_id: i64) {
    if let Ok(Some(run)) = open.ledger().get(run_id).await {
        events::finished(app, &run);
    }
    if let Ok(counts) = open.mail().counts().await {
        events::mail_changed(app, &counts);
    }
}
