//! Which mailbox the app shows and syncs: the built-in demo, or the connected Gmail account.
//! Each has its own database, so two accounts' mail never mixes: the demo's is
//! `<data-dir>/inbox-sync.sqlite3`, an account's `<data-dir>/accounts/<address>/inbox-sync.sqlite3`.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::auth::{account_folder, AccountRecord, Accounts, AuthError, VaultPreference};
use inbox_sync_core::gmail::GmailSource;

use crate::paths;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mailbox {
    Demo,
    Account(AccountRecord),
}

impl Mailbox {
    /// The connected account's mailbox, else the demo.
    pub fn current(accounts: &Accounts) -> Result<Self, AuthError> {
        Ok(match accounts.current()? {
            Some(record) => Self::Account(record),
            None => Self::Demo,
        })
    }

    pub fn database_path(&self, data_dir: &Path) -> PathBuf {
        match self {
            Self::Demo => paths::database_path(data_dir),
            Self::Account(record) => paths::database_path(
                &data_dir
                    .join("accounts")
                    .join(account_folder(&record.email)),
            ),
        }
    }
}

/// The account side of a data directory, with the token store `INBOX_SYNC_TOKEN_STORE` picks.
pub fn accounts(data_dir: &Path) -> Result<Accounts, AuthError> {
    Ok(Accounts::new(data_dir, VaultPreference::from_env()?))
}

/// A Gmail source for the connected account, with its saved sign-in.
pub async fn account_source(
    accounts: &Accounts,
    record: &AccountRecord,
    timeout: Duration,
) -> Result<Arc<GmailSource>, AuthError> {
    let grant = accounts.token_grant(record).await?;
    let endpoint = Accounts::endpoint(record)?;
    GmailSource::new(&endpoint, grant, timeout)
        .map(Arc::new)
        .map_err(|e| AuthError::Network(e.to_string()))
}
