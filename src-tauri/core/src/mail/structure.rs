//! Checks of a parsed message's MIME structure that mail-parser recovers from silently: unclosed
//! boundaries, unknown charsets, bytes invalid in their charset, undecodable parts.

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::defects::Defects;

/// Records every structural defect of the top-level message's parts. Parts of attached messages
/// are not inspected: they are attachments, not what the store shows.
pub(super) fn check(message: &Message<'_>, raw: &[u8], defects: &mut Defects) {
    for (index, part) in message.parts.iter().enumerate() {
        let declared = declared_type(part);
        if part.is_encoding_problem {
            defects.push(format!(
                "part {index} ({declared}) is malformed or truncated; kept as raw text"
            ));
        }
        match &part.body {
            PartType::Multipart(children) => {
                check_closed(part, children, message, raw, index, defects)
            }
            _ if declared.starts_with("multipart/") => defects.push(format!(
                "part {index} is {declared} but has no usable boundary; read as text"
            )),
            PartType::Text(text) | PartType::Html(text) => {
                check_charset(part, text, index, defects)
            }
            _ => {}
        }
    }
}

/// The Content-Type as written (lowercase), for messages; `text/plain` when absent, as RFC 2045
/// says.
pub(super) fn declared_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => "text/plain".to_owned(),
    }
}

/// A multipart ends with `--boundary--` right after its last child; mail-parser accepts a
/// missing one (a truncated message) without saying so.
fn check_closed(
    part: &MessagePart<'_>,
    children: &[u32],
    message: &Message<'_>,
    raw: &[u8],
    index: usize,
    defects: &mut Defects,
) {
    let Some(boundary) = part.content_type().and_then(|ct| ct.attribute("boundary")) else {
        return;
    };
    let after_last_child = children
        .last()
        .and_then(|&id| message.parts.get(id as usize))
        .map_or(part.offset_body, |child| child.offset_end) as usize;
    // Only the few bytes where the close delimiter must sit are searched, so nested multiparts
    // cost linear time however deep they go.
    let start = after_last_child.min(raw.len());
    let end = start.saturating_add(boundary.len() + 16).min(raw.len());
    let closing = [b"--", boundary.as_bytes(), b"--"].concat();
    let closed = raw[start..end]
        .windows(closing.len())
        .any(|w| w == closing.as_slice());
    if !closed {
        defects.push(format!(
            "part {index} ({}) never closes its boundary; the message may be truncated",
            declared_type(part)
        ));
    }
}

fn check_charset(part: &MessagePart<'_>, text: &str, index: usize, defects: &mut Defects) {
    let charset = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .map(|c| c.trim().to_ascii_lowercase());
    let utf8 = match charset.as_deref() {
        None
        | Some("utf-8" | "utf8" | "unicode-1-1-utf-8" | "x-unicode20utf8" | "unicode20utf8") => {
            true
        }
        Some(name) if charset_decoder(name.as_bytes()).is_some() => false,
        Some(name) => {
            let shown: String = name.chars().take(40).collect();
            defects.push(format!(
                "part {index} has unknown charset {shown:?}; read as UTF-8"
            ));
            return;
        }
    };
    // mail-parser decodes UTF-8 lossily: a replacement character is the trace of bad bytes.
    if utf8 && text.contains('\u{FFFD}') {
        defects.push(format!(
            "part {index} has bytes that are not valid UTF-8; replaced"
        ));
    }
}
