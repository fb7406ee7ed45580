//! Connecting a Gmail account from the window: Settings → "Connect Gmail", the fetch card's
//! "Reconnect", and "Disconnect". Sign-in runs in the system browser (never a webview); the
//! windows hear `account://sign-in` while it waits and `account://changed` when the mailbox
//! they show is another one. No token ever reaches a window.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inbox_sync_core::auth::{AccountRecord, AuthError};
use inbox_sync_core::Trigger;
use serde::Serialize;
use serde_json::{json, Value};
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use super::events;
use super::shown::{spawn_sync, ShownMailbox};
use crate::app::sign_in::SignIn;
use crate::app::{demo_mailbox, now_ms, AppError, DataDir, Mailbox};

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

    fn view(&self) -> AccountView {
        let accounts = self.dir.accounts();
        let record = accounts.current().ok().flatten();
        let sign_in = self.job().as_ref().and_then(|j| {
            j.url
                .as_ref()
                .map(|url| json!({ "url": url, "startedAtMs": j.started_at_ms }))
        });
        AccountView {
            connected: record.is_some(),
            email: record.as_ref().map(|r| r.email.clone()),
            connected_at_ms: record.as_ref().map(|r| r.connected_at_ms),
            token_store: record.as_ref().map(|r| json!(r.token_store)),
            token_location: record.as_ref().map(|r| accounts.token_location(r)),
            can_reconnect: record.is_some(),
            sign_in,
        }
    }

    /// Makes `mailbox` the one the windows show: the old one's sync is stopped first (its
    /// run ends aborted/cancelled), then every window is told.
    async fn switch_to<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        shown: &ShownMailbox,
        mailbox: Mailbox,
    ) -> Result<(), AppError> {
        let open = self.dir.open_mailbox(mailbox).await?;
        shown.get().cancel_and_wait(Duration::from_secs(10)).await;
        shown.replace(open.clone());
        let _ = app.emit(CHANGED, self.view());
        if let Ok(counts) = open.mail().counts().await {
            events::mail_changed(app, &counts);
        }
        super::tray::show_run(app, None);
        Ok(())
    }
}

fn sign_in_event<R: Runtime>(app: &AppHandle<R>, payload: Value) {
    let _ = app.emit(SIGN_IN, payload);
}

#[tauri::command]
pub async fn get_account(state: State<'_, AccountState>) -> Result<AccountView, AppError> {
    Ok(state.view())
}

/// Signs in with Google in the system browser and connects that account; `clientSecretPath`
/// null signs in again with the remembered client (the fetch card's "Reconnect").
#[tauri::command]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AccountState>,
    shown: State<'_, Arc<ShownMailbox>>,
    client_secret_path: Option<String>,
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
    let result = sign_in(&app, &state, client_secret_path.as_deref(), &cancel).await;
    *state.job() = None;
    match result {
        Ok(record) => {
            state
                .switch_to(&app, &shown, Mailbox::Account(record))
                .await?;
            sign_in_event(&app, json!({ "phase": "done" }));
            spawn_sync(app.clone(), shown.inner().clone(), Trigger::Button);
            Ok(state.view())
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
    cancel: &CancellationToken,
) -> Result<AccountRecord, AuthError> {
    let path = client_secret_path
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(expand_home);
    let accounts = state.dir.accounts();
    let sign_in = SignIn::start(accounts, path.as_deref(), None).await?;
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

/// Revokes the shown account's token at Google, deletes it here and shows the next account
/// (else the demo mailbox); the account's mail stays in its own database.
#[tauri::command]
pub async fn disconnect_account(
    app: AppHandle,
    state: State<'_, AccountState>,
    shown: State<'_, Arc<ShownMailbox>>,
) -> Result<Value, AppError> {
    shown.get().cancel_and_wait(Duration::from_secs(10)).await;
    let accounts = state.dir.accounts();
    let shown_account = accounts
        .current()?
        .ok_or_else(|| AppError::new("notConnected", "no Gmail account is connected"))?;
    let gone = accounts.disconnect(&shown_account.email).await?;
    // The next connected account, else the demo.
    state
        .switch_to(&app, &shown, state.dir.current_mailbox()?)
        .await?;
    let (revoked, message) = match gone.revoke_error {
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
    Ok(json!({ "revoked": revoked, "message": message }))
}
