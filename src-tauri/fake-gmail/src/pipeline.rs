//! What every request goes through before its handler: latency, the hang switch, the bearer token, quota, faults.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::auth::TokenBook;
use crate::clock::Clock;
use crate::config::{Consent, FakeConfig, FaultRates, Lies, OAuthClient};
use crate::counters::{bump, Counters};
use crate::errors::{json_bytes, GoogleError, RateLimitForm};
use crate::faults::{self, Fault};
use crate::fields::FieldMask;
use crate::grants::GrantBook;
use crate::mailbox::Mailbox;
use crate::mime::date::rfc3339;
use crate::quota::QuotaBucket;
use crate::routes::Params;

/// Query parameters every Google API method takes (the discovery document's top-level `parameters`).
const STANDARD_PARAMETERS: &[&str] = &[
    "$.xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "prettyPrint",
    "quotaUser",
    "uploadType",
    "upload_protocol",
];

/// The Gmail methods served, with their quota cost in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Profile,
    LabelsList,
    LabelsGet,
    MessagesList,
    MessagesGet,
    AttachmentsGet,
    HistoryList,
}

impl Endpoint {
    fn cost(self) -> u32 {
        match self {
            Endpoint::Profile | Endpoint::LabelsList | Endpoint::LabelsGet => 1,
            Endpoint::MessagesList | Endpoint::MessagesGet | Endpoint::AttachmentsGet => 5,
            Endpoint::HistoryList => 2,
        }
    }

    /// The query parameters Gmail's discovery document lists for the method, path parameters aside.
    fn parameters(self) -> &'static [&'static str] {
        match self {
            Endpoint::Profile
            | Endpoint::LabelsList
            | Endpoint::LabelsGet
            | Endpoint::AttachmentsGet => &[],
            Endpoint::MessagesList => &[
                "includeSpamTrash",
                "labelIds",
                "maxResults",
                "pageToken",
                "q",
            ],
            Endpoint::MessagesGet => &["format", "metadataHeaders"],
            Endpoint::HistoryList => &[
                "historyTypes",
                "labelId",
                "maxResults",
                "pageToken",
                "startHistoryId",
            ],
        }
    }

    /// Refuses what Google's front end refuses before the method runs: a parameter the method
    /// does not take, an `alt` other than JSON, a `fields` selector that does not parse.
    fn check(self, params: &Params) -> Result<Option<FieldMask>, GoogleError> {
        for name in params.names() {
            if !STANDARD_PARAMETERS.contains(&name) && !self.parameters().contains(&name) {
                return Err(GoogleError::unknown_parameter(name));
            }
        }
        if let Some(alt) = params.one("alt").filter(|alt| *alt != "json") {
            return Err(GoogleError::bad_request(format!(
                "Invalid value at 'alt' ({alt}): this method answers only alt=json"
            )));
        }
        params
            .one("fields")
            .filter(|f| !f.trim().is_empty())
            .map(|f| FieldMask::parse(f).map_err(GoogleError::bad_request))
            .transpose()
    }
}

/// What admission decided for a request that may go on.
#[derive(Debug)]
pub(crate) struct Admission {
    /// Answer, but break the body this way.
    pub fault: Option<Fault>,
    /// Answer only these fields (`fields=`).
    pub fields: Option<FieldMask>,
}

/// Knobs that can change while the server runs.
#[derive(Debug, Clone)]
pub(crate) struct Knobs {
    pub latency: Duration,
    pub faults: FaultRates,
    pub lies: Lies,
    pub history_retention: Option<u64>,
    pub history_max_age: Option<Duration>,
    pub rate_limit_form: RateLimitForm,
    /// Test-only breakage: the batch answer's first part goes without its Content-ID.
    pub batch_drops_content_id: bool,
    pub oauth: OAuthClient,
    pub consent: Consent,
}

/// State shared by the handlers and the [`crate::FakeHandle`].
#[derive(Debug)]
pub(crate) struct Shared {
    pub mailbox: Mutex<Mailbox>,
    pub tokens: Mutex<TokenBook>,
    /// Authorization codes and refresh tokens. Lock it before `tokens` when holding both.
    pub grants: Mutex<GrantBook>,
    pub quota: Mutex<QuotaBucket>,
    pub knobs: Mutex<Knobs>,
    pub counters: Counters,
    pub hang: watch::Sender<bool>,
    pub shutdown: watch::Sender<bool>,
    pub clock: Arc<dyn Clock>,
    pub seed: u64,
    pub gmail_requests: AtomicU64,
    /// Every request's path and query as received (the newest [`PATH_LOG_MAX`]).
    pub paths: Mutex<std::collections::VecDeque<String>>,
}

/// How many request paths the log keeps.
pub(crate) const PATH_LOG_MAX: usize = 100_000;

/// Locks a mutex even if a panicking thread poisoned it: the data is plain state, still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn new(config: FakeConfig) -> Self {
        let now = config.clock.now();
        let seed = config.mailbox.seed;
        Self {
            mailbox: Mutex::new(Mailbox::new(config.mailbox, now)),
            tokens: Mutex::new(TokenBook::new(
                config.static_token,
                config.token_lifetime,
                seed,
            )),
            grants: Mutex::new(GrantBook::new(seed)),
            quota: Mutex::new(QuotaBucket::new(config.quota_units_per_sec, now)),
            knobs: Mutex::new(Knobs {
                latency: config.latency,
                faults: config.faults,
                lies: config.lies,
                history_retention: config.history_retention,
                history_max_age: config.history_max_age,
                rate_limit_form: config.rate_limit_form,
                batch_drops_content_id: false,
                oauth: config.oauth,
                consent: config.consent,
            }),
            counters: Counters::default(),
            hang: watch::Sender::new(config.hang),
            shutdown: watch::Sender::new(false),
            clock: config.clock,
            seed,
            gmail_requests: AtomicU64::new(0),
            paths: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// Notes a request's path and query exactly as it arrived.
    pub(crate) fn log_path(&self, uri: &axum::http::Uri) {
        let mut paths = lock(&self.paths);
        if paths.len() == PATH_LOG_MAX {
            paths.pop_front();
        }
        paths.push_back(
            uri.path_and_query()
                .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        );
    }

    pub(crate) fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    /// Latency, then the hang switch; both give way to shutdown so a stopping server never waits on them.
    pub(crate) async fn delay(&self) -> Result<(), GoogleError> {
        bump(&self.counters.requests, 1);
        let latency = self.knobs().latency;
        let mut stopping = self.shutdown.subscribe();
        if !latency.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(latency) => {}
                _ = stopping.wait_for(|s| *s) => return Err(GoogleError::unavailable()),
            }
        }
        let mut hang = self.hang.subscribe();
        if *hang.borrow() {
            tracing::debug!("request held by the hang switch");
            tokio::select! {
                _ = hang.wait_for(|h| !*h) => {}
                _ = stopping.wait_for(|s| *s) => return Err(GoogleError::unavailable()),
            }
        }
        Ok(())
    }

    /// Admits a Gmail request, or says why not.
    pub(crate) async fn admit(
        &self,
        endpoint: Endpoint,
        headers: &HeaderMap,
        user_id: &str,
        params: &Params,
    ) -> Result<Admission, GoogleError> {
        let counter = match endpoint {
            Endpoint::Profile => &self.counters.profile,
            Endpoint::LabelsList => &self.counters.labels_list,
            Endpoint::LabelsGet => &self.counters.labels_get,
            Endpoint::MessagesList => &self.counters.messages_list,
            Endpoint::MessagesGet => &self.counters.messages_get,
            Endpoint::AttachmentsGet => &self.counters.attachments_get,
            Endpoint::HistoryList => &self.counters.history_list,
        };
        bump(counter, 1);
        self.delay().await?;
        let now = self.clock.now();
        // Google also takes the token as a query parameter, the header winning.
        let from_query = params
            .one("access_token")
            .or_else(|| params.one("oauth_token"))
            .map(|token| format!("Bearer {token}"));
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .or(from_query.as_deref());
        if let Err(error) = lock(&self.tokens).check(authorization, now) {
            bump(&self.counters.unauthorized, 1);
            tracing::debug!(?endpoint, "refused: no valid bearer token");
            return Err(error);
        }
        let email = lock(&self.mailbox).spec().email_address.clone();
        if user_id != "me" && !user_id.eq_ignore_ascii_case(&email) {
            return Err(GoogleError::forbidden(format!(
                "Delegation denied for {email}"
            )));
        }
        let fields = endpoint.check(params)?;
        let mut quota = lock(&self.quota);
        if !quota.try_charge(endpoint.cost(), now) {
            let wait = quota.wait_for(endpoint.cost(), now);
            drop(quota);
            bump(&self.counters.rate_limited, 1);
            tracing::debug!(?endpoint, "refused: quota exceeded");
            return Err(GoogleError::rate_limited(
                self.knobs().rate_limit_form,
                &retry_at(wait),
            ));
        }
        drop(quota);
        bump(&self.counters.quota_units, u64::from(endpoint.cost()));
        let request_no = self
            .gmail_requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let fault = faults::roll(self.seed, request_no, &self.knobs().faults);
        if fault.is_some() {
            bump(&self.counters.injected_faults, 1);
            tracing::debug!(?endpoint, ?fault, "injecting a fault");
        }
        match fault {
            Some(Fault::Internal) => Err(GoogleError::internal()),
            Some(Fault::Unavailable) => Err(GoogleError::unavailable()),
            other => Ok(Admission {
                fault: other,
                fields,
            }),
        }
    }

    /// Runs a Gmail endpoint end to end: admission, the handler, then any body fault.
    pub(crate) async fn serve<F>(
        &self,
        endpoint: Endpoint,
        headers: &HeaderMap,
        user_id: &str,
        params: &Params,
        handler: F,
    ) -> Response
    where
        F: FnOnce() -> Result<Vec<u8>, GoogleError>,
    {
        let admission = match self.admit(endpoint, headers, user_id, params).await {
            Ok(admission) => admission,
            Err(error) => return error.into_response(),
        };
        match handler() {
            Ok(body) => {
                let body = match &admission.fields {
                    Some(mask) => mask.apply_to_json(body),
                    None => body,
                };
                with_fault(body, admission.fault)
            }
            Err(error) => error.into_response(),
        }
    }
}

/// The wall-clock instant, in Google's RFC 3339 form, `wait` from now.
fn retry_at(wait: Duration) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339((now + wait).as_millis() as i64)
}

/// A 200 JSON answer, broken the way `fault` says.
fn with_fault(body: Vec<u8>, fault: Option<Fault>) -> Response {
    match fault {
        Some(Fault::CutJson) => {
            let half = body.len() / 2;
            json_bytes(body[..half].to_vec()).into_response()
        }
        Some(Fault::AbortedBody) => {
            let full = body.len();
            let half = body[..full / 2].to_vec();
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
                Ok(half),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected: connection dropped mid-body")),
            ];
            let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            response
        }
        Some(Fault::NotJson) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=UTF-8"))],
            "<html><head><title>Bad Gateway</title></head><body>upstream connect error</body></html>",
        )
            .into_response(),
        _ => json_bytes(body).into_response(),
    }
}
