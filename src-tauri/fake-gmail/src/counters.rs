//! Request counters the tests assert on: per endpoint, and per kind of refusal.

use std::sync::atomic::{AtomicU64, Ordering};

/// What the server answered so far; a snapshot from [`crate::FakeHandle::counts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Every HTTP request, token endpoint included.
    pub requests: u64,
    pub profile: u64,
    pub labels_list: u64,
    pub labels_get: u64,
    pub messages_list: u64,
    pub messages_get: u64,
    pub attachments_get: u64,
    pub history_list: u64,
    /// Requests to the batch endpoint (each of their parts also counts as its own method).
    pub batch: u64,
    pub token: u64,
    /// Requests to the consent endpoint `GET /o/oauth2/auth`.
    pub authorize: u64,
    /// Requests to `POST /revoke`.
    pub revoke: u64,
    /// Answers refusing a request over the quota (429 `rateLimitExceeded` or 403 `userRateLimitExceeded`).
    pub rate_limited: u64,
    /// 401 answers.
    pub unauthorized: u64,
    /// Injected 500/503 answers and corrupted bodies.
    pub injected_faults: u64,
    /// Quota units charged to requests that were let through.
    pub quota_units: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub profile: AtomicU64,
    pub labels_list: AtomicU64,
    pub labels_get: AtomicU64,
    pub messages_list: AtomicU64,
    pub messages_get: AtomicU64,
    pub attachments_get: AtomicU64,
    pub history_list: AtomicU64,
    pub batch: AtomicU64,
    pub token: AtomicU64,
    pub authorize: AtomicU64,
    pub revoke: AtomicU64,
    pub rate_limited: AtomicU64,
    pub unauthorized: AtomicU64,
    pub injected_faults: AtomicU64,
    pub quota_units: AtomicU64,
}

pub(crate) fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> RequestCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        RequestCounts {
            requests: get(&self.requests),
            profile: get(&self.profile),
            labels_list: get(&self.labels_list),
            labels_get: get(&self.labels_get),
            messages_list: get(&self.messages_list),
            messages_get: get(&self.messages_get),
            attachments_get: get(&self.attachments_get),
            history_list: get(&self.history_list),
            batch: get(&self.batch),
            token: get(&self.token),
            authorize: get(&self.authorize),
            revoke: get(&self.revoke),
            rate_limited: get(&self.rate_limited),
            unauthorized: get(&self.unauthorized),
            injected_faults: get(&self.injected_faults),
            quota_units: get(&self.quota_units),
        }
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.requests,
            &self.profile,
            &self.labels_list,
            &self.labels_get,
            &self.messages_list,
            &self.messages_get,
            &self.attachments_get,
            &self.history_list,
            &self.batch,
            &self.token,
            &self.authorize,
            &self.revoke,
            &self.rate_limited,
            &self.unauthorized,
            &self.injected_faults,
            &self.quota_units,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}
