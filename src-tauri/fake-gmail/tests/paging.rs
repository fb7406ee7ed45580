//! messages.list paging: every message exactly once, newest first, stable while mail arrives, filters and bounds.

mod common;

use std::collections::BTreeSet;

use fake_gmail::FakeConfig;

/// Following nextPageToken visits every message exactly once, newest first.
#[tokio::test]
async fn paging_covers_every_message_exactly_once() {
    let fake = common::start(FakeConfig::default().messages(523).seed(11)).await;
    let listed = common::list_all(&fake, 37).await;
    let unique: BTreeSet<_> = listed.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(listed.len(), 523, "every message is listed");
    assert_eq!(unique.len(), 523, "no message is listed twice");
    let truth = fake.truth();
    let truth_ids: Vec<_> = truth
        .iter()
        .map(|t| (t.id.clone(), t.thread_id.clone()))
        .collect();
    assert_eq!(
        listed, truth_ids,
        "listing order is the truth's newest-first order, thread ids included"
    );
    assert!(
        truth
            .windows(2)
            .all(|w| w[0].internal_date > w[1].internal_date),
        "newest first means strictly falling internalDate"
    );
}

/// Mail arriving and leaving between pages neither shifts nor duplicates the rest of the listing.
#[tokio::test]
async fn paging_is_stable_while_mail_arrives_and_leaves() {
    let fake = common::start(FakeConfig::default().messages(100).seed(12)).await;
    let before: Vec<String> = fake.truth().iter().map(|t| t.id.clone()).collect();
    let first = common::call(&fake, "gmail/v1/users/me/messages?maxResults=30").await;
    let token = first.json["nextPageToken"]
        .as_str()
        .expect("a second page exists")
        .to_string();
    fake.add_messages(5);
    let deleted = fake.delete_messages(&[before[50].clone()]);
    assert_eq!(deleted.len(), 1, "the chosen message is deleted");
    let mut seen: Vec<String> = first.json["messages"]
        .as_array()
        .expect("first page has messages")
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut next = Some(token);
    while let Some(token) = next {
        let page = common::call(
            &fake,
            &format!("gmail/v1/users/me/messages?maxResults=30&pageToken={token}"),
        )
        .await;
        assert_eq!(page.status, 200, "later pages succeed: {}", page.text);
        for m in page.json["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            seen.push(m["id"].as_str().unwrap_or_default().to_string());
        }
        next = page.json["nextPageToken"].as_str().map(str::to_string);
    }
    let mut expected = before.clone();
    expected.remove(50);
    assert_eq!(
        seen, expected,
        "the listing is the old mailbox minus the deleted message, in order"
    );
}

/// maxResults defaults to 100 and is capped at 500; resultSizeEstimate counts all matches.
#[tokio::test]
async fn page_size_default_and_cap() {
    let fake = common::start(FakeConfig::default().messages(620).seed(13)).await;
    let default = common::call(&fake, "gmail/v1/users/me/messages").await;
    assert_eq!(
        default.json["messages"].as_array().map(Vec::len),
        Some(100),
        "default page is 100"
    );
    assert_eq!(
        default.json["resultSizeEstimate"], 620,
        "estimate counts the whole mailbox"
    );
    let capped = common::call(&fake, "gmail/v1/users/me/messages?maxResults=10000").await;
    assert_eq!(
        capped.json["messages"].as_array().map(Vec::len),
        Some(500),
        "pages are capped at 500"
    );
    let empty = common::start(FakeConfig::default().messages(0)).await;
    let none = common::call(&empty, "gmail/v1/users/me/messages").await;
    assert_eq!(none.status, 200, "an empty mailbox lists fine");
    assert!(
        none.json.get("messages").is_none(),
        "no messages field when empty, as Gmail"
    );
    assert!(
        none.json.get("nextPageToken").is_none(),
        "no next page when empty"
    );
    assert_eq!(none.json["resultSizeEstimate"], 0, "estimate is zero");
}

/// `q=from:` and `labelIds` narrow the listing to matching messages; unknown operators are ignored.
#[tokio::test]
async fn query_and_label_filters() {
    let fake = common::start(FakeConfig::default().messages(200).seed(14)).await;
    let truth = fake.truth();
    let sender = truth
        .iter()
        .find_map(|t| t.from())
        .and_then(|f| f.split('<').nth(1))
        .map(|a| a.trim_end_matches('>').to_string())
        .expect("some message has a From address");
    let listed = common::call(
        &fake,
        &format!("gmail/v1/users/me/messages?maxResults=500&q=from:{sender}"),
    )
    .await;
    let ids: BTreeSet<String> = listed.json["messages"]
        .as_array()
        .expect("the sender's mail is found")
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let expected: BTreeSet<String> = truth
        .iter()
        .filter(|t| {
            t.from()
                .is_some_and(|f| f.to_lowercase().contains(&sender.to_lowercase()))
        })
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(
        ids, expected,
        "from: matches exactly the messages from that address"
    );

    let unread = common::call(
        &fake,
        "gmail/v1/users/me/messages?maxResults=500&labelIds=UNREAD",
    )
    .await;
    let expected_unread = truth
        .iter()
        .filter(|t| t.label_ids.iter().any(|l| l == "UNREAD"))
        .count();
    assert_eq!(
        unread.json["messages"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        expected_unread,
        "labelIds=UNREAD lists exactly the unread messages"
    );
    let odd = common::call(
        &fake,
        "gmail/v1/users/me/messages?q=newer_than:2d%20older_than:1y",
    )
    .await;
    assert_eq!(
        odd.status, 200,
        "unsupported search operators are ignored, not refused"
    );
}
