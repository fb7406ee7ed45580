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

/// Ids that cannot be Gmail ids are 400 "Invalid id value", while well-formed unknown ids stay 404.
#[tokio::test]
async fn malformed_ids_are_400() {
    let fake = common::start(FakeConfig::default().messages(3)).await;
    for id in ["not-an-id", "abc%20xyz", "0123456789abcdef0", "zz"] {
        for path in [
            format!("gmail/v1/users/me/messages/{id}"),
            format!("gmail/v1/users/me/messages/{id}/attachments/ANGjdJxx"),
        ] {
            let answer = common::call(&fake, &path).await;
            common::assert_google_error(&answer, 400, "INVALID_ARGUMENT", "invalidArgument");
            assert_eq!(
                answer.json["error"]["message"], "Invalid id value",
                "Gmail's words for {path}"
            );
        }
    }
}

/// A parameter the method does not take is 400; every standard Google parameter and every
/// parameter of the method is accepted.
#[tokio::test]
async fn unknown_parameters_are_400_standard_ones_accepted() {
    let fake = common::start(FakeConfig::default().messages(3)).await;
    let id = fake.truth()[0].id.clone();
    for path in [
        "gmail/v1/users/me/messages?bogus=1".to_string(),
        "gmail/v1/users/me/profile?format=raw".to_string(),
        format!("gmail/v1/users/me/messages/{id}?q=x"),
        "gmail/v1/users/me/history?startHistoryId=1&labelIds=INBOX".to_string(),
    ] {
        let answer = common::call(&fake, &path).await;
        common::assert_google_error(&answer, 400, "INVALID_ARGUMENT", "invalidArgument");
        assert!(
            answer.json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Unknown name")),
            "the refusal names the parameter: {}",
            answer.text
        );
    }
    let standard = "alt=json&key=k&prettyPrint=false&quotaUser=u&upload_protocol=raw&uploadType=media&callback=&%24.xgafv=2";
    for path in [
        format!("gmail/v1/users/me/profile?{standard}"),
        format!("gmail/v1/users/me/messages?{standard}&includeSpamTrash=false&labelIds=INBOX&maxResults=2&pageToken=&q=a"),
        format!("gmail/v1/users/me/messages/{id}?{standard}&format=metadata&metadataHeaders=From"),
        format!("gmail/v1/users/me/history?{standard}&startHistoryId={}&historyTypes=messageAdded&labelId=INBOX&maxResults=5", fake.history_id()),
        format!("gmail/v1/users/me/labels?{standard}"),
    ] {
        let answer = common::call(&fake, &path).await;
        assert_eq!(answer.status, 200, "{path} is accepted: {}", answer.text);
    }
    let by_query = common::call_with(
        &fake,
        &format!("gmail/v1/users/me/profile?access_token={}", common::TOKEN),
        None,
    )
    .await;
    assert_eq!(
        by_query.status, 200,
        "access_token authenticates like the header"
    );
    let not_json = common::call(&fake, "gmail/v1/users/me/profile?alt=media").await;
    common::assert_google_error(&not_json, 400, "INVALID_ARGUMENT", "invalidArgument");
}

/// `fields=` answers only the selected fields, in the forms Gmail clients use; a broken selector is 400.
#[tokio::test]
async fn fields_select_partial_responses() {
    let fake = common::start(FakeConfig::default().messages(5)).await;
    let id = fake.truth()[0].id.clone();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let message = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{id}?fields=id,threadId,labelIds"),
    )
    .await;
    assert_eq!(
        keys(&message.json),
        ["id", "labelIds", "threadId"],
        "three fields: {}",
        message.text
    );
    let list = common::call(
        &fake,
        "gmail/v1/users/me/messages?maxResults=2&fields=messages(id),nextPageToken",
    )
    .await;
    assert_eq!(
        keys(&list.json),
        ["messages", "nextPageToken"],
        "no resultSizeEstimate: {}",
        list.text
    );
    assert_eq!(
        keys(&list.json["messages"][0]),
        ["id"],
        "items keep only id"
    );
    let history = common::call(
        &fake,
        &format!(
            "gmail/v1/users/me/history?startHistoryId={}&fields=historyId",
            fake.history_id()
        ),
    )
    .await;
    assert_eq!(
        keys(&history.json),
        ["historyId"],
        "only historyId: {}",
        history.text
    );
    let nested = common::call(
        &fake,
        &format!(
            "gmail/v1/users/me/messages/{id}?format=full&fields=payload(mimeType,headers(name))"
        ),
    )
    .await;
    assert_eq!(keys(&nested.json), ["payload"], "only the payload");
    assert_eq!(
        keys(&nested.json["payload"]),
        ["headers", "mimeType"],
        "two of its fields"
    );
    assert_eq!(
        keys(&nested.json["payload"]["headers"][0]),
        ["name"],
        "headers keep name"
    );
    let broken = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages/{id}?fields=payload(headers"),
    )
    .await;
    common::assert_google_error(&broken, 400, "INVALID_ARGUMENT", "invalidArgument");
}
