//! `history.list`: changes after a `startHistoryId`, or 404 when that id is older than the retention allows.

use std::time::Duration;

use super::params::{decode_page_token, encode_page_token, Params};
use crate::errors::GoogleError;
use crate::history::{Change, HistoryRecord, HistoryType};
use crate::pipeline::{lock, Shared};
use crate::wire;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 500;

fn history_message(record: &HistoryRecord, with_labels: bool) -> wire::HistoryMessage {
    wire::HistoryMessage {
        id: record.message_id.clone(),
        thread_id: record.thread_id.clone(),
        label_ids: with_labels.then(|| record.labels.clone()),
    }
}

/// The record as Gmail shows it, keeping only the change types asked for.
fn render(record: &HistoryRecord, types: &[HistoryType]) -> Option<wire::History> {
    let wanted = |change: &Change| types.is_empty() || types.contains(&change.history_type());
    let mut history = wire::History {
        id: record.id.to_string(),
        messages: vec![wire::MessageRef {
            id: record.message_id.clone(),
            thread_id: record.thread_id.clone(),
        }],
        ..Default::default()
    };
    let mut any = false;
    for change in record.changes.iter().filter(|c| wanted(c)) {
        any = true;
        match change {
            Change::Added => {
                history.messages_added = Some(vec![wire::MessageChange {
                    message: history_message(record, true),
                }])
            }
            Change::Deleted => {
                history.messages_deleted = Some(vec![wire::MessageChange {
                    message: history_message(record, false),
                }])
            }
            Change::LabelsAdded(labels) => {
                history.labels_added = Some(vec![wire::LabelChange {
                    message: history_message(record, true),
                    label_ids: labels.clone(),
                }])
            }
            Change::LabelsRemoved(labels) => {
                history.labels_removed = Some(vec![wire::LabelChange {
                    message: history_message(record, true),
                    label_ids: labels.clone(),
                }])
            }
        }
    }
    any.then_some(history)
}

pub(crate) fn list(shared: &Shared, params: &Params) -> Result<Vec<u8>, GoogleError> {
    let start = params
        .one("startHistoryId")
        .ok_or_else(|| GoogleError::bad_request("Required parameter: startHistoryId"))?;
    let start: u64 = start.trim().parse().map_err(|_| {
        GoogleError::bad_request(format!("Invalid value at 'start_history_id' ({start})"))
    })?;
    let max = params.count("maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let types = params
        .all("historyTypes")
        .into_iter()
        .map(|t| {
            HistoryType::parse(t).ok_or_else(|| {
                GoogleError::bad_request(format!("Invalid value at 'history_types' ({t})"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let label = params.one("labelId").map(str::to_string);
    let after = params
        .one("pageToken")
        .filter(|t| !t.is_empty())
        .map(decode_page_token)
        .transpose()?
        .unwrap_or(start)
        .max(start);
    let knobs = shared.knobs();
    let now = shared.clock.now();

    let mut mailbox = lock(&shared.mailbox);
    let current = mailbox.history_id();
    // Gmail forgets history by age; an id older than a forgotten record has lost changes.
    let expired_through = match knobs.history_max_age {
        Some(max_age) => mailbox.history_mut().expire(now.saturating_sub(max_age)),
        None => mailbox.history_mut().expire(Duration::ZERO),
    };
    if start < expired_through {
        tracing::debug!(
            start,
            expired_through,
            "startHistoryId older than the history kept"
        );
        return Err(GoogleError::not_found());
    }
    if let Some(retention) = knobs.history_retention {
        if start < current.saturating_sub(retention) {
            tracing::debug!(start, current, retention, "startHistoryId beyond retention");
            return Err(GoogleError::not_found());
        }
    }
    let mut page = Vec::with_capacity(max.min(64));
    let mut next_page_token = None;
    for record in mailbox.history_after(after) {
        if label.as_ref().is_some_and(|l| !record.labels.contains(l)) {
            continue;
        }
        let Some(rendered) = render(&record, &types) else {
            continue;
        };
        if page.len() == max {
            next_page_token = page.last().map(|h: &wire::History| h.id.clone());
            break;
        }
        page.push(rendered);
    }
    drop(mailbox);
    let mut next_page_token = next_page_token
        .and_then(|id| id.parse().ok())
        .map(encode_page_token);
    let lies = shared.knobs().lies;
    if lies.history_repeats_token {
        // This page again (or, on the first, the next page or one made up, forever).
        next_page_token = params
            .one("pageToken")
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .or(next_page_token)
            .or_else(|| Some(encode_page_token(after)));
    }
    if let Some(hostile) = lies.hostile_id {
        page.push(wire::History {
            id: current.to_string(),
            messages: vec![wire::MessageRef {
                id: hostile.clone(),
                thread_id: hostile.clone(),
            }],
            messages_added: Some(vec![wire::MessageChange {
                message: wire::HistoryMessage {
                    id: hostile.clone(),
                    thread_id: hostile,
                    label_ids: Some(vec!["INBOX".into()]),
                },
            }]),
            ..Default::default()
        });
    }
    let list = wire::HistoryList {
        history: (!page.is_empty()).then_some(page),
        next_page_token,
        history_id: current.to_string(),
    };
    Ok(serde_json::to_vec(&list).unwrap_or_default())
}
