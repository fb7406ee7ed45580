//! Conversations (Gmail threads) from the store of a mailbox synced from the fake server:
//! one row per thread, newest first, paged by key; a thread read oldest first.
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::sync::*;
use common::*;
use fake_gmail::{FakeConfig, MessageTruth};
use inbox_sync_core::sync::{MailStore, MessageSummary};
use inbox_sync_core::RunStatus;

/// Every row of every page, read by key from the newest.
async fn all_pages(mail: &MailStore, label: Option<&str>) -> (Vec<MessageSummary>, i64) {
    let mut rows: Vec<MessageSummary> = Vec::new();
    let mut total = None;
    loop {
        let key = rows.last().map(|r| {
            (
                r.headers.internal_date_ms.unwrap_or(0),
                r.headers.gmail_id.clone(),
            )
        });
        let (page, page_total) = mail
            .conversations(25, 0, key.as_ref().map(|(d, id)| (*d, id.as_str())), label)
            .await
            .expect("a page of conversations");
        assert!(
            total.is_none_or(|t| t == page_total),
            "the total holds from page to page"
        );
        assert!(page_total.exact, "conversations are counted exactly");
        total = Some(page_total);
        if page.is_empty() {
            break;
        }
        rows.extend(page);
    }
    (rows, total.map_or(0, |t| t.count))
}

/// Each thread is one row standing for its newest message (in the view), with its count and senders, rows newest first; the total counts threads; an Inbox view holds the threads with Inbox mail; a thread reads oldest to newest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_are_one_row_each_and_read_in_order() {
    let fake = fake(FakeConfig::default().messages(300).seed(15)).await;
    let db = temp_db();
    let store = open_store(&db.path).await;
    let report = sync(&ledger(&store), &fake).await;
    assert_eq!(report.status(), RunStatus::Success, "{:?}", report.outcome);
    let mail = MailStore::new(store.clone());
    let truth = fake.truth();
    let mut threads: BTreeMap<&str, Vec<&MessageTruth>> = BTreeMap::new();
    for t in &truth {
        threads.entry(t.thread_id.as_str()).or_default().push(t);
    }
    for ms in threads.values_mut() {
        ms.sort_by(|a, b| (a.internal_date, &a.id).cmp(&(b.internal_date, &b.id)));
    }
    assert!(
        threads.values().any(|ms| ms.len() >= 3),
        "the mailbox has real conversations"
    );

    let (rows, total) = all_pages(&mail, None).await;
    assert_eq!(total as usize, threads.len(), "the total counts threads");
    assert_eq!(rows.len(), threads.len(), "one row per thread");
    let seen: BTreeSet<&str> = rows.iter().map(|r| r.headers.thread_id.as_str()).collect();
    assert_eq!(seen.len(), rows.len(), "no thread twice across pages");
    for pair in rows.windows(2) {
        let key = |r: &MessageSummary| (r.headers.internal_date_ms, r.headers.gmail_id.clone());
        assert!(key(&pair[0]) > key(&pair[1]), "rows newest first");
    }
    for row in &rows {
        let ms = &threads[row.headers.thread_id.as_str()];
        let facts = row
            .thread
            .as_ref()
            .expect("a conversation row has its facts");
        assert_eq!(
            facts.count as usize,
            ms.len(),
            "count of {}",
            row.headers.thread_id
        );
        assert_eq!(
            row.headers.gmail_id,
            ms.last().expect("a message").id,
            "the row is the thread's newest message"
        );
        assert!(!facts.participants.is_empty(), "the row names its senders");
    }

    // The Inbox: threads with a message in it, each shown by its newest Inbox message.
    let (inbox, inbox_total) = all_pages(&mail, Some("INBOX")).await;
    let want: Vec<&str> = threads
        .iter()
        .filter(|(_, ms)| ms.iter().any(|m| m.label_ids.iter().any(|l| l == "INBOX")))
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(
        inbox_total as usize,
        want.len(),
        "the Inbox total counts its threads"
    );
    assert_eq!(inbox.len(), want.len(), "one row per Inbox thread");
    for row in &inbox {
        let newest_in_inbox = threads[row.headers.thread_id.as_str()]
            .iter()
            .rev()
            .find(|m| m.label_ids.iter().any(|l| l == "INBOX"))
            .expect("an Inbox message");
        assert_eq!(
            row.headers.gmail_id, newest_in_inbox.id,
            "an Inbox row is its thread's newest Inbox message"
        );
    }

    let (longest, ms) = threads
        .iter()
        .max_by_key(|(_, ms)| ms.len())
        .expect("a thread");
    let read: Vec<String> = mail
        .thread(longest)
        .await
        .expect("the thread")
        .into_iter()
        .map(|m| m.headers.gmail_id)
        .collect();
    let want: Vec<String> = ms.iter().map(|m| m.id.clone()).collect();
    assert_eq!(read, want, "a thread reads oldest to newest");
    eprintln!(
        "{} threads ({} in the Inbox); the longest has {} messages",
        threads.len(),
        inbox.len(),
        ms.len()
    );
}
