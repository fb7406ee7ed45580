//! The seeded mailbox: message i of a seed is the same bytes in every process, whatever the mailbox size.

mod compose;
mod featured;
mod malformed;
mod shapes;
mod vocabulary;

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use crate::mime::date::rfc2822;
use crate::mime::encoding::{encoded_word_q, encoded_words_b};
use crate::mime::{Charset, HeaderField, MessageBuilder, PartTree};
use crate::rng::{SeededRng, Stream};
use crate::truth::MessageKind;
pub use featured::{FeaturedAttachment, FeaturedMail, InlineImage};
use shapes::BodyInput;
use vocabulary::{
    COMPANIES, CP1252_SUBJECTS, LATIN1_SUBJECTS, NEWSLETTER_SUBJECTS, PEOPLE, PLACES,
    SENDER_DOMAINS, SJIS_SUBJECTS, SUBJECTS, TOPICS,
};

/// 2023-01-01T00:00:00Z: the oldest generated message is dated shortly after.
const EPOCH_MS: i64 = 1_672_531_200_000;

/// What the generated mailbox looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct MailboxSpec {
    pub seed: u64,
    pub message_count: usize,
    /// The mailbox owner's address (`To:` of received mail, `From:` of sent replies, the profile's emailAddress).
    pub email_address: String,
    /// Fraction of messages that are a few megabytes (one per block of `1/fraction` messages).
    pub large_fraction: f64,
    /// Rough size of a large message's attachment (±25%).
    pub large_size_bytes: usize,
    /// Fraction of messages deliberately malformed or hostile (one per block of `1/fraction`).
    pub malformed_fraction: f64,
    /// Messages written out in full (a newsletter, a hostile HTML corpus) that take the places
    /// of the newest messages of the initial mailbox, in order (the last is the newest). Their
    /// ids and dates are drawn as every message's are; their content is as written. None by
    /// default, and a mailbox without them is the same as before they existed.
    pub featured: Vec<FeaturedMail>,
}

impl Default for MailboxSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            message_count: 500,
            email_address: "demo.user@example.com".into(),
            large_fraction: 0.001,
            large_size_bytes: 2 * 1024 * 1024,
            malformed_fraction: 0.01,
            featured: Vec::new(),
        }
    }
}

/// One generated message, immutable once made.
#[derive(Debug)]
pub(crate) struct GeneratedMessage {
    pub index: u64,
    pub id: String,
    pub thread_id: String,
    pub internal_date: i64,
    pub labels: BTreeSet<String>,
    pub kind: MessageKind,
    pub raw: Arc<[u8]>,
    pub tree: Arc<PartTree>,
    pub links: BTreeSet<String>,
    pub snippet: String,
    /// Generation index of the thread's first message (whose id is the thread id).
    pub thread_root: u64,
}

#[derive(Debug, Clone)]
struct Contact {
    name: String,
    address: String,
}

impl Contact {
    /// The `From:`/`To:` value as written (RFC 2047 when needed) and as decoded.
    fn header(&self, name: &str) -> HeaderField {
        let decoded = format!("{} <{}>", self.name, self.address);
        if self.name.is_ascii() {
            HeaderField::plain(name, &decoded)
        } else {
            HeaderField::encoded(
                name,
                format!(
                    "{} <{}>",
                    encoded_word_q(&self.name, Charset::Utf8),
                    self.address
                ),
                &decoded,
            )
        }
    }
}

/// What a reply needs to know about its thread.
#[derive(Debug, Clone)]
struct ThreadTip {
    thread_id: String,
    /// Generation index of the thread's first message.
    root_index: u64,
    subject: String,
    root_message_id: String,
    last_message_id: String,
    correspondent: Contact,
}

/// What message `next_index` depends on besides its own random stream: everything earlier
/// messages carry forward. Cheap to clone (the tips are shared), so the lazy mailbox keeps one
/// every few hundred messages and makes any message from the nearest one before it.
#[derive(Debug, Clone)]
pub(crate) struct GenState {
    pub(crate) next_index: u64,
    /// internalDate of message `next_index - 1` (the epoch before the first).
    pub(crate) last_date: i64,
    recent: VecDeque<Arc<ThreadTip>>,
}

impl GenState {
    fn start() -> Self {
        Self {
            next_index: 0,
            last_date: EPOCH_MS,
            recent: VecDeque::new(),
        }
    }
}

/// The internalDate and id (as a number) of message `index`, given the date of the one before:
/// its first two draws, the same as [`Generator::next_message`] makes.
pub(crate) fn date_and_id(seed: u64, index: u64, last_date: i64) -> (i64, u64) {
    let mut rng = SeededRng::derive(seed, Stream::Message, index);
    let internal_date = last_date + rng.between(60_000, 4_400_000) as i64;
    let id = ((internal_date as u64) << 20) | rng.below(1 << 20);
    (internal_date, id)
}

/// The draws of one message that come before its body: everything that moves the carried state.
struct Head {
    index: u64,
    rng: SeededRng,
    internal_date: i64,
    id: String,
    kind: MessageKind,
    offset: i32,
    parent: Option<Arc<ThreadTip>>,
    sent: bool,
    from: Contact,
    to: Contact,
    subject: String,
    message_id: String,
    thread_id: String,
    thread_root: u64,
}

/// Produces messages in order; kept by the mailbox so mail arriving later continues the same sequence.
#[derive(Debug)]
pub(crate) struct Generator {
    spec: MailboxSpec,
    owner: Contact,
    state: GenState,
}

/// Lower-case ASCII spelling of a name, for addresses and charsets that cannot hold it.
pub(crate) fn ascii_fold(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let folded = match c {
                'à' | 'á' | 'â' | 'ä' | 'å' | 'À' | 'Á' | 'Å' | 'Ä' => 'a',
                'ç' | 'Ç' => 'c',
                'è' | 'é' | 'ê' | 'ë' | 'É' => 'e',
                'ì' | 'í' | 'î' | 'ï' => 'i',
                'ñ' => 'n',
                'ò' | 'ó' | 'ô' | 'ö' | 'ø' | 'Ó' | 'Ö' => 'o',
                'ù' | 'ú' | 'û' | 'ü' | 'Ü' => 'u',
                c if c.is_ascii() => c,
                _ => return None,
            };
            Some(folded)
        })
        .collect()
}

fn fill(template: &str, rng: &mut SeededRng) -> String {
    template
        .replace("{topic}", rng.word(TOPICS))
        .replace("{company}", rng.word(COMPANIES))
        .replace("{place}", rng.word(PLACES))
        .replace("{n}", &rng.between(10_000, 999_999).to_string())
}

/// Gmail-style snippet: the start of the readable text, whitespace collapsed, HTML-escaped.
fn snippet(tree: &PartTree, raw: &[u8]) -> String {
    let leaves = tree.leaves();
    let leaf = leaves
        .iter()
        .find(|l| l.filename.is_empty() && l.mime_type == "text/plain")
        .or_else(|| {
            leaves
                .iter()
                .find(|l| l.filename.is_empty() && l.mime_type == "text/html")
        });
    let Some(leaf) = leaf else {
        return String::new();
    };
    let Some(body) = &leaf.body else {
        return String::new();
    };
    let bytes = body.decode(raw);
    let mut text = match leaf.charset {
        Some(charset) => charset.decode(&bytes),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    };
    if leaf.mime_type == "text/html" {
        text = strip_tags(&text);
    }
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = collapsed.chars().take(160).collect();
    compose::escape(&short)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn in_slot(seed: u64, stream: Stream, index: u64, fraction: f64) -> bool {
    if fraction <= 0.0 || fraction.is_nan() {
        return false;
    }
    let period = (1.0 / fraction.min(1.0)).round().max(1.0) as u64;
    SeededRng::derive(seed, stream, index / period).below(period) == index % period
}

const ORDINARY: &[(MessageKind, u64)] = &[
    (MessageKind::PlainText, 18),
    (MessageKind::Html, 8),
    (MessageKind::Alternative, 34),
    (MessageKind::WithAttachments, 14),
    (MessageKind::Latin1, 8),
    (MessageKind::Windows1252, 6),
    (MessageKind::ShiftJis, 5),
    (MessageKind::Newsletter, 7),
];

impl Generator {
    pub(crate) fn new(spec: MailboxSpec) -> Self {
        let local = spec
            .email_address
            .split('@')
            .next()
            .unwrap_or("me")
            .replace('.', " ");
        let owner = Contact {
            name: local
                .split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                })
                .collect::<Vec<String>>()
                .join(" "),
            address: spec.email_address.clone(),
        };
        Self {
            spec,
            owner,
            state: GenState::start(),
        }
    }

    pub(crate) fn spec(&self) -> &MailboxSpec {
        &self.spec
    }

    /// The state before the next message of the sequence.
    pub(crate) fn state(&self) -> &GenState {
        &self.state
    }

    /// The state before message 0.
    pub(crate) fn start_state() -> GenState {
        GenState::start()
    }

    /// The featured message that takes the place of message `index`, if one does.
    fn featured(&self, index: u64) -> Option<&FeaturedMail> {
        let featured = &self.spec.featured;
        let count = self.spec.message_count as u64;
        let first = count.saturating_sub(featured.len() as u64);
        if index < first || index >= count {
            return None;
        }
        // With fewer messages than featured ones, the newest featured ones are kept.
        let skipped = featured.len() as u64 - (count - first);
        featured.get((index - first + skipped) as usize)
    }

    fn kind_for(&self, index: u64, rng: &mut SeededRng) -> MessageKind {
        if self.featured(index).is_some() {
            return MessageKind::Featured;
        }
        let seed = self.spec.seed;
        if in_slot(
            seed,
            Stream::MalformedSlot,
            index,
            self.spec.malformed_fraction,
        ) {
            return MessageKind::Malformed(*rng.pick(malformed::ALL));
        }
        if in_slot(seed, Stream::LargeSlot, index, self.spec.large_fraction) {
            return MessageKind::Large;
        }
        let total: u64 = ORDINARY.iter().map(|(_, w)| w).sum();
        let mut roll = rng.below(total);
        for (kind, weight) in ORDINARY {
            if roll < *weight {
                return *kind;
            }
            roll -= weight;
        }
        MessageKind::PlainText
    }

    fn contact(rng: &mut SeededRng) -> Contact {
        let (first, last) = rng.pick(PEOPLE);
        let domain = rng.pick(SENDER_DOMAINS);
        Contact {
            name: format!("{first} {last}"),
            address: format!(
                "{}.{}@{domain}",
                ascii_fold(first).to_lowercase(),
                ascii_fold(last).to_lowercase().replace(' ', "")
            ),
        }
    }

    fn subject_header(kind: MessageKind, subject: &str, rng: &mut SeededRng) -> HeaderField {
        let written = match kind {
            MessageKind::Latin1 => encoded_word_q(subject, Charset::Latin1),
            MessageKind::Windows1252 => encoded_word_q(subject, Charset::Windows1252),
            MessageKind::ShiftJis => encoded_words_b(subject, Charset::ShiftJis),
            _ if subject.is_ascii() => return HeaderField::plain("Subject", subject),
            _ if rng.chance(0.5) => encoded_word_q(subject, Charset::Utf8),
            _ => encoded_words_b(subject, Charset::Utf8),
        };
        HeaderField::encoded("Subject", written, subject)
    }

    fn labels(rng: &mut SeededRng, kind: MessageKind, sent: bool) -> BTreeSet<String> {
        let mut labels = BTreeSet::new();
        if sent {
            labels.insert("SENT".to_string());
            return labels;
        }
        if !rng.chance(0.1) || kind.is_malformed() {
            labels.insert("INBOX".to_string());
        }
        if rng.chance(0.45) || kind.is_malformed() {
            labels.insert("UNREAD".to_string());
        }
        if rng.chance(0.2) {
            labels.insert("IMPORTANT".to_string());
        }
        if rng.chance(0.04) {
            labels.insert("STARRED".to_string());
        }
        if rng.chance(0.05) {
            labels.insert(crate::labels::RECEIPTS.to_string());
        }
        let category = match kind {
            MessageKind::Newsletter | MessageKind::Windows1252 => "CATEGORY_PROMOTIONS",
            _ => *rng.pick(&[
                "CATEGORY_PERSONAL",
                "CATEGORY_PERSONAL",
                "CATEGORY_UPDATES",
                "CATEGORY_UPDATES",
                "CATEGORY_SOCIAL",
                "CATEGORY_FORUMS",
            ]),
        };
        labels.insert(category.to_string());
        // Drawn last so that adding user labels left every earlier draw, and so every message's
        // bytes, as they were.
        for (label, chance) in [
            (crate::labels::WORK, 0.08),
            (crate::labels::WORK_CLIENTS, 0.06),
            (crate::labels::TRAVEL, 0.03),
            (crate::labels::FAMILY, 0.04),
        ] {
            if rng.chance(chance) {
                labels.insert(label.to_string());
            }
        }
        labels
    }

    /// The next message of the sequence, made in full.
    pub(crate) fn next_message(&mut self) -> GeneratedMessage {
        let mut state = std::mem::replace(&mut self.state, GenState::start());
        let message = self.message_at(&mut state);
        self.state = state;
        message
    }

    /// Message `state.next_index`, made in full; moves `state` past it.
    pub(crate) fn message_at(&self, state: &mut GenState) -> GeneratedMessage {
        let head = self.head(state);
        self.body(head)
    }

    /// Moves `state` past message `state.next_index` without making its body (a skeleton step).
    pub(crate) fn skip(&self, state: &mut GenState) {
        self.head(state);
    }

    /// The draws before the body, and the carried state's update; the body draws nothing that
    /// the carried state depends on.
    fn head(&self, state: &mut GenState) -> Head {
        let index = state.next_index;
        state.next_index += 1;
        let mut rng = SeededRng::derive(self.spec.seed, Stream::Message, index);
        let internal_date = state.last_date + rng.between(60_000, 4_400_000) as i64;
        state.last_date = internal_date;
        let id = format!(
            "{:016x}",
            ((internal_date as u64) << 20) | rng.below(1 << 20)
        );
        let kind = self.kind_for(index, &mut rng);
        let offset = *rng.pick(&[0, 60, 120, -300, -480, 330, 540, -180]);

        let ordinary = !kind.is_malformed()
            && !matches!(
                kind,
                MessageKind::Large | MessageKind::Newsletter | MessageKind::Featured
            );
        let parent = if ordinary && !state.recent.is_empty() && rng.chance(0.3) {
            Some(Arc::clone(rng.pick(state.recent.make_contiguous())))
        } else {
            None
        };
        let sent = parent.is_some() && rng.chance(0.35);
        let contact = parent
            .as_ref()
            .map(|p| p.correspondent.clone())
            .unwrap_or_else(|| Self::contact(&mut rng));
        let (from, to) = match self.featured(index) {
            Some(f) => (
                Contact {
                    name: f.from_name.clone(),
                    address: f.from_address.clone(),
                },
                self.owner.clone(),
            ),
            None if sent => (self.owner.clone(), contact.clone()),
            None => (contact.clone(), self.owner.clone()),
        };
        let base_subject = match &parent {
            Some(p) => p.subject.clone(),
            None => match kind {
                MessageKind::Latin1 => rng.pick(LATIN1_SUBJECTS).to_string(),
                MessageKind::Windows1252 => rng.pick(CP1252_SUBJECTS).to_string(),
                MessageKind::ShiftJis => rng.pick(SJIS_SUBJECTS).to_string(),
                MessageKind::Newsletter => fill(rng.word(NEWSLETTER_SUBJECTS), &mut rng),
                MessageKind::Featured => self
                    .featured(index)
                    .map(|f| f.subject.clone())
                    .unwrap_or_default(),
                _ => fill(rng.word(SUBJECTS), &mut rng),
            },
        };
        let subject = match parent {
            Some(_) => format!("Re: {base_subject}"),
            None => base_subject.clone(),
        };
        let message_id = format!(
            "<{:x}.{index}@{}>",
            rng.next_u64(),
            from.address.split('@').nth(1).unwrap_or("example.com")
        );

        let thread_id = parent
            .as_ref()
            .map(|p| p.thread_id.clone())
            .unwrap_or_else(|| id.clone());
        let thread_root = parent.as_ref().map_or(index, |p| p.root_index);
        if ordinary {
            let tip = ThreadTip {
                thread_id: thread_id.clone(),
                root_index: thread_root,
                subject: base_subject,
                root_message_id: parent
                    .as_ref()
                    .map(|p| p.root_message_id.clone())
                    .unwrap_or_else(|| message_id.clone()),
                last_message_id: message_id.clone(),
                correspondent: contact,
            };
            state.recent.retain(|t| t.thread_id != tip.thread_id);
            state.recent.push_back(Arc::new(tip));
            if state.recent.len() > 8 {
                state.recent.pop_front();
            }
        }
        Head {
            index,
            rng,
            internal_date,
            id,
            kind,
            offset,
            parent,
            sent,
            from,
            to,
            subject,
            message_id,
            thread_id,
            thread_root,
        }
    }

    /// The rest of a message: its body, headers and labels, from the draws after its head.
    fn body(&self, head: Head) -> GeneratedMessage {
        let Head {
            index,
            mut rng,
            internal_date,
            id,
            kind,
            offset,
            parent,
            sent,
            from,
            to,
            subject,
            message_id,
            thread_id,
            thread_root,
        } = head;

        let link_count = match kind {
            MessageKind::Newsletter => rng.between(8, 14),
            MessageKind::Large => 1,
            _ => rng.between(0, 3),
        } as usize;
        let links = compose::links(&mut rng, link_count);

        let (root, links, subject_field, from_field, bare) = match kind {
            MessageKind::Malformed(m) => {
                let broken = malformed::build(&mut rng, m);
                (
                    broken.root,
                    broken.links,
                    broken.subject,
                    broken.from,
                    broken.bare,
                )
            }
            MessageKind::Featured => {
                let featured = self.featured(index).cloned().unwrap_or_default();
                let links = featured.links.clone();
                (featured.body(&mut rng), links, None, None, false)
            }
            _ => {
                let input = BodyInput {
                    kind,
                    to_name: to.name.split(' ').next().unwrap_or(""),
                    from_name: &from.name,
                    subject: &subject,
                    links: &links,
                    large_size_bytes: self.spec.large_size_bytes,
                };
                (shapes::body(&mut rng, &input), links, None, None, false)
            }
        };

        let mut builder = MessageBuilder::new();
        let date = rfc2822(internal_date, offset);
        builder.plain("Delivered-To", &self.spec.email_address);
        let smtp_id = format!("{:x}", rng.next_u64());
        let received_written = format!(
            "from mail-{smtp_id:.6}.example.net (mail-{smtp_id:.6}.example.net. [192.0.2.{}])\r\n        by mx.example.com with ESMTPS id {smtp_id}\r\n        for <{}>; {date}",
            rng.between(1, 254),
            self.spec.email_address
        );
        let received_decoded = received_written.replace("\r\n", "");
        builder.header(HeaderField::encoded(
            "Received",
            received_written,
            &received_decoded,
        ));
        if !bare {
            builder.plain("MIME-Version", "1.0");
            builder.plain("Date", &date);
            builder.plain("Message-ID", &message_id);
            builder.header(
                subject_field.unwrap_or_else(|| Self::subject_header(kind, &subject, &mut rng)),
            );
            builder.header(from_field.unwrap_or_else(|| from.header("From")));
        }
        builder.header(to.header("To"));
        if let Some(p) = &parent {
            builder.plain("In-Reply-To", &p.last_message_id);
            let references = if p.root_message_id == p.last_message_id {
                p.root_message_id.clone()
            } else {
                format!("{} {}", p.root_message_id, p.last_message_id)
            };
            builder.plain("References", &references);
        }
        let rendered = builder.render(&root);
        let labels = match kind {
            MessageKind::Featured => FeaturedMail::labels(),
            _ => Self::labels(&mut rng, kind, sent),
        };

        let snippet = snippet(&rendered.tree, &rendered.raw);
        GeneratedMessage {
            index,
            id,
            thread_id,
            internal_date,
            labels,
            kind,
            raw: rendered.raw.into(),
            tree: Arc::new(rendered.tree),
            links: links.into_iter().collect(),
            snippet,
            thread_root,
        }
    }
}
