//! The sync engine: Gmail into SQLite under the ledger's lease — resumable, quota-aware,
//! fenced, with progress and cooperative cancellation.
mod calls;
mod engine;
mod failure;
mod mailstore;
mod options;
mod quota;
pub mod search;
mod source;

pub use crate::words::SyncKind;
pub use calls::request;
pub use engine::{run_sync, run_sync_notify, SyncSummary};
pub use mailstore::{
    LabelView, MailCounts, MailStore, MessageHeaders, MessageSummary, StoredAttachment, StoredLink,
    StoredMessage, ThreadFacts, Total, COUNTED_UP_TO, MAX_THREAD_MESSAGES,
};
pub use options::SyncOptions;
pub use quota::QuotaBucket;
pub use source::{
    Change, HistoryPage, Label, MailSource, MessagePage, Method, Profile, RawMessage, SourceError,
};
