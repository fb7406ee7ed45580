//! HTML mail made safe to display: an allow-list sanitizer (ammonia, on html5ever) keeps the
//! mail's structure, text, links and safe CSS and drops scripts, event handlers, forms, frames,
//! `<base>`, `<meta>` and every URL that is not a web link or an image we allow; remote images
//! and other remote loads are dropped (and counted) unless the reader allowed them. The result
//! is a whole document with its own Content-Security-Policy, meant for a sandboxed
//! `<iframe srcdoc>` without `allow-scripts`: three walls, each enough on its own against
//! scripts, and two (this pass and the policy) against tracking loads.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ammonia::{Builder, UrlRelative};
use lol_html::html_content::ContentType;
use lol_html::{text, HtmlRewriter, Settings};
use serde::Serialize;

use super::css;

/// An HTML body ready for the message view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SafeHtml {
    /// A complete document (doctype, CSP meta, base style, the sanitized mail) for `srcdoc`.
    pub document: String,
    /// How many remote loads (images, CSS backgrounds, fonts) were removed; 0 when allowed.
    pub remote_blocked: usize,
    /// Whether remote loads were left in (and the document's policy lets them through).
    pub remote_allowed: bool,
    /// How many `cid:` references had no stored image (mail stored before images were kept,
    /// or an image over the size limits); those images are left out.
    pub inline_missing: usize,
    /// How many `cid:` references were shown from the stored parts.
    pub inline_shown: usize,
}

/// The stored inline images of one message, by Content-ID, ready to stand in for `cid:` URLs
/// as `data:` URLs (which the frame's policy allows and which load nothing).
#[derive(Debug, Clone, Default)]
pub struct InlineImages(HashMap<String, String>);

impl InlineImages {
    /// From `(content id, mime type, bytes)`; types other than raster images are ignored.
    pub fn new<'a>(parts: impl IntoIterator<Item = (&'a str, &'a str, &'a [u8])>) -> Self {
        use base64::Engine as _;
        let mut map = HashMap::new();
        for (content_id, mime_type, data) in parts {
            let mime_type = mime_type.to_ascii_lowercase();
            if !super::INLINE_IMAGE_TYPES.contains(&mime_type.as_str()) {
                continue;
            }
            let encoded = base64::engine::general_purpose::STANDARD.encode(data);
            map.entry(content_id.trim().to_ascii_lowercase())
                .or_insert_with(|| format!("data:{mime_type};base64,{encoded}"));
        }
        Self(map)
    }

    /// The `data:` URL for a `cid:` URL's part after the scheme, if that image is stored.
    /// RFC 2392: the cid URL is the Content-ID percent-encoded, without its angle brackets.
    fn lookup(&self, reference: &str) -> Option<&str> {
        let decoded = percent_encoding::percent_decode_str(reference.trim()).decode_utf8_lossy();
        let id = decoded.trim().trim_start_matches('<').trim_end_matches('>');
        self.0.get(&id.to_ascii_lowercase()).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sanitizes one HTML body for display. `allow_remote` leaves http(s) images, backgrounds and
/// fonts in (the reader clicked "Load", or trusts the sender); they are removed otherwise.
/// `cid:` images show from `inline` (the message's stored image parts).
pub fn safe_html(html: &str, allow_remote: bool, inline: InlineImages) -> SafeHtml {
    let policy = Arc::new(ResourcePolicy::new(allow_remote, inline));
    let fragment = builder(Arc::clone(&policy)).clean(html).to_string();
    let body = clean_style_sheets(&fragment, &policy);
    SafeHtml {
        document: document(&body, allow_remote),
        remote_blocked: policy.blocked(),
        remote_allowed: allow_remote,
        inline_missing: policy.inline_missing.load(Ordering::Relaxed),
        inline_shown: policy.inline_shown.load(Ordering::Relaxed),
    }
}

/// Which resource URLs (images, CSS `url()`s) may stay, counting what was taken out.
#[derive(Debug)]
pub(super) struct ResourcePolicy {
    allow_remote: bool,
    blocked: AtomicUsize,
    inline: InlineImages,
    inline_missing: AtomicUsize,
    inline_shown: AtomicUsize,
}

impl ResourcePolicy {
    pub(super) fn new(allow_remote: bool, inline: InlineImages) -> Self {
        Self {
            allow_remote,
            blocked: AtomicUsize::new(0),
            inline,
            inline_missing: AtomicUsize::new(0),
            inline_shown: AtomicUsize::new(0),
        }
    }

    pub(super) fn blocked(&self) -> usize {
        self.blocked.load(Ordering::Relaxed)
    }

    /// The URL to keep for a resource, or None to drop it. Raster `data:` images always stay;
    /// http(s) only when remote content is allowed; `cid:` becomes the stored image's `data:`
    /// URL when there is one; everything else (relative, `javascript:`, `file:`, SVG data) goes.
    pub(super) fn resource<'u>(&'u self, url: &'u str) -> Option<&'u str> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("data:") {
            let raster = ["png", "gif", "jpeg", "jpg", "webp", "bmp"]
                .iter()
                .any(|t| lower.starts_with(&format!("data:image/{t};")));
            return raster.then_some(url);
        }
        if ["http:", "https:", "//"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            if self.allow_remote && !lower.starts_with("//") {
                return Some(url);
            }
            self.blocked.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        if lower.starts_with("cid:") {
            if let Some(data) = self.inline.lookup(&url[4..]) {
                self.inline_shown.fetch_add(1, Ordering::Relaxed);
                return Some(data);
            }
            self.inline_missing.fetch_add(1, Ordering::Relaxed);
        }
        None
    }
}

/// Links the reader may follow (the view opens http(s) in the browser and nothing else).
fn is_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn builder(policy: Arc<ResourcePolicy>) -> Builder<'static> {
    let mut b = Builder::default();
    // Mail layout is tables, fonts and inline styles; `style` sheets are cleaned afterwards.
    b.add_tags([
        "font", "style", "tfoot", "big", "address", "section", "main",
    ])
    .rm_clean_content_tags(["style"])
    // A `<title>` (or anything else of the head with text) is not part of what is read.
    .add_clean_content_tags(["title"])
    .add_generic_attributes([
        "style",
        "class",
        "align",
        "valign",
        "bgcolor",
        "width",
        "height",
        "border",
        "cellpadding",
        "cellspacing",
        "dir",
        "color",
        "face",
        "size",
    ])
    .add_tag_attributes("area", ["href", "alt", "shape", "coords"])
    .add_tag_attributes("map", ["name"])
    .add_tag_attributes("img", ["usemap", "border"])
    .url_schemes(HashSet::from(["http", "https", "mailto", "data", "cid"]))
    // Relative URLs mean nothing in a mail (and `<base>` is gone): drop them.
    .url_relative(UrlRelative::Deny)
    .link_rel(Some("noopener noreferrer"))
    // A click asks for a new window, which the app hands to the system browser; the frame
    // itself never navigates.
    .set_tag_attribute_value("a", "target", "_blank")
    .set_tag_attribute_value("area", "target", "_blank")
    .attribute_filter(
        move |element, attribute, value| match (element, attribute) {
            ("img", "src") => policy
                .resource(value)
                .map(|kept| Cow::Owned(kept.to_owned())),
            ("a" | "area", "href") => is_link(value).then_some(Cow::Borrowed(value)),
            (_, "style") => Some(Cow::Owned(css::clean(value, &policy))),
            _ => Some(Cow::Borrowed(value)),
        },
    );
    b
}

/// Cleans the text of every `<style>` element of ammonia's output (which is well formed, so
/// this second parser sees the same elements it wrote).
fn clean_style_sheets(fragment: &str, policy: &ResourcePolicy) -> String {
    if !fragment.contains("<style") {
        return fragment.to_owned();
    }
    let sheet = Rc::new(RefCell::new(String::new()));
    let mut out = Vec::with_capacity(fragment.len());
    let settings = Settings::new().append_element_content_handler(text!("style", |chunk| {
        sheet.borrow_mut().push_str(chunk.as_str());
        if chunk.last_in_text_node() {
            let cleaned = css::clean(&sheet.take(), policy);
            chunk.replace(&cleaned, ContentType::Html);
        } else {
            chunk.remove();
        }
        Ok(())
    }));
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    let written = rewriter
        .write(fragment.as_bytes())
        .and_then(|()| rewriter.end());
    match written {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        // Should the second pass fail, show the mail without its sheets rather than unclean.
        Err(_) => builder(Arc::new(ResourcePolicy::new(
            false,
            InlineImages::default(),
        )))
        .rm_tags(["style"])
        .add_clean_content_tags(["style"])
        .clean(fragment)
        .to_string(),
    }
}

/// The frame's base look: mail written for a white page keeps one in both themes.
const BASE_STYLE: &str = "html{background:#fff;color:#1f2328}\
body{margin:0;padding:16px 20px;font:14px/1.5 system-ui,sans-serif;\
overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}\
a{color:#0b57d0}blockquote{margin:0 0 0 .8em;padding-left:.8em;border-left:3px solid #d0d7de}";

/// The policy of the mail's own document. Scripts, frames, forms, plugins and connections are
/// refused outright; images and fonts come only from `data:` unless remote content is allowed.
pub fn content_policy(allow_remote: bool) -> String {
    let remote = if allow_remote { " http: https:" } else { "" };
    format!(
        "default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; \
         child-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'; \
         media-src 'none'; style-src 'unsafe-inline'; img-src data:{remote}; font-src data:{remote}"
    )
}

fn document(body: &str, allow_remote: bool) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta name=\"color-scheme\" content=\"light\">\
         <style>{BASE_STYLE}</style></head><body>{body}</body></html>",
        content_policy(allow_remote)
    )
}
