//! The shell's one error: `{ code, message }`. The command line prints it as
//! `inbox-sync: error: <message> [<code>]`, the window receives it as JSON; both branch on
//! `code` only. Core errors map into it here, once; no SQL text or token ever reaches it.
use inbox_sync_core::auth::AuthError;
use inbox_sync_core::{LedgerError, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message} [{code}]")]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// Prints the error the one way the terminal shows errors —
    /// `inbox-sync: error: <message> [<code>]` — and returns the exit code for it, 1.
    pub fn report(&self) -> i32 {
        eprintln!("inbox-sync: error: {} [{}]", self.message, self.code);
        1
    }

    /// A bad setting or argument (a demo variable, a server address).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new("config", message)
    }

    /// Something that should not happen, said plainly.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", message)
    }
}

/// Core errors carry their own stable code and a message fit for people.
macro_rules! from_coded {
    ($($source:ty),+) => {$(
        impl From<$source> for AppError {
            fn from(e: $source) -> Self {
                Self::new(e.code(), e.to_string())
            }
        }
    )+};
}

from_coded!(LedgerError, StoreError, AuthError);
