//! Signing in with Google, as the command line's `account login` and the window's "Connect
//! Gmail" / "Reconnect" both do it: which OAuth client and which Gmail are used, the sign-in
//! in the system browser, and connecting the account it returns.
use std::path::Path;
use std::time::Duration;

use inbox_sync_core::auth::{AccountRecord, Accounts, AuthError, OAuthClientConfig, PendingSignIn};
use inbox_sync_core::gmail::GmailEndpoint;
use tokio_util::sync::CancellationToken;

/// Where the Gmail API root may be moved (a test server on this machine).
pub const GMAIL_BASE_URL_VAR: &str = "INBOX_SYNC_GMAIL_BASE_URL";

/// A sign-in waiting for the browser to come back.
pub struct SignIn {
    pending: PendingSignIn,
    endpoint: GmailEndpoint,
}

impl SignIn {
    /// Starts a sign-in: with the client secret file given, else the client remembered for
    /// `reconnecting` (else for the account signed in to last); against the Gmail
    /// `gmail_base_url` names (or `INBOX_SYNC_GMAIL_BASE_URL`), else the previous account's
    /// when reconnecting with its remembered client, else Google's. The loopback listener is
    /// listening on return.
    pub async fn start(
        accounts: &Accounts,
        client_secret: Option<&Path>,
        gmail_base_url: Option<&str>,
        reconnecting: Option<&AccountRecord>,
    ) -> Result<Self, AuthError> {
        let previous = match reconnecting {
            Some(record) => Some(record.clone()),
            None => accounts.latest()?,
        };
        let client = match (client_secret, &previous) {
            (Some(path), _) => OAuthClientConfig::from_file(path)?,
            (None, Some(record)) => accounts.remembered_client(record).await?,
            (None, None) => {
                return Err(AuthError::ClientSecret(
                    "no account was connected before: choose the client secret file of your Google OAuth client (see \"Connect your Gmail\" in the README)".into(),
                ))
            }
        };
        let from_env = std::env::var(GMAIL_BASE_URL_VAR).ok();
        let given = gmail_base_url
            .or(from_env.as_deref())
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let endpoint = match (given, &previous) {
            (Some(url), _) => GmailEndpoint::custom(url),
            (None, Some(record)) if client_secret.is_none() => {
                GmailEndpoint::custom(&record.api_base_url)
            }
            (None, _) => Ok(GmailEndpoint::google()),
        }
        .map_err(|e| AuthError::ClientSecret(e.to_string()))?;
        Ok(Self {
            pending: PendingSignIn::start(client).await?,
            endpoint,
        })
    }

    /// The address to open in the browser.
    pub fn url(&self) -> &str {
        self.pending.url()
    }

    /// Where Google sends the browser back to.
    pub fn redirect_uri(&self) -> String {
        self.pending.redirect_uri()
    }

    /// Waits (up to `limit`, or until `cancel`) for the browser, then connects the account.
    pub async fn finish(
        self,
        accounts: &Accounts,
        limit: Duration,
        cancel: &CancellationToken,
    ) -> Result<AccountRecord, AuthError> {
        let client = self.pending.config().clone();
        let signed_in = self.pending.finish(limit, cancel).await?;
        accounts
            .connect(&client, signed_in, &self.endpoint, super::now_ms())
            .await
    }
}
