//! CSS from mail (a `style` attribute or a `<style>` sheet) made fit to display: nothing in it
//! loads from the network unless remote content is allowed, and nothing in it is code.
//!
//! This is a textual pass, not a CSS parser: escapes and comments are undone first, so what is
//! matched is what a browser would read, and every construct that could fetch something
//! (`url()`, `src()`, `image-set()`, `@import`) or run something (IE's `expression()` and
//! `behavior`, Firefox's `-moz-binding`, `javascript:`) is rewritten or dropped. The frame's own
//! Content-Security-Policy blocks the same loads again, should anything get through here.

use super::sanitize::ResourcePolicy;

/// The cleaned CSS. Every `url(…)` keeps only what `policy` allows (the rest becomes `none`).
pub(super) fn clean(css: &str, policy: &ResourcePolicy) -> String {
    let plain = strip_comments(&decode_escapes(css));
    let lower = plain.to_ascii_lowercase();
    let bytes = plain.as_bytes();
    let mut out = String::with_capacity(plain.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let rest = &lower[i..];
        let (skip, replacement) = if rest.starts_with("url(") || rest.starts_with("src(") {
            let (end, target) = function_argument(&plain, i + 4);
            let kept = policy.resource(&target);
            let written = match kept {
                Some(url) => format!("url(\"{}\")", url.replace(['"', '\n', '\r'], "")),
                None => "none".to_owned(),
            };
            (end - i, Some(written))
        } else if rest.starts_with("@import") {
            // The whole rule goes: its target is a stylesheet from somewhere else.
            let end = plain[i..].find(';').map_or(plain.len(), |at| i + at + 1);
            (end - i, Some(String::new()))
        } else if let Some(word) = ["image-set(", "expression("]
            .iter()
            .find(|w| rest.starts_with(**w))
        {
            // The whole call goes, arguments and all: its insides are code or a URL.
            let (end, _) = function_argument(&plain, i + word.len());
            (end - i, Some("none".to_owned()))
        } else if rest.starts_with("javascript:") {
            ("javascript:".len(), Some("x-blocked:".to_owned()))
        } else if let Some(word) = ["behavior", "-moz-binding"]
            .iter()
            .find(|w| rest.starts_with(**w))
        {
            // The declaration goes, up to its `;` (or the end of its block).
            let end = plain[i + word.len()..]
                .find([';', '}'])
                .map_or(plain.len(), |at| i + word.len() + at);
            (end - i, Some(String::new()))
        } else {
            (0, None)
        };
        match replacement {
            Some(text) => {
                out.push_str(&plain[copied..i]);
                out.push_str(&text);
                i += skip;
                copied = i;
            }
            None => i += plain[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_str(&plain[copied..]);
    // A sheet is written back inside `<style>`: it must never close that element.
    out.replace('<', "\\3c ")
}

/// The argument of a function whose `(` ends just before `start`, unquoted, and the index just
/// past its `)` (or the end, when it never closes).
fn function_argument(css: &str, start: usize) -> (usize, String) {
    let rest = &css[start..];
    let trimmed = rest.trim_start();
    let mut at = start + (rest.len() - trimmed.len());
    let mut arg = None;
    if let Some(quote) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &trimmed[1..];
        let close = body.find(quote).unwrap_or(body.len());
        arg = Some(body[..close].to_owned());
        at += 1 + close + usize::from(close < body.len());
    }
    // To the `)` that closes the call: nested parentheses (code, not a URL) are skipped whole.
    let mut depth = 0usize;
    let mut close = css.len();
    for (offset, c) in css[at..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                close = at + offset + 1;
                break;
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    let arg = arg.unwrap_or_else(|| css[at..close].trim_end_matches(')').trim().to_owned());
    (close, arg)
}

/// Undoes CSS escapes (`\72`, `\000072 `, `\(`), so `u\72l(` is seen as the `url(` it is.
fn decode_escapes(css: &str) -> String {
    if !css.contains('\\') {
        return css.to_owned();
    }
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        while hex.len() < 6 && chars.peek().is_some_and(char::is_ascii_hexdigit) {
            hex.extend(chars.next());
        }
        if hex.is_empty() {
            // `\` before a newline is a line continuation; before anything else, that thing.
            match chars.next() {
                Some('\n') | None => {}
                Some(other) => out.push(other),
            }
            continue;
        }
        if chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let decoded = u32::from_str_radix(&hex, 16)
            .ok()
            .and_then(char::from_u32)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{FFFD}');
        out.push(decoded);
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(open) = rest.find("/*") {
        out.push_str(&rest[..open]);
        // A comment separates tokens: `url/**/(` must not become `url(` (browsers do not join them).
        out.push(' ');
        rest = match rest[open + 2..].find("*/") {
            Some(close) => &rest[open + 2 + close + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::InlineImages;

    fn blocking() -> ResourcePolicy {
        ResourcePolicy::new(false, InlineImages::default())
    }

    /// Remote `url()`s become `none` and are counted; data images stay.
    #[test]
    fn remote_urls_are_blocked_and_counted() {
        let policy = blocking();
        let out = clean(
            "background:url(https://t.example/p.gif);x:url( 'http://t.example/a' );\
             y:url(data:image/png;base64,AAAA)",
            &policy,
        );
        assert_eq!(
            out, "background:none;x:none;y:url(\"data:image/png;base64,AAAA\")",
            "remote urls must go, data images stay"
        );
        assert_eq!(policy.blocked(), 2, "both remote urls are counted");
    }

    /// With remote content allowed, http(s) urls stay, quoted.
    #[test]
    fn remote_urls_stay_when_allowed() {
        let policy = ResourcePolicy::new(true, InlineImages::default());
        let out = clean("a{background:url(https://t.example/p.gif)}", &policy);
        assert_eq!(out, "a{background:url(\"https://t.example/p.gif\")}");
        assert_eq!(policy.blocked(), 0, "nothing was blocked");
    }

    /// Escapes and comments cannot hide a url, an import or an expression.
    #[test]
    fn obfuscation_is_undone_before_matching() {
        let policy = blocking();
        let out = clean(
            "@im\\70 ort 'http://t.example/x.css'; a{b:u\\72l(http://t.example/y);\
             w:expr/**/ession(alert(1));z:e\\78pression(alert(2))}",
            &policy,
        );
        assert!(!out.contains("t.example/x.css"), "import dropped: {out}");
        assert!(!out.contains("t.example/y"), "escaped url blocked: {out}");
        assert!(
            !out.contains("expression("),
            "expression neutralised: {out}"
        );
    }

    /// Script-ish properties and `javascript:` are neutralised; `<` cannot close a style element.
    #[test]
    fn code_and_markup_are_neutralised() {
        let policy = blocking();
        let out = clean(
            "a{behavior:url(x.htc);-moz-binding:url(y.xml);c:javascript:alert(1);\
             background:-webkit-image-set('http://t.example/i.png' 1x)}</style><script>",
            &policy,
        );
        for bad in [
            "behavior",
            "-moz-binding",
            "javascript:",
            "image-set(",
            "t.example",
            "</style",
            "<script",
        ] {
            assert!(!out.contains(bad), "{bad} must not survive: {out}");
        }
    }
}
