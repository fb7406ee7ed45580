//! The sync itself: a full pass (`messages.list` + `messages.get`) or an incremental one
//! (`history.list`), each write a fenced transaction that also moves the cursor, so a sync
//! interrupted anywhere resumes where it stopped without skipping or duplicating mail.
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::error::LedgerError;
use crate::lease::{LeaseHandle, Leased, RunFailure};
use crate::ledger::Ledger;
use crate::run::{RunProgress, Trigger};
use crate::words::{Phase, SyncKind};

use super::calls::{Calls, ThrottleSignal};
use super::failure;
use super::mailstore::{self, FetchedMessage};
use super::{Change, MailSource, Method, SourceError, SyncOptions};

/// What a successful run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    pub kind: SyncKind,
    pub fetched: i64,
    pub inserted: i64,
    pub deleted: i64,
    pub links: i64,
    pub requests: u64,
    pub rate_limited: u64,
}

/// Runs one sync of `source` into the ledger's database under a lease. `progress`, when
/// given, receives every progress change (the command line's bar, the window's events).
pub async fn run_sync<S: MailSource>(
    ledger: &Ledger,
    trigger: Trigger,
    source: Arc<S>,
    options: SyncOptions,
    cancel: CancellationToken,
    progress: Option<watch::Sender<RunProgress>>,
) -> Result<Leased<SyncSummary>, LedgerError> {
    run_sync_notify(ledger, trigger, source, options, cancel, progress, None).await
}

/// `run_sync` that also sends the run's id on `started` as soon as the run exists, so a
/// caller that runs the sync in the background can answer "started run #N" at once.
pub async fn run_sync_notify<S: MailSource>(
    ledger: &Ledger,
    trigger: Trigger,
    source: Arc<S>,
    options: SyncOptions,
    cancel: CancellationToken,
    progress: Option<watch::Sender<RunProgress>>,
    started: Option<tokio::sync::oneshot::Sender<i64>>,
) -> Result<Leased<SyncSummary>, LedgerError> {
    ledger
        .run_leased(trigger, cancel, |lease| async move {
            if let Some(started) = started {
                let _ = started.send(lease.run_id());
            }
            let engine = Engine::new(lease, source, options, progress);
            engine.run().await
        })
        .await
}

/// Reports progress to the lease (and so the ledger) and to the optional channel. Shared
/// by the engine and every in-flight request (which report throttling).
struct Reporter {
    /// Holds the progress the next heartbeat writes.
    lease: LeaseHandle,
    /// The caller's live view (progress bar, window events); `None` when nobody watches.
    channel: Option<watch::Sender<RunProgress>>,
    /// How many requests are waiting on quota right now: while any is, the phase shown is
    /// `throttled` whatever the engine's own step, so the UI never looks stuck.
    throttled: AtomicI64,
    /// The engine's own step, shown again once no request is throttled.
    phase: Mutex<Phase>,
}

impl Reporter {
    fn update(&self, f: impl FnOnce(&mut RunProgress)) {
        let now = self.lease.update_progress(f);
        if let Some(channel) = &self.channel {
            channel.send_replace(now);
        }
    }

    fn phase(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner()) = phase;
        if self.throttled.load(Ordering::SeqCst) == 0 {
            self.update(|p| p.phase = Some(phase));
        }
    }
}

impl ThrottleSignal for Reporter {
    fn throttled(&self, waiting: bool) {
        let now = if waiting {
            self.throttled.fetch_add(1, Ordering::SeqCst) + 1
        } else {
            self.throttled.fetch_sub(1, Ordering::SeqCst) - 1
        };
        let phase = if now > 0 {
            Phase::Throttled
        } else {
            *self.phase.lock().unwrap_or_else(|e| e.into_inner())
        };
        self.update(|p| p.phase = Some(phase));
    }
}

/// Writes that close a step, committed with that step's last messages.
enum Checkpoint {
    /// A full pass finished a page: mark what was already stored as seen, move to `next`.
    Page {
        seen: Vec<String>,
        epoch: i64,
        next: Option<String>,
    },
    /// An incremental pass applied history up to `history_id`.
    History { history_id: i64 },
}

/// Why an incremental pass could not run.
enum Incremental {
    Expired,
    Failed(RunFailure),
}

impl From<RunFailure> for Incremental {
    fn from(f: RunFailure) -> Self {
        Self::Failed(f)
    }
}

struct Engine<S> {
    lease: LeaseHandle,
    calls: Arc<Calls<S>>,
    reporter: Arc<Reporter>,
    options: SyncOptions,
    summary: Mutex<SyncSummary>,
}

impl<S: MailSource> Engine<S> {
    fn new(
        lease: LeaseHandle,
        source: Arc<S>,
        options: SyncOptions,
        channel: Option<watch::Sender<RunProgress>>,
    ) -> Self {
        let reporter = Arc::new(Reporter {
            lease: lease.clone(),
            channel,
            throttled: AtomicI64::new(0),
            phase: Mutex::new(Phase::Listing),
        });
        let calls = Arc::new(Calls::new(source, options.clone(), reporter.clone()));
        Self {
            lease,
            calls,
            reporter,
            options,
            summary: Mutex::new(SyncSummary {
                kind: SyncKind::Incremental,
                fetched: 0,
                inserted: 0,
                deleted: 0,
                links: 0,
                requests: 0,
                rate_limited: 0,
            }),
        }
    }

    /// The sync raced against the stall watchdog.
    async fn run(&self) -> Result<SyncSummary, RunFailure> {
        self.calls.pulse.beat();
        tokio::select! {
            result = self.sync() => result?,
            failure = self.watchdog() => return Err(failure),
        }
        let mut summary = self
            .summary
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        summary.requests = self.calls.stats.requests.load(Ordering::Relaxed);
        summary.rate_limited = self.calls.stats.rate_limited.load(Ordering::Relaxed);
        Ok(summary)
    }

    /// Resolves when the sync has made no progress for `stall_after`.
    async fn watchdog(&self) -> RunFailure {
        let every = (self.options.stall_after / 10).max(std::time::Duration::from_millis(20));
        loop {
            tokio::time::sleep(every).await;
            if self.calls.pulse.silent_for() >= self.options.stall_after {
                return failure::stalled(self.options.stall_after);
            }
        }
    }

    fn set_kind(&self, kind: SyncKind) {
        self.summary.lock().unwrap_or_else(|e| e.into_inner()).kind = kind;
        self.reporter.update(|p| p.kind = Some(kind));
    }

    fn tally(&self, f: impl FnOnce(&mut SyncSummary)) {
        f(&mut self.summary.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn storage(&self, e: sqlx::Error) -> RunFailure {
        failure::from_sqlx(e, self.lease.ledger().store().path())
    }

    /// Keeps the label names current: one `labels.list` (1 quota unit) per run; the labels on
    /// each message move with history as before.
    async fn refresh_labels(&self) -> Result<(), RunFailure> {
        let source = &self.calls.source;
        let labels = self
            .calls
            .run(Method::Labels, || source.labels())
            .await
            .map_err(|e| failure::from_source(&e))?;
        let mut tx = self.begin().await?;
        mailstore::replace_labels(&mut tx, &labels)
            .await
            .map_err(|e| self.storage(e))?;
        tx.commit().await.map_err(|e| self.storage(e))
    }

    async fn sync(&self) -> Result<(), RunFailure> {
        self.refresh_labels().await?;
        let state = mailstore::load_state(&mut *self.reader().await?)
            .await
            .map_err(|e| self.storage(e))?;
        let history_id = match (state.history_id, state.full_epoch) {
            (Some(history_id), None) => {
                self.set_kind(SyncKind::Incremental);
                match self.incremental(history_id).await {
                    Ok(()) => return Ok(()),
                    Err(Incremental::Failed(f)) => return Err(f),
                    Err(Incremental::Expired) => {
                        tracing::info!(history_id, "history expired; running a full sync");
                        self.set_kind(SyncKind::Resync);
                        let mut tx = self.begin().await?;
                        mailstore::clear_history_id(&mut tx)
                            .await
                            .map_err(|e| self.storage(e))?;
                        tx.commit().await.map_err(|e| self.storage(e))?;
                        self.full(None).await?
                    }
                }
            }
            _ => {
                self.set_kind(SyncKind::Full);
                let resume = state
                    .full_epoch
                    .map(|epoch| (epoch, state.full_page_token, state.full_total));
                self.full(resume).await?
            }
        };
        // Mail that arrived or left while the full pass listed pages; an expired history
        // here is left for the next run rather than looping into another full pass.
        match self.incremental(history_id).await {
            Ok(()) | Err(Incremental::Expired) => Ok(()),
            Err(Incremental::Failed(f)) => Err(f),
        }
    }

    /// A connection for reads outside any write transaction.
    async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>, RunFailure> {
        let pool = self.lease.ledger().store().pool();
        pool.acquire().await.map_err(|e| self.storage(e))
    }

    /// Which of `ids` are stored already.
    async fn stored_among(&self, ids: &[String]) -> Result<HashSet<String>, RunFailure> {
        mailstore::existing_ids(&mut *self.reader().await?, ids)
            .await
            .map_err(|e| self.storage(e))
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, RunFailure> {
        self.lease
            .begin_write()
            .await
            .map_err(|e| failure::from_ledger(&e))
    }

    fn now(&self) -> i64 {
        self.lease.ledger().clock().now_ms()
    }

    /// A full pass, from the start or resuming `(epoch, next page, total)`. Returns the
    /// history id to continue incrementally from.
    async fn full(
        &self,
        resume: Option<(i64, Option<String>, Option<i64>)>,
    ) -> Result<i64, RunFailure> {
        let (epoch, mut page_token, total) = match resume {
            Some(resume) => resume,
            None => {
                self.reporter.phase(Phase::Listing);
                let source = &self.calls.source;
                let profile = self
                    .calls
                    .run(Method::Profile, || source.profile())
                    .await
                    .map_err(|e| failure::from_source(&e))?;
                let epoch = self.lease.run_id();
                let total = profile.messages_total as i64;
                let mut tx = self.begin().await?;
                mailstore::begin_full(
                    &mut tx,
                    epoch,
                    profile.history_id as i64,
                    total,
                    &profile.email_address,
                    self.now(),
                )
                .await
                .map_err(|e| self.storage(e))?;
                tx.commit().await.map_err(|e| self.storage(e))?;
                (epoch, None, Some(total))
            }
        };
        self.reporter.update(|p| p.total_estimate = total);
        loop {
            self.reporter.phase(Phase::Listing);
            let source = &self.calls.source;
            let token = page_token.clone();
            let page = self
                .calls
                .run(Method::List, || {
                    source.list(token.clone(), self.options.page_size)
                })
                .await
                .map_err(|e| failure::from_source(&e))?;
            let existing = self.stored_among(&page.ids).await?;
            let missing: Vec<String> = page
                .ids
                .iter()
                .filter(|id| !existing.contains(*id))
                .cloned()
                .collect();
            let seen: Vec<String> = page
                .ids
                .iter()
                .filter(|id| existing.contains(*id))
                .cloned()
                .collect();
            // Already stored messages count as done, so the bar reflects the whole mailbox.
            self.reporter
                .update(|p| p.progress.processed_emails += seen.len() as i64);
            self.reporter.phase(Phase::Fetching);
            let next = page.next_page_token.clone();
            self.fetch_and_store(
                missing,
                Some(epoch),
                Checkpoint::Page {
                    seen,
                    epoch,
                    next: next.clone(),
                },
            )
            .await?;
            page_token = next;
            if page_token.is_none() {
                break;
            }
        }
        self.reporter.phase(Phase::Finishing);
        let mut tx = self.begin().await?;
        let history_id: Option<i64> =
            sqlx::query_scalar("SELECT full_history_id FROM sync_state WHERE id = 1")
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| self.storage(e))?;
        let gone = mailstore::complete_full(&mut tx, epoch, self.now())
            .await
            .map_err(|e| self.storage(e))?;
        tx.commit().await.map_err(|e| self.storage(e))?;
        self.tally(|s| s.deleted += gone);
        self.heartbeat().await?;
        history_id.ok_or_else(|| failure::internal("the full sync lost its history position"))
    }

    /// Applies history since `start`: deletions, label changes, then new messages.
    async fn incremental(&self, start: i64) -> Result<(), Incremental> {
        self.reporter.phase(Phase::History);
        let source = &self.calls.source;
        let mut page_token: Option<String> = None;
        let mut changes = Vec::new();
        let mut latest: i64;
        loop {
            let token = page_token.clone();
            match self
                .calls
                .run(Method::History, || {
                    source.history(start as u64, token.clone())
                })
                .await
            {
                Ok(page) => {
                    changes.extend(page.changes);
                    latest = page.history_id as i64;
                    page_token = page.next_page_token;
                    if page_token.is_none() {
                        break;
                    }
                }
                Err(SourceError::NotFound(_)) if page_token.is_none() => {
                    return Err(Incremental::Expired)
                }
                Err(e) => return Err(failure::from_source(&e).into()),
            }
        }
        if changes.is_empty() && latest == start {
            return Ok(());
        }
        let mut added: Vec<String> = Vec::new();
        let mut added_set: HashSet<String> = HashSet::new();
        let mut deleted: HashSet<String> = HashSet::new();
        let mut labels: HashMap<String, Vec<String>> = HashMap::new();
        for change in changes {
            match change {
                Change::Added { id } => {
                    if added_set.insert(id.clone()) {
                        added.push(id);
                    }
                }
                Change::Deleted { id } => {
                    added_set.remove(&id);
                    deleted.insert(id);
                }
                Change::Labels { id, label_ids } => {
                    labels.insert(id, label_ids);
                }
            }
        }
        added.retain(|id| added_set.contains(id));
        let existing = self.stored_among(&added).await?;
        let missing: Vec<String> = added
            .into_iter()
            .filter(|id| !existing.contains(id))
            .collect();
        self.reporter
            .update(|p| p.total_estimate = Some(missing.len() as i64));

        // Deletions and label changes first: they need no requests.
        let mut tx = self.begin().await?;
        let gone: Vec<String> = deleted.into_iter().collect();
        let removed = mailstore::delete_messages(&mut tx, &gone)
            .await
            .map_err(|e| self.storage(e))?;
        for (id, label_ids) in labels.iter().filter(|(id, _)| !gone.contains(id)) {
            mailstore::set_labels(&mut tx, id, label_ids)
                .await
                .map_err(|e| self.storage(e))?;
        }
        tx.commit().await.map_err(|e| self.storage(e))?;
        self.tally(|s| s.deleted += removed);

        self.reporter.phase(Phase::Fetching);
        self.fetch_and_store(missing, None, Checkpoint::History { history_id: latest })
            .await
            .map_err(Incremental::Failed)
    }

    /// Fetches `ids` with bounded concurrency, parses them, and stores them in batches; the
    /// last batch's transaction also writes `checkpoint`.
    async fn fetch_and_store(
        &self,
        ids: Vec<String>,
        epoch: Option<i64>,
        checkpoint: Checkpoint,
    ) -> Result<(), RunFailure> {
        let mut fetches = futures::stream::iter(ids)
            .map(|id| {
                let calls = self.calls.clone();
                // Dropping the stream (the run stopped, failed or was cancelled) aborts every
                // fetch still in flight, so none outlives its run.
                AbortOnDropHandle::new(tokio::spawn(async move { fetch_one(&calls, id).await }))
            })
            .buffer_unordered(self.options.concurrency.max(1));
        let mut batch = Vec::with_capacity(self.options.batch_size);
        while let Some(joined) = fetches.next().await {
            let fetched =
                joined.map_err(|e| failure::internal(format!("a fetch task failed: {e}")))?;
            match fetched.map_err(|e| failure::from_source(&e))? {
                Some(message) => {
                    self.reporter.update(|p| {
                        p.progress.fetched_emails += 1;
                        p.progress.processed_emails += 1;
                    });
                    batch.push(message);
                }
                // Deleted on the server since it was listed: history will say so too.
                None => self.reporter.update(|p| p.progress.processed_emails += 1),
            }
            if batch.len() >= self.options.batch_size {
                self.store_batch(std::mem::take(&mut batch), epoch, None)
                    .await?;
            }
        }
        self.store_batch(batch, epoch, Some(checkpoint)).await
    }

    async fn store_batch(
        &self,
        batch: Vec<FetchedMessage>,
        epoch: Option<i64>,
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), RunFailure> {
        if batch.is_empty() && checkpoint.is_none() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        let now = self.now();
        let (inserted, links) =
            mailstore::insert_messages(&mut tx, self.lease.run_id(), epoch, now, &batch)
                .await
                .map_err(|e| self.storage(e))?;
        match checkpoint {
            Some(Checkpoint::Page { seen, epoch, next }) => {
                mailstore::mark_seen(&mut tx, &seen, epoch)
                    .await
                    .map_err(|e| self.storage(e))?;
                mailstore::set_full_page(&mut tx, next.as_deref(), now)
                    .await
                    .map_err(|e| self.storage(e))?;
            }
            Some(Checkpoint::History { history_id }) => {
                mailstore::set_history_id(&mut tx, history_id, now)
                    .await
                    .map_err(|e| self.storage(e))?;
            }
            None => {}
        }
        tx.commit().await.map_err(|e| self.storage(e))?;
        self.calls.pulse.beat();
        self.tally(|s| {
            s.fetched += batch.len() as i64;
            s.inserted += inserted;
            s.links += links;
        });
        self.reporter.update(|p| {
            p.progress.inserted_emails += inserted;
            p.progress.stored_links += links;
        });
        self.heartbeat().await
    }

    async fn heartbeat(&self) -> Result<(), RunFailure> {
        match self.lease.heartbeat_now().await {
            Ok(()) => Ok(()),
            Err(e @ LedgerError::LeaseLost { .. }) => Err(failure::from_ledger(&e)),
            // A heartbeat that fails for a moment is retried by the timer; the self-fencing
            // deadline stops the run if it keeps failing.
            Err(e) => {
                tracing::warn!(error = %e, "heartbeat after a batch failed");
                Ok(())
            }
        }
    }
}

/// Gets and parses one message; `None` when it was deleted meanwhile.
async fn fetch_one<S: MailSource>(
    calls: &Calls<S>,
    id: String,
) -> Result<Option<FetchedMessage>, SourceError> {
    let source = &calls.source;
    match calls.run(Method::Get, || source.get_raw(id.clone())).await {
        Ok(meta) => {
            let parsed = crate::mail::parse_mail(&meta.raw);
            Ok(Some(FetchedMessage { meta, parsed }))
        }
        Err(SourceError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
