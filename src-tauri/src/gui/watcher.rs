//! Watches the ledger for syncs this process does not run (the command line, another app
//! process) and tells every window within about half a second: their progress, that they
//! went stale, and how they ended.
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::{Phase, Progress};
use tauri::{AppHandle, Runtime};

use super::events::{self, announce_end};
use super::shown::ShownMailbox;
use super::tray;
use crate::app::OpenMailbox;

const POLL_EVERY: Duration = Duration::from_millis(500);

/// What makes a foreign run worth a new progress event.
#[derive(PartialEq)]
struct Seen {
    id: i64,
    heartbeat: i64,
    progress: Progress,
    stale: bool,
    phase: Option<Phase>,
}

pub fn spawn<R: Runtime>(app: AppHandle<R>, shown: Arc<ShownMailbox>) {
    tauri::async_runtime::spawn(async move {
        let mut seen: Option<Seen> = None;
        let mut watching: Option<i64> = None;
        let mut showing: Option<Arc<OpenMailbox>> = None;
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            // The mailbox switched (an account was connected or disconnected): start afresh.
            let open = shown.get();
            if !showing.as_ref().is_some_and(|s| Arc::ptr_eq(s, &open)) {
                showing = Some(open.clone());
                seen = None;
                watching = None;
            }
            let own = open.own_run_id().await;
            let active = match open.ledger().get_active().await {
                Ok(active) => active,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the sync ledger");
                    continue;
                }
            };
            if let Some(run) = active.as_ref().filter(|r| Some(r.id) != own) {
                let now = Seen {
                    id: run.id,
                    heartbeat: run.last_heartbeat_at,
                    progress: run.progress,
                    stale: run.is_stale,
                    phase: run.phase,
                };
                if seen.as_ref() != Some(&now) {
                    events::progress(&app, run);
                    tray::show_run(&app, Some(run));
                    seen = Some(now);
                }
                watching = Some(run.id);
            }
            if let Some(id) = watching {
                if active.as_ref().map(|r| r.id) != Some(id) {
                    announce_end(&app, &open, id).await;
                    watching = None;
                    seen = None;
                    if active.is_none() {
                        tray::show_run(&app, None);
                    }
                }
            }
        }
    });
}
