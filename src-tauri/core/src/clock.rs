//! Time as an injected dependency, so tests can move it and the ledger stays deterministic.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::boot::{self, BootReading};

/// Milliseconds since the Unix epoch, as stored in the ledger.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;

    /// The host's boot clock, when there is one: staleness between processes of one boot is
    /// judged on it. `None` keeps the wall-clock rule.
    fn boot(&self) -> Option<BootReading> {
        None
    }

    /// A clock that only moves forward at the pace of real time (ms from any origin): the
    /// owner's self-fencing deadline runs on it, so a wall-clock step cannot fire it early
    /// or hold it back.
    fn steady_ms(&self) -> i64 {
        self.now_ms()
    }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    fn boot(&self) -> Option<BootReading> {
        boot::now()
    }

    fn steady_ms(&self) -> i64 {
        // The boot clock counts suspend, so an owner that slept past its deadline fences
        // itself on waking; without one, the process's monotonic clock.
        match boot::now() {
            Some(reading) => reading.ms,
            None => {
                static ORIGIN: OnceLock<Instant> = OnceLock::new();
                ORIGIN.get_or_init(Instant::now).elapsed().as_millis() as i64
            }
        }
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self(Arc::new(AtomicI64::new(start_ms)))
    }

    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
