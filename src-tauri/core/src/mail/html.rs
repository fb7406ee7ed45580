//! One streaming pass over an HTML body that yields both its plain-text rendering and the
//! targets of its `<a href>`/`<area href>`, each placed at its position in that text so links
//! can be listed in reading order.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{TextChunk, TextType};
use lol_html::{doc_text, element, end_tag, HtmlRewriter, MemorySettings, Settings};

use super::text::prefix_on_char_boundary;
use super::{MAX_BODY_BYTES, MAX_LINKS};

/// lol_html buffers a tag until it ends, so one hostile multi-megabyte tag could otherwise
/// buffer the whole body; past this it stops and we keep what was rendered so far.
const HTML_PARSER_MEMORY: usize = 8 * 1024 * 1024;

/// What an element does to the text around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A link target: `a` and `area` with an `href`.
    Link,
    /// `br`: a new line, nothing to close.
    LineBreak,
    /// `td`, `th`, `img`: words on either side stay apart.
    WordBreak,
    /// Reading continues on a new line after its start and its end.
    Line,
    /// Set off by a blank line before and after.
    Paragraph,
    Other,
}

/// The role of the element named `tag` (as lol_html gives it, lower case). One handler for
/// every element, dispatched here: lol_html compiles a rewriter's selectors each time one is
/// built, and with a selector list for each role that was a tenth of the cost of a short body.
fn role(tag: &str) -> Role {
    match tag {
        "a" | "area" => Role::Link,
        "br" => Role::LineBreak,
        "td" | "th" | "img" => Role::WordBreak,
        "div" | "tr" | "li" | "dt" | "dd" | "hr" | "section" | "article" | "header" | "footer"
        | "address" | "pre" | "center" | "form" | "fieldset" | "nav" | "aside" | "main"
        | "figure" => Role::Line,
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "blockquote" | "ul" | "ol"
        | "dl" => Role::Paragraph,
        _ => Role::Other,
    }
}

/// What an HTML body reads as.
#[derive(Debug, Default)]
pub(super) struct RenderedHtml {
    /// Readable text, whitespace collapsed, block elements on their own lines.
    pub text: String,
    /// Entity-decoded href values with the byte offset in `text` where their element began.
    pub hrefs: Vec<(usize, String)>,
    /// The rendering stopped early: the text cap, the href cap or the parser's memory limit.
    pub incomplete: bool,
}

pub(super) fn render(html: &str) -> RenderedHtml {
    let state = Rc::new(RefCell::new(Renderer::default()));
    let finished = {
        let on_block_end = |state: &Rc<RefCell<Renderer>>, paragraph: bool| {
            let state = Rc::clone(state);
            end_tag!(move |_| {
                state.borrow_mut().block_break(paragraph);
                Ok(())
            })
        };
        let settings = Settings::new()
            .append_element_content_handler(element!("*", |el| {
                match role(&el.tag_name()) {
                    Role::Link => {
                        if let Some(href) = el.get_attribute("href") {
                            state.borrow_mut().href(&href);
                        }
                    }
                    Role::LineBreak => state.borrow_mut().block_break(false),
                    Role::WordBreak => state.borrow_mut().word_break(),
                    role @ (Role::Line | Role::Paragraph) => {
                        let paragraph = role == Role::Paragraph;
                        state.borrow_mut().block_break(paragraph);
                        if let Some(handlers) = el.end_tag_handlers() {
                            handlers.push(on_block_end(&state, paragraph));
                        }
                    }
                    Role::Other => {}
                }
                Ok(())
            }))
            .append_document_content_handler(doc_text!(|chunk| {
                state.borrow_mut().text(chunk);
                Ok(())
            }))
            .with_memory_settings(
                MemorySettings::new().with_max_allowed_memory_usage(HTML_PARSER_MEMORY),
            )
            // Mail HTML is tag soup; strict mode would refuse some of it outright.
            .with_strict(false);
        // The rewritten output is not wanted, only the handlers' observations.
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        rewriter.write(html.as_bytes()).is_ok() && rewriter.end().is_ok()
    };
    let mut renderer = state.take();
    renderer.flush();
    let trimmed_len = renderer.out.trim_end().len();
    renderer.out.truncate(trimmed_len);
    RenderedHtml {
        text: renderer.out,
        hrefs: renderer.hrefs,
        incomplete: renderer.capped || !finished,
    }
}

#[derive(Debug, Default)]
struct Renderer {
    out: String,
    /// Raw text of the current text node; lol_html may hand it over in pieces, and an entity
    /// split across two pieces must be decoded whole.
    node: String,
    hrefs: Vec<(usize, String)>,
    pending_space: bool,
    capped: bool,
}

impl Renderer {
    fn text(&mut self, chunk: &mut TextChunk<'_>) {
        // Script, style, title and the like are not what a reader sees.
        if matches!(
            chunk.text_type(),
            TextType::Data | TextType::PlainText | TextType::CDataSection
        ) {
            if self.node.len() < MAX_BODY_BYTES {
                self.node.push_str(chunk.as_str());
            } else {
                self.capped = true;
            }
        }
        if chunk.last_in_text_node() {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.node.is_empty() {
            return;
        }
        let node = std::mem::take(&mut self.node);
        let decoded = html_escape::decode_html_entities(&node);
        self.push_words(&decoded);
        self.node = node;
        self.node.clear();
    }

    fn push_words(&mut self, text: &str) {
        let room = MAX_BODY_BYTES.saturating_sub(self.out.len());
        let text = if text.len() > room {
            self.capped = true;
            prefix_on_char_boundary(text, room)
        } else {
            text
        };
        for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
            if word.is_empty() {
                self.pending_space = true;
                continue;
            }
            if self.pending_space && !self.out.is_empty() && !self.out.ends_with('\n') {
                self.out.push(' ');
            }
            self.out.push_str(word);
            self.pending_space = true;
        }
        // A text node not ending in space runs straight into the next one (`a<b>b</b>`).
        if !text.ends_with(|c: char| c.is_whitespace() || c.is_control()) {
            self.pending_space = false;
        }
    }

    fn word_break(&mut self) {
        self.flush();
        self.pending_space = true;
    }

    fn block_break(&mut self, paragraph: bool) {
        self.flush();
        self.pending_space = false;
        let kept = self.out.trim_end_matches(' ').len();
        self.out.truncate(kept);
        if self.out.is_empty() || self.out.len() >= MAX_BODY_BYTES {
            return;
        }
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        if paragraph && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn href(&mut self, raw: &str) {
        self.flush();
        // Dedup happens later; this only bounds the work a hostile body can cause.
        if self.hrefs.len() >= 4 * MAX_LINKS {
            self.capped = true;
            return;
        }
        let href = html_escape::decode_html_entities(raw).into_owned();
        self.hrefs.push((self.out.len(), href));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scripts, styles and the title are not text; blocks break lines; entities are decoded.
    #[test]
    fn renders_readable_text() {
        let r = render(
            "<html><head><title>T</title><style>p{color:red}</style></head><body>\
             <script>alert('x')</script><p>Hello&nbsp;<b>big</b>&amp;small</p>\
             <div>Line two</div>one<br>two<table><tr><td>a</td><td>b</td></tr></table></body></html>",
        );
        assert_eq!(
            r.text, "Hello big&small\n\nLine two\none\ntwo\n\na b",
            "rendering must drop script/style/title and keep block structure"
        );
        assert!(!r.incomplete, "a small page renders completely");
    }

    /// Hrefs are entity-decoded and placed where their anchor starts in the text.
    #[test]
    fn hrefs_are_decoded_and_positioned() {
        let r = render("<p>Go <a href=\"http://x.example/?a=1&amp;b=2\">here</a></p>");
        assert_eq!(
            r.hrefs,
            [(2, "http://x.example/?a=1&b=2".to_owned())],
            "href must be entity decoded and sit at the end of 'Go'"
        );
    }

    /// Markup that never closes still yields its text and links.
    #[test]
    fn unclosed_markup_still_renders() {
        let r = render("<div>never closed <a href='https://a.example/'>x");
        assert_eq!(
            r.text, "never closed x",
            "unclosed elements must still yield their text"
        );
        assert_eq!(
            r.hrefs.len(),
            1,
            "the href of an unclosed anchor still counts"
        );
    }

    /// Tag names are read whatever their case, as HTML reads them: old mail writes `<P>`,
    /// `<BR>` and `<A HREF>`; an anchor without an href is no link.
    #[test]
    fn upper_case_markup_renders_the_same() {
        let r = render(
            "<P>First <A NAME=top>mark</A> <A HREF=\"https://a.example/\">link</A></P>\
             <DIV>second<BR>third</DIV><TABLE><TR><TD>a</TD><TH>b</TH></TR></TABLE>",
        );
        assert_eq!(r.text, "First mark link\n\nsecond\nthird\n\na b");
        assert_eq!(r.hrefs, [(10, "https://a.example/".to_owned())]);
    }
}
