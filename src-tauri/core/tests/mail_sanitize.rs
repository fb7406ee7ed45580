//! HTML mail made safe to display (`mail::safe_html`): the fake's hostile corpus keeps no
//! script, handler, form, frame, `<base>`, `<meta>` or code URL, and no remote URL unless
//! remote content is allowed; the newsletter keeps its layout, styles and links.

use fake_gmail::corpus::{self, CANARY, NEVER, REMOTE};
use inbox_sync_core::mail::{content_policy, safe_html, sender_address, InlineImages};

const ORIGIN: &str = "http://127.0.0.1:9";

/// The sanitized body alone: the document minus the head this module writes itself.
fn body(document: &str) -> &str {
    let start = document.find("<body>").expect("a body") + "<body>".len();
    &document[start..document.len() - "</body></html>".len()]
}

/// Every hostile message, remote content blocked: nothing that runs, navigates or loads remains.
#[test]
fn the_hostile_corpus_keeps_nothing_that_runs_or_loads() {
    for mail in corpus::hostile_html(ORIGIN) {
        let safe = safe_html(&mail.html, false, InlineImages::default());
        let out = body(&safe.document).to_ascii_lowercase();
        for bad in [
            "<script",
            "<iframe",
            "<frame",
            "<form",
            "<input",
            "<button",
            "<object",
            "<embed",
            "<base",
            "<meta",
            "<link",
            "<svg",
            "<math",
            "<video",
            "<audio",
            "<source",
            "<noscript",
            "javascript:",
            "vbscript:",
            "data:text",
            "expression(",
            "@import",
            "behavior:",
            "-moz-binding",
            "image-set(",
            "srcset=",
            "background=",
            "formaction",
        ] {
            assert!(
                !out.contains(bad),
                "{bad} must not survive in {:?}: {out}",
                mail.subject
            );
        }
        for attr in out.split_whitespace().filter(|w| w.starts_with("on")) {
            assert!(
                !attr.contains('='),
                "no event handler survives in {:?}: {attr}",
                mail.subject
            );
        }
        for prefix in [REMOTE, NEVER, CANARY] {
            assert!(
                !out.contains(&format!("{ORIGIN}{prefix}")),
                "no URL under {prefix} is left with remote content blocked ({:?})",
                mail.subject
            );
        }
        assert!(!safe.remote_allowed, "remote content was not asked for");
    }
}

/// With remote content allowed, remote images and CSS backgrounds stay, and still nothing that must never load.
#[test]
fn allowed_remote_content_keeps_images_but_never_the_rest() {
    let corpus = corpus::hostile_html(ORIGIN);
    let all: String = corpus
        .iter()
        .map(|m| safe_html(&m.html, true, InlineImages::default()).document)
        .collect();
    for kept in [
        "remote/hero.png",
        "remote/tracking-pixel.gif",
        "remote/css-background.png",
        "remote/inline-style.png",
        "remote/escaped-url.png",
    ] {
        assert!(
            all.contains(&format!("{ORIGIN}/{kept}")),
            "{kept} stays when remote content is allowed"
        );
    }
    for prefix in [NEVER, CANARY] {
        assert!(
            !all.contains(&format!("{ORIGIN}{prefix}")),
            "nothing under {prefix} stays even with remote content allowed"
        );
    }
}

/// Blocked remote loads are counted (for the bar), cid: images too, and the policy follows the choice.
#[test]
fn blocked_loads_are_counted_and_the_policy_follows_the_choice() {
    let remote = corpus::hostile_html(ORIGIN)
        .into_iter()
        .find(|m| m.subject.contains("Remote images"))
        .expect("the remote-images message");
    let blocked = safe_html(&remote.html, false, InlineImages::default());
    assert!(
        blocked.remote_blocked >= 3,
        "the pixel, the hero and the picture's image are counted: {}",
        blocked.remote_blocked
    );
    assert_eq!(blocked.inline_missing, 1, "the cid: logo is counted");
    assert!(
        blocked.document.contains(&content_policy(false)),
        "the blocked document carries the strict policy"
    );
    assert!(
        content_policy(false).contains("img-src data:;") && !content_policy(false).contains("http"),
        "the strict policy allows no remote image: {}",
        content_policy(false)
    );
    let allowed = safe_html(&remote.html, true, InlineImages::default());
    assert_eq!(allowed.remote_blocked, 0, "nothing is blocked when allowed");
    assert!(
        allowed.document.contains("img-src data: http: https:"),
        "the allowed document's policy lets remote images through"
    );
    assert!(
        allowed.document.contains("script-src 'none'"),
        "scripts stay refused whatever is allowed"
    );
}

/// `cid:` images show from the stored parts as `data:` URLs (in `<img>` and in CSS), matched
/// as RFC 2392 writes them (percent-encoded, any case); a type that is not a raster image, or
/// a part that is not stored, stays out and is counted.
#[test]
fn cid_images_show_from_the_stored_parts() {
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really";
    let svg: &[u8] = b"<svg onload='alert(1)'/>";
    let inline = InlineImages::new([
        ("Logo@Shop.example", "image/png", png),
        ("drawing@shop.example", "image/svg+xml", svg),
    ]);
    let safe = safe_html(
        "<p><img src=\"cid:logo%40shop.example\" alt=logo></p>\
         <div style=\"background:url('cid:LOGO@shop.example')\">x</div>\
         <img src=\"cid:drawing@shop.example\"><img src=\"cid:gone@shop.example\">",
        false,
        inline,
    );
    let out = body(&safe.document);
    let data = "data:image/png;base64,iVBORw0KGgpub3QgcmVhbGx5";
    assert_eq!(out.matches(data).count(), 2, "the logo shows twice: {out}");
    assert_eq!(safe.inline_shown, 2);
    assert_eq!(
        safe.inline_missing, 2,
        "the SVG and the unstored part: {out}"
    );
    assert!(!out.contains("svg"), "no SVG data reaches the frame: {out}");
    assert!(!out.contains("cid:"), "no cid: URL is left: {out}");
}

/// Links keep only http(s) and mailto targets, each opening as a new window (which the app sends to the browser).
#[test]
fn links_keep_web_targets_only() {
    let safe = safe_html(
        "<a href='https://example.com/a?b=1&amp;c=2'>web</a> <a href='mailto:x@example.com'>mail</a> \
         <a href='javascript:alert(1)'>js</a> <a href='/relative'>rel</a> <a href='#top'>frag</a> \
         <a href='file:///etc/passwd'>file</a>",
        false,
        InlineImages::default(),
    );
    let out = body(&safe.document);
    assert!(
        out.contains(r#"<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">web</a>"#),
        "the web link stays, opening elsewhere: {out}"
    );
    assert!(
        out.contains("href=\"mailto:x@example.com\""),
        "mailto stays: {out}"
    );
    for gone in ["javascript:", "/relative", "#top", "file:"] {
        assert!(!out.contains(gone), "{gone} is dropped: {out}");
    }
}

/// The newsletter keeps its style sheet, classes, inline styles, tables and links, and loses only its title text and remote image.
#[test]
fn the_newsletter_keeps_its_look() {
    let newsletter = corpus::newsletter();
    let safe = safe_html(&newsletter.html, false, InlineImages::default());
    let out = body(&safe.document);
    for kept in [
        "<style>",
        ".masthead { background: #12355b;",
        "class=\"masthead\"",
        "<table",
        "cellpadding=\"0\"",
        "style=\"color:#0b57d0\"",
        "https://harbor-gazette.example/unsubscribe",
    ] {
        assert!(out.contains(kept), "{kept} is kept: {out}");
    }
    assert!(
        !out.contains("images.harbor-gazette.example"),
        "its remote image is blocked"
    );
    assert_eq!(safe.remote_blocked, 1, "one remote image is counted");
    assert!(
        !out.starts_with("The Harbor Gazette"),
        "the <title> is not shown as text"
    );
}

/// Markup that tries to break out of a style sheet or a quoted attribute stays inside.
#[test]
fn style_sheets_and_attributes_cannot_be_escaped() {
    let safe = safe_html(
        "<style>p{color:red}<\\/style><script>alert(1)</script></style>\
         <p style='color:red\" onclick=\"alert(1)'>x</p>",
        true,
        InlineImages::default(),
    );
    let out = body(&safe.document);
    assert!(
        !out.contains("<script"),
        "no script escapes the sheet: {out}"
    );
    assert!(
        !out.contains(" onclick=\""),
        "no handler escapes the style attribute: {out}"
    );
}

/// The bare sender address is what a per-sender choice is stored under.
#[test]
fn sender_address_is_the_bare_lowercase_address() {
    assert_eq!(
        sender_address("Ann Lee <Ann.Lee@Example.COM>").as_deref(),
        Some("ann.lee@example.com")
    );
    assert_eq!(
        sender_address("bob@example.com").as_deref(),
        Some("bob@example.com")
    );
    assert_eq!(sender_address("Undisclosed recipients"), None);
}
