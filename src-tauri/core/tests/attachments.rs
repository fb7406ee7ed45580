//! Attachments on demand against the fake Gmail server over real HTTP through google-gmail1:
//! a sync stores what each attachment is (name, type, size, Gmail part id) and
//! `GmailSource::attachment` fetches its bytes with `messages.attachments.get`, byte for byte.
mod common;

use common::sync::*;
use common::*;
use fake_gmail::FakeConfig;
use inbox_sync_core::sync::{MailStore, SourceError, StoredAttachment};
use inbox_sync_core::RunStatus;

/// Every attachment of a synced mailbox is listed from the store as the server has it, and fetched on demand is byte-for-byte the server's, through `messages.get?format=full` and `messages.attachments.get`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attachment_is_listed_and_fetched_byte_for_byte() {
    let fake = fake(FakeConfig::default().messages(300).seed(15)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let report = sync(&ledger(&store), &fake).await;
    assert_eq!(report.status(), RunStatus::Success, "{:?}", report.outcome);
    let mail = MailStore::new(store.clone());
    let source = source(&fake);

    let mut fetched = 0;
    let mut largest = 0;
    for truth in fake.truth() {
        let want = truth.attachments();
        if want.is_empty() || truth.kind.is_malformed() {
            continue;
        }
        let stored = mail
            .message(&truth.id)
            .await
            .expect("read the store")
            .expect("the message is stored");
        let names: Vec<Option<String>> = stored
            .attachments
            .iter()
            .map(|a| a.filename.clone())
            .collect();
        let want_names: Vec<Option<String>> = want.iter().map(|(n, _)| Some(n.clone())).collect();
        assert_eq!(
            names, want_names,
            "the store lists the attachments of {}",
            truth.id
        );
        for (index, (attachment, (name, bytes))) in stored.attachments.iter().zip(&want).enumerate()
        {
            assert_eq!(
                attachment.size,
                bytes.len() as u64,
                "the stored size of {name} is its decoded size"
            );
            assert!(
                attachment.part_id.is_some(),
                "the sync recorded the part id of {name}"
            );
            let got = source
                .attachment(&truth.id, attachment, index)
                .await
                .unwrap_or_else(|e| panic!("{name} of {} is fetched: {e}", truth.id));
            assert!(
                got == *bytes,
                "{name} of {} is byte-for-byte the server's",
                truth.id
            );
            fetched += 1;
            largest = largest.max(got.len());
        }
    }
    assert!(fetched >= 10, "enough attachments were tried: {fetched}");
    assert!(
        fake.request_paths()
            .iter()
            .any(|p| p.contains("/attachments/")),
        "the bytes came through messages.attachments.get"
    );
    eprintln!("fetched {fetched} attachments, the largest {largest} bytes");
}

/// Mail stored before part ids were recorded still finds its attachment (by position among the named parts); a name that is not there is a clear NotFound, never the wrong file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_without_part_ids_and_missing_ones() {
    let fake = fake(FakeConfig::default().messages(60).seed(16)).await;
    let source = source(&fake);
    let truth = fake
        .truth()
        .into_iter()
        .find(|t| t.attachments().len() >= 2 && !t.kind.is_malformed())
        .expect("a message with two attachments");
    let want = truth.attachments();
    let legacy = StoredAttachment {
        filename: Some(want[1].0.clone()),
        mime_type: "application/octet-stream".into(),
        size: want[1].1.len() as u64,
        part_id: None,
    };
    let got = source
        .attachment(&truth.id, &legacy, 1)
        .await
        .expect("found by position");
    assert!(got == want[1].1, "the second attachment, byte for byte");

    let wrong = StoredAttachment {
        filename: Some("not-there.exe".into()),
        part_id: Some("1".into()),
        ..legacy
    };
    match source.attachment(&truth.id, &wrong, 0).await {
        Err(SourceError::NotFound(message)) => {
            assert!(message.contains("not-there.exe"), "says which: {message}")
        }
        other => panic!("a missing attachment is NotFound, not {other:?}"),
    }
    match source.attachment("ffffffffffff", &wrong, 0).await {
        Err(SourceError::NotFound(_)) => {}
        other => panic!("a missing message is NotFound, not {other:?}"),
    }
}

/// An HTML mail's `cid:` image (a multipart/related part) is kept at sync and shows from the
/// store as a `data:` URL, with nothing asked of Gmail when the message is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cid_image_is_kept_at_sync_and_shown_from_the_store() {
    use fake_gmail::corpus;
    use inbox_sync_core::mail::safe_html;

    let mut config = FakeConfig::default().messages(30).seed(16);
    config.mailbox.featured = corpus::hostile_html("http://127.0.0.1:9");
    let fake = fake(config).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let report = sync(&ledger(&store), &fake).await;
    assert_eq!(report.status(), RunStatus::Success, "{:?}", report.outcome);
    let mail = MailStore::new(store.clone());
    let remote = fake
        .truth()
        .into_iter()
        .find(|t| t.subject().is_some_and(|s| s.contains("Remote images")))
        .expect("the remote-images mail is in the mailbox");
    let stored = mail
        .message(&remote.id)
        .await
        .expect("read the store")
        .expect("the message is stored");
    let html = stored.html_body.expect("its HTML is stored");

    let requests_before = fake.request_paths().len();
    let inline = mail.inline_images(&remote.id).await.expect("read its images");
    let shown = safe_html(&html, false, inline);
    assert_eq!(shown.inline_shown, 1, "the logo shows");
    assert_eq!(shown.inline_missing, 0, "no cid: image is missing");
    use base64::Engine as _;
    let data = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(corpus::INLINE_LOGO_PNG)
    );
    assert!(
        shown.document.contains(&data),
        "the logo is the server's bytes, as a data: URL"
    );
    assert!(shown.remote_blocked >= 3, "remote images stay blocked");
    assert_eq!(
        fake.request_paths().len(),
        requests_before,
        "showing it asked Gmail nothing"
    );

    // Mail without `cid:` keeps no images.
    let plain = fake
        .truth()
        .into_iter()
        .find(|t| !t.subject().is_some_and(|s| s.contains("Remote images")))
        .expect("another message");
    let none = mail.inline_images(&plain.id).await.expect("read its images");
    assert!(none.is_empty(), "{} keeps no inline image", plain.id);
}
