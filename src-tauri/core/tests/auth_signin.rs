//! Signing in as an installed app against the fake Google: the real loopback listener, the
//! real token endpoint with PKCE, a stand-in browser (`fake_gmail::browser`) doing what the
//! user's browser would. Every refusal must leave nothing stored.
mod common;

#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::sync::{assert_mirrors, options, sync_with};
use fake_gmail::{browser, Consent, FakeConfig, FakeGmail};
use inbox_sync_core::auth::{
    exchange_code, Accounts, AuthError, OAuthClientConfig, PendingSignIn, SignedIn, TokenStoreKind,
    VaultPreference,
};
use inbox_sync_core::gmail::{GmailEndpoint, GmailSource};
use tokio_util::sync::CancellationToken;
use url::Url;

const EMAIL: &str = "someone@example.com";

async fn fake(messages: usize) -> FakeGmail {
    FakeGmail::start(
        FakeConfig::default()
            .messages(messages)
            .seed(11)
            .email_address(EMAIL),
    )
    .await
    .expect("fake starts")
}

fn client(fake: &FakeGmail) -> OAuthClientConfig {
    OAuthClientConfig::from_json(&fake.client_secret_json()).expect("the fake's client file parses")
}

fn param(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// The data directory holds nothing an account would leave behind.
fn assert_nothing_stored(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.is_empty(),
        "nothing may be stored after a refused sign-in: {left:?}"
    );
}

async fn finish(pending: PendingSignIn, limit: Duration) -> Result<SignedIn, AuthError> {
    pending.finish(limit, &CancellationToken::new()).await
}

/// The whole flow through the real listener (RFC 8252 URL, consent, code + PKCE) ends in a synced account, with tokens only in the 0600 file.
#[tokio::test]
async fn sign_in_through_the_loopback_then_sync_the_account() {
    let fake = fake(150).await;
    let data = tempfile::tempdir().unwrap();
    let accounts = Accounts::new(data.path(), VaultPreference::File);
    let config = client(&fake);
    let pending = PendingSignIn::start(config.clone()).await.unwrap();
    let url = pending.url().to_owned();
    // RFC 8252: loopback IP literal with an ephemeral port, PKCE S256, a state, offline access.
    let redirect = param(&url, "redirect_uri").unwrap();
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"),
        "{redirect}"
    );
    assert_ne!(Url::parse(&redirect).unwrap().port(), Some(0));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(param(&url, "code_challenge").map(|c| c.len()), Some(43));
    assert!(param(&url, "state").is_some_and(|s| s.len() >= 16));
    assert_eq!(param(&url, "access_type").as_deref(), Some("offline"));
    assert_eq!(
        param(&url, "scope").as_deref(),
        Some("https://www.googleapis.com/auth/gmail.readonly")
    );

    let (consent, landing) = browser::sign_in(&url).await.unwrap();
    assert_eq!(consent.status, 302);
    assert_eq!(landing.status, 200, "{}", landing.body);
    assert!(
        landing.body.contains("You can close this tab"),
        "{}",
        landing.body
    );

    let signed_in = finish(pending, Duration::from_secs(10)).await.unwrap();
    let endpoint = GmailEndpoint::custom(&fake.base_url()).unwrap();
    let record = accounts
        .connect(&config, signed_in, &endpoint, 1)
        .await
        .unwrap();
    assert_eq!(
        record.email, EMAIL,
        "the address comes from Gmail's profile"
    );
    assert_eq!(record.token_store, TokenStoreKind::File);
    #[cfg(unix)]
    assert_eq!(
        std::fs::metadata(accounts.vault().file_path(EMAIL))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600,
        "the token file is readable by its owner only"
    );
    assert_eq!(accounts.current().unwrap(), Some(record.clone()));

    // The saved sign-in drives a real sync (refresh grant → Gmail calls).
    let store = common::open_store(&data.path().join("account.sqlite3")).await;
    let ledger = common::sync::ledger(&store);
    let grant = accounts.token_grant(&record).await.unwrap();
    let source = GmailSource::new(&endpoint, grant, Duration::from_secs(10)).unwrap();
    let (report, _) = sync_with(&ledger, std::sync::Arc::new(source), options()).await;
    assert_eq!(
        report.status(),
        inbox_sync_core::RunStatus::Success,
        "{:?}",
        report.outcome
    );
    assert_mirrors(&store, &fake).await;

    // Tokens stay out of the database and the account record.
    store.close().await;
    let tokens = fake.issued_tokens();
    assert!(
        tokens.len() >= 3,
        "a code, a refresh token and access tokens: {tokens:?}"
    );
    let files = [
        data.path().join("account.sqlite3"),
        data.path().join("account.sqlite3-wal"),
        accounts.record_path(EMAIL),
    ];
    assert!(files[2].exists(), "the account's record is in its folder");
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        let file = file.display();
        let text = String::from_utf8_lossy(&bytes);
        for token in &tokens {
            assert!(!text.contains(token.as_str()), "{file} holds a token");
        }
    }
}

/// An answer with another `state` is refused in the browser and by the sign-in, and nothing is stored.
#[tokio::test]
async fn a_wrong_state_is_refused_and_nothing_is_stored() {
    let fake = fake(5).await;
    let data = tempfile::tempdir().unwrap();
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let forged = with_param(pending.url(), "state", "forged-state-value");
    let (_, landing) = browser::sign_in(&forged).await.unwrap();
    assert_eq!(landing.status, 400);
    assert!(
        landing.body.contains("state does not match"),
        "{}",
        landing.body
    );
    let err = finish(pending, Duration::from_secs(10)).await.unwrap_err();
    assert_eq!(err.code(), "signInRefused");
    assert!(err.to_string().contains("state does not match"), "{err}");
    assert_nothing_stored(data.path());
}

/// The token endpoint refuses a code without its PKCE verifier or with the wrong one.
#[tokio::test]
async fn a_missing_or_wrong_pkce_verifier_is_refused() {
    let fake = fake(5).await;
    let config = client(&fake);
    let pending = PendingSignIn::start(config.clone()).await.unwrap();
    let redirect = pending.redirect_uri();
    // Consent happens, but the code is taken before it reaches the app.
    let consent = browser::get(pending.url()).await.unwrap();
    let code = param(consent.location.as_deref().unwrap(), "code").unwrap();

    let missing = exchange_code(&config, &code, None, &redirect)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "signInRefused");
    assert!(
        missing.to_string().contains("Missing code verifier"),
        "{missing}"
    );
    let wrong_verifier = "a".repeat(64);
    let wrong = exchange_code(&config, &code, Some(&wrong_verifier), &redirect)
        .await
        .unwrap_err();
    assert!(
        wrong.to_string().contains("Invalid code verifier"),
        "{wrong}"
    );
    assert!(
        !wrong.to_string().contains(&code),
        "errors never repeat the code"
    );
}

/// A redirect moved to another port, addressed to another host, or to a non-loopback URI is refused.
#[tokio::test]
async fn a_redirect_to_another_port_or_host_is_refused() {
    let fake = fake(5).await;
    let data = tempfile::tempdir().unwrap();

    // Another port: the answer never reaches this sign-in, which times out cleanly…
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_port = elsewhere.local_addr().unwrap().port();
    let other_redirect = format!("http://127.0.0.1:{other_port}/callback");
    let moved = with_param(pending.url(), "redirect_uri", &other_redirect);
    let consent = browser::get(&moved).await.unwrap();
    let location = consent.location.unwrap();
    assert!(location.starts_with(&other_redirect), "{location}");
    // …and its code, carried to this listener with the right state, fails the exchange:
    // it was issued for another redirect URI.
    let ours = location.replace(&other_redirect, &pending.redirect_uri());
    let landing = browser::get(&ours).await.unwrap();
    assert_eq!(landing.status, 200);
    let err = finish(pending, Duration::from_secs(10)).await.unwrap_err();
    assert_eq!(err.code(), "signInRefused");
    assert!(err.to_string().contains("redirect_uri_mismatch"), "{err}");

    // Another host in the request (DNS rebinding, a proxy): refused by the listener.
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let location = browser::get(pending.url()).await.unwrap().location.unwrap();
    let landing = browser::get_with_host(&location, Some("evil.example:80"))
        .await
        .unwrap();
    assert_eq!(landing.status, 400);
    let err = finish(pending, Duration::from_secs(10)).await.unwrap_err();
    assert!(
        err.to_string().contains("addressed to evil.example:80"),
        "{err}"
    );

    // And Google (the fake) never redirects to a host that is not this machine.
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let away = with_param(
        pending.url(),
        "redirect_uri",
        "http://evil.example/callback",
    );
    let page = browser::get(&away).await.unwrap();
    assert_eq!(page.status, 400);
    assert!(page.location.is_none());
    assert!(page.body.contains("redirect_uri_mismatch"));
    assert_nothing_stored(data.path());
}

/// The listener takes one answer (a second gets 409), closes after, and the code cannot be redeemed twice.
#[tokio::test]
async fn a_second_redirect_is_refused_and_the_code_works_once() {
    let fake = fake(5).await;
    let config = client(&fake);
    let pending = PendingSignIn::start(config.clone()).await.unwrap();
    let (consent, first) = browser::sign_in(pending.url()).await.unwrap();
    assert_eq!(first.status, 200);
    let location = consent.location.unwrap();
    let second = browser::get(&location).await.unwrap();
    assert_eq!(second.status, 409);
    assert!(
        second.body.contains("already received the answer"),
        "{}",
        second.body
    );
    let redirect = pending.redirect_uri();
    finish(pending, Duration::from_secs(10))
        .await
        .expect("the first answer signs in");
    // The listener is gone once sign-in is over, and the code cannot be redeemed again.
    assert!(browser::get(&location).await.is_err(), "the port is closed");
    let code = param(&location, "code").unwrap();
    let replay = exchange_code(&config, &code, Some(&"b".repeat(50)), &redirect)
        .await
        .unwrap_err();
    assert_eq!(replay.code(), "signInRefused");
}

/// A sign-in nobody finishes stops at its deadline, closes its port and stores nothing.
#[tokio::test]
async fn a_sign_in_nobody_finishes_times_out_and_closes_its_port() {
    let fake = fake(5).await;
    let data = tempfile::tempdir().unwrap();
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let redirect = pending.redirect_uri();
    let started = std::time::Instant::now();
    let err = finish(pending, Duration::from_millis(400))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.code(), "signInTimeout");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(
        browser::get(&format!("{redirect}?state=x&code=y"))
            .await
            .is_err(),
        "the listener stopped"
    );
    assert_nothing_stored(data.path());
}

/// Consent refused in the browser ends the sign-in with that reason.
#[tokio::test]
async fn access_denied_in_the_browser_is_refused_with_the_reason() {
    let fake = fake(5).await;
    fake.set_consent(Consent::Deny);
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let (_, landing) = browser::sign_in(pending.url()).await.unwrap();
    assert_eq!(landing.status, 400);
    let err = finish(pending, Duration::from_secs(10)).await.unwrap_err();
    assert!(err.to_string().contains("not granted"), "{err}");
}

/// Cancelling ends the wait for the browser at once.
#[tokio::test]
async fn cancelling_stops_the_wait() {
    let fake = fake(5).await;
    let pending = PendingSignIn::start(client(&fake)).await.unwrap();
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stopper.cancel();
    });
    let err = pending
        .finish(Duration::from_secs(30), &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "signInCancelled");
}

/// With `INBOX_SYNC_TEST_KEYRING=1` (set by `cargo xtask test`, which runs this test again in
/// a D-Bus session with an unlocked GNOME Keyring) a keyring must be there and be used;
/// otherwise whatever this session has is accepted, but a missing keyring must fail clearly.
#[tokio::test]
async fn the_keyring_is_used_when_there_is_one_and_fails_clearly_when_required_and_absent() {
    let required = std::env::var("INBOX_SYNC_TEST_KEYRING").as_deref() == Ok("1");
    let fake = fake(5).await;
    let data = tempfile::tempdir().unwrap();
    let accounts = Accounts::new(data.path(), VaultPreference::Keyring);
    let config = client(&fake);
    let pending = PendingSignIn::start(config.clone()).await.unwrap();
    browser::sign_in(pending.url()).await.unwrap();
    let signed_in = finish(pending, Duration::from_secs(10)).await.unwrap();
    let endpoint = GmailEndpoint::custom(&fake.base_url()).unwrap();
    match accounts.connect(&config, signed_in, &endpoint, 1).await {
        // A desktop session with a keyring: then the token is there and not in a file, and it
        // drives a sync; disconnecting deletes it from the keyring.
        Ok(record) => {
            assert_eq!(record.token_store, TokenStoreKind::Keyring);
            assert!(!accounts.vault().file_path(EMAIL).exists());
            let account_json = std::fs::read_to_string(accounts.record_path(EMAIL)).unwrap();
            for token in fake.issued_tokens() {
                assert!(!account_json.contains(&token));
            }
            let grant = accounts.token_grant(&record).await.unwrap();
            let source = GmailSource::new(&endpoint, grant, Duration::from_secs(10)).unwrap();
            use inbox_sync_core::sync::MailSource;
            assert_eq!(source.profile().await.unwrap().email_address, EMAIL);
            accounts.disconnect(EMAIL).await.unwrap();
            let gone = accounts
                .vault()
                .load(EMAIL, TokenStoreKind::Keyring)
                .unwrap_err();
            assert_eq!(gone.code(), "auth", "the keyring entry is deleted: {gone}");
            println!("token kept in and deleted from the keyring");
        }
        Err(e) => {
            assert!(!required, "a keyring was expected here: {e}");
            assert_eq!(e.code(), "keyring", "{e}");
            assert_nothing_stored(data.path());
        }
    }
}
