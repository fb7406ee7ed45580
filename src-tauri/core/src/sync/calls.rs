//! Every request to the mailbox goes through here: quota first, a timeout, retries with
//! capped and jittered backoff on transient failures (the run showing `throttled` meanwhile),
//! one token refresh on a 401, and the pulse the engine beats when the sync moves forward
//! (an answered request is not progress: a server can answer forever without moving on).
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{MailSource, Method, QuotaBucket, SourceError, SyncOptions};

/// When the sync last moved forward (a new message fetched, a cursor committed, history
/// changes applied); the watchdog reads it.
pub(crate) struct Pulse {
    origin: Instant,
    last_ms: AtomicU64,
}

impl Pulse {
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    pub fn beat(&self) {
        let now = self.origin.elapsed().as_millis() as u64;
        self.last_ms.fetch_max(now, Ordering::SeqCst);
    }

    pub fn silent_for(&self) -> Duration {
        let now = self.origin.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::SeqCst)))
    }
}

/// Told when requests start and stop waiting on the quota, so the run can say so.
pub(crate) trait ThrottleSignal: Send + Sync {
    fn throttled(&self, waiting: bool);
}

/// Request counters for the summary and the benchmarks.
#[derive(Debug, Default)]
pub(crate) struct CallStats {
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    pub retries: AtomicU64,
}

pub(crate) struct Calls<S> {
    pub source: Arc<S>,
    quota: Arc<QuotaBucket>,
    options: SyncOptions,
    jitter: Mutex<fastrand::Rng>,
    pub pulse: Pulse,
    pub stats: CallStats,
    signal: Arc<dyn ThrottleSignal>,
}

impl<S: MailSource> Calls<S> {
    pub fn new(source: Arc<S>, options: SyncOptions, signal: Arc<dyn ThrottleSignal>) -> Self {
        let quota = Arc::new(QuotaBucket::new(options.quota_units_per_sec));
        Self::sharing(source, options, signal, quota)
    }

    /// Like [`Calls::new`], spending from a bucket other requests to the mailbox share.
    pub fn sharing(
        source: Arc<S>,
        options: SyncOptions,
        signal: Arc<dyn ThrottleSignal>,
        quota: Arc<QuotaBucket>,
    ) -> Self {
        Self {
            source,
            quota,
            jitter: Mutex::new(fastrand::Rng::with_seed(options.jitter_seed)),
            options,
            pulse: Pulse::new(),
            stats: CallStats::default(),
            signal,
        }
    }

    /// Runs `op` as a `method` request with quota, timeout, retries and one auth refresh.
    pub async fn run<T, F, Fut>(&self, method: Method, op: F) -> Result<T, SourceError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SourceError>>,
    {
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            self.quota.spend(method.units()).await;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let result = match tokio::time::timeout(self.options.request_timeout, op()).await {
                Ok(result) => result,
                Err(_) => Err(SourceError::Timeout(self.options.request_timeout)),
            };
            let error = match result {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            match error {
                SourceError::Unauthorized(_) if !refreshed => {
                    refreshed = true;
                    self.source.refresh_auth().await?;
                }
                e if e.is_transient() && attempt + 1 < self.options.max_attempts => {
                    attempt += 1;
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    let limited = matches!(e, SourceError::RateLimited { .. });
                    if limited {
                        self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                        self.signal.throttled(true);
                    }
                    // Never before the instant the server named, and never sooner than the
                    // growing, jittered backoff: requests refused together must not all come
                    // back together at that instant.
                    let pause = match &e {
                        SourceError::RateLimited {
                            retry_after: Some(after),
                            ..
                        } => (*after).max(self.backoff(attempt)),
                        _ => self.backoff(attempt),
                    };
                    tracing::debug!(?method, attempt, ?pause, error = %e, "retrying");
                    tokio::time::sleep(pause).await;
                    if limited {
                        self.signal.throttled(false);
                    }
                }
                e => return Err(e),
            }
        }
    }

    /// "Equal jitter" over an exponential ceiling: between half and all of
    /// `min(cap, base * 2^attempt)`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .options
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.options.backoff_cap);
        let fraction = self.jitter.lock().unwrap_or_else(|e| e.into_inner()).f64();
        // Never zero: a storm of immediate retries is what backoff is for.
        ceiling.mul_f64(0.5 + fraction / 2.0)
    }
}

/// Nobody to tell about throttling: a request made outside a sync run.
struct Unwatched;

impl ThrottleSignal for Unwatched {
    fn throttled(&self, _waiting: bool) {}
}

/// Makes one request outside a sync (an attachment the reader asked for) the way the sync makes
/// its own: `method`'s units spent from `quota` first (share one bucket per mailbox so such
/// requests pace together), each attempt bounded by `options.request_timeout`, transient
/// failures (429, Gmail's 403 rate-limit form, 5xx, network, timeouts) retried up to
/// `options.max_attempts` times with the sync's capped, jittered backoff or the server's
/// Retry-After, and one token refresh on a 401.
pub async fn request<S, T, F, Fut>(
    source: Arc<S>,
    options: SyncOptions,
    quota: Arc<QuotaBucket>,
    method: Method,
    op: F,
) -> Result<T, SourceError>
where
    S: MailSource,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SourceError>>,
{
    Calls::sharing(source, options, Arc::new(Unwatched), quota)
        .run(method, op)
        .await
}
