//! Errors: Google's JSON error envelope for HTTP answers, OAuth's token-endpoint errors, and the crate's own.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Which of Gmail's two answers a request over the per-user rate limit gets. Gmail sends both:
/// 429 `rateLimitExceeded` (`RESOURCE_EXHAUSTED`) and 403 `userRateLimitExceeded`
/// (`PERMISSION_DENIED`), each saying "User-rate limit exceeded.  Retry after <time>".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateLimitForm {
    /// 429 `rateLimitExceeded`: the form Gmail's error guide lists for too many requests at once.
    TooManyRequests,
    /// 403 `userRateLimitExceeded`: the default, because it is the form Gmail's error guide gives
    /// for the per-user rate limit this quota models, and the one clients written against real
    /// Gmail (lieer) back off on — a lieer that dies against the fake's default quota means
    /// the fake is wrong, not lieer.
    #[default]
    Forbidden,
}

/// Failures of the fake's own API (starting, mutating the mailbox).
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("could not bind the fake Gmail server to {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no message with id {0} in the fake mailbox")]
    UnknownMessage(String),
}

/// An error answered the way Google's APIs answer:
/// `{"error":{"code","message","errors":[{"message","domain","reason"}],"status"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleError {
    pub code: u16,
    pub status: &'static str,
    pub domain: &'static str,
    pub reason: &'static str,
    pub message: String,
    /// Google names the request part at fault for authentication errors.
    pub location: Option<(&'static str, &'static str)>,
}

impl GoogleError {
    fn new(
        code: u16,
        status: &'static str,
        domain: &'static str,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            status,
            domain,
            reason,
            message: message.into(),
            location: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(
            400,
            "INVALID_ARGUMENT",
            "global",
            "invalidArgument",
            message,
        )
    }

    pub fn unauthenticated() -> Self {
        let mut error = Self::new(
            401,
            "UNAUTHENTICATED",
            "global",
            "authError",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        );
        error.location = Some(("Authorization", "header"));
        error
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "PERMISSION_DENIED", "global", "forbidden", message)
    }

    pub fn not_found() -> Self {
        Self::new(
            404,
            "NOT_FOUND",
            "global",
            "notFound",
            "Requested entity was not found.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "UNIMPLEMENTED",
            "global",
            "httpMethodNotAllowed",
            "Method not allowed.",
        )
    }

    /// Gmail's per-user rate limit, in the form `form` chooses; `retry_at` is the RFC 3339
    /// instant Gmail names ("User-rate limit exceeded.  Retry after 2026-01-01T10:00:01.250Z",
    /// two spaces and all).
    pub fn rate_limited(form: RateLimitForm, retry_at: &str) -> Self {
        let message = format!("User-rate limit exceeded.  Retry after {retry_at}");
        match form {
            RateLimitForm::TooManyRequests => Self::new(
                429,
                "RESOURCE_EXHAUSTED",
                "usageLimits",
                "rateLimitExceeded",
                message,
            ),
            RateLimitForm::Forbidden => Self::new(
                403,
                "PERMISSION_DENIED",
                "usageLimits",
                "userRateLimitExceeded",
                message,
            ),
        }
    }

    /// A message, thread or attachment id that cannot be a Gmail id at all (Gmail: 400, not 404).
    pub fn invalid_id() -> Self {
        Self::bad_request("Invalid id value")
    }

    /// A query parameter the method does not take. Google's front end refuses it before the
    /// method runs, naming it.
    pub fn unknown_parameter(name: &str) -> Self {
        Self::bad_request(format!(
            "Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. Field '{name}' could not be found in request message."
        ))
    }

    pub fn internal() -> Self {
        Self::new(
            500,
            "INTERNAL",
            "global",
            "backendError",
            "Internal error encountered.",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            503,
            "UNAVAILABLE",
            "global",
            "backendError",
            "The service is currently unavailable.",
        )
    }

    /// The JSON body Google sends.
    pub fn body(&self) -> serde_json::Value {
        let mut item = json!({
            "message": self.message,
            "domain": self.domain,
            "reason": self.reason,
        });
        if let Some((location, location_type)) = self.location {
            item["location"] = json!(location);
            item["locationType"] = json!(location_type);
        }
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [item],
                "status": self.status,
            }
        })
    }
}

impl IntoResponse for GoogleError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, json_body(&self.body())).into_response();
        if self.code == 401 {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"",
                ),
            );
        }
        response
    }
}

/// An OAuth 2 token-endpoint error (RFC 6749 §5.2): `{"error":"invalid_grant","error_description":…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self {
            status: 400,
            error: "invalid_request",
            description: description.into(),
        }
    }

    pub fn invalid_client() -> Self {
        Self {
            status: 401,
            error: "invalid_client",
            description: "The OAuth client was not found.".into(),
        }
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self {
            status: 400,
            error: "invalid_grant",
            description: description.into(),
        }
    }

    /// The code exchange named another `redirect_uri` than the authorization request did.
    pub fn redirect_uri_mismatch() -> Self {
        Self {
            status: 400,
            error: "redirect_uri_mismatch",
            description: "Bad Request".into(),
        }
    }

    /// A refresh token used by a client other than the one it was issued to.
    pub fn unauthorized_client() -> Self {
        Self {
            status: 401,
            error: "unauthorized_client",
            description: "Unauthorized".into(),
        }
    }

    /// `/revoke` with a token that is unknown, expired or already revoked.
    pub fn invalid_token() -> Self {
        Self {
            status: 400,
            error: "invalid_token",
            description: "Token expired or revoked".into(),
        }
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        Self {
            status: 400,
            error: "unsupported_grant_type",
            description: format!("Invalid grant_type: {grant}"),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({"error": self.error, "error_description": self.description});
        (status, json_body(&body)).into_response()
    }
}

/// The HTML page Google's consent screen shows instead of redirecting, when it cannot trust the
/// client or the redirect URI: "Access blocked: Authorization Error … Error 400: redirect_uri_mismatch".
pub(crate) fn consent_error_page(status: StatusCode, error: &str, description: &str) -> Response {
    let code = status.as_u16();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Error {code} ({error})</title></head><body>\
         <h1>Access blocked: Authorization Error</h1>\
         <p>{description}</p>\
         <p><b>Error {code}: {error}</b></p>\
         </body></html>"
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response()
}

/// A JSON body with Google's content type; serialising a `Value` cannot fail.
pub(crate) fn json_body(
    value: &serde_json::Value,
) -> ([(header::HeaderName, HeaderValue); 1], Vec<u8>) {
    json_bytes(serde_json::to_vec(value).unwrap_or_default())
}

pub(crate) fn json_bytes(bytes: Vec<u8>) -> ([(header::HeaderName, HeaderValue); 1], Vec<u8>) {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        )],
        bytes,
    )
}
