//! The parser against the fake Gmail server's generated mailbox, whose truth lists every link a
//! correct extractor finds: a cross-check written by someone else, plus a speed figure on the
//! mail the sync really sees.

use std::collections::BTreeSet;
use std::time::Instant;

use fake_gmail::{generate_mailbox, MailboxSpec, Malformation, MessageKind, MessageTruth};
use inbox_sync_core::mail::{parse_mail, PANIC_DEFECT};

fn mailbox(count: usize) -> Vec<MessageTruth> {
    generate_mailbox(&MailboxSpec {
        seed: 7,
        message_count: count,
        ..MailboxSpec::default()
    })
}

/// The generator's link lists, spelled as the url crate spells them (as `Link::url` is).
fn normalized(links: &BTreeSet<String>) -> BTreeSet<String> {
    links
        .iter()
        .filter_map(|l| url::Url::parse(l).ok().map(String::from))
        .collect()
}

/// On every well-formed generated message the links found equal the generator's truth, the
/// subject matches, and no defect is reported.
#[test]
fn links_match_generator_truth() {
    for message in mailbox(600) {
        let mail = parse_mail(&message.raw);
        assert!(
            !mail.defects.iter().any(|d| d == PANIC_DEFECT),
            "panic fallback on {}",
            message.id
        );
        if matches!(message.kind, MessageKind::Malformed(_)) {
            continue;
        }
        let found: BTreeSet<String> = mail.links.iter().map(|l| l.url.clone()).collect();
        assert_eq!(
            found,
            normalized(&message.links),
            "links of {} ({:?}) must equal the generator's truth",
            message.id,
            message.kind
        );
        assert_eq!(
            found.len(),
            mail.links.len(),
            "links of {} must be unique",
            message.id
        );
        // Where the generator's truth and its raw bytes disagree its truth cannot be compared:
        // its Shift_JIS encoder writes wrong bytes for some katakana (0x8380 for ミ, which is
        // 0x837E), and its ISO-8859-1 subjects write `?` (=3F) for an em dash the truth keeps.
        if matches!(message.kind, MessageKind::ShiftJis | MessageKind::Latin1) {
            continue;
        }
        let subject = message
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("subject"));
        assert_eq!(
            mail.subject.as_deref(),
            subject.map(|(_, v)| v.as_str()),
            "subject of {} ({:?}) must be decoded as Gmail does",
            message.id,
            message.kind
        );
        assert!(
            mail.defects.is_empty(),
            "well-formed {} ({:?}) must have no defect: {:?}",
            message.id,
            message.kind,
            mail.defects
        );
    }
}

/// Every malformed message still yields readable content and its links, and every kind of
/// damage (other than hostile-but-valid HTML and raw UTF-8 headers, which read fine) is reported.
#[test]
fn malformed_messages_yield_content_and_defects() {
    let malformed: Vec<_> = mailbox(2_000)
        .into_iter()
        .filter_map(|m| match m.kind {
            MessageKind::Malformed(how) => Some((how, m)),
            _ => None,
        })
        .collect();
    assert!(
        malformed.len() >= 6,
        "the generator must include malformed messages"
    );
    for (how, message) in malformed {
        let mail = parse_mail(&message.raw);
        assert!(
            !mail.defects.iter().any(|d| d == PANIC_DEFECT),
            "panic fallback on {}",
            message.id
        );
        assert!(
            mail.text_body
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty()),
            "{how:?} {} must still have readable text",
            message.id
        );
        let found: BTreeSet<String> = mail.links.iter().map(|l| l.url.clone()).collect();
        assert_eq!(
            found,
            normalized(&message.links),
            "links of {how:?} {} must equal the truth",
            message.id
        );
        let quietly_fine = matches!(how, Malformation::HostileHtml | Malformation::RawUtf8Header);
        assert_eq!(
            mail.defects.is_empty(),
            quietly_fine,
            "{how:?} {} defects: {:?}",
            message.id,
            mail.defects
        );
    }
}

/// Prints parse time per message over a generated mailbox (release build for real figures).
#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn measure_on_generated_mailbox() {
    let messages = mailbox(2_000);
    let bytes: usize = messages.iter().map(|m| m.raw.len()).sum();
    let started = Instant::now();
    for message in &messages {
        std::hint::black_box(parse_mail(&message.raw));
    }
    let elapsed = started.elapsed();
    println!(
        "{} generated messages ({} KB average): {:.1} µs/message, {:.0} messages/s on one core",
        messages.len(),
        bytes / messages.len() / 1024,
        elapsed.as_secs_f64() * 1e6 / messages.len() as f64,
        messages.len() as f64 / elapsed.as_secs_f64()
    );
}
