//! The mailbox's change log, answered by `history.list`; record ids grow with gaps, as Gmail's do,
//! and records expire with age, as Gmail's do.

use std::collections::VecDeque;
use std::time::Duration;

use crate::rng::mix;

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

/// How history ids move on: gaps of 1 to 4 so clients cannot assume consecutive ids.
pub(crate) fn next_history_id(id: u64) -> u64 {
    id + 1 + mix(id) % 4
}

/// Every this many history ids of a run, the id is kept; the ids between are stepped to.
const MARK_EVERY: u64 = 256;

/// Messages added in one go (one `messageAdded` record each, at consecutive history ids): kept as
/// a range, its records made when read, so a large mailbox's log costs a few bytes a message.
#[derive(Debug)]
pub(crate) struct AddedRun {
    /// Generation index of the run's first message.
    pub first_index: u64,
    pub count: u64,
    pub at: Duration,
    /// `marks[j]`: the history id of message `first_index + j * MARK_EVERY`.
    marks: Vec<u64>,
    last: u64,
}

impl AddedRun {
    /// A run whose first message gets the id after `before`.
    pub(crate) fn new(first_index: u64, before: u64, at: Duration) -> Self {
        Self {
            first_index,
            count: 0,
            at,
            marks: Vec::new(),
            last: before,
        }
    }

    /// The next message's history id, taken in order.
    pub(crate) fn push(&mut self) -> u64 {
        let id = next_history_id(self.last);
        if self.count.is_multiple_of(MARK_EVERY) {
            self.marks.push(id);
        }
        self.count += 1;
        self.last = id;
        id
    }

    pub(crate) fn contains(&self, index: u64) -> bool {
        index >= self.first_index && index - self.first_index < self.count
    }

    /// The history id of the message at `offset` in the run.
    pub(crate) fn id_at(&self, offset: u64) -> u64 {
        let mut id = self.marks[(offset / MARK_EVERY) as usize];
        for _ in 0..offset % MARK_EVERY {
            id = next_history_id(id);
        }
        id
    }

    /// The offset of the first message whose id is greater than `start` (`count` when none),
    /// and that id.
    fn first_after(&self, start: u64) -> (u64, u64) {
        let mark = self.marks.partition_point(|&m| m <= start);
        if mark == 0 {
            return (0, self.marks.first().copied().unwrap_or(0));
        }
        let mut offset = (mark as u64 - 1) * MARK_EVERY;
        let mut id = self.marks[mark - 1];
        while id <= start && offset < self.count {
            offset += 1;
            id = next_history_id(id);
        }
        (offset, id)
    }
}

/// One entry of the log: a record kept whole, or a run of `messageAdded` records made on demand.
#[derive(Debug)]
enum Item {
    Record(HistoryRecord),
    Added(usize),
}

#[derive(Debug, Default)]
pub(crate) struct HistoryLog {
    /// Oldest first; ids grow along the log.
    items: VecDeque<Item>,
    /// Every run ever added (kept after its records expire: messages' history ids come from it).
    runs: Vec<AddedRun>,
    /// The id of the newest record dropped by age: a `startHistoryId` below it has lost changes.
    expired_through: u64,
}

/// Where a read of the log is: the next record is item `item`, at `offset` (and `id`) within a run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor {
    item: usize,
    offset: u64,
    id: u64,
}

/// The next record a cursor points at.
pub(crate) enum Next<'a> {
    Record(&'a HistoryRecord),
    /// The `messageAdded` record of message `index` (added at `at`), with history id `id`.
    Added {
        index: u64,
        id: u64,
        at: Duration,
    },
}

impl HistoryLog {
    pub(crate) fn push(&mut self, record: HistoryRecord) {
        self.items.push_back(Item::Record(record));
    }

    /// Starts a run of added messages (filled at once, before the log is next read, with
    /// [`HistoryLog::last_run_mut`]; never left empty).
    pub(crate) fn start_run(&mut self, run: AddedRun) {
        self.runs.push(run);
        self.items.push_back(Item::Added(self.runs.len() - 1));
    }

    pub(crate) fn last_run_mut(&mut self) -> Option<&mut AddedRun> {
        self.runs.last_mut()
    }

    /// The history id a message got when it was added (unchanged since, unless a later record touched it).
    pub(crate) fn added_id(&self, index: u64) -> Option<u64> {
        let at = self.runs.partition_point(|r| r.first_index <= index);
        let run = &self.runs[at.checked_sub(1)?];
        run.contains(index)
            .then(|| run.id_at(index - run.first_index))
    }

    fn at(&self, item: &Item) -> Duration {
        match item {
            Item::Record(r) => r.at,
            Item::Added(run) => self.runs[*run].at,
        }
    }

    fn last_id(&self, item: &Item) -> u64 {
        match item {
            Item::Record(r) => r.id,
            Item::Added(run) => self.runs[*run].last,
        }
    }

    /// Drops records that happened before `before`; returns the id below which a
    /// `startHistoryId` can no longer be answered whole (0 while nothing expired).
    pub(crate) fn expire(&mut self, before: Duration) -> u64 {
        let gone = self.items.partition_point(|item| self.at(item) < before);
        if let Some(last) = gone.checked_sub(1).map(|i| self.last_id(&self.items[i])) {
            self.expired_through = self.expired_through.max(last);
            self.items.drain(..gone);
        }
        self.expired_through
    }

    /// A cursor at the first record with an id greater than `start`.
    pub(crate) fn after(&self, start: u64) -> Cursor {
        let item = self
            .items
            .partition_point(|item| self.last_id(item) <= start);
        let (offset, id) = match self.items.get(item) {
            Some(Item::Added(run)) => self.runs[*run].first_after(start),
            _ => (0, 0),
        };
        Cursor { item, offset, id }
    }

    /// The record at `cursor`, moving it on; `None` at the end of the log.
    pub(crate) fn next(&self, cursor: &mut Cursor) -> Option<Next<'_>> {
        loop {
            match self.items.get(cursor.item)? {
                Item::Record(record) => {
                    cursor.item += 1;
                    cursor.offset = 0;
                    if let Some(Item::Added(run)) = self.items.get(cursor.item) {
                        cursor.id = self.runs[*run].marks.first().copied().unwrap_or(0);
                    }
                    return Some(Next::Record(record));
                }
                Item::Added(run) => {
                    let run = &self.runs[*run];
                    if cursor.offset >= run.count {
                        cursor.item += 1;
                        cursor.offset = 0;
                        if let Some(Item::Added(next)) = self.items.get(cursor.item) {
                            cursor.id = self.runs[*next].marks.first().copied().unwrap_or(0);
                        }
                        continue;
                    }
                    let next = Next::Added {
                        index: run.first_index + cursor.offset,
                        id: cursor.id,
                        at: run.at,
                    };
                    cursor.offset += 1;
                    cursor.id = next_history_id(cursor.id);
                    return Some(next);
                }
            }
        }
    }
}
