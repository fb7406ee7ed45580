//! Errors as the window sees them: `{ code, message }`, where the UI branches on `code` only.
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    pub code: String,
    pub message: String,
}

impl UiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<inbox_sync_core::LedgerError> for UiError {
    fn from(e: inbox_sync_core::LedgerError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<inbox_sync_core::StoreError> for UiError {
    fn from(e: inbox_sync_core::StoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<inbox_sync_core::auth::AuthError> for UiError {
    fn from(e: inbox_sync_core::auth::AuthError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

/// Mail reads fail only on storage trouble; SQL text is never passed on.
pub fn storage(e: sqlx::Error) -> UiError {
    tracing::warn!(error = %e, "reading mail failed");
    UiError::new("storage", "the local mail database could not be read")
}
