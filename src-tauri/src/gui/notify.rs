//! Desktop notifications when a sync the app started by itself (launch, schedule, tray) fails
//! or needs the user to sign in again: one per kind of problem until a sync succeeds, so a
//! schedule that keeps failing does not repeat itself every few minutes.
use std::collections::HashSet;
use std::sync::Mutex;

use inbox_sync_core::{ErrorTag, RunStatus, SyncRun, Trigger};
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::app::AppError;

/// The kinds of problem the user has been told about since the last successful sync.
#[derive(Default)]
pub struct Told(Mutex<HashSet<String>>);

/// Only syncs nobody is watching notify: a click on "Fetch new emails" shows its own result.
fn in_background(trigger: Trigger) -> bool {
    matches!(trigger, Trigger::Launch | Trigger::Schedule | Trigger::Tray)
}

/// The account a notification is about ("" for the demo), from the mailbox's view.
fn account_of(source: &Value) -> &str {
    source.get("email").and_then(Value::as_str).unwrap_or("")
}

/// What a run of the mailbox `source` describes that ended says to the user, if anything.
pub fn run_ended<R: Runtime>(app: &AppHandle<R>, source: &Value, run: &SyncRun) {
    let who = account_of(source);
    match run.status {
        RunStatus::Success => forget_all(app, who),
        RunStatus::Error | RunStatus::Aborted if in_background(run.trigger) => {
            // A user's Stop, and a run replaced because its owner died, are not problems to
            // report; everything else the user may have to act on.
            let Some(tag) = run.error_tag else { return };
            if matches!(tag, ErrorTag::Cancelled | ErrorTag::Stale) {
                return;
            }
            let (title, body) = words(who, tag.as_str(), run.error_message.as_deref());
            tell_once(app, who, tag.as_str(), &title, &body);
        }
        _ => {}
    }
}

/// A background sync that could not even start (e.g. the saved sign-in is gone).
pub fn start_failed<R: Runtime>(
    app: &AppHandle<R>,
    source: &Value,
    trigger: Trigger,
    error: &AppError,
) {
    if !in_background(trigger) {
        return;
    }
    let kind = if is_sign_in(&error.code) {
        "auth"
    } else {
        error.code.as_str()
    };
    let who = account_of(source);
    let (title, body) = words(who, kind, Some(&error.message));
    tell_once(app, who, kind, &title, &body);
}

fn is_sign_in(code: &str) -> bool {
    matches!(code, "auth" | "signInRequired" | "notConnected")
}

/// The title and body for a kind of problem with `who`'s mailbox, in plain words.
fn words(who: &str, kind: &str, detail: Option<&str>) -> (String, String) {
    if is_sign_in(kind) {
        let account = if who.is_empty() {
            "the saved sign-in".to_owned()
        } else {
            format!("the saved sign-in of {who}")
        };
        return (
            "Inbox Sync needs you to sign in again".into(),
            format!(
                "Gmail no longer accepts {account}, so its new mail is not being fetched. \
                 Open Inbox Sync, show that account and choose Reconnect."
            ),
        );
    }
    let what = match kind {
        "network" => "Gmail could not be reached. Check the internet connection.",
        "rateLimit" => "Gmail asked Inbox Sync to slow down. It will try again later.",
        "diskFull" => "The disk is full. Free some space so mail can be saved.",
        "storage" => "The mail database could not be written.",
        "stalled" | "leaseExpired" => "The sync stopped making progress.",
        _ => "The sync stopped with an error.",
    };
    let body = match detail.map(str::trim).filter(|d| !d.is_empty()) {
        Some(detail) => format!("{what}\n{detail}"),
        None => what.to_owned(),
    };
    let title = if who.is_empty() {
        "Inbox Sync could not fetch new mail".to_owned()
    } else {
        format!("Inbox Sync could not fetch new mail for {who}")
    };
    (title, body)
}

/// Each account's problems are told apart: one account failing never hides another's.
fn tell_once<R: Runtime>(app: &AppHandle<R>, who: &str, kind: &str, title: &str, body: &str) {
    let Some(told) = app.try_state::<Told>() else {
        return;
    };
    if !told
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(format!("{who}\n{kind}"))
    {
        tracing::info!(kind, "already told the user about this problem");
        return;
    }
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "cannot show a desktop notification");
    }
}

/// A successful sync of `who`'s mailbox: its problems are over.
fn forget_all<R: Runtime>(app: &AppHandle<R>, who: &str) {
    if let Some(told) = app.try_state::<Told>() {
        let prefix = format!("{who}\n");
        told.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|kind| !kind.starts_with(&prefix));
    }
}

/// A click on a notification shows the window, where the problem is explained.
pub fn open_window_on_click<R: Runtime>(app: &AppHandle<R>) {
    let shower = app.clone();
    let registered = app
        .notification()
        .on_action(move |_| super::windows::show_main(&shower));
    if let Err(e) = registered {
        tracing::warn!(error = %e, "a click on a notification will not open the window");
    }
}
