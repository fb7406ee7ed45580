//! Watches the ledger for syncs this process does not run (the command line, another app
//! process) and tells every window within about half a second: their progress, that they
//! went stale, and how they ended.
//!
//! While a sync runs the ledger is read every half second (progress, staleness). While none
//! does, nothing is read until the database changes: the OS reports another process's write
//! to the database or its `-wal` (a run starting writes its row), with a slow poll behind it
//! for file systems that report nothing (some network shares). Reads here write nothing, so
//! they never wake the watcher themselves.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use inbox_sync_core::{Phase, Progress};
use tauri::{AppHandle, Runtime};

use super::events::{self, announce_end};
use super::shown::ShownMailbox;
use super::tray;
use crate::app::OpenMailbox;

const POLL_EVERY: Duration = Duration::from_millis(500);
/// The slow poll while nothing runs, in case the OS reports no change.
const IDLE_POLL: Duration = Duration::from_secs(10);

/// Changes to one database's files, as the OS reports them.
struct Changes {
    path: PathBuf,
    /// Kept for as long as the changes are wanted (dropping it stops the watch).
    _watcher: Option<notify::RecommendedWatcher>,
    rx: tokio::sync::mpsc::Receiver<()>,
}

impl Changes {
    fn watch(db: &Path) -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let name = db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ours = move |path: &Path| {
            path.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                // The database and its -wal; not the -shm (memory-mapped, shared by readers).
                n == name || n == format!("{name}-wal")
            })
        };
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                let changed = matches!(
                    event.kind,
                    EventKind::Modify(_) | EventKind::Create(_) | EventKind::Remove(_)
                );
                if changed && event.paths.iter().any(|p| ours(p)) {
                    // A full channel already holds a wake-up; one is enough.
                    let _ = tx.try_send(());
                }
            }
        })
        .and_then(|mut watcher| {
            let folder = db.parent().unwrap_or(Path::new("."));
            watcher.watch(folder, RecursiveMode::NonRecursive)?;
            Ok(watcher)
        });
        let watcher = match watcher {
            Ok(watcher) => Some(watcher),
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the database for changes; polling it every {} s", IDLE_POLL.as_secs());
                None
            }
        };
        Self {
            path: db.to_owned(),
            _watcher: watcher,
            rx,
        }
    }

    /// Until the database changes, or `limit` passes.
    async fn wait(&mut self, limit: Duration) {
        let _ = tokio::time::timeout(limit, self.rx.recv()).await;
    }
}

/// What makes a foreign run worth a new progress event.
#[derive(PartialEq)]
struct Seen {
    id: i64,
    heartbeat: i64,
    progress: Progress,
    stale: bool,
    phase: Option<Phase>,
}

/// Watches one mailbox's ledger, until its account is removed.
pub fn spawn<R: Runtime>(app: AppHandle<R>, shown: Arc<ShownMailbox>) {
    tauri::async_runtime::spawn(async move {
        let mut seen: Option<Seen> = None;
        let mut watching: Option<i64> = None;
        let mut showing: Option<Arc<OpenMailbox>> = None;
        let mut changes: Option<Changes> = None;
        let mut own: Option<i64> = None;
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            if watching.is_none() && own.is_none() {
                if let Some(changes) = changes.as_mut() {
                    changes.wait(IDLE_POLL).await;
                }
            }
            // The mailbox's account was removed: nothing here to watch any more.
            if shown.is_removed() {
                break;
            }
            let key = shown.key();
            // The mailbox's database was replaced (its account signed in again, a damaged
            // file was set aside): start afresh.
            let open = shown.get();
            if !showing.as_ref().is_some_and(|s| Arc::ptr_eq(s, &open)) {
                showing = Some(open.clone());
                seen = None;
                watching = None;
            }
            let path = open.ledger().store().path();
            if changes.as_ref().is_none_or(|c| c.path != path) {
                changes = Some(Changes::watch(path));
            }
            own = open.own_run_id().await;
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
                    events::progress(&app, key, run);
                    tray::show_run(&app, key, Some(run));
                    seen = Some(now);
                }
                watching = Some(run.id);
            }
            if let Some(id) = watching {
                if active.as_ref().map(|r| r.id) != Some(id) {
                    announce_end(&app, key, &open, id).await;
                    watching = None;
                    seen = None;
                    if active.is_none() {
                        tray::show_run(&app, key, None);
                    }
                }
            }
        }
    });
}
