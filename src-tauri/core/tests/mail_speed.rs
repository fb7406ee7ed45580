//! Parse-and-extract speed on typical and large messages. Timing is meaningless in debug builds,
//! so the measurement is ignored by default; run it with
//! `cargo test -p inbox-sync-core --release --test mail_speed -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use inbox_sync_core::mail::parse_mail;

/// A newsletter-shaped multipart/alternative message of roughly `kb` kilobytes: a text part and
/// an HTML part with tables, styles, entities and a link every few lines.
fn typical(kb: usize) -> Vec<u8> {
    let mut text = String::new();
    let mut html = String::from(
        "<html><head><style>td{padding:4px}</style></head><body><table width=\"100%\">",
    );
    let mut i = 0;
    while text.len() + html.len() < kb * 1024 {
        text.push_str(&format!(
            "Item {i}: Something happened today &c. Read more at https://news.example.com/item/{i}?utm_source=mail\r\n"
        ));
        html.push_str(&format!(
            "<tr><td class=\"x\"><b>Item {i}</b>: Something happened today &amp;c.&nbsp;\
             <a href=\"https://news.example.com/item/{i}?utm_source=mail&amp;utm_medium=email\">Read more</a>\
             </td><td><img src=\"https://img.example.com/{i}.png\" alt=\"\"></td></tr>\r\n"
        ));
        i += 1;
    }
    html.push_str("</table></body></html>");
    format!(
        "From: News <news@example.com>\r\nTo: Ann <ann@example.com>\r\nSubject: =?UTF-8?Q?Weekly_news_=E2=80=94_issue_7?=\r\n\
         Date: Tue, 01 Jul 2025 10:00:00 +0200\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
         --alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
         --alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--alt--\r\n"
    )
    .into_bytes()
}

/// A message with a 1 MB HTML body and a 5 MB base64 attachment.
fn large() -> Vec<u8> {
    let html = typical(1024);
    let html = String::from_utf8_lossy(&html);
    let (_, html_part) = html.split_once("<html>").unwrap_or_default();
    let attachment: String =
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n".repeat(5 * 1024 * 1024 / 26);
    format!(
        "From: a@example.com\r\nDate: Tue, 01 Jul 2025 10:00:00 +0200\r\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/html\r\n\r\n<html>{html_part}\r\n\
         --mix\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {attachment}--mix--\r\n"
    )
    .into_bytes()
}

fn per_message(raw: &[u8], runs: u32) -> Duration {
    let _ = parse_mail(raw);
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(parse_mail(std::hint::black_box(raw)));
    }
    started.elapsed() / runs
}

/// Prints the time to parse and extract one typical (5, 10, 20 KB) and one large message.
#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn measure_parse_time() {
    for kb in [5, 10, 20] {
        let raw = typical(kb);
        let mail = parse_mail(&raw);
        assert!(
            mail.defects.is_empty(),
            "the typical message must be clean: {:?}",
            mail.defects
        );
        let t = per_message(&raw, 2_000);
        println!(
            "typical {:>6} bytes, {:>3} links: {:>8.1} µs/message ({:.0} messages/s on one core)",
            raw.len(),
            mail.links.len(),
            t.as_secs_f64() * 1e6,
            1.0 / t.as_secs_f64()
        );
    }
    if std::env::var_os("MAIL_SPEED_SKIP_LARGE").is_some() {
        return;
    }
    let raw = large();
    let t = per_message(&raw, 10);
    println!(
        "large {} bytes: {:.1} ms/message",
        raw.len(),
        t.as_secs_f64() * 1e3
    );
}
