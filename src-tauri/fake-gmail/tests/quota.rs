//! Per-user quota in Gmail units: 403 userRateLimitExceeded (or, by choice, 429) past the limit, none below it, refilled with time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use fake_gmail::{FakeConfig, ManualClock};

/// With the clock stopped and the 429 form chosen, requests costing more than one second of
/// quota get 429s, and only those.
#[tokio::test]
async fn exceeding_the_quota_gives_429() {
    let clock = ManualClock::new();
    let fake = common::start(
        FakeConfig::default()
            .messages(10)
            .quota(50)
            .rate_limit_form(fake_gmail::RateLimitForm::TooManyRequests)
            .clock(Arc::new(clock.clone())),
    )
    .await;
    let id = fake.truth()[0].id.clone();
    let get = format!("gmail/v1/users/me/messages/{id}?format=minimal");
    for n in 0..10 {
        let answer = common::call(&fake, &get).await;
        assert_eq!(
            answer.status, 200,
            "get #{n} fits in 50 units: {}",
            answer.text
        );
    }
    let refused = common::call(&fake, &get).await;
    common::assert_google_error(&refused, 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded");
    assert_eq!(
        refused.json["error"]["errors"][0]["domain"], "usageLimits",
        "quota errors are in usageLimits"
    );
    let profile = common::call(&fake, "gmail/v1/users/me/profile").await;
    assert_eq!(
        profile.status, 429,
        "even a 1-unit call waits for the refill"
    );
    assert_eq!(fake.counts().rate_limited, 2, "both refusals are counted");
    assert_eq!(
        fake.counts().quota_units,
        50,
        "only admitted requests are charged"
    );

    clock.advance(Duration::from_millis(100));
    assert_eq!(
        common::call(&fake, &get).await.status,
        200,
        "0.1 s refills 5 units: one more get"
    );
    assert_eq!(common::call(&fake, &get).await.status, 429, "and no more");
    clock.advance(Duration::from_secs(10));
    for n in 0..10 {
        assert_eq!(
            common::call(&fake, &get).await.status,
            200,
            "a full bucket again after a pause (#{n})"
        );
    }
}

/// Spending at the quota rate (clock advanced per request) is never refused, whatever the mix of methods.
#[tokio::test]
async fn staying_below_the_quota_is_never_refused() {
    let clock = ManualClock::new();
    let fake = common::start(
        FakeConfig::default()
            .messages(30)
            .quota(250)
            .clock(Arc::new(clock.clone())),
    )
    .await;
    let ids: Vec<String> = fake.truth().iter().map(|t| t.id.clone()).collect();
    let history_id = fake.history_id();
    for n in 0..300 {
        let (path, cost) = match n % 4 {
            0 => ("gmail/v1/users/me/messages?maxResults=5".to_string(), 5),
            1 => (
                format!("gmail/v1/users/me/history?startHistoryId={history_id}"),
                2,
            ),
            2 => ("gmail/v1/users/me/profile".to_string(), 1),
            _ => (
                format!(
                    "gmail/v1/users/me/messages/{}?format=raw",
                    ids[n % ids.len()]
                ),
                5,
            ),
        };
        // Exactly the rate: `cost` units take cost/250 s to come back.
        clock.advance(Duration::from_micros(cost * 4_000));
        let answer = common::call(&fake, &path).await;
        assert_eq!(
            answer.status, 200,
            "request {n} at the quota rate is admitted: {}",
            answer.text
        );
    }
    assert_eq!(fake.counts().rate_limited, 0, "no refusal below the quota");
    fake.set_quota(Some(5));
    let _ = common::call(&fake, "gmail/v1/users/me/messages").await;
    assert_eq!(
        common::call(&fake, "gmail/v1/users/me/messages")
            .await
            .status,
        403,
        "lowering the quota at run time takes effect (the default refusal is 403)"
    );
    fake.set_quota(None);
    assert_eq!(
        common::call(&fake, "gmail/v1/users/me/messages")
            .await
            .status,
        200,
        "lifting it does too"
    );
}

/// The default form is 403 `userRateLimitExceeded`, with Gmail's "User-rate limit exceeded.
/// Retry after <time>"; the knob switches to 429.
#[tokio::test]
async fn the_default_form_is_403_user_rate_limit_exceeded() {
    let clock = ManualClock::new();
    let fake = common::start(
        FakeConfig::default()
            .messages(3)
            .quota(10)
            .clock(Arc::new(clock.clone())),
    )
    .await;
    let id = fake.truth()[0].id.clone();
    let get = format!("gmail/v1/users/me/messages/{id}?format=minimal");
    for _ in 0..2 {
        assert_eq!(
            common::call(&fake, &get).await.status,
            200,
            "10 units: two gets"
        );
    }
    let refused = common::call(&fake, &get).await;
    common::assert_google_error(&refused, 403, "PERMISSION_DENIED", "userRateLimitExceeded");
    let message = refused.json["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("User-rate limit exceeded.  Retry after ") && message.ends_with('Z'),
        "Gmail's message with an RFC 3339 instant: {message}"
    );
    assert_eq!(
        fake.counts().rate_limited,
        1,
        "the 403 counts as rate-limited"
    );
    fake.set_rate_limit_form(fake_gmail::RateLimitForm::TooManyRequests);
    let again = common::call(&fake, &get).await;
    common::assert_google_error(&again, 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded");
}
