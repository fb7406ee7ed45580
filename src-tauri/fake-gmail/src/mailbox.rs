//! The served mailbox: generated messages, their current labels, the history id and the change log.
//!
//! Messages are made when they are asked for, not kept: the mailbox holds, for each message, its
//! generated labels (2 bytes) and its thread's first message (4 bytes), plus the generator's state
//! every [`BLOCK`] messages. Message `i` is made by restoring the state before its block, stepping
//! the skeleton of the messages before it (only the draws that move the carried state), then
//! making it in full. What changed after generation (labels, deletions) is kept beside.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use crate::errors::FakeError;
use crate::generate::{date_and_id, GenState, GeneratedMessage, Generator, MailboxSpec};
use crate::history::{AddedRun, Change, Cursor, HistoryLog, HistoryRecord, Next};
use crate::labels::{self, LabelCounts};
use crate::query::Query;
use crate::truth::MessageTruth;

/// History ids start here so they look like Gmail's (large, not starting at 1).
const HISTORY_BASE: u64 = 100_000;

/// The generator's state is kept before every this many messages.
const BLOCK: u64 = 256;
/// Blocks whose every state is kept, for gets of neighbouring messages in any order.
const BLOCKS_CACHED: usize = 4;
/// Recently made messages kept whole, for repeated gets of one message (and at most this many bytes).
const MESSAGES_CACHED: usize = 64;
const MESSAGE_BYTES_CACHED: usize = 16 << 20;

/// Every label the generator draws, one bit each.
const GENERATED_LABELS: [&str; 15] = [
    "SENT",
    "INBOX",
    "UNREAD",
    "IMPORTANT",
    "STARRED",
    labels::RECEIPTS,
    "CATEGORY_PERSONAL",
    "CATEGORY_UPDATES",
    "CATEGORY_SOCIAL",
    "CATEGORY_FORUMS",
    "CATEGORY_PROMOTIONS",
    labels::WORK,
    labels::WORK_CLIENTS,
    labels::TRAVEL,
    labels::FAMILY,
];

fn label_bit(label: &str) -> Option<u16> {
    GENERATED_LABELS
        .iter()
        .position(|l| *l == label)
        .map(|i| 1 << i)
}

fn bits_of(labels: &BTreeSet<String>) -> u16 {
    labels.iter().fold(0, |bits, l| {
        bits | label_bit(l).expect("the generator draws only labels of GENERATED_LABELS")
    })
}

/// A message's current labels: as generated (bits), or as changed since.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Labels<'a> {
    Bits(u16),
    Set(&'a BTreeSet<String>),
}

impl Labels<'_> {
    pub(crate) fn contains(&self, label: &str) -> bool {
        match self {
            Labels::Bits(bits) => label_bit(label).is_some_and(|b| bits & b != 0),
            Labels::Set(set) => set.contains(label),
        }
    }

    pub(crate) fn any(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        match self {
            Labels::Bits(bits) => GENERATED_LABELS
                .iter()
                .enumerate()
                .any(|(i, l)| bits & (1 << i) != 0 && f(l)),
            Labels::Set(set) => set.iter().any(|l| f(l)),
        }
    }

    pub(crate) fn to_set(self) -> BTreeSet<String> {
        match self {
            Labels::Bits(bits) => GENERATED_LABELS
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, l)| l.to_string())
                .collect(),
            Labels::Set(set) => set.clone(),
        }
    }
}

/// A message as currently served.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub message: Arc<GeneratedMessage>,
    pub labels: BTreeSet<String>,
    /// The last history record that touched this message.
    pub history_id: u64,
}

impl Entry {
    pub(crate) fn label_ids(&self) -> Vec<String> {
        self.labels.iter().cloned().collect()
    }

    pub(crate) fn truth(&self) -> MessageTruth {
        let m = &self.message;
        MessageTruth {
            id: m.id.clone(),
            thread_id: m.thread_id.clone(),
            label_ids: self.label_ids(),
            internal_date: m.internal_date,
            history_id: self.history_id,
            size_estimate: m.raw.len(),
            snippet: m.snippet.clone(),
            kind: m.kind,
            headers: m.tree.headers.clone(),
            raw: m.raw.clone(),
            links: m.links.clone(),
            tree: m.tree.clone(),
        }
    }
}

/// Which messages `messages.list` looks at.
#[derive(Debug, Default)]
pub(crate) struct ListFilter {
    pub query: Query,
    pub label_ids: Vec<String>,
    pub include_spam_trash: bool,
}

/// Whether a filter's label terms admit each set of generated labels (one of 2^15), as judged
/// so far in one list: 0 not yet, 1 no, 2 yes.
struct LabelMemo(Vec<u8>);

impl LabelMemo {
    fn new() -> Self {
        Self(vec![0; 1 << GENERATED_LABELS.len()])
    }

    fn judge(&mut self, bits: u16, judge: impl FnOnce() -> bool) -> bool {
        let slot = &mut self.0[usize::from(bits)];
        if *slot == 0 {
            *slot = if judge() { 2 } else { 1 };
        }
        *slot == 2
    }
}

/// One page of `messages.list`, newest first.
#[derive(Debug)]
pub(crate) struct ListPage {
    /// (id, threadId) of each message.
    pub messages: Vec<(String, String)>,
    /// Order key of the last entry, when more may follow.
    pub next_cursor: Option<u64>,
    pub total: usize,
}

/// One bit a message, by generation index.
#[derive(Debug, Default)]
struct BitSet {
    words: Vec<u64>,
    count: usize,
}

impl BitSet {
    fn contains(&self, index: u64) -> bool {
        self.words
            .get((index / 64) as usize)
            .is_some_and(|w| w & (1 << (index % 64)) != 0)
    }

    fn insert(&mut self, index: u64) {
        let word = (index / 64) as usize;
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if self.words[word] & (1 << (index % 64)) == 0 {
            self.words[word] |= 1 << (index % 64);
            self.count += 1;
        }
    }
}

/// A message's labels and history id once something changed them.
#[derive(Debug)]
struct Changed {
    labels: BTreeSet<String>,
    history_id: u64,
}

#[derive(Debug, Default)]
struct MessageCache {
    /// Newest last.
    messages: VecDeque<Arc<GeneratedMessage>>,
    bytes: usize,
}

impl MessageCache {
    fn get(&self, index: u64) -> Option<Arc<GeneratedMessage>> {
        self.messages.iter().find(|m| m.index == index).cloned()
    }

    fn insert(&mut self, message: Arc<GeneratedMessage>) {
        self.bytes += message.raw.len();
        self.messages.push_back(message);
        while self.messages.len() > MESSAGES_CACHED
            || (self.bytes > MESSAGE_BYTES_CACHED && self.messages.len() > 1)
        {
            if let Some(old) = self.messages.pop_front() {
                self.bytes -= old.raw.len();
            }
        }
    }
}

#[derive(Debug)]
pub(crate) struct Mailbox {
    /// Its state is the one before the next message to arrive.
    generator: Generator,
    /// `checkpoints[b]`: the generator's state before message `b * BLOCK`.
    checkpoints: Vec<GenState>,
    /// By generation index, which grows with internalDate: reverse order is newest first.
    generated_labels: Vec<u16>,
    thread_roots: Vec<u32>,
    changed: HashMap<u64, Changed>,
    /// The messages in `changed`, for a look that costs no hashing.
    ever_changed: BitSet,
    deleted: BitSet,
    history: HistoryLog,
    history_id: u64,
    /// Most recently used last: (block, the state before each of its messages).
    blocks: RefCell<VecDeque<(u64, Arc<Vec<GenState>>)>>,
    messages: RefCell<MessageCache>,
}

/// `history.list`'s records after an id, oldest first, made as they are read.
pub(crate) struct HistoryRecords<'a> {
    mailbox: &'a Mailbox,
    cursor: Cursor,
}

impl Iterator for HistoryRecords<'_> {
    type Item = HistoryRecord;

    fn next(&mut self) -> Option<HistoryRecord> {
        let mailbox = self.mailbox;
        Some(match mailbox.history.next(&mut self.cursor)? {
            Next::Record(record) => record.clone(),
            Next::Added { index, id, at } => HistoryRecord {
                id,
                at,
                message_id: mailbox.id_of(index),
                thread_id: mailbox.thread_id_of(index),
                labels: Labels::Bits(mailbox.generated_labels[index as usize])
                    .to_set()
                    .into_iter()
                    .collect(),
                changes: vec![Change::Added],
            },
        })
    }
}

impl Mailbox {
    /// `now` is the fake's clock, which dates the history records (for retention by age).
    pub(crate) fn new(spec: MailboxSpec, now: Duration) -> Self {
        let count = spec.message_count;
        let mut mailbox = Self {
            generator: Generator::new(spec),
            checkpoints: Vec::new(),
            generated_labels: Vec::new(),
            thread_roots: Vec::new(),
            changed: HashMap::new(),
            ever_changed: BitSet::default(),
            deleted: BitSet::default(),
            history: HistoryLog::default(),
            history_id: HISTORY_BASE,
            blocks: RefCell::default(),
            messages: RefCell::default(),
        };
        mailbox.add(count, now);
        mailbox
    }

    pub(crate) fn spec(&self) -> &MailboxSpec {
        self.generator.spec()
    }

    pub(crate) fn history_id(&self) -> u64 {
        self.history_id
    }

    /// How many messages were ever generated (served or deleted).
    fn generated(&self) -> u64 {
        self.generator.state().next_index
    }

    fn live(&self, index: u64) -> bool {
        index < self.generated() && !self.deleted.contains(index)
    }

    fn live_indices(&self) -> impl DoubleEndedIterator<Item = u64> + '_ {
        (0..self.generated()).filter(|i| !self.deleted.contains(*i))
    }

    pub(crate) fn len(&self) -> usize {
        self.generated() as usize - self.deleted.count
    }

    pub(crate) fn thread_count(&self) -> usize {
        let mut seen = vec![false; self.generated() as usize];
        let mut count = 0;
        for index in self.live_indices() {
            let root = self.thread_roots[index as usize] as usize;
            if !seen[root] {
                seen[root] = true;
                count += 1;
            }
        }
        count
    }

    fn changed(&self, index: u64) -> Option<&Changed> {
        if self.ever_changed.contains(index) {
            self.changed.get(&index)
        } else {
            None
        }
    }

    fn labels(&self, index: u64) -> Labels<'_> {
        match self.changed(index) {
            Some(changed) => Labels::Set(&changed.labels),
            None => Labels::Bits(self.generated_labels[index as usize]),
        }
    }

    fn message_history_id(&self, index: u64) -> u64 {
        match self.changed(index) {
            Some(changed) => changed.history_id,
            None => self
                .history
                .added_id(index)
                .expect("every generated message was added in a run"),
        }
    }

    /// The id (as a number) of message `index`, from its block's checkpoint and the dates between.
    fn id_number(&self, index: u64) -> u64 {
        let checkpoint = &self.checkpoints[(index / BLOCK) as usize];
        let seed = self.spec().seed;
        let mut last_date = checkpoint.last_date;
        let mut id = 0;
        for i in checkpoint.next_index..=index {
            (last_date, id) = date_and_id(seed, i, last_date);
        }
        id
    }

    fn id_of(&self, index: u64) -> String {
        format!("{:016x}", self.id_number(index))
    }

    fn thread_id_of(&self, index: u64) -> String {
        self.id_of(u64::from(self.thread_roots[index as usize]))
    }

    /// The generation index of the message with this id, if one was generated (deleted or not).
    fn index_of(&self, id: &str) -> Option<u64> {
        let number = u64::from_str_radix(id, 16).ok()?;
        if format!("{number:016x}") != id {
            return None;
        }
        // Ids start with the internalDate, which grows with the generation index.
        let date = (number >> 20) as i64;
        let block = self
            .checkpoints
            .partition_point(|c| c.last_date < date)
            .checked_sub(1)?;
        let checkpoint = &self.checkpoints[block];
        let seed = self.spec().seed;
        let end = (checkpoint.next_index + BLOCK).min(self.generated());
        let mut last_date = checkpoint.last_date;
        for index in checkpoint.next_index..end {
            let (d, n) = date_and_id(seed, index, last_date);
            if d >= date {
                return (d == date && n == number).then_some(index);
            }
            last_date = d;
        }
        None
    }

    /// The generator's state before each message of `block`.
    fn block_states(&self, block: u64, needed: usize) -> Arc<Vec<GenState>> {
        let mut blocks = self.blocks.borrow_mut();
        if let Some(at) = blocks
            .iter()
            .position(|(b, states)| *b == block && states.len() >= needed)
        {
            let hit = blocks.remove(at).expect("position is in range");
            let states = hit.1.clone();
            blocks.push_back(hit);
            return states;
        }
        let mut state = self.checkpoints[block as usize].clone();
        let end = ((block + 1) * BLOCK).min(self.generated());
        let mut states = Vec::with_capacity((end - state.next_index) as usize);
        while state.next_index < end {
            states.push(state.clone());
            self.generator.skip(&mut state);
        }
        let states = Arc::new(states);
        blocks.retain(|(b, _)| *b != block);
        blocks.push_back((block, states.clone()));
        if blocks.len() > BLOCKS_CACHED {
            blocks.pop_front();
        }
        states
    }

    /// Message `index`, made from the state before it (or from the cache of recent ones).
    fn message(&self, index: u64) -> Arc<GeneratedMessage> {
        if let Some(message) = self.messages.borrow().get(index) {
            return message;
        }
        let offset = (index % BLOCK) as usize;
        let states = self.block_states(index / BLOCK, offset + 1);
        let mut state = states[offset].clone();
        let message = Arc::new(self.generator.message_at(&mut state));
        self.messages.borrow_mut().insert(message.clone());
        message
    }

    fn entry(&self, index: u64) -> Entry {
        Entry {
            message: self.message(index),
            labels: self.labels(index).to_set(),
            history_id: self.message_history_id(index),
        }
    }

    /// The next history id: gaps of 1 to 4 so clients cannot assume consecutive ids.
    fn bump(&mut self) -> u64 {
        self.history_id = crate::history::next_history_id(self.history_id);
        self.history_id
    }

    fn record(
        &mut self,
        index: u64,
        history_id: u64,
        labels: Vec<String>,
        changes: Vec<Change>,
        now: Duration,
    ) {
        self.history.push(HistoryRecord {
            id: history_id,
            at: now,
            message_id: self.id_of(index),
            thread_id: self.thread_id_of(index),
            labels,
            changes,
        });
    }

    /// Mail arriving: the next `n` messages of the seed's sequence, newer than everything served.
    pub(crate) fn add(&mut self, n: usize, now: Duration) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        if n == 0 {
            return ids;
        }
        let first = self.generated();
        self.history
            .start_run(AddedRun::new(first, self.history_id, now));
        for _ in 0..n {
            let state = self.generator.state();
            if state.next_index.is_multiple_of(BLOCK) {
                self.checkpoints.push(state.clone());
            }
            let message = self.generator.next_message();
            self.history_id = self
                .history
                .last_run_mut()
                .expect("the run was just started")
                .push();
            self.generated_labels.push(bits_of(&message.labels));
            self.thread_roots.push(
                u32::try_from(message.thread_root).expect("fewer than 2^32 messages generated"),
            );
            ids.push(message.id);
        }
        // A cached tail block's states are now too short; `block_states` remakes them on demand.
        ids
    }

    /// Permanently deletes messages; unknown ids are skipped. Returns the ids deleted.
    pub(crate) fn delete(&mut self, ids: &[String], now: Duration) -> Vec<String> {
        let mut deleted = Vec::new();
        for id in ids {
            let Some(index) = self.index_of(id).filter(|i| self.live(*i)) else {
                continue;
            };
            let labels: Vec<String> = self.labels(index).to_set().into_iter().collect();
            let history_id = self.bump();
            self.record(index, history_id, labels, vec![Change::Deleted], now);
            self.deleted.insert(index);
            self.changed.remove(&index);
            deleted.push(id.clone());
        }
        deleted
    }

    /// Adds and removes labels on one message, recording only the labels that actually changed.
    pub(crate) fn modify_labels(
        &mut self,
        id: &str,
        add: &[String],
        remove: &[String],
        now: Duration,
    ) -> Result<(), FakeError> {
        let index = self
            .index_of(id)
            .filter(|i| self.live(*i))
            .ok_or_else(|| FakeError::UnknownMessage(id.to_string()))?;
        let mut labels = self.labels(index).to_set();
        let added: Vec<String> = add
            .iter()
            .filter(|l| labels.insert((*l).clone()))
            .cloned()
            .collect();
        let removed: Vec<String> = remove
            .iter()
            .filter(|l| labels.remove(*l))
            .cloned()
            .collect();
        if added.is_empty() && removed.is_empty() {
            return Ok(());
        }
        let history_id = self.bump();
        let mut changes = Vec::new();
        if !added.is_empty() {
            changes.push(Change::LabelsAdded(added));
        }
        if !removed.is_empty() {
            changes.push(Change::LabelsRemoved(removed));
        }
        let label_ids = labels.iter().cloned().collect();
        self.record(index, history_id, label_ids, changes, now);
        self.changed.insert(index, Changed { labels, history_id });
        self.ever_changed.insert(index);
        Ok(())
    }

    pub(crate) fn get(&self, id: &str) -> Option<Entry> {
        let index = self.index_of(id).filter(|i| self.live(*i))?;
        Some(self.entry(index))
    }

    /// Whether `messages.list` with `filter` shows message `index` (a live one).
    fn admits(&self, filter: &ListFilter, memo: &mut LabelMemo, index: u64) -> bool {
        let by_labels = |labels: Labels<'_>| {
            (filter.include_spam_trash || !(labels.contains("SPAM") || labels.contains("TRASH")))
                && filter.label_ids.iter().all(|l| labels.contains(l))
                && filter.query.matches_labels(labels)
        };
        let admitted = match self.changed(index) {
            Some(changed) => by_labels(Labels::Set(&changed.labels)),
            // Unchanged messages have one of 2^15 label sets: each is judged once a list.
            None => {
                let bits = self.generated_labels[index as usize];
                memo.judge(bits, || by_labels(Labels::Bits(bits)))
            }
        };
        admitted && filter.query.matches_message(&mut || self.message(index))
    }

    /// Entries newest first, starting after the entry with order key `after` (exclusive).
    pub(crate) fn list(&self, filter: &ListFilter, after: Option<u64>, max: usize) -> ListPage {
        let upper = after.unwrap_or(u64::MAX).min(self.generated());
        let mut indices = Vec::with_capacity(max);
        let mut next_cursor = None;
        let mut memo = LabelMemo::new();
        for index in (0..upper).rev() {
            if self.deleted.contains(index) || !self.admits(filter, &mut memo, index) {
                continue;
            }
            if indices.len() == max {
                // Only promise another page when one really exists.
                next_cursor = indices.last().copied();
                break;
            }
            indices.push(index);
        }
        let total = self
            .live_indices()
            .filter(|i| self.admits(filter, &mut memo, *i))
            .count();
        ListPage {
            messages: indices
                .into_iter()
                .map(|i| (self.id_of(i), self.thread_id_of(i)))
                .collect(),
            next_cursor,
            total,
        }
    }

    /// `messagesTotal`, `messagesUnread`, `threadsTotal`, `threadsUnread` of one label.
    pub(crate) fn label_counts(&self, label: &str) -> LabelCounts {
        labels::counts(
            label,
            self.live_indices()
                .map(|i| (self.labels(i), u64::from(self.thread_roots[i as usize]))),
        )
    }

    /// The history records with an id greater than `start`, oldest first.
    pub(crate) fn history_after(&self, start: u64) -> HistoryRecords<'_> {
        HistoryRecords {
            mailbox: self,
            cursor: self.history.after(start),
        }
    }

    pub(crate) fn history_mut(&mut self) -> &mut HistoryLog {
        &mut self.history
    }

    /// Every message, newest first, made one after another from the first.
    pub(crate) fn truth(&self) -> Vec<MessageTruth> {
        let mut state = Generator::start_state();
        let mut truth = Vec::with_capacity(self.len());
        while state.next_index < self.generated() {
            let index = state.next_index;
            let message = self.generator.message_at(&mut state);
            if self.live(index) {
                let entry = Entry {
                    message: Arc::new(message),
                    labels: self.labels(index).to_set(),
                    history_id: self.message_history_id(index),
                };
                truth.push(entry.truth());
            }
        }
        truth.reverse();
        truth
    }
}

#[cfg(test)]
mod eager;

#[cfg(test)]
mod tests {
    //! The lazy mailbox against the eager one it replaced (`eager.rs`, every message kept whole):
    //! the same answers, bytes and history, before and after changes, for a few seeds.

    use super::eager::EagerMailbox;
    use super::*;
    use crate::labels::LABELS;
    use crate::rng::SeededRng;

    fn spec(seed: u64, count: usize) -> MailboxSpec {
        MailboxSpec {
            seed,
            message_count: count,
            // Several large and malformed messages, kept small so the test is quick.
            large_fraction: 0.01,
            large_size_bytes: 48 * 1024,
            malformed_fraction: 0.03,
            ..MailboxSpec::default()
        }
    }

    fn same_truth(lazy: &MessageTruth, eager: &MessageTruth) {
        let id = &eager.id;
        assert_eq!(lazy.id, eager.id);
        assert_eq!(lazy.thread_id, eager.thread_id, "thread of {id}");
        assert_eq!(lazy.label_ids, eager.label_ids, "labels of {id}");
        assert_eq!(lazy.internal_date, eager.internal_date, "date of {id}");
        assert_eq!(lazy.history_id, eager.history_id, "history id of {id}");
        assert_eq!(lazy.size_estimate, eager.size_estimate, "size of {id}");
        assert_eq!(lazy.snippet, eager.snippet, "snippet of {id}");
        assert_eq!(lazy.kind, eager.kind, "kind of {id}");
        assert_eq!(lazy.headers, eager.headers, "headers of {id}");
        assert!(lazy.raw == eager.raw, "raw bytes of {id}");
        assert_eq!(lazy.links, eager.links, "links of {id}");
        assert_eq!(
            format!("{:?}", lazy.tree),
            format!("{:?}", eager.tree),
            "part tree of {id}"
        );
    }

    fn filters() -> Vec<ListFilter> {
        let filter = |q: &str, labels: &[&str], spam_trash: bool| ListFilter {
            query: Query::parse(q),
            label_ids: labels.iter().map(|l| l.to_string()).collect(),
            include_spam_trash: spam_trash,
        };
        vec![
            filter("", &[], false),
            filter("", &[], true),
            filter("", &["INBOX"], false),
            filter("", &["UNREAD", "CATEGORY_UPDATES"], false),
            filter("", &["Label_99"], true),
            filter("is:unread -in:inbox", &[], false),
            filter("category:promotions", &[], false),
            filter("has:attachment", &[], false),
            filter("from:schmidt", &[], false),
            filter("invoice -is:starred", &["INBOX"], true),
            filter("label:work-clients newer_than:2d", &[], false),
        ]
    }

    /// Every observable answer of the two mailboxes is the same.
    fn compare(lazy: &Mailbox, eager: &EagerMailbox, rng: &mut SeededRng) {
        assert_eq!(lazy.len(), eager.len(), "message count");
        assert_eq!(lazy.history_id(), eager.history_id(), "history id");
        assert_eq!(lazy.thread_count(), eager.thread_count(), "thread count");

        let truth = eager.truth();
        let lazy_truth = lazy.truth();
        assert_eq!(lazy_truth.len(), truth.len());
        for (l, e) in lazy_truth.iter().zip(&truth) {
            same_truth(l, e);
        }

        // Gets in an order no cache foresees: shuffled, then newest first.
        let mut order: Vec<usize> = (0..truth.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        order.extend(0..truth.len());
        for i in order {
            let expected = &truth[i];
            let got = lazy.get(&expected.id).expect("every served id is found");
            same_truth(&got.truth(), expected);
        }
        // Ids that are not served: a neighbour, another case, another length.
        for e in truth.iter().step_by(17) {
            let n = u64::from_str_radix(&e.id, 16).unwrap();
            for other in [
                format!("{:016x}", n ^ 1),
                format!("{:016x}", n + (1 << 20)),
                e.id.to_uppercase(),
                e.id.trim_start_matches('0').to_string(),
                format!("0{}", e.id),
            ] {
                assert_eq!(
                    lazy.get(&other).is_some(),
                    eager.get(&other).is_some(),
                    "get {other}"
                );
            }
        }

        for filter in filters() {
            // A query on headers or text makes every message it looks at: fewer pages of those.
            let pages = if filter.query.needs_message() { 3 } else { 40 };
            for max in [1, 37, 500] {
                let mut after = None;
                for _ in 0..pages {
                    let l = lazy.list(&filter, after, max);
                    let e = eager.list(&filter, after, max);
                    assert_eq!(l.messages, e.messages, "{filter:?} page after {after:?}");
                    assert_eq!(l.next_cursor, e.next_cursor, "{filter:?} cursor");
                    assert_eq!(l.total, e.total, "{filter:?} total");
                    after = l.next_cursor;
                    if after.is_none() {
                        break;
                    }
                }
            }
        }

        for label in LABELS.iter().map(|l| l.id).chain(["Label_99", "NOPE"]) {
            assert_eq!(
                lazy.label_counts(label),
                eager.label_counts(label),
                "counts of {label}"
            );
        }

        same_history(lazy, eager);
    }

    fn same_history(lazy: &Mailbox, eager: &EagerMailbox) {
        let records = eager.history_after(0);
        let mut starts = vec![0, HISTORY_BASE, u64::MAX, lazy.history_id()];
        for r in records.iter().step_by(29) {
            starts.extend([r.id - 1, r.id, r.id + 1]);
        }
        for start in starts {
            let l: Vec<String> = lazy
                .history_after(start)
                .map(|r| format!("{r:?}"))
                .collect();
            let e: Vec<String> = eager
                .history_after(start)
                .iter()
                .map(|r| format!("{r:?}"))
                .collect();
            assert_eq!(l, e, "history after {start}");
        }
    }

    fn changes(lazy: &mut Mailbox, eager: &mut EagerMailbox, rng: &mut SeededRng, now: Duration) {
        let ids: Vec<String> = eager.truth().into_iter().map(|t| t.id).collect();
        let labels = ["SPAM", "TRASH", "INBOX", "UNREAD", "Label_99", "STARRED"];
        for _ in 0..40 {
            let id = &ids[rng.below(ids.len() as u64) as usize];
            let add = vec![rng.word(&labels).to_string()];
            let remove = vec![rng.word(&labels).to_string(), rng.word(&labels).to_string()];
            assert_eq!(
                lazy.modify_labels(id, &add, &remove, now).is_ok(),
                eager.modify_labels(id, &add, &remove, now).is_ok()
            );
        }
        let doomed: Vec<String> = (0..12)
            .map(|_| ids[rng.below(ids.len() as u64) as usize].clone())
            .chain(["0123456789abcdef".to_string()])
            .collect();
        assert_eq!(lazy.delete(&doomed, now), eager.delete(&doomed, now));
        // A deleted message cannot be changed.
        let gone = vec!["CHAT".to_string()];
        assert_eq!(
            lazy.modify_labels(&doomed[0], &gone, &[], now).is_ok(),
            eager.modify_labels(&doomed[0], &gone, &[], now).is_ok()
        );
    }

    #[test]
    fn lazy_mailbox_equals_the_eager_one() {
        for (seed, count) in [(1, 700), (20_251_125, 257), (7, 3)] {
            let mut rng = SeededRng::new(seed);
            let mut lazy = Mailbox::new(spec(seed, count), Duration::from_secs(5));
            let mut eager = EagerMailbox::new(spec(seed, count), Duration::from_secs(5));
            compare(&lazy, &eager, &mut rng);

            changes(&mut lazy, &mut eager, &mut rng, Duration::from_secs(10));
            compare(&lazy, &eager, &mut rng);

            // Mail arriving in small and large runs, and changes to it.
            let now = Duration::from_secs(20);
            assert_eq!(lazy.add(0, now), eager.add(0, now));
            assert_eq!(lazy.add(3, now), eager.add(3, now));
            let now = Duration::from_secs(30);
            assert_eq!(lazy.add(300, now), eager.add(300, now));
            changes(&mut lazy, &mut eager, &mut rng, Duration::from_secs(40));
            compare(&lazy, &eager, &mut rng);

            // History forgotten by age: the first run, then the changes after it, then all.
            for before in [6, 10, 11, 25, 35, 41, 50] {
                let before = Duration::from_secs(before);
                assert_eq!(lazy.history_mut().expire(before), eager.expire(before));
                same_history(&lazy, &eager);
            }
        }
    }

    /// What the lazy mailbox keeps a message is a few bytes, whatever the message.
    #[test]
    fn kept_per_message_is_a_few_bytes() {
        let lazy = Mailbox::new(spec(3, 2 * BLOCK as usize + 1), Duration::ZERO);
        assert_eq!(
            lazy.checkpoints.len(),
            3,
            "one state every {BLOCK} messages"
        );
        assert_eq!(lazy.generated_labels.len(), 2 * BLOCK as usize + 1);
        assert_eq!(lazy.thread_roots.len(), 2 * BLOCK as usize + 1);
        assert!(lazy.changed.is_empty() && lazy.deleted.count == 0);
        assert!(lazy.messages.borrow().messages.len() <= MESSAGES_CACHED);
    }
}
