//! Google's token revocation endpoint (`POST /revoke`, form `token=…`, as
//! `https://oauth2.googleapis.com/revoke`): takes back a refresh token (and the access tokens
//! issued from it) or a single access token.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};

use super::params::Params;
use crate::counters::bump;
use crate::errors::{json_bytes, OAuthError};
use crate::pipeline::{lock, Shared};

pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    bump(&shared.counters.revoke, 1);
    if let Err(error) = shared.delay().await {
        return error.into_response();
    }
    let form = Params::parse(Some(&String::from_utf8_lossy(&body)));
    let query = Params::parse(query.as_deref());
    // Google takes the token from the form body, or from the query string.
    let Some(token) = form.one("token").or_else(|| query.one("token")) else {
        return OAuthError::invalid_request("Missing required parameter: token").into_response();
    };
    match take_back(&shared, token) {
        Ok(()) => json_bytes(b"{}".to_vec()).into_response(),
        Err(error) => {
            tracing::debug!(error = error.error, "revocation refused");
            error.into_response()
        }
    }
}

fn take_back(shared: &Shared, token: &str) -> Result<(), OAuthError> {
    let configured = shared.knobs().oauth.refresh_token;
    let now = shared.clock.now();
    let mut grants = lock(&shared.grants);
    let mut tokens = lock(&shared.tokens);
    if grants.revoke_refresh(token, &configured) {
        tokens.expire_from(token, now);
        Ok(())
    } else if tokens.revoke(token, now) {
        Ok(())
    } else {
        Err(OAuthError::invalid_token())
    }
}
