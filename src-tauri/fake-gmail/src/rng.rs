//! Seeded pseudo-random numbers (SplitMix64): the same seed gives the same mailbox in every process.

/// Scrambles one 64-bit value into another; the SplitMix64 finaliser.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Independent random streams keyed by purpose so that changing how one message
/// is drawn never shifts the draws of another.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Message = 1,
    LargeSlot = 2,
    MalformedSlot = 3,
    Fault = 4,
    Token = 5,
    AuthCode = 6,
    RefreshToken = 7,
}

#[derive(Debug, Clone)]
pub(crate) struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: mix(seed) }
    }

    /// A generator for one (stream, index) pair of a seed.
    pub(crate) fn derive(seed: u64, stream: Stream, index: u64) -> Self {
        let key = mix(seed) ^ mix((stream as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix(index));
        Self::new(key)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.state)
    }

    /// Uniform in `0..n`; `n == 0` yields 0 rather than panicking.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of a list of words (a `pick` that needs no deref at the call site).
    pub(crate) fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len() as u64) as usize]
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let a: Vec<u64> = (0..5).map(|_| SeededRng::new(7).next_u64()).collect();
        assert!(
            a.windows(2).all(|w| w[0] == w[1]),
            "a fresh rng of one seed repeats"
        );
        let mut x = SeededRng::derive(7, Stream::Message, 3);
        let mut y = SeededRng::derive(7, Stream::Message, 4);
        assert_ne!(x.next_u64(), y.next_u64(), "indices give distinct streams");
    }
}
