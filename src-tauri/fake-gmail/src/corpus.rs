//! Written-out mail for [`crate::MailboxSpec::featured`]: a newsletter that should look like
//! itself, and a corpus of hostile HTML that a mail reader must show without running anything
//! or loading anything it was not allowed to.
//!
//! Every remote URL of the hostile corpus points at `origin` (a local HTTP server the test runs
//! and counts requests on), under one of three paths, which say what a safe reader does:
//! - [`REMOTE`]: remote content proper (images, CSS backgrounds, fonts): not loaded until the
//!   reader allows remote content, and loaded after;
//! - [`NEVER`]: loads a mail reader should never make (scripts, frames, forms, `<base>`,
//!   stylesheets, `<meta refresh>`, media, `srcset`), even with remote content allowed;
//! - [`CANARY`]: asked for only by a script that ran.
//!
//! A script that runs also sets [`CANARY_GLOBAL`] on the top window and tries the app's IPC
//! (`__TAURI_INTERNALS__.invoke("set_settings", …)` with a sync interval of
//! [`CANARY_INTERVAL`] minutes), so a test can see it from three sides.

use crate::generate::{FeaturedAttachment, InlineImage};
use crate::FeaturedMail;

/// The Content-ID of the inline logo in the hostile corpus's "Remote images" mail.
pub const INLINE_LOGO_CID: &str = "logo@hostile.example";

/// A 48x16 PNG (an orange bar with a navy border), the inline logo some corpus mail shows by
/// `cid:`; it loads nothing and is part of the message.
pub const INLINE_LOGO_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x10, 0x08, 0x02, 0x00, 0x00, 0x00, 0xdf, 0xcc, 0x6b,
    0xe6, 0x00, 0x00, 0x00, 0x2d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x10, 0x32, 0x8d, 0x1e,
    0x54, 0x88, 0x61, 0x90, 0x3a, 0xe8, 0xa6, 0x07, 0xff, 0x80, 0xa3, 0x51, 0x07, 0x8d, 0x3a, 0x68,
    0xd4, 0x41, 0xa3, 0x0e, 0x1a, 0x75, 0xd0, 0xa8, 0x83, 0x28, 0x71, 0xd0, 0x68, 0x6d, 0x8f, 0x13,
    0x01, 0x00, 0x7b, 0x25, 0x0b, 0x0e, 0x8e, 0x88, 0x8e, 0x08, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn inline_logo(content_id: &str) -> InlineImage {
    InlineImage {
        content_id: content_id.into(),
        mime_type: "image/png".into(),
        filename: "logo.png".into(),
        bytes: INLINE_LOGO_PNG.to_vec(),
    }
}

/// Path prefix of remote content that loads only once allowed.
pub const REMOTE: &str = "/remote/";
/// Path prefix of loads that must never happen.
pub const NEVER: &str = "/never/";
/// Path prefix of requests only a running script makes.
pub const CANARY: &str = "/canary/";
/// The global a running script sets on the top window (and the frame's own window).
pub const CANARY_GLOBAL: &str = "__inboxSyncCanary";
/// The sync interval a script that reached the app's IPC would store.
pub const CANARY_INTERVAL: u32 = 60;
/// Subjects of the hostile corpus start with this.
pub const HOSTILE_SUBJECT: &str = "[hostile]";

/// What a script in the corpus does if it runs, tagged `name` (JavaScript, single quotes only,
/// so it fits in a double-quoted attribute).
fn canary(origin: &str, name: &str) -> String {
    format!(
        "try{{top.{g}=(top.{g}||'')+'{name} '}}catch(e){{}}\
         try{{window.{g}='{name}'}}catch(e){{}}\
         try{{document.documentElement.setAttribute('data-canary','{name}')}}catch(e){{}}\
         try{{new Image().src='{origin}{CANARY}{name}'}}catch(e){{}}\
         try{{fetch('{origin}{CANARY}fetch-{name}')}}catch(e){{}}\
         try{{var t=top.__TAURI_INTERNALS__||window.__TAURI_INTERNALS__;\
         t.invoke('set_settings',{{settings:{{autoSyncOnLaunch:false,syncIntervalMinutes:{CANARY_INTERVAL},startAtLogin:false}}}})}}catch(e){{}}",
        g = CANARY_GLOBAL
    )
}

/// Fills `{O}` (the origin), `{R}`/`{N}` (origin + [`REMOTE`]/[`NEVER`]) and `{JS:name}`
/// (a canary script) in a template.
fn fill(template: &str, origin: &str) -> String {
    let mut out = template
        .replace("{R}", &format!("{origin}{REMOTE}"))
        .replace("{N}", &format!("{origin}{NEVER}"))
        .replace("{O}", origin);
    while let Some(start) = out.find("{JS:") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let name = out[start + 4..start + len].to_owned();
        out.replace_range(start..start + len + 1, &canary(origin, &name));
    }
    out
}

fn hostile(subject: &str, html: &str, origin: &str, links: &[&str]) -> FeaturedMail {
    FeaturedMail {
        from_name: "Mallory Example".into(),
        from_address: "mallory@hostile.example".into(),
        subject: format!("{HOSTILE_SUBJECT} {subject}"),
        html: fill(html, origin),
        text: None,
        links: links.iter().map(|l| fill(l, origin)).collect(),
        inline_images: Vec::new(),
        attachments: Vec::new(),
    }
}

/// The name of the program the corpus attaches, dressed as a document.
pub const PROGRAM_ATTACHMENT: &str = "Invoice.pdf.exe";

/// The mail with a Windows program attached under a document's name, as phishing sends them.
fn with_program(mut mail: FeaturedMail) -> FeaturedMail {
    mail.attachments.push(FeaturedAttachment {
        mime_type: "application/octet-stream".into(),
        filename: PROGRAM_ATTACHMENT.into(),
        // "MZ", as every Windows program starts; never run by anything here.
        bytes: b"MZ\x90\x00 not a real program".to_vec(),
    });
    mail
}

/// The mail with its `cid:` logo as a multipart/related image part.
fn with_inline_logo(mut mail: FeaturedMail) -> FeaturedMail {
    mail.inline_images.push(inline_logo(INLINE_LOGO_CID));
    mail
}

/// The hostile corpus, its remote URLs all at `origin` (`http://127.0.0.1:PORT`, no slash).
pub fn hostile_html(origin: &str) -> Vec<FeaturedMail> {
    let origin = origin.trim_end_matches('/');
    vec![
        // First, so the others keep the newest slots they had before it was added.
        with_program(hostile(
            "An invoice that is a program",
            r##"<html><body>
<h1>An invoice that is a program</h1>
<p>Please open the attached invoice.</p>
</body></html>"##,
            origin,
            &[],
        )),
        hostile(
            "Scripts and event handlers",
            r##"<!DOCTYPE html><html><head>
<script>{JS:head-script}</script>
<script src="{N}script.js"></script>
<meta http-equiv="refresh" content="0;url={N}meta-refresh">
<base href="{N}base/">
<link rel="stylesheet" href="{N}link-stylesheet.css">
<link rel="prefetch" href="{N}prefetch">
<link rel="icon" href="{N}icon.png">
</head>
<body onload="{JS:body-onload}">
<h1>Scripts and event handlers</h1>
<p id="scripts-text">Every element here would run code if it were allowed to.</p>
<img src="x" alt="broken image with onerror" onerror="{JS:img-onerror}">
<div onmouseover="{JS:div-onmouseover}" style="padding:8px;border:1px solid #ccc">Hover me</div>
<details open ontoggle="{JS:details-ontoggle}"><summary>Details</summary>Opened.</details>
<svg onload="{JS:svg-onload}" width="40" height="40"><script>{JS:svg-script}</script>
<a href="javascript:{JS:svg-link}"><text x="0" y="20">svg link</text></a>
<image href="{N}svg-image.png" width="10" height="10"/></svg>
<math><mtext><table><mglyph><style><img src=x onerror="{JS:mxss-style}"></style></mglyph></table></mtext></math>
<noscript><p title="</noscript><img src=x onerror={JS:noscript-title}>"></p></noscript>
<iframe src="{N}iframe"></iframe>
<iframe srcdoc="<script>{JS:iframe-srcdoc}</script>"></iframe>
<object data="{N}object"></object><embed src="{N}embed">
<p>Under the base: <img src="relative.png" alt="relative image"></p>
<script type="module">{JS:module-script}</script>
<SCRIPT>{JS:upper-script}</SCRIPT>
</body></html>"##,
            origin,
            &[],
        ),
        hostile(
            "Links that run code, and forms",
            r##"<html><head><meta http-equiv="refresh" content="1;url=javascript:{JS:refresh-js}"></head><body>
<h1>Links and forms</h1>
<p><a id="js-link" href="javascript:{JS:js-link}">Claim your prize</a></p>
<p><a href=" JaVaScRiPt:{JS:mixed-case-link}">Unsubscribe</a></p>
<p><a href="java&#x09;script:{JS:tab-link}">Tab link</a></p>
<p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Data link</a></p>
<p><a href="vbscript:msgbox(1)">VBScript link</a></p>
<p><a href="#" onclick="{JS:onclick-link}">Onclick link</a></p>
<p><a id="real-link" href="https://example.com/real-link">The real link</a></p>
<map name="m"><area shape="rect" coords="0,0,10,10" href="javascript:{JS:area-link}"></map>
<form id="login-form" action="{N}form" method="post">
<input name="password" type="password" value="secret">
<input type="submit" value="Sign in">
<button formaction="{N}formaction">Go</button>
<input type="image" src="{N}input-image.png" alt="image input">
</form>
</body></html>"##,
            origin,
            &["https://example.com/real-link"],
        ),
        hostile(
            "CSS expressions, imports and remote fonts",
            r##"<html><head><style>
@import url("{N}import.css");
@import '{N}import-string.css';
body { background: #fff url({R}css-background.png) no-repeat; }
.x { width: expression({JS:css-expression}); }
.y { behavior: url({N}behavior.htc); }
.z { -moz-binding: url({N}binding.xml#x); }
@font-face { font-family: Tracker; src: url({R}font.woff2) format("woff2"); }
.f { font-family: Tracker, serif; }
.e { background: u\72l({R}escaped-url.png); }
.i { background-image: -webkit-image-set('{N}image-set.png' 1x); }
</style></head><body>
<h1 class="f">CSS that loads or runs things</h1>
<p class="x y z">IE expressions, HTC behaviours and XBL bindings.</p>
<p class="e i">Escaped url and image-set.</p>
<p style="background-image:url('{R}inline-style.png');padding:20px">Inline style background.</p>
<div style="background:url(javascript:{JS:style-js-url})">Script url in a style.</div>
<p style="color:#b00020;font-weight:bold">Safe CSS stays: this line is red and bold.</p>
</body></html>"##,
            origin,
            &[],
        ),
        with_inline_logo(hostile(
            "Remote images and tracking pixels",
            r##"<html><body>
<h1>Remote images</h1>
<p>A tracking pixel: <img src="{R}tracking-pixel.gif" width="1" height="1" alt=""></p>
<p><img id="hero" src="{R}hero.png" alt="Hero image" width="120" height="60"></p>
<p><img srcset="{N}srcset.png 2x" alt="srcset image"></p>
<picture><source srcset="{N}picture-source.png"><img src="{R}picture-img.png" alt="picture"></picture>
<video poster="{N}poster.png" src="{N}video.mp4"></video>
<audio src="{N}audio.mp3"></audio>
<table background="{N}table-background.png"><tr><td>Table with a background</td></tr></table>
<p><img src="//127.0.0.1:1/never/protocol-relative.png" alt="protocol-relative"></p>
<p><img src="cid:logo@hostile.example" alt="inline logo"></p>
<link rel="preload" as="image" href="{N}preload.png">
</body></html>"##,
            origin,
            &[],
        )),
    ]
}

/// A newsletter as mail apps receive them: a table layout, a style sheet with classes, inline
/// styles, buttons and one remote image (which a safe reader blocks until allowed).
pub fn newsletter() -> FeaturedMail {
    let html = r##"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>The Harbor Gazette</title>
<style>
  .wrap { background: #eef2f6; padding: 24px 0; }
  .card { background: #ffffff; border-radius: 10px; overflow: hidden; }
  .masthead { background: #12355b; color: #ffffff; padding: 22px 28px; }
  .masthead h1 { margin: 0; font: 700 26px/1.2 Georgia, serif; letter-spacing: .5px; }
  .masthead p { margin: 4px 0 0; color: #b9cde4; font-size: 13px; }
  .lead { padding: 24px 28px 8px; }
  .lead h2 { margin: 0 0 8px; font: 700 21px/1.3 Georgia, serif; color: #12355b; }
  .story { padding: 14px 28px; border-top: 1px solid #e3e8ee; }
  .story h3 { margin: 0 0 4px; font-size: 16px; color: #1f2328; }
  .story p, .lead p { margin: 0 0 10px; color: #3d4752; font-size: 14px; line-height: 1.55; }
  .tag { display: inline-block; background: #ffe8c7; color: #8a4b00; border-radius: 999px; padding: 1px 9px; font-size: 11px; font-weight: 700; text-transform: uppercase; }
  .button { display: inline-block; background: #d9480f; color: #ffffff !important; text-decoration: none; padding: 10px 18px; border-radius: 6px; font-weight: 700; }
  .foot { padding: 18px 28px; color: #6a737d; font-size: 12px; text-align: center; }
  .foot a { color: #6a737d; }
</style></head>
<body>
<div class="wrap"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" class="card" width="600" cellpadding="0" cellspacing="0">
<tr><td class="masthead"><h1>The Harbor Gazette</h1><p>Weekly notes from the waterfront &middot; Issue 42</p></td></tr>
<tr><td><img src="https://images.harbor-gazette.example/issue-42/hero.jpg" alt="Boats in the harbor at dawn" width="600" height="180" style="display:block;width:100%;height:auto;background:#cfd9e3"></td></tr>
<tr><td class="lead"><span class="tag">This week</span>
<h2>The new ferry timetable starts Monday</h2>
<p>Crossings every twenty minutes at rush hour, a late boat on Fridays and Saturdays, and a quieter Sunday schedule. Here is what changes for commuters and visitors.</p>
<p><a class="button" href="https://harbor-gazette.example/issue-42/ferry">Read the timetable</a></p></td></tr>
<tr><td class="story"><h3>Market hall reopens</h3><p>After a winter of repairs the covered market is back, with twelve new stalls and longer Saturday hours.</p><p><a href="https://harbor-gazette.example/issue-42/market" style="color:#0b57d0">Who is selling what &rarr;</a></p></td></tr>
<tr><td class="story"><h3>Lighthouse open day</h3><p>Climb the 117 steps on the first Sunday of the month. Tickets are free but limited; book ahead.</p><p><a href="https://harbor-gazette.example/issue-42/lighthouse" style="color:#0b57d0">Book a place &rarr;</a></p></td></tr>
<tr><td class="story" style="background:#f7f9fb"><h3>From the archive</h3><p><em>&ldquo;The tide waits for no one, least of all the harbor master.&rdquo;</em> &mdash; The Gazette, 1931</p></td></tr>
<tr><td class="foot">You are receiving this because you subscribed at harbor-gazette.example.<br>
<a href="https://harbor-gazette.example/preferences">Preferences</a> &middot; <a href="https://harbor-gazette.example/unsubscribe">Unsubscribe</a></td></tr>
</table></td></tr></table></div>
</body></html>"##;
    let text = "The Harbor Gazette - Issue 42\r\n\r\n\
The new ferry timetable starts Monday\r\n\
Read the timetable: https://harbor-gazette.example/issue-42/ferry\r\n\r\n\
Market hall reopens: https://harbor-gazette.example/issue-42/market\r\n\r\n\
Lighthouse open day: https://harbor-gazette.example/issue-42/lighthouse\r\n\r\n\
Preferences: https://harbor-gazette.example/preferences\r\n\
Unsubscribe: https://harbor-gazette.example/unsubscribe\r\n";
    FeaturedMail {
        from_name: "The Harbor Gazette".into(),
        from_address: "news@harbor-gazette.example".into(),
        subject: "Issue 42: the new ferry timetable, the market hall reopens".into(),
        html: html.into(),
        text: Some(text.into()),
        links: [
            "issue-42/ferry",
            "issue-42/market",
            "issue-42/lighthouse",
            "preferences",
            "unsubscribe",
        ]
        .iter()
        .map(|p| format!("https://harbor-gazette.example/{p}"))
        .collect(),
        inline_images: Vec::new(),
        attachments: Vec::new(),
    }
}
