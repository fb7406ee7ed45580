//! Which mailbox a sync reads and writes, and where its mail comes from: the built-in demo,
//! a Gmail-compatible server given by address (both kept in the demo's database), or a
//! connected Gmail account (its own database, `<data-dir>/accounts/<address>/…`), so two
//! accounts' mail never mixes.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use inbox_sync_core::auth::{account_folder, AccountRecord, Accounts};
use inbox_sync_core::gmail::{GmailEndpoint, GmailSource};
use inbox_sync_core::sync::SyncOptions;
use serde_json::{json, Value};

use super::AppError;
use crate::demo::{fake_grant, DemoMailbox, DemoSettings};
use crate::paths;

/// Gmail's per-user quota, in units per second, when nothing else is said.
const GMAIL_QUOTA: u32 = 250;

#[derive(Debug, Clone)]
pub enum Mailbox {
    /// The built-in demo mailbox, served in-process.
    Demo(DemoSettings),
    /// A Gmail-compatible server on this machine or https (e.g. `inbox-sync fake-gmail`).
    Server(GmailEndpoint),
    /// A connected Gmail account, with its saved sign-in.
    Account(AccountRecord),
}

/// A live source of mail, and the demo server behind it when there is one (kept running
/// for as long as the source is, so later syncs are incremental).
pub struct MailOrigin {
    pub source: Arc<GmailSource>,
    pub demo: Option<DemoMailbox>,
}

impl Mailbox {
    pub fn database_path(&self, data_dir: &Path) -> PathBuf {
        match self {
            Self::Demo(_) | Self::Server(_) => paths::database_path(data_dir),
            Self::Account(record) => paths::database_path(
                &data_dir
                    .join("accounts")
                    .join(account_folder(&record.email)),
            ),
        }
    }

    /// How a sync of this mailbox paces itself and how many messages it fetches at once.
    pub fn sync_options(&self) -> SyncOptions {
        let quota = match self {
            Self::Demo(demo) => demo.quota,
            Self::Server(_) | Self::Account(_) => GMAIL_QUOTA,
        };
        SyncOptions {
            // 0 means no quota at all, as on the demo's server side.
            quota_units_per_sec: (quota > 0).then_some(quota),
            ..SyncOptions::default()
        }
    }

    /// What the window's Home page says the mailbox is.
    pub fn view(&self) -> Value {
        match self {
            Self::Demo(demo) => json!({
                "kind": "demo",
                "label": format!("Demo mailbox ({} messages)", demo.messages),
                // The window writes the count itself, grouped in the user's language.
                "messages": demo.messages,
            }),
            Self::Server(endpoint) => json!({
                "kind": "server",
                "label": format!("Gmail-compatible server at {}", endpoint.base_url()),
            }),
            Self::Account(record) => json!({
                "kind": "account",
                "label": format!("Gmail: {}", record.email),
                "email": record.email,
            }),
        }
    }

    /// Connects to where this mailbox's mail comes from (starting the demo's server).
    pub async fn connect(
        &self,
        accounts: &Accounts,
        timeout: Duration,
    ) -> Result<MailOrigin, AppError> {
        let (endpoint, grant, demo) = match self {
            Self::Account(record) => (
                Accounts::endpoint(record)?,
                accounts.token_grant(record).await?,
                None,
            ),
            Self::Server(endpoint) => (endpoint.clone(), fake_grant(endpoint), None),
            Self::Demo(settings) => {
                let demo = DemoMailbox::start(settings).await?;
                (
                    demo.endpoint.clone(),
                    fake_grant(&demo.endpoint),
                    Some(demo),
                )
            }
        };
        let source = GmailSource::new(&endpoint, grant, timeout)
            .map_err(|e| AppError::new("network", e.to_string()))?;
        Ok(MailOrigin {
            source: Arc::new(source),
            demo,
        })
    }
}
