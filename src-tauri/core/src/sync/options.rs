//! The engine's knobs, with defaults that suit Gmail's published limits.
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Messages per `messages.list` page (Gmail allows up to 500).
    pub page_size: u32,
    /// `messages.get` requests in flight at once.
    pub concurrency: usize,
    /// Messages per write transaction.
    pub batch_size: usize,
    /// Longest wait for one request.
    pub request_timeout: Duration,
    /// A run that makes no progress for this long ends `error` / `stalled`.
    pub stall_after: Duration,
    /// The per-user quota in Gmail units per second; `None` means no client-side limit.
    pub quota_units_per_sec: Option<u32>,
    /// Attempts per request on transient failures (429, 5xx, network, timeouts).
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Seeds the retry jitter, so tests are repeatable.
    pub jitter_seed: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            page_size: 500,
            concurrency: 16,
            batch_size: 100,
            request_timeout: Duration::from_secs(30),
            stall_after: Duration::from_secs(300),
            quota_units_per_sec: Some(250),
            max_attempts: 10,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(32),
            jitter_seed: 0x5eed,
        }
    }
}
