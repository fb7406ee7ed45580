//! Turns the `google-gmail1` client's errors into `SourceError`s, reading Google's error
//! shape (`{"error":{"code":…,"errors":[{"reason":…}]}}`) for the code and reason.
use google_gmail1::common::Error as ClientError;

use crate::sync::SourceError;

/// Reasons Google gives with a 403 that mean "slow down", not "forbidden".
const RATE_LIMIT_REASONS: &[&str] = &[
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "quotaExceeded",
    "dailyLimitExceeded",
];

pub(crate) fn classify(err: ClientError) -> SourceError {
    match err {
        ClientError::BadRequest(body) => from_google_error(&body),
        ClientError::Failure(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .map(std::time::Duration::from_secs);
            from_status(status, format!("HTTP {status}"), None, retry_after)
        }
        ClientError::HttpError(e) => SourceError::Network(e.to_string()),
        ClientError::Io(e) => SourceError::Network(e.to_string()),
        ClientError::JsonDecodeError(_, e) => SourceError::Malformed(e.to_string()),
        ClientError::MissingToken(e) => match e.downcast::<SourceError>() {
            Ok(source) => *source,
            Err(other) => SourceError::SignInRequired(other.to_string()),
        },
        other => SourceError::Refused {
            status: 0,
            message: other.to_string().trim().to_owned(),
        },
    }
}

/// An error answer read by the client's own path (`bounded.rs`): Google's JSON error shape
/// when the body is one, else the status alone.
pub(crate) fn from_answer(
    status: u16,
    body: &[u8],
    retry_after: Option<std::time::Duration>,
) -> SourceError {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) if value["error"].is_object() => {
            let error = &value["error"];
            let message = error["message"].as_str().unwrap_or("no message").to_owned();
            from_status(
                status,
                message,
                error["errors"][0]["reason"].as_str(),
                retry_after,
            )
        }
        _ => from_status(status, format!("HTTP {status}"), None, retry_after),
    }
}

fn from_google_error(body: &serde_json::Value) -> SourceError {
    let error = &body["error"];
    let status = error["code"].as_u64().unwrap_or(0) as u16;
    let message = error["message"].as_str().unwrap_or("no message").to_owned();
    let reason = error["errors"][0]["reason"].as_str();
    from_status(status, message, reason, None)
}

fn from_status(
    status: u16,
    message: String,
    reason: Option<&str>,
    retry_after: Option<std::time::Duration>,
) -> SourceError {
    match status {
        404 => SourceError::NotFound(message),
        429 => SourceError::RateLimited {
            message,
            retry_after,
        },
        403 if reason.is_some_and(|r| RATE_LIMIT_REASONS.contains(&r)) => {
            SourceError::RateLimited {
                message,
                retry_after,
            }
        }
        401 => SourceError::Unauthorized(message),
        500..=599 => SourceError::Server { status, message },
        _ => SourceError::Refused { status, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Google's error shapes map to what the engine does next.
    #[test]
    fn google_errors_are_classified() {
        let shape = |code: u16, reason: &str| serde_json::json!({"error": {"code": code, "message": "m", "errors": [{"reason": reason}]}});
        assert!(
            matches!(
                from_google_error(&shape(429, "rateLimitExceeded")),
                SourceError::RateLimited { .. }
            ),
            "429"
        );
        assert!(
            matches!(
                from_google_error(&shape(403, "userRateLimitExceeded")),
                SourceError::RateLimited { .. }
            ),
            "403 rate limit"
        );
        assert!(
            matches!(
                from_google_error(&shape(403, "forbidden")),
                SourceError::Refused { status: 403, .. }
            ),
            "403 other"
        );
        assert!(
            matches!(
                from_google_error(&shape(401, "authError")),
                SourceError::Unauthorized(_)
            ),
            "401"
        );
        assert!(
            matches!(
                from_google_error(&shape(404, "notFound")),
                SourceError::NotFound(_)
            ),
            "404"
        );
        assert!(
            matches!(
                from_google_error(&shape(503, "backendError")),
                SourceError::Server { status: 503, .. }
            ),
            "503"
        );
    }
}
