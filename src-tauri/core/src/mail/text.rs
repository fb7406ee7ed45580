//! Plain-text chores shared by the parse path: cutting on char boundaries, dropping NULs and
//! building the snippet.

/// Cuts `s` to at most `max_bytes`, backing off to a char boundary. Returns whether it cut.
pub(super) fn truncate_on_char_boundary(s: &mut String, max_bytes: usize) -> bool {
    if s.len() <= max_bytes {
        return false;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

/// Borrowed prefix of `s` of at most `max_bytes`, ending on a char boundary.
pub(super) fn prefix_on_char_boundary(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Removes NUL characters, which SQLite's C string APIs and most viewers cut text at.
/// Returns whether any were found.
pub(super) fn strip_nul(s: &mut String) -> bool {
    if !s.contains('\0') {
        return false;
    }
    s.retain(|c| c != '\0');
    true
}

/// Header text for display: control characters (folded line breaks, NULs, escapes) become
/// spaces, runs of whitespace collapse, ends are trimmed.
pub(super) fn clean_header(s: &str) -> String {
    collapse_whitespace(s, usize::MAX)
}

/// The first `max_chars` characters of readable text with every run of whitespace (and control
/// characters) turned into one space. Stops reading as soon as it has enough, so it is cheap on
/// huge bodies.
pub(super) fn collapse_whitespace(s: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for ch in s.chars() {
        if count >= max_chars {
            break;
        }
        if ch.is_whitespace() || ch.is_control() || ch == '\u{FEFF}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
            if count >= max_chars {
                break;
            }
        }
        out.push(ch);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Truncation never splits a multi-byte character.
    #[test]
    fn truncation_respects_char_boundaries() {
        let mut s = "ééé".to_owned();
        assert!(
            truncate_on_char_boundary(&mut s, 3),
            "6 bytes cut to 3 must report a cut"
        );
        assert_eq!(s, "é", "the half character must be dropped, not split");
        assert_eq!(
            prefix_on_char_boundary("aé", 2),
            "a",
            "prefix must back off to a boundary"
        );
    }

    /// Whitespace and control characters collapse to single spaces and the count is in chars.
    #[test]
    fn collapse_counts_chars_and_squeezes_space() {
        assert_eq!(
            collapse_whitespace("  a\r\n\t b\u{0}c  ", 100),
            "a b c",
            "runs of space and controls become one space, ends trimmed"
        );
        assert_eq!(
            collapse_whitespace("日本語テキスト", 3),
            "日本語",
            "limit counts characters"
        );
    }

    /// NULs are removed and reported.
    #[test]
    fn nul_is_stripped() {
        let mut s = "a\0b".to_owned();
        assert!(strip_nul(&mut s), "a NUL must be reported");
        assert_eq!(s, "ab", "the NUL must be gone");
    }
}
