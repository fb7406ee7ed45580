//! The character sets the generated mail uses, with encoders and decoders for exactly their repertoire.

/// A charset a generated message body or header may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Latin1,
    Windows1252,
    ShiftJis,
}

/// The Windows-1252 code points above 0x7f that differ from Latin-1 and that the vocabulary uses.
const CP1252_EXTRAS: &[(char, u8)] = &[
    ('€', 0x80),
    ('‚', 0x82),
    ('…', 0x85),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('™', 0x99),
];

/// Shift_JIS punctuation outside the kana ranges that the vocabulary uses.
const SJIS_PUNCTUATION: &[(char, u16)] = &[
    ('、', 0x8141),
    ('。', 0x8142),
    ('ー', 0x815b),
    ('！', 0x8149),
    ('：', 0x8146),
    ('　', 0x8140),
];

impl Charset {
    /// The MIME name written in `charset=` parameters and RFC 2047 words.
    pub fn mime_name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Latin1 => "ISO-8859-1",
            Charset::Windows1252 => "windows-1252",
            Charset::ShiftJis => "Shift_JIS",
        }
    }

    /// Encodes `text`; characters outside the charset become `?` as mail software does.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Charset::Windows1252 => text.chars().map(encode_cp1252).collect(),
            Charset::ShiftJis => {
                let mut out = Vec::with_capacity(text.len());
                for c in text.chars() {
                    match encode_sjis(c) {
                        Some(code) if code > 0xff => out.extend_from_slice(&code.to_be_bytes()),
                        Some(code) => out.push(code as u8),
                        None => out.push(b'?'),
                    }
                }
                out
            }
        }
    }

    /// Decodes bytes this crate encoded; anything else decodes lossily.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Charset::Windows1252 => bytes
                .iter()
                .map(|&b| {
                    CP1252_EXTRAS
                        .iter()
                        .find(|(_, code)| *code == b)
                        .map(|(c, _)| *c)
                        .unwrap_or(char::from(b))
                })
                .collect(),
            Charset::ShiftJis => decode_sjis(bytes),
        }
    }
}

fn encode_cp1252(c: char) -> u8 {
    if let Some((_, code)) = CP1252_EXTRAS.iter().find(|(ch, _)| *ch == c) {
        return *code;
    }
    match u32::from(c) {
        n @ (0..=0x7f | 0xa0..=0xff) => n as u8,
        _ => b'?',
    }
}

fn encode_sjis(c: char) -> Option<u16> {
    let n = u32::from(c);
    match n {
        0..=0x7f => Some(n as u16),
        0x3041..=0x3093 => Some(0x829f + (n - 0x3041) as u16),
        0x30a1..=0x30de => Some(0x8340 + (n - 0x30a1) as u16),
        // Shift_JIS skips 0x837f, so the katakana range is split in two.
        0x30df..=0x30f6 => Some(0x8380 + (n - 0x30df) as u16),
        _ => SJIS_PUNCTUATION
            .iter()
            .find(|(ch, _)| *ch == c)
            .map(|(_, code)| *code),
    }
}

fn decode_sjis(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 || i + 1 == bytes.len() {
            out.push(if b < 0x80 { char::from(b) } else { '\u{fffd}' });
            i += 1;
            continue;
        }
        let code = u16::from_be_bytes([b, bytes[i + 1]]);
        let c = match code {
            0x829f..=0x82f1 => char::from_u32(0x3041 + u32::from(code - 0x829f)),
            0x8340..=0x837e => char::from_u32(0x30a1 + u32::from(code - 0x8340)),
            0x8380..=0x8396 => char::from_u32(0x30df + u32::from(code - 0x8380)),
            _ => SJIS_PUNCTUATION
                .iter()
                .find(|(_, c)| *c == code)
                .map(|(ch, _)| *ch),
        };
        out.push(c.unwrap_or('\u{fffd}'));
        i += 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_each_repertoire() {
        for (charset, text) in [
            (Charset::Latin1, "Grüße aus München, señor"),
            (Charset::Windows1252, "“Prices” from €49 – it’s…"),
            (Charset::ShiftJis, "こんにちは、メールです。ありがとう ABC"),
            (Charset::Utf8, "Zoë ☃"),
        ] {
            assert_eq!(
                charset.decode(&charset.encode(text)),
                text,
                "{charset:?} must round-trip"
            );
        }
        assert_eq!(
            Charset::ShiftJis.encode("こん"),
            vec![0x82, 0xb1, 0x82, 0xf1],
            "known Shift_JIS codes"
        );
    }
}
