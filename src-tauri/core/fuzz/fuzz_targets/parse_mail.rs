//! Fuzz target for the parse-and-extract path: any bytes given to `parse_mail` must come back as
//! a `ParsedMail` within its bounds, never as a panic.
#![no_main]

use inbox_sync_core::mail::{parse_mail, MAX_LINKS, PANIC_DEFECT, SNIPPET_CHARS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &[u8]| {
    // libfuzzer-sys's panic hook aborts on any panic, even one parse_mail would catch, so a
    // library bug is reported as a crash here although production would survive it.
    let mail = parse_mail(raw);
    assert!(!mail.defects.iter().any(|d| d == PANIC_DEFECT));
    assert!(mail.snippet.chars().count() <= SNIPPET_CHARS);
    assert!(mail.links.len() <= MAX_LINKS);
    for link in &mail.links {
        assert!(link.url.starts_with("http://") || link.url.starts_with("https://"));
    }
});
