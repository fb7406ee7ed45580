//! Bearer tokens: minting them for the token endpoint, and checking the `Authorization` header of Gmail calls.

use std::collections::HashMap;
use std::time::Duration;

use crate::errors::GoogleError;
use crate::rng::{SeededRng, Stream};

#[derive(Debug)]
pub(crate) struct TokenBook {
    /// Access token → the clock time it stops working.
    issued: HashMap<String, Duration>,
    static_token: Option<String>,
    lifetime: Duration,
    minted: u64,
    seed: u64,
}

/// The token in `Authorization: Bearer <token>`, if the header has that form.
fn bearer(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, token) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl TokenBook {
    pub(crate) fn new(static_token: Option<String>, lifetime: Duration, seed: u64) -> Self {
        Self {
            issued: HashMap::new(),
            static_token,
            lifetime,
            minted: 0,
            seed,
        }
    }

    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    pub(crate) fn set_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    /// A new access token valid for the configured lifetime from `now`.
    pub(crate) fn mint(&mut self, now: Duration) -> String {
        self.minted += 1;
        let mut rng = SeededRng::derive(self.seed, Stream::Token, self.minted);
        let token = format!("ya29.fake-{}-{:016x}", self.minted, rng.next_u64());
        // Forget long-dead tokens so a long soak does not grow the book without bound.
        self.issued
            .retain(|_, expiry| *expiry + Duration::from_secs(3600) > now);
        self.issued.insert(token.clone(), now + self.lifetime);
        token
    }

    /// Makes every issued token expired now (the static token stays valid).
    pub(crate) fn expire_all(&mut self, now: Duration) {
        for expiry in self.issued.values_mut() {
            *expiry = now;
        }
    }

    pub(crate) fn check(
        &self,
        authorization: Option<&str>,
        now: Duration,
    ) -> Result<(), GoogleError> {
        let token = bearer(authorization).ok_or_else(GoogleError::unauthenticated)?;
        if self.static_token.as_deref() == Some(token) {
            return Ok(());
        }
        match self.issued.get(token) {
            Some(expiry) if now < *expiry => Ok(()),
            _ => Err(GoogleError::unauthenticated()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_expire() {
        let mut book = TokenBook::new(Some("static".into()), Duration::from_secs(10), 1);
        let token = book.mint(Duration::ZERO);
        let header = format!("Bearer {token}");
        assert!(
            book.check(Some(&header), Duration::from_secs(9)).is_ok(),
            "valid before its lifetime ends"
        );
        assert!(
            book.check(Some(&header), Duration::from_secs(10)).is_err(),
            "expired at its lifetime"
        );
        assert!(
            book.check(Some("bearer static"), Duration::from_secs(999))
                .is_ok(),
            "static never expires"
        );
        assert!(
            book.check(None, Duration::ZERO).is_err(),
            "no header is refused"
        );
        assert!(
            book.check(Some("Basic abc"), Duration::ZERO).is_err(),
            "other schemes are refused"
        );
    }
}
