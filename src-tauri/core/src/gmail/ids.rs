//! Gmail's id alphabets, checked on every id and token a server sends before it is used: a
//! message id goes into a request path, a page token into a query string, and a server that
//! sends `../../x` or `x?format=full` must not steer the client anywhere. Such an answer is a
//! protocol error, never something to follow.
//!
//! What Gmail sends (its API reference and discovery document): message and thread ids are
//! hexadecimal strings of a 64-bit number (`"18c2f0e1a2b3c4d5"`); label ids are system words
//! (`INBOX`, `CATEGORY_SOCIAL`) or `Label_<digits>`; history ids are `uint64` (the client's
//! types already parse them as numbers); page tokens are opaque but plain (digits in practice).
//! The checks below are that, and a little more liberal where the documents say nothing.
use crate::sync::SourceError;

/// Longest message id accepted: 64 hex digits, far past Gmail's 16.
const MAX_ID: usize = 64;
/// Longest label id or page token accepted.
const MAX_TOKEN: usize = 1024;

fn refuse(what: &str, value: &str) -> SourceError {
    let shown: String = value.chars().take(80).collect();
    SourceError::Protocol(format!(
        "Gmail sent a {what} that is not one ({shown:?}); stopping rather than using it"
    ))
}

/// A message (or thread) id: hex digits only.
pub(crate) fn message_id(id: &str) -> Result<(), SourceError> {
    if (1..=MAX_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(refuse("message id", id))
    }
}

/// A label id: letters, digits, `_` and `-`.
pub(crate) fn label_id(id: &str) -> Result<(), SourceError> {
    if (1..=MAX_TOKEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        Err(refuse("label id", id))
    }
}

/// A page token: printable ASCII without spaces, `?`, `#`, `&` or `/` (it is percent-encoded
/// into the query string anyway; this only refuses what no Gmail token contains).
pub(crate) fn page_token(token: &str) -> Result<(), SourceError> {
    if (1..=MAX_TOKEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"?#&/%\\".contains(&b))
    {
        Ok(())
    } else {
        Err(refuse("page token", token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gmail's real shapes pass; anything that could move a path or a query does not.
    #[test]
    fn alphabets() {
        assert!(message_id("18c2f0e1a2b3c4d5").is_ok(), "a Gmail message id");
        for bad in [
            "../../x",
            "x?format=full",
            "a/b",
            "y#z",
            "",
            "12 34",
            "%2e%2e",
        ] {
            assert!(message_id(bad).is_err(), "{bad:?} is refused");
        }
        for good in ["INBOX", "CATEGORY_SOCIAL", "Label_123"] {
            assert!(label_id(good).is_ok(), "{good} is a label id");
        }
        assert!(label_id("a/b").is_err(), "no slash in a label id");
        assert!(page_token("09876543210987654321").is_ok(), "digits");
        assert!(page_token("AbC-_=.~").is_ok(), "url-safe base64 shapes");
        for bad in ["a#b", "a?b", "a&b=c", "../x", "a b", ""] {
            assert!(page_token(bad).is_err(), "{bad:?} is refused");
        }
    }
}
