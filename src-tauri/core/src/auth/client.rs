//! The user's own OAuth client: the `client_secret*.json` Google Cloud console downloads for
//! an OAuth client of type "Desktop app".
use std::path::Path;

use serde::Deserialize;
use url::Url;

use super::AuthError;
use crate::gmail::Secret;

/// A Desktop-app OAuth client: who we are to Google and where its endpoints are.
#[derive(Debug, Clone)]
pub struct OAuthClientConfig {
    pub client_id: String,
    pub client_secret: Secret,
    pub auth_uri: Url,
    pub token_uri: Url,
}

#[derive(Deserialize)]
struct File {
    installed: Option<Installed>,
    web: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Installed {
    client_id: Option<String>,
    client_secret: Option<String>,
    auth_uri: Option<String>,
    token_uri: Option<String>,
}

/// Larger than any client secret file by far; a bigger file is not one.
const MAX_FILE: u64 = 64 * 1024;

const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/auth";
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

impl OAuthClientConfig {
    /// Reads and checks a client secret file.
    pub fn from_file(path: &Path) -> Result<Self, AuthError> {
        let shown = path.display();
        let meta = std::fs::metadata(path)
            .map_err(|e| AuthError::ClientSecret(format!("cannot read {shown}: {e}")))?;
        if !meta.is_file() || meta.len() > MAX_FILE {
            return Err(AuthError::ClientSecret(format!(
                "{shown} is not a client secret file (expected a small JSON file from Google Cloud console)"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| AuthError::ClientSecret(format!("cannot read {shown}: {e}")))?;
        Self::from_json(&text).map_err(|e| AuthError::ClientSecret(format!("{shown}: {}", e)))
    }

    /// Parses a client secret file's text.
    pub fn from_json(text: &str) -> Result<Self, AuthError> {
        let bad = |m: &str| AuthError::ClientSecret(m.to_owned());
        let file: File = serde_json::from_str(text).map_err(|_| {
            bad("not a client secret file: it is not the JSON Google Cloud console downloads")
        })?;
        let installed = match (file.installed, file.web) {
            (Some(i), _) => i,
            (None, Some(_)) => {
                return Err(bad(
                    "this client is of type \"Web application\"; create an OAuth client of type \"Desktop app\" and download its JSON",
                ))
            }
            (None, None) => {
                return Err(bad(
                    "not a Desktop-app client secret file: it has no \"installed\" section",
                ))
            }
        };
        let client_id = installed
            .client_id
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| bad("the client secret file has no client_id"))?;
        let client_secret = installed
            .client_secret
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| bad("the client secret file has no client_secret"))?;
        let auth_uri = endpoint(installed.auth_uri.as_deref(), GOOGLE_AUTH_URI, "auth_uri")?;
        let token_uri = endpoint(
            installed.token_uri.as_deref(),
            GOOGLE_TOKEN_URI,
            "token_uri",
        )?;
        Ok(Self {
            client_id,
            client_secret: Secret::new(client_secret),
            auth_uri,
            token_uri,
        })
    }

    /// Google's revocation endpoint sits beside its token endpoint
    /// (`https://oauth2.googleapis.com/revoke`).
    pub fn revoke_uri(&self) -> Url {
        revoke_uri_for(&self.token_uri)
    }
}

pub(crate) fn revoke_uri_for(token_uri: &Url) -> Url {
    let mut url = token_uri.clone();
    url.set_path("/revoke");
    url.set_query(None);
    url
}

/// An endpoint: https, or plain http only on this machine (a test server).
pub(crate) fn endpoint(given: Option<&str>, default: &str, name: &str) -> Result<Url, AuthError> {
    let text = given.filter(|s| !s.trim().is_empty()).unwrap_or(default);
    let url = Url::parse(text)
        .map_err(|_| AuthError::ClientSecret(format!("{name} {text:?} is not a valid address")))?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(AuthError::ClientSecret(format!(
            "{name} {text:?} must use https (plain http only on this machine)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOGLE: &str = r#"{"installed":{"client_id":"123-abc.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs","client_secret":"GOCSPX-secret","redirect_uris":["http://localhost"]}}"#;

    #[test]
    fn reads_google_desktop_client() {
        let c = OAuthClientConfig::from_json(GOOGLE).unwrap();
        assert_eq!(c.client_id, "123-abc.apps.googleusercontent.com");
        assert_eq!(c.client_secret.expose(), "GOCSPX-secret");
        assert_eq!(
            c.revoke_uri().as_str(),
            "https://oauth2.googleapis.com/revoke"
        );
        assert!(
            !format!("{c:?}").contains("GOCSPX"),
            "the secret never prints"
        );
    }

    #[test]
    fn refuses_other_files_with_a_reason() {
        let cases = [
            ("not json", "not the JSON"),
            (r#"{"web":{"client_id":"x"}}"#, "Web application"),
            (r#"{"other":1}"#, "no \"installed\""),
            (r#"{"installed":{"client_secret":"s"}}"#, "no client_id"),
            (r#"{"installed":{"client_id":"i"}}"#, "no client_secret"),
            (
                r#"{"installed":{"client_id":"i","client_secret":"s","token_uri":"http://evil.example/token"}}"#,
                "must use https",
            ),
        ];
        for (text, reason) in cases {
            let e = OAuthClientConfig::from_json(text).unwrap_err();
            assert_eq!(e.code(), "clientSecret");
            assert!(e.to_string().contains(reason), "{text}: {e}");
        }
    }
}
