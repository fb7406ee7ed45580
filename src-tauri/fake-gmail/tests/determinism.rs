//! Same seed, same mailbox: across two servers, across processes, and independent of mailbox size.

mod common;

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use fake_gmail::{generate_mailbox, FakeConfig, MailboxSpec, MessageTruth};

fn digest(messages: &[MessageTruth]) -> u64 {
    // FNV-1a: tiny, stable across processes and Rust versions.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for m in messages {
        feed(m.id.as_bytes());
        feed(m.thread_id.as_bytes());
        feed(&m.internal_date.to_le_bytes());
        feed(m.label_ids.join(",").as_bytes());
        feed(&m.raw);
        for link in &m.links {
            feed(link.as_bytes());
        }
    }
    hash
}

fn spec() -> MailboxSpec {
    MailboxSpec {
        seed: 20_251_125,
        message_count: 300,
        ..MailboxSpec::default()
    }
}

/// Two servers started with the same seed serve byte-identical raw messages under the same ids.
#[tokio::test]
async fn two_servers_same_seed_serve_identical_bytes() {
    let config = FakeConfig::default().messages(120).seed(99);
    let a = common::start(config.clone()).await;
    let b = common::start(config).await;
    let ids_a = common::list_all(&a, 50).await;
    let ids_b = common::list_all(&b, 50).await;
    assert_eq!(
        ids_a, ids_b,
        "both servers list the same ids in the same order"
    );
    for (id, _) in ids_a.iter().step_by(7) {
        let path = format!("gmail/v1/users/me/messages/{id}?format=raw");
        let raw_a = common::call(&a, &path).await.json["raw"]
            .as_str()
            .map(str::to_string);
        let raw_b = common::call(&b, &path).await.json["raw"]
            .as_str()
            .map(str::to_string);
        assert!(raw_a.is_some(), "format=raw carries a raw field for {id}");
        assert_eq!(
            raw_a, raw_b,
            "message {id} is byte-identical on both servers"
        );
    }
    let other = fake_gmail::generate_mailbox(&MailboxSpec {
        seed: 100,
        message_count: 120,
        ..MailboxSpec::default()
    });
    assert_ne!(
        other[0].id, ids_a[0].0,
        "a different seed gives a different mailbox"
    );
}

/// The child half of the cross-process check: prints the digest only when the parent asks.
#[test]
fn digest_child() {
    if std::env::var_os("FAKE_GMAIL_DIGEST_CHILD").is_some() {
        println!("DIGEST={}", digest(&generate_mailbox(&spec())));
    }
}

/// Another OS process (with its own hash seeds) generates the same mailbox digest.
#[test]
fn another_process_generates_the_same_mailbox() {
    let here = digest(&generate_mailbox(&spec()));
    let output = std::process::Command::new(
        std::env::current_exe().expect("the test binary knows its path"),
    )
    .args(["digest_child", "--exact", "--nocapture", "--test-threads=1"])
    .env("FAKE_GMAIL_DIGEST_CHILD", "1")
    .output()
    .expect("the test binary can be run again as a child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let there = stdout
        .lines()
        .find_map(|l| l.split("DIGEST=").nth(1).map(str::trim))
        .unwrap_or_else(|| panic!("the child printed a digest; it said: {stdout}"));
    assert_eq!(
        there,
        here.to_string(),
        "a separate process generates the same bytes"
    );
}

/// A bigger mailbox of the same seed starts with the same messages: message i does not depend on the count.
#[test]
fn a_larger_mailbox_extends_a_smaller_one() {
    let small = generate_mailbox(&MailboxSpec {
        message_count: 50,
        ..spec()
    });
    let large = generate_mailbox(&MailboxSpec {
        message_count: 80,
        ..spec()
    });
    // Newest first, so the small mailbox is the tail of the large one.
    assert_eq!(
        digest(&small),
        digest(&large[30..]),
        "the first 50 messages are the same in both"
    );
}

/// The served raw bytes decode to exactly the ground-truth bytes.
#[tokio::test]
async fn served_raw_matches_ground_truth() {
    let fake = common::start(FakeConfig::default().messages(40).seed(5)).await;
    for truth in fake.truth().iter().take(10) {
        let answer = common::call(
            &fake,
            &format!("gmail/v1/users/me/messages/{}?format=raw", truth.id),
        )
        .await;
        let raw = URL_SAFE
            .decode(answer.json["raw"].as_str().expect("raw is a string"))
            .expect("raw is padded base64url as Gmail sends it");
        assert_eq!(
            &raw[..],
            &truth.raw[..],
            "served bytes equal the truth for {}",
            truth.id
        );
    }
}
