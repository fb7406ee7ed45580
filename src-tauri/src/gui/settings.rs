//! The user's settings, kept with tauri-plugin-store in `<data-dir>/settings.json`.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use super::error::UiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub auto_sync_on_launch: bool,
    /// 0 (off), 5, 15 or 60.
    pub sync_interval_minutes: u32,
    /// `demo` or `account`.
    pub source: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auto_sync_on_launch: true,
            sync_interval_minutes: 0,
            source: "demo".into(),
        }
    }
}

const KEY: &str = "settings";
pub const INTERVALS: &[u32] = &[0, 5, 15, 60];

pub fn file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("settings.json")
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
) -> Result<(), UiError> {
    if !INTERVALS.contains(&settings.sync_interval_minutes) {
        return Err(UiError::new(
            "invalidSetting",
            "the sync interval must be off, 5, 15 or 60 minutes",
        ));
    }
    match settings.source.as_str() {
        "demo" => {}
        "account" => {
            return Err(UiError::new(
                "notSupported",
                "connecting a Gmail account is not available yet; the demo mailbox is used",
            ))
        }
        _ => {
            return Err(UiError::new(
                "invalidSetting",
                "the mailbox source must be demo or account",
            ))
        }
    }
    let store = app
        .store(path)
        .map_err(|e| UiError::new("storage", format!("cannot open the settings: {e}")))?;
    store.set(KEY, serde_json::to_value(settings).unwrap_or_default());
    store
        .save()
        .map_err(|e| UiError::new("storage", format!("cannot save the settings: {e}")))
}
