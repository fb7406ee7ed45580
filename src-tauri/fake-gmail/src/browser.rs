//! A stand-in for the user's browser in sign-in tests: plain HTTP/1.1 GETs over a socket that
//! never follow redirects (so a test sees where Google sends the user) and can send any `Host`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

/// One answer, as a browser would receive it.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// GET `url`; `host` overrides the `Host` header. Errors (refused connection, timeout) as text.
pub async fn get_with_host(url: &str, host: Option<&str>) -> Result<Page, String> {
    let url = Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!("{url}: only http"));
    }
    let addr = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port_or_known_default().unwrap_or(80)
    );
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let host = host.map(str::to_owned).unwrap_or_else(|| addr.clone());
    let exchange = async {
        let mut stream = TcpStream::connect(&addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test-browser\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| format!("{addr}: no answer within 10 s"))??;
    parse(&raw)
}

pub async fn get(url: &str) -> Result<Page, String> {
    get_with_host(url, None).await
}

/// What a user does: open the authorization URL, get redirected, land on the app's loopback
/// page. Returns the consent answer (a redirect) and the final page.
pub async fn sign_in(authorization_url: &str) -> Result<(Page, Page), String> {
    let consent = get(authorization_url).await?;
    let location = consent.location.clone().ok_or_else(|| {
        format!(
            "no redirect from consent: {} {}",
            consent.status, consent.body
        )
    })?;
    let landing = get(&location).await?;
    Ok((consent, landing))
}

fn parse(raw: &[u8]) -> Result<Page, String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| "no HTTP header in the answer".to_string())?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "no status line".to_string())?;
    let location = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.trim().to_owned());
    Ok(Page {
        status,
        location,
        body: body.to_owned(),
    })
}
