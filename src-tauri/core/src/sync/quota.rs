//! The client side of Gmail's per-user quota: a token bucket charged in quota units, so the
//! sync paces itself at the limit instead of running into 429s.
use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Units per second with one second of burst, like Gmail's own accounting.
pub struct QuotaBucket(Option<DefaultDirectRateLimiter>);

impl QuotaBucket {
    pub fn new(units_per_sec: Option<u32>) -> Self {
        Self(
            units_per_sec
                .and_then(NonZeroU32::new)
                .map(|rate| RateLimiter::direct(Quota::per_second(rate).allow_burst(rate))),
        )
    }

    /// Waits until `units` may be spent, then spends them.
    pub async fn spend(&self, units: u32) {
        let (Some(limiter), Some(units)) = (&self.0, NonZeroU32::new(units)) else {
            return;
        };
        // A cost above the burst can never be granted; spend it one unit at a time instead.
        if limiter.until_n_ready(units).await.is_err() {
            for _ in 0..units.get() {
                limiter.until_ready().await;
            }
        }
    }
}
