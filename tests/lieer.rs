//! lieer (`gmi pull`, from PyPI, a Gmail client no one here wrote) syncs the fake Gmail with
//! only its URLs redirected — no shims for labels, batch or rate limits — at the quota the fake
//! serves by default (`inbox-sync fake-gmail`: 250 units a second), then pulls changes through
//! history.
mod peers;

use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail};

/// The quota `inbox-sync fake-gmail` serves unless told otherwise, Gmail's per-user rate.
const DEFAULT_QUOTA: u32 = 250;
/// lieer fetches every message twice (metadata, then content) at 5 units each: about 20 s at
/// the quota, more on a busy machine.
const PULL_DEADLINE: Duration = Duration::from_secs(300);

/// lieer's full pull stores exactly the server's messages, with label names as notmuch tags,
/// and its next pull applies new mail and label changes from history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lieer_pulls_the_whole_mailbox_and_its_changes() {
    let python = tokio::task::spawn_blocking(peers::python)
        .await
        .expect("the virtualenv is made without panicking")
        .unwrap_or_else(|why| panic!("{why}"));
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(500)
            .seed(2026)
            .quota(DEFAULT_QUOTA),
    )
    .await
    .expect("the fake binds a loopback port");
    let token = fake.issue_access_token();
    let dir = tempfile::tempdir().expect("a scratch folder");

    let lieer =
        tokio::task::block_in_place(|| peers::Lieer::init(&python, &fake, &token, dir.path()))
            .unwrap_or_else(|why| panic!("{why}"));

    let pulled = tokio::task::block_in_place(|| lieer.pull(&fake, PULL_DEADLINE))
        .unwrap_or_else(|why| panic!("{why}"));
    assert!(pulled.success, "gmi pull exits 0:\n{}", pulled.shown());
    let mut expected: Vec<String> = fake.truth().iter().map(|m| m.id.clone()).collect();
    expected.sort();
    assert_eq!(
        lieer.stored_ids(),
        expected,
        "lieer stored every message of the server, once each"
    );
    let counts = fake.counts();
    assert!(counts.batch > 0, "lieer fetched through the batch endpoint");
    assert!(
        counts.rate_limited > 0,
        "the run met the quota (so lieer's back-off on the fake's default refusal was exercised)"
    );
    eprintln!(
        "lieer full pull: {} messages in {:.1} s, {} batches, {} rate-limit refusals",
        expected.len(),
        pulled.elapsed.as_secs_f64(),
        counts.batch,
        counts.rate_limited
    );

    // A user label of the mailbox shows as a notmuch tag named like the label, not its id.
    let labelled = fake
        .truth()
        .into_iter()
        .find(|m| m.label_ids.iter().any(|l| l == "Label_5"))
        .expect("the generated mailbox has mail labelled Travel");
    let tags = tags_of(&fake, &lieer, &labelled.id);
    assert!(
        tags.iter().any(|t| t == "Travel"),
        "the Travel label reached lieer by name: {tags:?}"
    );

    // Changes: new mail and a label added on the server, pulled through history.
    let added = fake.add_messages(7);
    let target = expected[0].clone();
    fake.modify_labels(&target, &["Label_12"], &[])
        .expect("the fake changes a message's labels");
    let again = tokio::task::block_in_place(|| lieer.pull(&fake, PULL_DEADLINE))
        .unwrap_or_else(|why| panic!("{why}"));
    assert!(
        again.success,
        "the second gmi pull exits 0:\n{}",
        again.shown()
    );
    assert!(
        again.stdout.contains("partial") || again.stderr.contains("partial"),
        "the second pull is lieer's partial pull (history), not a full one:\n{}",
        again.shown()
    );
    let stored = lieer.stored_ids();
    for id in &added {
        assert!(stored.contains(id), "new message {id} pulled");
    }
    assert_eq!(stored.len(), expected.len() + added.len(), "nothing twice");
    let tags = tags_of(&fake, &lieer, &target);
    assert!(
        tags.iter().any(|t| t == "Work"),
        "the label added on the server reached lieer: {tags:?}"
    );
    fake.shutdown().await;
}

/// The notmuch tags of the message with Gmail id `id`, found by its Message-ID header.
fn tags_of(fake: &FakeGmail, lieer: &peers::Lieer, id: &str) -> Vec<String> {
    let truth = fake
        .message_truth(id)
        .unwrap_or_else(|| panic!("the server has message {id}"));
    let message_id = truth
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("Message-ID"))
        .map(|(_, value)| value.trim().trim_matches(['<', '>']).to_string())
        .unwrap_or_else(|| panic!("message {id} has a Message-ID"));
    let out = std::process::Command::new("notmuch")
        .env("NOTMUCH_CONFIG", &lieer.notmuch_config)
        .args(["search", "--output=tags"])
        .arg(format!("id:{message_id}"))
        .output()
        .expect("notmuch runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
