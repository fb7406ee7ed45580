//! The connected accounts, any number of them: each in its own folder
//! `<data-dir>/accounts/<address>/` with `account.json` (the email address, the client's id
//! and endpoints, where the token is kept — nothing secret), its token file when there is no
//! keyring, and its mail database; and the steps that connect and disconnect one. Connecting
//! one account never touches another.
//!
//! Data directories from before several accounts kept one `account.json` and one
//! `credentials.json` at their top; they are moved into the account's folder on first use.
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
/// The folder under the data directory that holds one folder per account.
pub const ACCOUNTS_DIR: &str = "accounts";

/// The folder of `email`'s account in `data_dir`.
pub(crate) fn folder_of(data_dir: &Path, email: &str) -> PathBuf {
    data_dir.join(ACCOUNTS_DIR).join(account_folder(email))
}

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

    /// Where `email`'s record is kept.
    pub fn record_path(&self, email: &str) -> PathBuf {
        folder_of(&self.data_dir, email).join(ACCOUNT_FILE)
    }

    /// Every connected account, the first connected first.
    pub fn list(&self) -> Result<Vec<AccountRecord>, AuthError> {
        self.migrate_single()?;
        let dir = self.data_dir.join(ACCOUNTS_DIR);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(AuthError::Storage(format!(
                    "cannot read {}: {e}",
                    dir.display()
                )))
            }
        };
        let mut records = Vec::new();
        for entry in entries.flatten() {
            // A folder without a record is an account disconnected with its mail kept.
            if let Some(record) = read_record(&entry.path().join(ACCOUNT_FILE))? {
                records.push(record);
            }
        }
        records.sort_by(|a, b| (a.connected_at_ms, &a.email).cmp(&(b.connected_at_ms, &b.email)));
        Ok(records)
    }

    /// The account connected as `email` (any case), if it is.
    pub fn get(&self, email: &str) -> Result<Option<AccountRecord>, AuthError> {
        self.migrate_single()?;
        read_record(&self.record_path(email))
    }

    /// `email`'s account, or a clear error naming the connected ones.
    pub fn find(&self, email: &str) -> Result<AccountRecord, AuthError> {
        if let Some(record) = self.get(email)? {
            return Ok(record);
        }
        let known: Vec<String> = self.list()?.into_iter().map(|r| r.email).collect();
        Err(AuthError::NotConnected(if known.is_empty() {
            format!("{email} is not connected; no Gmail account is")
        } else {
            format!("{email} is not connected; connected: {}", known.join(", "))
        }))
    }

    /// The first connected account, if any: the one the window shows.
    pub fn current(&self) -> Result<Option<AccountRecord>, AuthError> {
        Ok(self.list()?.into_iter().next())
    }

    /// The account signed in to last, if any: whose client a new sign-in reuses.
    pub fn latest(&self) -> Result<Option<AccountRecord>, AuthError> {
        Ok(self.list()?.into_iter().max_by_key(|r| r.connected_at_ms))
    }

    /// Moves a data directory's single account (`account.json` and `credentials.json` at its
    /// top, from before several accounts) into that account's folder. Each step is a rename,
    /// the token first, so a crash between them leaves a state this finishes.
    fn migrate_single(&self) -> Result<(), AuthError> {
        let old_record = self.data_dir.join(ACCOUNT_FILE);
        let Some(record) = read_record(&old_record)? else {
            return Ok(());
        };
        let folder = folder_of(&self.data_dir, &record.email);
        let moved = |from: &Path, to: &Path| -> Result<(), AuthError> {
            match std::fs::rename(from, to) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(AuthError::Storage(format!(
                    "cannot move {} to {}: {e}",
                    from.display(),
                    to.display()
                ))),
            }
        };
        std::fs::create_dir_all(&folder)
            .map_err(|e| AuthError::Storage(format!("cannot create {}: {e}", folder.display())))?;
        moved(
            &self.data_dir.join(super::vault::CREDENTIALS_FILE),
            &self.vault.file_path(&record.email),
        )?;
        moved(&old_record, &self.record_path(&record.email))?;
        tracing::info!(email = %record.email, "moved the account into its own folder");
        Ok(())
    }

    /// Where the account's token is, in words.
    pub fn token_location(&self, record: &AccountRecord) -> String {
        self.vault.describe(&record.email, record.token_store)
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

    /// `record`'s client, so "Reconnect" (or another account) can sign in without the file.
    pub async fn remembered_client(
        &self,
        record: &AccountRecord,
    ) -> Result<OAuthClientConfig, AuthError> {
        let credentials = self.credentials(record).await.map_err(|e| match e {
            AuthError::SignInRequired(m) => {
                AuthError::ClientSecret(format!("{m}; choose the client secret file again"))
            }
            other => other,
        })?;
        let parse = |text: &str| {
            Url::parse(text).map_err(|_| {
                AuthError::Storage(format!(
                    "{}'s {ACCOUNT_FILE} holds a bad address",
                    record.email
                ))
            })
        };
        Ok(OAuthClientConfig {
            client_id: credentials.client_id,
            client_secret: credentials.client_secret,
            auth_uri: parse(&record.auth_uri)?,
            token_uri: parse(&credentials.token_uri)?,
        })
    }

    /// Finishes connecting: asks Gmail whose mailbox this is, keeps the token, writes the
    /// record. The same account signed in again replaces its own token; other accounts stay
    /// as they are.
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
        write_private(&self.record_path(&record.email), &json)?;
        Ok(record)
    }

    /// Revokes `email`'s token at Google and deletes it and the record here (its mail stays
    /// in its folder). The local deletion happens even when Google cannot be reached.
    pub async fn disconnect(&self, email: &str) -> Result<Disconnected, AuthError> {
        let record = self.find(email)?;
        let revoke_error = match self.credentials(&record).await {
            Ok(c) => revoke_old(&c).await.err(),
            Err(e) => Some(e),
        };
        let (vault, old) = (self.vault.clone(), record.clone());
        blocking(move || vault.delete(&old.email, old.token_store)).await?;
        match std::fs::remove_file(self.record_path(&record.email)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AuthError::Storage(format!(
                    "cannot delete {}'s {ACCOUNT_FILE}: {e}",
                    record.email
                )))
            }
        }
        Ok(Disconnected {
            email: record.email,
            revoke_error,
        })
    }
}

/// The record in `path`, if there is one.
fn read_record(path: &Path) -> Result<Option<AccountRecord>, AuthError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            AuthError::Storage(format!(
                "{} is damaged ({e}); disconnect and connect that account again",
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
