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
        | SourceError::Protocol(_)
        | SourceError::NotFound(_) => ("GmailError", ErrorTag::Gmail),
        // A message past the cap is skipped where it is fetched; one that ends the run is
        // an answer the sync cannot go on without (the profile, the label list).
        SourceError::TooLarge { .. } => ("TooLarge", ErrorTag::TooLarge),
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

/// Gmail answered without moving on (a page token seen before, more pages than the mailbox
/// can fill): the sync stops rather than asking forever.
pub(crate) fn gmail_loop(what: impl std::fmt::Display) -> RunFailure {
    RunFailure::new(
        "GmailLoop",
        format!("Gmail kept answering without moving on: {what}; the sync stopped itself, and the mail fetched so far is kept"),
        ErrorTag::GmailLoop,
    )
}

/// Everything was synced except messages over the size cap, which were recorded (with a
/// defect saying why) but not downloaded.
pub(crate) fn too_large(count: i64, limit_mb: u64) -> RunFailure {
    let messages = if count == 1 {
        "1 message was".to_owned()
    } else {
        format!("{count} messages were")
    };
    RunFailure::new(
        "TooLarge",
        format!("{messages} larger than {limit_mb} MB and not downloaded (open them in Gmail); everything else was synced"),
        ErrorTag::TooLarge,
    )
}

pub(crate) fn internal(message: impl Into<String>) -> RunFailure {
    RunFailure::new("InternalError", message, ErrorTag::Internal)
}
