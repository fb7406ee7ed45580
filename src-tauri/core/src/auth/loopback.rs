//! The loopback redirect listener of RFC 8252 §7.3: `http://127.0.0.1:<ephemeral port>/callback`.
//! It takes one sign-in answer — checked for the right host and `state` — answers the browser
//! with a small page, and politely refuses anything after it. It stops when dropped.
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use super::AuthError;

pub const CALLBACK_PATH: &str = "/callback";

/// A browser that opened the connection has this long to send its request.
const READ_LIMIT: Duration = Duration::from_secs(5);
/// A request line and headers larger than this are not a redirect from Google.
const MAX_REQUEST: usize = 16 * 1024;

/// A running listener; dropping it closes the port.
pub struct Loopback {
    port: u16,
    answer: Option<oneshot::Receiver<Result<String, AuthError>>>,
    task: JoinHandle<()>,
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Loopback {
    /// Listens on 127.0.0.1 on a port the OS picks, for an answer carrying `state`.
    pub async fn start(state: String) -> Result<Self, AuthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            AuthError::Network(format!(
                "cannot listen on 127.0.0.1 for the sign-in answer: {e}"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::Network(e.to_string()))?
            .port();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(serve(listener, port, state, tx));
        Ok(Self {
            port,
            answer: Some(rx),
            task,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where Google is told to send the browser back to.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for the one answer: the authorization code, or why it was refused. The listener
    /// keeps refusing later answers until it is dropped.
    pub async fn code(&mut self) -> Result<String, AuthError> {
        let answer = self
            .answer
            .take()
            .ok_or_else(|| AuthError::Refused("this sign-in already received its answer".into()))?;
        answer
            .await
            .unwrap_or_else(|_| Err(AuthError::Network("the sign-in listener stopped".into())))
    }
}

struct Request {
    method: String,
    target: String,
    host: Option<String>,
}

async fn serve(
    listener: TcpListener,
    port: u16,
    state: String,
    tx: oneshot::Sender<Result<String, AuthError>>,
) {
    let mut tx = Some(tx);
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let request = match tokio::time::timeout(READ_LIMIT, read_request(&mut stream)).await {
            Ok(Some(r)) => r,
            _ => {
                respond(
                    &mut stream,
                    400,
                    "Bad request",
                    "That was not a sign-in answer.",
                )
                .await;
                continue;
            }
        };
        let url = Url::parse(&format!("http://127.0.0.1:{port}"))
            .and_then(|base| base.join(&request.target));
        let Ok(url) = url else {
            respond(
                &mut stream,
                400,
                "Bad request",
                "That was not a sign-in answer.",
            )
            .await;
            continue;
        };
        if request.method != "GET" || url.path() != CALLBACK_PATH {
            respond(&mut stream, 404, "Not found", "Nothing is here.").await;
            continue;
        }
        let Some(sender) = tx.take() else {
            respond(
                &mut stream,
                409,
                "Already answered",
                "Inbox Sync already received the answer to this sign-in; this one was ignored. You can close this tab.",
            )
            .await;
            continue;
        };
        let verdict = judge(&request, &url, port, &state);
        match &verdict {
            Ok(_) => {
                respond(
                    &mut stream,
                    200,
                    "Signed in",
                    "Inbox Sync received your sign-in. You can close this tab and return to the app.",
                )
                .await
            }
            Err(e) => {
                respond(
                    &mut stream,
                    400,
                    "Sign-in refused",
                    &format!("Inbox Sync refused this sign-in: {e}. Nothing was saved; you can close this tab and try again from the app."),
                )
                .await
            }
        }
        let _ = sender.send(verdict);
    }
}

/// The code, if this answer is the one this sign-in waits for.
fn judge(request: &Request, url: &Url, port: u16, state: &str) -> Result<String, AuthError> {
    let expected_host = format!("127.0.0.1:{port}");
    match request.host.as_deref() {
        Some(host) if host.eq_ignore_ascii_case(&expected_host) => {}
        Some(host) => {
            return Err(AuthError::Refused(format!(
                "the sign-in answer was addressed to {host}, not {expected_host}"
            )))
        }
        None => {
            return Err(AuthError::Refused(
                "the sign-in answer did not say which host it was for".into(),
            ))
        }
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        return Err(AuthError::Refused(
            "the sign-in answer's state does not match this sign-in (it may be forged)".into(),
        ));
    }
    if let Some(error) = param("error") {
        let what = match error.as_str() {
            "access_denied" => "access to Gmail was not granted in the browser".to_string(),
            other => format!("Google answered {other}"),
        };
        return Err(AuthError::Refused(match param("error_description") {
            Some(d) => format!("{what} ({d})"),
            None => what,
        }));
    }
    param("code").filter(|c| !c.is_empty()).ok_or_else(|| {
        AuthError::Refused("the sign-in answer carried no authorization code".into())
    })
}

/// Reads the request line and headers (the body of a GET is ignored).
async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_REQUEST {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    if !request_line.next()?.starts_with("HTTP/1.") || !target.starts_with('/') {
        return None;
    }
    let host = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim().to_owned());
    Some(Request {
        method,
        target,
        host,
    })
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Inbox Sync — {title}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2328}}\
         h1{{font-size:1.3rem}}@media (prefers-color-scheme:dark){{body{{background:#16181d;color:#e6e8ec}}}}</style></head>\
         <body><h1>{title}</h1><p>{}</p></body></html>",
        html_escape::encode_text(text)
    );
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}
