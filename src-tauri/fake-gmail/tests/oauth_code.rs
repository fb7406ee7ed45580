//! Installed-app sign-in over real HTTP: the consent endpoint (loopback redirects, PKCE S256,
//! `state`), the authorization-code grant, refresh tokens it mints, revocation, and their errors.

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use fake_gmail::{Consent, FakeConfig, FakeGmail, ManualClock, OAuthClient};
use sha2::{Digest, Sha256};
use url::Url;

const PROFILE: &str = "gmail/v1/users/me/profile";
const SCOPE: &str = "https://www.googleapis.com/auth/gmail.readonly openid";
const REDIRECT: &str = "http://127.0.0.1:53117/oauth2/callback";
/// 43 characters of the unreserved set, the shortest verifier RFC 7636 allows.
const VERIFIER: &str = "verifier-0123456789-abcdefghijklmnopqrstuvw";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// What the consent endpoint answered: a redirect (302 + Location) or a page.
#[derive(Debug)]
struct Consented {
    status: u16,
    location: Option<Url>,
    text: String,
}

impl Consented {
    /// One query parameter of the redirect, decoded.
    fn param(&self, name: &str) -> Option<String> {
        self.location
            .as_ref()?
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    fn redirected_error(&self) -> Option<String> {
        assert_eq!(self.status, 302, "a redirect is expected: {self:?}");
        self.param("error")
    }
}

/// `GET /o/oauth2/auth?…` without following the redirect.
async fn authorize(fake: &FakeGmail, params: &[(&str, &str)]) -> Consented {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a plain HTTP client builds");
    let response = client
        .get(fake.auth_url())
        .query(params)
        .send()
        .await
        .expect("the consent endpoint answers");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(|v| Url::parse(v).expect("Location is an absolute URL"));
    let text = response.text().await.expect("the body arrives whole");
    Consented {
        status,
        location,
        text,
    }
}

/// The parameters an installed app sends, as yup-oauth2 or the app would.
fn sign_in<'a>(
    oauth: &'a OAuthClient,
    redirect: &'a str,
    state: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", oauth.client_id.as_str()),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("state", state),
        ("code_challenge_method", "S256"),
        ("access_type", "offline"),
        ("prompt", "consent"),
    ]
}

/// `sign_in` plus the S256 challenge of `VERIFIER`.
async fn authorize_ok(fake: &FakeGmail, redirect: &str, state: &str) -> String {
    let oauth = OAuthClient::default();
    let challenge = challenge(VERIFIER);
    let mut params = sign_in(&oauth, redirect, state);
    params.push(("code_challenge", &challenge));
    let answer = authorize(fake, &params).await;
    assert_eq!(answer.status, 302, "consent redirects: {answer:?}");
    assert_eq!(answer.param("error"), None, "no error: {answer:?}");
    answer.param("code").expect("the redirect carries a code")
}

fn exchange_form<'a>(
    oauth: &'a OAuthClient,
    code: &'a str,
    redirect: &'a str,
    verifier: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", oauth.client_id.as_str()),
        ("client_secret", oauth.client_secret.as_str()),
        ("code", code),
        ("redirect_uri", redirect),
    ];
    form.extend(verifier.map(|v| ("code_verifier", v)));
    form
}

async fn refresh(fake: &FakeGmail, refresh_token: &str) -> common::Answer {
    let oauth = OAuthClient::default();
    common::post_token(
        fake,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &oauth.client_id),
            ("client_secret", &oauth.client_secret),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

async fn revoke(fake: &FakeGmail, token: &str) -> common::Answer {
    let response = common::client()
        .post(fake.revoke_url())
        .form(&[("token", token)])
        .send()
        .await
        .expect("the revoke endpoint answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("the body arrives whole");
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    common::Answer { status, text, json }
}

fn assert_oauth_error(
    answer: &common::Answer,
    status: u16,
    error: &str,
    description: Option<&str>,
) {
    assert_eq!(
        answer.status, status,
        "HTTP status should be {status}: {}",
        answer.text
    );
    assert_eq!(
        answer.json["error"], error,
        "the OAuth error code: {}",
        answer.text
    );
    if let Some(description) = description {
        assert_eq!(
            answer.json["error_description"], description,
            "the OAuth error description: {}",
            answer.text
        );
    }
}

fn token_of(answer: &common::Answer, field: &str) -> String {
    answer.json[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {}", answer.text))
        .to_string()
}

async fn start() -> FakeGmail {
    FakeGmail::start(FakeConfig::default().messages(3).seed(11))
        .await
        .expect("starts")
}

/// Authorize → exchange → Gmail call → refresh → Gmail call, as the app's sign-in does it.
#[tokio::test]
async fn sign_in_happy_path() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let state = "st ate/+&=?#ü";
    let code = authorize_ok(&fake, REDIRECT, state).await;

    let challenge = challenge(VERIFIER);
    let mut params = sign_in(&oauth, REDIRECT, state);
    params.push(("code_challenge", &challenge));
    let again = authorize(&fake, &params).await;
    let location = again.location.clone().expect("a Location");
    assert_eq!(
        location.as_str().split('?').next(),
        Some(REDIRECT),
        "back to the very redirect URI"
    );
    let keys: Vec<String> = location
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(keys, ["state", "code", "scope"], "Google's parameter order");
    assert_eq!(
        again.param("state").as_deref(),
        Some(state),
        "state echoed exactly"
    );
    assert_eq!(again.param("scope").as_deref(), Some(SCOPE), "scope echoed");
    assert!(code.starts_with("4/fake-"), "code format: {code}");
    assert_ne!(
        again.param("code"),
        Some(code.clone()),
        "each consent gives a new code"
    );

    let grant = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    assert_eq!(grant.status, 200, "the code grant succeeds: {}", grant.text);
    assert_eq!(grant.json["token_type"], "Bearer", "Bearer tokens");
    assert_eq!(grant.json["scope"], SCOPE, "the consented scope");
    assert_eq!(grant.json["expires_in"], 3600, "the configured lifetime");
    let access = token_of(&grant, "access_token");
    let refresh_token = token_of(&grant, "refresh_token");
    assert!(
        refresh_token.starts_with("1//fake-refresh-"),
        "refresh token format: {refresh_token}"
    );
    assert_ne!(
        refresh_token, oauth.refresh_token,
        "a new refresh token per code"
    );

    let profile = common::call_with(&fake, PROFILE, Some(&access)).await;
    assert_eq!(
        profile.status, 200,
        "the access token works: {}",
        profile.text
    );
    assert_eq!(
        profile.json["emailAddress"],
        fake.email_address(),
        "the profile answers"
    );

    let refreshed = refresh(&fake, &refresh_token).await;
    assert_eq!(
        refreshed.status, 200,
        "the minted refresh token refreshes: {}",
        refreshed.text
    );
    assert!(
        refreshed.json.get("refresh_token").is_none(),
        "a refresh grant names no refresh token: {}",
        refreshed.text
    );
    assert_eq!(
        refreshed.json["scope"], SCOPE,
        "the refresh keeps the consented scope"
    );
    let renewed = token_of(&refreshed, "access_token");
    assert_ne!(renewed, access, "a new access token");
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&renewed))
            .await
            .status,
        200,
        "the refreshed token works"
    );
    assert_eq!(
        refresh(&fake, &oauth.refresh_token).await.status,
        200,
        "the configured refresh token still works"
    );

    let issued = fake.issued_tokens();
    for secret in [&code, &refresh_token, &access, &renewed] {
        assert!(
            issued.contains(secret),
            "issued_tokens lists {secret}: {issued:?}"
        );
    }
    let counts = fake.counts();
    assert_eq!(counts.authorize, 2, "both consent requests are counted");
    assert_eq!(counts.token, 3, "exchange and two refreshes are counted");
    fake.shutdown().await;
}

/// Any port and path on 127.0.0.1, [::1] or localhost is a valid Desktop redirect.
#[tokio::test]
async fn loopback_redirects_on_any_port_and_path() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    for redirect in [
        "http://127.0.0.1:1/",
        "http://[::1]:65535/deep/path",
        "http://localhost:8080",
        "http://localhost/cb?keep=1",
    ] {
        let code = authorize_ok(&fake, redirect, "s").await;
        let grant = common::post_token(
            &fake,
            &exchange_form(&oauth, &code, redirect, Some(VERIFIER)),
        )
        .await;
        assert_eq!(grant.status, 200, "{redirect} exchanges: {}", grant.text);
    }
}

#[tokio::test]
async fn wrong_verifier_is_invalid_grant() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let other = "another-verifier-0123456789-abcdefghijklmnop";
    let wrong =
        common::post_token(&fake, &exchange_form(&oauth, &code, REDIRECT, Some(other))).await;
    assert_oauth_error(&wrong, 400, "invalid_grant", Some("Invalid code verifier."));

    let short = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some("short")),
    )
    .await;
    assert_oauth_error(&short, 400, "invalid_request", None);
    let bad_chars = format!("{VERIFIER}+/=");
    let bad = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some(&bad_chars)),
    )
    .await;
    assert_oauth_error(&bad, 400, "invalid_request", None);

    let right = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    assert_eq!(
        right.status, 200,
        "a refused exchange leaves the code usable: {}",
        right.text
    );
}

#[tokio::test]
async fn missing_verifier_is_invalid_grant() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let missing = common::post_token(&fake, &exchange_form(&oauth, &code, REDIRECT, None)).await;
    assert_oauth_error(
        &missing,
        400,
        "invalid_grant",
        Some("Missing code verifier."),
    );
}

#[tokio::test]
async fn replayed_and_unknown_codes_are_invalid_grant() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let form = exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER));
    assert_eq!(
        common::post_token(&fake, &form).await.status,
        200,
        "first use works"
    );
    let replay = common::post_token(&fake, &form).await;
    assert_oauth_error(
        &replay,
        400,
        "invalid_grant",
        Some("Code was already redeemed."),
    );

    let unknown = common::post_token(
        &fake,
        &exchange_form(
            &oauth,
            "4/fake-99-0000000000000000",
            REDIRECT,
            Some(VERIFIER),
        ),
    )
    .await;
    assert_oauth_error(&unknown, 400, "invalid_grant", Some("Malformed auth code."));

    let mut wrong_secret = exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER));
    wrong_secret[2] = ("client_secret", "guess");
    let refused = common::post_token(&fake, &wrong_secret).await;
    assert_oauth_error(&refused, 401, "invalid_client", None);
}

#[tokio::test]
async fn redirect_uri_must_match_at_exchange() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let other = "http://127.0.0.1:53118/oauth2/callback";
    let mismatch =
        common::post_token(&fake, &exchange_form(&oauth, &code, other, Some(VERIFIER))).await;
    assert_oauth_error(&mismatch, 400, "redirect_uri_mismatch", Some("Bad Request"));
}

/// A code is issued to one client: after the client changes, it no longer redeems.
#[tokio::test]
async fn code_of_another_client_is_invalid_grant() {
    let fake = start().await;
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let other = OAuthClient {
        client_id: "other-client.apps.example.com".into(),
        ..OAuthClient::default()
    };
    fake.set_oauth(other.clone());
    let answer = common::post_token(
        &fake,
        &exchange_form(&other, &code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    assert_oauth_error(&answer, 400, "invalid_grant", None);
}

/// Untrusted clients and redirect URIs get Google's HTML error page, never a redirect.
#[tokio::test]
async fn bad_client_or_redirect_gets_a_page_not_a_redirect() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let challenge = challenge(VERIFIER);
    for redirect in [
        "http://example.com/cb",
        "https://127.0.0.1:53117/cb",
        "http://127.0.0.2:53117/cb",
        "com.example.app:/oauth2redirect",
        "not a url",
    ] {
        let mut params = sign_in(&oauth, redirect, "s");
        params.push(("code_challenge", &challenge));
        let answer = authorize(&fake, &params).await;
        assert_eq!(answer.status, 400, "{redirect} is refused: {answer:?}");
        assert!(answer.location.is_none(), "no redirect for {redirect}");
        assert!(
            answer.text.contains("Error 400: redirect_uri_mismatch"),
            "Google's page for {redirect}: {}",
            answer.text
        );
    }
    let mut no_redirect: Vec<_> = sign_in(&oauth, REDIRECT, "s")
        .into_iter()
        .filter(|(k, _)| *k != "redirect_uri")
        .collect();
    no_redirect.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &no_redirect).await;
    assert_eq!(answer.status, 400, "a missing redirect_uri is refused");
    assert!(
        answer.text.contains("Error 400: redirect_uri_mismatch"),
        "{}",
        answer.text
    );

    let stranger = OAuthClient {
        client_id: "stranger.apps.example.com".into(),
        ..OAuthClient::default()
    };
    let mut params = sign_in(&stranger, REDIRECT, "s");
    params.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &params).await;
    assert_eq!(answer.status, 401, "an unknown client is a 401: {answer:?}");
    assert!(
        answer.location.is_none(),
        "no redirect for an unknown client"
    );
    assert!(
        answer.text.contains("Error 401: invalid_client"),
        "{}",
        answer.text
    );
    assert_eq!(
        fake.counts().authorize,
        7,
        "every consent request is counted"
    );
    assert!(fake.issued_tokens().is_empty(), "no code was handed out");
}

/// Errors after the redirect URI is trusted go back to it, with `state`.
#[tokio::test]
async fn pkce_and_request_errors_redirect_with_state() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let challenge = challenge(VERIFIER);
    let state = "xyz-123";

    let mut plain = sign_in(&oauth, REDIRECT, state);
    plain.retain(|(k, _)| *k != "code_challenge_method");
    plain.push(("code_challenge_method", "plain"));
    plain.push(("code_challenge", VERIFIER));
    let answer = authorize(&fake, &plain).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("invalid_request"),
        "plain is refused"
    );
    assert_eq!(
        answer.param("state").as_deref(),
        Some(state),
        "state comes back"
    );
    assert!(
        answer.param("error_description").is_some(),
        "a description comes back"
    );
    assert_eq!(answer.param("code"), None, "no code");

    let mut no_method = sign_in(&oauth, REDIRECT, state);
    no_method.retain(|(k, _)| *k != "code_challenge_method");
    no_method.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &no_method).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("invalid_request"),
        "no method means plain, refused"
    );

    let no_challenge = sign_in(&oauth, REDIRECT, state);
    let answer = authorize(&fake, &no_challenge).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("invalid_request"),
        "PKCE is required"
    );

    let mut implicit = sign_in(&oauth, REDIRECT, state);
    implicit.retain(|(k, _)| *k != "response_type");
    implicit.push(("response_type", "token"));
    implicit.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &implicit).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("unsupported_response_type"),
        "only the code flow"
    );

    let mut no_scope = sign_in(&oauth, REDIRECT, state);
    no_scope.retain(|(k, _)| *k != "scope");
    no_scope.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &no_scope).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("invalid_scope"),
        "a scope is needed"
    );
    assert_eq!(
        answer.param("state").as_deref(),
        Some(state),
        "state comes back"
    );

    let mut stateless: Vec<_> = sign_in(&oauth, REDIRECT, state)
        .into_iter()
        .filter(|(k, _)| *k != "state")
        .collect();
    stateless.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &stateless).await;
    assert_eq!(answer.status, 302, "state is optional: {answer:?}");
    assert_eq!(answer.param("state"), None, "no state, none echoed");
    assert!(answer.param("code").is_some(), "a code");
}

#[tokio::test]
async fn denied_consent_redirects_access_denied() {
    let fake = FakeGmail::start(FakeConfig::default().messages(1).consent(Consent::Deny))
        .await
        .expect("starts");
    let oauth = OAuthClient::default();
    let challenge = challenge(VERIFIER);
    let mut params = sign_in(&oauth, REDIRECT, "deny-state");
    params.push(("code_challenge", &challenge));
    let answer = authorize(&fake, &params).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("access_denied"),
        "the user said no"
    );
    assert_eq!(
        answer.param("state").as_deref(),
        Some("deny-state"),
        "state comes back"
    );
    assert_eq!(answer.param("code"), None, "no code");

    fake.set_consent(Consent::Approve);
    authorize_ok(&fake, REDIRECT, "s").await;
    fake.set_consent(Consent::Deny);
    let answer = authorize(&fake, &params).await;
    assert_eq!(
        answer.redirected_error().as_deref(),
        Some("access_denied"),
        "the knob turns back"
    );
}

/// Revoking a refresh token refuses it and takes its access tokens down; `/revoke` errors.
#[tokio::test]
async fn revoked_refresh_token_cannot_refresh() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let grant = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    let refresh_token = token_of(&grant, "refresh_token");
    let access = token_of(&grant, "access_token");
    let from_configured = token_of(&refresh(&fake, &oauth.refresh_token).await, "access_token");

    let revoked = revoke(&fake, &refresh_token).await;
    assert_eq!(revoked.status, 200, "revocation succeeds: {}", revoked.text);
    assert_eq!(revoked.json, serde_json::json!({}), "an empty JSON object");
    let refused = refresh(&fake, &refresh_token).await;
    assert_oauth_error(
        &refused,
        400,
        "invalid_grant",
        Some("Token has been expired or revoked."),
    );
    let call = common::call_with(&fake, PROFILE, Some(&access)).await;
    common::assert_google_error(&call, 401, "UNAUTHENTICATED", "authError");
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&from_configured))
            .await
            .status,
        200,
        "tokens of other refresh tokens keep working"
    );

    let twice = revoke(&fake, &refresh_token).await;
    assert_oauth_error(
        &twice,
        400,
        "invalid_token",
        Some("Token expired or revoked"),
    );
    let unknown = revoke(&fake, "nobody-issued-this").await;
    assert_oauth_error(
        &unknown,
        400,
        "invalid_token",
        Some("Token expired or revoked"),
    );

    assert_eq!(
        revoke(&fake, &from_configured).await.status,
        200,
        "access tokens can be revoked"
    );
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&from_configured))
            .await
            .status,
        401,
        "a revoked access token is refused"
    );
    assert_eq!(
        refresh(&fake, &oauth.refresh_token).await.status,
        200,
        "revoking an access token leaves its refresh token"
    );

    assert_eq!(
        revoke(&fake, &oauth.refresh_token).await.status,
        200,
        "the configured one too"
    );
    let configured = refresh(&fake, &oauth.refresh_token).await;
    assert_oauth_error(
        &configured,
        400,
        "invalid_grant",
        Some("Token has been expired or revoked."),
    );
    assert_eq!(fake.counts().revoke, 5, "every revocation is counted");
}

/// The user removing the app's access: every refresh token and access token stops working.
#[tokio::test]
async fn revoke_refresh_tokens_knob() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let grant = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    let minted = token_of(&grant, "refresh_token");
    let access = token_of(&grant, "access_token");

    fake.revoke_refresh_tokens();
    for token in [&minted, &oauth.refresh_token] {
        let answer = refresh(&fake, token).await;
        assert_oauth_error(
            &answer,
            400,
            "invalid_grant",
            Some("Token has been expired or revoked."),
        );
    }
    assert_eq!(
        common::call_with(&fake, PROFILE, Some(&access))
            .await
            .status,
        401,
        "access tokens go too"
    );

    let code = authorize_ok(&fake, REDIRECT, "s").await;
    let again = common::post_token(
        &fake,
        &exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    let fresh = token_of(&again, "refresh_token");
    assert_eq!(
        refresh(&fake, &fresh).await.status,
        200,
        "signing in again works"
    );

    fake.set_oauth(OAuthClient {
        refresh_token: "another-configured-token".into(),
        ..OAuthClient::default()
    });
    assert_eq!(
        refresh(&fake, "another-configured-token").await.status,
        200,
        "a newly configured refresh token works"
    );
}

/// Codes live ten minutes of the fake clock.
#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let clock = ManualClock::new();
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(1)
            .clock(Arc::new(clock.clone())),
    )
    .await
    .expect("starts");
    let oauth = OAuthClient::default();
    let early = authorize_ok(&fake, REDIRECT, "s").await;
    let late = authorize_ok(&fake, REDIRECT, "s").await;
    clock.advance(Duration::from_secs(599));
    let in_time = common::post_token(
        &fake,
        &exchange_form(&oauth, &early, REDIRECT, Some(VERIFIER)),
    )
    .await;
    assert_eq!(
        in_time.status, 200,
        "valid just before ten minutes: {}",
        in_time.text
    );
    clock.advance(Duration::from_secs(1));
    let expired = common::post_token(
        &fake,
        &exchange_form(&oauth, &late, REDIRECT, Some(VERIFIER)),
    )
    .await;
    assert_oauth_error(&expired, 400, "invalid_grant", Some("Malformed auth code."));
}

/// The Desktop client file names this fake's endpoints, in Google's shape.
#[tokio::test]
async fn client_secret_json_is_googles_desktop_shape() {
    let fake = start().await;
    let oauth = OAuthClient::default();
    let base = fake.base_url();
    assert_eq!(fake.auth_url(), format!("{base}o/oauth2/auth"));
    assert_eq!(fake.revoke_url(), format!("{base}revoke"));
    let file: serde_json::Value =
        serde_json::from_str(&fake.client_secret_json()).expect("the client file is JSON");
    assert_eq!(
        file,
        serde_json::json!({"installed": {
            "client_id": oauth.client_id,
            "project_id": "fake-project",
            "auth_uri": fake.auth_url(),
            "token_uri": fake.token_url(),
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_secret": oauth.client_secret,
            "redirect_uris": ["http://localhost"],
        }}),
        "Google's Desktop app client file"
    );
    let token_origin = Url::parse(&fake.token_url())
        .expect("a URL")
        .join("/revoke")
        .expect("joins");
    assert_eq!(
        token_origin.as_str(),
        fake.revoke_url(),
        "revoke sits at the token URL's origin"
    );
}

/// Codes and refresh tokens come from the seed: two fakes of one seed hand out the same ones.
#[tokio::test]
async fn issued_secrets_are_deterministic() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let fake = start().await;
        let oauth = OAuthClient::default();
        let code = authorize_ok(&fake, REDIRECT, "s").await;
        let grant = common::post_token(
            &fake,
            &exchange_form(&oauth, &code, REDIRECT, Some(VERIFIER)),
        )
        .await;
        assert_eq!(grant.status, 200, "{}", grant.text);
        runs.push(fake.issued_tokens());
    }
    assert_eq!(
        runs[0].len(),
        3,
        "a code, a refresh token and an access token: {:?}",
        runs[0]
    );
    assert_eq!(runs[0], runs[1], "same seed, same secrets");
}
