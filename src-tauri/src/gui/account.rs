//! Connecting Gmail accounts from the window: Settings → "Connect Gmail" (adds an account;
//! the others stay), the fetch card's "Reconnect" (the account in view signs in again), and
//! "Disconnect" (the account in view). Sign-in runs in the system browser (never a webview);
//! the windows hear `account://sign-in` while it waits, `account://changed` when an account
//! signed in or out, and `mailboxes://changed` when the list of mailboxes changed. No token
//! ever reaches a window.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inbox_sync_core::auth::{account_folder, AccountRecord, AuthError};
use inbox_sync_core::Trigger;
use serde::Serialize;
use serde_json::{json, Value};
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use super::shown::{spawn_sync, Mailboxes};
use crate::app::sign_in::SignIn;
use crate::app::{now_ms, AppError, DataDir, Mailbox};

pub const SIGN_IN: &str = "account://sign-in";
pub const CHANGED: &str = "account://changed";

/// How long the browser has to come back.
const SIGN_IN_LIMIT: Duration = Duration::from_secs(300);

/// The account side of the window process.
pub struct AccountState {
    dir: DataDir,
    /// The sign-in waiting in the browser, if any: at most one at a time.
    sign_in: Mutex<Option<SignInJob>>,
}

struct SignInJob {
    url: Option<String>,
    started_at_ms: i64,
    cancel: CancellationToken,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// The key of the mailbox this view is about (the one asked for, else the first).
    key: Option<String>,
    /// How many Gmail accounts are connected in all.
    accounts: usize,
    connected: bool,
    email: Option<String>,
    /// When this account was last signed in (a reconnect after an auth error included).
    connected_at_ms: Option<i64>,
    token_store: Option<Value>,
    token_location: Option<String>,
    can_reconnect: bool,
    sign_in: Option<Value>,
}

impl AccountState {
    pub fn new(dir: DataDir) -> Self {
        Self {
            dir,
            sign_in: Mutex::new(None),
        }
    }

    fn job(&self) -> std::sync::MutexGuard<'_, Option<SignInJob>> {
        self.sign_in.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The account of the mailbox `key` names (the first when `None`), as a window shows it.
    fn view(&self, key: Option<&str>) -> AccountView {
        let accounts = self.dir.accounts();
        let all = accounts.list().unwrap_or_default();
        let record = match key {
            None => all.first(),
            Some(key) => all.iter().find(|r| account_folder(&r.email) == key),
        };
        let sign_in = self.job().as_ref().and_then(|j| {
            j.url
                .as_ref()
                .map(|url| json!({ "url": url, "startedAtMs": j.started_at_ms }))
        });
        AccountView {
            key: record
                .map(|r| account_folder(&r.email))
                .or_else(|| key.map(str::to_owned)),
            accounts: all.len(),
            connected: record.is_some(),
            email: record.map(|r| r.email.clone()),
            connected_at_ms: record.map(|r| r.connected_at_ms),
            token_store: record.map(|r| json!(r.token_store)),
            token_location: record.map(|r| accounts.token_location(r)),
            can_reconnect: record.is_some() || !all.is_empty(),
            sign_in,
        }
    }

    /// Brings the mailboxes in line with the accounts (one was added, signed in again or
    /// removed): new ones get their watcher, and every window hears what changed.
    async fn reload<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        mailboxes: &Mailboxes,
        changed: Option<&str>,
    ) -> Result<(), AppError> {
        mailboxes.reload(app).await?;
        let _ = app.emit(CHANGED, self.view(changed));
        Ok(())
    }
}

fn sign_in_event<R: Runtime>(app: &AppHandle<R>, payload: Value) {
    let _ = app.emit(SIGN_IN, payload);
}

#[tauri::command]
pub async fn get_account(
    state: State<'_, AccountState>,
    mailbox: Option<String>,
) -> Result<AccountView, AppError> {
    Ok(state.view(mailbox.as_deref()))
}

/// Signs in with Google in the system browser and connects that account beside the others
/// (the same account signed in again replaces its own sign-in); `clientSecretPath` null signs
/// in again with the client remembered for the account `mailbox` names, else the last one
/// connected (the fetch card's "Reconnect").
#[tauri::command]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AccountState>,
    mailboxes: State<'_, Arc<Mailboxes>>,
    client_secret_path: Option<String>,
    mailbox: Option<String>,
) -> Result<AccountView, AppError> {
    let cancel = CancellationToken::new();
    {
        let mut job = state.job();
        if job.is_some() {
            return Err(AppError::new(
                "signInBusy",
                "a sign-in is already waiting in the browser; finish or cancel it first",
            ));
        }
        *job = Some(SignInJob {
            url: None,
            started_at_ms: now_ms(),
            cancel: cancel.clone(),
        });
    }
    let reconnecting = match &mailbox {
        Some(key) => state
            .dir
            .accounts()
            .list()?
            .into_iter()
            .find(|r| account_folder(&r.email) == *key),
        None => None,
    };
    let result = sign_in(
        &app,
        &state,
        client_secret_path.as_deref(),
        reconnecting.as_ref(),
        &cancel,
    )
    .await;
    *state.job() = None;
    match result {
        Ok(record) => {
            let key = account_folder(&record.email);
            state.reload(&app, &mailboxes, Some(&key)).await?;
            sign_in_event(&app, json!({ "phase": "done" }));
            let shown = mailboxes.get(Some(&key))?;
            spawn_sync(app.clone(), shown, Trigger::Button);
            Ok(state.view(Some(&key)))
        }
        Err(e) => {
            let phase = if matches!(e, AuthError::Cancelled) {
                "cancelled"
            } else {
                "failed"
            };
            sign_in_event(&app, json!({ "phase": phase, "message": e.to_string() }));
            Err(e.into())
        }
    }
}

async fn sign_in(
    app: &AppHandle,
    state: &AccountState,
    client_secret_path: Option<&str>,
    reconnecting: Option<&AccountRecord>,
    cancel: &CancellationToken,
) -> Result<AccountRecord, AuthError> {
    let path = client_secret_path
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(expand_home);
    let accounts = state.dir.accounts();
    let sign_in = SignIn::start(accounts, path.as_deref(), None, reconnecting).await?;
    let url = sign_in.url().to_owned();
    if let Some(job) = state.job().as_mut() {
        job.url = Some(url.clone());
    }
    sign_in_event(app, json!({ "phase": "waiting", "url": url }));
    if let Err(e) = app.opener().open_url(&url, None::<&str>) {
        tracing::warn!(error = %e, "the browser could not be opened; the window shows the sign-in address");
    }
    sign_in.finish(accounts, SIGN_IN_LIMIT, cancel).await
}

/// `~/…` as a shell would read it, since the path is typed by hand.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AccountState>) -> Result<Value, AppError> {
    let cancelled = match state.job().as_ref() {
        Some(job) => {
            job.cancel.cancel();
            true
        }
        None => false,
    };
    Ok(json!({ "cancelled": cancelled }))
}

/// Revokes the token of the account `mailbox` names (the first when `None`) at Google,
/// deletes it here and takes its mailbox out of every window (the demo's comes back when no
/// account is left); the account's mail stays in its own database unless `deleteMail`.
#[tauri::command]
pub async fn disconnect_account(
    app: AppHandle,
    state: State<'_, AccountState>,
    mailboxes: State<'_, Arc<Mailboxes>>,
    mailbox: Option<String>,
    delete_mail: Option<bool>,
) -> Result<Value, AppError> {
    let shown = mailboxes.get(mailbox.as_deref())?;
    let Mailbox::Account(record) = shown.get().mailbox().clone() else {
        return Err(AppError::new(
            "notConnected",
            "this mailbox is not a Gmail account",
        ));
    };
    shown.get().cancel_and_wait(Duration::from_secs(10)).await;
    let gone = state.dir.accounts().disconnect(&record.email).await?;
    state.reload(&app, &mailboxes, Some(shown.key())).await?;
    // The reload closed its database (a file still open cannot be deleted everywhere).
    let deleted = if delete_mail == Some(true) {
        Some(state.dir.delete_mail(&Mailbox::Account(record))?)
    } else {
        None
    };
    let (revoked, mut message) = match gone.revoke_error {
        None => (
            true,
            format!("Disconnected {}: access was revoked at Google and the token deleted from this computer.", gone.email),
        ),
        Some(e) => (
            false,
            format!(
                "Disconnected {}: the token was deleted from this computer, but Google could not be told ({e}). Remove Inbox Sync's access at https://myaccount.google.com/permissions.",
                gone.email
            ),
        ),
    };
    match &deleted {
        Some(size) => message.push_str(&format!(" Its synced mail ({size}) was deleted.")),
        None => message.push_str(" Its synced mail stays on this computer."),
    }
    Ok(json!({ "revoked": revoked, "message": message, "mailDeleted": deleted.is_some() }))
}
