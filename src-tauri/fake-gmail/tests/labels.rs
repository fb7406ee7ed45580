//! `labels.list` and `labels.get`: Gmail's system labels and the user's own (nested names, colours),
//! with counts that agree with the messages' labelIds.

mod common;

use std::collections::BTreeSet;

use fake_gmail::FakeConfig;

/// The list names every system label and some user labels (ids `Label_N`, a nested name), without counts.
#[tokio::test]
async fn labels_list_has_system_and_user_labels() {
    let fake = common::start(FakeConfig::default().messages(5)).await;
    let answer = common::call(&fake, "gmail/v1/users/me/labels").await;
    assert_eq!(answer.status, 200, "labels.list answers: {}", answer.text);
    let labels = answer.json["labels"].as_array().expect("labels is a list");
    let ids: BTreeSet<&str> = labels.iter().filter_map(|l| l["id"].as_str()).collect();
    for system in [
        "INBOX",
        "SENT",
        "STARRED",
        "UNREAD",
        "IMPORTANT",
        "TRASH",
        "SPAM",
        "DRAFT",
        "CHAT",
        "CATEGORY_PERSONAL",
        "CATEGORY_SOCIAL",
        "CATEGORY_PROMOTIONS",
        "CATEGORY_UPDATES",
        "CATEGORY_FORUMS",
    ] {
        assert!(ids.contains(system), "{system} is listed: {ids:?}");
    }
    let user: Vec<_> = labels.iter().filter(|l| l["type"] == "user").collect();
    assert!(user.len() >= 3, "a few user labels: {user:?}");
    assert!(
        user.iter()
            .all(|l| l["id"].as_str().is_some_and(|id| id.starts_with("Label_"))),
        "user label ids look like Gmail's"
    );
    assert!(
        user.iter().any(|l| l["name"] == "Work/Clients"),
        "a nested user label: {user:?}"
    );
    assert!(
        labels.iter().all(|l| l.get("messagesTotal").is_none()),
        "the list carries no counts, as Gmail's"
    );
    assert_eq!(fake.counts().labels_list, 1, "counted as labels.list");
}

/// labels.get counts messages and threads, total and unread, exactly as the messages' labelIds say.
#[tokio::test]
async fn labels_get_counts_agree_with_messages() {
    let fake = common::start(FakeConfig::default().messages(400).seed(5)).await;
    let truth = fake.truth();
    let has = |m: &fake_gmail::MessageTruth, l: &str| m.label_ids.iter().any(|x| x == l);
    for label in ["INBOX", "SENT", "STARRED", "UNREAD", "Label_12", "Label_13"] {
        let answer = common::call(&fake, &format!("gmail/v1/users/me/labels/{label}")).await;
        assert_eq!(answer.status, 200, "labels.get {label}: {}", answer.text);
        let with: Vec<_> = truth.iter().filter(|m| has(m, label)).collect();
        let unread = with.iter().filter(|m| has(m, "UNREAD")).count();
        let threads: BTreeSet<&str> = with.iter().map(|m| m.thread_id.as_str()).collect();
        assert_eq!(
            answer.json["messagesTotal"],
            with.len(),
            "{label} messagesTotal"
        );
        assert_eq!(
            answer.json["messagesUnread"], unread,
            "{label} messagesUnread"
        );
        assert_eq!(
            answer.json["threadsTotal"],
            threads.len(),
            "{label} threadsTotal"
        );
        assert!(
            answer.json["threadsUnread"].as_u64().is_some(),
            "{label} threadsUnread is a number"
        );
        assert!(!with.is_empty(), "400 messages carry some {label}");
    }
    let clients = common::call(&fake, "gmail/v1/users/me/labels/Label_13").await;
    assert_eq!(
        clients.json["name"], "Work/Clients",
        "the nested label's name"
    );
    assert!(
        clients.json["color"]["backgroundColor"].as_str().is_some(),
        "a coloured user label gives its colours: {}",
        clients.text
    );
    let unknown = common::call(&fake, "gmail/v1/users/me/labels/Label_999").await;
    common::assert_google_error(&unknown, 404, "NOT_FOUND", "notFound");
}

/// The generated mailbox labels mail as Gmail would: INBOX on most, SENT on some, UNREAD and
/// STARRED on some, user labels on some; sent mail is never in the inbox.
#[tokio::test]
async fn generated_labels_are_consistent() {
    let fake = common::start(FakeConfig::default().messages(1_000).seed(3)).await;
    let truth = fake.truth();
    let share = |label: &str| {
        truth
            .iter()
            .filter(|m| m.label_ids.iter().any(|l| l == label))
            .count() as f64
            / truth.len() as f64
    };
    assert!(share("INBOX") > 0.5, "INBOX on most: {}", share("INBOX"));
    for label in [
        "SENT", "UNREAD", "STARRED", "Label_1", "Label_12", "Label_13",
    ] {
        assert!(
            share(label) > 0.0 && share(label) < 0.6,
            "{label} on some: {}",
            share(label)
        );
    }
    assert!(
        truth
            .iter()
            .all(|m| !(m.label_ids.iter().any(|l| l == "SENT")
                && m.label_ids.iter().any(|l| l == "INBOX"))),
        "sent mail is not in the inbox"
    );
}
