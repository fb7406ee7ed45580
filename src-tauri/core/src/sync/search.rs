//! Gmail's search words over the stored mail: a query as people type it in Gmail
//! (`from:anna invoice -paid`, `label:work is:unread`, `"exact phrase"`, `a OR b`,
//! `has:attachment`, `before:2026/01/31`, `newer_than:7d`) compiled to one SQL condition on
//! `messages`, with the words looked up in the FTS5 index `messages_fts` (subject, from, to,
//! snippet and body text; kept by triggers in the same transaction as the messages, see
//! migration 0005).
//!
//! Terms are ANDed; `OR` (upper case, as in Gmail) joins the terms beside it; `-` before a term
//! excludes it. Words match whole words and words they begin (`invo` finds "invoice"), case and
//! accents ignored. An operator Gmail has and this does not (`in:`, `category:`, `size:`, …)
//! is searched as words, as Gmail does with words it does not know.

/// A value bound to a `?` of the compiled condition, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    Text(String),
    Int(i64),
}

/// A compiled search: `condition` (SQL over `messages`, with `?` placeholders) and its binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSql {
    pub condition: String,
    pub binds: Vec<Bind>,
}

/// One thing a term asks of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    /// Words or a phrase, in every indexed column or in one.
    Text {
        column: Option<&'static str>,
        text: String,
        phrase: bool,
    },
    Label(String),
    HasLabel(&'static str),
    HasAttachment,
    HasLink,
    Before(String),
    After(String),
    OlderThanMs(i64),
    NewerThanMs(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    negated: bool,
    atom: Atom,
}

/// Splits a query into raw tokens, keeping `"…"` phrases (and `op:"…"`) whole.
fn tokens(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            // Gmail's grouping; terms inside are still ANDed, which is what most groups mean.
            '(' | ')' | '{' | '}' if !quoted => {
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

fn unquote(text: &str) -> (String, bool) {
    let phrase = text.starts_with('"');
    (text.trim_matches('"').to_string(), phrase)
}

/// `7d`, `2m`, `1y` as milliseconds (a month is 30 days, a year 365, as Gmail counts them).
fn age_ms(text: &str) -> Option<i64> {
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = number.parse().ok()?;
    let days = match unit.to_ascii_lowercase().as_str() {
        "d" => n,
        "m" => n * 30,
        "y" => n * 365,
        _ => return None,
    };
    Some(days * 86_400_000)
}

/// Epoch seconds (Gmail takes them in `before:` / `after:`), as milliseconds.
fn epoch_ms(text: &str) -> Option<i64> {
    (text.len() > 8 && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| text.parse::<i64>().ok())
        .flatten()
        .map(|secs| secs.saturating_mul(1000))
}

/// `2026/01/31` or `2026-1-31` as the day SQLite's `strftime` reads (UTC midnight).
fn date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(['/', '-']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1970..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn text_atom(column: Option<&'static str>, raw: &str) -> Option<Atom> {
    let (text, phrase) = unquote(raw);
    // Only punctuation searches nothing (the index keeps letters and digits alone).
    text.chars()
        .any(char::is_alphanumeric)
        .then_some(Atom::Text {
            column,
            text,
            phrase,
        })
}

fn atom(token: &str, now_ms: i64) -> Option<Atom> {
    let Some((op, value)) = token.split_once(':') else {
        return text_atom(None, token);
    };
    let op_lower = op.to_ascii_lowercase();
    let parsed = match op_lower.as_str() {
        "from" => text_atom(Some("from_addr"), value),
        "to" => text_atom(Some("to_addr"), value),
        "subject" => text_atom(Some("subject"), value),
        "label" if !value.is_empty() => Some(Atom::Label(unquote(value).0)),
        "is" => match value.to_ascii_lowercase().as_str() {
            "unread" => Some(Atom::HasLabel("UNREAD")),
            "starred" => Some(Atom::HasLabel("STARRED")),
            "important" => Some(Atom::HasLabel("IMPORTANT")),
            // Read is "not unread": handled by the caller's negation.
            "read" => None,
            _ => None,
        },
        "has" => match value.to_ascii_lowercase().as_str() {
            "attachment" => Some(Atom::HasAttachment),
            "link" => Some(Atom::HasLink),
            _ => None,
        },
        "before" => epoch_ms(value)
            .map(Atom::OlderThanMs)
            .or_else(|| date(value).map(Atom::Before)),
        "after" => epoch_ms(value)
            .map(Atom::NewerThanMs)
            .or_else(|| date(value).map(Atom::After)),
        "older_than" => age_ms(value).map(|ms| Atom::OlderThanMs(now_ms - ms)),
        "newer_than" => age_ms(value).map(|ms| Atom::NewerThanMs(now_ms - ms)),
        _ => None,
    };
    // An operator this does not know, or a value it cannot read, is searched as words.
    parsed.or_else(|| text_atom(None, &format!("{op} {value}")))
}

fn term(token: &str, now_ms: i64) -> Option<Term> {
    let (negated, body) = match token.strip_prefix('-') {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, token),
    };
    if body.eq_ignore_ascii_case("is:read") {
        return Some(Term {
            negated: !negated,
            atom: Atom::HasLabel("UNREAD"),
        });
    }
    atom(body, now_ms).map(|atom| Term { negated, atom })
}

/// An FTS5 query for `text`: each word quoted (so nothing in it is FTS syntax) and matched as
/// a prefix; a phrase quoted whole; restricted to `column` when given.
fn fts_query(column: Option<&str>, text: &str, phrase: bool) -> String {
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let body = if phrase {
        quote(text)
    } else {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("{}*", quote(w)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match column {
        Some(col) => format!("{col} : ({body})"),
        None => body,
    }
}

fn atom_sql(atom: &Atom, binds: &mut Vec<Bind>) -> String {
    match atom {
        Atom::Text {
            column,
            text,
            phrase,
        } => {
            let query = fts_query(*column, text, *phrase);
            if query.trim().is_empty() || query.ends_with(": ()") {
                // Nothing searchable (only punctuation): matches everything, as no word would.
                return "1".into();
            }
            binds.push(Bind::Text(query));
            "messages.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)".into()
        }
        Atom::Label(name) => {
            // Gmail's label: takes the name as shown, any case, with `-` for `/` and spaces
            // (label:work-clients is "Work/Clients"); system labels by their names (label:inbox).
            let name = name.to_lowercase();
            binds.extend([
                Bind::Text(name.clone()),
                Bind::Text(name.clone()),
                Bind::Text(name),
            ]);
            // Through the label index the triggers keep (migration 0006), not the JSON list of
            // each row: 20 ms instead of 45 for `label:inbox` at 25,000 messages.
            "messages.id IN (SELECT ml.message_id FROM message_labels ml WHERE ml.label_id IN \
             (SELECT l.id FROM labels l WHERE lower(l.name) = ? \
              OR lower(replace(replace(l.name, '/', '-'), ' ', '-')) = ? OR lower(l.id) = ?))"
                .into()
        }
        Atom::HasLabel(id) => {
            binds.push(Bind::Text((*id).to_string()));
            "messages.id IN (SELECT message_id FROM message_labels WHERE label_id = ?)".into()
        }
        Atom::HasAttachment => {
            "(messages.attachments IS NOT NULL AND messages.attachments <> '[]')".into()
        }
        Atom::HasLink => "EXISTS (SELECT 1 FROM links WHERE links.message_id = messages.id)".into(),
        Atom::Before(day) => {
            binds.push(Bind::Text(day.clone()));
            "messages.internal_date_ms < CAST(strftime('%s', ?) AS INTEGER) * 1000".into()
        }
        Atom::After(day) => {
            binds.push(Bind::Text(day.clone()));
            "messages.internal_date_ms >= CAST(strftime('%s', ?) AS INTEGER) * 1000".into()
        }
        Atom::OlderThanMs(ms) => {
            binds.push(Bind::Int(*ms));
            "messages.internal_date_ms < ?".into()
        }
        Atom::NewerThanMs(ms) => {
            binds.push(Bind::Int(*ms));
            "messages.internal_date_ms >= ?".into()
        }
    }
}

/// Compiles `query` (at `now_ms`, for `older_than:` / `newer_than:`) to a condition on
/// `messages`; `None` when it asks nothing (empty, or only `OR`s and dashes).
pub fn compile(query: &str, now_ms: i64) -> Option<SearchSql> {
    // Groups of terms joined by OR; the groups are ANDed.
    let mut groups: Vec<Vec<Term>> = Vec::new();
    let mut join_next = false;
    for token in tokens(query) {
        if token == "OR" || token == "|" {
            join_next = !groups.is_empty();
            continue;
        }
        let Some(term) = term(&token, now_ms) else {
            continue;
        };
        match groups.last_mut() {
            Some(group) if join_next => group.push(term),
            _ => groups.push(vec![term]),
        }
        join_next = false;
    }
    if groups.is_empty() {
        return None;
    }
    let mut binds = Vec::new();
    let mut anded = Vec::new();
    for group in &groups {
        let mut ored = Vec::new();
        for term in group {
            let sql = atom_sql(&term.atom, &mut binds);
            ored.push(if term.negated {
                format!("NOT ({sql})")
            } else {
                format!("({sql})")
            });
        }
        anded.push(format!("({})", ored.join(" OR ")));
    }
    Some(SearchSql {
        condition: anded.join(" AND "),
        binds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(column: Option<&'static str>, text: &str, phrase: bool) -> Atom {
        Atom::Text {
            column,
            text: text.into(),
            phrase,
        }
    }

    /// Operators, phrases, negation and OR are read as Gmail reads them.
    #[test]
    fn terms_are_read_as_gmail_reads_them() {
        let t = |s: &str| term(s, 1_000_000_000_000).map(|t| (t.negated, t.atom));
        assert_eq!(
            t("from:anna"),
            Some((false, text(Some("from_addr"), "anna", false)))
        );
        assert_eq!(
            t("-subject:\"weekly report\""),
            Some((true, text(Some("subject"), "weekly report", true)))
        );
        assert_eq!(t("is:read"), Some((true, Atom::HasLabel("UNREAD"))));
        assert_eq!(
            t("label:Work/Clients"),
            Some((false, Atom::Label("Work/Clients".into())))
        );
        assert_eq!(
            t("before:2026/1/31"),
            Some((false, Atom::Before("2026-01-31".into())))
        );
        assert_eq!(
            t("newer_than:2d"),
            Some((false, Atom::NewerThanMs(1_000_000_000_000 - 2 * 86_400_000)))
        );
        assert_eq!(
            t("size:10M"),
            Some((false, text(None, "size 10M", false))),
            "unknown operators are words"
        );
        assert_eq!(
            t("before:someday"),
            Some((false, text(None, "before someday", false)))
        );
    }

    /// `a OR b c` is `(a OR b) AND c`; a leading or dangling OR is ignored; nothing is `None`.
    #[test]
    fn or_joins_its_neighbours_only() {
        let sql = compile("alpha OR beta gamma", 0).expect("three terms");
        assert_eq!(
            sql.condition.matches(" AND ").count(),
            1,
            "{}",
            sql.condition
        );
        assert_eq!(
            sql.condition.matches(" OR ").count(),
            1,
            "{}",
            sql.condition
        );
        assert_eq!(compile("  OR - ", 0), None, "nothing to ask");
    }

    /// Words are quoted for FTS5, so its syntax in a query is searched, not obeyed.
    #[test]
    fn fts_syntax_in_words_is_quoted() {
        assert_eq!(
            fts_query(None, "NEAR(a b)", false),
            "\"NEAR\"* \"a\"* \"b\"*"
        );
        assert_eq!(
            fts_query(Some("subject"), "say \"hi\"", true),
            "subject : (\"say \"\"hi\"\"\")"
        );
    }
}
