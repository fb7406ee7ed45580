//! The fake server's knobs: mailbox shape, latency, quota, token lifetime, fault rates, history retention.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, TokioClock};
use crate::errors::RateLimitForm;
use crate::generate::MailboxSpec;

/// Gmail keeps history "for at least a week, often longer, sometimes only hours" (its sync
/// guide); the fake keeps a week of it by default, measured on its [`Clock`].
pub const DEFAULT_HISTORY_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// How many history ids back the fake answers by default: far more than any test moves, but
/// finite, as Gmail's store is: a `startHistoryId` from a mailbox's distant past gets 404.
pub const DEFAULT_HISTORY_RETENTION: u64 = 100_000;

/// The installed-app OAuth client the token endpoint accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    /// The refresh token `grant_type=refresh_token` must present.
    pub refresh_token: String,
    /// Echoed back in token responses.
    pub scope: String,
}

impl Default for OAuthClient {
    fn default() -> Self {
        Self {
            client_id: "fake-client-id.apps.example.com".into(),
            client_secret: "fake-client-secret".into(),
            refresh_token: "fake-refresh-token".into(),
            scope: "https://www.googleapis.com/auth/gmail.readonly".into(),
        }
    }
}

/// What the fake user answers on the consent screen (`GET /o/oauth2/auth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Consent {
    /// Allow: redirect back with a code.
    #[default]
    Approve,
    /// Cancel: redirect back with `error=access_denied`.
    Deny,
}

/// Fractions of Gmail requests answered with a fault instead of the real answer; drawn
/// deterministically from the seed and the request's sequence number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultRates {
    /// Answered 500 `backendError`.
    pub internal: f64,
    /// Answered 503 `backendError`.
    pub unavailable: f64,
    /// Answered 200 with a body cut short or not JSON at all (half of each).
    pub corrupt_body: f64,
}

/// Ways the fake breaks Gmail's protocol, to prove a client's defences; all off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lies {
    /// `messages.list` names the page it answers (or, for the first, the second page) as the
    /// next page, forever.
    pub list_repeats_token: bool,
    /// `history.list` does the same with its pages.
    pub history_repeats_token: bool,
    /// `messages.get` of these ids answers valid JSON of about this many bytes, almost all of
    /// it the `raw` field, streamed in chunks (never held whole by the fake).
    pub huge_answers: Option<(Vec<String>, u64)>,
    /// `users.getProfile` answers valid JSON of about this many bytes (a huge `emailAddress`),
    /// streamed the same way.
    pub huge_profile: Option<u64>,
    /// `labels.list` answers valid JSON of about this many bytes (one label with a huge name),
    /// streamed the same way.
    pub huge_labels: Option<u64>,
    /// An id added to every `messages.list` page and, as an added message, to every
    /// `history.list` answer (`../../x`, `x?format=full`, …).
    pub hostile_id: Option<String>,
}

/// Everything the fake can be told at start; most knobs can also be changed while it runs
/// through [`crate::FakeHandle`].
///
/// ```
/// use std::time::Duration;
/// let config = fake_gmail::FakeConfig::default()
///     .messages(2_000)
///     .seed(42)
///     .latency(Duration::from_millis(100))
///     .quota(250)
///     .static_token("test-token");
/// assert_eq!(config.mailbox.message_count, 2_000);
/// ```
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Where to listen; port 0 picks a free port. Always loopback by default.
    pub addr: SocketAddr,
    pub mailbox: MailboxSpec,
    /// Added to every request before it is answered.
    pub latency: Duration,
    /// Per-user quota in Gmail units per second (list 5, get 5, history 2, profile 1, labels 1);
    /// `None` is unlimited.
    pub quota_units_per_sec: Option<u32>,
    /// How a request over the quota is refused: 429 `rateLimitExceeded` or 403 (the default)
    /// `userRateLimitExceeded`.
    pub rate_limit_form: RateLimitForm,
    /// How long issued access tokens stay valid.
    pub token_lifetime: Duration,
    pub faults: FaultRates,
    /// Protocol breakage ([`Lies`]); none by default.
    pub lies: Lies,
    /// How many history ids back `history.list` still answers; older `startHistoryId`s get 404.
    /// `None` lifts the count limit. Default [`DEFAULT_HISTORY_RETENTION`].
    pub history_retention: Option<u64>,
    /// How long a history record is kept (on the fake's clock); a `startHistoryId` before an
    /// expired record gets 404. `None` keeps records forever. Default [`DEFAULT_HISTORY_MAX_AGE`].
    pub history_max_age: Option<Duration>,
    /// Start with requests hanging (not answered until released).
    pub hang: bool,
    pub oauth: OAuthClient,
    /// The fake user's answer on the consent screen.
    pub consent: Consent,
    /// A bearer token accepted forever, for tests that do not exercise the token endpoint.
    pub static_token: Option<String>,
    /// Source of time for token expiry and the quota window.
    pub clock: Arc<dyn Clock>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            mailbox: MailboxSpec::default(),
            latency: Duration::ZERO,
            quota_units_per_sec: None,
            rate_limit_form: RateLimitForm::default(),
            token_lifetime: Duration::from_secs(3600),
            faults: FaultRates::default(),
            lies: Lies::default(),
            history_retention: Some(DEFAULT_HISTORY_RETENTION),
            history_max_age: Some(DEFAULT_HISTORY_MAX_AGE),
            hang: false,
            oauth: OAuthClient::default(),
            consent: Consent::default(),
            static_token: None,
            clock: Arc::new(TokioClock::new()),
        }
    }
}

impl FakeConfig {
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    pub fn messages(mut self, count: usize) -> Self {
        self.mailbox.message_count = count;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.mailbox.seed = seed;
        self
    }

    pub fn email_address(mut self, address: impl Into<String>) -> Self {
        self.mailbox.email_address = address.into();
        self
    }

    pub fn large_messages(mut self, fraction: f64, size_bytes: usize) -> Self {
        self.mailbox.large_fraction = fraction;
        self.mailbox.large_size_bytes = size_bytes;
        self
    }

    pub fn malformed_fraction(mut self, fraction: f64) -> Self {
        self.mailbox.malformed_fraction = fraction;
        self
    }

    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn quota(mut self, units_per_sec: u32) -> Self {
        self.quota_units_per_sec = Some(units_per_sec);
        self
    }

    pub fn rate_limit_form(mut self, form: RateLimitForm) -> Self {
        self.rate_limit_form = form;
        self
    }

    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    pub fn faults(mut self, faults: FaultRates) -> Self {
        self.faults = faults;
        self
    }

    pub fn lies(mut self, lies: Lies) -> Self {
        self.lies = lies;
        self
    }

    pub fn history_retention(mut self, history_ids: u64) -> Self {
        self.history_retention = Some(history_ids);
        self
    }

    /// `None` keeps history records however old they are.
    pub fn history_max_age(mut self, max_age: Option<Duration>) -> Self {
        self.history_max_age = max_age;
        self
    }

    pub fn hang(mut self, hang: bool) -> Self {
        self.hang = hang;
        self
    }

    pub fn oauth(mut self, oauth: OAuthClient) -> Self {
        self.oauth = oauth;
        self
    }

    pub fn consent(mut self, consent: Consent) -> Self {
        self.consent = consent;
        self
    }

    pub fn static_token(mut self, token: impl Into<String>) -> Self {
        self.static_token = Some(token.into());
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}
