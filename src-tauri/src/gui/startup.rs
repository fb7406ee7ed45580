//! Opening the mailboxes when their databases must first be updated from an older version.
//!
//! That update reads every message (the search index, the counts): about a minute at
//! 250,000 messages. Rather than keep the window shut for that long, the window opens at once
//! and shows the update's progress; the mailboxes, the tray, the watchers and the launch sync
//! follow when it is done. The page asks [`get_startup`] before anything else and follows
//! [`STARTUP_CHANGED`] until the mailboxes are ready.
use std::sync::{Arc, Mutex};

use inbox_sync_core::{OnUpgrade, Upgrade};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::app::AppError;

/// Sent to every window when the start-up state changes.
pub const STARTUP_CHANGED: &str = "startup://changed";

/// Where the window process stands before its mailboxes are open.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum StartupView {
    /// The mailboxes are open: the page goes on as usual.
    Ready,
    /// A mailbox's database is being updated for this version.
    Upgrading { upgrade: Upgrade },
    /// The mailboxes could not be opened; the app quits when its window is closed.
    Failed { error: AppError },
}

/// The managed state behind [`get_startup`].
pub struct Startup(Mutex<StartupView>);

impl Startup {
    pub fn ready() -> Self {
        Self(Mutex::new(StartupView::Ready))
    }

    /// Before an update has said anything: no step yet.
    pub fn upgrading() -> Self {
        Self(Mutex::new(StartupView::Upgrading {
            upgrade: Upgrade {
                database: Default::default(),
                step: 0,
                steps: 0,
                what: "checking the database".to_owned(),
                messages: 0,
                done: 0.0,
            },
        }))
    }

    pub fn failed(&self) -> bool {
        matches!(*self.lock(), StartupView::Failed { .. })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StartupView> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sets the state and tells every window.
pub fn set(app: &AppHandle, view: StartupView) {
    if let Some(startup) = app.try_state::<Startup>() {
        *startup.lock() = view.clone();
    }
    let _ = app.emit(STARTUP_CHANGED, view);
}

/// An update's progress, told to the windows (the core reports every 100 ms at most).
pub fn progress(app: &AppHandle) -> OnUpgrade {
    let app = app.clone();
    OnUpgrade::new(move |upgrade| {
        if upgrade.finished() {
            tracing::info!(
                target: "inbox_sync_startup",
                messages = upgrade.messages,
                database = %upgrade.database.display(),
                "database updated for this version"
            );
        }
        set(
            &app,
            StartupView::Upgrading {
                upgrade: upgrade.clone(),
            },
        );
    })
}

/// Where start-up stands: `ready` (the usual case), `upgrading` with the update's progress,
/// or `failed` with why.
#[tauri::command]
pub fn get_startup(startup: State<'_, Startup>) -> StartupView {
    startup.lock().clone()
}

/// The mailboxes, opened: for the commands, which are only called once the page has seen
/// `ready`.
pub fn manage_mailboxes(app: &AppHandle, mailboxes: Arc<super::Mailboxes>) {
    app.manage(mailboxes);
}
