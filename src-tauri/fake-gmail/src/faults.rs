//! Injected faults: which request gets a 500, a 503 or a broken body, drawn from the seed and the request number.

use crate::config::FaultRates;
use crate::rng::{SeededRng, Stream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Internal,
    Unavailable,
    /// 200 with the JSON cut in half (Content-Length matches the cut body).
    CutJson,
    /// 200 whose body stops mid-way: the connection is dropped before Content-Length bytes arrive.
    AbortedBody,
    /// 200 with an HTML page instead of JSON, as a misbehaving proxy sends.
    NotJson,
}

/// The fault for the `request_no`-th Gmail request, if any.
pub(crate) fn roll(seed: u64, request_no: u64, rates: &FaultRates) -> Option<Fault> {
    let total = rates.internal + rates.unavailable + rates.corrupt_body;
    if total <= 0.0 {
        return None;
    }
    let mut rng = SeededRng::derive(seed, Stream::Fault, request_no);
    let u = rng.unit();
    if u < rates.internal {
        Some(Fault::Internal)
    } else if u < rates.internal + rates.unavailable {
        Some(Fault::Unavailable)
    } else if u < total {
        Some(*rng.pick(&[Fault::CutJson, Fault::AbortedBody, Fault::NotJson]))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_roughly_honoured_and_repeatable() {
        let rates = FaultRates {
            internal: 0.1,
            unavailable: 0.1,
            corrupt_body: 0.0,
        };
        let draws: Vec<_> = (0..10_000).map(|n| roll(3, n, &rates)).collect();
        let faults = draws.iter().filter(|f| f.is_some()).count();
        assert!(
            (1_700..2_300).contains(&faults),
            "about 20% faulted, got {faults}"
        );
        let again: Vec<_> = (0..10_000).map(|n| roll(3, n, &rates)).collect();
        assert_eq!(draws, again, "same seed and numbers give the same faults");
    }
}
