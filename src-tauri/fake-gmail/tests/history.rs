//! history.list: added, deleted and relabelled messages after a startHistoryId, paging, filters, and 404 past retention.

mod common;

use std::collections::BTreeSet;

use fake_gmail::FakeConfig;
use serde_json::Value;

/// Every history record after `start`, following page tokens.
async fn history_since(fake: &fake_gmail::FakeGmail, start: u64, extra: &str) -> (Vec<Value>, u64) {
    let mut records = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path =
            format!("gmail/v1/users/me/history?startHistoryId={start}&maxResults=3{extra}");
        if let Some(t) = &token {
            path.push_str(&format!("&pageToken={t}"));
        }
        let answer = common::call(fake, &path).await;
        assert_eq!(answer.status, 200, "history pages succeed: {}", answer.text);
        records.extend(
            answer.json["history"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        let current = answer.json["historyId"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .expect("historyId is a numeric string");
        match answer.json["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => return (records, current),
        }
    }
}

fn ids_in(records: &[Value], field: &str) -> BTreeSet<String> {
    records
        .iter()
        .flat_map(|r| r[field].as_array().cloned().unwrap_or_default())
        .map(|change| {
            change["message"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Mail added, deleted and relabelled after a profile's historyId all show up, and nothing older does.
#[tokio::test]
async fn history_reports_adds_deletes_and_label_changes() {
    let fake = common::start(FakeConfig::default().messages(20).seed(21)).await;
    let profile = common::call(&fake, "gmail/v1/users/me/profile").await;
    let start: u64 = profile.json["historyId"]
        .as_str()
        .and_then(|h| h.parse().ok())
        .expect("profile historyId is a numeric string");

    let (nothing, current) = history_since(&fake, start, "").await;
    assert!(nothing.is_empty(), "no changes yet means no records");
    assert_eq!(
        current, start,
        "the current historyId is reported even with no changes"
    );

    let added = fake.add_messages(4);
    let victim = fake.truth()[10].id.clone();
    let deleted = fake.delete_messages(&[victim.clone(), added[0].clone()]);
    assert_eq!(deleted.len(), 2, "both deletions happen");
    let relabelled = fake.truth()[3].id.clone();
    fake.modify_labels(&relabelled, &["STARRED"], &["UNREAD", "INBOX"])
        .expect("the message exists");

    let (records, current) = history_since(&fake, start, "").await;
    assert_eq!(
        current,
        fake.history_id(),
        "historyId is the mailbox's current one"
    );
    assert!(current > start, "changes move the historyId forward");
    let ids: Vec<u64> = records
        .iter()
        .map(|r| {
            r["id"]
                .as_str()
                .and_then(|i| i.parse().ok())
                .expect("record ids are numeric strings")
        })
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "records come oldest first with rising ids"
    );
    assert!(
        ids.iter().all(|i| *i > start),
        "only records after startHistoryId"
    );
    assert_eq!(
        ids_in(&records, "messagesAdded"),
        added.iter().cloned().collect(),
        "the four arrivals are reported"
    );
    assert_eq!(
        ids_in(&records, "messagesDeleted"),
        deleted.iter().cloned().collect(),
        "both deletions are reported"
    );
    let label_added = records
        .iter()
        .find(|r| r.get("labelsAdded").is_some())
        .expect("a labelsAdded record");
    assert_eq!(
        label_added["labelsAdded"][0]["labelIds"],
        serde_json::json!(["STARRED"]),
        "the added label is named"
    );
    assert_eq!(
        label_added["labelsRemoved"][0]["message"]["id"],
        relabelled.as_str(),
        "removal is in the same record"
    );

    let (only_deleted, _) = history_since(&fake, start, "&historyTypes=messageDeleted").await;
    assert_eq!(
        only_deleted.len(),
        2,
        "historyTypes keeps only the deletions"
    );
    assert!(
        only_deleted
            .iter()
            .all(|r| r.get("messagesAdded").is_none()),
        "filtered records carry no other types"
    );
}

/// A startHistoryId older than the retention window is 404 notFound; one inside it is answered.
#[tokio::test]
async fn history_beyond_retention_is_404() {
    let fake = common::start(
        FakeConfig::default()
            .messages(10)
            .seed(22)
            .history_retention(20),
    )
    .await;
    let old = fake.history_id();
    fake.add_messages(30);
    let current = fake.history_id();
    assert!(
        current - old > 20,
        "thirty arrivals move past a 20-id retention"
    );
    let expired = common::call(
        &fake,
        &format!("gmail/v1/users/me/history?startHistoryId={old}"),
    )
    .await;
    common::assert_google_error(&expired, 404, "NOT_FOUND", "notFound");
    let recent = common::call(
        &fake,
        &format!("gmail/v1/users/me/history?startHistoryId={}", current - 20),
    )
    .await;
    assert_eq!(
        recent.status, 200,
        "ids within the retention are answered: {}",
        recent.text
    );
    fake.set_history_retention(None);
    let kept = common::call(
        &fake,
        &format!("gmail/v1/users/me/history?startHistoryId={old}"),
    )
    .await;
    assert_eq!(kept.status, 200, "lifting retention answers old ids again");
    assert_eq!(
        kept.json["history"].as_array().map(Vec::len),
        Some(30),
        "all thirty arrivals are there"
    );
}

/// Bad history parameters are 400s in Google's shape, never a panic or a 500.
#[tokio::test]
async fn history_rejects_bad_parameters() {
    let fake = common::start(FakeConfig::default().messages(3)).await;
    for query in [
        "",
        "startHistoryId=abc",
        "startHistoryId=1&historyTypes=bogus",
        "startHistoryId=1&maxResults=-4",
        "startHistoryId=1&pageToken=zz",
    ] {
        let answer = common::call(&fake, &format!("gmail/v1/users/me/history?{query}")).await;
        common::assert_google_error(&answer, 400, "INVALID_ARGUMENT", "invalidArgument");
    }
}

/// History is kept about a week by default: a startHistoryId older than an expired record is 404,
/// one after it is still answered.
#[tokio::test]
async fn history_expires_after_a_week_by_default() {
    let clock = fake_gmail::ManualClock::new();
    let fake = common::start(
        FakeConfig::default()
            .messages(5)
            .clock(std::sync::Arc::new(clock.clone())),
    )
    .await;
    let old = fake.history_id();
    fake.add_messages(2);
    let path = |start: u64| format!("gmail/v1/users/me/history?startHistoryId={start}");
    assert_eq!(
        common::call(&fake, &path(old)).await.status,
        200,
        "fresh history is answered"
    );
    clock.advance(std::time::Duration::from_secs(6 * 24 * 3600));
    let middle = fake.history_id();
    fake.add_messages(2);
    assert_eq!(
        common::call(&fake, &path(old)).await.status,
        200,
        "six days is within a week"
    );
    clock.advance(std::time::Duration::from_secs(2 * 24 * 3600));
    let expired = common::call(&fake, &path(old)).await;
    common::assert_google_error(&expired, 404, "NOT_FOUND", "notFound");
    let recent = common::call(&fake, &path(middle)).await;
    assert_eq!(
        recent.status, 200,
        "changes from two days ago are still there: {}",
        recent.text
    );
    assert_eq!(
        recent.json["history"].as_array().map(Vec::len),
        Some(2),
        "both later arrivals"
    );
}
