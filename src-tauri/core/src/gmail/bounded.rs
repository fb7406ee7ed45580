//! Reading Gmail's answers with bounded memory, whatever the server sends: a size cap checked
//! while the body streams in, and a budget of bytes in flight shared by every request.
//!
//! Why this exists: `google-gmail1` hands each answer to `google-apis-common`, which collects
//! the whole body (`to_bytes`), keeps it in the returned `Response`, copies the base64 `raw` into
//! a `String` and decodes it — about three copies of whatever the server chose to send, 16 at a
//! time, with no limit. So `messages.get` (whose honest answers are large: Gmail's limit is
//! 25 MB attached, about 35 MB once base64-encoded), `messages.list` and `history.list` (which
//! a server can page through forever), and `users.getProfile` and `labels.list` (small when
//! honest, but a server may send any size) are sent here instead: through the same hub client
//! (connector, connection pool), the same access tokens, the same error classification and
//! `google-gmail1`'s own response types for the pages, but with the body read frame by frame
//! (`BodyExt::frame`) into a buffer that may never pass [`ResponseLimits::cap`], and a
//! message's `raw` decoded straight from that buffer. Wrapping the connector instead was
//! weighed and refused: it sees connection bytes, not answers (keep-alive, HTTP/2
//! multiplexing), and an error it raised would reach us as `google-apis-common`'s empty body.
//!
//! The budget, deadlock-free by construction: every answer first takes one of
//! [`ResponseLimits::slots`] small slots (each good for `small` bytes); an answer that grows
//! past `small` must also take one of the `lanes` (each good for `cap` bytes). A lane holder
//! waits on nothing but the network, so lanes always come free. Bytes of bodies in flight are
//! then at most `slots * small + lanes * cap` (the defaults: 16 * 2 MiB + 2 * 48 MiB =
//! 128 MiB), however many requests the engine runs at once; the decoded copy (3/4 of its
//! body) is held under the same permits until the message is parsed.
use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::sync::SourceError;

const MIB: u64 = 1024 * 1024;

/// How large one answer may be and how much may be in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseLimits {
    /// Largest answer read (48 MiB: above Gmail's ~35 MB encoded maximum); past it the
    /// message is not downloaded.
    pub cap: u64,
    /// What every answer may hold without a lane.
    pub small: u64,
    /// Answers reading at once (each holding up to `small`).
    pub slots: usize,
    /// Answers at once that may grow past `small`, up to `cap`.
    pub lanes: usize,
}

impl Default for ResponseLimits {
    fn default() -> Self {
        Self {
            cap: 48 * MIB,
            small: 2 * MIB,
            slots: 16,
            lanes: 2,
        }
    }
}

impl ResponseLimits {
    /// The most body bytes in flight at once.
    pub fn budget(&self) -> u64 {
        self.slots as u64 * self.small + self.lanes as u64 * self.cap
    }
}

/// The shared budget of one source.
pub(crate) struct Budget {
    limits: ResponseLimits,
    slots: Arc<Semaphore>,
    lanes: Arc<Semaphore>,
}

/// Permits held for one answer; dropping them returns its share of the budget.
pub type Held = Vec<OwnedSemaphorePermit>;

impl Budget {
    pub fn new(limits: ResponseLimits) -> Self {
        Self {
            limits,
            slots: Arc::new(Semaphore::new(limits.slots.max(1))),
            lanes: Arc::new(Semaphore::new(limits.lanes.max(1))),
        }
    }

    /// A small slot, taken before the request is sent.
    pub async fn slot(&self) -> Held {
        // The semaphores are never closed, so acquiring cannot fail.
        self.slots
            .clone()
            .acquire_owned()
            .await
            .map(|p| vec![p])
            .unwrap_or_default()
    }

    async fn lane(&self, held: &mut Held) {
        if let Ok(permit) = self.lanes.clone().acquire_owned().await {
            held.push(permit);
        }
    }

    /// Reads `body` whole, never holding more than the cap. `declared` is the answer's
    /// Content-Length, when it gave one: an answer that announces more than the cap is refused
    /// without reading it.
    pub async fn read(
        &self,
        mut body: Incoming,
        declared: Option<u64>,
        held: &mut Held,
    ) -> Result<Vec<u8>, SourceError> {
        let ResponseLimits { cap, small, .. } = self.limits;
        let too_large = || SourceError::TooLarge { limit: cap };
        if declared.is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let mut laned = false;
        if declared.is_some_and(|n| n > small) {
            self.lane(held).await;
            laned = true;
        }
        let mut buffer: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0).min(small) as usize);
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| SourceError::Network(e.to_string()))?;
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            let len = (buffer.len() + data.len()) as u64;
            if len > cap {
                return Err(too_large());
            }
            if len > small && !laned {
                self.lane(held).await;
                laned = true;
            }
            if buffer.capacity() < len as usize {
                // Grow by doubling, but never reserve past the cap.
                let want = (buffer.capacity() * 2).max(len as usize).min(cap as usize);
                buffer.reserve_exact(want - buffer.len());
            }
            buffer.extend_from_slice(&data);
        }
        Ok(buffer)
    }
}

/// Reads an error answer's body (Google's JSON error shape is small), at most `limit` bytes:
/// beyond that the rest is not needed to classify it.
pub(crate) async fn read_error(mut body: Incoming, limit: usize) -> Vec<u8> {
    let mut buffer = Vec::new();
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            let room = limit.saturating_sub(buffer.len());
            buffer.extend_from_slice(&data[..data.len().min(room)]);
            if buffer.len() >= limit {
                break;
            }
        }
    }
    buffer
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default budget is the 128 MiB the design names, and its cap is above Gmail's largest.
    #[test]
    fn default_budget() {
        let limits = ResponseLimits::default();
        assert_eq!(limits.budget(), 128 * MIB, "16 * 2 MiB + 2 * 48 MiB");
        assert!(
            limits.cap > 35 * 1000 * 1000,
            "above Gmail's ~35 MB encoded limit"
        );
    }
}
