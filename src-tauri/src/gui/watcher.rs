//! Watches the ledger for syncs this process does not run (the command line, another app
//! process) and tells every window within about half a second: their progress, that they
//! went stale, and how they ended.
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::Progress;
use tauri::{AppHandle, Runtime};

use super::control::{Current, SyncControl};
use super::{events, tray};

const POLL_EVERY: Duration = Duration::from_millis(500);

/// What makes a foreign run worth a new progress event.
#[derive(PartialEq)]
struct Seen {
    id: i64,
    heartbeat: i64,
    progress: Progress,
    stale: bool,
    phase: Option<String>,
}

pub fn spawn<R: Runtime>(app: AppHandle<R>, current: Arc<Current>) {
    tauri::async_runtime::spawn(async move {
        let mut seen: Option<Seen> = None;
        let mut watching: Option<i64> = None;
        let mut shown: Option<Arc<SyncControl>> = None;
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            // The mailbox switched (an account was connected or disconnected): start afresh.
            let control = current.get();
            if !shown.as_ref().is_some_and(|s| Arc::ptr_eq(s, &control)) {
                shown = Some(control.clone());
                seen = None;
                watching = None;
            }
            let own = control.own_run_id().await;
            let active = match control.ledger().get_active().await {
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
                    phase: run.phase.clone(),
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
                    control.announce_end(&app, id).await;
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
