//! The OAuth 2 token endpoint (`POST /token`, form-encoded): the authorization-code grant with
//! PKCE (S256) and the refresh-token grant, with Google's error codes and descriptions.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::sync::Arc;

use super::params::Params;
use crate::counters::bump;
use crate::errors::{json_bytes, OAuthError};
use crate::grants::Exchange;
use crate::pipeline::{lock, Shared};
use crate::wire;

/// Client credentials from the form body, or from HTTP Basic auth (RFC 6749 §2.3.1 allows both).
fn client_credentials(form: &Params, headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_string(), secret.to_string()))
        });
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            form.one("client_id").map(str::to_string),
            form.one("client_secret").map(str::to_string),
        ),
    }
}

pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    bump(&shared.counters.token, 1);
    if let Err(error) = shared.delay().await {
        return error.into_response();
    }
    let form = Params::parse(Some(&String::from_utf8_lossy(&body)));
    match grant(&shared, &form, &headers) {
        Ok(grant) => json_bytes(serde_json::to_vec(&grant).unwrap_or_default()).into_response(),
        Err(error) => {
            tracing::debug!(error = error.error, "token request refused");
            error.into_response()
        }
    }
}

fn grant(
    shared: &Shared,
    form: &Params,
    headers: &HeaderMap,
) -> Result<wire::TokenGrant, OAuthError> {
    let oauth = shared.knobs().oauth;
    let grant_type = form
        .one("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: grant_type"))?;
    let (client_id, client_secret) = client_credentials(form, headers);
    if client_id.as_deref() != Some(oauth.client_id.as_str())
        || client_secret.as_deref() != Some(oauth.client_secret.as_str())
    {
        return Err(OAuthError::invalid_client());
    }
    match grant_type {
        "refresh_token" => {
            let refresh = form.one("refresh_token").ok_or_else(|| {
                OAuthError::invalid_request("Missing required parameter: refresh_token")
            })?;
            // Held while minting, so a concurrent revocation also takes the new access token down.
            let grants = lock(&shared.grants);
            let scope = grants.refresh_scope(refresh, &oauth)?;
            let now = shared.clock.now();
            let mut tokens = lock(&shared.tokens);
            let access_token = tokens.mint_from(now, refresh);
            drop(grants);
            Ok(wire::TokenGrant {
                access_token,
                expires_in: tokens.lifetime().as_secs(),
                refresh_token: None,
                scope,
                token_type: "Bearer",
            })
        }
        "authorization_code" => {
            let code = form
                .one("code")
                .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: code"))?;
            let exchange = Exchange {
                code,
                client_id: &oauth.client_id,
                redirect_uri: form.one("redirect_uri"),
                code_verifier: form.one("code_verifier"),
            };
            let now = shared.clock.now();
            let mut grants = lock(&shared.grants);
            let redeemed = grants.redeem(exchange, now)?;
            let mut tokens = lock(&shared.tokens);
            let access_token = tokens.mint_from(now, &redeemed.refresh_token);
            drop(grants);
            Ok(wire::TokenGrant {
                access_token,
                expires_in: tokens.lifetime().as_secs(),
                refresh_token: Some(redeemed.refresh_token),
                scope: redeemed.scope,
                token_type: "Bearer",
            })
        }
        other => Err(OAuthError::unsupported_grant_type(other)),
    }
}
