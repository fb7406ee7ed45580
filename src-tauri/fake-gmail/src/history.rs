//! The mailbox's change log, answered by `history.list`; record ids grow with gaps, as Gmail's do,
//! and records expire with age, as Gmail's do.

use std::time::Duration;

/// The `historyTypes` a client can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HistoryType {
    MessageAdded,
    MessageDeleted,
    LabelAdded,
    LabelRemoved,
}

impl HistoryType {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "messageadded" => Some(Self::MessageAdded),
            "messagedeleted" => Some(Self::MessageDeleted),
            "labeladded" => Some(Self::LabelAdded),
            "labelremoved" => Some(Self::LabelRemoved),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Added,
    Deleted,
    LabelsAdded(Vec<String>),
    LabelsRemoved(Vec<String>),
}

impl Change {
    pub(crate) fn history_type(&self) -> HistoryType {
        match self {
            Change::Added => HistoryType::MessageAdded,
            Change::Deleted => HistoryType::MessageDeleted,
            Change::LabelsAdded(_) => HistoryType::LabelAdded,
            Change::LabelsRemoved(_) => HistoryType::LabelRemoved,
        }
    }
}

/// One history record: what happened to one message at one history id.
#[derive(Debug, Clone)]
pub(crate) struct HistoryRecord {
    pub id: u64,
    /// When it happened, on the fake's clock.
    pub at: Duration,
    pub message_id: String,
    pub thread_id: String,
    /// The message's labels right after the change (Gmail shows them on each entry).
    pub labels: Vec<String>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Default)]
pub(crate) struct HistoryLog {
    records: Vec<HistoryRecord>,
    /// The id of the newest record dropped by age: a `startHistoryId` below it has lost changes.
    expired_through: u64,
}

impl HistoryLog {
    pub(crate) fn push(&mut self, record: HistoryRecord) {
        self.records.push(record);
    }

    /// Drops records that happened before `before`; returns the id below which a
    /// `startHistoryId` can no longer be answered whole (0 while nothing expired).
    pub(crate) fn expire(&mut self, before: Duration) -> u64 {
        let gone = self.records.partition_point(|r| r.at < before);
        if let Some(last) = gone.checked_sub(1).map(|i| self.records[i].id) {
            self.expired_through = self.expired_through.max(last);
            self.records.drain(..gone);
        }
        self.expired_through
    }

    /// Records with an id greater than `start`, oldest first.
    pub(crate) fn after(&self, start: u64) -> &[HistoryRecord] {
        let from = self.records.partition_point(|r| r.id <= start);
        &self.records[from..]
    }
}
