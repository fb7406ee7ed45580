//! Where Gmail is: Google's servers over HTTPS, or a local stand-in (the fake server, the demo
//! mailbox) over plain HTTP — which is allowed only on the loopback interface.
use std::net::IpAddr;

/// A validated base URL (ending in `/`) and the token endpoint that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GmailEndpoint {
    base_url: String,
    token_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("{0:?} is not a valid URL")]
    Invalid(String),
    #[error(
        "{0:?} uses plain HTTP to a host that is not this machine; only https is allowed there"
    )]
    InsecureRemote(String),
    #[error("{0:?} must use http or https")]
    Scheme(String),
}

pub const GOOGLE_BASE_URL: &str = "https://gmail.googleapis.com/";
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

impl GmailEndpoint {
    /// Google's real Gmail.
    pub fn google() -> Self {
        Self {
            base_url: GOOGLE_BASE_URL.into(),
            token_url: GOOGLE_TOKEN_URL.into(),
        }
    }

    /// A Gmail-compatible server at `base` (its token endpoint at `{base}token`).
    pub fn custom(base: &str) -> Result<Self, EndpointError> {
        let url = url::Url::parse(base).map_err(|_| EndpointError::Invalid(base.into()))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => return Err(EndpointError::InsecureRemote(base.into())),
            _ => return Err(EndpointError::Scheme(base.into())),
        }
        let mut base_url = url.to_string();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        Ok(Self {
            token_url: format!("{base_url}token"),
            base_url,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn token_url(&self) -> &str {
        &self.token_url
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain HTTP is accepted for loopback only; HTTPS anywhere.
    #[test]
    fn http_only_on_loopback() {
        assert!(
            GmailEndpoint::custom("http://127.0.0.1:8080").is_ok(),
            "IPv4 loopback"
        );
        assert!(
            GmailEndpoint::custom("http://[::1]:8080/").is_ok(),
            "IPv6 loopback"
        );
        assert!(
            GmailEndpoint::custom("http://localhost:1/").is_ok(),
            "localhost"
        );
        assert_eq!(
            GmailEndpoint::custom("http://10.0.0.5/"),
            Err(EndpointError::InsecureRemote("http://10.0.0.5/".into())),
            "private addresses are not this machine"
        );
        assert!(
            GmailEndpoint::custom("http://gmail.example.com/").is_err(),
            "remote http refused"
        );
        assert!(
            GmailEndpoint::custom("https://gmail.example.com").is_ok(),
            "https anywhere"
        );
        assert!(
            GmailEndpoint::custom("ftp://127.0.0.1/").is_err(),
            "other schemes refused"
        );
        let e = GmailEndpoint::custom("http://127.0.0.1:9/x").unwrap();
        assert_eq!(
            e.base_url(),
            "http://127.0.0.1:9/x/",
            "base ends with a slash"
        );
        assert_eq!(
            e.token_url(),
            "http://127.0.0.1:9/x/token",
            "token endpoint beside it"
        );
    }
}
