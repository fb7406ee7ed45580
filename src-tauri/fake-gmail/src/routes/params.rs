//! Query-string parameters and page tokens, with Google-shaped 400s for bad values.

use crate::errors::GoogleError;

/// Page tokens look like Gmail's (a long decimal string) and hide the cursor behind an offset.
const PAGE_TOKEN_OFFSET: u64 = 10_000_000_000_000_000;

#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Every parameter name given, repeats included.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// The first value of `name`.
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter (`labelIds=A&labelIds=B`).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A whole number parameter; values over `max` are clamped as Gmail does, others refused.
    pub(crate) fn count(
        &self,
        name: &str,
        default: usize,
        max: usize,
    ) -> Result<usize, GoogleError> {
        match self.one(name) {
            None => Ok(default),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(0) | Err(_) => Err(GoogleError::bad_request(format!(
                    "Invalid value at '{name}' ({text}): expected a positive integer"
                ))),
                Ok(n) => Ok((n.min(max as u64)) as usize),
            },
        }
    }

    pub(crate) fn flag(&self, name: &str) -> Result<bool, GoogleError> {
        match self.one(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") => Ok(false),
            Some("true") | Some("") => Ok(true),
            Some(other) => Err(GoogleError::bad_request(format!(
                "Invalid value at '{name}' ({other}): expected true or false"
            ))),
        }
    }
}

pub(crate) fn encode_page_token(cursor: u64) -> String {
    format!("{:020}", cursor.wrapping_add(PAGE_TOKEN_OFFSET))
}

pub(crate) fn decode_page_token(token: &str) -> Result<u64, GoogleError> {
    token
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_sub(PAGE_TOKEN_OFFSET))
        .ok_or_else(|| GoogleError::bad_request("Invalid pageToken"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_refuse_junk() {
        assert_eq!(
            decode_page_token(&encode_page_token(42)),
            Ok(42),
            "a token decodes to its cursor"
        );
        assert!(decode_page_token("abc").is_err(), "junk is refused");
        assert!(
            decode_page_token("12").is_err(),
            "numbers below the offset are refused"
        );
    }

    #[test]
    fn counts_clamp_and_refuse() {
        let params = Params::parse(Some("maxResults=900&x=0&y=abc"));
        assert_eq!(
            params.count("maxResults", 100, 500),
            Ok(500),
            "clamped to the maximum"
        );
        assert!(params.count("x", 100, 500).is_err(), "zero is refused");
        assert!(
            params.count("y", 100, 500).is_err(),
            "non-numbers are refused"
        );
        assert_eq!(params.count("z", 100, 500), Ok(100), "absent means default");
    }
}
