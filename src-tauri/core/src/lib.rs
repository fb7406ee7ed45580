//! Inbox Sync's core, with no UI dependency: the run ledger and its lease protocol, the
//! database, and (later) the sync engine.
pub mod auth;
pub mod clock;
pub mod error;
pub mod gmail;
pub mod lease;
pub mod ledger;
pub mod mail;
pub mod owner;
pub mod run;
pub mod store;
pub mod sync;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{LedgerError, StoreError};
pub use lease::{LeaseHandle, LeaseLoss, Leased, RunFailure, RunReport};
pub use ledger::{Ledger, LedgerConfig};
pub use owner::{Owner, OwnerLiveness, ProcessLiveness};
pub use run::{
    Outcome, Progress, RunProgress, RunStatus, StartRefusal, StartResult, SyncRun, Trigger,
};
pub use store::{Store, StoreOptions};
