//! Bearer tokens and the token endpoint: 401 without a valid token, refresh grant, expiry, OAuth errors.

mod common;

use std::sync::Arc;
use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail, ManualClock, OAuthClient};

const PROFILE: &str = "gmail/v1/users/me/profile";

fn refresh_form(oauth: &OAuthClient) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "refresh_token"),
        ("client_id", oauth.client_id.as_str()),
        ("client_secret", oauth.client_secret.as_str()),
        ("refresh_token", oauth.refresh_token.as_str()),
    ]
}

/// A missing or unknown bearer token is answered 401 UNAUTHENTICATED/authError.
#[tokio::test]
async fn gmail_calls_need_a_valid_bearer_token() {
    let fake = FakeGmail::start(FakeConfig::default().messages(5))
        .await
        .expect("starts");
    for token in [None, Some("not-a-token")] {
        let answer = common::call_with(&fake, PROFILE, token).await;
        common::assert_google_error(&answer, 401, "UNAUTHENTICATED", "authError");
    }
    assert_eq!(fake.counts().unauthorized, 2, "both refusals are counted");
    let issued = fake.issue_access_token();
    let ok = common::call_with(&fake, PROFILE, Some(&issued)).await;
    assert_eq!(ok.status, 200, "a token the fake issued works: {}", ok.text);
}

/// The refresh grant issues a working token; once it expires calls get 401, and a new refresh works again.
#[tokio::test]
async fn refresh_grant_and_expiry() {
    let clock = ManualClock::new();
    let oauth = OAuthClient::default();
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(5)
            .token_lifetime(Duration::from_secs(60))
            .clock(Arc::new(clock.clone())),
    )
    .await
    .expect("starts");

    let grant = common::post_token(&fake, &refresh_form(&oauth)).await;
    assert_eq!(
        grant.status, 200,
        "the refresh grant succeeds: {}",
        grant.text
    );
    assert_eq!(
        grant.json["token_type"], "Bearer",
        "Bearer tokens as Google issues"
    );
    assert_eq!(
        grant.json["expires_in"], 60,
        "expires_in reports the configured lifetime"
    );
    assert_eq!(
        grant.json["scope"],
        oauth.scope.as_str(),
        "the scope is echoed"
    );
    let token = grant.json["access_token"]
        .as_str()
        .expect("an access token")
        .to_string();

    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&token)).await.status,
        200,
        "fresh token works"
    );
    clock.advance(Duration::from_secs(59));
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&token)).await.status,
        200,
        "still valid a second before expiry"
    );
    clock.advance(Duration::from_secs(1));
    let expired = common::call_with(&fake, PROFILE, Some(&token)).await;
    common::assert_google_error(&expired, 401, "UNAUTHENTICATED", "authError");

    let again = common::post_token(&fake, &refresh_form(&oauth)).await;
    let renewed = again.json["access_token"]
        .as_str()
        .expect("a new access token")
        .to_string();
    assert_ne!(renewed, token, "each grant issues a new token");
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&renewed))
            .await
            .status,
        200,
        "the renewed token works"
    );

    fake.expire_access_tokens();
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&renewed))
            .await
            .status,
        401,
        "expire_access_tokens revokes at once"
    );
}

/// Wrong refresh token → 400 invalid_grant; wrong client → 401 invalid_client; unknown grants → unsupported_grant_type.
#[tokio::test]
async fn token_endpoint_errors_follow_oauth() {
    let fake = common::start(FakeConfig::default().messages(1)).await;
    let oauth = OAuthClient::default();
    let mut form = refresh_form(&oauth);
    form[3] = ("refresh_token", "stolen");
    let bad_grant = common::post_token(&fake, &form).await;
    assert_eq!(
        bad_grant.status, 400,
        "wrong refresh token is a 400: {}",
        bad_grant.text
    );
    assert_eq!(
        bad_grant.json["error"], "invalid_grant",
        "the OAuth error code is invalid_grant"
    );

    let mut form = refresh_form(&oauth);
    form[2] = ("client_secret", "guess");
    let bad_client = common::post_token(&fake, &form).await;
    assert_eq!(
        bad_client.status, 401,
        "wrong client secret is a 401: {}",
        bad_client.text
    );
    assert_eq!(
        bad_client.json["error"], "invalid_client",
        "the OAuth error code is invalid_client"
    );

    let mut form = refresh_form(&oauth);
    form[0] = ("grant_type", "password");
    let password = common::post_token(&fake, &form).await;
    assert_eq!(
        password.json["error"], "unsupported_grant_type",
        "grants other than refresh_token and authorization_code are refused"
    );

    let missing = common::post_token(&fake, &[("client_id", "x")]).await;
    assert_eq!(
        missing.json["error"], "invalid_request",
        "no grant_type is an invalid request"
    );
    assert_eq!(fake.counts().token, 4, "every token request is counted");
}
