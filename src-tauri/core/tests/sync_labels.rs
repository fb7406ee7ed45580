//! Labels as Gmail has them: each sync reads `labels.list` and keeps the names, and the mail
//! views (Inbox = the INBOX label, Starred, Sent, a user label) list exactly the messages that
//! carry that label on the server, with unread counts — after a full sync and after changes.
mod common;

use std::collections::BTreeSet;

use common::sync::*;
use common::*;
use fake_gmail::{FakeConfig, FakeGmail};
use inbox_sync_core::sync::{MailSource, MailStore};
use inbox_sync_core::RunStatus;

/// The server's ids of messages that carry `label`.
fn server_ids(fake: &FakeGmail, label: &str) -> BTreeSet<String> {
    fake.truth()
        .into_iter()
        .filter(|m| m.label_ids.iter().any(|l| l == label))
        .map(|m| m.id)
        .collect()
}

/// The stored ids the mail view of `label` lists, and the total it reports.
async fn view_ids(mail: &MailStore, label: &str) -> (BTreeSet<String>, i64) {
    let (page, total) = mail
        .summaries(500, 0, None, Some(label))
        .await
        .expect("read the view");
    (page.into_iter().map(|m| m.headers.gmail_id).collect(), {
        assert!(total.exact, "a label's view is counted exactly");
        total.count
    })
}

/// After a full sync the stored labels are Gmail's, by id and name (nested user labels
/// included), and each view lists exactly the server's messages for that label.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_and_views_mirror_the_server() {
    let fake = fake(FakeConfig::default().messages(300).seed(21)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    let report = sync(&ledger, &fake).await;
    assert_eq!(report.status(), RunStatus::Success, "{:?}", report.outcome);

    let mail = MailStore::new(store.clone());
    let stored = mail.labels().await.unwrap();
    let server = source(&fake).labels().await.unwrap();
    assert_eq!(
        stored.iter().map(|v| &v.label).collect::<Vec<_>>(),
        server.iter().collect::<Vec<_>>(),
        "the stored labels are labels.list's, in its order"
    );
    assert!(
        stored
            .iter()
            .any(|v| v.label.kind == "user" && v.label.name.contains('/')),
        "nested user labels (Work/Clients) come with their full names"
    );
    for label in ["INBOX", "SENT", "STARRED", "UNREAD"] {
        let want = server_ids(&fake, label);
        assert!(!want.is_empty(), "the fake's mailbox has {label} mail");
        let (got, total) = view_ids(&mail, label).await;
        assert_eq!(
            got, want,
            "the {label} view lists the server's {label} messages"
        );
        assert_eq!(total, want.len() as i64, "the {label} view's total");
        let view = stored.iter().find(|v| v.label.id == label).unwrap();
        assert_eq!(view.total, want.len() as i64, "{label}'s count");
    }
    let all = fake.truth().len() as i64;
    let inbox = server_ids(&fake, "INBOX").len() as i64;
    assert!(inbox < all, "Inbox is not all mail: {inbox} of {all}");
    let unread_inbox = fake
        .truth()
        .iter()
        .filter(|m| {
            m.label_ids.iter().any(|l| l == "INBOX") && m.label_ids.iter().any(|l| l == "UNREAD")
        })
        .count() as i64;
    let inbox_view = stored.iter().find(|v| v.label.id == "INBOX").unwrap();
    assert_eq!(inbox_view.unread, unread_inbox, "Inbox's unread count");
}

/// Starring and reading a message on the server moves it between the views after the next
/// (incremental) sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_changes_move_messages_between_views() {
    let fake = fake(FakeConfig::default().messages(120).seed(5)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let ledger = ledger(&store);
    assert_eq!(sync(&ledger, &fake).await.status(), RunStatus::Success);
    let mail = MailStore::new(store.clone());
    let unread = server_ids(&fake, "UNREAD");
    let starred = server_ids(&fake, "STARRED");
    let id = unread
        .iter()
        .find(|id| !starred.contains(*id))
        .expect("an unread, unstarred message")
        .clone();
    fake.modify_labels(&id, &["STARRED"], &["UNREAD"]).unwrap();
    let report = sync(&ledger, &fake).await;
    assert_eq!(report.status(), RunStatus::Success, "{:?}", report.outcome);
    let (starred_view, _) = view_ids(&mail, "STARRED").await;
    assert!(
        starred_view.contains(&id),
        "the starred message is in Starred"
    );
    let (unread_view, _) = view_ids(&mail, "UNREAD").await;
    assert!(
        !unread_view.contains(&id),
        "the read message is no longer unread"
    );
    assert_eq!(
        starred_view,
        server_ids(&fake, "STARRED"),
        "Starred mirrors the server"
    );
}
