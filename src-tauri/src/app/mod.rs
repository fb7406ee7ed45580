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
use inbox_sync_core::StoreError;

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
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The connected account's mailbox, else the demo.
    pub fn current_mailbox(&self) -> Result<Mailbox, AppError> {
        match self.accounts.current()? {
            Some(record) => Ok(Mailbox::Account(record)),
            None => demo_mailbox(),
        }
    }

    pub async fn open_mailbox(&self, mailbox: Mailbox) -> Result<Arc<OpenMailbox>, AppError> {
        OpenMailbox::open(&self.path, mailbox, self.accounts.clone(), self.stale_after).await
    }

    /// Opens `mailbox` for reading only, as `status` and `history` do.
    pub async fn open_mailbox_read_only(
        &self,
        mailbox: Mailbox,
    ) -> Result<Arc<OpenMailbox>, AppError> {
        OpenMailbox::open_read_only(&self.path, mailbox, self.accounts.clone(), self.stale_after)
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
