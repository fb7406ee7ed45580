//! The owner's side of a run: a lease that heartbeats on a timer, notices when it was taken
//! over or when it has gone too long without a heartbeat (self-fencing), stops the work at
//! once then, and always ends the run: success, error, cancellation or panic.
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use sqlx::{Sqlite, Transaction};
use tokio_util::sync::CancellationToken;

use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::run::{Outcome, RunProgress, RunStatus, Trigger};
use crate::words::ErrorTag;

/// Why the work was stopped from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseLoss {
    /// Another start replaced the run (it was seen stale), or it was ended elsewhere.
    TakenOver,
    /// No heartbeat succeeded within the self-fencing deadline.
    SelfFenced,
}

/// A sync's failure in the ledger's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFailure {
    pub name: String,
    pub message: String,
    pub tag: ErrorTag,
}

impl RunFailure {
    pub fn new(name: impl Into<String>, message: impl Into<String>, tag: ErrorTag) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            tag,
        }
    }
}

/// The result of `Ledger::run_leased`.
#[derive(Debug)]
pub enum Leased<T> {
    AlreadyRunning { run_id: i64 },
    Ran(RunReport<T>),
}

/// How a leased run ended.
#[derive(Debug)]
pub struct RunReport<T> {
    pub run_id: i64,
    /// What was recorded (or, after a loss, what the run would have recorded).
    pub outcome: Outcome,
    /// The work's value when it succeeded.
    pub value: Option<T>,
    /// Set when the lease was lost; the ledger then holds the taker's version of this run.
    pub lost: Option<LeaseLoss>,
}

impl<T> RunReport<T> {
    pub fn status(&self) -> RunStatus {
        self.outcome.status()
    }
}

/// What the work, the heartbeat task and `run_leased` share about one run.
struct LeaseState {
    /// Where heartbeats, fenced writes and the final `finish` go.
    ledger: Ledger,
    /// The run this lease holds; the fencing token of every write.
    run_id: i64,
    /// The latest progress the work reported; each heartbeat (timer or after a batch)
    /// carries it, so the ledger's row trails the work by at most one interval. A mutex
    /// rather than a channel because only the newest value matters.
    progress: Mutex<RunProgress>,
    /// Why the lease was lost, first cause wins: decides what `run_leased` records (a
    /// taken-over run writes nothing; a self-fenced one ends itself `leaseExpired`).
    loss: Mutex<Option<LeaseLoss>>,
    /// Fired once the lease is lost, so the work stops at its next await.
    lost: CancellationToken,
    /// The user's stop (button, Ctrl-C, quit); the run then ends `cancelled`.
    cancel: CancellationToken,
    /// Steady-clock time (ms) of the last heartbeat that succeeded: the self-fencing
    /// deadline counts from here, on a clock no wall-clock step moves. Atomic because the heartbeat task and the work both renew it.
    last_ok_ms: AtomicI64,
}

/// What the work gets: progress reporting, fenced writes, cancellation.
#[derive(Clone)]
pub struct LeaseHandle(Arc<LeaseState>);

impl LeaseHandle {
    pub fn run_id(&self) -> i64 {
        self.0.run_id
    }

    pub fn ledger(&self) -> &Ledger {
        &self.0.ledger
    }

    /// Updates the progress the next heartbeat will carry, and returns it as it now is.
    pub fn update_progress(&self, f: impl FnOnce(&mut RunProgress)) -> RunProgress {
        let mut progress = self.0.progress.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut progress);
        progress.clone()
    }

    pub fn progress(&self) -> RunProgress {
        self.0
            .progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Heartbeats now (after a committed batch, say) instead of waiting for the timer.
    pub async fn heartbeat_now(&self) -> Result<(), LedgerError> {
        self.check_deadline()?;
        let progress = self.progress();
        match self.0.ledger.heartbeat(self.0.run_id, &progress).await {
            Ok(()) => {
                self.0
                    .last_ok_ms
                    .store(self.0.ledger.clock().steady_ms(), Ordering::SeqCst);
                Ok(())
            }
            Err(e @ LedgerError::LeaseLost { .. }) => {
                self.lose(LeaseLoss::TakenOver);
                Err(e)
            }
            Err(e) => {
                self.check_deadline()?;
                Err(e)
            }
        }
    }

    /// Commits `tx` (from [`LeaseHandle::begin_write`]) with a heartbeat carrying
    /// `progress` written in it: a batch of work and the heartbeat it earns are one
    /// transaction, not two. Renews the self-fencing deadline like [`Self::heartbeat_now`].
    pub async fn commit_with_heartbeat(
        &self,
        tx: Transaction<'static, Sqlite>,
        progress: &RunProgress,
    ) -> Result<(), LedgerError> {
        let ledger = &self.0.ledger;
        match ledger
            .commit_with_heartbeat(tx, self.0.run_id, progress)
            .await
        {
            Ok(()) => {
                self.0
                    .last_ok_ms
                    .store(ledger.clock().steady_ms(), Ordering::SeqCst);
                Ok(())
            }
            Err(e @ LedgerError::LeaseLost { .. }) => {
                self.lose(LeaseLoss::TakenOver);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// A write transaction that has proven the lease is still held; commit it to keep the
    /// writes. After a loss it fails with `LeaseLost` and nothing is written.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, LedgerError> {
        self.check_deadline()?;
        match self.0.ledger.begin_fenced(self.0.run_id).await {
            Err(e @ LedgerError::LeaseLost { .. }) => {
                self.lose(LeaseLoss::TakenOver);
                Err(e)
            }
            other => other,
        }
    }

    /// Cancelled when the user stops the sync.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.0.cancel
    }

    /// Cancelled when the lease is lost.
    pub fn lost(&self) -> &CancellationToken {
        &self.0.lost
    }

    fn loss(&self) -> Option<LeaseLoss> {
        *self.0.loss.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lose(&self, why: LeaseLoss) {
        let mut loss = self.0.loss.lock().unwrap_or_else(|e| e.into_inner());
        loss.get_or_insert(why);
        self.0.lost.cancel();
    }

    /// Self-fencing: past the deadline without a successful heartbeat, stop before anyone
    /// may consider this run stale and take over.
    fn check_deadline(&self) -> Result<(), LedgerError> {
        if self.0.lost.is_cancelled() {
            return Err(LedgerError::LeaseLost {
                run_id: self.0.run_id,
            });
        }
        let silent = self.0.ledger.clock().steady_ms() - self.0.last_ok_ms.load(Ordering::SeqCst);
        if silent > self.0.ledger.config().self_fence_after.as_millis() as i64 {
            self.lose(LeaseLoss::SelfFenced);
            return Err(LedgerError::LeaseLost {
                run_id: self.0.run_id,
            });
        }
        Ok(())
    }

    /// Heartbeats every interval until `stop`, or until the lease is lost.
    async fn heartbeat_loop(self, stop: CancellationToken) {
        let every = self.0.ledger.config().heartbeat_every;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = self.0.lost.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            match self.heartbeat_now().await {
                Ok(()) => {}
                Err(LedgerError::LeaseLost { .. }) => return,
                Err(e) => {
                    tracing::warn!(run_id = self.0.run_id, error = %e, "heartbeat failed; retrying")
                }
            }
        }
    }
}

impl Ledger {
    /// Starts a run and drives `work` under its lease: heartbeats meanwhile, stops the work
    /// at once when the lease is lost or `cancel` fires, and records how it ended.
    pub async fn run_leased<T, F, Fut>(
        &self,
        trigger: Trigger,
        cancel: CancellationToken,
        work: F,
    ) -> Result<Leased<T>, LedgerError>
    where
        F: FnOnce(LeaseHandle) -> Fut,
        Fut: Future<Output = Result<T, RunFailure>>,
    {
        let start = self.start(trigger).await?;
        if !start.started {
            return Ok(Leased::AlreadyRunning {
                run_id: start.run_id,
            });
        }
        let handle = LeaseHandle(Arc::new(LeaseState {
            ledger: self.clone(),
            run_id: start.run_id,
            progress: Mutex::new(RunProgress::default()),
            loss: Mutex::new(None),
            lost: CancellationToken::new(),
            cancel,
            last_ok_ms: AtomicI64::new(self.clock().steady_ms()),
        }));
        let stop_heartbeat = CancellationToken::new();
        // Whatever happens below (even this future being dropped), the heartbeat stops.
        let _stop_guard = stop_heartbeat.clone().drop_guard();
        let heartbeat = tokio::spawn(handle.clone().heartbeat_loop(stop_heartbeat.clone()));

        let work = AssertUnwindSafe(work(handle.clone())).catch_unwind();
        let (outcome, value) = tokio::select! {
            biased;
            _ = handle.lost().cancelled() => (aborted(ErrorTag::LeaseLost, "the sync lost its lease and stopped"), None),
            _ = handle.cancellation().cancelled() => (aborted(ErrorTag::Cancelled, "the sync was stopped"), None),
            result = work => match result {
                Ok(Ok(value)) => (Outcome::Success, Some(value)),
                // A failure caused by losing the lease or by a cancel is reported as that.
                Ok(Err(_)) if handle.loss().is_some() => {
                    (aborted(ErrorTag::LeaseLost, "the sync lost its lease and stopped"), None)
                }
                Ok(Err(_)) if handle.cancellation().is_cancelled() => {
                    (aborted(ErrorTag::Cancelled, "the sync was stopped"), None)
                }
                Ok(Err(failure)) => (
                    Outcome::Error { name: failure.name, message: failure.message, tag: failure.tag },
                    None,
                ),
                Err(panic) => (
                    Outcome::Error {
                        name: "Panic".into(),
                        message: format!("the sync crashed: {}", panic_text(&panic)),
                        tag: ErrorTag::Internal,
                    },
                    None,
                ),
            },
        };
        stop_heartbeat.cancel();
        let _ = heartbeat.await;

        let progress = handle.progress();
        let lost = match handle.loss() {
            // Taken over: the row belongs to the taker now; writing would be a zombie write.
            Some(LeaseLoss::TakenOver) => Some(LeaseLoss::TakenOver),
            // Self-fenced: nobody may have taken over yet, so end the run truthfully (fenced).
            Some(LeaseLoss::SelfFenced) => {
                let outcome = aborted(
                    ErrorTag::LeaseExpired,
                    "the sync could not renew its lease in time and stopped",
                );
                let _ = self.finish(start.run_id, &outcome, &progress).await;
                Some(LeaseLoss::SelfFenced)
            }
            None => match self.finish(start.run_id, &outcome, &progress).await {
                Ok(()) => None,
                Err(LedgerError::LeaseLost { .. }) => Some(LeaseLoss::TakenOver),
                Err(e) => return Err(e),
            },
        };
        Ok(Leased::Ran(RunReport {
            run_id: start.run_id,
            outcome,
            value,
            lost,
        }))
    }
}

fn aborted(tag: ErrorTag, message: &str) -> Outcome {
    Outcome::Aborted {
        tag,
        message: message.into(),
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
