//! `messages.list`, `messages.get` (raw, full, metadata, minimal) and `messages.attachments.get`.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

use super::params::{decode_page_token, encode_page_token, Params};
use crate::errors::GoogleError;
use crate::mailbox::{Entry, ListFilter};
use crate::mime::PartTree;
use crate::pipeline::{lock, Shared};
use crate::query::Query;
use crate::wire;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 500;

pub(crate) fn list(shared: &Shared, params: &Params) -> Result<Vec<u8>, GoogleError> {
    let max = params.count("maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let after = params
        .one("pageToken")
        .filter(|t| !t.is_empty())
        .map(decode_page_token)
        .transpose()?;
    let filter = ListFilter {
        query: Query::parse(params.one("q").unwrap_or_default()),
        label_ids: params
            .all("labelIds")
            .into_iter()
            .map(str::to_string)
            .collect(),
        include_spam_trash: params.flag("includeSpamTrash")?,
    };
    let page = lock(&shared.mailbox).list(&filter, after, max);
    let lies = shared.knobs().lies;
    let mut messages: Vec<wire::MessageRef> = page
        .messages
        .into_iter()
        .map(|(id, thread_id)| wire::MessageRef { id, thread_id })
        .collect();
    if let Some(hostile) = lies.hostile_id {
        messages.push(wire::MessageRef {
            id: hostile.clone(),
            thread_id: hostile,
        });
    }
    let mut next_page_token = page.next_cursor.map(encode_page_token);
    if lies.list_repeats_token {
        // This page again (or, on the first, the second page again and again).
        next_page_token = params
            .one("pageToken")
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .or(next_page_token)
            .or_else(|| Some(encode_page_token(0)));
    }
    let list = wire::MessageList {
        messages: (!messages.is_empty()).then_some(messages),
        next_page_token,
        result_size_estimate: page.total,
    };
    Ok(serde_json::to_vec(&list).unwrap_or_default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Raw,
    Full,
    Metadata,
    Minimal,
}

fn format(params: &Params) -> Result<Format, GoogleError> {
    match params.one("format").map(str::to_ascii_lowercase).as_deref() {
        None | Some("full") => Ok(Format::Full),
        Some("raw") => Ok(Format::Raw),
        Some("metadata") => Ok(Format::Metadata),
        Some("minimal") => Ok(Format::Minimal),
        Some(other) => Err(GoogleError::bad_request(format!(
            "Invalid value at 'format' ({other}): expected raw, full, metadata or minimal"
        ))),
    }
}

/// Gmail's attachment ids are opaque; this one carries the message and part ids.
fn attachment_id(message_id: &str, part_id: &str) -> String {
    format!(
        "ANGjdJ{}",
        URL_SAFE_NO_PAD.encode(format!("{message_id}:{part_id}"))
    )
}

fn part(tree: &PartTree, part_id: String, entry: &Entry) -> wire::Part {
    let raw = &entry.message.raw;
    let body = match &tree.body {
        Some(body_ref) => {
            let bytes = body_ref.decode(raw);
            Some(if tree.filename.is_empty() {
                wire::PartBody {
                    attachment_id: None,
                    size: bytes.len(),
                    data: Some(URL_SAFE.encode(&bytes)),
                }
            } else {
                wire::PartBody {
                    attachment_id: Some(attachment_id(&entry.message.id, &part_id)),
                    size: bytes.len(),
                    data: None,
                }
            })
        }
        None => Some(wire::PartBody {
            attachment_id: None,
            size: 0,
            data: None,
        }),
    };
    let children: Vec<wire::Part> = tree
        .children
        .iter()
        .enumerate()
        .map(|(i, child)| {
            let id = if part_id.is_empty() {
                i.to_string()
            } else {
                format!("{part_id}.{i}")
            };
            part(child, id, entry)
        })
        .collect();
    wire::Part {
        part_id,
        mime_type: tree.mime_type.clone(),
        filename: tree.filename.clone(),
        headers: headers(&tree.headers, None),
        body,
        parts: (!children.is_empty()).then_some(children),
    }
}

fn headers(all: &[(String, String)], only: Option<&[&str]>) -> Vec<wire::Header> {
    all.iter()
        .filter(|(name, _)| {
            only.is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        })
        .map(|(name, value)| wire::Header {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

/// Whether `id` can be a Gmail message id at all: Gmail's are hexadecimal numbers of at most
/// 64 bits. Anything else is 400 "Invalid id value", not 404.
pub(crate) fn check_id(id: &str) -> Result<(), GoogleError> {
    if (1..=16).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(GoogleError::invalid_id())
    }
}

pub(crate) fn get(shared: &Shared, id: &str, params: &Params) -> Result<Vec<u8>, GoogleError> {
    check_id(id)?;
    let format = format(params)?;
    // The entry is owned, so the mailbox is not locked while a large body is encoded.
    let entry = lock(&shared.mailbox)
        .get(id)
        .ok_or_else(GoogleError::not_found)?;
    let m = &entry.message;
    let wanted = params.all("metadataHeaders");
    let payload = match format {
        Format::Full => Some(part(&m.tree, String::new(), &entry)),
        Format::Metadata => Some(wire::Part {
            part_id: String::new(),
            mime_type: m.tree.mime_type.clone(),
            filename: String::new(),
            headers: headers(
                &m.tree.headers,
                (!wanted.is_empty()).then_some(wanted.as_slice()),
            ),
            body: None,
            parts: None,
        }),
        Format::Raw | Format::Minimal => None,
    };
    let message = wire::Message {
        id: m.id.clone(),
        thread_id: m.thread_id.clone(),
        label_ids: entry.label_ids(),
        snippet: m.snippet.clone(),
        size_estimate: m.raw.len(),
        history_id: entry.history_id.to_string(),
        internal_date: m.internal_date.to_string(),
        payload,
    };
    let mut body = serde_json::to_string(&message).unwrap_or_default();
    if format == Format::Raw && body.pop() == Some('}') {
        // `raw` is written straight after the other fields: base64url needs no JSON escaping,
        // and passing a body of several kilobytes through serde's escaping scan (and a String
        // of its own) was the largest single cost of serving a message.
        body.push_str(",\"raw\":\"");
        URL_SAFE.encode_string(&m.raw, &mut body);
        body.push_str("\"}");
    }
    Ok(body.into_bytes())
}

/// A `messages.get` answer of about `bytes` bytes: valid JSON whose `raw` is that many `A`s
/// (valid base64url), streamed chunk by chunk without a Content-Length, as Gmail streams.
pub(crate) fn huge(id: &str, bytes: u64) -> axum::response::Response {
    super::streamed_json(
        format!(
            r#"{{"id":"{id}","threadId":"{id}","labelIds":["INBOX"],"sizeEstimate":{bytes},"raw":""#
        ),
        bytes,
        b"\"}",
    )
}

fn find_part<'a>(tree: &'a PartTree, path: &str) -> Option<&'a PartTree> {
    if path.is_empty() {
        return Some(tree);
    }
    let mut node = tree;
    for step in path.split('.') {
        node = node.children.get(step.parse::<usize>().ok()?)?;
    }
    Some(node)
}

pub(crate) fn attachment(
    shared: &Shared,
    id: &str,
    attachment: &str,
) -> Result<Vec<u8>, GoogleError> {
    check_id(id)?;
    let decoded = attachment
        .strip_prefix("ANGjdJ")
        .and_then(|rest| URL_SAFE_NO_PAD.decode(rest).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| GoogleError::bad_request("Invalid attachment id"))?;
    let (message_id, part_id) = decoded
        .split_once(':')
        .ok_or_else(|| GoogleError::bad_request("Invalid attachment id"))?;
    if message_id != id {
        return Err(GoogleError::not_found());
    }
    let entry = lock(&shared.mailbox)
        .get(id)
        .ok_or_else(GoogleError::not_found)?;
    let body = find_part(&entry.message.tree, part_id)
        .and_then(|p| p.body.as_ref())
        .ok_or_else(GoogleError::not_found)?;
    let bytes = body.decode(&entry.message.raw);
    let answer = wire::AttachmentBody {
        attachment_id: attachment.to_owned(),
        size: bytes.len(),
        data: URL_SAFE.encode(&bytes),
    };
    Ok(serde_json::to_vec(&answer).unwrap_or_default())
}
