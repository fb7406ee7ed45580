//! Parse-and-extract for one raw Gmail message: the headers, bodies, attachment facts, links and
//! defects that the store keeps, obtained without ever panicking or failing on hostile mail.
//!
//! [`parse_mail`] takes the RFC 822 bytes that `messages.get?format=raw` returns (after base64url
//! decoding). Malformed mail is stored as well as can be: whatever could be read is returned and
//! [`ParsedMail::defects`] says what was wrong. Everything kept is bounded by the limits below, so
//! a 50 MB message or one with a million links costs bounded memory.
//!
//! [`safe_html`] is the other direction: a stored HTML body made safe to display.

mod address;
mod css;
mod defects;
mod html;
mod links;
mod parse;
mod sanitize;
mod saved_file;
mod structure;
mod text;

pub use address::sender_address;
pub use parse::parse_mail;
pub use sanitize::{content_policy, safe_html, InlineImages, SafeHtml};
pub use saved_file::{runs_code, safe_file_name, save_new};

/// Raw input beyond this is cut before parsing (Gmail itself refuses messages this large).
pub const MAX_RAW_BYTES: usize = 64 * 1024 * 1024;
/// Each of `text_body` and `html_body` is cut at this many bytes (on a char boundary).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// `from`, `to` and `subject` are cut at this many bytes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// At most this many links are kept per message; a message with more is almost surely hostile.
pub const MAX_LINKS: usize = 1_000;
/// A candidate URL longer than this is not kept as a link.
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// At most this many attachments are listed per message.
pub const MAX_ATTACHMENTS: usize = 1_000;
/// An inline image (a `cid:` part the HTML shows) is kept only up to this size...
pub const MAX_INLINE_IMAGE_BYTES: usize = 1024 * 1024;
/// ...and a message keeps at most this many bytes of them; the rest show as missing.
pub const MAX_INLINE_TOTAL_BYTES: usize = 4 * 1024 * 1024;
/// Image types kept for `cid:` display: raster formats a browser decodes without scripts.
pub const INLINE_IMAGE_TYPES: [&str; 6] = [
    "image/png",
    "image/gif",
    "image/jpeg",
    "image/jpg",
    "image/webp",
    "image/bmp",
];
/// At most this many defects are listed; the last entry then says how many more there were.
pub const MAX_DEFECTS: usize = 32;
/// The snippet holds at most this many characters.
pub const SNIPPET_CHARS: usize = 200;

/// Defect recorded when the parser itself panicked; the content is then a raw fallback. Tests
/// and the fuzz target look for it, because it means a bug here or in a dependency.
pub const PANIC_DEFECT: &str = "internal parser error: message kept as raw text";

/// What the store keeps of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedMail {
    /// The first From address in display form, e.g. `Ann Lee <ann@example.com>`.
    pub from: Option<String>,
    /// Every To address (across all To headers) in display form, joined with `", "`.
    pub to: Option<String>,
    /// The Subject, RFC 2047 decoded.
    pub subject: Option<String>,
    /// The Date header as milliseconds since the Unix epoch, when it parses to a plausible date.
    pub date_ms: Option<i64>,
    /// The text/plain body decoded to UTF-8; when the message has only HTML, a plain-text
    /// rendering of it (scripts and styles dropped, block elements on their own lines).
    pub text_body: Option<String>,
    /// The text/html body decoded to UTF-8, kept as sent: it is NOT sanitized here, the display
    /// sanitizes it.
    pub html_body: Option<String>,
    /// The first [`SNIPPET_CHARS`] characters of readable text, whitespace collapsed.
    pub snippet: String,
    /// Attachments (and other non-body parts), without their content.
    pub attachments: Vec<AttachmentInfo>,
    /// http(s) links from the text and HTML bodies, deduplicated, in order of first appearance.
    pub links: Vec<Link>,
    /// The images the HTML body shows by `cid:`, with their bytes (raster types only, within
    /// [`MAX_INLINE_IMAGE_BYTES`] each and [`MAX_INLINE_TOTAL_BYTES`] a message).
    pub inline_images: Vec<InlineImage>,
    /// What was wrong with the message, in plain words; empty when it was clean.
    pub defects: Vec<String>,
}

/// One http(s) link found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    /// The URL as the `url` crate serializes it: scheme and host lowercased (host in punycode),
    /// everything else as written, so two spellings of one URL compare equal.
    pub url: String,
    /// The lowercase host without a leading `www.`, so `www.example.com` and `example.com`
    /// group together; IP hosts are kept as written (`[::1]`, `10.0.0.1`).
    pub domain: String,
}

/// One image part an HTML body refers to as `cid:<content_id>`, kept so the message shows it
/// offline and without asking Gmail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// The part's Content-ID without its angle brackets, as written.
    pub content_id: String,
    /// Lowercase `image/<subtype>`, one of [`INLINE_IMAGE_TYPES`].
    pub mime_type: String,
    pub data: Vec<u8>,
}

/// One attachment: what it is, never what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// The file name from Content-Disposition or Content-Type (RFC 2231/2047 decoded), if any.
    pub filename: Option<String>,
    /// Lowercase `type/subtype`, e.g. `application/pdf`.
    pub mime_type: String,
    /// Decoded size in bytes (for an attached message, its raw size).
    pub size: usize,
    /// Where the part sits in the MIME tree as Gmail numbers it in `format=full` (`""` for the
    /// root, `"1"`, `"1.0"`, …): how its bytes are found again with `messages.attachments.get`.
    pub part_id: Option<String>,
}
