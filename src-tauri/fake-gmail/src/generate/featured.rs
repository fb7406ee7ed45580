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
