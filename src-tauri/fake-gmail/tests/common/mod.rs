//! Fixtures shared by the fake-gmail integration tests: starting a fake, plain HTTP calls, waiting on conditions.
#![allow(dead_code)]

use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail};
use serde_json::Value;

pub const TOKEN: &str = "test-token";

/// Starts a fake that also accepts the static [`TOKEN`].
pub async fn start(config: FakeConfig) -> FakeGmail {
    FakeGmail::start(config.static_token(TOKEN))
        .await
        .expect("the fake must bind a loopback port")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a plain HTTP client builds")
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub text: String,
    pub json: Value,
}

/// `GET {base}{path}` with `Authorization: Bearer {token}` when a token is given.
pub async fn call_with(fake: &FakeGmail, path: &str, token: Option<&str>) -> Answer {
    let mut request = client().get(format!("{}{}", fake.base_url(), path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the fake answers over HTTP");
    let status = response.status().as_u16();
    let text = response.text().await.expect("the body arrives whole");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, text, json }
}

/// `GET {base}{path}` with the static token.
pub async fn call(fake: &FakeGmail, path: &str) -> Answer {
    call_with(fake, path, Some(TOKEN)).await
}

/// `POST {base}token` with a form.
pub async fn post_token(fake: &FakeGmail, form: &[(&str, &str)]) -> Answer {
    let response = client()
        .post(fake.token_url())
        .form(form)
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("the body arrives whole");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, text, json }
}

/// Every (id, threadId) `messages.list` returns, following page tokens.
pub async fn list_all(fake: &FakeGmail, page_size: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10_000 {
        let mut path = format!("gmail/v1/users/me/messages?maxResults={page_size}");
        if let Some(t) = &token {
            path.push_str(&format!("&pageToken={t}"));
        }
        let answer = call(fake, &path).await;
        assert_eq!(answer.status, 200, "listing must succeed: {}", answer.text);
        for m in answer.json["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            out.push((
                m["id"].as_str().expect("ids are strings").to_string(),
                m["threadId"]
                    .as_str()
                    .expect("thread ids are strings")
                    .to_string(),
            ));
        }
        match answer.json["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => return out,
        }
    }
    panic!("paging did not end after 10,000 pages");
}

/// Checks Google's error envelope.
pub fn assert_google_error(answer: &Answer, code: u16, status: &str, reason: &str) {
    assert_eq!(
        answer.status, code,
        "HTTP status should be {code}: {}",
        answer.text
    );
    let error = &answer.json["error"];
    assert_eq!(
        error["code"], code,
        "error.code mirrors the HTTP status: {}",
        answer.text
    );
    assert_eq!(
        error["status"], status,
        "error.status names the canonical code: {}",
        answer.text
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error.message is present: {}",
        answer.text
    );
    let item = &error["errors"][0];
    assert_eq!(item["reason"], reason, "errors[0].reason: {}", answer.text);
    assert!(
        item["domain"].as_str().is_some(),
        "errors[0].domain is present: {}",
        answer.text
    );
    assert!(
        item["message"].as_str().is_some(),
        "errors[0].message is present: {}",
        answer.text
    );
}

/// Polls `condition` until it holds or `deadline` passes.
pub async fn wait_until(deadline: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + deadline;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
