//! [`parse_mail`]: raw RFC 822 bytes in, [`ParsedMail`] out, for any input.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::defects::Defects;
use super::html::{self, RenderedHtml};
use super::links::{find_in_text, LinkSet};
use super::structure::{self, declared_type};
use super::text::{clean_header, collapse_whitespace, strip_nul, truncate_on_char_boundary};
use super::{
    address, AttachmentInfo, InlineImage, ParsedMail, INLINE_IMAGE_TYPES, MAX_ATTACHMENTS,
    MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_INLINE_IMAGE_BYTES, MAX_INLINE_TOTAL_BYTES,
    MAX_RAW_BYTES, PANIC_DEFECT, SNIPPET_CHARS,
};

/// Parses one raw message into what the store keeps. Never fails and never panics: malformed
/// mail yields whatever could be read, with [`ParsedMail::defects`] saying what was wrong.
///
/// Should mail-parser or the HTML tokenizer panic on some input (a bug), the panic is caught and
/// the message comes back as raw text with [`PANIC_DEFECT`], so one bad message cannot kill a sync.
pub fn parse_mail(raw: &[u8]) -> ParsedMail {
    catch_unwind(AssertUnwindSafe(|| parse_unguarded(raw))).unwrap_or_else(|_| salvage(raw))
}

/// The parser is configured once: building its header table on every message would cost more
/// than parsing a short one.
fn parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    // Only the headers the store keeps are decoded; Received chains and the like are skipped.
    PARSER.get_or_init(|| {
        MessageParser::new()
            .with_minimal_headers()
            .default_header_ignore()
    })
}

fn parse_unguarded(raw: &[u8]) -> ParsedMail {
    let mut defects = Defects::default();
    let raw = if raw.len() > MAX_RAW_BYTES {
        defects.push(format!(
            "message of {} bytes cut to its first {MAX_RAW_BYTES} before parsing",
            raw.len()
        ));
        &raw[..MAX_RAW_BYTES]
    } else {
        raw
    };
    if raw.iter().all(u8::is_ascii_whitespace) {
        defects.push("message is empty");
        return finish(Fields::default(), defects);
    }
    let message = match parser().parse(raw) {
        Some(message) if starts_with_header_field(raw) => message,
        // mail-parser would read the first words of plain text as a header name and drop them.
        _ => {
            defects.push("no headers found; the whole message is kept as plain text");
            return bare_text(raw, defects);
        }
    };
    structure::check(&message, raw, &mut defects);
    let mut fields = headers(&message, &mut defects);
    bodies(&message, &mut fields, &mut defects);
    fields.attachments = attachments(&message, &mut defects);
    fields.inline_images = inline_images(&message, fields.html_body.as_deref());
    finish(fields, defects)
}

/// Whether the input opens with `Name:` where Name is a valid RFC 5322 field name (printable
/// ASCII, no colon). Gmail's raw messages always do; text that does not is not a message.
fn starts_with_header_field(raw: &[u8]) -> bool {
    // Generous: real field names are under 80 bytes, but a longer one is still a header.
    let head = &raw[..raw.len().min(1000)];
    match head.iter().position(|&b| b == b':') {
        Some(0) | None => false,
        Some(colon) => head[..colon].iter().all(|&b| (33..=126).contains(&b)),
    }
}

/// What has been read so far, before the final caps and the snippet.
#[derive(Default)]
struct Fields {
    from: Option<String>,
    to: Option<String>,
    subject: Option<String>,
    date_ms: Option<i64>,
    text_body: Option<String>,
    html_body: Option<String>,
    attachments: Vec<AttachmentInfo>,
    inline_images: Vec<InlineImage>,
    links: LinkSet,
}

fn headers(message: &Message<'_>, defects: &mut Defects) -> Fields {
    let mut fields = Fields {
        from: message.from().and_then(address::display_first),
        to: address::display_all(message.all_to()),
        subject: message
            .subject()
            .map(clean_header)
            .filter(|s| !s.is_empty()),
        ..Fields::default()
    };
    if message.header_raw("From").is_none() {
        defects.push("no From header");
    } else if fields.from.is_none() {
        defects.push("From header has no readable address");
    }
    match (message.header_raw("Date"), message.date()) {
        (None, _) => defects.push("no Date header"),
        (Some(_), Some(date)) if date.is_valid() => {
            fields.date_ms = date.to_timestamp().checked_mul(1000);
        }
        (Some(value), _) => {
            let shown: String = value.trim().chars().take(60).collect();
            defects.push(format!("Date header {shown:?} is not a valid date"));
        }
    }
    for (name, value) in [
        ("From", &mut fields.from),
        ("To", &mut fields.to),
        ("Subject", &mut fields.subject),
    ] {
        if let Some(value) = value {
            if truncate_on_char_boundary(value, MAX_HEADER_BYTES) {
                defects.push(format!("{name} header cut at {MAX_HEADER_BYTES} bytes"));
            }
        }
    }
    fields
}

/// Fills the bodies and the links. mail-parser has already chosen which parts are the text and
/// the HTML body (RFC 2046 alternative, related and mixed rules); an HTML-only message lists
/// its HTML parts as text body too, and those are rendered to text.
fn bodies(message: &Message<'_>, fields: &mut Fields, defects: &mut Defects) {
    let mut rendered: Vec<(u32, RenderedHtml)> = Vec::new();

    let mut text = BodyBuffer::default();
    for &id in &message.text_body {
        match message.parts.get(id as usize).map(|p| &p.body) {
            Some(PartType::Text(plain)) => {
                text.append(plain);
                for (_, url) in find_in_text(plain) {
                    fields.links.add(url);
                }
            }
            Some(PartType::Html(markup)) => {
                let at = render_once(&mut rendered, id, markup);
                text.append(&rendered[at].1.text);
            }
            _ => {}
        }
    }

    // Text that mail-parser could not place (a part cut off before its boundary, a multipart
    // without a usable boundary) is filed as an attachment; a reader wants it as text.
    for &id in &message.attachments {
        if let Some(part) = message.parts.get(id as usize).filter(|p| is_stray_text(p)) {
            if let PartType::Text(plain) = &part.body {
                text.append(plain);
                for (_, url) in find_in_text(plain) {
                    fields.links.add(url);
                }
            }
        }
    }

    let mut html = BodyBuffer::default();
    for &id in &message.html_body {
        if let Some(PartType::Html(markup)) = message.parts.get(id as usize).map(|p| &p.body) {
            html.append(markup);
            render_once(&mut rendered, id, markup);
        }
    }

    for (id, page) in &rendered {
        if page.incomplete {
            defects.push(format!(
                "HTML part {id} is too large or deep to read whole; text and links cut"
            ));
        }
        for url in links_in_reading_order(page) {
            fields.links.add(url);
        }
    }
    if fields.links.over_cap() {
        defects.push(format!(
            "more than {} links; the rest are not kept",
            super::MAX_LINKS
        ));
    }

    fields.text_body = text.finish("text", defects);
    fields.html_body = html.finish("HTML", defects);
}

/// Index of the rendering of HTML part `id`, rendering it on first use: an HTML-only message
/// lists the same part as text body and as HTML body, and it is worth reading once.
fn render_once(rendered: &mut Vec<(u32, RenderedHtml)>, id: u32, markup: &str) -> usize {
    if let Some(pos) = rendered.iter().position(|(seen, _)| *seen == id) {
        return pos;
    }
    rendered.push((id, html::render(markup)));
    rendered.len() - 1
}

/// Hrefs and URLs written in the rendered text, merged by position; at the same spot the href
/// comes first (it opens the element whose text follows).
fn links_in_reading_order(page: &RenderedHtml) -> Vec<&str> {
    let written = find_in_text(&page.text);
    let mut merged = Vec::with_capacity(page.hrefs.len() + written.len());
    let (mut h, mut w) = (page.hrefs.iter().peekable(), written.into_iter().peekable());
    loop {
        match (h.peek(), w.peek()) {
            (Some((hp, _)), Some((wp, _))) if hp <= wp => {
                merged.push(h.next().map(|(_, u)| u.as_str()))
            }
            (_, Some(_)) => merged.push(w.next().map(|(_, u)| u)),
            (Some(_), None) => merged.push(h.next().map(|(_, u)| u.as_str())),
            (None, None) => break,
        }
    }
    merged.into_iter().flatten().collect()
}

/// A body assembled from one or more parts, cut at [`MAX_BODY_BYTES`].
#[derive(Default)]
struct BodyBuffer {
    out: String,
    parts: usize,
    cut: bool,
}

impl BodyBuffer {
    fn append(&mut self, part: &str) {
        if part.trim().is_empty() || self.cut {
            return;
        }
        if self.parts > 0 {
            self.out.push_str("\n\n");
        }
        self.parts += 1;
        let room = MAX_BODY_BYTES.saturating_sub(self.out.len());
        if part.len() > room {
            self.out
                .push_str(super::text::prefix_on_char_boundary(part, room));
            self.cut = true;
        } else {
            self.out.push_str(part);
        }
    }

    fn finish(mut self, what: &str, defects: &mut Defects) -> Option<String> {
        if self.cut {
            defects.push(format!("{what} body cut at {MAX_BODY_BYTES} bytes"));
        }
        if strip_nul(&mut self.out) {
            defects.push(format!("{what} body contained NUL bytes; removed"));
        }
        (self.parts > 0).then_some(self.out)
    }
}

/// A part filed as an attachment only because it was damaged: plain text with no file name
/// that is either flagged by mail-parser or a multipart it had to read as text.
fn is_stray_text(part: &MessagePart<'_>) -> bool {
    matches!(part.body, PartType::Text(_))
        && part.attachment_name().is_none()
        && (part.is_encoding_problem || declared_type(part).starts_with("multipart/"))
}

fn attachments(message: &Message<'_>, defects: &mut Defects) -> Vec<AttachmentInfo> {
    let mut list = Vec::new();
    let part_ids = gmail_part_ids(message);
    for &id in &message.attachments {
        let Some(part) = message.parts.get(id as usize).filter(|p| !is_stray_text(p)) else {
            continue;
        };
        if list.len() >= MAX_ATTACHMENTS {
            defects.push(format!(
                "more than {MAX_ATTACHMENTS} attachments; the rest are not listed"
            ));
            break;
        }
        let mut info = attachment_info(part);
        info.part_id = part_ids
            .iter()
            .find(|(at, _)| *at == id)
            .map(|(_, path)| path.clone());
        list.push(info);
    }
    list
}

/// The raster image parts with a Content-ID that the HTML body refers to as `cid:`, with their
/// decoded bytes, within the size limits; nothing when the HTML names no `cid:` at all.
fn inline_images(message: &Message<'_>, html: Option<&str>) -> Vec<InlineImage> {
    let Some(html) = html.filter(|h| contains_ignore_case(h, "cid:")) else {
        return Vec::new();
    };
    let mut kept: Vec<InlineImage> = Vec::new();
    let mut total = 0usize;
    for part in &message.parts {
        let Some(content_id) = part.content_id().map(str::trim).filter(|c| !c.is_empty()) else {
            continue;
        };
        let mime_type = declared_type(part);
        if !INLINE_IMAGE_TYPES.contains(&mime_type.as_str())
            || kept.iter().any(|k| k.content_id == content_id)
            || !contains_ignore_case(html, content_id)
        {
            continue;
        }
        let data = match &part.body {
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.as_ref(),
            _ => continue,
        };
        if data.is_empty()
            || data.len() > MAX_INLINE_IMAGE_BYTES
            || total + data.len() > MAX_INLINE_TOTAL_BYTES
        {
            continue;
        }
        total += data.len();
        kept.push(InlineImage {
            content_id: content_id.to_owned(),
            mime_type,
            data: data.to_vec(),
        });
    }
    kept
}

/// ASCII case-insensitive substring test (Content-IDs and `cid:` are ASCII in practice; a
/// non-ASCII id is compared byte for byte).
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    !n.is_empty() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Each part's id as Gmail's `format=full` numbers it: the root is `""`, its children `"0"`,
/// `"1"`, theirs `"1.0"`, … (depth first, as the MIME tree is written). Walked with an explicit
/// stack and a visited mark, so a hostile tree can neither recurse deeply nor loop.
fn gmail_part_ids(message: &Message<'_>) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut seen = vec![false; message.parts.len()];
    let mut stack: Vec<(u32, String)> = vec![(0, String::new())];
    while let Some((id, path)) = stack.pop() {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        if std::mem::replace(&mut seen[id as usize], true) {
            continue;
        }
        if let Some(children) = part.sub_parts() {
            for (i, &child) in children.iter().enumerate().rev() {
                let child_path = if path.is_empty() {
                    i.to_string()
                } else {
                    format!("{path}.{i}")
                };
                stack.push((child, child_path));
            }
        }
        out.push((id, path));
    }
    out
}

fn attachment_info(part: &MessagePart<'_>) -> AttachmentInfo {
    let mime_type = match (&part.body, part.content_type()) {
        (_, Some(_)) => declared_type(part),
        (PartType::Message(_), None) => "message/rfc822".to_owned(),
        (PartType::Text(_), None) => "text/plain".to_owned(),
        (PartType::Html(_), None) => "text/html".to_owned(),
        (_, None) => "application/octet-stream".to_owned(),
    };
    let filename = part
        .attachment_name()
        .map(clean_header)
        .filter(|n| !n.is_empty())
        .map(|mut n| {
            truncate_on_char_boundary(&mut n, 1024);
            n
        });
    AttachmentInfo {
        filename,
        mime_type,
        size: part.len(),
        part_id: None,
    }
}

/// Input with no header at all: kept as one plain-text body so nothing is lost.
fn bare_text(raw: &[u8], mut defects: Defects) -> ParsedMail {
    let mut fields = Fields::default();
    let mut body = BodyBuffer::default();
    let text = String::from_utf8_lossy(&raw[..raw.len().min(MAX_BODY_BYTES + 1)]);
    if text.contains('\u{FFFD}') {
        defects.push("message has bytes that are not valid UTF-8; replaced");
    }
    body.append(&text);
    for (_, url) in find_in_text(&body.out) {
        fields.links.add(url);
    }
    fields.text_body = body.finish("text", &mut defects);
    finish(fields, defects)
}

/// Last resort after a panic: the raw bytes as text, no structure, no links.
fn salvage(raw: &[u8]) -> ParsedMail {
    let mut defects = Defects::default();
    defects.push(PANIC_DEFECT);
    let head = &raw[..raw.len().min(MAX_BODY_BYTES)];
    let mut body = BodyBuffer::default();
    body.append(&String::from_utf8_lossy(head));
    let fields = Fields {
        text_body: body.finish("text", &mut defects),
        ..Fields::default()
    };
    finish(fields, defects)
}

fn finish(fields: Fields, defects: Defects) -> ParsedMail {
    let snippet = fields
        .text_body
        .as_deref()
        .map(|t| collapse_whitespace(t, SNIPPET_CHARS))
        .unwrap_or_default();
    ParsedMail {
        from: fields.from,
        to: fields.to,
        subject: fields.subject,
        date_ms: fields.date_ms,
        text_body: fields.text_body,
        html_body: fields.html_body,
        snippet,
        attachments: fields.attachments,
        inline_images: fields.inline_images,
        links: fields.links.into_vec(),
        defects: defects.into_vec(),
    }
}
