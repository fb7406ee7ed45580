//! A whole message: header fields (as written and as decoded) over a root MIME part, rendered to raw bytes.

use super::encoding::fold;
use super::part::{render, MimeNode, PartTree};

/// One header field: the text written in the message and the decoded value Gmail reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderField {
    pub name: String,
    /// The value as written: folded, possibly RFC 2047 encoded, possibly raw 8-bit bytes.
    pub written: Vec<u8>,
    pub decoded: String,
}

impl HeaderField {
    /// An ASCII value, folded for long lines.
    pub(crate) fn plain(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            written: fold(name, value).into_bytes(),
            decoded: value.into(),
        }
    }

    /// A value written in an encoded form that decodes to `decoded`.
    pub(crate) fn encoded(name: &str, written: impl Into<Vec<u8>>, decoded: &str) -> Self {
        Self {
            name: name.into(),
            written: written.into(),
            decoded: decoded.into(),
        }
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&self.written);
        out.extend_from_slice(b"\r\n");
    }

    pub(crate) fn pair(&self) -> (String, String) {
        (self.name.clone(), self.decoded.clone())
    }
}

#[derive(Debug, Default)]
pub(crate) struct MessageBuilder {
    headers: Vec<HeaderField>,
}

/// A rendered message: its raw RFC 822 bytes and its part tree.
#[derive(Debug, Clone)]
pub(crate) struct RenderedMessage {
    pub raw: Vec<u8>,
    pub tree: PartTree,
}

impl MessageBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn header(&mut self, field: HeaderField) -> &mut Self {
        self.headers.push(field);
        self
    }

    pub(crate) fn plain(&mut self, name: &str, value: &str) -> &mut Self {
        self.header(HeaderField::plain(name, value))
    }

    pub(crate) fn render(&self, root: &MimeNode) -> RenderedMessage {
        let mut raw = Vec::with_capacity(4096);
        let tree = render(root, &self.headers, &mut raw);
        RenderedMessage { raw, tree }
    }
}
