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
//! Served paths: `GET gmail/v1/users/{userId}/profile`, `…/messages`, `…/messages/{id}`,
//! `…/messages/{id}/attachments/{attachmentId}`, `…/history`, and `POST token`.

mod auth;
mod clock;
mod config;
mod counters;
mod errors;
mod faults;
mod generate;
mod history;
mod mailbox;
mod mime;
mod pipeline;
mod query;
mod quota;
mod rng;
mod routes;
mod server;
mod truth;
mod wire;

pub use clock::{Clock, ManualClock, TokioClock};
pub use config::{FakeConfig, FaultRates, OAuthClient};
pub use counters::RequestCounts;
pub use errors::{FakeError, GoogleError, OAuthError};
pub use generate::MailboxSpec;
pub use mime::Charset;
pub use server::{FakeGmail, FakeHandle};
pub use truth::{Malformation, MessageKind, MessageTruth};

/// The mailbox a spec generates, newest first, without starting a server.
pub fn generate_mailbox(spec: &MailboxSpec) -> Vec<MessageTruth> {
    mailbox::Mailbox::new(spec.clone()).truth()
}
