//! Gmail's label catalogue: the system labels every mailbox has and the demo user's own labels
//! (ids `Label_N`, nested names such as `Work/Clients`), with the counts `labels.get` reports.

use std::collections::BTreeSet;

use crate::mailbox::Labels;

pub(crate) const RECEIPTS: &str = "Label_1";
pub(crate) const TRAVEL: &str = "Label_5";
pub(crate) const WORK: &str = "Label_12";
pub(crate) const WORK_CLIENTS: &str = "Label_13";
pub(crate) const FAMILY: &str = "Label_27";

/// `system` or `user`, as Gmail's `Label.type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelType {
    System,
    User,
}

impl LabelType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LabelType::System => "system",
            LabelType::User => "user",
        }
    }
}

/// One label as Gmail defines it; which optional fields are set follows what Gmail sends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LabelDef {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: LabelType,
    pub message_list_visibility: Option<&'static str>,
    pub label_list_visibility: Option<&'static str>,
    /// (text, background), from Gmail's fixed palette.
    pub color: Option<(&'static str, &'static str)>,
}

const fn system(id: &'static str) -> LabelDef {
    LabelDef {
        id,
        name: id,
        kind: LabelType::System,
        message_list_visibility: None,
        label_list_visibility: None,
        color: None,
    }
}

/// System labels Gmail hides from its label list say so; the others carry no visibility at all.
const fn hidden_system(id: &'static str) -> LabelDef {
    LabelDef {
        message_list_visibility: Some("hide"),
        label_list_visibility: Some("labelHide"),
        ..system(id)
    }
}

const fn user(
    id: &'static str,
    name: &'static str,
    color: Option<(&'static str, &'static str)>,
) -> LabelDef {
    LabelDef {
        id,
        name,
        kind: LabelType::User,
        message_list_visibility: Some("show"),
        label_list_visibility: Some("labelShow"),
        color,
    }
}

/// Every label of the mailbox, in the order Gmail's `labels.list` gives them (system first).
pub(crate) const LABELS: &[LabelDef] = &[
    hidden_system("CHAT"),
    system("SENT"),
    system("INBOX"),
    hidden_system("IMPORTANT"),
    hidden_system("TRASH"),
    system("DRAFT"),
    hidden_system("SPAM"),
    system("CATEGORY_FORUMS"),
    system("CATEGORY_UPDATES"),
    system("CATEGORY_PERSONAL"),
    system("CATEGORY_PROMOTIONS"),
    system("CATEGORY_SOCIAL"),
    system("STARRED"),
    system("UNREAD"),
    user(RECEIPTS, "Receipts", Some(("#ffffff", "#16a766"))),
    user(TRAVEL, "Travel", None),
    user(WORK, "Work", Some(("#ffffff", "#4a86e8"))),
    user(WORK_CLIENTS, "Work/Clients", Some(("#000000", "#fad165"))),
    user(FAMILY, "Family", Some(("#000000", "#f691b3"))),
];

pub(crate) fn find(id: &str) -> Option<&'static LabelDef> {
    LABELS.iter().find(|l| l.id == id)
}

/// `messagesTotal`, `messagesUnread`, `threadsTotal`, `threadsUnread` of one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LabelCounts {
    pub messages_total: usize,
    pub messages_unread: usize,
    pub threads_total: usize,
    pub threads_unread: usize,
}

/// Counts over messages given as (labels, thread); threads are told apart by their first message.
pub(crate) fn counts<'a>(
    label: &str,
    messages: impl Iterator<Item = (Labels<'a>, u64)>,
) -> LabelCounts {
    let mut threads = BTreeSet::new();
    let mut unread_threads = BTreeSet::new();
    let mut counts = LabelCounts::default();
    for (labels, thread) in messages.filter(|(labels, _)| labels.contains(label)) {
        counts.messages_total += 1;
        threads.insert(thread);
        if labels.contains("UNREAD") {
            counts.messages_unread += 1;
            unread_threads.insert(thread);
        }
    }
    counts.threads_total = threads.len();
    counts.threads_unread = unread_threads.len();
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids are unique and every label the generator draws is in the catalogue.
    #[test]
    fn catalogue_is_consistent() {
        let ids: BTreeSet<&str> = LABELS.iter().map(|l| l.id).collect();
        assert_eq!(ids.len(), LABELS.len(), "label ids are unique");
        for id in [RECEIPTS, TRAVEL, WORK, WORK_CLIENTS, FAMILY] {
            assert!(find(id).is_some(), "{id} is a listed label");
        }
    }
}
