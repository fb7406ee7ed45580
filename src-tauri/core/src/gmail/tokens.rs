//! Access tokens for Gmail requests: a fixed token, or one renewed with a refresh token
//! (OAuth 2 refresh grant) before it expires and after a 401.
//!
//! The refresh grant is done here rather than through yup-oauth2's authenticator because that
//! one hides why a refresh failed and falls back to an interactive sign-in; a sync must instead
//! tell "sign in again" (revoked token) from "offline" (network).
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::sync::SourceError;

use super::Connector;

/// A secret string that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How access tokens are obtained.
#[derive(Debug, Clone)]
pub enum TokenGrant {
    /// One token, used as is (tests).
    Fixed(Secret),
    /// The OAuth 2 refresh grant against `token_url`.
    Refresh {
        token_url: String,
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
}

/// Hands out a valid access token; cheap to clone.
#[derive(Clone)]
pub struct AccessTokens(Arc<Inner>);

struct Inner {
    grant: TokenGrant,
    http: Client<Connector, Full<Bytes>>,
    current: tokio::sync::Mutex<Option<(Secret, Instant)>>,
    timeout: Duration,
}

/// Renew this long before the token's stated expiry (less for very short-lived tokens).
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(serde::Deserialize)]
struct TokenErrorResponse {
    error: String,
    error_description: Option<String>,
}

impl AccessTokens {
    pub fn new(grant: TokenGrant, connector: Connector, timeout: Duration) -> Self {
        Self(Arc::new(Inner {
            grant,
            http: Client::builder(TokioExecutor::new()).build(connector),
            current: tokio::sync::Mutex::new(None),
            timeout,
        }))
    }

    /// A valid access token, renewing it first when needed.
    pub async fn access_token(&self) -> Result<Secret, SourceError> {
        if let TokenGrant::Fixed(token) = &self.0.grant {
            return Ok(token.clone());
        }
        let mut current = self.0.current.lock().await;
        if let Some((token, valid_until)) = current.as_ref() {
            if Instant::now() < *valid_until {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = self.refresh_grant().await?;
        let valid_until = Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN.min(lifetime / 4));
        *current = Some((token.clone(), valid_until));
        Ok(token)
    }

    /// Forgets the current token (Gmail refused it), so the next request renews it.
    pub async fn invalidate(&self) {
        *self.0.current.lock().await = None;
    }

    async fn refresh_grant(&self) -> Result<(Secret, Duration), SourceError> {
        let TokenGrant::Refresh {
            token_url,
            client_id,
            client_secret,
            refresh_token,
        } = &self.0.grant
        else {
            unreachable!("only the refresh grant renews");
        };
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", refresh_token.expose())
            .append_pair("client_id", client_id)
            .append_pair("client_secret", client_secret.expose())
            .finish();
        let request = hyper::Request::post(token_url.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| SourceError::Network(e.to_string()))?;
        let exchange = async {
            let response = self
                .0
                .http
                .request(request)
                .await
                .map_err(|e| SourceError::Network(format!("token endpoint: {e}")))?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| SourceError::Network(format!("token endpoint: {e}")))?
                .to_bytes();
            Ok::<_, SourceError>((status, body))
        };
        let (status, body) = tokio::time::timeout(self.0.timeout, exchange)
            .await
            .map_err(|_| SourceError::Timeout(self.0.timeout))??;
        if status == 200 {
            let token: TokenResponse = serde_json::from_slice(&body)
                .map_err(|_| SourceError::Malformed("the token endpoint's answer".into()))?;
            let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
            return Ok((Secret::new(token.access_token), lifetime));
        }
        // Only the error code and description are kept: they never contain the token.
        let reason = serde_json::from_slice::<TokenErrorResponse>(&body)
            .map(|e| match e.error_description {
                Some(d) => format!("{}: {d}", e.error),
                None => e.error,
            })
            .unwrap_or_else(|_| format!("HTTP {status}"));
        Err(match status {
            400 | 401 | 403 => SourceError::SignInRequired(reason),
            429 => SourceError::RateLimited {
                message: reason,
                retry_after: None,
            },
            500..=599 => SourceError::Server {
                status,
                message: reason,
            },
            _ => SourceError::Refused {
                status,
                message: reason,
            },
        })
    }
}

impl google_gmail1::common::GetToken for AccessTokens {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&str],
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Option<String>, Box<dyn std::error::Error + Send + Sync>>,
                > + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            self.access_token()
                .await
                .map(|t| Some(t.expose().to_owned()))
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
    }
}
