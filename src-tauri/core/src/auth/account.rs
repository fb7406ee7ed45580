//! The connected account: `account.json` in the data directory (the email address, the
//! client's id and endpoints, where the token is kept — nothing secret), and the steps that
//! connect and disconnect it.
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::vault::write_private;
use super::{
    revoke_token, AuthError, Credentials, OAuthClientConfig, SignedIn, TokenStoreKind, Vault,
    VaultPreference,
};
use crate::gmail::{GmailEndpoint, GmailSource, TokenGrant};
use crate::sync::MailSource;

pub const ACCOUNT_FILE: &str = "account.json";

/// The connected account, as `account.json` keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRecord {
    /// The address Gmail's profile names.
    pub email: String,
    pub client_id: String,
    pub auth_uri: String,
    pub token_uri: String,
    /// Gmail's API root (Google's, or a test server on this machine).
    pub api_base_url: String,
    pub token_store: TokenStoreKind,
    pub connected_at_ms: i64,
}

/// How a disconnect went: the token is always deleted here; `revoke_error` says why Google
/// was not told.
#[derive(Debug)]
pub struct Disconnected {
    pub email: String,
    pub revoke_error: Option<AuthError>,
}

/// The account side of one data directory.
#[derive(Debug, Clone)]
pub struct Accounts {
    data_dir: PathBuf,
    vault: Vault,
}

impl Accounts {
    pub fn new(data_dir: &Path, preference: VaultPreference) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            vault: Vault::new(data_dir, preference),
        }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    fn record_path(&self) -> PathBuf {
        self.data_dir.join(ACCOUNT_FILE)
    }

    /// The connected account, if any.
    pub fn current(&self) -> Result<Option<AccountRecord>, AuthError> {
        let path = self.record_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                AuthError::Storage(format!(
                    "{} is damaged ({e}); disconnect and connect Gmail again",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(AuthError::Storage(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Where the account's token is, in words.
    pub fn token_location(&self, record: &AccountRecord) -> String {
        self.vault.describe(record.token_store)
    }

    /// The saved credentials of the connected account.
    pub async fn credentials(&self, record: &AccountRecord) -> Result<Credentials, AuthError> {
        let vault = self.vault.clone();
        let (email, kind) = (record.email.clone(), record.token_store);
        blocking(move || vault.load(&email, kind)).await
    }

    /// What a sync of the connected account renews its access tokens with.
    pub async fn token_grant(&self, record: &AccountRecord) -> Result<TokenGrant, AuthError> {
        let c = self.credentials(record).await?;
        Ok(TokenGrant::Refresh {
            token_url: c.token_uri,
            client_id: c.client_id,
            client_secret: c.client_secret,
            refresh_token: c.refresh_token,
        })
    }

    pub fn endpoint(record: &AccountRecord) -> Result<GmailEndpoint, AuthError> {
        GmailEndpoint::custom(&record.api_base_url).map_err(|e| AuthError::Storage(e.to_string()))
    }

    /// The remembered client, so "Reconnect" can sign in again without the file.
    pub async fn remembered_client(&self) -> Result<OAuthClientConfig, AuthError> {
        let record = self.current()?.ok_or(AuthError::NotConnected)?;
        let credentials = self.credentials(&record).await.map_err(|e| match e {
            AuthError::SignInRequired(m) => {
                AuthError::ClientSecret(format!("{m}; choose the client secret file again"))
            }
            other => other,
        })?;
        let parse = |text: &str| {
            Url::parse(text)
                .map_err(|_| AuthError::Storage(format!("{ACCOUNT_FILE} holds a bad address")))
        };
        Ok(OAuthClientConfig {
            client_id: credentials.client_id,
            client_secret: credentials.client_secret,
            auth_uri: parse(&record.auth_uri)?,
            token_uri: parse(&credentials.token_uri)?,
        })
    }

    /// Finishes connecting: asks Gmail whose mailbox this is, keeps the token, writes the
    /// record. Another account connected before is revoked and forgotten (its mail stays in
    /// its own database).
    pub async fn connect(
        &self,
        client: &OAuthClientConfig,
        signed_in: SignedIn,
        endpoint: &GmailEndpoint,
        now_ms: i64,
    ) -> Result<AccountRecord, AuthError> {
        let source = GmailSource::new(
            endpoint,
            TokenGrant::Fixed(signed_in.access_token.clone()),
            Duration::from_secs(30),
        )
        .map_err(|e| AuthError::Network(e.to_string()))?;
        let profile = source.profile().await.map_err(|e| {
            AuthError::Network(format!(
                "signed in, but Gmail's profile could not be read: {e}"
            ))
        })?;
        let email = profile.email_address.trim().to_owned();
        if email.is_empty() {
            return Err(AuthError::Refused(
                "Gmail's profile names no email address".into(),
            ));
        }
        let previous = self.current().ok().flatten();
        if let Some(old) = previous.as_ref().filter(|old| old.email != email) {
            // Best effort: the user is switching accounts; the old grant should not linger.
            if let Ok(c) = self.credentials(old).await {
                if let Err(e) = revoke_old(&c).await {
                    tracing::warn!(error = %e, "could not revoke the previous account's token");
                }
            }
            let (vault, old) = (self.vault.clone(), old.clone());
            blocking(move || vault.delete(&old.email, old.token_store)).await?;
        }
        let credentials = Credentials {
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            token_uri: client.token_uri.to_string(),
            refresh_token: signed_in.refresh_token,
        };
        let (vault, who) = (self.vault.clone(), email.clone());
        let token_store = blocking(move || vault.save(&who, &credentials)).await?;
        let record = AccountRecord {
            email,
            client_id: client.client_id.clone(),
            auth_uri: client.auth_uri.to_string(),
            token_uri: client.token_uri.to_string(),
            api_base_url: endpoint.base_url().to_owned(),
            token_store,
            connected_at_ms: now_ms,
        };
        let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
        write_private(&self.record_path(), &json)?;
        Ok(record)
    }

    /// Revokes the token at Google and deletes it and the record here. The local deletion
    /// happens even when Google cannot be reached.
    pub async fn disconnect(&self) -> Result<Disconnected, AuthError> {
        let record = self.current()?.ok_or(AuthError::NotConnected)?;
        let revoke_error = match self.credentials(&record).await {
            Ok(c) => revoke_old(&c).await.err(),
            Err(e) => Some(e),
        };
        let (vault, old) = (self.vault.clone(), record.clone());
        blocking(move || vault.delete(&old.email, old.token_store)).await?;
        match std::fs::remove_file(self.record_path()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AuthError::Storage(format!(
                    "cannot delete {ACCOUNT_FILE}: {e}"
                )))
            }
        }
        Ok(Disconnected {
            email: record.email,
            revoke_error,
        })
    }
}

async fn revoke_old(c: &Credentials) -> Result<(), AuthError> {
    let token_uri = Url::parse(&c.token_uri)
        .map_err(|_| AuthError::Storage("the saved token address is not valid".into()))?;
    revoke_token(&token_uri, &c.refresh_token).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AuthError> + Send + 'static,
) -> Result<T, AuthError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(AuthError::Storage(format!(
            "the credential store failed: {e}"
        )))
    })
}

/// The folder name for an account's own database: its address, lower-cased, with anything
/// unusual in a file name replaced.
pub fn account_folder(email: &str) -> String {
    email
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
