//! Authorization codes and refresh tokens: what the consent endpoint hands out, what the token
//! endpoint redeems and refreshes with, and what `/revoke` takes back.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::config::OAuthClient;
use crate::errors::OAuthError;
use crate::pkce;
use crate::rng::{SeededRng, Stream};

/// How long an authorization code can be exchanged, as Google's (10 minutes of the fake clock).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// What the consent endpoint was asked, remembered with the code it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// The S256 `code_challenge`.
    pub code_challenge: String,
    pub scope: String,
}

#[derive(Debug)]
struct IssuedCode {
    request: CodeRequest,
    expires: Duration,
    redeemed: bool,
}

/// What a `grant_type=authorization_code` request presents (client credentials already checked).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exchange<'a> {
    pub code: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

/// A successful code exchange: the new refresh token and the scope the user consented to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redeemed {
    pub refresh_token: String,
    pub scope: String,
}

#[derive(Debug)]
struct RefreshGrant {
    client_id: String,
    scope: String,
    revoked: bool,
}

#[derive(Debug)]
pub(crate) struct GrantBook {
    codes: HashMap<String, IssuedCode>,
    refresh: HashMap<String, RefreshGrant>,
    /// Configured refresh tokens ([`OAuthClient::refresh_token`]) that were revoked.
    revoked_configured: HashSet<String>,
    codes_minted: u64,
    refresh_minted: u64,
    seed: u64,
    /// Every code and refresh token handed out, in order.
    handed_out: Vec<String>,
}

impl GrantBook {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            codes: HashMap::new(),
            refresh: HashMap::new(),
            revoked_configured: HashSet::new(),
            codes_minted: 0,
            refresh_minted: 0,
            seed,
            handed_out: Vec::new(),
        }
    }

    /// A new single-use code (`4/fake-<n>-<16 hex>`) for `request`, valid for [`CODE_LIFETIME`] from `now`.
    pub(crate) fn issue_code(&mut self, request: CodeRequest, now: Duration) -> String {
        self.codes_minted += 1;
        let mut rng = SeededRng::derive(self.seed, Stream::AuthCode, self.codes_minted);
        let code = format!("4/fake-{}-{:016x}", self.codes_minted, rng.next_u64());
        // Forget codes long past expiry; recently used ones stay to answer "already redeemed".
        self.codes
            .retain(|_, issued| issued.expires + Duration::from_secs(3600) > now);
        self.codes.insert(
            code.clone(),
            IssuedCode {
                request,
                expires: now + CODE_LIFETIME,
                redeemed: false,
            },
        );
        self.handed_out.push(code.clone());
        code
    }

    /// Checks an exchange against its code and, if it holds, uses the code up and mints a refresh
    /// token. A refused exchange leaves the code as it was.
    pub(crate) fn redeem(
        &mut self,
        exchange: Exchange<'_>,
        now: Duration,
    ) -> Result<Redeemed, OAuthError> {
        let malformed = || OAuthError::invalid_grant("Malformed auth code.");
        let issued = self.codes.get(exchange.code).ok_or_else(malformed)?;
        if issued.redeemed {
            return Err(OAuthError::invalid_grant("Code was already redeemed."));
        }
        if now >= issued.expires {
            return Err(malformed());
        }
        let request = &issued.request;
        if request.client_id != exchange.client_id {
            return Err(OAuthError::invalid_grant(
                "The code was issued to another client.",
            ));
        }
        match exchange.redirect_uri {
            None => {
                return Err(OAuthError::invalid_request(
                    "Missing parameter: redirect_uri",
                ))
            }
            Some(uri) if uri != request.redirect_uri => {
                return Err(OAuthError::redirect_uri_mismatch())
            }
            Some(_) => {}
        }
        let verifier = exchange
            .code_verifier
            .ok_or_else(|| OAuthError::invalid_grant("Missing code verifier."))?;
        if !pkce::well_formed(verifier) {
            return Err(OAuthError::invalid_request(
                "Invalid code_verifier: it must be 43 to 128 characters of [A-Za-z0-9-._~].",
            ));
        }
        if pkce::s256(verifier) != request.code_challenge {
            return Err(OAuthError::invalid_grant("Invalid code verifier."));
        }
        let client_id = request.client_id.clone();
        let scope = request.scope.clone();
        if let Some(issued) = self.codes.get_mut(exchange.code) {
            issued.redeemed = true;
        }
        let refresh_token = self.mint_refresh(client_id, scope.clone());
        Ok(Redeemed {
            refresh_token,
            scope,
        })
    }

    /// A new refresh token (`1//fake-refresh-<n>-<16 hex>`).
    fn mint_refresh(&mut self, client_id: String, scope: String) -> String {
        self.refresh_minted += 1;
        let mut rng = SeededRng::derive(self.seed, Stream::RefreshToken, self.refresh_minted);
        let token = format!(
            "1//fake-refresh-{}-{:016x}",
            self.refresh_minted,
            rng.next_u64()
        );
        self.refresh.insert(
            token.clone(),
            RefreshGrant {
                client_id,
                scope,
                revoked: false,
            },
        );
        self.handed_out.push(token.clone());
        token
    }

    /// The scope a refresh grant with `token` is answered with, or why it is refused. Accepts the
    /// configured refresh token of `oauth` and every minted one, unless revoked.
    pub(crate) fn refresh_scope(
        &self,
        token: &str,
        oauth: &OAuthClient,
    ) -> Result<String, OAuthError> {
        let revoked = || OAuthError::invalid_grant("Token has been expired or revoked.");
        if token == oauth.refresh_token {
            return match self.revoked_configured.contains(token) {
                true => Err(revoked()),
                false => Ok(oauth.scope.clone()),
            };
        }
        match self.refresh.get(token) {
            Some(grant) if grant.revoked => Err(revoked()),
            Some(grant) if grant.client_id != oauth.client_id => {
                Err(OAuthError::unauthorized_client())
            }
            Some(grant) => Ok(grant.scope.clone()),
            None => Err(revoked()),
        }
    }

    /// Revokes one refresh token (minted, or the configured `configured`); false if it was not a
    /// live refresh token.
    pub(crate) fn revoke_refresh(&mut self, token: &str, configured: &str) -> bool {
        if token == configured {
            return self.revoked_configured.insert(token.to_string());
        }
        match self.refresh.get_mut(token) {
            Some(grant) if !grant.revoked => {
                grant.revoked = true;
                true
            }
            _ => false,
        }
    }

    /// Revokes every refresh token, the configured `configured` included.
    pub(crate) fn revoke_all(&mut self, configured: &str) {
        self.revoked_configured.insert(configured.to_string());
        for grant in self.refresh.values_mut() {
            grant.revoked = true;
        }
    }

    /// Every code and refresh token handed out so far, in order.
    pub(crate) fn handed_out(&self) -> &[String] {
        &self.handed_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn request() -> CodeRequest {
        CodeRequest {
            client_id: "client".into(),
            redirect_uri: "http://127.0.0.1:9/cb".into(),
            code_challenge: pkce::s256(VERIFIER),
            scope: "s".into(),
        }
    }

    fn exchange(code: &str) -> Exchange<'_> {
        Exchange {
            code,
            client_id: "client",
            redirect_uri: Some("http://127.0.0.1:9/cb"),
            code_verifier: Some(VERIFIER),
        }
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let mut book = GrantBook::new(3);
        let code = book.issue_code(request(), Duration::ZERO);
        assert!(code.starts_with("4/fake-1-"), "code format: {code}");
        let redeemed = book
            .redeem(exchange(&code), Duration::from_secs(1))
            .expect("a fresh code redeems");
        assert!(
            redeemed.refresh_token.starts_with("1//fake-refresh-1-"),
            "refresh token format: {}",
            redeemed.refresh_token
        );
        let again = book.redeem(exchange(&code), Duration::from_secs(2));
        assert_eq!(
            again.map_err(|e| e.description),
            Err("Code was already redeemed.".to_string()),
            "a code works once"
        );

        let late = book.issue_code(request(), Duration::ZERO);
        let expired = book.redeem(exchange(&late), CODE_LIFETIME);
        assert_eq!(
            expired.map_err(|e| e.description),
            Err("Malformed auth code.".to_string()),
            "a code is dead at ten minutes"
        );
    }

    #[test]
    fn revoked_refresh_tokens_are_refused() {
        let mut book = GrantBook::new(3);
        let oauth = OAuthClient {
            client_id: "client".into(),
            ..OAuthClient::default()
        };
        let code = book.issue_code(request(), Duration::ZERO);
        let minted = book
            .redeem(exchange(&code), Duration::ZERO)
            .expect("redeems")
            .refresh_token;
        assert_eq!(book.refresh_scope(&minted, &oauth), Ok("s".into()));
        assert!(book.refresh_scope(&oauth.refresh_token, &oauth).is_ok());
        assert!(book.revoke_refresh(&minted, &oauth.refresh_token));
        assert!(
            !book.revoke_refresh(&minted, &oauth.refresh_token),
            "a second revocation finds nothing live"
        );
        assert!(book.refresh_scope(&minted, &oauth).is_err());
        book.revoke_all(&oauth.refresh_token);
        assert!(book.refresh_scope(&oauth.refresh_token, &oauth).is_err());
        assert_eq!(book.handed_out(), &[code, minted][..]);
    }
}
