//! MIME parts: a tree of leaves and multiparts rendered to bytes, remembering where each body sits in the raw message.

use std::ops::Range;

use super::encoding::{
    base64_lines, decode_base64_lenient, decode_quoted_printable, quoted_printable,
};
use super::message::HeaderField;
use super::Charset;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    SevenBit,
    EightBit,
    QuotedPrintable,
    Base64,
}

impl Transfer {
    fn header_value(self) -> &'static str {
        match self {
            Transfer::SevenBit => "7bit",
            Transfer::EightBit => "8bit",
            Transfer::QuotedPrintable => "quoted-printable",
            Transfer::Base64 => "base64",
        }
    }

    fn encode(self, content: &[u8]) -> Vec<u8> {
        match self {
            Transfer::SevenBit | Transfer::EightBit => content.to_vec(),
            Transfer::QuotedPrintable => quoted_printable(content),
            Transfer::Base64 => base64_lines(content),
        }
    }

    pub(crate) fn decode(self, encoded: &[u8]) -> Vec<u8> {
        match self {
            Transfer::SevenBit | Transfer::EightBit => encoded.to_vec(),
            Transfer::QuotedPrintable => decode_quoted_printable(encoded),
            Transfer::Base64 => decode_base64_lenient(encoded),
        }
    }
}

/// A single-body part.
#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    pub mime_type: String,
    pub charset: Option<Charset>,
    /// Written instead of the charset's real name, to make a deliberately bad `charset=`.
    pub charset_label: Option<String>,
    pub transfer: Transfer,
    pub filename: Option<String>,
    /// A `Content-ID` (without angle brackets): the part is then an inline part that HTML
    /// shows as `cid:<id>` (`Content-Disposition: inline`).
    pub content_id: Option<String>,
    /// The decoded body bytes (already in the part's charset).
    pub content: Vec<u8>,
}

impl Leaf {
    pub(crate) fn text(mime_type: &str, charset: Charset, transfer: Transfer, text: &str) -> Self {
        Self {
            mime_type: mime_type.into(),
            charset: Some(charset),
            charset_label: None,
            transfer,
            filename: None,
            content_id: None,
            content: charset.encode(text),
        }
    }

    pub(crate) fn attachment(mime_type: &str, filename: &str, content: Vec<u8>) -> Self {
        Self {
            mime_type: mime_type.into(),
            charset: None,
            charset_label: None,
            transfer: Transfer::Base64,
            filename: Some(filename.into()),
            content_id: None,
            content,
        }
    }

    /// An image HTML shows by `cid:<content_id>`, as mail apps write them into
    /// multipart/related.
    pub(crate) fn inline_image(
        mime_type: &str,
        filename: &str,
        content_id: &str,
        content: Vec<u8>,
    ) -> Self {
        Self {
            content_id: Some(content_id.into()),
            ..Self::attachment(mime_type, filename, content)
        }
    }

    fn content_headers(&self) -> Vec<HeaderField> {
        let mut content_type = self.mime_type.clone();
        let label = self
            .charset_label
            .clone()
            .or_else(|| self.charset.map(|c| c.mime_name().to_string()));
        if let Some(label) = label {
            content_type.push_str(&format!("; charset=\"{label}\""));
        }
        if let Some(name) = &self.filename {
            content_type.push_str(&format!("; name=\"{name}\""));
        }
        let mut headers = vec![
            HeaderField::plain("Content-Type", &content_type),
            HeaderField::plain("Content-Transfer-Encoding", self.transfer.header_value()),
        ];
        if let Some(id) = &self.content_id {
            headers.push(HeaderField::plain("Content-ID", &format!("<{id}>")));
        }
        if let Some(name) = &self.filename {
            let disposition = if self.content_id.is_some() {
                "inline"
            } else {
                "attachment"
            };
            headers.push(HeaderField::plain(
                "Content-Disposition",
                &format!("{disposition}; filename=\"{name}\""),
            ));
        }
        headers
    }
}

#[derive(Debug, Clone)]
pub(crate) enum MimeNode {
    Leaf(Leaf),
    Multipart {
        subtype: &'static str,
        boundary: String,
        children: Vec<MimeNode>,
    },
    /// Bytes written as given after the header block, for deliberately broken structure;
    /// the tree shows one part of `mime_type` whose body is everything after the headers.
    Verbatim {
        headers: Vec<HeaderField>,
        mime_type: String,
        body: Vec<u8>,
    },
}

/// Where one part's body is in the raw message and how to decode it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyRef {
    pub range: Range<usize>,
    pub transfer: Transfer,
}

impl BodyRef {
    pub(crate) fn decode(&self, raw: &[u8]) -> Vec<u8> {
        self.transfer
            .decode(raw.get(self.range.clone()).unwrap_or_default())
    }
}

/// The part tree Gmail's `format=full` answers with, bodies kept as references into the raw bytes.
#[derive(Debug, Clone)]
pub(crate) struct PartTree {
    pub mime_type: String,
    pub filename: String,
    pub headers: Vec<(String, String)>,
    pub charset: Option<Charset>,
    pub body: Option<BodyRef>,
    pub children: Vec<PartTree>,
}

impl PartTree {
    /// Depth-first leaves, for finding text bodies.
    pub(crate) fn leaves(&self) -> Vec<&PartTree> {
        if self.children.is_empty() {
            vec![self]
        } else {
            self.children.iter().flat_map(PartTree::leaves).collect()
        }
    }
}

fn write_headers(out: &mut Vec<u8>, headers: &[HeaderField]) {
    for header in headers {
        header.write(out);
    }
    out.extend_from_slice(b"\r\n");
}

/// Renders `node` (its header block, then its body) into `out`; `outer` headers come first in the block.
pub(crate) fn render(node: &MimeNode, outer: &[HeaderField], out: &mut Vec<u8>) -> PartTree {
    match node {
        MimeNode::Leaf(leaf) => {
            let mut headers = outer.to_vec();
            headers.extend(leaf.content_headers());
            write_headers(out, &headers);
            let start = out.len();
            out.extend_from_slice(&leaf.transfer.encode(&leaf.content));
            PartTree {
                mime_type: leaf.mime_type.clone(),
                filename: leaf.filename.clone().unwrap_or_default(),
                headers: headers.iter().map(HeaderField::pair).collect(),
                charset: leaf.charset,
                body: Some(BodyRef {
                    range: start..out.len(),
                    transfer: leaf.transfer,
                }),
                children: Vec::new(),
            }
        }
        MimeNode::Multipart {
            subtype,
            boundary,
            children,
        } => {
            let mime_type = format!("multipart/{subtype}");
            let mut headers = outer.to_vec();
            headers.push(HeaderField::plain(
                "Content-Type",
                &format!("{mime_type}; boundary=\"{boundary}\""),
            ));
            write_headers(out, &headers);
            let mut trees = Vec::with_capacity(children.len());
            for child in children {
                out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                trees.push(render(child, &[], out));
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            PartTree {
                mime_type,
                filename: String::new(),
                headers: headers.iter().map(HeaderField::pair).collect(),
                charset: None,
                body: None,
                children: trees,
            }
        }
        MimeNode::Verbatim {
            headers: own,
            mime_type,
            body,
        } => {
            let mut headers = outer.to_vec();
            headers.extend(own.iter().cloned());
            write_headers(out, &headers);
            let start = out.len();
            out.extend_from_slice(body);
            PartTree {
                mime_type: mime_type.clone(),
                filename: String::new(),
                headers: headers.iter().map(HeaderField::pair).collect(),
                charset: None,
                body: Some(BodyRef {
                    range: start..out.len(),
                    transfer: Transfer::SevenBit,
                }),
                children: Vec::new(),
            }
        }
    }
}
