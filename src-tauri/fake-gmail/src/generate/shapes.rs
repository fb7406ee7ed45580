//! MIME structures for the ordinary message kinds: which parts, charsets and transfer encodings each uses.

use super::compose::{Prose, Url};
use super::vocabulary::{CP1252_LINES, LATIN1_LINES, SJIS_LINES};
use crate::mime::part::Leaf;
use crate::mime::{Charset, MimeNode, Transfer};
use crate::rng::SeededRng;
use crate::truth::MessageKind;

/// What a body is written from.
pub(crate) struct BodyInput<'a> {
    pub kind: MessageKind,
    pub to_name: &'a str,
    pub from_name: &'a str,
    pub subject: &'a str,
    pub links: &'a [Url],
    pub large_size_bytes: usize,
}

/// A Gmail-looking boundary: `000000000000` followed by hex.
pub(crate) fn boundary(rng: &mut SeededRng) -> String {
    format!("000000000000{:016x}", rng.next_u64())
}

fn text_transfer(rng: &mut SeededRng, text: &str) -> Transfer {
    if text.is_ascii() {
        *rng.pick(&[Transfer::SevenBit, Transfer::QuotedPrintable])
    } else {
        *rng.pick(&[
            Transfer::EightBit,
            Transfer::QuotedPrintable,
            Transfer::Base64,
        ])
    }
}

fn alternative(rng: &mut SeededRng, plain: Leaf, html: Leaf) -> MimeNode {
    MimeNode::Multipart {
        subtype: "alternative",
        boundary: boundary(rng),
        children: vec![MimeNode::Leaf(plain), MimeNode::Leaf(html)],
    }
}

/// Names the charset cannot hold are spelled in ASCII, as a sender's mailer would fall back.
fn names_for(charset: Charset, name: &str) -> String {
    if charset.decode(&charset.encode(name)) == name {
        name.to_string()
    } else {
        super::ascii_fold(name)
    }
}

pub(crate) fn body(rng: &mut SeededRng, input: &BodyInput<'_>) -> MimeNode {
    let charset = match input.kind {
        MessageKind::Latin1 => Charset::Latin1,
        MessageKind::Windows1252 => Charset::Windows1252,
        MessageKind::ShiftJis => Charset::ShiftJis,
        _ => Charset::Utf8,
    };
    let extra: Vec<&str> = match input.kind {
        MessageKind::Latin1 => vec![*rng.pick(LATIN1_LINES), *rng.pick(LATIN1_LINES)],
        MessageKind::Windows1252 => vec![*rng.pick(CP1252_LINES)],
        MessageKind::ShiftJis => vec![*rng.pick(SJIS_LINES), *rng.pick(SJIS_LINES)],
        _ => Vec::new(),
    };
    let to_name = names_for(charset, input.to_name);
    let from_name = names_for(charset, input.from_name);
    let prose = Prose::new(rng, &to_name, &from_name, &extra);
    let links = input.links;
    let name = charset.mime_name();
    match input.kind {
        MessageKind::PlainText => {
            let text = prose.text(rng, links);
            let transfer = text_transfer(rng, &text);
            MimeNode::Leaf(Leaf::text("text/plain", charset, transfer, &text))
        }
        MessageKind::Html => {
            let html = prose.html(rng, links, name, input.subject);
            let transfer = *rng.pick(&[Transfer::QuotedPrintable, Transfer::Base64]);
            MimeNode::Leaf(Leaf::text("text/html", charset, transfer, &html))
        }
        MessageKind::Alternative | MessageKind::Newsletter => {
            let text = prose.text(rng, links);
            let html = prose.html(rng, links, name, input.subject);
            let plain_transfer = text_transfer(rng, &text);
            let plain = Leaf::text("text/plain", charset, plain_transfer, &text);
            let html = Leaf::text("text/html", charset, Transfer::QuotedPrintable, &html);
            alternative(rng, plain, html)
        }
        MessageKind::Latin1 => {
            let text = prose.text(rng, links);
            let plain = Leaf::text("text/plain", charset, Transfer::QuotedPrintable, &text);
            if rng.chance(0.5) {
                MimeNode::Leaf(plain)
            } else {
                let html = prose.html(rng, links, name, input.subject);
                alternative(
                    rng,
                    plain,
                    Leaf::text("text/html", charset, Transfer::QuotedPrintable, &html),
                )
            }
        }
        MessageKind::Windows1252 => {
            let html = prose.html(rng, links, name, input.subject);
            let transfer = *rng.pick(&[Transfer::QuotedPrintable, Transfer::Base64]);
            let html = Leaf::text("text/html", charset, transfer, &html);
            if rng.chance(0.5) {
                MimeNode::Leaf(html)
            } else {
                let text = prose.text(rng, links);
                alternative(
                    rng,
                    Leaf::text("text/plain", charset, Transfer::QuotedPrintable, &text),
                    html,
                )
            }
        }
        MessageKind::ShiftJis => {
            let text = prose.text(rng, links);
            MimeNode::Leaf(Leaf::text("text/plain", charset, Transfer::Base64, &text))
        }
        MessageKind::WithAttachments => {
            let text = prose.text(rng, links);
            let transfer = text_transfer(rng, &text);
            let plain = Leaf::text("text/plain", charset, transfer, &text);
            let first = if rng.chance(0.5) {
                MimeNode::Leaf(plain)
            } else {
                let html = prose.html(rng, links, name, input.subject);
                alternative(
                    rng,
                    plain,
                    Leaf::text("text/html", charset, Transfer::QuotedPrintable, &html),
                )
            };
            let mut children = vec![first];
            for _ in 0..rng.between(1, 2) {
                let size = rng.between(600, 6000) as usize;
                children.push(MimeNode::Leaf(attachment(rng, size)));
            }
            MimeNode::Multipart {
                subtype: "mixed",
                boundary: boundary(rng),
                children,
            }
        }
        MessageKind::Large => {
            let text = prose.text(rng, links);
            let spread = input.large_size_bytes / 4;
            let size = input.large_size_bytes - spread + rng.below(2 * spread as u64 + 1) as usize;
            let mut pdf = pdf_bytes(rng, size);
            pdf.truncate(size.max(64));
            MimeNode::Multipart {
                subtype: "mixed",
                boundary: boundary(rng),
                children: vec![
                    MimeNode::Leaf(Leaf::text(
                        "text/plain",
                        charset,
                        Transfer::QuotedPrintable,
                        &text,
                    )),
                    MimeNode::Leaf(Leaf::attachment(
                        "application/pdf",
                        &format!("scan-{}.pdf", rng.between(1000, 9999)),
                        pdf,
                    )),
                ],
            }
        }
        MessageKind::Malformed(_) | MessageKind::Featured => unreachable_plain(rng, &prose, links),
    }
}

/// Malformed and featured kinds are built elsewhere; answer with plain text rather than panic if one lands here.
fn unreachable_plain(rng: &mut SeededRng, prose: &Prose, links: &[Url]) -> MimeNode {
    let text = prose.text(rng, links);
    MimeNode::Leaf(Leaf::text(
        "text/plain",
        Charset::Utf8,
        Transfer::SevenBit,
        &text,
    ))
}

fn pdf_bytes(rng: &mut SeededRng, size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend(rng.bytes(size.saturating_sub(bytes.len() + 7)));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

/// A small attachment: a PDF, a PNG or a CSV, made of bytes (no links inside).
pub(crate) fn attachment(rng: &mut SeededRng, size: usize) -> Leaf {
    let n = rng.between(100, 999);
    match rng.below(3) {
        0 => Leaf::attachment(
            "application/pdf",
            &format!("invoice-{n}.pdf"),
            pdf_bytes(rng, size),
        ),
        1 => {
            let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
            png.extend(rng.bytes(size));
            Leaf::attachment("image/png", &format!("photo-{n}.png"), png)
        }
        _ => {
            let mut csv = String::from("date,amount,description\r\n");
            for row in 0..rng.between(3, 30) {
                csv.push_str(&format!(
                    "2024-01-{:02},{}.{:02},item {row}\r\n",
                    row % 28 + 1,
                    rng.below(500),
                    rng.below(100)
                ));
            }
            Leaf::attachment("text/csv", &format!("report-{n}.csv"), csv.into_bytes())
        }
    }
}
