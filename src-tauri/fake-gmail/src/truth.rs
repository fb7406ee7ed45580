//! Ground truth about the served mailbox, for tests that compare a local store against the server.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::mime::PartTree;

/// How a generated message is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    /// text/plain in UTF-8 (7bit, 8bit, quoted-printable or base64).
    PlainText,
    /// text/html only.
    Html,
    /// multipart/alternative: text/plain and text/html.
    Alternative,
    /// multipart/mixed: a body plus small PDF/PNG/CSV attachments.
    WithAttachments,
    /// ISO-8859-1 body and RFC 2047 Q-encoded subject.
    Latin1,
    /// windows-1252 HTML (curly quotes, euro sign).
    Windows1252,
    /// Shift_JIS body and B-encoded subject.
    ShiftJis,
    /// A link-heavy multipart/alternative newsletter.
    Newsletter,
    /// A few megabytes: text plus a large attachment.
    Large,
    /// Deliberately broken or hostile.
    Malformed(Malformation),
    /// Written out in full, not generated ([`crate::MailboxSpec::featured`]).
    Featured,
}

/// The ways a deliberately malformed message is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Malformation {
    /// The parts' boundary differs from the declared one and there is no closing delimiter.
    BrokenBoundary,
    /// `charset="x-unknown-charset-9"`.
    UnknownCharset,
    /// No From, Date, Subject, Message-ID, MIME-Version or Content-Type.
    MissingHeaders,
    /// Declares base64 but the body is not valid base64.
    InvalidBase64,
    /// Raw UTF-8 bytes in Subject and From instead of RFC 2047 words.
    RawUtf8Header,
    /// HTML with `<script>`, `javascript:`/`data:` links and event handlers, plus one real link.
    HostileHtml,
}

impl MessageKind {
    pub fn is_malformed(self) -> bool {
        matches!(self, MessageKind::Malformed(_))
    }
}

/// What the server holds for one message, as a sync should mirror it.
#[derive(Debug, Clone)]
pub struct MessageTruth {
    pub id: String,
    pub thread_id: String,
    /// Sorted label ids, as they are now (after any `modify_labels`).
    pub label_ids: Vec<String>,
    /// Epoch milliseconds; the `Date:` header names the same second.
    pub internal_date: i64,
    pub history_id: u64,
    pub size_estimate: usize,
    pub snippet: String,
    pub kind: MessageKind,
    /// Top-level headers in order, values decoded (RFC 2047 words and folding undone), as Gmail's `format=full` reports them.
    pub headers: Vec<(String, String)>,
    /// The RFC 822 bytes `format=raw` serves.
    pub raw: Arc<[u8]>,
    /// Every http(s) URL a correct extractor finds: bare URLs in text/plain parts (after transfer decoding)
    /// and `<a href>` targets in text/html parts (after entity decoding). Never `mailto:`, `cid:`,
    /// `javascript:` or `data:`; never URLs from headers or attachments.
    pub links: BTreeSet<String>,
    pub(crate) tree: Arc<PartTree>,
}

impl MessageTruth {
    /// The first value of header `name` (case-insensitive), decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn subject(&self) -> Option<&str> {
        self.header("Subject")
    }

    pub fn from(&self) -> Option<&str> {
        self.header("From")
    }

    /// The first text/plain body that is not an attachment, transfer-decoded and charset-decoded (CRLF line ends kept).
    pub fn text_body(&self) -> Option<String> {
        self.body_of("text/plain")
    }

    /// The first text/html body, decoded like [`MessageTruth::text_body`].
    pub fn html_body(&self) -> Option<String> {
        self.body_of("text/html")
    }

    /// Names of the attachments, in order.
    pub fn attachment_names(&self) -> Vec<String> {
        self.tree
            .leaves()
            .into_iter()
            .filter(|leaf| !leaf.filename.is_empty())
            .map(|leaf| leaf.filename.clone())
            .collect()
    }

    /// The attachments in order: each one's name and its bytes (transfer-decoded), as
    /// `messages.attachments.get` serves them.
    pub fn attachments(&self) -> Vec<(String, Vec<u8>)> {
        self.tree
            .leaves()
            .into_iter()
            .filter(|leaf| !leaf.filename.is_empty())
            .map(|leaf| {
                let bytes = leaf
                    .body
                    .as_ref()
                    .map(|b| b.decode(&self.raw))
                    .unwrap_or_default();
                (leaf.filename.clone(), bytes)
            })
            .collect()
    }

    fn body_of(&self, mime_type: &str) -> Option<String> {
        let leaf = self.tree.leaves().into_iter().find(|leaf| {
            leaf.mime_type.eq_ignore_ascii_case(mime_type) && leaf.filename.is_empty()
        })?;
        let bytes = leaf.body.as_ref()?.decode(&self.raw);
        Some(match leaf.charset {
            Some(charset) => charset.decode(&bytes),
            None => String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}
