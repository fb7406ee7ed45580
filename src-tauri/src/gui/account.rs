//! Connecting a Gmail account from the window: Settings → "Connect Gmail", the fetch card's
//! "Reconnect", and "Disconnect". Sign-in runs in the system browser (never a webview); the
//! windows hear `account://sign-in` while it waits and `account://changed` when the mailbox
//! they show is another one. No token ever reaches a window.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inbox_sync_core::auth::{Accounts, AuthError, OAuthClientConfig, PendingSignIn};
use inbox_sync_core::gmail::GmailEndpoint;
use inbox_sync_core::Trigger;
use serde::Serialize;
use serde_json::{json, Value};
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use super::control::{Current, SyncControl};
use super::error::UiError;
use super::events;
use crate::cli;
use crate::demo::DemoSettings;
use crate::mailbox::Mailbox;

pub const SIGN_IN: &str = "account://sign-in";
pub const CHANGED: &str = "account://changed";

/// How long the browser has to come back.
const SIGN_IN_LIMIT: Duration = Duration::from_secs(300);

/// The account side of the window process.
pub struct AccountState {
    data_dir: PathBuf,
    stale_after: u64,
    accounts: Accounts,
    demo: DemoSettings,
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
    pub fn new(data_dir: &Path, stale_after: u64, accounts: Accounts, demo: DemoSettings) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            stale_after,
            accounts,
            demo,
            sign_in: Mutex::new(None),
        }
    }

    fn job(&self) -> std::sync::MutexGuard<'_, Option<SignInJob>> {
        self.sign_in.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn view(&self) -> AccountView {
        let record = self.accounts.current().ok().flatten();
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
            token_location: record.as_ref().map(|r| self.accounts.token_location(r)),
            can_reconnect: record.is_some(),
            sign_in,
        }
    }

    /// Makes `mailbox` the one the windows show: the old one's sync is stopped first (its
    /// run ends aborted/cancelled), then every window is told.
    async fn switch_to<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        current: &Current,
        mailbox: Mailbox,
    ) -> Result<(), UiError> {
        let ledger = cli::open_ledger(&self.data_dir, &mailbox, self.stale_after)
            .await
            .map_err(|(message, code)| UiError::new(code, message))?;
        let control = Arc::new(SyncControl::new(
            ledger,
            mailbox,
            self.accounts.clone(),
            self.demo.clone(),
        ));
        current.get().cancel_and_wait(Duration::from_secs(10)).await;
        current.replace(control.clone());
        let _ = app.emit(CHANGED, self.view());
        if let Ok(counts) = control.mail().counts().await {
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
pub async fn get_account(state: State<'_, AccountState>) -> Result<AccountView, UiError> {
    Ok(state.view())
}

/// Signs in with Google in the system browser and connects that account; `clientSecretPath`
/// null signs in again with the remembered client (the fetch card's "Reconnect").
#[tauri::command]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AccountState>,
    current: State<'_, Arc<Current>>,
    client_secret_path: Option<String>,
) -> Result<AccountView, UiError> {
    let cancel = CancellationToken::new();
    {
        let mut job = state.job();
        if job.is_some() {
            return Err(UiError::new(
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
                .switch_to(&app, &current, Mailbox::Account(record))
                .await?;
            sign_in_event(&app, json!({ "phase": "done" }));
            super::launch_sync(app.clone(), current.get(), Trigger::Button);
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
) -> Result<inbox_sync_core::auth::AccountRecord, AuthError> {
    let previous = state.accounts.current()?;
    let client = match client_secret_path.map(str::trim).filter(|p| !p.is_empty()) {
        Some(path) => OAuthClientConfig::from_file(&expand_home(path))?,
        None => state
            .accounts
            .remembered_client()
            .await
            .map_err(|e| match e {
                AuthError::NotConnected => AuthError::ClientSecret(
                    "choose the client secret file of your Google OAuth client".into(),
                ),
                other => other,
            })?,
    };
    let endpoint = match (std::env::var("INBOX_SYNC_GMAIL_BASE_URL").ok(), &previous) {
        (Some(url), _) if !url.trim().is_empty() => GmailEndpoint::custom(url.trim()),
        (_, Some(record)) if client_secret_path.is_none() => {
            GmailEndpoint::custom(&record.api_base_url)
        }
        _ => Ok(GmailEndpoint::google()),
    }
    .map_err(|e| AuthError::ClientSecret(e.to_string()))?;
    let pending = PendingSignIn::start(client.clone()).await?;
    let url = pending.url().to_owned();
    if let Some(job) = state.job().as_mut() {
        job.url = Some(url.clone());
    }
    sign_in_event(app, json!({ "phase": "waiting", "url": url }));
    if let Err(e) = app.opener().open_url(&url, None::<&str>) {
        tracing::warn!(error = %e, "the browser could not be opened; the window shows the sign-in address");
    }
    let signed_in = pending.finish(SIGN_IN_LIMIT, cancel).await?;
    state
        .accounts
        .connect(&client, signed_in, &endpoint, now_ms())
        .await
}

/// `~/…` as a shell would read it, since the path is typed by hand.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AccountState>) -> Result<Value, UiError> {
    let cancelled = match state.job().as_ref() {
        Some(job) => {
            job.cancel.cancel();
            true
        }
        None => false,
    };
    Ok(json!({ "cancelled": cancelled }))
}

/// Revokes the token at Google, deletes it here and goes back to the demo mailbox; the
/// account's mail stays in its own database.
#[tauri::command]
pub async fn disconnect_account(
    app: AppHandle,
    state: State<'_, AccountState>,
    current: State<'_, Arc<Current>>,
) -> Result<Value, UiError> {
    current.get().cancel_and_wait(Duration::from_secs(10)).await;
    let gone = state.accounts.disconnect().await?;
    state.switch_to(&app, &current, Mailbox::Demo).await?;
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

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
