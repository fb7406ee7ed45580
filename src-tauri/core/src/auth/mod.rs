//! Signing in to Google as an installed app (RFC 8252): the user's own OAuth client, the
//! system browser, a one-shot loopback redirect listener, PKCE S256 and a checked `state`;
//! then keeping the refresh token in the OS keyring (or a 0600 file) and the non-secret
//! account record beside the database.
mod account;
mod client;
mod flow;
mod loopback;
mod vault;

use std::time::Duration;

pub use account::{account_folder, AccountRecord, Accounts, Disconnected, ACCOUNTS_DIR};
pub use client::OAuthClientConfig;
pub use flow::{exchange_code, revoke_token, PendingSignIn, SignedIn};
pub use loopback::{Loopback, CALLBACK_PATH};
pub use vault::{Credentials, TokenStoreKind, Vault, VaultPreference};

/// The one scope Inbox Sync asks for: read the mailbox, nothing else.
pub const GMAIL_READONLY: &str = "https://www.googleapis.com/auth/gmail.readonly";

/// Why signing in, or the saved sign-in, failed. Messages never contain a token.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The client secret file is missing, unreadable or not a Desktop-app client.
    #[error("{0}")]
    ClientSecret(String),
    /// Nobody finished the sign-in in the browser in time.
    #[error("no sign-in answer arrived from the browser within {} s; sign-in stopped", .0.as_secs())]
    Timeout(Duration),
    /// The answer was refused: wrong state, wrong host, access denied, code rejected…
    #[error("{0}")]
    Refused(String),
    #[error("sign-in was cancelled")]
    Cancelled,
    #[error("{0}")]
    Network(String),
    /// The OS keyring failed in a way that is not just "there is none".
    #[error("{0}")]
    Keyring(String),
    /// A file in the data directory could not be read or written.
    #[error("{0}")]
    Storage(String),
    /// No such account is connected (the message says which are).
    #[error("{0}")]
    NotConnected(String),
    /// The saved sign-in no longer works (revoked, expired, credentials gone).
    #[error("{0}")]
    SignInRequired(String),
}

impl AuthError {
    /// The stable code shown after the message (`[code]`) and sent to the window.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ClientSecret(_) => "clientSecret",
            Self::Timeout(_) => "signInTimeout",
            Self::Refused(_) => "signInRefused",
            Self::Cancelled => "signInCancelled",
            Self::Network(_) => "network",
            Self::Keyring(_) => "keyring",
            Self::Storage(_) => "storage",
            Self::NotConnected(_) => "notConnected",
            Self::SignInRequired(_) => "auth",
        }
    }
}
