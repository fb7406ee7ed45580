//! Error answers in Google's shape, injected faults (500, 503, broken bodies), and the hang switch.

mod common;

use std::time::Duration;

use fake_gmail::{FakeConfig, FaultRates};

/// Unknown messages, paths and methods, and bad parameters all answer in Google's error envelope.
#[tokio::test]
async fn error_shapes() {
    let fake = common::start(FakeConfig::default().messages(5)).await;
    let id = fake.truth()[0].id.clone();
    fake.delete_messages(&[id.as_str()]);
    let gone = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{id}?format=raw"),
    )
    .await;
    common::assert_google_error(&gone, 404, "NOT_FOUND", "notFound");
    let unknown = common::call(&fake, "gmail/v1/users/me/messages/ffffffffffffffff").await;
    common::assert_google_error(&unknown, 404, "NOT_FOUND", "notFound");
    let nowhere = common::call(&fake, "gmail/v1/users/me/drafts").await;
    common::assert_google_error(&nowhere, 404, "NOT_FOUND", "notFound");
    for query in [
        "maxResults=abc",
        "maxResults=0",
        "pageToken=nonsense",
        "includeSpamTrash=maybe",
    ] {
        let answer = common::call(&fake, &format!("gmail/v1/users/me/messages?{query}")).await;
        common::assert_google_error(&answer, 400, "INVALID_ARGUMENT", "invalidArgument");
    }
    let other = fake.truth()[0].id.clone();
    let bad_format = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{other}?format=pdf"),
    )
    .await;
    common::assert_google_error(&bad_format, 400, "INVALID_ARGUMENT", "invalidArgument");
    let someone_else = common::call(&fake, "gmail/v1/users/someone@example.org/profile").await;
    common::assert_google_error(&someone_else, 403, "PERMISSION_DENIED", "forbidden");
    let by_address = common::call(
        &fake,
        &format!("gmail/v1/users/{}/profile", fake.email_address()),
    )
    .await;
    assert_eq!(
        by_address.status, 200,
        "the owner's address works as userId like `me`"
    );
    let wrong_method = common::client()
        .delete(format!("{}gmail/v1/users/me/profile", fake.base_url()))
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .expect("the fake answers");
    assert_eq!(
        wrong_method.status().as_u16(),
        405,
        "wrong methods are refused, not served"
    );
}

/// Fault rates of 1.0 give every request a 500 (then a 503), in Google's shape.
#[tokio::test]
async fn injected_server_errors() {
    let fake = common::start(FakeConfig::default().messages(5).faults(FaultRates {
        internal: 1.0,
        ..FaultRates::default()
    }))
    .await;
    let answer = common::call(&fake, "gmail/v1/users/me/profile").await;
    common::assert_google_error(&answer, 500, "INTERNAL", "backendError");
    fake.set_faults(FaultRates {
        unavailable: 1.0,
        ..FaultRates::default()
    });
    let answer = common::call(&fake, "gmail/v1/users/me/messages").await;
    common::assert_google_error(&answer, 503, "UNAVAILABLE", "backendError");
    fake.set_faults(FaultRates::default());
    assert_eq!(
        common::call(&fake, "gmail/v1/users/me/profile")
            .await
            .status,
        200,
        "clearing the rates heals it"
    );
    assert_eq!(
        fake.counts().injected_faults,
        2,
        "each injected fault is counted"
    );
}

/// A partial error rate faults some requests and not others, the same ones for the same seed.
#[tokio::test]
async fn partial_error_rate_is_deterministic() {
    let rates = FaultRates {
        internal: 0.3,
        unavailable: 0.2,
        ..FaultRates::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let fake = common::start(FakeConfig::default().messages(3).seed(77).faults(rates)).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(
                common::call(&fake, "gmail/v1/users/me/profile")
                    .await
                    .status,
            );
        }
        runs.push(statuses);
    }
    let faulted = runs[0].iter().filter(|s| **s != 200).count();
    assert!(
        (8..=32).contains(&faulted),
        "about half of 40 requests fault, got {faulted}"
    );
    assert_eq!(runs[0], runs[1], "the same seed faults the same requests");
}

/// Corrupt-body injection answers 200 with bodies that are cut, dropped mid-way or not JSON.
#[tokio::test]
async fn corrupted_bodies() {
    let fake = common::start(FakeConfig::default().messages(3).faults(FaultRates {
        corrupt_body: 1.0,
        ..FaultRates::default()
    }))
    .await;
    let mut broken = 0;
    for _ in 0..12 {
        let response = common::client()
            .get(format!("{}gmail/v1/users/me/messages", fake.base_url()))
            .bearer_auth(common::TOKEN)
            .send()
            .await;
        let Ok(response) = response else {
            broken += 1;
            continue;
        };
        assert_eq!(
            response.status().as_u16(),
            200,
            "corruption hides behind a 200"
        );
        // An aborted body fails to read at all; the others must not parse.
        if let Ok(text) = response.text().await {
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_err(),
                "a corrupted body never parses as JSON: {text}"
            );
        }
        broken += 1;
    }
    assert_eq!(broken, 12, "every request was corrupted one way or another");
}

/// With the hang switch on a request gets no answer; switching it off lets the held request finish.
#[tokio::test]
async fn hang_switch_holds_requests_until_released() {
    let fake = common::start(FakeConfig::default().messages(3).hang(true)).await;
    let url = format!("{}gmail/v1/users/me/profile", fake.base_url());
    let stalled = common::client()
        .get(&url)
        .bearer_auth(common::TOKEN)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(
        stalled.is_err_and(|e| e.is_timeout()),
        "a hung request times out on the client"
    );

    let held = tokio::spawn(async move {
        common::client()
            .get(&url)
            .bearer_auth(common::TOKEN)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    let handle = fake.handle();
    common::wait_until(Duration::from_secs(5), "the held request to arrive", || {
        handle.counts().profile >= 2
    })
    .await;
    fake.set_hang(false);
    let status = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .expect("the held request finishes once released")
        .expect("the task did not panic")
        .expect("the request got an answer");
    assert_eq!(status, 200, "released requests are answered normally");
}

/// Shutting down releases hung requests instead of waiting on them forever.
#[tokio::test]
async fn shutdown_does_not_wait_for_hung_requests() {
    let fake = common::start(FakeConfig::default().messages(3).hang(true)).await;
    let url = format!("{}gmail/v1/users/me/profile", fake.base_url());
    let held = tokio::spawn(async move {
        common::client()
            .get(&url)
            .bearer_auth(common::TOKEN)
            .send()
            .await
    });
    let handle = fake.handle();
    common::wait_until(Duration::from_secs(5), "the held request to arrive", || {
        handle.counts().profile >= 1
    })
    .await;
    tokio::time::timeout(Duration::from_secs(5), fake.shutdown())
        .await
        .expect("shutdown finishes despite a hung request");
    let _ = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .expect("the held request ends too");
}

/// Latency is added to every request.
#[tokio::test]
async fn latency_is_added() {
    let fake = common::start(
        FakeConfig::default()
            .messages(3)
            .latency(Duration::from_millis(150)),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(
        common::call(&fake, "gmail/v1/users/me/profile")
            .await
            .status,
        200,
        "slow but fine"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "the answer took at least the latency"
    );
}
