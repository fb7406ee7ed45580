//! Which strings count as links (absolute http/https URLs only), how they are normalized, and
//! finding them in plain text.

use std::collections::HashSet;

use linkify::{LinkFinder, LinkKind};
use url::Url;

use super::{Link, MAX_LINKS, MAX_URL_BYTES};

/// Normalizes a candidate URL into a [`Link`], or rejects it: anything but an absolute `http` or
/// `https` URL with a host (so `javascript:`, `data:`, `mailto:`, `file:`, relative paths and
/// garbage) is not a link.
pub(super) fn normalize(candidate: &str) -> Option<Link> {
    let candidate = candidate.trim();
    if candidate.len() > MAX_URL_BYTES || !has_web_scheme(candidate) {
        return None;
    }
    let url = Url::parse(candidate).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?;
    if host.is_empty() {
        return None;
    }
    let domain = host
        .strip_prefix("www.")
        .filter(|d| !d.is_empty())
        .unwrap_or(host);
    Some(Link {
        domain: domain.to_owned(),
        url: String::from(url),
    })
}

/// Cheap pre-filter so the URL parser only sees plausible candidates (most hrefs in mail are
/// http(s), but hostile mail can carry thousands of `javascript:` ones).
fn has_web_scheme(candidate: &str) -> bool {
    let head = candidate.as_bytes();
    let starts = |prefix: &[u8]| {
        head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    starts(b"http://") || starts(b"https://")
}

/// Absolute URLs written in plain text, with their byte offsets, in order. linkify finds them the
/// way a mail reader would highlight them (trailing punctuation and closing brackets excluded).
pub(super) fn find_in_text(text: &str) -> Vec<(usize, &str)> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    finder
        .links(text)
        .map(|l| (l.start(), l.as_str()))
        .collect()
}

/// Links deduplicated by normalized URL, in order of first appearance, capped at [`MAX_LINKS`].
#[derive(Debug, Default)]
pub(super) struct LinkSet {
    seen: HashSet<String>,
    links: Vec<Link>,
    over_cap: bool,
}

impl LinkSet {
    /// Adds the candidate if it is a link not seen before.
    pub(super) fn add(&mut self, candidate: &str) {
        let Some(link) = normalize(candidate) else {
            return;
        };
        if self.seen.contains(&link.url) {
            return;
        }
        if self.links.len() >= MAX_LINKS {
            self.over_cap = true;
            return;
        }
        self.seen.insert(link.url.clone());
        self.links.push(link);
    }

    /// Whether distinct links were dropped because of the cap.
    pub(super) fn over_cap(&self) -> bool {
        self.over_cap
    }

    pub(super) fn into_vec(self) -> Vec<Link> {
        self.links
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only http(s) URLs with a host are links; other schemes and relative paths are not.
    #[test]
    fn only_web_urls_count() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>x</script>",
            "mailto:a@example.com",
            "file:///etc/passwd",
            "/relative/path",
            "http://",
            "ftp://example.com/",
        ] {
            assert!(normalize(bad).is_none(), "{bad:?} must not count as a link");
        }
    }

    /// Scheme and host are lowercased, `www.` is dropped from the domain, the rest is kept.
    #[test]
    fn normalizes_case_and_domain() {
        let link = normalize("  HTTPS://WWW.Example.COM/Path?Q=1#Frag ").expect("a valid link");
        assert_eq!(
            link.url, "https://www.example.com/Path?Q=1#Frag",
            "path, query, fragment keep case"
        );
        assert_eq!(
            link.domain, "example.com",
            "domain is the host without www."
        );
        let idn = normalize("http://bücher.example/").expect("an IDN link");
        assert_eq!(
            idn.domain, "xn--bcher-kva.example",
            "international hosts are kept in punycode"
        );
    }

    /// Text URLs are found with trailing punctuation left out.
    #[test]
    fn finds_urls_in_text() {
        let found: Vec<_> = find_in_text("See https://a.example/x. Or (http://b.example/y)!")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            found,
            ["https://a.example/x", "http://b.example/y"],
            "punctuation is not part of a URL"
        );
    }

    /// The set keeps first appearances only and stops at the cap.
    #[test]
    fn dedups_and_caps() {
        let mut set = LinkSet::default();
        set.add("http://a.example/");
        set.add("HTTP://A.EXAMPLE/");
        assert_eq!(set.links.len(), 1, "two spellings of one URL are one link");
        for i in 0..MAX_LINKS + 5 {
            set.add(&format!("http://a.example/{i}"));
        }
        assert_eq!(set.links.len(), MAX_LINKS, "the set must stop at the cap");
        assert!(set.over_cap(), "dropping links must be reported");
    }
}
