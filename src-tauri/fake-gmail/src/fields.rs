//! `fields=` partial responses: Google's field selector (`id,threadId`, `messages(id,threadId),nextPageToken`,
//! `payload/headers`, `*`, nested parentheses) applied to a JSON answer.
//!
//! No maintained crate parses Google's selector syntax, so this is the small grammar from
//! Google's "partial response" guide: `list = selection ("," selection)*`,
//! `selection = name ("/" name)* ["(" list ")"]`.

use std::collections::BTreeMap;

use serde_json::Value;

/// Which parts of an answer to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldMask {
    /// The whole value.
    All,
    /// Only these members of an object (of each object, for an array); `*` stands for every member.
    Only(BTreeMap<String, FieldMask>),
}

impl FieldMask {
    /// Parses a selector; the error is the message of Google's 400.
    pub(crate) fn parse(text: &str) -> Result<FieldMask, String> {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut pos = 0;
        let members = parse_list(&chars, &mut pos, 0)
            .map_err(|why| format!("Invalid field selection {text}: {why}"))?;
        if pos != chars.len() {
            return Err(format!(
                "Invalid field selection {text}: unexpected '{}'",
                chars[pos]
            ));
        }
        Ok(FieldMask::Only(members))
    }

    /// Keeps the selected fields of `value`.
    pub(crate) fn apply(&self, value: Value) -> Value {
        let FieldMask::Only(members) = self else {
            return value;
        };
        match value {
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.apply(v)).collect()),
            Value::Object(object) => Value::Object(
                object
                    .into_iter()
                    .filter_map(|(key, v)| {
                        let mask = members.get(&key).or_else(|| members.get("*"))?;
                        Some((key, mask.apply(v)))
                    })
                    .collect(),
            ),
            scalar => scalar,
        }
    }

    /// [`FieldMask::apply`] on a serialised JSON answer; bytes that are not JSON pass unchanged.
    pub(crate) fn apply_to_json(&self, body: Vec<u8>) -> Vec<u8> {
        match serde_json::from_slice::<Value>(&body) {
            Ok(value) => serde_json::to_vec(&self.apply(value)).unwrap_or(body),
            Err(_) => body,
        }
    }
}

/// Google nests selectors only a few levels deep; a bound keeps hostile input from recursing far.
const MAX_DEPTH: usize = 16;

fn parse_list(
    chars: &[char],
    pos: &mut usize,
    depth: usize,
) -> Result<BTreeMap<String, FieldMask>, String> {
    if depth > MAX_DEPTH {
        return Err("nested too deep".into());
    }
    let mut members = BTreeMap::new();
    loop {
        let mut path = vec![parse_name(chars, pos)?];
        while chars.get(*pos) == Some(&'/') {
            *pos += 1;
            path.push(parse_name(chars, pos)?);
        }
        let leaf = if chars.get(*pos) == Some(&'(') {
            *pos += 1;
            let inner = parse_list(chars, pos, depth + 1)?;
            if chars.get(*pos) != Some(&')') {
                return Err("missing ')'".into());
            }
            *pos += 1;
            FieldMask::Only(inner)
        } else {
            FieldMask::All
        };
        insert(&mut members, &path, leaf);
        match chars.get(*pos) {
            Some(',') => *pos += 1,
            _ => return Ok(members),
        }
    }
}

fn parse_name(chars: &[char], pos: &mut usize) -> Result<String, String> {
    let start = *pos;
    while chars
        .get(*pos)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | '*' | '-'))
    {
        *pos += 1;
    }
    if start == *pos {
        return Err(match chars.get(*pos) {
            Some(c) => format!("expected a field name before '{c}'"),
            None => "expected a field name at the end".into(),
        });
    }
    Ok(chars[start..*pos].iter().collect())
}

/// Adds `path` (ending in `leaf`) to `members`; a field already wanted whole stays whole.
fn insert(members: &mut BTreeMap<String, FieldMask>, path: &[String], leaf: FieldMask) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let wanted = if rest.is_empty() {
        leaf
    } else {
        let mut inner = BTreeMap::new();
        insert(&mut inner, rest, leaf);
        FieldMask::Only(inner)
    };
    match members.get_mut(first) {
        None => {
            members.insert(first.clone(), wanted);
        }
        Some(slot) => match (slot, wanted) {
            (FieldMask::All, _) => {}
            (slot, FieldMask::All) => *slot = FieldMask::All,
            (FieldMask::Only(existing), FieldMask::Only(more)) => {
                for (key, mask) in more {
                    insert(existing, &[key], mask);
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn select(fields: &str, value: Value) -> Value {
        FieldMask::parse(fields)
            .expect("the selector parses")
            .apply(value)
    }

    /// The selector forms Gmail clients send keep exactly what they name.
    #[test]
    fn selects_what_clients_ask_for() {
        let message = json!({"id": "a", "threadId": "t", "labelIds": ["INBOX"], "snippet": "s", "payload": {"headers": [{"name": "From", "value": "x"}], "mimeType": "text/plain"}});
        assert_eq!(
            select("id,threadId,labelIds", message.clone()),
            json!({"id": "a", "threadId": "t", "labelIds": ["INBOX"]}),
            "a flat list keeps those members"
        );
        assert_eq!(
            select("id,payload/headers", message.clone()),
            json!({"id": "a", "payload": {"headers": [{"name": "From", "value": "x"}]}}),
            "a path keeps a nested member"
        );
        assert_eq!(
            select("payload(headers(name))", message),
            json!({"payload": {"headers": [{"name": "From"}]}}),
            "nested parentheses reach into arrays of objects"
        );
        let list = json!({"messages": [{"id": "a", "threadId": "t"}], "nextPageToken": "p", "resultSizeEstimate": 1});
        assert_eq!(
            select("messages(id),nextPageToken", list.clone()),
            json!({"messages": [{"id": "a"}], "nextPageToken": "p"}),
            "a sub-selection applies to every array item"
        );
        assert_eq!(
            select("historyId", json!({"historyId": "9", "history": []})),
            json!({"historyId": "9"}),
            "a single field"
        );
        assert_eq!(select("*", list.clone()), list, "* keeps everything");
        assert_eq!(
            select("messages,messages/id", list.clone())["messages"],
            list["messages"],
            "a member wanted whole stays whole"
        );
    }

    /// Selectors that do not parse are refused with a reason, never half-applied.
    #[test]
    fn refuses_broken_selectors() {
        for broken in ["", "a,", "a(b", "a/", "(a)", "a)b", "a(b))"] {
            assert!(
                FieldMask::parse(broken).is_err(),
                "{broken:?} is not a selector"
            );
        }
    }
}
