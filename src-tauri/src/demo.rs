//! The built-in demo mailbox: an in-process fake Gmail server, so a new user with no Google
//! account (and no network) can try a sync. Shaped by `INBOX_SYNC_DEMO_*` variables, which
//! the command line and the window both honour; the same seed gives the same mailbox in
//! every process. The fake makes each message from the seed when it is asked for, so a
//! running demo keeps about 20 bytes a message (a sync of 100,000 demo messages peaks near
//! 125 MB, the sync included), not the messages themselves.
//!
//! Its newest message is a newsletter written out in full (`fake_gmail::corpus::newsletter`),
//! so the demo shows HTML mail as it really looks. `INBOX_SYNC_DEMO_HOSTILE_ORIGIN=<http origin>`
//! adds the hostile HTML corpus (`fake_gmail::corpus::hostile_html`) just before it, every
//! remote URL of it pointing at that origin: what the window tests open.
use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail, OAuthClient};
use inbox_sync_core::gmail::{GmailEndpoint, Secret, TokenGrant};

use crate::app::AppError;

/// The demo's knobs, read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSettings {
    pub messages: usize,
    pub latency: Duration,
    pub quota: u32,
    pub seed: u64,
    /// Where the hostile corpus's remote URLs point, when the demo holds it.
    pub hostile_origin: Option<String>,
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, AppError> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map_err(|_| AppError::config(format!("{name}={text:?} is not a valid number"))),
        _ => Ok(default),
    }
}

impl DemoSettings {
    pub fn from_env() -> Result<Self, AppError> {
        Ok(Self {
            messages: env_number("INBOX_SYNC_DEMO_MESSAGES", 500)?,
            latency: Duration::from_millis(env_number("INBOX_SYNC_DEMO_LATENCY_MS", 0)?),
            quota: env_number("INBOX_SYNC_DEMO_QUOTA", 250)?,
            seed: env_number("INBOX_SYNC_DEMO_SEED", 2026)?,
            hostile_origin: std::env::var("INBOX_SYNC_DEMO_HOSTILE_ORIGIN")
                .ok()
                .filter(|o| !o.trim().is_empty()),
        })
    }

    pub fn fake_config(&self) -> FakeConfig {
        let mut config = FakeConfig::default()
            .messages(self.messages)
            .seed(self.seed)
            .latency(self.latency)
            .email_address("demo@inbox-sync.example");
        if let Some(origin) = &self.hostile_origin {
            config.mailbox.featured = fake_gmail::corpus::hostile_html(origin);
        }
        config
            .mailbox
            .featured
            .push(fake_gmail::corpus::newsletter());
        // 0 means no quota at all, as for the client side.
        config.quota_units_per_sec = (self.quota > 0).then_some(self.quota);
        config
    }
}

/// The credentials a fake server (the demo's, or a standalone `inbox-sync fake-gmail`)
/// accepts: its built-in OAuth client and refresh token, through the refresh grant.
pub fn fake_grant(endpoint: &GmailEndpoint) -> TokenGrant {
    let client = OAuthClient::default();
    TokenGrant::Refresh {
        token_url: endpoint.token_url().to_owned(),
        client_id: client.client_id,
        client_secret: Secret::new(client.client_secret),
        refresh_token: Secret::new(client.refresh_token),
    }
}

/// A running demo mailbox.
pub struct DemoMailbox {
    pub server: FakeGmail,
    pub endpoint: GmailEndpoint,
}

impl DemoMailbox {
    pub async fn start(settings: &DemoSettings) -> Result<Self, AppError> {
        let server = FakeGmail::start(settings.fake_config())
            .await
            .map_err(|e| AppError::internal(format!("cannot start the demo mailbox: {e}")))?;
        let endpoint = GmailEndpoint::custom(&server.base_url())
            .map_err(|e| AppError::internal(e.to_string()))?;
        Ok(Self { server, endpoint })
    }
}
