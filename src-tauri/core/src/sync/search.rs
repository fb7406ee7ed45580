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
    /// The same condition with no term SQLite could start its read from, so a page is read
    /// walking the date index (and the count stops early) when matches are many: the words'
    /// `IN` lists kept from driving the read. Same binds, same order.
    pub condition_by_date: String,
    pub binds: Vec<Bind>,
    /// The FTS5 expressions of the words every match must have (a group of one positive
    /// words term): when one of them matches few messages, the read starts from its matches.
    pub required_words: Vec<String>,
    /// What the reads can do faster than `condition` for the commonest searches.
    pub shape: Shape,
    /// The search's groups (ANDed) as conditions on the id [`HIT_ID`] alone, when every term
    /// is words or a label (`None` when a term reads the message's row: dates, attachments,
    /// links): the reads can then find its matches from the smallest list it names (a label's,
    /// a word's) without reading the table, and sort only those.
    pub id_groups: Option<Vec<IdGroup>>,
}

/// The id a condition of [`IdGroup::sql`] is on (`hit.id`, the alias the reads give it).
pub const HIT_ID: &str = "hit.id";

/// One group of a search (terms ORed) as a condition on [`HIT_ID`] alone: each label a key
/// probe, each words term the set of the index's matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdGroup {
    pub sql: String,
    pub binds: Vec<Bind>,
    /// The group is one term, not excluded: a list the read can start from.
    pub single: Option<Single>,
}

/// A group of one term a read can start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Single {
    Label(LabelRef),
    Words {
        /// The FTS5 expression (prefix words as prefixes).
        expression: String,
        /// Its prefix words, lower case, when they can be written as the index's whole terms
        /// (plain ASCII words, not a phrase): see [`words_term_expression`].
        words: Option<Vec<String>>,
        column: Option<&'static str>,
        text: String,
    },
}

/// The FTS5 expression of a words term with its prefix words written as the terms they begin.
pub fn words_term_expression(
    column: Option<&'static str>,
    text: &str,
    expansions: &Expansions,
) -> String {
    fts_query_with(column, text, false, Some(expansions))
}

/// Searches that need not be read through the general condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Words only (any columns, phrases, `OR`, `-`): the whole search is this one FTS5
    /// expression, so its matches are counted in the index alone, never in `messages`.
    Words(String),
    /// One label and nothing else (`label:work`, `is:unread`): the same as opening that
    /// label's view, whose count the triggers keep.
    OneLabel(LabelRef),
    Other,
}

/// A label as a search names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelRef {
    /// As typed after `label:` (a name in any case, `-` for `/` and spaces, or an id).
    Named(String),
    Id(&'static str),
}

/// Finds the id of a label named as `label:` takes it: bind the name, lower-cased, three times.
pub const LABEL_ID_BY_NAME: &str = "SELECT l.id FROM labels l WHERE lower(l.name) = ? \
     OR lower(replace(replace(l.name, '/', '-'), ' ', '-')) = ? OR lower(l.id) = ?";

/// The condition of a [`Shape::Words`] search. `by_date`: read the messages in date order and
/// keep those in the index's matches (quick when they are many: a page fills at once), rather
/// than fetching every match by id and sorting them (quick when they are few).
pub fn words_condition(by_date: bool) -> &'static str {
    if by_date {
        // `+` keeps SQLite from driving the read by the id list.
        "+messages.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"
    } else {
        "messages.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"
    }
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

/// Each word a search matches as a prefix, with the index's terms that begin with it (from
/// `messages_fts_vocab`, migration 0009): lower-case ASCII words only, whose terms the
/// tokenizer writes the same way.
pub type Expansions = std::collections::HashMap<String, Vec<String>>;

/// What a read looked up before writing a search's id groups (see [`resolved_id_groups`]):
/// each `label:` name (lower case) with the ids of the labels it names, and each prefix word
/// with the index's terms it begins ([`Expansions`]; a word missing there stays a prefix).
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    pub label_ids: std::collections::HashMap<String, Vec<String>>,
    pub expansions: Expansions,
}

/// An FTS5 query for `text`: each word quoted (so nothing in it is FTS syntax) and matched as
/// a prefix; a phrase quoted whole; restricted to `column` when given.
fn fts_query(column: Option<&str>, text: &str, phrase: bool) -> String {
    fts_query_with(column, text, phrase, None)
}

/// [`fts_query`], a word found in `expansions` written as its terms ORed (`"meeting"*` as
/// `("meeting" OR "meetings")`): the same matches, but an FTS5 lookup of a few whole terms can
/// check one message by id at once, where a prefix merges every matching term's list first.
fn fts_query_with(
    column: Option<&str>,
    text: &str,
    phrase: bool,
    expansions: Option<&Expansions>,
) -> String {
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let body = if phrase {
        quote(text)
    } else {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let terms = w
                    .is_ascii()
                    .then(|| expansions?.get(&w.to_ascii_lowercase()))
                    .flatten();
                match terms.map(Vec::as_slice) {
                    // No term begins with it: the word itself, which matches nothing too.
                    Some([]) => quote(w),
                    Some(terms) => format!(
                        "({})",
                        terms
                            .iter()
                            .map(|t| quote(t))
                            .collect::<Vec<_>>()
                            .join(" OR ")
                    ),
                    None => format!("{}*", quote(w)),
                }
            })
            .collect::<Vec<_>>()
            // FTS5 ANDs phrases side by side, not parenthesized groups: those need its AND.
            .join(if expansions.is_some() { " AND " } else { " " })
    };
    match column {
        Some(col) => format!("{col} : ({body})"),
        None => body,
    }
}

/// For a words-only search of one group of terms ORed (`meeting`, `coffee OR lunch`,
/// `to:demo`): each term's prefix words (lower case), or `None` when the search is not of that
/// form or has a word that is not plain ASCII. A phrase gives an empty list.
pub fn expandable_words(query: &str, now_ms: i64) -> Option<Vec<Vec<String>>> {
    let groups = groups(query, now_ms);
    let [group] = groups.as_slice() else {
        return None;
    };
    let mut out = Vec::new();
    for term in group {
        let Term {
            negated: false,
            atom: Atom::Text { text, phrase, .. },
        } = term
        else {
            return None;
        };
        if *phrase {
            out.push(Vec::new());
            continue;
        }
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        if words.is_empty() || words.iter().any(|w| !w.is_ascii()) {
            return None;
        }
        out.push(words);
    }
    Some(out)
}

/// The FTS5 expression of a words-only search with its prefix words expanded (see
/// [`fts_query_with`]); `None` when the search is not words only.
pub fn expanded_expression(query: &str, now_ms: i64, expansions: &Expansions) -> Option<String> {
    words_expression_with(&groups(query, now_ms), Some(expansions))
}

/// `by_date`: the form with no term SQLite could start its read from (see
/// [`SearchSql::condition_by_date`]).
fn atom_sql(atom: &Atom, binds: &mut Vec<Bind>, by_date: bool) -> String {
    atom_sql_on(atom, binds, by_date, "messages.id", None)
}

/// [`atom_sql`] with the message's id as `id` (`messages.id`, or [`HIT_ID`]), and with what
/// `lookups` holds written in: a label name as its ids, a prefix word as its whole terms.
fn atom_sql_on(
    atom: &Atom,
    binds: &mut Vec<Bind>,
    by_date: bool,
    id: &str,
    lookups: Option<&Lookups>,
) -> String {
    match atom {
        Atom::Text {
            column,
            text,
            phrase,
        } => {
            let query = fts_query_with(*column, text, *phrase, lookups.map(|l| &l.expansions));
            if query.trim().is_empty() || query.ends_with(": ()") {
                // Nothing searchable (only punctuation): matches everything, as no word would.
                return "1".into();
            }
            binds.push(Bind::Text(query));
            // `+` (in the by-date form) keeps SQLite from driving the read by the id list.
            format!(
                "{}{id} IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)",
                if by_date { "+" } else { "" }
            )
        }
        Atom::Label(name) => {
            // Gmail's label: takes the name as shown, any case, with `-` for `/` and spaces
            // (label:work-clients is "Work/Clients"); system labels by their names (label:inbox).
            let name = name.to_lowercase();
            if let Some(ids) = lookups.and_then(|l| l.label_ids.get(&name)) {
                // The ids looked up once: a probe of the label index per message checked. The
                // name's lookup inside the probe is run again for each message (`is:starred
                // label:work` at 250,000: 35-47 ms for its 9,056 starred, 8-12 ms by id).
                if ids.is_empty() {
                    // No label has that name: nothing carries it, as the lookup would find.
                    return "0".into();
                }
                binds.extend(ids.iter().cloned().map(Bind::Text));
                let list = vec!["?"; ids.len()].join(", ");
                return if by_date {
                    format!(
                        "EXISTS (SELECT 1 FROM message_labels ml WHERE ml.message_id = {id} \
                         AND ml.label_id IN ({list}))"
                    )
                } else {
                    format!(
                        "{id} IN (SELECT ml.message_id FROM message_labels ml \
                         WHERE ml.label_id IN ({list}))"
                    )
                };
            }
            binds.extend([
                Bind::Text(name.clone()),
                Bind::Text(name.clone()),
                Bind::Text(name),
            ]);
            // Through the label index the triggers keep (migration 0006), not the JSON list of
            // each row; a key probe per row read, never the label's whole list built first
            // (102,000 ids for is:unread at 250,000 messages) nor the read started from it
            // (each of those rows then read from the table: 0.4-0.9 s for `is:unread invoice`).
            // (Without words, the label's list may drive the read, as a label's list is small
            // next to the table more often than not.)
            if by_date {
                format!(
                    "EXISTS (SELECT 1 FROM message_labels ml WHERE ml.message_id = {id} \
                     AND ml.label_id IN ({LABEL_ID_BY_NAME}))"
                )
            } else {
                format!(
                    "{id} IN (SELECT ml.message_id FROM message_labels ml \
                     WHERE ml.label_id IN ({LABEL_ID_BY_NAME}))"
                )
            }
        }
        Atom::HasLabel(label) => {
            binds.push(Bind::Text((*label).to_string()));
            if by_date {
                format!(
                    "EXISTS (SELECT 1 FROM message_labels WHERE label_id = ? AND message_id = {id})"
                )
            } else {
                format!("{id} IN (SELECT message_id FROM message_labels WHERE label_id = ?)")
            }
        }
        // The WHERE of the partial index `messages_with_attachments` (migration 0007), term for
        // term, so the planner reads that index: change both together.
        Atom::HasAttachment => {
            "(messages.attachments IS NOT NULL AND messages.attachments <> '[]')".into()
        }
        // The flag the sync sets with a message's links, and the WHERE of the partial index
        // `messages_with_links` (migration 0009): change both together.
        Atom::HasLink => "messages.has_link = 1".into(),
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
    let groups = groups(query, now_ms);
    if groups.is_empty() {
        return None;
    }
    compile_groups(groups)
}

/// Groups of terms joined by OR; the groups are ANDed.
fn groups(query: &str, now_ms: i64) -> Vec<Vec<Term>> {
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
    groups
}

fn compile_groups(groups: Vec<Vec<Term>>) -> Option<SearchSql> {
    let shape = shape(&groups);
    if let Shape::Words(expression) = &shape {
        return Some(SearchSql {
            condition: words_condition(false).into(),
            condition_by_date: words_condition(true).into(),
            binds: vec![Bind::Text(expression.clone())],
            required_words: vec![expression.clone()],
            shape,
            id_groups: None,
        });
    }
    let id_groups = id_groups(&groups);
    let mut binds = Vec::new();
    let mut anded = Vec::new();
    let mut required_words = Vec::new();
    for group in &groups {
        if let [Term {
            negated: false,
            atom:
                Atom::Text {
                    column,
                    text,
                    phrase,
                },
        }] = group.as_slice()
        {
            let query = fts_query(*column, text, *phrase);
            if !query.trim().is_empty() && !query.ends_with(": ()") {
                required_words.push(query);
            }
        }
        let mut ored = Vec::new();
        for term in group {
            let sql = atom_sql(&term.atom, &mut binds, false);
            let sql_by_date = atom_sql(&term.atom, &mut Vec::new(), true);
            ored.push(if term.negated {
                (format!("NOT ({sql})"), format!("NOT ({sql_by_date})"))
            } else {
                (format!("({sql})"), format!("({sql_by_date})"))
            });
        }
        anded.push((
            format!(
                "({})",
                ored.iter()
                    .map(|(a, _)| a.as_str())
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            format!(
                "({})",
                ored.iter()
                    .map(|(_, b)| b.as_str())
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
        ));
    }
    Some(SearchSql {
        condition: anded
            .iter()
            .map(|(a, _)| a.as_str())
            .collect::<Vec<_>>()
            .join(" AND "),
        condition_by_date: anded
            .iter()
            .map(|(_, b)| b.as_str())
            .collect::<Vec<_>>()
            .join(" AND "),
        binds,
        required_words,
        shape,
        id_groups,
    })
}

/// The labels `query` names by `label:` (lower case), for [`Lookups::label_ids`].
pub fn label_names(query: &str, now_ms: i64) -> Vec<String> {
    let mut names: Vec<String> = groups(query, now_ms)
        .iter()
        .flatten()
        .filter_map(|term| match &term.atom {
            Atom::Label(name) => Some(name.to_lowercase()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Every word `query` matches as a prefix (words terms, not phrases), lower case, when plain
/// ASCII (whose terms the tokenizer writes the same way): for [`Lookups::expansions`].
pub fn prefix_words(query: &str, now_ms: i64) -> Vec<String> {
    let mut words: Vec<String> = groups(query, now_ms)
        .iter()
        .flatten()
        .filter_map(|term| match &term.atom {
            Atom::Text {
                text,
                phrase: false,
                ..
            } => Some(text),
            _ => None,
        })
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && w.is_ascii())
        .map(str::to_ascii_lowercase)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// [`SearchSql::id_groups`] with `lookups` written in: each label name as the ids it names,
/// each prefix word as its whole terms (same matches; see [`Lookups`]).
pub fn resolved_id_groups(query: &str, now_ms: i64, lookups: &Lookups) -> Option<Vec<IdGroup>> {
    id_groups_with(&groups(query, now_ms), Some(lookups))
}

/// The groups as conditions on [`HIT_ID`] (see [`SearchSql::id_groups`]).
fn id_groups(groups: &[Vec<Term>]) -> Option<Vec<IdGroup>> {
    id_groups_with(groups, None)
}

fn id_groups_with(groups: &[Vec<Term>], lookups: Option<&Lookups>) -> Option<Vec<IdGroup>> {
    let mut out = Vec::new();
    for group in groups {
        let mut binds = Vec::new();
        let mut ored = Vec::new();
        for term in group {
            match &term.atom {
                Atom::Text { .. } | Atom::Label(_) | Atom::HasLabel(_) => {}
                _ => return None,
            }
            let sql = atom_sql_on(&term.atom, &mut binds, true, HIT_ID, lookups);
            ored.push(if term.negated {
                format!("NOT ({sql})")
            } else {
                format!("({sql})")
            });
        }
        let single = match group.as_slice() {
            [Term {
                negated: false,
                atom,
            }] => match atom {
                Atom::Label(name) => Some(Single::Label(LabelRef::Named(name.to_lowercase()))),
                Atom::HasLabel(id) => Some(Single::Label(LabelRef::Id(id))),
                Atom::Text {
                    column,
                    text,
                    phrase,
                } => {
                    let expression = fts_query(*column, text, *phrase);
                    let words: Vec<String> = text
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(str::to_ascii_lowercase)
                        .collect();
                    (!expression.trim().is_empty() && !expression.ends_with(": ()")).then(|| {
                        Single::Words {
                            expression,
                            words: (!*phrase
                                && !words.is_empty()
                                && words.iter().all(|w| w.is_ascii()))
                            .then_some(words),
                            column: *column,
                            text: text.clone(),
                        }
                    })
                }
                _ => None,
            },
            _ => None,
        };
        out.push(IdGroup {
            sql: format!("({})", ored.join(" OR ")),
            binds,
            single,
        });
    }
    Some(out)
}

/// Which [`Shape`] the search has: words only, one label only, or anything else.
fn shape(groups: &[Vec<Term>]) -> Shape {
    if let [group] = groups {
        if let [Term {
            negated: false,
            atom,
        }] = group.as_slice()
        {
            match atom {
                Atom::Label(name) => return Shape::OneLabel(LabelRef::Named(name.to_lowercase())),
                Atom::HasLabel(id) => return Shape::OneLabel(LabelRef::Id(id)),
                _ => {}
            }
        }
    }
    words_expression(groups).map_or(Shape::Other, Shape::Words)
}

/// The whole search as one FTS5 expression, when it is words only: the groups of positive
/// words ANDed (each group's words ORed), then each excluded word taken away with FTS5's NOT.
/// `None` when a term is not words, when an excluded word is ORed with another term (FTS5 has
/// no "a OR NOT b"), or when nothing is left to take away from.
fn words_expression(groups: &[Vec<Term>]) -> Option<String> {
    words_expression_with(groups, None)
}

fn words_expression_with(groups: &[Vec<Term>], expansions: Option<&Expansions>) -> Option<String> {
    let mut kept = Vec::new();
    let mut excluded = Vec::new();
    for group in groups {
        let mut ored = Vec::new();
        for term in group {
            let Atom::Text {
                column,
                text,
                phrase,
            } = &term.atom
            else {
                return None;
            };
            let query = fts_query_with(*column, text, *phrase, expansions);
            if query.trim().is_empty() || query.ends_with(": ()") {
                return None;
            }
            ored.push((term.negated, query));
        }
        match ored.as_slice() {
            [(true, query)] => excluded.push(format!("({query})")),
            _ if ored.iter().any(|(negated, _)| *negated) => return None,
            _ => kept.push(format!(
                "({})",
                ored.iter()
                    .map(|(_, q)| format!("({q})"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            )),
        }
    }
    if kept.is_empty() {
        return None;
    }
    let mut expression = format!("({})", kept.join(" AND "));
    for query in excluded {
        expression = format!("({expression} NOT {query})");
    }
    Some(expression)
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
        // Words only: one FTS5 expression.
        let sql = compile("alpha OR beta gamma", 0).expect("three terms");
        let Shape::Words(expression) = &sql.shape else {
            panic!("words only: {sql:?}");
        };
        assert_eq!(
            expression,
            r#"((("alpha"*) OR ("beta"*)) AND (("gamma"*)))"#
        );
        // With a label among them: the general condition, grouped the same way.
        let sql = compile("alpha OR beta label:gamma", 0).expect("three terms");
        assert_eq!(sql.shape, Shape::Other);
        assert_eq!(
            sql.condition.matches(") AND (").count(),
            1,
            "{}",
            sql.condition
        );
        assert_eq!(
            sql.condition.matches(") OR (").count(),
            1,
            "{}",
            sql.condition
        );
        assert_eq!(compile("  OR - ", 0), None, "nothing to ask");
    }

    /// The searches that have a quicker read: words only (excluded words taken away with
    /// FTS5's NOT), one label alone; everything else reads through the general condition.
    #[test]
    fn shapes_are_found() {
        let shape = |q: &str| compile(q, 0).expect("a search").shape;
        assert_eq!(
            shape("invoice -paid from:anna"),
            Shape::Words(
                r#"(((("invoice"*)) AND ((from_addr : ("anna"*)))) NOT ("paid"*))"#.into()
            )
        );
        assert_eq!(
            shape("\"weekly report\""),
            Shape::Words(r#"((("weekly report")))"#.into())
        );
        // Nothing to take an excluded word away from, or an excluded word in an OR.
        assert_eq!(shape("-paid"), Shape::Other);
        assert_eq!(shape("invoice OR -paid"), Shape::Other);
        assert_eq!(
            shape("label:Work-Clients"),
            Shape::OneLabel(LabelRef::Named("work-clients".into()))
        );
        assert_eq!(shape("is:unread"), Shape::OneLabel(LabelRef::Id("UNREAD")));
        assert_eq!(shape("is:read"), Shape::Other);
        assert_eq!(shape("is:unread label:work"), Shape::Other);
        assert_eq!(shape("has:attachment"), Shape::Other);
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
