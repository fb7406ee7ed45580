//! PKCE (RFC 7636): the shape of verifiers and challenges, and the S256 transform.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Whether `text` is 43 to 128 characters of `[A-Za-z0-9-._~]`, the form RFC 7636 §4.1 gives a
/// `code_verifier` (and, since BASE64URL(SHA256(…)) is 43 such characters, an S256 `code_challenge`).
pub(crate) fn well_formed(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`, without padding (RFC 7636 §4.2).
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(well_formed(verifier), "the RFC's verifier is well formed");
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "S256 matches the RFC's worked example"
        );
    }

    #[test]
    fn verifier_shape() {
        assert!(!well_formed(&"a".repeat(42)), "42 characters is too short");
        assert!(
            well_formed(&"a".repeat(128)),
            "128 characters is the maximum"
        );
        assert!(!well_formed(&"a".repeat(129)), "129 characters is too long");
        let spaced = format!("{} b", "a".repeat(50));
        assert!(!well_formed(&spaced), "spaces are not allowed");
        let plus = format!("{}+/", "a".repeat(50));
        assert!(
            !well_formed(&plus),
            "standard base64 characters are not allowed"
        );
    }
}
