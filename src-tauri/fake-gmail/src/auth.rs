//! Bearer tokens: minting them for the token endpoint, and checking the `Authorization` header of Gmail calls.

use std::collections::HashMap;
use std::time::Duration;

use crate::errors::GoogleError;
use crate::rng::{SeededRng, Stream};

/// An access token the book handed out.
#[derive(Debug)]
struct Issued {
    /// The clock time it stops working.
    expiry: Duration,
    /// The refresh token it was issued from, if any.
    refresh_token: Option<String>,
}

#[derive(Debug)]
pub(crate) struct TokenBook {
    issued: HashMap<String, Issued>,
    static_token: Option<String>,
    lifetime: Duration,
    minted: u64,
    seed: u64,
    /// Every access token minted, in order (kept after expiry, for [`crate::FakeHandle::issued_tokens`]).
    handed_out: Vec<String>,
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
            handed_out: Vec::new(),
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
        self.mint_with(now, None)
    }

    /// A new access token issued from `refresh_token`, so that revoking it takes this one down too.
    pub(crate) fn mint_from(&mut self, now: Duration, refresh_token: &str) -> String {
        self.mint_with(now, Some(refresh_token.to_string()))
    }

    fn mint_with(&mut self, now: Duration, refresh_token: Option<String>) -> String {
        self.minted += 1;
        let mut rng = SeededRng::derive(self.seed, Stream::Token, self.minted);
        let token = format!("ya29.fake-{}-{:016x}", self.minted, rng.next_u64());
        // Forget long-dead tokens so a long soak does not grow the book without bound.
        self.issued
            .retain(|_, issued| issued.expiry + Duration::from_secs(3600) > now);
        self.issued.insert(
            token.clone(),
            Issued {
                expiry: now + self.lifetime,
                refresh_token,
            },
        );
        self.handed_out.push(token.clone());
        token
    }

    /// Makes every issued token expired now (the static token stays valid).
    pub(crate) fn expire_all(&mut self, now: Duration) {
        for issued in self.issued.values_mut() {
            issued.expiry = issued.expiry.min(now);
        }
    }

    /// Makes the tokens issued from `refresh_token` expired now.
    pub(crate) fn expire_from(&mut self, refresh_token: &str, now: Duration) {
        for issued in self.issued.values_mut() {
            if issued.refresh_token.as_deref() == Some(refresh_token) {
                issued.expiry = issued.expiry.min(now);
            }
        }
    }

    /// Revokes one access token; false if it is not one that still works.
    pub(crate) fn revoke(&mut self, token: &str, now: Duration) -> bool {
        match self.issued.get_mut(token) {
            Some(issued) if now < issued.expiry => {
                issued.expiry = now;
                true
            }
            _ => false,
        }
    }

    /// Every access token minted so far, in order.
    pub(crate) fn handed_out(&self) -> &[String] {
        &self.handed_out
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
            Some(issued) if now < issued.expiry => Ok(()),
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

    #[test]
    fn revocation_by_token_and_by_refresh_token() {
        let mut book = TokenBook::new(None, Duration::from_secs(10), 1);
        let now = Duration::from_secs(1);
        let a = book.mint_from(Duration::ZERO, "r1");
        let b = book.mint_from(Duration::ZERO, "r2");
        let c = book.mint(Duration::ZERO);
        book.expire_from("r1", now);
        let works =
            |book: &TokenBook, t: &str| book.check(Some(&format!("Bearer {t}")), now).is_ok();
        assert!(!works(&book, &a), "r1's token expired with it");
        assert!(works(&book, &b), "r2's token is untouched");
        assert!(book.revoke(&c, now), "a live token revokes");
        assert!(!book.revoke(&c, now), "a dead token does not");
        assert!(!works(&book, &c), "a revoked token is refused");
        assert_eq!(
            book.handed_out(),
            &[a, b, c][..],
            "all three were handed out"
        );
    }
}
