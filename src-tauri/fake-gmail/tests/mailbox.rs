//! The generated mailbox looks like real mail: MIME variety, charsets, threads, labels, consistent dates, ids and links.

use std::collections::{BTreeMap, BTreeSet};

use fake_gmail::{generate_mailbox, MailboxSpec, Malformation, MessageKind};

fn mailbox() -> Vec<fake_gmail::MessageTruth> {
    generate_mailbox(&MailboxSpec {
        seed: 4,
        message_count: 1_200,
        large_size_bytes: 256 * 1024,
        ..MailboxSpec::default()
    })
}

/// A mailbox of 1,200 has every ordinary kind, a large message and every malformation.
#[test]
fn every_kind_is_represented() {
    let kinds: BTreeSet<MessageKind> = mailbox().iter().map(|t| t.kind).collect();
    for kind in [
        MessageKind::PlainText,
        MessageKind::Html,
        MessageKind::Alternative,
        MessageKind::WithAttachments,
        MessageKind::Latin1,
        MessageKind::Windows1252,
        MessageKind::ShiftJis,
        MessageKind::Newsletter,
        MessageKind::Large,
    ] {
        assert!(
            kinds.contains(&kind),
            "{kind:?} appears in a 1,200-message mailbox"
        );
    }
    let malformed = kinds.iter().filter(|k| k.is_malformed()).count();
    assert!(
        malformed >= 4,
        "several malformations appear, got {malformed}"
    );
}

/// Ids are 16 hex characters and unique; threads group several messages; labels are Gmail's.
#[test]
fn ids_threads_and_labels() {
    let mail = mailbox();
    let ids: BTreeSet<&str> = mail.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), mail.len(), "ids are unique");
    assert!(
        mail.iter()
            .all(|t| t.id.len() == 16 && t.id.chars().all(|c| c.is_ascii_hexdigit())),
        "ids look like Gmail's 16 hex characters"
    );
    let mut threads: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &mail {
        *threads.entry(t.thread_id.as_str()).or_default() += 1;
        assert!(
            ids.contains(t.thread_id.as_str()),
            "a thread id is the id of its first message"
        );
    }
    assert!(
        threads.values().filter(|n| **n >= 3).count() >= 10,
        "there are threads of three or more"
    );
    let labels: BTreeSet<&str> = mail
        .iter()
        .flat_map(|t| t.label_ids.iter().map(String::as_str))
        .collect();
    for label in [
        "INBOX",
        "UNREAD",
        "SENT",
        "IMPORTANT",
        "CATEGORY_PROMOTIONS",
        "CATEGORY_PERSONAL",
    ] {
        assert!(labels.contains(label), "label {label} is used");
    }
}

/// The Date header names the same second as internalDate.
#[test]
fn date_header_matches_internal_date() {
    for t in mailbox().iter().filter(|t| !t.kind.is_malformed()) {
        let date = t
            .header("Date")
            .expect("well-formed mail has a Date header");
        let seconds = t.internal_date / 1000;
        // Both come from the same instant: check the clock time printed equals the local time of it.
        let offset = date.rsplit(' ').next().expect("a zone offset");
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let minutes: i64 = offset[1..3].parse::<i64>().unwrap_or(0) * 60
            + offset[3..5].parse::<i64>().unwrap_or(0);
        let local = seconds + sign * minutes * 60;
        let clock = format!(
            "{:02}:{:02}:{:02}",
            local.rem_euclid(86_400) / 3600,
            local.rem_euclid(3600) / 60,
            local.rem_euclid(60)
        );
        assert!(date.contains(&clock), "{}: Date {date} shows {clock}", t.id);
    }
}

/// Every truth link appears in the decoded bodies, and hostile links never count as links.
#[test]
fn links_are_in_the_bodies() {
    let mail = mailbox();
    let mut linked = 0;
    for t in &mail {
        let text = t.text_body().unwrap_or_default();
        let html = t.html_body().unwrap_or_default().replace("&amp;", "&");
        for link in &t.links {
            assert!(
                link.starts_with("http://") || link.starts_with("https://"),
                "only web links count: {link}"
            );
            assert!(
                text.contains(link.as_str()) || html.contains(link.as_str()),
                "{} contains {link}",
                t.id
            );
            linked += 1;
        }
    }
    assert!(
        linked > mail.len(),
        "there are plenty of links, got {linked}"
    );
    let hostile = mail
        .iter()
        .find(|t| t.kind == MessageKind::Malformed(Malformation::HostileHtml))
        .expect("a hostile message exists");
    let html = hostile.html_body().expect("hostile mail is HTML");
    assert!(
        html.contains("<script>") && html.contains("javascript:"),
        "hostile mail carries script and javascript: links"
    );
    assert_eq!(hostile.links.len(), 1, "only the one real link counts");
}

/// Encoded subjects decode to text in their charset; raw headers carry RFC 2047 words, not raw bytes.
#[test]
fn charsets_and_encoded_words() {
    let mail = mailbox();
    let sjis = mail
        .iter()
        .find(|t| t.kind == MessageKind::ShiftJis && !t.subject().unwrap_or("").starts_with("Re:"))
        .expect("a Shift_JIS message");
    let raw = String::from_utf8_lossy(&sjis.raw);
    assert!(
        raw.contains("=?Shift_JIS?B?"),
        "the Shift_JIS subject is a B-encoded word"
    );
    assert!(
        sjis.subject().is_some_and(|s| !s.is_ascii()),
        "the decoded subject is Japanese"
    );
    assert!(
        raw.contains("charset=\"Shift_JIS\""),
        "the body declares Shift_JIS"
    );
    let latin = mail
        .iter()
        .find(|t| t.kind == MessageKind::Latin1)
        .expect("a Latin-1 message");
    assert!(
        String::from_utf8_lossy(&latin.raw).contains("quoted-printable"),
        "Latin-1 bodies are quoted-printable"
    );
    let large = mail
        .iter()
        .find(|t| t.kind == MessageKind::Large)
        .expect("a large message");
    assert!(
        large.raw.len() > 200 * 1024,
        "large messages are large: {} bytes",
        large.raw.len()
    );
}

/// Featured mail takes the newest places of the mailbox as written (subject, sender, HTML, inbox), leaving every id and every other message as it was.
#[test]
fn featured_mail_takes_the_newest_places_as_written() {
    let spec = MailboxSpec {
        seed: 4,
        message_count: 60,
        ..MailboxSpec::default()
    };
    let plain = generate_mailbox(&spec);
    let mut featured = fake_gmail::corpus::hostile_html("http://127.0.0.1:9");
    featured.push(fake_gmail::corpus::newsletter());
    let with = generate_mailbox(&MailboxSpec {
        featured: featured.clone(),
        ..spec
    });
    let ids = |m: &[fake_gmail::MessageTruth]| m.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&with), ids(&plain), "featured mail keeps every id");
    // Newest first: the last featured message is the newest.
    for (truth, want) in with.iter().zip(featured.iter().rev()) {
        assert_eq!(
            truth.kind,
            MessageKind::Featured,
            "{} is featured",
            truth.id
        );
        assert_eq!(truth.subject(), Some(want.subject.as_str()), "its subject");
        assert!(
            truth.from().is_some_and(|f| f.contains(&want.from_address)),
            "its sender: {:?}",
            truth.from()
        );
        let html = truth.html_body().expect("an HTML body");
        assert_eq!(
            html.replace("\r\n", "\n"),
            want.html.replace("\r\n", "\n"),
            "its HTML as written"
        );
        assert!(
            truth.label_ids.iter().any(|l| l == "INBOX"),
            "it is in the inbox"
        );
    }
    let older = featured.len()..;
    for (a, b) in with[older.clone()].iter().zip(&plain[older]) {
        assert_eq!(a.raw, b.raw, "message {} is unchanged", a.id);
    }
}
