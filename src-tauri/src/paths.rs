//! Where the app keeps its data: the same directory for the window and the command line.
use std::path::{Path, PathBuf};

/// Tauri's `identifier`; Tauri's app data directory is the platform data directory joined
/// with it, so the command line computes the same place without starting Tauri.
pub const APP_IDENTIFIER: &str = "dev.inboxsync.app";

pub const DATABASE_FILE: &str = "inbox-sync.sqlite3";

/// The data directory: the one given, else the platform's data directory for the app.
pub fn data_dir(given: Option<&Path>) -> Result<PathBuf, String> {
    match given {
        Some(dir) => Ok(dir.to_owned()),
        None => dirs::data_dir()
            .map(|d| d.join(APP_IDENTIFIER))
            .ok_or_else(|| "cannot find the platform data directory; pass --data-dir".to_string()),
    }
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// Overrides where attachments are saved (tests, a kiosk); else the setting, else Downloads.
pub const DOWNLOADS_ENV: &str = "INBOX_SYNC_DOWNLOADS_DIR";

/// Where attachments are saved: `INBOX_SYNC_DOWNLOADS_DIR`, else the folder the user chose
/// (`chosen`, when not blank), else the platform's Downloads folder, else the home folder.
pub fn downloads_dir(chosen: Option<&str>) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(DOWNLOADS_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = chosen.map(str::trim).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::download_dir()
        .or_else(dirs::home_dir)
        .ok_or_else(|| "cannot find the Downloads folder; choose one in Settings".to_string())
}
