//! Prose and links for generated bodies: plain text with bare URLs, HTML with `<a href>`, and the link ground truth.

use std::collections::BTreeSet;

use super::vocabulary::{GREETINGS, LINK_HOSTS, PATH_WORDS, SIGN_OFFS, WORDS};
use crate::rng::SeededRng;

/// A URL as a correct extractor should report it.
pub(crate) type Url = String;

pub(crate) fn link(rng: &mut SeededRng) -> Url {
    let scheme = if rng.chance(0.12) { "http" } else { "https" };
    let host = rng.pick(LINK_HOSTS);
    let mut url = format!("{scheme}://{host}/");
    let segments = rng.between(0, 3);
    for i in 0..segments {
        if i > 0 {
            url.push('/');
        }
        url.push_str(rng.word(PATH_WORDS));
    }
    if rng.chance(0.5) {
        if segments > 0 {
            url.push('/');
        }
        url.push_str(&format!("{}", rng.between(100, 99_999)));
    }
    if rng.chance(0.4) {
        // Two parameters so HTML must write `&amp;` and quoted-printable must write `=3D`.
        url.push_str(&format!("?id={}&ref=mail", rng.between(1, 9999)));
    }
    url
}

/// `count` distinct links.
pub(crate) fn links(rng: &mut SeededRng, count: usize) -> Vec<Url> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0;
    while out.len() < count && attempts < count * 10 {
        attempts += 1;
        let url = link(rng);
        if seen.insert(url.clone()) {
            out.push(url);
        }
    }
    out
}

pub(crate) fn sentence(rng: &mut SeededRng) -> String {
    let n = rng.between(6, 16) as usize;
    let words: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
    let first = capitalise(words[0]);
    let rest = words[1..].join(" ");
    format!("{first} {rest}.")
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn paragraph(rng: &mut SeededRng) -> String {
    let n = rng.between(2, 4);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// The words of a plain-text body before links are placed: greeting, paragraphs (plus `extra` lines), sign-off.
pub(crate) struct Prose {
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub sign_off: String,
}

impl Prose {
    pub(crate) fn new(rng: &mut SeededRng, to_name: &str, from_name: &str, extra: &[&str]) -> Self {
        let mut paragraphs: Vec<String> = (0..rng.between(1, 3)).map(|_| paragraph(rng)).collect();
        for line in extra {
            let at = rng.below(paragraphs.len() as u64 + 1) as usize;
            paragraphs.insert(at, (*line).to_string());
        }
        Self {
            greeting: format!("{} {to_name},", rng.pick(GREETINGS)),
            paragraphs,
            sign_off: format!("{},\r\n{from_name}", rng.pick(SIGN_OFFS)),
        }
    }

    /// Plain text with each link placed as a bare URL, with whitespace or angle brackets around it
    /// so where it ends is never in doubt.
    pub(crate) fn text(&self, rng: &mut SeededRng, links: &[Url]) -> String {
        let mut blocks = vec![self.greeting.clone()];
        blocks.extend(self.paragraphs.iter().cloned());
        for url in links {
            let placed = match rng.below(3) {
                0 => format!("More here: {url} if you need it."),
                1 => format!("Link: <{url}>"),
                _ => url.clone(),
            };
            let at = 1 + rng.below(blocks.len() as u64) as usize;
            blocks.insert(at.min(blocks.len()), placed);
        }
        blocks.push(self.sign_off.clone());
        let mut text = blocks.join("\r\n\r\n");
        text.push_str("\r\n");
        text
    }

    /// HTML where every http(s) link is an `<a href>`; a `mailto:` and a `cid:` image are there
    /// too because real mail has them, and neither is a web link.
    pub(crate) fn html(
        &self,
        rng: &mut SeededRng,
        links: &[Url],
        charset: &str,
        title: &str,
    ) -> String {
        let mut blocks: Vec<String> = self
            .paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect();
        for url in links {
            let href = escape(url);
            let anchor = match rng.below(4) {
                0 => href.clone(),
                1 => "click here".to_string(),
                2 => "View in browser".to_string(),
                _ => "the details".to_string(),
            };
            let element = match rng.below(3) {
                0 => format!("<a href=\"{href}\">{anchor}</a>"),
                1 => format!("<a target=\"_blank\" class=\"btn\" href='{href}'>{anchor}</a>"),
                _ => format!("<A HREF=\"{href}\" rel=\"noopener\">{anchor}</A>"),
            };
            let at = rng.below(blocks.len() as u64 + 1) as usize;
            blocks.insert(at, format!("<p>See {element}.</p>"));
        }
        if rng.chance(0.3) {
            blocks.push(
                "<p>Reply to <a href=\"mailto:help@example.com\">help@example.com</a>.</p>".into(),
            );
        }
        if rng.chance(0.2) {
            blocks
                .push("<p><img src=\"cid:logo@example.com\" alt=\"logo\" width=\"64\"></p>".into());
        }
        format!(
            "<!DOCTYPE html>\r\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\r\n<title>{}</title><style>p {{ margin: 0 0 1em; }}</style></head>\r\n<body><div dir=\"ltr\">\r\n<p>{}</p>\r\n{}\r\n<p>{}</p>\r\n</div></body></html>\r\n",
            escape(title),
            escape(&self.greeting),
            blocks.join("\r\n"),
            escape(&self.sign_off).replace("\r\n", "<br>")
        )
    }
}

/// HTML text escaping, enough for text nodes and quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
