//! The commands the window calls: each is one call into the core and one error mapping.
use std::sync::Arc;

use inbox_sync_core::sync::{MailCounts, MessageSummary, StoredLink, StoredMessage};
use inbox_sync_core::{StartResult, SyncRun, Trigger};
use serde::Serialize;
use serde_json::{json, Value};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::control::Current;
use super::error::{storage, UiError};
use super::settings::{self, Settings};
use super::SettingsFile;

type Control<'a> = State<'a, Arc<Current>>;

/// Starts a sync (trigger `button`, or `tray` for the tray's path) unless one is running.
#[tauri::command]
pub async fn start(
    app: AppHandle,
    control: Control<'_>,
    trigger: Option<String>,
) -> Result<StartResult, UiError> {
    let trigger = match trigger.as_deref() {
        None | Some("button") => Trigger::Button,
        Some("tray") => Trigger::Tray,
        Some(other) => {
            return Err(UiError::new(
                "invalidTrigger",
                format!("unknown trigger {other:?}"),
            ))
        }
    };
    control.get().start(&app, trigger).await
}

/// Opens another window on the same app (what the tray's "New window" does).
#[tauri::command]
pub async fn open_window(app: AppHandle) {
    super::windows::open_new(&app);
}

#[tauri::command]
pub async fn cancel(control: Control<'_>) -> Result<Value, UiError> {
    Ok(json!({ "cancelled": control.get().cancel().await }))
}

#[tauri::command]
pub async fn get_active(control: Control<'_>) -> Result<Option<SyncRun>, UiError> {
    Ok(control.get().ledger().get_active().await?)
}

#[tauri::command]
pub async fn get_latest(control: Control<'_>) -> Result<Option<SyncRun>, UiError> {
    Ok(control.get().ledger().get_latest().await?)
}

#[tauri::command]
pub async fn list_runs(
    control: Control<'_>,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<SyncRun>, UiError> {
    Ok(control
        .get()
        .ledger()
        .history(limit.min(500), before)
        .await?)
}

#[derive(Serialize)]
pub struct MessagePage {
    messages: Vec<MessageSummary>,
    total: i64,
}

#[tauri::command]
pub async fn list_messages(
    control: Control<'_>,
    limit: u32,
    offset: u32,
    search: Option<String>,
) -> Result<MessagePage, UiError> {
    let (messages, total) = control
        .get()
        .mail()
        .summaries(limit.min(500), offset, search.as_deref())
        .await
        .map_err(storage)?;
    Ok(MessagePage { messages, total })
}

#[derive(Serialize)]
pub struct MessageDetail {
    message: StoredMessage,
    links: Vec<StoredLink>,
}

#[tauri::command]
pub async fn get_message(control: Control<'_>, gmail_id: String) -> Result<MessageDetail, UiError> {
    let message = control
        .get()
        .mail()
        .message(&gmail_id)
        .await
        .map_err(storage)?
        .ok_or_else(|| UiError::new("notFound", "that message is no longer in the mailbox"))?;
    let links = control
        .get()
        .mail()
        .links(&gmail_id)
        .await
        .map_err(storage)?;
    Ok(MessageDetail { message, links })
}

/// Opens an http(s) link in the system browser; anything else is refused.
#[tauri::command]
pub async fn open_link(app: AppHandle, url: String) -> Result<(), UiError> {
    let parsed = url::Url::parse(&url)
        .map_err(|_| UiError::new("invalidLink", "that is not a valid link"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UiError::new(
            "invalidLink",
            "only web links (http and https) can be opened",
        ));
    }
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| {
            UiError::new(
                "openFailed",
                format!("the browser could not be opened: {e}"),
            )
        })
}

#[derive(Serialize)]
pub struct Summary {
    counts: MailCounts,
    active: Option<SyncRun>,
    latest: Option<SyncRun>,
    source: Value,
}

#[tauri::command]
pub async fn get_summary(control: Control<'_>) -> Result<Summary, UiError> {
    let control = control.get();
    Ok(Summary {
        counts: control.mail().counts().await.map_err(storage)?,
        active: control.ledger().get_active().await?,
        latest: control.ledger().get_latest().await?,
        source: control.source_view(),
    })
}

#[tauri::command]
pub async fn get_settings(
    app: AppHandle,
    file: State<'_, SettingsFile>,
) -> Result<Settings, UiError> {
    Ok(settings::load(&app, &file.0))
}

#[tauri::command]
pub async fn set_settings(
    app: AppHandle,
    file: State<'_, SettingsFile>,
    settings: Settings,
) -> Result<Settings, UiError> {
    settings::save(&app, &file.0, &settings)?;
    Ok(settings)
}
