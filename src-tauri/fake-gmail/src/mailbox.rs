//! The served mailbox: generated messages, their current labels, the history id and the change log.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::errors::FakeError;
use crate::generate::{GeneratedMessage, Generator, MailboxSpec};
use crate::history::{Change, HistoryLog, HistoryRecord};
use crate::query::Query;
use crate::rng::mix;
use crate::truth::MessageTruth;

/// History ids start here so they look like Gmail's (large, not starting at 1).
const HISTORY_BASE: u64 = 100_000;

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

impl ListFilter {
    fn admits(&self, entry: &Entry) -> bool {
        if !self.include_spam_trash
            && (entry.labels.contains("SPAM") || entry.labels.contains("TRASH"))
        {
            return false;
        }
        self.label_ids.iter().all(|l| entry.labels.contains(l)) && self.query.matches(entry)
    }
}

/// One page of `messages.list`, newest first.
#[derive(Debug)]
pub(crate) struct ListPage {
    pub entries: Vec<Entry>,
    /// Order key of the last entry, when more may follow.
    pub next_cursor: Option<u64>,
    pub total: usize,
}

#[derive(Debug)]
pub(crate) struct Mailbox {
    generator: Generator,
    /// Keyed by generation index, which grows with internalDate: reverse order is newest first.
    entries: BTreeMap<u64, Entry>,
    by_id: HashMap<String, u64>,
    history: HistoryLog,
    history_id: u64,
}

impl Mailbox {
    /// `now` is the fake's clock, which dates the history records (for retention by age).
    pub(crate) fn new(spec: MailboxSpec, now: Duration) -> Self {
        let count = spec.message_count;
        let mut mailbox = Self {
            generator: Generator::new(spec),
            entries: BTreeMap::new(),
            by_id: HashMap::new(),
            history: HistoryLog::default(),
            history_id: HISTORY_BASE,
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

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn thread_count(&self) -> usize {
        self.entries
            .values()
            .map(|e| e.message.thread_id.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The next history id: gaps of 1 to 4 so clients cannot assume consecutive ids.
    fn bump(&mut self) -> u64 {
        self.history_id += 1 + mix(self.history_id) % 4;
        self.history_id
    }

    fn record(&mut self, entry: &Entry, changes: Vec<Change>, now: Duration) {
        self.history.push(HistoryRecord {
            id: entry.history_id,
            at: now,
            message_id: entry.message.id.clone(),
            thread_id: entry.message.thread_id.clone(),
            labels: entry.label_ids(),
            changes,
        });
    }

    /// Mail arriving: the next `n` messages of the seed's sequence, newer than everything served.
    pub(crate) fn add(&mut self, n: usize, now: Duration) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let message = self.generator.next_message();
            let history_id = self.bump();
            let entry = Entry {
                labels: message.labels.clone(),
                message: Arc::new(message),
                history_id,
            };
            self.record(&entry, vec![Change::Added], now);
            ids.push(entry.message.id.clone());
            self.by_id
                .insert(entry.message.id.clone(), entry.message.index);
            self.entries.insert(entry.message.index, entry);
        }
        ids
    }

    /// Permanently deletes messages; unknown ids are skipped. Returns the ids deleted.
    pub(crate) fn delete(&mut self, ids: &[String], now: Duration) -> Vec<String> {
        let mut deleted = Vec::new();
        for id in ids {
            let Some(index) = self.by_id.remove(id) else {
                continue;
            };
            let Some(mut entry) = self.entries.remove(&index) else {
                continue;
            };
            entry.history_id = self.bump();
            self.record(&entry, vec![Change::Deleted], now);
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
        let index = *self
            .by_id
            .get(id)
            .ok_or_else(|| FakeError::UnknownMessage(id.to_string()))?;
        let mut entry = self
            .entries
            .get(&index)
            .cloned()
            .ok_or_else(|| FakeError::UnknownMessage(id.to_string()))?;
        let added: Vec<String> = add
            .iter()
            .filter(|l| entry.labels.insert((*l).clone()))
            .cloned()
            .collect();
        let removed: Vec<String> = remove
            .iter()
            .filter(|l| entry.labels.remove(*l))
            .cloned()
            .collect();
        if added.is_empty() && removed.is_empty() {
            return Ok(());
        }
        entry.history_id = self.bump();
        let mut changes = Vec::new();
        if !added.is_empty() {
            changes.push(Change::LabelsAdded(added));
        }
        if !removed.is_empty() {
            changes.push(Change::LabelsRemoved(removed));
        }
        self.record(&entry, changes, now);
        self.entries.insert(index, entry);
        Ok(())
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).and_then(|index| self.entries.get(index))
    }

    /// Entries newest first, starting after the entry with order key `after` (exclusive).
    pub(crate) fn list(&self, filter: &ListFilter, after: Option<u64>, max: usize) -> ListPage {
        let upper = after.unwrap_or(u64::MAX);
        let mut entries = Vec::with_capacity(max);
        let mut next_cursor = None;
        for entry in self.entries.range(..upper).rev().map(|(_, e)| e) {
            if !filter.admits(entry) {
                continue;
            }
            if entries.len() == max {
                // Only promise another page when one really exists.
                next_cursor = entries.last().map(|e: &Entry| e.message.index);
                break;
            }
            entries.push(entry.clone());
        }
        let total = self.entries.values().filter(|e| filter.admits(e)).count();
        ListPage {
            entries,
            next_cursor,
            total,
        }
    }

    pub(crate) fn history(&self) -> &HistoryLog {
        &self.history
    }

    pub(crate) fn history_mut(&mut self) -> &mut HistoryLog {
        &mut self.history
    }

    /// Every message served, in no particular order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// Every message, newest first.
    pub(crate) fn truth(&self) -> Vec<MessageTruth> {
        self.entries.values().rev().map(Entry::truth).collect()
    }
}
