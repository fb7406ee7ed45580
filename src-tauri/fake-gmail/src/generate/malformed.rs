//! Deliberately broken and hostile messages: what a sync must survive without panicking or losing the rest.

use super::compose::{link, paragraph, Url};
use super::shapes::boundary;
use crate::mime::part::Leaf;
use crate::mime::{Charset, HeaderField, MimeNode, Transfer};
use crate::rng::SeededRng;
use crate::truth::Malformation;

pub(crate) const ALL: &[Malformation] = &[
    Malformation::BrokenBoundary,
    Malformation::UnknownCharset,
    Malformation::MissingHeaders,
    Malformation::InvalidBase64,
    Malformation::RawUtf8Header,
    Malformation::HostileHtml,
];

/// A malformed message's pieces; `None` headers mean "use the ordinary ones".
pub(crate) struct Broken {
    pub root: MimeNode,
    pub links: Vec<Url>,
    pub subject: Option<HeaderField>,
    pub from: Option<HeaderField>,
    /// Leave out From, Date, Subject, Message-ID and MIME-Version altogether.
    pub bare: bool,
}

pub(crate) fn build(rng: &mut SeededRng, kind: Malformation) -> Broken {
    let mut broken = Broken {
        root: MimeNode::Leaf(Leaf::text(
            "text/plain",
            Charset::Utf8,
            Transfer::SevenBit,
            "",
        )),
        links: Vec::new(),
        subject: None,
        from: None,
        bare: false,
    };
    match kind {
        Malformation::BrokenBoundary => {
            let declared = boundary(rng);
            let used = boundary(rng);
            let body = format!(
                "--{used}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{}\r\n--{used}\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>{}</p>\r\n",
                paragraph(rng),
                paragraph(rng)
            );
            broken.root = MimeNode::Verbatim {
                headers: vec![HeaderField::plain(
                    "Content-Type",
                    &format!("multipart/mixed; boundary=\"{declared}\""),
                )],
                mime_type: "multipart/mixed".into(),
                body: body.into_bytes(),
            };
        }
        Malformation::UnknownCharset => {
            let url = link(rng);
            let text = format!("{}\r\n\r\n{url}\r\n", paragraph(rng));
            let mut leaf = Leaf::text("text/plain", Charset::Utf8, Transfer::SevenBit, &text);
            leaf.charset = None;
            leaf.charset_label = Some("x-unknown-charset-9".into());
            broken.root = MimeNode::Leaf(leaf);
            broken.links.push(url);
        }
        Malformation::MissingHeaders => {
            let url = link(rng);
            let text = format!("{}\r\nSee {url} for details.\r\n", paragraph(rng));
            broken.root = MimeNode::Verbatim {
                headers: Vec::new(),
                mime_type: "text/plain".into(),
                body: text.into_bytes(),
            };
            broken.links.push(url);
            broken.bare = true;
        }
        Malformation::InvalidBase64 => {
            broken.root = MimeNode::Verbatim {
                headers: vec![
                    HeaderField::plain("Content-Type", "text/plain; charset=UTF-8"),
                    HeaderField::plain("Content-Transfer-Encoding", "base64"),
                ],
                mime_type: "text/plain".into(),
                body: b"SGVsbG8gd29ybGQ!!!*** this is not base64 ===\r\nAAAA=BBB=\r\n\xff\xfe\r\n"
                    .to_vec(),
            };
        }
        Malformation::RawUtf8Header => {
            let subject = "Überraschung — 日本語 in a raw header";
            let from = "Zoë Clarke <zoe.clarke@example.org>";
            broken.subject = Some(HeaderField::encoded("Subject", subject, subject));
            broken.from = Some(HeaderField::encoded("From", from, from));
            let url = link(rng);
            let text = format!("{}\r\n{url}\r\n", paragraph(rng));
            broken.root = MimeNode::Leaf(Leaf::text(
                "text/plain",
                Charset::Utf8,
                Transfer::SevenBit,
                &text,
            ));
            broken.links.push(url);
        }
        Malformation::HostileHtml => {
            let url = link(rng);
            let html = format!(
                "<html><head><script>document.cookie='stolen='+document.cookie;</script></head>\r\n\
<body onload=\"alert('x')\">\r\n\
<p>{}</p>\r\n\
<a href=\"javascript:alert(document.domain)\">Claim your prize</a>\r\n\
<a href=\" JaVaScRiPt:void(fetch('/steal'))\">Unsubscribe</a>\r\n\
<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">Open</a>\r\n\
<img src=\"x\" onerror=\"alert(1)\">\r\n\
<iframe src=\"javascript:alert(2)\"></iframe>\r\n\
<div style=\"background:url(javascript:alert(3))\">styled</div>\r\n\
<SCRIPT type=\"text/javascript\">window.location='javascript:alert(4)'</SCRIPT>\r\n\
<p>The real one: <a href=\"{}\">account</a></p>\r\n\
</body></html>\r\n",
                paragraph(rng),
                super::compose::escape(&url)
            );
            broken.root = MimeNode::Leaf(Leaf::text(
                "text/html",
                Charset::Utf8,
                Transfer::QuotedPrintable,
                &html,
            ));
            broken.links.push(url);
        }
    }
    broken
}
