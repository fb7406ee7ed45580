//! The sync itself: a full pass (`messages.list` + `messages.get`) or an incremental one
//! (`history.list`), each write a fenced transaction that also moves the cursor, so a sync
//! interrupted anywhere resumes where it stopped without skipping or duplicating mail.
//!
//! Progress is what the stall watchdog counts, and it means progress: a new message fetched,
//! a cursor committed, a history change that changed something — never merely an answered
//! request. A server that answers without moving on (a page token it gave before, more list
//! pages than the mailbox's size can need) ends the run `error` / `gmailLoop` at once.
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
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
use super::{Change, MailSource, MessagePage, Method, RawMessage, SourceError, SyncOptions};

/// A batch is stored early once the text it holds passes this, so a run of large messages
/// is never all in memory at once.
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Parsed mail on its way to the writer, a batch at a time; a batch's checkpoint is written
/// in the batch's transaction.
type Batches = tokio::sync::mpsc::Sender<(Vec<FetchedMessage>, Option<Checkpoint>)>;

/// Extra `messages.list` pages allowed beyond what the mailbox's size needs (mail arriving
/// during the pass, a server filling pages short).
const SPARE_PAGES: u64 = 10;

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

/// The page tokens one paging loop was given, kept as hashes (8 bytes each), to notice a
/// server that sends one again or pages past any plausible end.
struct PageTokens {
    method: &'static str,
    seen: HashSet<u64>,
    pages: u64,
    /// Most pages this loop may take, when the mailbox's size says.
    limit: Option<(u64, i64)>,
}

impl PageTokens {
    fn new(method: &'static str, limit: Option<(u64, i64)>) -> Self {
        Self {
            method,
            seen: HashSet::new(),
            pages: 0,
            limit,
        }
    }

    fn hash(token: &str) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        token.hash(&mut h);
        h.finish()
    }

    /// Records a token this loop started from (a resumed pass).
    fn start_from(&mut self, token: Option<&str>) {
        if let Some(token) = token {
            self.seen.insert(Self::hash(token));
        }
    }

    /// Takes one more page whose next token is `next`.
    fn page(&mut self, next: Option<&str>) -> Result<(), RunFailure> {
        self.pages += 1;
        if let Some((limit, total)) = self.limit {
            if self.pages > limit {
                return Err(failure::gmail_loop(format!(
                    "{} answered {} pages for a mailbox of {total} messages",
                    self.method, self.pages
                )));
            }
        }
        if let Some(token) = next {
            if !self.seen.insert(Self::hash(token)) {
                let shown: String = token.chars().take(40).collect();
                return Err(failure::gmail_loop(format!(
                    "{} gave the page token {shown:?} a second time (after {} pages)",
                    self.method, self.pages
                )));
            }
        }
        Ok(())
    }
}

/// What became of one message the pass wanted.
enum Fetched {
    Message(FetchedMessage),
    /// Deleted on the server since it was listed.
    Gone,
    /// Over the size cap (`limit_mb`): recorded with a defect instead of its content.
    TooLarge {
        placeholder: FetchedMessage,
        limit_mb: u64,
    },
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
    /// Messages recorded without their content because they were over the size cap.
    too_large: AtomicI64,
    /// That cap, in MB, as the source reported it.
    too_large_mb: AtomicU64,
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
            too_large: AtomicI64::new(0),
            too_large_mb: AtomicU64::new(0),
        }
    }

    /// The sync raced against the stall watchdog.
    async fn run(&self) -> Result<SyncSummary, RunFailure> {
        self.calls.pulse.beat();
        tokio::select! {
            result = self.sync() => result?,
            failure = self.watchdog() => return Err(failure),
        }
        let skipped = self.too_large.load(Ordering::SeqCst);
        if skipped > 0 {
            return Err(failure::too_large(
                skipped,
                self.too_large_mb.load(Ordering::SeqCst),
            ));
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
        let page_size = u64::from(self.options.page_size.max(1));
        let needed = (total.unwrap_or(0).max(0) as u64).div_ceil(page_size);
        // Without a known size (never so since the pass records it) only repeats are caught.
        let mut tokens = PageTokens::new(
            "messages.list",
            total.map(|total| (2 * needed + SPARE_PAGES, total)),
        );
        tokens.start_from(page_token.as_deref());
        // One writer for the whole pass, fed page after page: the next page's messages are
        // fetched while this page's last batches are written, so neither the writer nor the
        // fetches wait at a page boundary. Each page's checkpoint rides on its last batch, and
        // batches are written in the order they were sent, so a page's checkpoint is written
        // only after all its messages (a page listed before the last one was written may name
        // a message that one holds: it is fetched again and its insert does nothing).
        self.pipelined(Some(epoch), |filled| async move {
            // The next page's list, asked for while this page's messages are fetched, so
            // that no page boundary waits for a list round trip.
            let mut listed = None;
            loop {
                let page = match listed.take() {
                    Some(page) => page,
                    None => {
                        self.reporter.phase(Phase::Listing);
                        self.list_page(page_token.clone()).await?
                    }
                };
                tokens.page(page.next_page_token.as_deref())?;
                let existing = self.stored_among(&page.ids).await?;
                let (seen, missing): (Vec<String>, Vec<String>) =
                    page.ids.into_iter().partition(|id| existing.contains(id));
                // Already stored messages count as done, so the bar reflects the whole mailbox.
                self.reporter
                    .update(|p| p.progress.processed_emails += seen.len() as i64);
                self.reporter.phase(Phase::Fetching);
                let next = page.next_page_token;
                let checkpoint = Some(Checkpoint::Page {
                    seen,
                    epoch,
                    next: next.clone(),
                });
                let sent = self.fetch_into(missing, checkpoint, &filled);
                // A failed list of the next page fails the run only once this page is sent
                // (and so stored: the writer stores all it was sent before it stops).
                listed = match &next {
                    Some(token) => {
                        let (sent, following) =
                            tokio::join!(sent, self.list_page(Some(token.clone())));
                        if !sent? {
                            return Ok(());
                        }
                        Some(following?)
                    }
                    None => {
                        sent.await?;
                        None
                    }
                };
                page_token = next;
                if page_token.is_none() {
                    return Ok(());
                }
            }
        })
        .await?;
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

    /// Applies history since `start`, page by page as the pages arrive (so memory holds one
    /// page, never the whole history): each page's deletions and label changes, then its new
    /// messages; the last page's batch also moves the cursor.
    async fn incremental(&self, start: i64) -> Result<(), Incremental> {
        self.reporter.phase(Phase::History);
        let source = &self.calls.source;
        let mut page_token: Option<String> = None;
        let mut tokens = PageTokens::new("history.list", None);
        let mut changed = false;
        let mut wanted = 0i64;
        loop {
            let token = page_token.clone();
            let page = match self
                .calls
                .run(Method::History, || {
                    source.history(start as u64, token.clone())
                })
                .await
            {
                Ok(page) => page,
                Err(SourceError::NotFound(_)) if page_token.is_none() => {
                    return Err(Incremental::Expired)
                }
                Err(e) => return Err(failure::from_source(&e).into()),
            };
            tokens.page(page.next_page_token.as_deref())?;
            let latest = page.history_id as i64;
            let last = page.next_page_token.is_none();
            changed |= !page.changes.is_empty();
            if last && !changed && latest == start {
                return Ok(());
            }
            let missing = self.apply_history(page.changes).await?;
            wanted += missing.len() as i64;
            self.reporter.update(|p| p.total_estimate = Some(wanted));
            self.reporter.phase(Phase::Fetching);
            let checkpoint = last.then_some(Checkpoint::History { history_id: latest });
            self.fetch_and_store(missing, None, checkpoint).await?;
            if last {
                return Ok(());
            }
            self.reporter.phase(Phase::History);
            page_token = page.next_page_token;
        }
    }

    /// Applies one history page's deletions and label changes in one transaction; returns
    /// the messages it added that are not stored yet, for the caller to fetch.
    async fn apply_history(&self, changes: Vec<Change>) -> Result<Vec<String>, RunFailure> {
        if changes.is_empty() {
            return Ok(Vec::new());
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

        // Deletions and label changes first: they need no requests.
        let mut tx = self.begin().await?;
        let gone: Vec<String> = deleted.into_iter().collect();
        let removed = mailstore::delete_messages(&mut tx, &gone)
            .await
            .map_err(|e| self.storage(e))?;
        let mut relabelled = 0;
        for (id, label_ids) in labels.iter().filter(|(id, _)| !gone.contains(id)) {
            relabelled += mailstore::set_labels(&mut tx, id, label_ids)
                .await
                .map_err(|e| self.storage(e))?;
        }
        tx.commit().await.map_err(|e| self.storage(e))?;
        self.tally(|s| s.deleted += removed);
        // Only a change that changed something is progress: a server repeating the same
        // changes under new page tokens is not moving.
        if removed > 0 || relabelled > 0 {
            self.calls.pulse.beat();
        }
        Ok(missing)
    }

    /// One page of `messages.list`, from `token` (the first page when `None`).
    async fn list_page(&self, token: Option<String>) -> Result<MessagePage, RunFailure> {
        let source = &self.calls.source;
        self.calls
            .run(Method::List, || {
                source.list(token.clone(), self.options.page_size)
            })
            .await
            .map_err(|e| failure::from_source(&e))
    }

    /// Fetches `ids` with bounded concurrency, parses them, and stores them in batches (of
    /// `batch_size` messages or [`BATCH_BYTES`] of text); the last batch's transaction also
    /// writes `checkpoint`.
    async fn fetch_and_store(
        &self,
        ids: Vec<String>,
        epoch: Option<i64>,
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), RunFailure> {
        self.pipelined(epoch, |filled| async move {
            self.fetch_into(ids, checkpoint, &filled).await.map(|_| ())
        })
        .await
    }

    /// Runs `produce`, which fetches and parses mail and sends it in batches, beside the
    /// writer that stores the batches in the order they were sent.
    ///
    /// Fetching and storing run side by side: while one batch is written (SQLite works on its
    /// own thread), the next is fetched and parsed. Written in line, the fetches drained while
    /// each batch was stored and the machine sat partly idle. One finished batch at most waits
    /// for the writer, so the parsed mail held is at most three batches (the one written, the
    /// one waiting, the one being filled).
    ///
    /// A writer's error ends the producer at once (the fetches in flight are aborted; what was
    /// not written is fetched again by the next run). A producer's error ends the run once the
    /// writer has stored the batches sent before it: complete messages are never thrown away.
    async fn pipelined<F>(
        &self,
        epoch: Option<i64>,
        produce: impl FnOnce(Batches) -> F,
    ) -> Result<(), RunFailure>
    where
        F: std::future::Future<Output = Result<(), RunFailure>>,
    {
        let (filled, mut to_store) = tokio::sync::mpsc::channel(1);
        // The producer's future owns the sender, and is dropped when it ends: the writer then
        // sees the channel close once it has stored what was sent.
        let producing = async { produce(filled).await };
        let writing = async {
            while let Some((batch, checkpoint)) = to_store.recv().await {
                self.store_batch(batch, epoch, checkpoint).await?;
            }
            Ok::<(), RunFailure>(())
        };
        tokio::pin!(producing, writing);
        let produced = tokio::select! {
            produced = &mut producing => produced,
            written = &mut writing => {
                written?;
                return producing.await;
            }
        };
        writing.await?;
        produced
    }

    /// Fetches `ids` with bounded concurrency, parses them, and sends them to the writer in
    /// batches (of `batch_size` messages or [`BATCH_BYTES`] of text), the last one with
    /// `checkpoint`. False when the writer has stopped (only on an error, which it returns
    /// itself).
    async fn fetch_into(
        &self,
        ids: Vec<String>,
        checkpoint: Option<Checkpoint>,
        filled: &Batches,
    ) -> Result<bool, RunFailure> {
        let mut fetches = futures::stream::iter(ids)
            .map(|id| {
                let calls = self.calls.clone();
                // Dropping the stream (the run stopped, failed or was cancelled) aborts every
                // fetch still in flight, so none outlives its run.
                AbortOnDropHandle::new(tokio::spawn(async move { fetch_one(&calls, id).await }))
            })
            .buffer_unordered(self.options.concurrency.max(1));
        let mut batch = Vec::with_capacity(self.options.batch_size);
        let mut batch_bytes = 0;
        while let Some(joined) = fetches.next().await {
            let fetched =
                joined.map_err(|e| failure::internal(format!("a fetch task failed: {e}")))?;
            let Some(message) = self.received(fetched.map_err(|e| failure::from_source(&e))?)
            else {
                continue;
            };
            batch_bytes += weight(&message);
            batch.push(message);
            if batch.len() >= self.options.batch_size || batch_bytes >= BATCH_BYTES {
                if filled
                    .send((std::mem::take(&mut batch), None))
                    .await
                    .is_err()
                {
                    return Ok(false);
                }
                batch_bytes = 0;
            }
        }
        Ok(filled.send((batch, checkpoint)).await.is_ok())
    }

    /// Counts one finished fetch in the progress; the message to store, if there is one.
    fn received(&self, fetched: Fetched) -> Option<FetchedMessage> {
        let message = match fetched {
            Fetched::Message(message) => {
                self.reporter.update(|p| {
                    p.progress.fetched_emails += 1;
                    p.progress.processed_emails += 1;
                });
                message
            }
            Fetched::TooLarge {
                placeholder,
                limit_mb,
            } => {
                self.too_large.fetch_add(1, Ordering::SeqCst);
                self.too_large_mb.store(limit_mb, Ordering::SeqCst);
                self.reporter.update(|p| p.progress.processed_emails += 1);
                placeholder
            }
            // Deleted on the server since it was listed: history will say so too.
            Fetched::Gone => {
                self.reporter.update(|p| p.progress.processed_emails += 1);
                return None;
            }
        };
        // A new message is progress, whatever the batch is waiting for.
        self.calls.pulse.beat();
        Some(message)
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
        // The batch carries its own heartbeat (with the progress it makes) in its transaction.
        let mut progress = self.lease.progress();
        progress.progress.inserted_emails += inserted;
        progress.progress.stored_links += links;
        self.lease
            .commit_with_heartbeat(tx, &progress)
            .await
            .map_err(|e| failure::from_ledger(&e))?;
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
        Ok(())
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

/// Roughly what a parsed message holds in memory until it is stored.
fn weight(message: &FetchedMessage) -> usize {
    let p = &message.parsed;
    p.text_body.as_ref().map_or(0, String::len)
        + p.html_body.as_ref().map_or(0, String::len)
        + p.snippet.len()
        + p.links
            .iter()
            .map(|l| l.url.len() + l.domain.len())
            .sum::<usize>()
}

/// Gets and parses one message. The raw bytes are dropped once parsed (the store keeps only
/// what was parsed from them), and with them the budget they were read under.
async fn fetch_one<S: MailSource>(calls: &Calls<S>, id: String) -> Result<Fetched, SourceError> {
    let source = &calls.source;
    match calls.run(Method::Get, || source.get_raw(id.clone())).await {
        Ok(mut meta) => {
            let parsed = crate::mail::parse_mail(&meta.raw);
            meta.raw = Vec::new();
            meta.held.clear();
            Ok(Fetched::Message(FetchedMessage { meta, parsed }))
        }
        Err(SourceError::NotFound(_)) => Ok(Fetched::Gone),
        Err(SourceError::TooLarge { limit }) => {
            let mb = limit / (1024 * 1024);
            let note = format!(
                "This message is larger than {mb} MB, so Inbox Sync did not download it; open it in Gmail."
            );
            let meta = RawMessage {
                thread_id: id.clone(),
                id,
                label_ids: Vec::new(),
                history_id: None,
                internal_date_ms: None,
                size_estimate: None,
                raw: Vec::new(),
                held: Vec::new(),
            };
            let parsed = crate::mail::ParsedMail {
                snippet: note.clone(),
                defects: vec![note],
                ..Default::default()
            };
            Ok(Fetched::TooLarge {
                placeholder: FetchedMessage { meta, parsed },
                limit_mb: mb,
            })
        }
        Err(e) => Err(e),
    }
}
