//! Content-transfer encodings (quoted-printable, base64) and RFC 2047 encoded words, written the way mailers write them.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::Charset;

/// Quoted-printable (RFC 2045 §6.7) with CRLF hard breaks kept and soft breaks at 76 columns.
pub(crate) fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 11 / 10);
    let mut column = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            column = 0;
            i += 2;
            continue;
        }
        let at_line_end = matches!(bytes.get(i + 1), None | Some(b'\r'));
        let literal =
            ((b == b'\t' || b == b' ') && !at_line_end) || ((33..=126).contains(&b) && b != b'=');
        let width = if literal { 1 } else { 3 };
        if column + width > 75 {
            out.extend_from_slice(b"=\r\n");
            column = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(format!("={b:02X}").as_bytes());
        }
        column += width;
        i += 1;
    }
    out
}

/// Decodes quoted-printable leniently: a broken escape is kept as written.
pub(crate) fn decode_quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = [h, l];
                let text = std::str::from_utf8(&hex).unwrap_or("3F");
                out.push(u8::from_str_radix(text, 16).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b'=');
                i += 1;
            }
        }
    }
    out
}

/// Base64 in 76-column CRLF lines, as MIME requires.
pub(crate) fn base64_lines(bytes: &[u8]) -> Vec<u8> {
    let encoded = STANDARD.encode(bytes);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for chunk in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Decodes MIME base64 leniently: line breaks and stray characters are skipped, a ragged tail dropped.
pub(crate) fn decode_base64_lenient(bytes: &[u8]) -> Vec<u8> {
    let mut clean: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    // A single leftover character cannot encode a byte.
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(&clean).unwrap_or_default()
}

/// An unstructured header value as RFC 2047 encoded words (`=?charset?B?…?=`), each at most 75 characters,
/// split between characters so every word decodes alone.
pub(crate) fn encoded_words_b(text: &str, charset: Charset) -> String {
    let prefix_len = charset.mime_name().len() + 7;
    let max_payload = (75 - prefix_len) / 4 * 3;
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        let mut candidate = chunk.clone();
        candidate.push(c);
        if charset.encode(&candidate).len() > max_payload && !chunk.is_empty() {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| {
            format!(
                "=?{}?B?{}?=",
                charset.mime_name(),
                STANDARD.encode(charset.encode(w))
            )
        })
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// RFC 2047 "Q" encoding for short phrases (display names, short subjects).
pub(crate) fn encoded_word_q(text: &str, charset: Charset) -> String {
    let mut payload = String::new();
    for b in charset.encode(text) {
        match b {
            b' ' => payload.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'!' => {
                payload.push(char::from(b))
            }
            _ => payload.push_str(&format!("={b:02X}")),
        }
    }
    format!("=?{}?Q?{}?=", charset.mime_name(), payload)
}

/// Folds an ASCII header value at whitespace so lines stay under 78 columns.
pub(crate) fn fold(name: &str, value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut line_len = name.len() + 2;
    for (i, word) in value.split(' ').enumerate() {
        if i > 0 {
            if line_len + 1 + word.len() > 76 {
                out.push_str("\r\n ");
                line_len = 1;
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_round_trips_and_keeps_lines_short() {
        let text = "Café = crème ".repeat(20) + "\r\nnext line https://a.example/x?y=1 \r\n";
        let encoded = quoted_printable(text.as_bytes());
        assert!(
            encoded.split(|b| *b == b'\n').all(|l| l.len() <= 77),
            "every encoded line is at most 76 characters plus CR"
        );
        assert_eq!(
            decode_quoted_printable(&encoded),
            text.as_bytes(),
            "decoding restores the bytes"
        );
    }

    #[test]
    fn base64_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(
            decode_base64_lenient(&base64_lines(&bytes)),
            bytes,
            "line-wrapped base64 decodes back"
        );
    }

    #[test]
    fn encoded_words_stay_short() {
        let words = encoded_words_b(&"こんにちは".repeat(10), Charset::ShiftJis);
        assert!(
            words.split("\r\n ").all(|w| w.len() <= 75),
            "each encoded word is at most 75 characters"
        );
    }
}
