//! Google's HTTP batch endpoint (`POST /batch`, `POST /batch/gmail/v1`): up to 100 Gmail requests
//! in one `multipart/mixed` body, each part an `application/http` request served exactly as if
//! it had come alone (its own authentication, quota charge, faults and errors), answered in one
//! `multipart/mixed` body whose parts echo `Content-ID: <x>` as `Content-ID: <response-x>`.

use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceExt as _;

use super::SharedState;
use crate::counters::bump;
use crate::errors::GoogleError;
use crate::rng::mix;

/// Gmail's limit: "You're limited to 100 calls in a single batch request."
const MAX_PARTS: usize = 100;

/// Headers of the outer request that describe the outer body, not the calls inside it.
const OUTER_ONLY: &[HeaderName] = &[
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::TRANSFER_ENCODING,
    header::HOST,
];

/// One part of the batch: its `Content-ID` and the request it carries (or why it cannot be served).
struct Call {
    content_id: Option<String>,
    request: Result<Request<Body>, GoogleError>,
}

pub(crate) async fn batch(State(shared): SharedState, headers: HeaderMap, body: Bytes) -> Response {
    bump(&shared.counters.requests, 1);
    bump(&shared.counters.batch, 1);
    let calls = match parse(&headers, &body) {
        Ok(calls) => calls,
        Err(error) => return error.into_response(),
    };
    let router = super::router(shared.clone());
    // Google runs a batch's calls side by side, so latency overlaps as it does there.
    let answers =
        futures::future::join_all(calls.into_iter().map(|call| serve(router.clone(), call))).await;
    let drop_first_id = shared.knobs().batch_drops_content_id;
    let serial = shared.gmail_requests.load(Ordering::Relaxed);
    let boundary = format!("batch_{:016x}", mix(shared.seed ^ serial));
    let mut out = Vec::new();
    for (i, (content_id, response)) in answers.into_iter().enumerate() {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: application/http\r\n").as_bytes(),
        );
        if let Some(id) = content_id.filter(|_| !(drop_first_id && i == 0)) {
            out.extend_from_slice(format!("Content-ID: <response-{id}>\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&response);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/mixed; boundary={boundary}");
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("multipart/mixed")),
        )],
        out,
    )
        .into_response()
}

/// Serves one call through the whole router and renders its answer as an HTTP/1.1 message.
async fn serve(router: Router, call: Call) -> (Option<String>, Vec<u8>) {
    let response = match call.request {
        Ok(request) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Err(error) => error.into_response(),
    };
    let (head, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        // A body broken mid-way (an injected fault) cannot be framed in a part; Google's front
        // end would have seen its backend fail.
        Err(_) => {
            return (
                call.content_id,
                render(
                    GoogleError::unavailable().into_response().into_parts().0,
                    Bytes::from(
                        serde_json::to_vec(&GoogleError::unavailable().body()).unwrap_or_default(),
                    ),
                ),
            )
        }
    };
    (call.content_id, render(head, body))
}

fn render(head: axum::http::response::Parts, body: Bytes) -> Vec<u8> {
    let reason = head.status.canonical_reason().unwrap_or("");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", head.status.as_u16()).into_bytes();
    for (name, value) in &head.headers {
        if name == header::CONTENT_LENGTH {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(&body);
    out
}

/// The boundary of a `multipart/mixed` Content-Type, unquoted.
fn boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut pieces = content_type.split(';');
    if !pieces
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/mixed")
    {
        return None;
    }
    pieces
        .find_map(|piece| {
            let (name, value) = piece.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"').to_string())
        })
        .filter(|b| !b.is_empty())
}

/// Splits at the first empty line (CRLF or bare LF, as Python's email generator writes).
fn split_head(text: &str) -> (&str, &str) {
    let crlf = text.find("\r\n\r\n").map(|i| (i, 4));
    let lf = text.find("\n\n").map(|i| (i, 2));
    let first = match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match first {
        Some((at, len)) => (&text[..at], &text[at + len..]),
        None => (text, ""),
    }
}

fn header_lines(head: &str) -> impl Iterator<Item = (&str, &str)> {
    head.lines().filter_map(|line| {
        let (name, value) = line.split_once(':')?;
        Some((name.trim(), value.trim()))
    })
}

fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Call>, GoogleError> {
    let boundary = boundary(headers).ok_or_else(|| {
        GoogleError::bad_request("A batch request must be multipart/mixed with a boundary")
    })?;
    let text = std::str::from_utf8(body)
        .map_err(|_| GoogleError::bad_request("A batch request body must be UTF-8 text"))?;
    let delimiter = format!("--{boundary}");
    let mut calls = Vec::new();
    // The text before the first delimiter is the preamble; the close delimiter ends with `--`.
    for segment in text.split(delimiter.as_str()).skip(1) {
        if segment.starts_with("--") {
            break;
        }
        let segment = segment.trim_start_matches([' ', '\t']);
        let segment = segment
            .strip_prefix("\r\n")
            .or_else(|| segment.strip_prefix('\n'))
            .unwrap_or(segment);
        // The line break before the next delimiter belongs to the delimiter.
        let segment = segment
            .strip_suffix("\r\n")
            .or_else(|| segment.strip_suffix('\n'))
            .unwrap_or(segment);
        calls.push(call(segment, headers));
    }
    if calls.is_empty() {
        return Err(GoogleError::bad_request(
            "A batch request must hold at least one call",
        ));
    }
    if calls.len() > MAX_PARTS {
        return Err(GoogleError::bad_request(format!(
            "Too many requests in a batch: {} (at most {MAX_PARTS})",
            calls.len()
        )));
    }
    Ok(calls)
}

fn call(segment: &str, outer: &HeaderMap) -> Call {
    let (mime_head, http) = split_head(segment);
    let mut content_id = None;
    let mut content_type = None;
    for (name, value) in header_lines(mime_head) {
        if name.eq_ignore_ascii_case("Content-ID") {
            let id = value.strip_prefix('<').and_then(|v| v.strip_suffix('>'));
            content_id = Some(id.unwrap_or(value).to_string());
        } else if name.eq_ignore_ascii_case("Content-Type") {
            content_type = Some(value.to_ascii_lowercase());
        }
    }
    let request = if content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("application/http"))
    {
        request(http, outer)
    } else {
        Err(GoogleError::bad_request(
            "Each part of a batch request must be Content-Type: application/http",
        ))
    };
    Call {
        content_id,
        request,
    }
}

/// The request a part carries: its request line, its headers over the outer request's, its body.
fn request(http: &str, outer: &HeaderMap) -> Result<Request<Body>, GoogleError> {
    let (head, body) = split_head(http);
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut words = request_line.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Err(GoogleError::bad_request(format!(
            "Invalid request line in a batch part: {request_line:?}"
        )));
    };
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| GoogleError::bad_request(format!("Invalid method {method:?}")))?;
    // Clients may name the whole URL; only its path and query matter here.
    let target = match target.find("://") {
        Some(at) => {
            let rest = &target[at + 3..];
            rest.find('/').map(|i| &rest[i..]).unwrap_or("/")
        }
        None => target,
    };
    if target.starts_with("/batch") {
        return Err(GoogleError::bad_request(
            "A batch request cannot hold another batch",
        ));
    }
    let mut builder = Request::builder().method(method).uri(target);
    let mut headers = outer.clone();
    for name in OUTER_ONLY {
        headers.remove(name);
    }
    for (name, value) in header_lines(&lines.collect::<Vec<_>>().join("\n")) {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        headers.insert(name, value);
    }
    if let Some(all) = builder.headers_mut() {
        *all = headers;
    }
    builder.body(Body::from(body.to_string())).map_err(|error| {
        GoogleError::bad_request(format!("Invalid request in a batch part: {error}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's LF-only body and Google's CRLF body both split into their calls.
    #[test]
    fn parses_lf_and_crlf_bodies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/mixed; boundary=\"===x==\""),
        );
        let lf = "--===x==\nContent-Type: application/http\nContent-ID: <a + 1>\n\nGET /gmail/v1/users/me/profile HTTP/1.1\nauthorization: Bearer t\n\n\n--===x==\nContent-Type: application/http\nContent-ID: <a + 2>\n\nGET /gmail/v1/users/me/labels\n\n--===x==--\n";
        let calls = parse(&headers, lf.as_bytes()).expect("an LF body parses");
        assert_eq!(calls.len(), 2, "two calls");
        assert_eq!(
            calls[0].content_id.as_deref(),
            Some("a + 1"),
            "ids lose their brackets"
        );
        let first = calls[0]
            .request
            .as_ref()
            .expect("the first call is a request");
        assert_eq!(
            first.uri().path(),
            "/gmail/v1/users/me/profile",
            "path kept"
        );
        assert_eq!(
            first
                .headers()
                .get(header::AUTHORIZATION)
                .map(|v| v.as_bytes()),
            Some(&b"Bearer t"[..]),
            "the part's own header"
        );
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(
            parse(&headers, crlf.as_bytes())
                .expect("a CRLF body parses")
                .len(),
            2,
            "same two calls"
        );
    }
}
