//! The events every window listens to, and the run snapshots they carry.
use inbox_sync_core::sync::MailCounts;
use inbox_sync_core::SyncRun;
use serde_json::json;
use tauri::{AppHandle, Emitter, Runtime};

pub const PROGRESS: &str = "sync://progress";
pub const FINISHED: &str = "sync://finished";
pub const MAIL_CHANGED: &str = "mail://changed";

/// The run, plus when it was sent (`emittedAtMs`) so the window can measure how long the
/// way to the screen took.
pub fn progress<R: Runtime>(app: &AppHandle<R>, run: &SyncRun) {
    let mut payload = serde_json::to_value(run).unwrap_or_default();
    if let Some(fields) = payload.as_object_mut() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        fields.insert("emittedAtMs".into(), json!(now));
    }
    if let Err(e) = app.emit(PROGRESS, payload) {
        tracing::warn!(error = %e, "cannot send progress to the windows");
    }
}

pub fn finished<R: Runtime>(app: &AppHandle<R>, run: &SyncRun) {
    if let Err(e) = app.emit(FINISHED, run) {
        tracing::warn!(error = %e, "cannot send the end of a sync to the windows");
    }
}

pub fn mail_changed<R: Runtime>(app: &AppHandle<R>, counts: &MailCounts) {
    let _ = app.emit(MAIL_CHANGED, json!({ "counts": counts }));
}
