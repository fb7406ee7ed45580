//! The sync engine against the fake Gmail server over real HTTP through google-gmail1:
//! full and incremental syncs mirror the server, history expiry resyncs once.
mod common;

use std::time::Duration;

use common::sync::*;
use common::*;
use fake_gmail::FakeConfig;
use inbox_sync_core::sync::{MailStore, SyncKind};
use inbox_sync_core::RunStatus;

/// A full sync of 2,000 messages stores exactly the server's mailbox; counters match.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_mirrors_the_mailbox() {
    let fake = fake(FakeConfig::default().messages(2_000).seed(7)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let report = sync(&ledger, &fake).await;
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "the sync succeeds: {:?}",
        report.outcome
    );
    let summary = report.value.unwrap();
    assert_eq!(summary.kind, SyncKind::Full, "a first sync is full");
    assert_mirrors(&store, &fake).await;
    let run = run_row(&ledger, report.run_id).await;
    let counts = MailStore::new(store.clone()).counts().await.unwrap();
    assert_eq!(
        run.progress.fetched_emails, 2_000,
        "every message fetched once"
    );
    assert_eq!(
        run.progress.inserted_emails, 2_000,
        "every message inserted once"
    );
    assert_eq!(
        run.progress.stored_links, counts.links,
        "link counter matches the links table"
    );
    assert_eq!(
        run.kind.map(|k| k.as_str()),
        Some("full"),
        "the run records its kind"
    );
    assert!(
        counts.with_defects > 0,
        "the malformed messages are stored, with their defects"
    );
}

/// Mail added, deleted and relabelled between syncs is mirrored by an incremental sync, and
/// a sync with nothing new costs one history call (plus the run's one labels call).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_mirrors_changes() {
    let fake = fake(FakeConfig::default().messages(300).seed(11)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    assert_eq!(
        sync(&ledger, &fake).await.status(),
        RunStatus::Success,
        "first sync"
    );

    let truth = fake.truth();
    fake.add_messages(25);
    fake.delete_messages(&[
        truth[3].id.clone(),
        truth[100].id.clone(),
        truth[299].id.clone(),
    ]);
    fake.modify_labels(&truth[10].id, &["STARRED"], &["UNREAD"])
        .expect("the message exists");
    let report = sync(&ledger, &fake).await;
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "incremental sync: {:?}",
        report.outcome
    );
    let summary = report.value.unwrap();
    assert_eq!(summary.kind, SyncKind::Incremental, "history was used");
    assert_eq!(
        (summary.inserted, summary.deleted),
        (25, 3),
        "25 new, 3 gone"
    );
    assert_mirrors(&store, &fake).await;

    fake.reset_counts();
    let report = sync(&ledger, &fake).await;
    let counts = fake.counts();
    // One history.list for the (absent) changes, and the labels.list every run makes so label
    // names stay current (issue "Gmail as it really is": 1 quota unit a sync).
    assert_eq!(
        report.value.unwrap().requests,
        2,
        "a no-change sync makes two requests: labels and history"
    );
    assert_eq!(
        (counts.requests, counts.labels_list, counts.history_list),
        (2, 1, 1),
        "and the server saw exactly those: {counts:?}"
    );
}

/// Mail arriving and leaving while a full sync runs is mirrored at the end of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_during_a_sync_are_mirrored() {
    let fake = fake(
        FakeConfig::default()
            .messages(400)
            .seed(5)
            .latency(Duration::from_millis(5)),
    )
    .await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let handle = fake.handle();
    let truth = fake.truth();
    let meddler = tokio::spawn(async move {
        for round in 0..5 {
            tokio::time::sleep(Duration::from_millis(30)).await;
            handle.add_messages(3);
            handle.delete_messages(&[truth[round * 50 + 7].id.clone()]);
        }
    });
    let report = sync(&ledger, &fake).await;
    meddler.await.unwrap();
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "the sync succeeds: {:?}",
        report.outcome
    );
    // Whatever changed after the sync's last history call is picked up by the next one.
    let again = sync(&ledger, &fake).await;
    assert_eq!(again.status(), RunStatus::Success, "follow-up sync");
    assert_mirrors(&store, &fake).await;
}

/// An expired history position (404) leads to one full resync, recorded on the run, no loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_history_resyncs_once() {
    let fake = fake(
        FakeConfig::default()
            .messages(200)
            .seed(3)
            .history_retention(5),
    )
    .await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    assert_eq!(
        sync(&ledger, &fake).await.status(),
        RunStatus::Success,
        "first sync"
    );
    let truth = fake.truth();
    for i in 0..12 {
        fake.delete_messages(&[truth[i * 3].id.clone()]);
    }
    fake.add_messages(4);
    fake.reset_counts();
    let report = sync(&ledger, &fake).await;
    assert_eq!(
        report.status(),
        RunStatus::Success,
        "the resync succeeds: {:?}",
        report.outcome
    );
    assert_eq!(
        report.value.as_ref().unwrap().kind,
        SyncKind::Resync,
        "summary says resync"
    );
    let run = run_row(&ledger, report.run_id).await;
    assert_eq!(
        run.kind.map(|k| k.as_str()),
        Some("resync"),
        "the run records the resync"
    );
    let counts = fake.counts();
    assert_eq!(counts.profile, 1, "one full pass began: {counts:?}");
    assert!(counts.history_list <= 2, "no history loop: {counts:?}");
    assert_mirrors(&store, &fake).await;
}
