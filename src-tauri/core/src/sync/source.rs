//! What the sync engine needs from a mailbox (`MailSource`), in Gmail's terms, and how a
//! request to it can fail.
use std::future::Future;
use std::time::Duration;

/// The mailbox's identity and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub email_address: String,
    pub messages_total: u64,
    pub history_id: u64,
}

/// One page of `messages.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessagePage {
    pub ids: Vec<String>,
    pub next_page_token: Option<String>,
    pub result_size_estimate: Option<u64>,
}

/// One message as `messages.get?format=raw` returns it.
#[derive(Debug)]
pub struct RawMessage {
    pub id: String,
    pub thread_id: String,
    pub label_ids: Vec<String>,
    pub history_id: Option<u64>,
    pub internal_date_ms: Option<i64>,
    pub size_estimate: Option<i64>,
    pub raw: Vec<u8>,
    /// The share of the source's memory budget this message was read under; dropped (given
    /// back) once the message is parsed and `raw` is gone.
    pub held: Vec<tokio::sync::OwnedSemaphorePermit>,
}

/// A change reported by `history.list`, flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        id: String,
    },
    Deleted {
        id: String,
    },
    /// The message's full label set after the change.
    Labels {
        id: String,
        label_ids: Vec<String>,
    },
}

/// One page of `history.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryPage {
    pub changes: Vec<Change>,
    pub history_id: u64,
    pub next_page_token: Option<String>,
}

/// Why a request failed, in the terms that decide what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The message or history position does not exist (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// Quota exceeded (429, or 403 with a rate-limit reason): wait and retry.
    #[error("Gmail quota exceeded: {message}")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The access token was refused (401).
    #[error("Gmail refused the access token: {0}")]
    Unauthorized(String),
    /// Sign-in is needed again: the refresh token was revoked or has expired.
    #[error("Gmail access was revoked or has expired; sign in again ({0})")]
    SignInRequired(String),
    /// Gmail had trouble (5xx): retry.
    #[error("Gmail had a temporary problem ({status}): {message}")]
    Server { status: u16, message: String },
    /// Gmail refused the request for good (4xx other than the above).
    #[error("Gmail refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// The connection failed or broke: retry.
    #[error("network problem talking to Gmail: {0}")]
    Network(String),
    /// No answer within the request timeout: retry.
    #[error("Gmail did not answer within {0:?}")]
    Timeout(Duration),
    /// The answer could not be understood (cut short, not JSON): retry.
    #[error("Gmail's answer could not be read: {0}")]
    Malformed(String),
    /// The answer broke Gmail's protocol (an id outside Gmail's alphabet, …): not retried.
    #[error("{0}")]
    Protocol(String),
    /// The answer was larger than the client reads; the rest was not downloaded.
    #[error("Gmail's answer was larger than {} MB and was not downloaded", limit / (1024 * 1024))]
    TooLarge { limit: u64 },
}

impl SourceError {
    /// Worth trying again after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Network(_)
                | Self::Timeout(_)
                | Self::Malformed(_)
        )
    }
}

/// A Gmail label: a system one (INBOX, SENT, UNREAD, STARRED, …) or the user's own, whose
/// name may be nested with `/` (`Work/Clients`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    pub id: String,
    pub name: String,
    /// Gmail's `Label.type`: `system` or `user`.
    pub kind: String,
    pub text_color: Option<String>,
    pub background_color: Option<String>,
}

/// Gmail's quota cost of each method, in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Profile,
    Labels,
    List,
    Get,
    History,
    /// An attachment's bytes: `messages.get?format=full` to find the part, then
    /// `messages.attachments.get` (5 units each).
    Attachment,
}

impl Method {
    pub fn units(self) -> u32 {
        match self {
            Self::Profile | Self::Labels => 1,
            Self::List | Self::Get => 5,
            Self::History => 2,
            Self::Attachment => 10,
        }
    }
}

/// A mailbox the engine can sync from. Implemented over Gmail's REST API; the engine adds
/// quota, retries, timeouts and fencing around it.
pub trait MailSource: Send + Sync + 'static {
    fn profile(&self) -> impl Future<Output = Result<Profile, SourceError>> + Send;
    /// Every label of the mailbox (`users.labels.list`).
    fn labels(&self) -> impl Future<Output = Result<Vec<Label>, SourceError>> + Send;
    fn list(
        &self,
        page_token: Option<String>,
        page_size: u32,
    ) -> impl Future<Output = Result<MessagePage, SourceError>> + Send;
    fn get_raw(&self, id: String) -> impl Future<Output = Result<RawMessage, SourceError>> + Send;
    fn history(
        &self,
        start_history_id: u64,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<HistoryPage, SourceError>> + Send;
    /// Drops the cached access token so the next request gets a fresh one (after a 401).
    fn refresh_auth(&self) -> impl Future<Output = Result<(), SourceError>> + Send;
}
