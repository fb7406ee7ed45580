//! The parse-and-extract path on real-shaped mail: headers, bodies in many charsets and
//! encodings, attachments, links, and malformed or hostile messages that must never panic.

use inbox_sync_core::mail::{
    parse_mail, ParsedMail, MAX_BODY_BYTES, MAX_LINKS, PANIC_DEFECT, SNIPPET_CHARS,
};
use proptest::prelude::*;
use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// mail-parser checks its own invariants with `debug_assert!(false, ...)` in its recovery path.
/// Odd input reaches them; they exist only in debug builds (these tests), never in the shipped
/// app, and `parse_mail` contains them. Any other panic is a real bug.
const DEPENDENCY_DEBUG_ASSERTIONS: &[&str] = &[
    "Invalid part ID",
    "Failed to restore parent message",
    "This should not have happened",
];

fn is_tolerated(panic: &str) -> bool {
    cfg!(debug_assertions)
        && panic.contains("mail-parser")
        && DEPENDENCY_DEBUG_ASSERTIONS
            .iter()
            .any(|m| panic.contains(m))
}

/// Remembers the last panic of each thread (and keeps tolerated ones off stderr), so a test
/// can tell which panic made `parse_mail` fall back.
fn record_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let place = info
                .location()
                .map(|l| l.file().to_owned())
                .unwrap_or_default();
            let panic = format!("{place}: {message}");
            let tolerated = is_tolerated(&panic);
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(panic));
            if !tolerated {
                default(info);
            }
        }));
    });
}

/// `parse_mail`, failing with the panic's text if it had to fall back for any reason other
/// than a tolerated dependency debug assertion.
fn parse_checked(raw: &[u8]) -> Result<ParsedMail, String> {
    record_panics();
    LAST_PANIC.with(|p| p.borrow_mut().take());
    let mail = parse_mail(raw);
    if mail.defects.iter().any(|d| d == PANIC_DEFECT) {
        let panic = LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_default();
        if !is_tolerated(&panic) {
            return Err(panic);
        }
    }
    Ok(mail)
}

/// Joins lines with CRLF, as Gmail's raw format does.
fn crlf(lines: &[&str]) -> Vec<u8> {
    lines.join("\r\n").into_bytes()
}

fn urls(mail: &ParsedMail) -> Vec<&str> {
    mail.links.iter().map(|l| l.url.as_str()).collect()
}

fn has_defect(mail: &ParsedMail, needle: &str) -> bool {
    mail.defects.iter().any(|d| d.contains(needle))
}

fn multipart_alternative() -> Vec<u8> {
    crlf(&[
        "From: Ann Lee <ann@example.com>",
        "To: Bob <bob@example.com>",
        "Subject: Weekly update",
        "Date: Tue, 01 Jul 2025 10:00:00 +0200",
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative; boundary=\"alt-1\"",
        "",
        "--alt-1",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Read https://news.example.com/a and http://www.Example.org/b.",
        "--alt-1",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<p>Read <a href=\"https://news.example.com/a\">this</a> and \
         <a href=\"http://www.example.org/b\">that</a> and \
         <a href=\"https://only-in-html.example/c\">more</a>.</p>",
        "--alt-1--",
        "",
    ])
}

/// A plain single-part message yields its headers, body, date, snippet and no defects.
#[test]
fn plain_message() {
    let raw = crlf(&[
        "From: \"Ann Lee\" <ann@example.com>",
        "To: bob@example.com, Carol <carol@example.com>",
        "Subject: Lunch?",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Hi Bob,",
        "",
        "   lunch at noon?   See https://maps.example.com/place?id=7",
        "",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.from.as_deref(),
        Some("Ann Lee <ann@example.com>"),
        "from in display form"
    );
    assert_eq!(
        mail.to.as_deref(),
        Some("bob@example.com, Carol <carol@example.com>"),
        "all To addresses joined"
    );
    assert_eq!(
        mail.subject.as_deref(),
        Some("Lunch?"),
        "subject as written"
    );
    assert_eq!(
        mail.date_ms,
        Some(1_739_449_800_000),
        "Date header in ms since epoch"
    );
    assert!(
        mail.text_body
            .as_deref()
            .is_some_and(|t| t.starts_with("Hi Bob,\r\n")),
        "text body kept as sent: {:?}",
        mail.text_body
    );
    assert_eq!(mail.html_body, None, "no HTML part, no HTML body");
    assert_eq!(
        mail.snippet, "Hi Bob, lunch at noon? See https://maps.example.com/place?id=7",
        "snippet collapses whitespace"
    );
    assert_eq!(
        urls(&mail),
        ["https://maps.example.com/place?id=7"],
        "bare URL in text is a link"
    );
    assert_eq!(
        mail.links[0].domain, "maps.example.com",
        "domain is the host"
    );
    assert!(
        mail.defects.is_empty(),
        "a clean message has no defects: {:?}",
        mail.defects
    );
}

/// An HTML-only message gets a readable text rendering, its raw HTML, and links from hrefs
/// and from URLs written in its text.
#[test]
fn html_only_message() {
    let raw = crlf(&[
        "From: news@example.com",
        "Subject: News",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<html><head><style>.x{}</style><script>var a = 'http://evil.example/js';</script></head>",
        "<body><h1>Top&nbsp;story</h1><p>Read <a href=\"https://www.news.example/s?a=1&amp;b=2\">it</a>.</p>",
        "<p>Or visit https://written.example/page today.</p></body></html>",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.text_body.as_deref(),
        Some("Top story\n\nRead it.\n\nOr visit https://written.example/page today."),
        "HTML rendered to text without style or script"
    );
    assert!(
        mail.html_body
            .as_deref()
            .is_some_and(|h| h.contains("<script>")),
        "HTML kept raw (sanitizing is the display's job)"
    );
    assert_eq!(
        urls(&mail),
        [
            "https://www.news.example/s?a=1&b=2",
            "https://written.example/page"
        ],
        "href (entity decoded) and written URL, in reading order; script text is not a link"
    );
    assert_eq!(
        mail.links[0].domain, "news.example",
        "www. is dropped from the domain"
    );
    assert_eq!(
        mail.snippet, "Top story Read it. Or visit https://written.example/page today.",
        "snippet from the rendering"
    );
    assert!(
        mail.defects.is_empty(),
        "clean HTML mail has no defects: {:?}",
        mail.defects
    );
}

/// In multipart/alternative the text part is the text body, the HTML part the HTML body, and
/// a URL in both counts once.
#[test]
fn alternative_dedups_links() {
    let mail = parse_mail(&multipart_alternative());
    assert_eq!(
        mail.text_body.as_deref(),
        Some("Read https://news.example.com/a and http://www.Example.org/b."),
        "text/plain part is the text body"
    );
    assert!(
        mail.html_body
            .as_deref()
            .is_some_and(|h| h.starts_with("<p>Read")),
        "text/html part is the HTML body"
    );
    assert_eq!(
        urls(&mail),
        [
            "https://news.example.com/a",
            "http://www.example.org/b",
            "https://only-in-html.example/c"
        ],
        "links from both parts, each once, in order of first appearance"
    );
    assert_eq!(
        mail.date_ms,
        Some(1_751_356_800_000),
        "date with a +0200 offset is converted to UTC"
    );
    assert!(mail.defects.is_empty(), "no defects: {:?}", mail.defects);
}

/// An attachment is listed with name, type and decoded size, and its content is kept nowhere.
#[test]
fn mixed_with_attachment() {
    let raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Subject: Report",
        "Content-Type: multipart/mixed; boundary=mix",
        "",
        "--mix",
        "Content-Type: text/plain",
        "",
        "See attached.",
        "--mix",
        "Content-Type: application/pdf; name=\"report.pdf\"",
        "Content-Disposition: attachment; filename=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"",
        "Content-Transfer-Encoding: base64",
        "",
        "U0VDUkVUUERGQ09OVEVOVA==",
        "--mix--",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.attachments.len(),
        1,
        "one attachment: {:?}",
        mail.attachments
    );
    let pdf = &mail.attachments[0];
    assert_eq!(
        pdf.filename.as_deref(),
        Some("résumé.pdf"),
        "RFC 2047 file name decoded"
    );
    assert_eq!(pdf.mime_type, "application/pdf", "declared type kept");
    assert_eq!(
        pdf.size,
        "SECRETPDFCONTENT".len(),
        "size is the decoded size"
    );
    assert_eq!(
        mail.text_body.as_deref(),
        Some("See attached."),
        "body is only the text part"
    );
    let everything = format!("{mail:?}");
    assert!(
        !everything.contains("SECRETPDF"),
        "attachment content must not be kept anywhere"
    );
    assert!(mail.defects.is_empty(), "no defects: {:?}", mail.defects);
}

/// Quoted-printable bodies are decoded, soft line breaks joined, UTF-8 sequences rebuilt.
#[test]
fn quoted_printable_body() {
    let raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Caf=C3=A9 cr=C3=A8me, a very long line that was wrapped by the sender =",
        "right here. https://qp.example/x=3Dy",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.text_body.as_deref(),
        Some("Café crème, a very long line that was wrapped by the sender right here. https://qp.example/x=y"),
        "QP decoded and soft break removed"
    );
    assert_eq!(
        urls(&mail),
        ["https://qp.example/x=y"],
        "link found in the decoded text"
    );
}

/// Base64 bodies are decoded.
#[test]
fn base64_body() {
    let raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        // <p>Hello <a href="https://b64.example/">world</a></p>
        "PHA+SGVsbG8gPGEgaHJlZj0iaHR0cHM6Ly9iNjQuZXhhbXBsZS8iPndvcmxkPC9hPjwvcD4=",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.html_body.as_deref(),
        Some("<p>Hello <a href=\"https://b64.example/\">world</a></p>"),
        "base64 HTML decoded"
    );
    assert_eq!(
        mail.text_body.as_deref(),
        Some("Hello world"),
        "and rendered"
    );
    assert_eq!(
        urls(&mail),
        ["https://b64.example/"],
        "href found after decoding"
    );
}

fn single_part(charset: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        &format!("Content-Type: text/plain; charset={charset}"),
        "Content-Transfer-Encoding: 8bit",
        "",
        "",
    ]);
    raw.extend_from_slice(body);
    raw
}

/// Legacy single-byte charsets decode to the right characters (including the Windows-1252
/// 0x80–0x9F range that ISO-8859-1 leaves to control codes).
#[test]
fn legacy_charsets_decode() {
    let latin1 = parse_mail(&single_part(
        "ISO-8859-1",
        b"Gr\xfc\xdfe aus K\xf6ln, se\xf1or",
    ));
    assert_eq!(
        latin1.text_body.as_deref(),
        Some("Grüße aus Köln, señor"),
        "ISO-8859-1 decoded"
    );
    let cp1252 = parse_mail(&single_part(
        "windows-1252",
        b"\x93Quoted\x94 \x80 5 \x96 ok",
    ));
    assert_eq!(
        cp1252.text_body.as_deref(),
        Some("\u{201c}Quoted\u{201d} € 5 – ok"),
        "Windows-1252 decoded"
    );
    let sjis = parse_mail(&single_part(
        "Shift_JIS",
        b"\x83n\x83\x8d\x81[\x81E\x83\x8f\x81[\x83\x8b\x83h",
    ));
    assert_eq!(
        sjis.text_body.as_deref(),
        Some("ハロー・ワールド"),
        "Shift_JIS decoded"
    );
    let koi8 = parse_mail(&single_part("koi8-r", b"\xf0\xd2\xc9\xd7\xc5\xd4"));
    assert_eq!(koi8.text_body.as_deref(), Some("Привет"), "KOI8-R decoded");
    let gb = parse_mail(&single_part("gb2312", b"\xc4\xe3\xba\xc3"));
    assert_eq!(gb.text_body.as_deref(), Some("你好"), "GB2312 decoded");
    for mail in [&latin1, &cp1252, &sjis, &koi8, &gb] {
        assert!(
            mail.defects.is_empty(),
            "known charsets raise no defect: {:?}",
            mail.defects
        );
    }
}

/// Encoded-word subjects (B and Q, several charsets, split words) are decoded.
#[test]
fn rfc2047_subject() {
    let raw = crlf(&[
        "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.com>",
        "Subject: =?UTF-8?B?w4dhIHZh?= =?ISO-8859-1?Q?_tr=E8s_bien?=",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "",
        "body",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        mail.subject.as_deref(),
        Some("Ça va très bien"),
        "encoded words decoded and joined"
    );
    assert_eq!(
        mail.from.as_deref(),
        Some("André <andre@example.com>"),
        "encoded display name decoded"
    );
}

/// `javascript:`, `data:`, `mailto:`, `file:` and relative targets are never links, in HTML
/// or in text.
#[test]
fn unsafe_schemes_excluded() {
    let raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: multipart/alternative; boundary=b",
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "javascript:alert(1) data:text/html;base64,PHNjcmlwdD4= mailto:x@example.com file:///etc/passwd",
        "--b",
        "Content-Type: text/html",
        "",
        "<a href=\"javascript:alert(document.cookie)\">a</a><a href=\" JaVaScRiPt:alert(1)\">b</a>\
         <a href=\"data:text/html,<script>alert(1)</script>\">c</a><a href=\"mailto:x@example.com\">d</a>\
         <a href=\"file:///etc/passwd\">e</a><a href=\"/relative\">f</a><a href=\"https://ok.example/\">g</a>\
         <script>location='https://script.example/'</script>",
        "--b--",
    ]);
    let mail = parse_mail(&raw);
    assert_eq!(
        urls(&mail),
        ["https://ok.example/"],
        "only the http(s) link survives"
    );
}

/// A multipart whose boundary never closes (a truncated message) keeps the parts it has and
/// says the message may be truncated.
#[test]
fn unclosed_boundary() {
    let raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: multipart/mixed; boundary=never",
        "",
        "--never",
        "Content-Type: text/plain",
        "",
        "First part survives https://first.example/",
        "--never",
        "Content-Type: text/plain",
        "",
        "Second part is cut off mid-sen",
    ]);
    let mail = parse_mail(&raw);
    let text = mail.text_body.as_deref().unwrap_or_default();
    assert!(
        text.contains("First part survives"),
        "first part kept: {text:?}"
    );
    assert!(
        text.contains("Second part is cut off"),
        "partial second part kept: {text:?}"
    );
    assert_eq!(
        urls(&mail),
        ["https://first.example/"],
        "links of the kept parts still count"
    );
    assert!(
        has_defect(&mail, "never closes its boundary"),
        "truncation noted: {:?}",
        mail.defects
    );
}

/// A multipart whose declared boundary never appears is read as text, with a defect.
#[test]
fn boundary_that_never_appears() {
    let raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: multipart/mixed; boundary=declared",
        "",
        "--other",
        "Content-Type: text/plain",
        "",
        "The content is still here",
        "--other--",
    ]);
    let mail = parse_mail(&raw);
    assert!(
        mail.text_body
            .as_deref()
            .is_some_and(|t| t.contains("The content is still here")),
        "content kept as text: {:?}",
        mail.text_body
    );
    assert!(
        has_defect(&mail, "no usable boundary"),
        "broken boundary noted: {:?}",
        mail.defects
    );
}

/// An unknown charset name is read as UTF-8 (lossily) and reported.
#[test]
fn bad_charset_name() {
    let mail = parse_mail(&single_part(
        "x-no-such-charset",
        "plain ascii and ünïcode".as_bytes(),
    ));
    assert_eq!(
        mail.text_body.as_deref(),
        Some("plain ascii and ünïcode"),
        "read as UTF-8"
    );
    assert!(
        has_defect(&mail, "unknown charset \"x-no-such-charset\""),
        "charset noted: {:?}",
        mail.defects
    );
}

/// Bytes that are not valid UTF-8 in a UTF-8 part are replaced and reported.
#[test]
fn invalid_utf8_body() {
    let mail = parse_mail(&single_part("utf-8", b"ok \xff\xfe bad"));
    assert_eq!(
        mail.text_body.as_deref(),
        Some("ok \u{fffd}\u{fffd} bad"),
        "bad bytes replaced"
    );
    assert!(
        has_defect(&mail, "not valid UTF-8"),
        "bad bytes noted: {:?}",
        mail.defects
    );
}

/// Input with no header at all is kept whole as the text body, with a defect.
#[test]
fn no_headers_at_all() {
    let mail = parse_mail(b"just some words, see https://bare.example/ ok");
    assert_eq!(
        mail.text_body.as_deref(),
        Some("just some words, see https://bare.example/ ok"),
        "the whole input kept as text"
    );
    assert_eq!(urls(&mail), ["https://bare.example/"], "links still found");
    assert!(
        !mail.defects.is_empty(),
        "headerless input must be reported"
    );
    let empty = parse_mail(b"");
    assert!(
        has_defect(&empty, "empty"),
        "empty input reported: {:?}",
        empty.defects
    );
}

/// Missing From and Date headers are reported, and an unparseable Date gives no date.
#[test]
fn missing_and_bad_headers() {
    let mail = parse_mail(&crlf(&["Subject: only a subject", "", "body"]));
    assert!(
        has_defect(&mail, "no From header"),
        "missing From noted: {:?}",
        mail.defects
    );
    assert!(
        has_defect(&mail, "no Date header"),
        "missing Date noted: {:?}",
        mail.defects
    );
    let bad_date = parse_mail(&crlf(&[
        "From: a@example.com",
        "Date: yesterday-ish",
        "",
        "body",
    ]));
    assert_eq!(bad_date.date_ms, None, "an unparseable date is no date");
    assert!(
        has_defect(&bad_date, "not a valid date"),
        "bad Date noted: {:?}",
        bad_date.defects
    );
}

/// A base64 part cut in the middle of a multipart keeps what precedes it and reports the damage.
#[test]
fn truncated_mid_part() {
    let full = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: multipart/mixed; boundary=cut",
        "",
        "--cut",
        "Content-Type: text/plain",
        "",
        "Intro text https://intro.example/",
        "--cut",
        "Content-Type: image/png; name=pic.png",
        "Content-Transfer-Encoding: base64",
        "",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "--cut--",
    ]);
    let cut = &full[..full.len() - 60];
    let mail = parse_mail(cut);
    assert!(
        mail.text_body
            .as_deref()
            .is_some_and(|t| t.contains("Intro text")),
        "the text before the cut is kept: {:?}",
        mail.text_body
    );
    assert_eq!(
        urls(&mail),
        ["https://intro.example/"],
        "its links are kept"
    );
    assert!(!mail.defects.is_empty(), "the truncation must be reported");
}

/// Script tags, NUL bytes and hostile hrefs in HTML neither panic nor leak into text or links.
#[test]
fn hostile_html() {
    let mut raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        "Content-Type: text/html",
        "",
        "<script>alert(1)</script><SCRIPT type=x>alert(2)</SCRIPT ><p onclick=\"javascript:x()\">Hi\u{0}there</p>",
        "<a href='javascript&#58;alert(1)'>x</a><a href=\"jav&#x09;ascript:alert(1)\">y</a>",
        "<iframe src=\"https://frame.example/\"></iframe><a href=\"https://fine.example/\">ok</a><!--",
    ]);
    raw.extend_from_slice(b"\0\0\0 unterminated comment <a href='https://hidden.example/'>");
    let mail = parse_mail(&raw);
    let text = mail.text_body.as_deref().unwrap_or_default();
    assert!(
        !text.contains("alert"),
        "script text is not readable text: {text:?}"
    );
    assert!(!text.contains('\0'), "NUL bytes are removed");
    assert_eq!(
        urls(&mail),
        ["https://fine.example/"],
        "only the real link survives"
    );
}

fn nested(depth: usize) -> Vec<u8> {
    let mut raw = String::from("From: a@example.com\r\nDate: Thu, 13 Feb 2025 12:30:00 +0000\r\n");
    for level in 0..depth {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n--b{level}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\ndeep inside https://deep.example/\r\n");
    for level in (0..depth).rev() {
        raw.push_str(&format!("--b{level}--\r\n"));
    }
    raw.into_bytes()
}

/// Multiparts nested 100 deep, closed or not, parse quickly and keep the innermost text.
#[test]
fn deeply_nested_multiparts() {
    let raw = nested(100);
    let started = std::time::Instant::now();
    let mail = parse_mail(&raw);
    assert!(
        mail.text_body
            .as_deref()
            .is_some_and(|t| t.contains("deep inside")),
        "innermost text kept: {:?}",
        mail.text_body
    );
    assert_eq!(
        urls(&mail),
        ["https://deep.example/"],
        "innermost link kept"
    );
    assert!(
        mail.defects.is_empty(),
        "a well-formed deep nest is clean: {:?}",
        mail.defects
    );
    let unclosed = parse_mail(&raw[..raw.len() / 2 + 200]);
    assert!(
        !unclosed.defects.is_empty(),
        "a nest cut in half is reported"
    );
    let huge = nested(5_000);
    let _ = parse_mail(&huge[..huge.len() - 1000]);
    assert!(
        started.elapsed().as_secs() < 10,
        "nesting must not be quadratic-slow"
    );
}

/// A 1 MB header line, a 6 MB body and a message with thousands of links stay within the caps.
#[test]
fn huge_content_is_capped() {
    let long_subject = "x".repeat(1024 * 1024);
    let mut raw = crlf(&[
        "From: a@example.com",
        "Date: Thu, 13 Feb 2025 12:30:00 +0000",
        &format!("Subject: {long_subject}"),
        "Content-Type: text/plain",
        "",
        "",
    ]);
    for i in 0..(MAX_LINKS + 500) {
        raw.extend_from_slice(format!("https://l{i}.example/ ").as_bytes());
    }
    raw.extend(std::iter::repeat_n(b'y', 6 * 1024 * 1024));
    let mail = parse_mail(&raw);
    assert!(
        mail.subject
            .as_deref()
            .is_some_and(|s| s.len() <= 16 * 1024),
        "subject capped"
    );
    assert!(
        has_defect(&mail, "Subject header cut"),
        "subject cap noted: {:?}",
        mail.defects
    );
    assert!(
        mail.text_body
            .as_deref()
            .is_some_and(|t| t.len() <= MAX_BODY_BYTES),
        "body capped"
    );
    assert!(
        has_defect(&mail, "text body cut"),
        "body cap noted: {:?}",
        mail.defects
    );
    assert_eq!(mail.links.len(), MAX_LINKS, "links capped");
    assert!(
        has_defect(&mail, "links"),
        "link cap noted: {:?}",
        mail.defects
    );
    assert!(
        mail.snippet.chars().count() <= SNIPPET_CHARS,
        "snippet bounded"
    );
}

/// The parser never hits its panic fallback on hostile shapes found while building it.
#[test]
fn hostile_shapes_do_not_panic() {
    let cases: Vec<Vec<u8>> = vec![
        b"\r\n\r\n\r\n".to_vec(),
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n".to_vec(),
        b"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n".to_vec(),
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\n--a--".to_vec(),
        b"Content-Transfer-Encoding: base64\r\n\r\n====!!!!\xff".to_vec(),
        b"Content-Type: text/html\r\n\r\n<a href=\"".to_vec(),
        b"Content-Type: text/html\r\n\r\n<".repeat(3),
        [b"Subject: =?utf-8?B?".to_vec(), vec![b'A'; 100_000], b"\r\n\r\n".to_vec()].concat(),
        b"Date: Mon, 99 Foo 99999 99:99:99 +9999\r\n\r\n".to_vec(),
    ];
    for raw in cases {
        if let Err(panic) = parse_checked(&raw) {
            panic!("parse_mail fell back on {raw:?} after: {panic}");
        }
    }
}

/// The input on which fuzzing first tripped a mail-parser debug assertion: parse_mail still
/// returns readable content (in debug builds through its panic fallback).
#[test]
fn fuzz_regression_part_id() {
    let raw = include_bytes!("../fuzz/corpus/parse_mail/seed-regression-part-id.eml");
    let mail = parse_checked(raw).unwrap_or_else(|panic| panic!("unexpected panic: {panic}"));
    assert!(
        mail.text_body.as_deref().is_some_and(|t| !t.is_empty()),
        "content must survive: {mail:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Arbitrary bytes never panic and never need the panic fallback.
    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mail = parse_checked(&raw).map_err(TestCaseError::fail)?;
        prop_assert!(mail.snippet.chars().count() <= SNIPPET_CHARS, "snippet bounded");
    }

    /// Random edits (overwrite, insert, delete, truncate) of a valid message never panic.
    #[test]
    fn mutated_message_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..24),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut raw = multipart_alternative();
        for (at, kind, byte) in edits {
            let i = at.index(raw.len().max(1));
            match kind {
                0 if i < raw.len() => raw[i] = byte,
                1 => raw.insert(i.min(raw.len()), byte),
                2 if i < raw.len() => { raw.remove(i); }
                _ => raw.insert(i.min(raw.len()), [b'-', b'\r', b'\n', b'<', b'=', b'"'][usize::from(byte) % 6]),
            }
        }
        let keep = cut.index(raw.len() + 1);
        let mail = parse_checked(&raw[..keep]).map_err(TestCaseError::fail)?;
        for link in &mail.links {
            prop_assert!(link.url.starts_with("http://") || link.url.starts_with("https://"), "only web links: {}", link.url);
        }
    }
}
