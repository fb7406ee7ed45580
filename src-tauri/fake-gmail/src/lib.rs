//! A fake Gmail REST server on 127.0.0.1: real HTTP, Google's JSON shapes, a seeded mailbox and fault knobs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), fake_gmail::FakeError> {
//! use fake_gmail::{FakeConfig, FakeGmail};
//! let fake = FakeGmail::start(FakeConfig::default().messages(200).seed(7).static_token("t")).await?;
//! // Point google-gmail1 at it: `hub.base_url(fake.base_url()); hub.root_url(fake.base_url());`
//! // and send `Authorization: Bearer t` (or a token from `POST {base}token`).
//! let arrived = fake.add_messages(3);
//! let truth = fake.truth();
//! assert_eq!(truth[0].id, arrived[2]);
//! fake.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Served paths: `GET gmail/v1/users/{userId}/profile`, `…/labels`, `…/labels/{id}`, `…/messages`,
//! `…/messages/{id}`, `…/messages/{id}/attachments/{attachmentId}`, `…/history`; Google's HTTP
//! batch endpoint `POST batch` and `POST batch/gmail/v1` (multipart/mixed, at most 100 calls, each
//! authenticated and charged on its own); and Google's OAuth endpoints for installed apps:
//! `GET o/oauth2/auth` (consent: loopback redirect URIs, PKCE S256, `state`; the fake user's answer
//! is the [`Consent`] knob), `POST token` (authorization-code and refresh-token grants) and
//! `POST revoke`.
//!
//! As Gmail does, every Gmail method takes Google's standard parameters (`alt`, `fields`, `key`,
//! `access_token`, `prettyPrint`, `quotaUser`, …) and its own, and refuses any other with 400;
//! `fields=` selects a partial response; a malformed id is 400 "Invalid id value"; the quota
//! refuses with 429 `rateLimitExceeded` or 403 `userRateLimitExceeded` ([`RateLimitForm`]); and
//! history is kept for a week (and [`DEFAULT_HISTORY_RETENTION`] ids) by default.
//!
//! Google's own Python client is the judge of these shapes: `tests/conformance_python.rs` runs
//! `google-api-python-client` against the fake and checks each answer against the discovery
//! document it ships.
//!
//! Pointing clients at it:
//! - google-gmail1 7.x builds request URLs as `base_url + "gmail/v1/users/…"` (default
//!   `https://gmail.googleapis.com/`); `root_url` is only used for media uploads. Set both to
//!   [`FakeGmail::base_url`] (`http://127.0.0.1:PORT/`, trailing slash included). The hub needs a
//!   connector that allows plain HTTP (hyper-util's `HttpConnector`, or hyper-rustls with `https_or_http()`).
//! - yup-oauth2: use [`FakeGmail::token_url`] as the `ApplicationSecret::token_uri`, and the
//!   [`OAuthClient`] of the config (client id, secret, refresh token) as the credentials.
//! - A whole installed-app sign-in: write [`FakeGmail::client_secret_json`] where the app reads its
//!   Google client file; its `auth_uri`/`token_uri` point here, and the revoke URL is the token
//!   URL's origin + `/revoke`. Every code and token handed out is in [`FakeHandle::issued_tokens`].
//! - Any user id other than `me` or the mailbox's address is answered 403.
//!
//! Lying on purpose, for clients' defences ([`Lies`], off by default): `messages.list` and
//! `history.list` repeating their page tokens forever, `messages.get` answering hundreds of MB
//! (streamed), ids with `/`, `..`, `?` or `#` in list and history pages; and every request's
//! path as received is logged ([`FakeHandle::request_paths`]).
//!
//! Memory: messages are made from the seed when they are asked for, not kept: a running fake
//! holds about 20 bytes a message (its labels, its thread, the generator's state every 256
//! messages), plus what changed since (labels, deletions, history records) and a small cache of
//! recent messages. Starting a fake still makes every message once (for labels and counts).
//! Queries on headers or text (`q=from:…`, words, `has:attachment`) make each message they
//! look at, so they cost a generation of the mailbox per page; label queries do not.

mod auth;
pub mod browser;
mod clock;
mod config;
pub mod corpus;
mod counters;
mod errors;
mod faults;
mod fields;
mod generate;
mod grants;
mod history;
mod labels;
mod mailbox;
mod mime;
mod pipeline;
mod pkce;
mod query;
mod quota;
mod rng;
mod routes;
mod server;
mod truth;
mod wire;

pub use clock::{Clock, ManualClock, TokioClock};
pub use config::{
    Consent, FakeConfig, FaultRates, Lies, OAuthClient, DEFAULT_HISTORY_MAX_AGE,
    DEFAULT_HISTORY_RETENTION,
};
pub use counters::RequestCounts;
pub use errors::{FakeError, GoogleError, OAuthError, RateLimitForm};
pub use generate::{FeaturedAttachment, FeaturedMail, InlineImage, MailboxSpec};
pub use mime::Charset;
pub use server::{FakeGmail, FakeHandle};
pub use truth::{Malformation, MessageKind, MessageTruth};

/// The mailbox a spec generates, newest first, without starting a server.
pub fn generate_mailbox(spec: &MailboxSpec) -> Vec<MessageTruth> {
    mailbox::Mailbox::new(spec.clone(), std::time::Duration::ZERO).truth()
}
