//! The commands the window calls: each is one call into the core and one error mapping.
//! Those about one mailbox take `mailbox`, the key of the one the window shows (`None`: the
//! first).
use std::sync::Arc;

use inbox_sync_core::mail::{safe_html, sender_address, SafeHtml};
use inbox_sync_core::sync::{
    LabelView, MailCounts, MessageSummary, StoredLink, StoredMessage, Total,
};
use inbox_sync_core::{StartResult, SyncRun, Trigger};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::settings::{self, Settings};
use super::shown::{start_sync, MailboxView, Mailboxes};
use super::SettingsFile;
use crate::app::{AppError, SavedAttachment};

/// Starts a sync (trigger `button`, or `tray` for the tray's path) unless one is running.
#[tauri::command]
pub async fn start(
    app: AppHandle,
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    trigger: Option<String>,
) -> Result<StartResult, AppError> {
    let trigger = match trigger.as_deref() {
        None | Some("button") => Trigger::Button,
        Some("tray") => Trigger::Tray,
        Some(other) => {
            return Err(AppError::new(
                "invalidTrigger",
                format!("unknown trigger {other:?}"),
            ))
        }
    };
    start_sync(&app, &mailboxes.get(mailbox.as_deref())?, trigger).await
}

/// Every mailbox the windows can show, with its running and latest sync, for the switcher.
#[tauri::command]
pub async fn list_mailboxes(
    mailboxes: State<'_, Arc<Mailboxes>>,
) -> Result<Vec<MailboxView>, AppError> {
    Ok(mailboxes.views().await)
}

/// One mailbox's answer to "Sync all": its start, or why it could not start.
#[derive(Serialize)]
pub struct MailboxStart {
    mailbox: String,
    start: Option<StartResult>,
    error: Option<AppError>,
}

/// Starts a sync of every mailbox ("Sync all"), side by side; a mailbox already syncing is
/// left to it, and one that cannot start never keeps the others from starting. Says what
/// happened to each, so the window knows the runs it started.
#[tauri::command]
pub async fn sync_all(
    app: AppHandle,
    mailboxes: State<'_, Arc<Mailboxes>>,
) -> Result<Vec<MailboxStart>, AppError> {
    // Started side by side: one account slow to answer never holds up the others' starts.
    let tasks: Vec<_> = mailboxes
        .all()
        .into_iter()
        .map(|shown| {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let (start, error) = match start_sync(&app, &shown, Trigger::Button).await {
                    Ok(start) => (Some(start), None),
                    Err(e) => (None, Some(e)),
                };
                MailboxStart {
                    mailbox: shown.key().to_owned(),
                    start,
                    error,
                }
            })
        })
        .collect();
    let mut starts = Vec::new();
    for task in tasks {
        starts.push(
            task.await
                .map_err(|e| AppError::internal(format!("starting a sync failed: {e}")))?,
        );
    }
    Ok(starts)
}

/// Opens another window on the same app (what the tray's "New window" does).
#[tauri::command]
pub async fn open_window(app: AppHandle) {
    super::windows::open_new(&app);
}

#[tauri::command]
pub async fn cancel(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
) -> Result<Value, AppError> {
    let shown = mailboxes.get(mailbox.as_deref())?;
    Ok(json!({ "cancelled": shown.get().cancel().await }))
}

#[tauri::command]
pub async fn get_active(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
) -> Result<Option<SyncRun>, AppError> {
    let shown = mailboxes.get(mailbox.as_deref())?;
    Ok(shown.read().await.ledger().get_active().await?)
}

#[tauri::command]
pub async fn get_latest(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
) -> Result<Option<SyncRun>, AppError> {
    let shown = mailboxes.get(mailbox.as_deref())?;
    Ok(shown.read().await.ledger().get_latest().await?)
}

#[tauri::command]
pub async fn list_runs(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<SyncRun>, AppError> {
    let shown = mailboxes.get(mailbox.as_deref())?;
    Ok(shown
        .read()
        .await
        .ledger()
        .history(limit.min(500), before)
        .await?)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePage {
    messages: Vec<MessageSummary>,
    /// How many match; when `total_exact` is false, more than this many (not all counted).
    total: i64,
    total_exact: bool,
}

impl MessagePage {
    fn new(messages: Vec<MessageSummary>, total: Total) -> Self {
        Self {
            messages,
            total: total.count,
            total_exact: total.exact,
        }
    }
}

// A command's arguments are named fields of the page's call, not a Rust signature to slim.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn list_messages(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    limit: u32,
    offset: u32,
    search: Option<String>,
    label: Option<String>,
    after: Option<PageKey>,
    threads: Option<bool>,
) -> Result<MessagePage, AppError> {
    let open = mailboxes.get(mailbox.as_deref())?.read().await;
    let mail = open.mail();
    let (search, label, limit) = (search.as_deref(), label.as_deref(), limit.min(500));
    let search = search.filter(|s| !s.trim().is_empty());
    // Conversations when asked for; a search always lists the messages it matches.
    if threads.unwrap_or(false) && search.is_none() {
        let key = after
            .as_ref()
            .map(|k| (k.internal_date_ms, k.gmail_id.as_str()));
        let (messages, total) = mail.conversations(limit, offset, key, label).await?;
        return Ok(MessagePage::new(messages, total));
    }
    let (messages, total) = match &after {
        Some(key) => {
            mail.summaries_after(limit, (key.internal_date_ms, &key.gmail_id), search, label)
                .await?
        }
        None => mail.summaries(limit, offset, search, label).await?,
    };
    Ok(MessagePage::new(messages, total))
}

/// The last row of the page before: where the next page starts (read by key, not offset).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageKey {
    internal_date_ms: i64,
    gmail_id: String,
}

/// The mailbox's labels with their counts (stored messages, unread), in Gmail's order.
#[tauri::command]
pub async fn list_labels(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
) -> Result<Vec<LabelView>, AppError> {
    let shown = mailboxes.get(mailbox.as_deref())?;
    Ok(shown.read().await.mail().labels().await?)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageDetail {
    /// The stored message; its raw `htmlBody` is left out (the UI gets `html` instead).
    message: StoredMessage,
    links: Vec<StoredLink>,
    /// The HTML body sanitized for the sandboxed frame, when the message has one.
    html: Option<SafeHtml>,
    /// The sender's bare address, for "always load from this sender".
    sender: Option<String>,
    /// The reader chose to always load remote content from this sender.
    sender_trusted: bool,
}

/// One stored message for the reading pane. Its HTML is sanitized here, with remote content
/// left in only when `allow_remote` (the reader clicked "Load") or the sender is trusted.
#[tauri::command]
pub async fn get_message(
    app: AppHandle,
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    file: State<'_, SettingsFile>,
    gmail_id: String,
    allow_remote: Option<bool>,
) -> Result<MessageDetail, AppError> {
    let open = mailboxes.get(mailbox.as_deref())?.read().await;
    let mut message = open
        .mail()
        .message(&gmail_id)
        .await?
        .ok_or_else(|| AppError::new("notFound", "that message is no longer in the mailbox"))?;
    let links = open.mail().links(&gmail_id).await?;
    let sender = message.headers.from.as_deref().and_then(sender_address);
    let sender_trusted = sender.as_ref().is_some_and(|s| {
        settings::load(&app, &file.0)
            .remote_content_senders
            .contains(s)
    });
    let allow_remote = allow_remote.unwrap_or(false) || sender_trusted;
    let html = match message.html_body.take() {
        // Up to 4 MB of markup: parsed off the async workers.
        Some(body) => Some({
            let inline = open.mail().inline_images(&gmail_id).await?;
            tauri::async_runtime::spawn_blocking(move || safe_html(&body, allow_remote, inline))
                .await
                .map_err(|e| AppError::new("internal", format!("showing the HTML failed: {e}")))?
        }),
        None => None,
    };
    Ok(MessageDetail {
        message,
        links,
        html,
        sender,
        sender_trusted,
    })
}

/// Where attachments go: `INBOX_SYNC_DOWNLOADS_DIR`, the folder chosen in Settings, or
/// Downloads.
fn download_folder(app: &AppHandle, file: &SettingsFile) -> Result<std::path::PathBuf, AppError> {
    let chosen = settings::load(app, &file.0).download_folder;
    crate::paths::downloads_dir(Some(&chosen))
        .map_err(|message| AppError::new("noDownloadFolder", message))
}

/// Saves attachment `index` of a stored message into the download folder (a new file, its
/// name made safe, never replacing one; nothing is opened or run) and says where it went.
#[tauri::command]
pub async fn save_attachment(
    app: AppHandle,
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    file: State<'_, SettingsFile>,
    gmail_id: String,
    index: usize,
) -> Result<SavedAttachment, AppError> {
    let folder = download_folder(&app, &file)?;
    mailboxes
        .get(mailbox.as_deref())?
        .read()
        .await
        .save_attachment(&gmail_id, index, &folder)
        .await
}

/// Saves attachment `index` into the download folder as `save_attachment` does, then hands
/// the file to the system's app for its type. A file that could run code (a program, a
/// script, a shortcut, a web page) is refused before anything is fetched: it is only saved.
#[tauri::command]
pub async fn open_attachment(
    app: AppHandle,
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    file: State<'_, SettingsFile>,
    gmail_id: String,
    index: usize,
) -> Result<SavedAttachment, AppError> {
    let folder = download_folder(&app, &file)?;
    let saved = mailboxes
        .get(mailbox.as_deref())?
        .read()
        .await
        .save_attachment_to_open(&gmail_id, index, &folder)
        .await?;
    app.opener()
        .open_path(saved.path.to_string_lossy(), None::<&str>)
        .map_err(|e| {
            AppError::new(
                "openFailed",
                format!(
                    "saved to {}, but no app could open it: {e}",
                    saved.path.display()
                ),
            )
        })?;
    Ok(saved)
}

/// Every stored message of a conversation, oldest first (headers and snippets; each one's
/// body comes from `get_message` when it is expanded).
#[tauri::command]
pub async fn get_thread(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    thread_id: String,
) -> Result<Vec<MessageSummary>, AppError> {
    let open = mailboxes.get(mailbox.as_deref())?.read().await;
    Ok(open.mail().thread(&thread_id).await?)
}

/// Trusts (or stops trusting) a sender with remote content; returns the settings as stored.
#[tauri::command]
pub async fn set_remote_content(
    app: AppHandle,
    file: State<'_, SettingsFile>,
    sender: String,
    allowed: bool,
) -> Result<Settings, AppError> {
    settings::set_remote_content(&app, &file.0, &sender, allowed)
}

/// Opens an http(s) link in the system browser; anything else is refused.
#[tauri::command]
pub async fn open_link(app: AppHandle, url: String) -> Result<(), AppError> {
    let parsed = url::Url::parse(&url)
        .map_err(|_| AppError::new("invalidLink", "that is not a valid link"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AppError::new(
            "invalidLink",
            "only web links (http and https) can be opened",
        ));
    }
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| {
            AppError::new(
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
pub async fn get_summary(
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
) -> Result<Summary, AppError> {
    let open = mailboxes.get(mailbox.as_deref())?.read().await;
    Ok(Summary {
        counts: open.mail().counts().await?,
        active: open.ledger().get_active().await?,
        latest: open.ledger().get_latest().await?,
        source: open.mailbox().view(),
    })
}

#[tauri::command]
pub async fn get_settings(
    app: AppHandle,
    file: State<'_, SettingsFile>,
) -> Result<Settings, AppError> {
    Ok(settings::load(&app, &file.0))
}

#[tauri::command]
pub async fn set_settings(
    app: AppHandle,
    file: State<'_, SettingsFile>,
    mailboxes: State<'_, Arc<Mailboxes>>,
    settings: Settings,
) -> Result<Settings, AppError> {
    settings::save(&app, &file.0, &settings)?;
    mailboxes
        .keep_demo(&app, settings.keep_demo_mailbox)
        .await?;
    Ok(settings)
}

/// The page's word that its first fetch card is on screen with real state (`at_ms`: the
/// wall-clock time of that paint, from the page). Logged once at `info` under the target
/// `inbox_sync_startup` (`INBOX_SYNC_LOG=inbox_sync_startup=info`), with the time since the
/// window process began: how anyone times a slow start, and what the big-mailbox benchmark
/// reads, so that it can launch the app as users do, with no WebDriver attached.
#[tauri::command]
pub fn first_card_painted(at_ms: f64) {
    static LOGGED: std::sync::Once = std::sync::Once::new();
    LOGGED.call_once(|| {
        tracing::info!(
            target: "inbox_sync_startup",
            painted_at_ms = at_ms as i64,
            since_start_ms = super::started().elapsed().as_millis() as u64,
            "first fetch card painted"
        );
    });
}
