//! The mailbox's change log, answered by `history.list`; record ids grow with gaps, as Gmail's do.

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
    pub message_id: String,
    pub thread_id: String,
    /// The message's labels right after the change (Gmail shows them on each entry).
    pub labels: Vec<String>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Default)]
pub(crate) struct HistoryLog {
    records: Vec<HistoryRecord>,
}

impl HistoryLog {
    pub(crate) fn push(&mut self, record: HistoryRecord) {
        self.records.push(record);
    }

    /// Records with an id greater than `start`, oldest first.
    pub(crate) fn after(&self, start: u64) -> &[HistoryRecord] {
        let from = self.records.partition_point(|r| r.id <= start);
        &self.records[from..]
    }
}
