//! The mailbox the windows show, and starting its syncs from the app (button, tray,
//! launch, schedule); each sync is then followed in every window by `events::follow`.
use std::sync::{Arc, RwLock};
use std::time::Duration;

use inbox_sync_core::{StartResult, Trigger};
use tauri::{AppHandle, Runtime};

use super::{events, notify};
use crate::app::{AppError, DataDir, OpenMailbox, Start};

/// The mailbox every window shows; replaced when an account is connected or disconnected,
/// and when its database was found damaged (see [`ShownMailbox::for_sync`]).
pub struct ShownMailbox {
    current: RwLock<Arc<OpenMailbox>>,
    dir: DataDir,
    /// One heal at a time (the button, the tray and the schedule may all ask at once).
    healing: tokio::sync::Mutex<()>,
}

impl ShownMailbox {
    pub fn new(open: Arc<OpenMailbox>, dir: DataDir) -> Self {
        Self {
            current: RwLock::new(open),
            dir,
            healing: tokio::sync::Mutex::new(()),
        }
    }

    pub fn get(&self) -> Arc<OpenMailbox> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Puts `open` in place and returns the one it replaces.
    pub fn replace(&self, open: Arc<OpenMailbox>) -> Arc<OpenMailbox> {
        std::mem::replace(
            &mut *self.current.write().unwrap_or_else(|e| e.into_inner()),
            open,
        )
    }

    /// The mailbox a sync should run in: the shown one, or — when its database was found
    /// damaged (by a sync, the check after one, or any read) — a fresh one opened in its
    /// place, as the command line does: the shown store is closed (this process's hold on
    /// the file goes), the open sets the damaged file aside (never deleted; refused while
    /// another process still has it open) and starts a fresh file whose first sync is a
    /// full one that rebuilds the mail from Gmail. `true` with it when it was replaced.
    pub async fn for_sync(&self) -> Result<(Arc<OpenMailbox>, bool), AppError> {
        let _one = self.healing.lock().await;
        let open = self.get();
        let Some(reason) = open.damage() else {
            return Ok((open, false));
        };
        tracing::warn!(
            "the database was found damaged ({reason}); setting it aside and rebuilding it"
        );
        open.cancel_and_wait(Duration::from_secs(10)).await;
        open.close().await;
        let fresh = self.dir.open_mailbox(open.mailbox().clone()).await?;
        self.replace(fresh.clone());
        Ok((fresh, true))
    }
}

/// Starts a sync of the shown mailbox (button, tray, launch, schedule) and follows it in
/// the windows; a damaged database is set aside and rebuilt first.
pub async fn start_sync<R: Runtime>(
    app: &AppHandle<R>,
    shown: &ShownMailbox,
    trigger: Trigger,
) -> Result<StartResult, AppError> {
    let (open, replaced) = shown.for_sync().await?;
    if replaced {
        if let Ok(counts) = open.mail().counts().await {
            events::mail_changed(app, &counts);
        }
    }
    match open.start(trigger, None).await? {
        Start::AlreadyRunning { run_id } => Ok(StartResult::already_running(run_id)),
        Start::Started(running) => {
            let run_id = running.run_id;
            tauri::async_runtime::spawn(events::follow(app.clone(), open.clone(), *running));
            Ok(StartResult::started(run_id))
        }
    }
}

/// Starts a sync from the app itself (launch, schedule, tray) in the background.
pub fn spawn_sync<R: Runtime>(app: AppHandle<R>, shown: Arc<ShownMailbox>, trigger: Trigger) {
    tauri::async_runtime::spawn(async move {
        match start_sync(&app, &shown, trigger).await {
            Ok(result) if !result.started => {
                tracing::info!(run_id = result.run_id, "a sync is already running")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(code = %e.code, "{trigger} sync failed to start: {}", e.message);
                notify::start_failed(&app, trigger, &e);
            }
        }
    });
}
