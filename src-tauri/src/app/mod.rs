//! The application layer: what the command line and the window both do, written once.
//! Neither `cli/` nor `gui/` assembles a sync, a mailbox or a sign-in by itself; each calls
//! in here and only presents the result (a terminal bar and exit codes, or window events).
//!
//! - [`DataDir`]: the app's data directory with its accounts; it opens mailboxes.
//! - [`Mailbox`]: which mailbox (demo, a server by address, a Gmail account): its database,
//!   its sync options and where its mail comes from.
//! - [`OpenMailbox`]: a mailbox with its database open, and [`OpenMailbox::start`], the one
//!   function every sync starts through; [`RunningSync`] follows it to its end.
//! - [`sign_in`]: which OAuth client and Gmail a sign-in uses, and connecting the account.
//! - [`AppError`]: the shell's one error, `{ code, message }`.
mod error;
mod mailbox;
mod open_mailbox;
pub mod sign_in;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::auth::{Accounts, VaultPreference};
use inbox_sync_core::{OnUpgrade, StoreError, StoreOptions};

pub use error::AppError;
pub use mailbox::Mailbox;
pub use open_mailbox::{Ended, LiveRun, OpenMailbox, RunningSync, SavedAttachment, Start};

use crate::demo::DemoSettings;
use crate::paths;

/// The app's data directory (settings, accounts, every mailbox's database), the same for
/// the window and the command line.
#[derive(Clone)]
pub struct DataDir {
    path: PathBuf,
    accounts: Accounts,
    /// A running sync silent for this long is stale and may be replaced.
    stale_after: Duration,
    /// Told how the update of a mailbox's database from an older version goes.
    on_upgrade: Option<OnUpgrade>,
}

impl DataDir {
    /// The directory given, else the platform's data directory for the app; created on
    /// first use. The token store is the one `INBOX_SYNC_TOKEN_STORE` picks.
    pub fn open(given: Option<&Path>, stale_after: Duration) -> Result<Self, AppError> {
        let path = paths::data_dir(given).map_err(|m| AppError::new("dataDir", m))?;
        create_dir(&path)?;
        let accounts = Accounts::new(&path, VaultPreference::from_env()?);
        Ok(Self {
            path,
            accounts,
            stale_after,
            on_upgrade: None,
        })
    }

    /// The same directory, its mailboxes' database updates told to `on_upgrade`.
    pub fn with_upgrade_progress(mut self, on_upgrade: OnUpgrade) -> Self {
        self.on_upgrade = Some(on_upgrade);
        self
    }

    /// How a mailbox's database is opened from here.
    fn store_options(&self) -> StoreOptions {
        StoreOptions {
            on_upgrade: self.on_upgrade.clone(),
            ..StoreOptions::default()
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The first connected account's mailbox, else the demo: the one the window shows.
    pub fn current_mailbox(&self) -> Result<Mailbox, AppError> {
        match self.accounts.current()? {
            Some(record) => Ok(Mailbox::Account(record)),
            None => demo_mailbox(),
        }
    }

    /// Every connected account's mailbox, the first connected first; the demo's alone when
    /// none is connected.
    pub fn all_mailboxes(&self) -> Result<Vec<Mailbox>, AppError> {
        let records = self.accounts.list()?;
        if records.is_empty() {
            return Ok(vec![demo_mailbox()?]);
        }
        Ok(records.into_iter().map(Mailbox::Account).collect())
    }

    /// The mailboxes the window shows: every connected account's, and the demo's when none
    /// is connected or the user keeps it (`keep_demo`), last.
    pub fn shown_mailboxes(&self, keep_demo: bool) -> Result<Vec<Mailbox>, AppError> {
        let mut mailboxes: Vec<Mailbox> = self
            .accounts
            .list()?
            .into_iter()
            .map(Mailbox::Account)
            .collect();
        if mailboxes.is_empty() || keep_demo {
            mailboxes.push(demo_mailbox()?);
        }
        Ok(mailboxes)
    }

    /// The mailbox of the account connected as `email`.
    pub fn account_mailbox(&self, email: &str) -> Result<Mailbox, AppError> {
        Ok(Mailbox::Account(self.accounts.find(email)?))
    }

    pub async fn open_mailbox(&self, mailbox: Mailbox) -> Result<Arc<OpenMailbox>, AppError> {
        OpenMailbox::open(
            &self.path,
            mailbox,
            self.accounts.clone(),
            self.stale_after,
            self.store_options(),
        )
        .await
    }

    /// Fails when a sync of `mailbox` is running (anywhere), e.g. before deleting its mail.
    pub async fn refuse_while_syncing(&self, mailbox: &Mailbox) -> Result<(), AppError> {
        if !mailbox.database_path(&self.path).exists() {
            return Ok(());
        }
        let open = self.open_mailbox_read_only(mailbox.clone()).await?;
        let active = open.ledger().get_active().await;
        open.close().await;
        if let Some(run) = active? {
            return Err(AppError::new(
                "alreadyRunning",
                format!(
                    "a sync of this mailbox is running (run #{}); stop it first",
                    run.id
                ),
            ));
        }
        Ok(())
    }

    /// Deletes an account's folder (its mail database, sync history and anything set aside
    /// there) once it is disconnected; says how much was deleted.
    pub fn delete_mail(&self, mailbox: &Mailbox) -> Result<String, AppError> {
        let Mailbox::Account(record) = mailbox else {
            return Err(AppError::config(
                "only a Gmail account's mail can be deleted",
            ));
        };
        if self.accounts.get(&record.email)?.is_some() {
            return Err(AppError::config(format!(
                "{} is still connected; disconnect it first",
                record.email
            )));
        }
        let folder = self
            .path
            .join(inbox_sync_core::auth::ACCOUNTS_DIR)
            .join(inbox_sync_core::auth::account_folder(&record.email));
        let bytes: u64 = std::fs::read_dir(&folder)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum();
        match std::fs::remove_dir_all(&folder) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                let err = StoreError::from_io(e, &folder);
                return Err(AppError::new(
                    err.code(),
                    format!("cannot delete {}: {err}", folder.display()),
                ));
            }
        }
        Ok(format!("{:.1} MB", bytes as f64 / 1_000_000.0))
    }

    /// Opens `mailbox` for reading only, as `status` and `history` do.
    pub async fn open_mailbox_read_only(
        &self,
        mailbox: Mailbox,
    ) -> Result<Arc<OpenMailbox>, AppError> {
        OpenMailbox::open_read_only(
            &self.path,
            mailbox,
            self.accounts.clone(),
            self.stale_after,
            self.store_options(),
        )
        .await
    }
}

/// The built-in demo mailbox, shaped by the `INBOX_SYNC_DEMO_*` variables.
pub fn demo_mailbox() -> Result<Mailbox, AppError> {
    Ok(Mailbox::Demo(DemoSettings::from_env()?))
}

fn create_dir(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        let err = StoreError::from_io(e, dir);
        AppError::new(
            err.code(),
            format!("cannot create the data directory {}: {err}", dir.display()),
        )
    })
}

/// Milliseconds since the Unix epoch, on the wall clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
