//! Google's consent endpoint (`GET /o/oauth2/auth`) for installed apps: loopback redirect URIs
//! (RFC 8252 §7.3), PKCE with S256 only, `state` echoed, and the fake user's [`Consent`] as the answer.
//!
//! A client or redirect URI it cannot trust gets an HTML error page (no redirect), as Google's;
//! every other refusal is sent back to the redirect URI as `error`/`error_description`/`state`.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use url::{Host, Url};

use super::params::Params;
use crate::config::Consent;
use crate::counters::bump;
use crate::errors::consent_error_page;
use crate::grants::CodeRequest;
use crate::pipeline::{lock, Shared};
use crate::pkce;

/// What the consent screen does with a request.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// An HTML error page; the browser stays at Google.
    Page {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
    /// Back to the app's redirect URI with these query parameters added.
    Redirect {
        to: Url,
        params: Vec<(&'static str, String)>,
    },
}

pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    bump(&shared.counters.authorize, 1);
    if let Err(error) = shared.delay().await {
        return error.into_response();
    }
    let params = Params::parse(query.as_deref());
    match decide(&shared, &params) {
        Outcome::Page {
            status,
            error,
            description,
        } => {
            tracing::debug!(error, "consent screen refused the request");
            consent_error_page(status, error, description)
        }
        Outcome::Redirect { mut to, params } => {
            to.query_pairs_mut()
                .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            match HeaderValue::from_str(to.as_str()) {
                Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
                Err(_) => consent_error_page(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The redirect URI cannot be sent back.",
                ),
            }
        }
    }
}

/// The redirect URI if it is one Google accepts for a Desktop client: `http` on 127.0.0.1,
/// `[::1]` or `localhost`, any port and path.
fn loopback(uri: &str) -> Option<Url> {
    let url = Url::parse(uri).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let allowed = match url.host()? {
        Host::Ipv4(ip) => ip == Ipv4Addr::LOCALHOST,
        Host::Ipv6(ip) => ip == Ipv6Addr::LOCALHOST,
        Host::Domain(domain) => domain.eq_ignore_ascii_case("localhost"),
    };
    allowed.then_some(url)
}

fn decide(shared: &Shared, params: &Params) -> Outcome {
    let knobs = shared.knobs();
    if params.one("client_id") != Some(knobs.oauth.client_id.as_str()) {
        return Outcome::Page {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "The OAuth client was not found.",
        };
    }
    let Some((redirect_uri, to)) = params
        .one("redirect_uri")
        .and_then(|uri| loopback(uri).map(|url| (uri, url)))
    else {
        return Outcome::Page {
            status: StatusCode::BAD_REQUEST,
            error: "redirect_uri_mismatch",
            description: "You can't sign in to this app because it doesn't comply with Google's \
                          OAuth 2.0 policy: a Desktop client must redirect to http on a loopback address.",
        };
    };
    let state = params.one("state");
    let refuse = |error: &'static str, description: &str| {
        let mut params = vec![
            ("error", error.to_string()),
            ("error_description", description.to_string()),
        ];
        params.extend(state.map(|s| ("state", s.to_string())));
        Outcome::Redirect {
            to: to.clone(),
            params,
        }
    };

    if params.one("response_type") != Some("code") {
        return refuse(
            "unsupported_response_type",
            "Only response_type=code is supported.",
        );
    }
    let Some(code_challenge) = params.one("code_challenge") else {
        return refuse(
            "invalid_request",
            "Missing required parameter: code_challenge",
        );
    };
    if params.one("code_challenge_method") != Some("S256") {
        return refuse(
            "invalid_request",
            "Invalid code_challenge_method: only S256 is accepted.",
        );
    }
    if !pkce::well_formed(code_challenge) {
        return refuse("invalid_request", "Invalid code_challenge.");
    }
    let scope = match params.one("scope").map(str::trim) {
        Some(scope) if !scope.is_empty() => scope,
        _ => return refuse("invalid_scope", "Missing required parameter: scope"),
    };
    if knobs.consent == Consent::Deny {
        return refuse("access_denied", "The user denied access to the app.");
    }

    let request = CodeRequest {
        client_id: knobs.oauth.client_id,
        redirect_uri: redirect_uri.to_string(),
        code_challenge: code_challenge.to_string(),
        scope: scope.to_string(),
    };
    let code = lock(&shared.grants).issue_code(request, shared.clock.now());
    let mut params: Vec<(&'static str, String)> = state
        .map(|s| ("state", s.to_string()))
        .into_iter()
        .collect();
    params.push(("code", code));
    params.push(("scope", scope.to_string()));
    Outcome::Redirect { to, params }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rule() {
        for ok in [
            "http://127.0.0.1:8080/callback",
            "http://127.0.0.1",
            "http://[::1]:1/",
            "http://localhost:53000/x/y?z=1",
            "http://LOCALHOST/",
        ] {
            assert!(loopback(ok).is_some(), "{ok} is a loopback redirect");
        }
        for bad in [
            "https://127.0.0.1/",
            "http://127.0.0.2/",
            "http://example.com/",
            "http://localhost.example.com/",
            "urn:ietf:wg:oauth:2.0:oob",
            "not a url",
            "",
        ] {
            assert!(loopback(bad).is_none(), "{bad} is refused");
        }
    }
}
