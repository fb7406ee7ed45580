//! The authorization-code flow with PKCE, on the `oauth2` crate: the authorization URL, the
//! wait for the browser's answer, the code exchange, and token revocation.
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use oauth2::basic::{BasicClient, BasicErrorResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use tokio_util::sync::CancellationToken;

use super::client::revoke_uri_for;
use super::loopback::Loopback;
use super::{AuthError, OAuthClientConfig, GMAIL_READONLY};
use crate::gmail::{Connector, Secret};

/// Every request to Google's OAuth endpoints gives up after this long.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

type Configured =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn oauth_client(
    config: &OAuthClientConfig,
    redirect_uri: Option<&str>,
) -> Result<Configured, AuthError> {
    let bad = |e: url::ParseError| {
        AuthError::ClientSecret(format!("the client's endpoints are not valid: {e}"))
    };
    let mut client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(config.client_secret.expose().to_owned()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(config.auth_uri.to_string()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(config.token_uri.to_string()).map_err(bad)?);
    if let Some(uri) = redirect_uri {
        client = client.set_redirect_uri(RedirectUrl::new(uri.to_owned()).map_err(bad)?);
    }
    Ok(client)
}

/// A sign-in waiting for the user in the browser.
pub struct PendingSignIn {
    config: OAuthClientConfig,
    url: String,
    verifier: PkceCodeVerifier,
    loopback: Loopback,
}

/// What a finished sign-in yields: a refresh token to keep and an access token to use now.
#[derive(Debug)]
pub struct SignedIn {
    pub refresh_token: Secret,
    pub access_token: Secret,
}

impl PendingSignIn {
    /// Starts the loopback listener and builds the authorization URL (PKCE S256, a random
    /// `state`, offline access so Google returns a refresh token).
    pub async fn start(config: OAuthClientConfig) -> Result<Self, AuthError> {
        let state = CsrfToken::new_random();
        let loopback = Loopback::start(state.secret().clone()).await?;
        let client = oauth_client(&config, Some(&loopback.redirect_uri()))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _) = client
            .authorize_url(|| state)
            .add_scope(Scope::new(GMAIL_READONLY.into()))
            .set_pkce_challenge(challenge)
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent")
            .url();
        Ok(Self {
            config,
            url: url.to_string(),
            verifier,
            loopback,
        })
    }

    /// The page to open in the system browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn redirect_uri(&self) -> String {
        self.loopback.redirect_uri()
    }

    pub fn config(&self) -> &OAuthClientConfig {
        &self.config
    }

    /// Waits for the browser's answer (up to `limit`, or until cancelled) and trades the
    /// code for tokens. The listener refuses further answers until this returns.
    pub async fn finish(
        mut self,
        limit: Duration,
        cancel: &CancellationToken,
    ) -> Result<SignedIn, AuthError> {
        let code = tokio::select! {
            code = self.loopback.code() => code?,
            _ = tokio::time::sleep(limit) => return Err(AuthError::Timeout(limit)),
            _ = cancel.cancelled() => return Err(AuthError::Cancelled),
        };
        let redirect_uri = self.loopback.redirect_uri();
        tokio::select! {
            tokens = exchange_code(&self.config, &code, Some(self.verifier.secret()), &redirect_uri) => tokens,
            _ = cancel.cancelled() => Err(AuthError::Cancelled),
        }
    }
}

/// Trades an authorization code (and its PKCE verifier) for tokens.
pub async fn exchange_code(
    config: &OAuthClientConfig,
    code: &str,
    verifier: Option<&str>,
    redirect_uri: &str,
) -> Result<SignedIn, AuthError> {
    let client = oauth_client(config, Some(redirect_uri))?;
    let http = Http::new()?;
    let mut request = client.exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(verifier) = verifier {
        request = request.set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()));
    }
    let tokens = request
        .request_async(&http)
        .await
        .map_err(|e| token_error("the sign-in code", e))?;
    let refresh_token = tokens.refresh_token().ok_or_else(|| {
        AuthError::Refused(
            "Google did not return a refresh token; remove Inbox Sync at https://myaccount.google.com/permissions and sign in again".into(),
        )
    })?;
    Ok(SignedIn {
        refresh_token: Secret::new(refresh_token.secret().clone()),
        access_token: Secret::new(tokens.access_token().secret().clone()),
    })
}

/// Revokes a refresh token at Google (RFC 7009), ending the app's access. Done by hand: the
/// `oauth2` crate insists on https for this endpoint, which a test server on this machine
/// cannot offer, and the request is one form field.
pub async fn revoke_token(token_uri: &url::Url, refresh_token: &Secret) -> Result<(), AuthError> {
    let url = revoke_uri_for(token_uri);
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("token", refresh_token.expose())
        .finish();
    let request = hyper::Request::builder()
        .method("POST")
        .uri(url.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.into_bytes())
        .map_err(|e| AuthError::Storage(format!("the saved token address is not valid: {e}")))?;
    let response = Http::new()?
        .send(request)
        .await
        .map_err(|e| AuthError::Network(format!("cannot reach Google to revoke the token: {e}")))?;
    let status = response.status().as_u16();
    let error = serde_json::from_slice::<serde_json::Value>(response.body())
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    match (status, error.as_deref()) {
        (200, _) => Ok(()),
        // Already revoked or expired: the goal is reached.
        (400, Some("invalid_token" | "invalid_grant")) => Ok(()),
        (_, Some(code)) => Err(AuthError::Refused(format!(
            "Google refused to revoke the token: {code}"
        ))),
        (status, None) => Err(AuthError::Refused(format!(
            "Google refused to revoke the token (HTTP {status})"
        ))),
    }
}

/// A token endpoint failure in words that never include the answer's body (it may hold tokens).
fn token_error(what: &str, e: RequestTokenError<HttpError, BasicErrorResponse>) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::Refused(format!(
            "Google refused {what}: {}{}",
            r.error().as_ref(),
            r.error_description()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )),
        RequestTokenError::Request(e) => {
            AuthError::Network(format!("cannot reach Google's token endpoint: {e}"))
        }
        RequestTokenError::Parse(_, _) => {
            AuthError::Refused(format!("Google's answer to {what} could not be read"))
        }
        RequestTokenError::Other(m) => AuthError::Refused(format!("Google refused {what}: {m}")),
    }
}

/// A transport failure talking to an OAuth endpoint.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The `oauth2` crate's HTTP client: the same hyper + rustls stack as the Gmail calls, no
/// redirects followed, a deadline on every request.
struct Http(Client<Connector, Full<Bytes>>);

impl Http {
    fn new() -> Result<Self, AuthError> {
        let connector = crate::gmail::connector()
            .map_err(|e| AuthError::Network(format!("no trusted certificates: {e}")))?;
        Ok(Self(Client::builder(TokioExecutor::new()).build(connector)))
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let request = hyper::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let exchange = async {
            let response = self
                .0
                .request(request)
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|e| HttpError(e.to_string()))?;
            Ok(HttpResponse::from_parts(parts, body.to_bytes().to_vec()))
        };
        tokio::time::timeout(HTTP_TIMEOUT, exchange)
            .await
            .map_err(|_| HttpError(format!("no answer within {} s", HTTP_TIMEOUT.as_secs())))?
    }
}

/// A boxed `Send` future, so sign-in can run inside the window's commands.
impl<'c> oauth2::AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
