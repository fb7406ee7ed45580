//! The user's settings, kept with tauri-plugin-store in `<data-dir>/settings.json`.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;
use tauri_plugin_store::StoreExt;

use crate::app::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub auto_sync_on_launch: bool,
    /// 0 (off), 5, 15 or 60.
    pub sync_interval_minutes: u32,
    /// Open in the tray (no window) when the user logs in; off until the user asks.
    pub start_at_login: bool,
    /// Senders (lowercase addresses) whose HTML mail shows remote images and fonts at once,
    /// because the reader chose "Always load from this sender".
    pub remote_content_senders: Vec<String>,
    /// Keep the built-in demo mailbox in the list beside connected accounts (it is always
    /// there while none is connected).
    pub keep_demo_mailbox: bool,
    /// Where attachments are saved; empty for the Downloads folder.
    pub download_folder: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auto_sync_on_launch: true,
            sync_interval_minutes: 0,
            start_at_login: false,
            remote_content_senders: Vec::new(),
            keep_demo_mailbox: false,
            download_folder: String::new(),
        }
    }
}

const KEY: &str = "settings";
/// Enough for any reader's trusted senders; a longer list is a bug or an attack on the file.
pub const MAX_REMOTE_CONTENT_SENDERS: usize = 10_000;
pub const INTERVALS: &[u32] = &[0, 5, 15, 60];

pub fn file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("settings.json")
}

/// The settings as stored in `path`, read before the app (and its store) exists; the
/// defaults when the file is missing or unreadable, as [`load`] does.
pub fn read_file(path: &std::path::Path) -> Settings {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|mut file| serde_json::from_value(file.get_mut(KEY)?.take()).ok())
        .unwrap_or_default()
}

pub fn load<R: Runtime>(app: &AppHandle<R>, path: &std::path::Path) -> Settings {
    app.store(path)
        .ok()
        .and_then(|store| store.get(KEY))
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default()
}

pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    path: &std::path::Path,
    settings: &Settings,
) -> Result<(), AppError> {
    if !INTERVALS.contains(&settings.sync_interval_minutes) {
        return Err(AppError::new(
            "invalidSetting",
            "the sync interval must be off, 5, 15 or 60 minutes",
        ));
    }
    if settings.remote_content_senders.len() > MAX_REMOTE_CONTENT_SENDERS {
        return Err(AppError::new(
            "invalidSetting",
            format!(
                "at most {MAX_REMOTE_CONTENT_SENDERS} senders can be trusted with remote content"
            ),
        ));
    }
    let folder = settings.download_folder.trim();
    if !folder.is_empty() && !std::path::Path::new(folder).is_absolute() {
        return Err(AppError::new(
            "invalidSetting",
            "the folder for attachments must be a full path (or empty for Downloads)",
        ));
    }
    // Only a change touches the login entry, which is the user's, not this data directory's.
    if load(app, path).start_at_login != settings.start_at_login {
        apply_start_at_login(app, settings.start_at_login)?;
    }
    let store = app
        .store(path)
        .map_err(|e| AppError::new("storage", format!("cannot open the settings: {e}")))?;
    store.set(KEY, serde_json::to_value(settings).unwrap_or_default());
    store
        .save()
        .map_err(|e| AppError::new("storage", format!("cannot save the settings: {e}")))
}

/// The argument the login entry starts the app with: into the tray, without a window.
pub const AUTOSTART_ARG: &str = "--autostart";

/// Writes or removes the login entry (on Linux `~/.config/autostart/inbox-sync.desktop`)
/// before the setting is stored, so the stored setting never claims an entry that is not there.
fn apply_start_at_login<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), AppError> {
    let Some(login) = app.try_state::<AutoLaunchManager>() else {
        return Err(AppError::new(
            "startAtLogin",
            "starting at login is not available on this system",
        ));
    };
    let done = if on { login.enable() } else { login.disable() };
    done.map_err(|e| {
        AppError::new(
            "startAtLogin",
            format!("cannot change whether Inbox Sync starts at login: {e}"),
        )
    })
}

/// Adds or removes one sender from those whose remote content loads at once; returns the
/// settings as stored.
pub fn set_remote_content<R: Runtime>(
    app: &AppHandle<R>,
    path: &std::path::Path,
    sender: &str,
    allowed: bool,
) -> Result<Settings, AppError> {
    let Some(sender) = inbox_sync_core::mail::sender_address(sender) else {
        return Err(AppError::new("invalidSender", "that is not a mail address"));
    };
    let mut settings = load(app, path);
    settings.remote_content_senders.retain(|s| *s != sender);
    if allowed {
        settings.remote_content_senders.push(sender);
    }
    save(app, path, &settings)?;
    Ok(settings)
}
