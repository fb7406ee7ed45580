//! How a sync failure is recorded on its run: a name, a plain message and a stable tag.
use crate::error::LedgerError;
use crate::lease::RunFailure;
use crate::words::ErrorTag;

use super::SourceError;

pub(crate) fn from_source(e: &SourceError) -> RunFailure {
    let (name, tag) = match e {
        SourceError::SignInRequired(_) | SourceError::Unauthorized(_) => {
            ("AuthError", ErrorTag::Auth)
        }
        SourceError::RateLimited { .. } => ("RateLimited", ErrorTag::RateLimit),
        SourceError::Network(_) | SourceError::Timeout(_) => ("NetworkError", ErrorTag::Network),
        SourceError::Server { .. }
        | SourceError::Refused { .. }
        | SourceError::Malformed(_)
        | SourceError::NotFound(_) => ("GmailError", ErrorTag::Gmail),
    };
    RunFailure::new(name, e.to_string(), tag)
}

pub(crate) fn from_ledger(e: &LedgerError) -> RunFailure {
    let name = match e {
        LedgerError::LeaseLost { .. } => "LeaseLost",
        LedgerError::Store(_) => "StorageError",
    };
    RunFailure::new(name, e.to_string(), e.tag())
}

pub(crate) fn from_sqlx(e: sqlx::Error, path: &std::path::Path) -> RunFailure {
    from_ledger(&LedgerError::Store(crate::error::StoreError::classify(
        e, path,
    )))
}

pub(crate) fn stalled(after: std::time::Duration) -> RunFailure {
    RunFailure::new(
        "Stalled",
        format!(
            "the sync made no progress for {} s and was stopped",
            after.as_secs()
        ),
        ErrorTag::Stalled,
    )
}

pub(crate) fn internal(message: impl Into<String>) -> RunFailure {
    RunFailure::new("InternalError", message, ErrorTag::Internal)
}
