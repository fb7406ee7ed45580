//! The subset of Gmail's search syntax `messages.list?q=` understands; other operators are ignored, never an error.

use std::sync::Arc;

use crate::generate::GeneratedMessage;
use crate::mailbox::Labels;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Header(&'static str, String),
    Label(String),
    HasAttachment,
    Text(String),
}

/// A parsed `q`: every term must match (negated terms must not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Query {
    terms: Vec<(bool, Term)>,
}

fn words(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl Query {
    pub(crate) fn parse(q: &str) -> Self {
        let mut terms = Vec::new();
        for word in words(q) {
            let (negated, word) = match word.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest.to_string()),
                _ => (false, word),
            };
            let lower = word.to_lowercase();
            let term = match lower.split_once(':') {
                Some(("from", v)) => Term::Header("From", v.to_string()),
                Some(("to", v)) => Term::Header("To", v.to_string()),
                Some(("subject", v)) => Term::Header("Subject", v.to_string()),
                Some(("label" | "in", v)) => Term::Label(v.to_string()),
                Some(("is", v)) => Term::Label(v.to_string()),
                Some(("category", v)) => Term::Label(format!("category_{v}")),
                Some(("has", "attachment")) => Term::HasAttachment,
                // Date and size operators need a calendar; the fake ignores them rather than failing.
                Some((op, _)) if op.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => {
                    continue
                }
                _ => Term::Text(lower),
            };
            terms.push((negated, term));
        }
        Self { terms }
    }

    /// Whether a term looks at more than the labels (and so needs the message made).
    #[cfg(test)]
    pub(crate) fn needs_message(&self) -> bool {
        self.terms
            .iter()
            .any(|(_, term)| !matches!(term, Term::Label(_)))
    }

    /// Whether the label terms match these labels (the other terms are not looked at).
    pub(crate) fn matches_labels(&self, labels: Labels<'_>) -> bool {
        self.terms.iter().all(|(negated, term)| match term {
            Term::Label(label) => label_matches(labels, label) != *negated,
            _ => true,
        })
    }

    /// Whether the terms on headers and parts match; `message` makes the message, and is called
    /// only when there is such a term. With [`Query::matches_labels`]: whether the query matches.
    pub(crate) fn matches_message(
        &self,
        message: &mut dyn FnMut() -> Arc<GeneratedMessage>,
    ) -> bool {
        let mut made: Option<Arc<GeneratedMessage>> = None;
        self.terms.iter().all(|(negated, term)| match term {
            Term::Label(_) => true,
            _ => term_matches(term, made.get_or_insert_with(&mut *message)) != *negated,
        })
    }
}

fn header_contains(message: &GeneratedMessage, name: &str, needle: &str) -> bool {
    message
        .tree
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case(name) && v.to_lowercase().contains(needle))
}

fn label_matches(labels: Labels<'_>, label: &str) -> bool {
    let wanted = label.replace('-', "_");
    labels.any(|l| {
        l.eq_ignore_ascii_case(&wanted) || l.eq_ignore_ascii_case(&format!("CATEGORY_{wanted}"))
    })
}

fn term_matches(term: &Term, message: &GeneratedMessage) -> bool {
    match term {
        Term::Header(name, needle) => header_contains(message, name, needle),
        Term::Label(_) => unreachable!("labels are matched without the message"),
        Term::HasAttachment => message.tree.leaves().iter().any(|l| !l.filename.is_empty()),
        Term::Text(needle) => {
            header_contains(message, "Subject", needle)
                || header_contains(message, "From", needle)
                || message.snippet.to_lowercase().contains(needle.as_str())
        }
    }
}
