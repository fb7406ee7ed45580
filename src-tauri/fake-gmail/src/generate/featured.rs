//! Messages written out in full rather than generated: what a test or the demo wants to show
//! as it is (a newsletter, hostile HTML), placed among the generated ones.

use std::collections::BTreeSet;

use super::shapes::boundary;
use crate::mime::part::Leaf;
use crate::mime::{Charset, MimeNode, Transfer};
use crate::rng::SeededRng;

/// One message as its author wrote it: UTF-8 HTML, with a plain-text alternative or without.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeaturedMail {
    pub from_name: String,
    pub from_address: String,
    pub subject: String,
    pub html: String,
    /// When given, the message is multipart/alternative with this as its text/plain part.
    pub text: Option<String>,
    /// The http(s) links a correct extractor finds in it (its ground truth).
    pub links: Vec<String>,
    /// Images the HTML shows by `cid:`; when any, the message is multipart/related with them
    /// after the body.
    pub inline_images: Vec<InlineImage>,
    /// Files attached (`Content-Disposition: attachment`); when any, the message is
    /// multipart/mixed with them after the body.
    pub attachments: Vec<FeaturedAttachment>,
}

/// One image part of a featured mail, shown by the HTML as `cid:<content_id>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlineImage {
    pub content_id: String,
    pub mime_type: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// One attached file of a featured mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeaturedAttachment {
    pub mime_type: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl FeaturedMail {
    /// Featured mail is always in the inbox, unread: it is there to be opened.
    pub(crate) fn labels() -> BTreeSet<String> {
        ["INBOX", "UNREAD", "CATEGORY_UPDATES"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    pub(crate) fn body(&self, rng: &mut SeededRng) -> MimeNode {
        let shown = self.shown_body(rng);
        if self.attachments.is_empty() {
            return shown;
        }
        let mut children = vec![shown];
        children.extend(
            self.attachments.iter().map(|a| {
                MimeNode::Leaf(Leaf::attachment(&a.mime_type, &a.filename, a.bytes.clone()))
            }),
        );
        MimeNode::Multipart {
            subtype: "mixed",
            boundary: boundary(rng),
            children,
        }
    }

    /// What is read: the text and HTML, with the HTML's inline images.
    fn shown_body(&self, rng: &mut SeededRng) -> MimeNode {
        let text = self.text_body(rng);
        if self.inline_images.is_empty() {
            return text;
        }
        let mut children = vec![text];
        children.extend(self.inline_images.iter().map(|i| {
            MimeNode::Leaf(Leaf::inline_image(
                &i.mime_type,
                &i.filename,
                &i.content_id,
                i.bytes.clone(),
            ))
        }));
        MimeNode::Multipart {
            subtype: "related",
            boundary: boundary(rng),
            children,
        }
    }

    /// The HTML, or text and HTML as alternatives.
    fn text_body(&self, rng: &mut SeededRng) -> MimeNode {
        let html = Leaf::text(
            "text/html",
            Charset::Utf8,
            Transfer::QuotedPrintable,
            &self.html,
        );
        match &self.text {
            None => MimeNode::Leaf(html),
            Some(text) => MimeNode::Multipart {
                subtype: "alternative",
                boundary: boundary(rng),
                children: vec![
                    MimeNode::Leaf(Leaf::text(
                        "text/plain",
                        Charset::Utf8,
                        Transfer::QuotedPrintable,
                        text,
                    )),
                    MimeNode::Leaf(html),
                ],
            },
        }
    }
}
