//! Address headers in display form: `Ann Lee <ann@example.com>`, several joined with `", "`.

use mail_parser::{Addr, Address};

use super::text::clean_header;

/// Every mailbox of the given address headers in display form, joined with `", "`; `None` when
/// there is none. Group names are dropped: the reader wants the people, not the list label.
pub(super) fn display_all<'a, 'x: 'a>(
    headers: impl IntoIterator<Item = &'a Address<'x>>,
) -> Option<String> {
    let mut out = String::new();
    for header in headers {
        for addr in mailboxes(header) {
            if let Some(one) = display(addr) {
                if !out.is_empty() {
                    out.push_str(", ");
                }
                out.push_str(&one);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The first mailbox of an address header in display form.
pub(super) fn display_first(header: &Address<'_>) -> Option<String> {
    mailboxes(header).find_map(display)
}

fn mailboxes<'a, 'x>(header: &'a Address<'x>) -> Box<dyn Iterator<Item = &'a Addr<'x>> + 'a> {
    match header {
        Address::List(list) => Box::new(list.iter()),
        Address::Group(groups) => Box::new(groups.iter().flat_map(|g| g.addresses.iter())),
    }
}

fn display(addr: &Addr<'_>) -> Option<String> {
    let name = addr
        .name
        .as_deref()
        .map(clean_header)
        .filter(|n| !n.is_empty());
    let email = addr
        .address
        .as_deref()
        .map(clean_header)
        .filter(|a| !a.is_empty());
    match (name, email) {
        (Some(name), Some(email)) if name == email => Some(email),
        (Some(name), Some(email)) => Some(format!("{} <{email}>", quote_if_needed(&name))),
        (None, Some(email)) => Some(email),
        (Some(name), None) => Some(name),
        (None, None) => None,
    }
}

/// Quotes a display name that would otherwise be misread when several are joined with commas
/// (`"Lee, Ann" <ann@example.com>`).
fn quote_if_needed(name: &str) -> String {
    if name.contains([',', ';', '<', '>', '"', '@', ':']) {
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        name.to_owned()
    }
}

/// The bare address of a display-form mailbox (`Ann Lee <Ann@Example.com>` → `ann@example.com`),
/// lowercased, for remembering choices per sender; None when there is no `@` in it.
pub fn sender_address(display: &str) -> Option<String> {
    let inner = match (display.rfind('<'), display.rfind('>')) {
        (Some(open), Some(close)) if open < close => &display[open + 1..close],
        _ => display,
    };
    let address = inner.trim().to_lowercase();
    (address.contains('@') && !address.contains(char::is_whitespace)).then_some(address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn to_of(raw: &str) -> Option<String> {
        let message = MessageParser::new().parse(raw.as_bytes())?;
        display_all(message.all_to())
    }

    /// Names with commas are quoted so the joined list still reads as separate people.
    #[test]
    fn joins_and_quotes() {
        let to = to_of("To: \"Lee, Ann\" <ann@example.com>, bob@example.com\r\n\r\nhi");
        assert_eq!(
            to.as_deref(),
            Some("\"Lee, Ann\" <ann@example.com>, bob@example.com"),
            "a comma in a name must be quoted, a bare address kept bare"
        );
    }

    /// Group syntax yields its members.
    #[test]
    fn groups_are_flattened() {
        let to = to_of("To: Team: a@example.com, B <b@example.com>;\r\n\r\nhi");
        assert_eq!(
            to.as_deref(),
            Some("a@example.com, B <b@example.com>"),
            "group members must be listed without the group label"
        );
    }
}
