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
