//! Inbox Sync's core, with no UI dependency: the run ledger and its lease protocol, the
//! database, the Gmail client, sign-in and the sync engine.
//!
//! A map of the parts, in the order a sync flows through them:
//!
//! - [`store`]: opens the SQLite file (WAL, migrations, bad-input checks) — one per mailbox;
//!   [`damage`]: a file found damaged is remembered, set aside and rebuilt.
//! - [`ledger`]: the run ledger `sync_runs`, which is also the lock: `start` refuses a second
//!   live run (a partial unique index backs it), replaces a stale one, and `begin_fenced`
//!   opens a write transaction that proves the run still holds the lease.
//! - [`lease`]: the owner's side of a run. `Ledger::run_leased` starts a run, heartbeats it,
//!   self-fences when heartbeats fail, stops the work at once when the lease is lost or the
//!   user cancels, and always ends the run (success, error, cancelled, panic).
//! - [`sync`]: the engine that runs under a lease — `messages.list`/`get` for a full pass,
//!   `history.list` for an incremental one, every batch a fenced transaction that moves the
//!   cursor too — plus [`sync::MailStore`], the reads of the synced mail.
//! - [`gmail`]: Gmail over HTTP (google-gmail1), access tokens, error classification.
//! - [`auth`]: sign-in with Google (loopback + PKCE) and where the refresh token is kept.
//! - [`mail`]: MIME parsing and link finding.
//! - [`run`] and [`words`]: a run as stored and shown, and the words that travel (triggers,
//!   statuses, phases, kinds, error tags) — one enum and one text form each.
//! - [`owner`], [`clock`]: who holds a run and whether it is alive; injectable time.
//! - [`error`]: the store's and the ledger's errors, each with a stable code.
//!
//! A run flows: `run_sync` → `Ledger::run_leased` (start, or `AlreadyRunning`) → the engine
//! reports progress into its `LeaseHandle` (carried by the next heartbeat) and onto an
//! optional channel (the caller's progress bar or window events) → `finish` records the end.
pub mod auth;
pub mod boot;
pub mod clock;
pub mod damage;
pub mod error;
pub mod gmail;
mod header;
pub mod lease;
pub mod ledger;
pub mod mail;
pub mod owner;
pub mod run;
pub mod store;
pub mod sync;
pub mod upgrade;
pub mod words;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{LedgerError, StoreError};
pub use lease::{LeaseHandle, LeaseLoss, Leased, RunFailure, RunReport};
pub use ledger::{Ledger, LedgerConfig};
pub use owner::{Owner, OwnerLiveness, ProcessLiveness};
pub use run::{Outcome, Progress, RunProgress, StartRefusal, StartResult, SyncRun};
pub use store::{Repair, Store, StoreOptions};
pub use upgrade::{OnUpgrade, Upgrade};
pub use words::{ErrorTag, Phase, RunStatus, SyncKind, Trigger};
