//! The mailbox the windows show, and starting its syncs from the app (button, tray,
//! launch, schedule); each sync is then followed in every window by `events::follow`.
use std::sync::{Arc, RwLock};

use inbox_sync_core::{StartResult, Trigger};
use tauri::{AppHandle, Runtime};

use super::{events, notify};
use crate::app::{AppError, OpenMailbox, Start};

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
            tauri::async_runtime::spawn(events::follow(app.clone(), open.clone(), *running));
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
                tracing::warn!(code = %e.code, "{trigger} sync failed to start: {}", e.message);
                notify::start_failed(&app, trigger, &e);
            }
        }
    });
}
