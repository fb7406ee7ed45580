//! `users.labels.list` (ids, names, types, visibility, colours) and `users.labels.get` (plus counts).

use crate::errors::GoogleError;
use crate::labels::{self, LabelDef, LABELS};
use crate::pipeline::{lock, Shared};
use crate::wire;

fn label(def: &LabelDef) -> wire::Label {
    wire::Label {
        id: def.id,
        name: def.name,
        kind: def.kind.as_str(),
        message_list_visibility: def.message_list_visibility,
        label_list_visibility: def.label_list_visibility,
        color: def.color.map(|(text, background)| wire::LabelColor {
            text_color: text,
            background_color: background,
        }),
        messages_total: None,
        messages_unread: None,
        threads_total: None,
        threads_unread: None,
    }
}

/// Gmail's list carries no counts (its discovery document says to ask `labels.get` for them).
pub(crate) fn list(_shared: &Shared) -> Result<Vec<u8>, GoogleError> {
    let list = wire::LabelList {
        labels: LABELS.iter().map(label).collect(),
    };
    Ok(serde_json::to_vec(&list).unwrap_or_default())
}

pub(crate) fn get(shared: &Shared, id: &str) -> Result<Vec<u8>, GoogleError> {
    let def = labels::find(id).ok_or_else(GoogleError::not_found)?;
    let counts = lock(&shared.mailbox).label_counts(def.id);
    let answer = wire::Label {
        messages_total: Some(counts.messages_total),
        messages_unread: Some(counts.messages_unread),
        threads_total: Some(counts.threads_total),
        threads_unread: Some(counts.threads_unread),
        ..label(def)
    };
    Ok(serde_json::to_vec(&answer).unwrap_or_default())
}
