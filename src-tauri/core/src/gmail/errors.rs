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

/// The wait Gmail names in a rate-limit message ("User-rate limit exceeded.  Retry after
/// 2026-01-01T10:00:01.250Z"), from `now` (ms since the epoch); at most a minute, so a clock
/// far off ours cannot park a request for long.
fn named_retry(message: &str, now_ms: i64) -> Option<std::time::Duration> {
    let at = message
        .split("Retry after ")
        .nth(1)?
        .split_whitespace()
        .next()?;
    let seconds = mail_parser::DateTime::parse_rfc3339(at)?.to_timestamp();
    // parse_rfc3339 keeps whole seconds; the milliseconds are read here.
    let millis = at
        .split_once('.')
        .map(|(_, rest)| {
            let digits: String = rest
                .chars()
                .take_while(char::is_ascii_digit)
                .take(3)
                .collect();
            format!("{digits:0<3}").parse::<i64>().unwrap_or(0)
        })
        .unwrap_or(0);
    let wait = (seconds * 1000 + millis - now_ms).clamp(0, 60_000);
    Some(std::time::Duration::from_millis(wait as u64))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn from_status(
    status: u16,
    message: String,
    reason: Option<&str>,
    retry_after: Option<std::time::Duration>,
) -> SourceError {
    let limited =
        status == 429 || (status == 403 && reason.is_some_and(|r| RATE_LIMIT_REASONS.contains(&r)));
    // Without a Retry-After header, Gmail names the instant in its message.
    let retry_after = match retry_after {
        None if limited => named_retry(&message, now_ms()),
        given => given,
    };
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

    /// The instant in Gmail's rate-limit message becomes the wait, to the millisecond, capped.
    #[test]
    fn the_retry_instant_in_gmails_message_is_the_wait() {
        let now = 1_767_261_600_000; // 2026-01-01T10:00:00Z
        let message = "User-rate limit exceeded.  Retry after 2026-01-01T10:00:01.250Z";
        assert_eq!(
            named_retry(message, now),
            Some(std::time::Duration::from_millis(1_250))
        );
        assert_eq!(
            named_retry("Retry after 2026-01-01T09:59:59Z", now),
            Some(std::time::Duration::ZERO),
            "an instant past is no wait"
        );
        assert_eq!(
            named_retry("Retry after 2026-01-01T11:00:00Z", now),
            Some(std::time::Duration::from_secs(60)),
            "an hour away is capped at a minute"
        );
        assert_eq!(named_retry("User-rate limit exceeded.", now), None);
        assert_eq!(named_retry("Retry after soon", now), None);
    }

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
