//! Turns Gmail's error answers into `SourceError`s, reading Google's error shape
//! (`{"error":{"code":…,"errors":[{"reason":…}]}}`) for the reason.
use crate::sync::SourceError;

/// Reasons Google gives with a 403 that mean "slow down", not "forbidden".
const RATE_LIMIT_REASONS: &[&str] = &[
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "quotaExceeded",
    "dailyLimitExceeded",
];

/// An error answer, read within its limit (`bounded.rs`): Google's JSON error shape
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
        let shape = |code: u16, reason: &str| {
            let body = serde_json::json!({"error": {"code": code, "message": "m", "errors": [{"reason": reason}]}});
            from_answer(code, body.to_string().as_bytes(), None)
        };
        assert!(
            matches!(
                shape(429, "rateLimitExceeded"),
                SourceError::RateLimited { .. }
            ),
            "429"
        );
        assert!(
            matches!(
                shape(403, "userRateLimitExceeded"),
                SourceError::RateLimited { .. }
            ),
            "403 rate limit"
        );
        assert!(
            matches!(
                shape(403, "forbidden"),
                SourceError::Refused { status: 403, .. }
            ),
            "403 other"
        );
        assert!(
            matches!(shape(401, "authError"), SourceError::Unauthorized(_)),
            "401"
        );
        assert!(
            matches!(shape(404, "notFound"), SourceError::NotFound(_)),
            "404"
        );
        assert!(
            matches!(
                shape(503, "backendError"),
                SourceError::Server { status: 503, .. }
            ),
            "503"
        );
    }
}
