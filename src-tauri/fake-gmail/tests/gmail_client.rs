//! The real google-gmail1 client, pointed at the fake over real HTTP, works unchanged.

mod common;

use std::collections::BTreeSet;

use fake_gmail::{FakeConfig, FakeGmail, OAuthClient};
use google_gmail1::api::Scope;
use google_gmail1::hyper_util::client::legacy::connect::HttpConnector;
use google_gmail1::hyper_util::client::legacy::Client;
use google_gmail1::hyper_util::rt::TokioExecutor;
use google_gmail1::{common as gcommon, Gmail};

/// A hub on plain HTTP (the fake is loopback-only) authenticating with a fixed bearer token.
fn hub(fake: &FakeGmail, token: String) -> Gmail<HttpConnector> {
    let client: gcommon::Client<HttpConnector> =
        Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let mut hub = Gmail::new(client, token);
    // google-gmail1 builds `{base_url}gmail/v1/users/…`; root_url is only used for uploads.
    hub.base_url(fake.base_url());
    hub.root_url(fake.base_url());
    hub
}

/// profile, messages.list with paging and messages.get format=raw all work through google-gmail1.
#[tokio::test]
async fn google_gmail1_reads_the_whole_mailbox() {
    let fake = common::start(FakeConfig::default().messages(130).seed(41)).await;
    let hub = hub(&fake, common::TOKEN.to_string());

    let (_, profile) = hub
        .users()
        .get_profile("me")
        .add_scope(Scope::Readonly)
        .doit()
        .await
        .expect("getProfile succeeds against the fake");
    assert_eq!(
        profile.email_address.as_deref(),
        Some(fake.email_address().as_str()),
        "the profile names the owner"
    );
    assert_eq!(
        profile.messages_total,
        Some(130),
        "messagesTotal counts the mailbox"
    );
    assert_eq!(
        profile.history_id,
        Some(fake.history_id()),
        "historyId parses as a number from its string"
    );

    let mut ids = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut call = hub
            .users()
            .messages_list("me")
            .max_results(50)
            .add_scope(Scope::Readonly);
        if let Some(token) = &page_token {
            call = call.page_token(token);
        }
        let (_, list) = call
            .doit()
            .await
            .expect("messages.list succeeds against the fake");
        ids.extend(
            list.messages
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.id),
        );
        match list.next_page_token {
            Some(token) => page_token = Some(token),
            None => break,
        }
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        (ids.len(), unique.len()),
        (130, 130),
        "three pages list all 130 messages once each"
    );

    for truth in fake.truth().iter().step_by(13) {
        let (_, message) = hub
            .users()
            .messages_get("me", &truth.id)
            .format("raw")
            .add_scope(Scope::Readonly)
            .doit()
            .await
            .expect("messages.get format=raw succeeds against the fake");
        assert_eq!(
            message.raw.as_deref(),
            Some(&truth.raw[..]),
            "google-gmail1 decodes raw to the exact bytes of {}",
            truth.id
        );
        assert_eq!(
            message.internal_date,
            Some(truth.internal_date),
            "internalDate parses as i64 ms"
        );
        assert_eq!(
            message.thread_id.as_deref(),
            Some(truth.thread_id.as_str()),
            "threadId comes through"
        );
        assert_eq!(
            message.size_estimate,
            Some(truth.raw.len() as i32),
            "sizeEstimate comes through"
        );
    }

    let (_, full) = hub
        .users()
        .messages_get("me", &ids[0])
        .format("full")
        .add_scope(Scope::Readonly)
        .doit()
        .await
        .expect("messages.get format=full parses into google-gmail1's MessagePart tree");
    assert!(
        full.payload.and_then(|p| p.mime_type).is_some(),
        "the payload has a mime type"
    );
}

/// history.list and a 404 for a deleted message come through google-gmail1 as Gmail's would.
#[tokio::test]
async fn google_gmail1_sees_history_and_errors() {
    let fake = common::start(FakeConfig::default().messages(10).seed(42)).await;
    let hub = hub(&fake, common::TOKEN.to_string());
    let start = fake.history_id();
    let added = fake.add_messages(2);
    fake.delete_messages(&[added[0].clone()]);
    let (_, history) = hub
        .users()
        .history_list("me")
        .start_history_id(start)
        .add_scope(Scope::Readonly)
        .doit()
        .await
        .expect("history.list succeeds against the fake");
    let records = history.history.unwrap_or_default();
    let added_ids: BTreeSet<String> = records
        .iter()
        .flat_map(|r| r.messages_added.clone().unwrap_or_default())
        .filter_map(|a| a.message.and_then(|m| m.id))
        .collect();
    assert_eq!(
        added_ids,
        added.iter().cloned().collect(),
        "both arrivals are in history"
    );
    assert!(
        records.iter().any(|r| r.messages_deleted.is_some()),
        "the deletion is in history"
    );
    assert_eq!(
        history.history_id,
        Some(fake.history_id()),
        "the current historyId comes back"
    );

    let gone = hub
        .users()
        .messages_get("me", &added[0])
        .format("raw")
        .add_scope(Scope::Readonly)
        .doit()
        .await;
    match gone {
        Err(google_gmail1::Error::BadRequest(body)) => {
            assert_eq!(
                body["error"]["code"], 404,
                "Google's error envelope reaches the client: {body}"
            )
        }
        other => panic!("a deleted message must be a 404 error, got {other:?}"),
    }
}

/// A token minted by the fake's refresh grant works with google-gmail1.
#[tokio::test]
async fn google_gmail1_with_a_refreshed_token() {
    let fake = FakeGmail::start(FakeConfig::default().messages(3))
        .await
        .expect("starts");
    let oauth = OAuthClient::default();
    let grant = common::post_token(
        &fake,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &oauth.client_id),
            ("client_secret", &oauth.client_secret),
            ("refresh_token", &oauth.refresh_token),
        ],
    )
    .await;
    let token = grant.json["access_token"]
        .as_str()
        .expect("the grant issues a token")
        .to_string();
    let hub = hub(&fake, token);
    let (_, profile) = hub
        .users()
        .get_profile("me")
        .add_scope(Scope::Readonly)
        .doit()
        .await
        .expect("the refreshed token is accepted");
    assert_eq!(profile.messages_total, Some(3), "the profile is served");
}
