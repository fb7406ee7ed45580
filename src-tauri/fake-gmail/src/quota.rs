//! Gmail's per-user quota: a token bucket of quota units refilled every second, charged per method.

use std::time::Duration;

/// The most one request can cost; the bucket always holds at least this much so every method can run.
const MAX_COST: f64 = 5.0;

#[derive(Debug)]
pub(crate) struct QuotaBucket {
    units_per_sec: Option<u32>,
    available: f64,
    last: Duration,
}

impl QuotaBucket {
    pub(crate) fn new(units_per_sec: Option<u32>, now: Duration) -> Self {
        let mut bucket = Self {
            units_per_sec,
            available: 0.0,
            last: now,
        };
        bucket.available = bucket.capacity();
        bucket
    }

    /// One second's worth: Gmail averages its per-user limit over about a second, so a full
    /// second of burst is what a client may spend at once.
    fn capacity(&self) -> f64 {
        self.units_per_sec
            .map(|r| f64::from(r).max(MAX_COST))
            .unwrap_or(f64::INFINITY)
    }

    pub(crate) fn set_rate(&mut self, units_per_sec: Option<u32>, now: Duration) {
        self.refill(now);
        self.units_per_sec = units_per_sec;
        self.available = self.available.min(self.capacity());
        if !self.available.is_finite() {
            self.available = self.capacity();
        }
    }

    fn refill(&mut self, now: Duration) {
        let elapsed = now.saturating_sub(self.last).as_secs_f64();
        self.last = self.last.max(now);
        if let Some(rate) = self.units_per_sec {
            self.available = (self.available + elapsed * f64::from(rate)).min(self.capacity());
        }
    }

    /// How long until `units` are there (zero when they already are).
    pub(crate) fn wait_for(&mut self, units: u32, now: Duration) -> Duration {
        let Some(rate) = self.units_per_sec.filter(|r| *r > 0) else {
            return Duration::ZERO;
        };
        self.refill(now);
        let missing = (f64::from(units) - self.available).max(0.0);
        Duration::from_secs_f64(missing / f64::from(rate))
    }

    /// Takes `units` if they are there; a refused request takes nothing.
    pub(crate) fn try_charge(&mut self, units: u32, now: Duration) -> bool {
        if self.units_per_sec.is_none() {
            return true;
        }
        self.refill(now);
        let units = f64::from(units);
        if self.available + 1e-9 >= units {
            self.available -= units;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_beyond_a_second_of_burst_then_refills() {
        let mut bucket = QuotaBucket::new(Some(10), Duration::ZERO);
        assert!(
            bucket.try_charge(5, Duration::ZERO),
            "first half of the burst"
        );
        assert!(
            bucket.try_charge(5, Duration::ZERO),
            "second half of the burst"
        );
        assert!(!bucket.try_charge(5, Duration::ZERO), "burst spent");
        assert!(
            bucket.try_charge(5, Duration::from_millis(500)),
            "half a second refills 5 units"
        );
        let mut open = QuotaBucket::new(None, Duration::ZERO);
        assert!(
            (0..10_000).all(|_| open.try_charge(5, Duration::ZERO)),
            "no quota means no limit"
        );
    }
}
