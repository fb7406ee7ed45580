//! The mailbox as it was before it was made lazy: every generated message kept whole, one
//! history record kept per change. Kept for tests only, as the truth the lazy mailbox must equal.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use super::{Entry, Labels, ListFilter};
use crate::generate::{GeneratedMessage, Generator, MailboxSpec};
use crate::history::{Change, HistoryRecord};
use crate::labels::LabelCounts;
use crate::rng::mix;

const HISTORY_BASE: u64 = 100_000;

#[derive(Debug)]
pub(crate) struct EagerPage {
    pub messages: Vec<(String, String)>,
    pub next_cursor: Option<u64>,
    pub total: usize,
}

#[derive(Debug)]
pub(crate) struct EagerMailbox {
    generator: Generator,
    entries: BTreeMap<u64, Entry>,
    by_id: HashMap<String, u64>,
    records: Vec<HistoryRecord>,
    expired_through: u64,
    history_id: u64,
}

impl EagerMailbox {
    pub(crate) fn new(spec: MailboxSpec, now: Duration) -> Self {
        let count = spec.message_count;
        let mut mailbox = Self {
            generator: Generator::new(spec),
            entries: BTreeMap::new(),
            by_id: HashMap::new(),
            records: Vec::new(),
            expired_through: 0,
            history_id: HISTORY_BASE,
        };
        mailbox.add(count, now);
        mailbox
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

    fn bump(&mut self) -> u64 {
        self.history_id += 1 + mix(self.history_id) % 4;
        self.history_id
    }

    fn record(&mut self, entry: &Entry, changes: Vec<Change>, now: Duration) {
        self.records.push(HistoryRecord {
            id: entry.history_id,
            at: now,
            message_id: entry.message.id.clone(),
            thread_id: entry.message.thread_id.clone(),
            labels: entry.label_ids(),
            changes,
        });
    }

    pub(crate) fn add(&mut self, n: usize, now: Duration) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let message: GeneratedMessage = self.generator.next_message();
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

    pub(crate) fn modify_labels(
        &mut self,
        id: &str,
        add: &[String],
        remove: &[String],
        now: Duration,
    ) -> Result<(), ()> {
        let index = *self.by_id.get(id).ok_or(())?;
        let mut entry = self.entries.get(&index).cloned().ok_or(())?;
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

    fn admits(filter: &ListFilter, entry: &Entry) -> bool {
        if !filter.include_spam_trash
            && (entry.labels.contains("SPAM") || entry.labels.contains("TRASH"))
        {
            return false;
        }
        filter.label_ids.iter().all(|l| entry.labels.contains(l))
            && filter.query.matches_labels(Labels::Set(&entry.labels))
            && filter.query.matches_message(&mut || entry.message.clone())
    }

    pub(crate) fn list(&self, filter: &ListFilter, after: Option<u64>, max: usize) -> EagerPage {
        let upper = after.unwrap_or(u64::MAX);
        let mut entries = Vec::with_capacity(max);
        let mut next_cursor = None;
        for entry in self.entries.range(..upper).rev().map(|(_, e)| e) {
            if !Self::admits(filter, entry) {
                continue;
            }
            if entries.len() == max {
                next_cursor = entries.last().map(|e: &&Entry| e.message.index);
                break;
            }
            entries.push(entry);
        }
        let total = self
            .entries
            .values()
            .filter(|e| Self::admits(filter, e))
            .count();
        EagerPage {
            messages: entries
                .iter()
                .map(|e| (e.message.id.clone(), e.message.thread_id.clone()))
                .collect(),
            next_cursor,
            total,
        }
    }

    pub(crate) fn label_counts(&self, label: &str) -> LabelCounts {
        let mut threads = BTreeSet::new();
        let mut unread_threads = BTreeSet::new();
        let mut counts = LabelCounts::default();
        for entry in self.entries.values().filter(|e| e.labels.contains(label)) {
            counts.messages_total += 1;
            threads.insert(entry.message.thread_id.as_str());
            if entry.labels.contains("UNREAD") {
                counts.messages_unread += 1;
                unread_threads.insert(entry.message.thread_id.as_str());
            }
        }
        counts.threads_total = threads.len();
        counts.threads_unread = unread_threads.len();
        counts
    }

    pub(crate) fn expire(&mut self, before: Duration) -> u64 {
        let gone = self.records.partition_point(|r| r.at < before);
        if let Some(last) = gone.checked_sub(1).map(|i| self.records[i].id) {
            self.expired_through = self.expired_through.max(last);
            self.records.drain(..gone);
        }
        self.expired_through
    }

    pub(crate) fn history_after(&self, start: u64) -> &[HistoryRecord] {
        let from = self.records.partition_point(|r| r.id <= start);
        &self.records[from..]
    }

    pub(crate) fn truth(&self) -> Vec<crate::truth::MessageTruth> {
        self.entries.values().rev().map(Entry::truth).collect()
    }
}
