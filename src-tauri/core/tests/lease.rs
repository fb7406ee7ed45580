//! The owner's lease: it always ends the run — success, error, cancellation, panic — and
//! stops the work when the run is taken over or its heartbeats stop succeeding.
mod common;

use std::time::{Duration, Instant};

use common::*;
use inbox_sync_core::{
    ErrorTag, LeaseLoss, Leased, Ledger, ManualClock, Phase, RunFailure, RunReport, RunStatus,
    SyncRun, Trigger,
};
use tokio_util::sync::CancellationToken;

async fn ran<T>(result: Result<Leased<T>, inbox_sync_core::LedgerError>) -> RunReport<T> {
    match result.expect("no storage error") {
        Leased::Ran(report) => report,
        Leased::AlreadyRunning { run_id } => panic!("unexpectedly refused by run {run_id}"),
    }
}

async fn row(ledger: &Ledger, id: i64) -> SyncRun {
    ledger.get(id).await.unwrap().expect("the run's row")
}

fn setup() -> (TempDb, ManualClock, DeclaredDead) {
    (
        temp_db(),
        ManualClock::new(1_000_000),
        DeclaredDead::default(),
    )
}

/// Work that succeeds ends `success` with its last reported progress.
#[tokio::test]
async fn success_is_recorded_with_progress() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let ledger = ledger_for(&store, 1, &clock, &dead, 60_000);
    let report = ran(ledger
        .run_leased(
            Trigger::Button,
            CancellationToken::new(),
            |lease| async move {
                lease.update_progress(|p| {
                    p.progress.fetched_emails = 42;
                    p.phase = Some(Phase::Fetching);
                });
                Ok::<_, RunFailure>(7)
            },
        )
        .await)
    .await;
    assert_eq!(report.value, Some(7), "the work's value comes back");
    let run = row(&ledger, report.run_id).await;
    assert_eq!(run.status, RunStatus::Success, "recorded as success");
    assert_eq!(run.progress.fetched_emails, 42, "final progress recorded");
    assert!(
        ledger.get_active().await.unwrap().is_none(),
        "nothing left running"
    );
}

/// A failure ends `error` with the failure's name, message and tag.
#[tokio::test]
async fn failure_is_recorded_with_its_tag() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let ledger = ledger_for(&store, 1, &clock, &dead, 60_000);
    let report = ran(ledger
        .run_leased(Trigger::Tray, CancellationToken::new(), |_| async {
            Err::<(), _>(RunFailure::new(
                "QuotaExceeded",
                "Gmail quota ran out",
                ErrorTag::RateLimit,
            ))
        })
        .await)
    .await;
    let run = row(&ledger, report.run_id).await;
    assert_eq!(run.status, RunStatus::Error, "recorded as error");
    assert_eq!(
        run.error_name.as_deref(),
        Some("QuotaExceeded"),
        "name kept"
    );
    assert_eq!(
        run.error_tag.map(|t| t.as_str()),
        Some("rateLimit"),
        "tag kept"
    );
    assert_eq!(
        run.error_message.as_deref(),
        Some("Gmail quota ran out"),
        "message kept"
    );
}

/// A panic in the work still ends the run, as `error` tagged `internal`.
#[tokio::test]
async fn panic_still_finishes_the_run() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let ledger = ledger_for(&store, 1, &clock, &dead, 60_000);
    let report = ran(ledger
        .run_leased(Trigger::Launch, CancellationToken::new(), |_| async {
            if std::hint::black_box(true) {
                panic!("parser exploded");
            }
            Ok::<(), RunFailure>(())
        })
        .await)
    .await;
    let run = row(&ledger, report.run_id).await;
    assert_eq!(
        run.status,
        RunStatus::Error,
        "a panic is an error, not a forever-running run"
    );
    assert_eq!(
        run.error_tag.map(|t| t.as_str()),
        Some("internal"),
        "tagged internal"
    );
    assert!(
        run.error_message.unwrap().contains("parser exploded"),
        "with the panic text"
    );
}

/// Cancelling stops the work promptly and ends the run `aborted`, tag `cancelled`.
#[tokio::test]
async fn cancellation_aborts_promptly() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let ledger = ledger_for(&store, 1, &clock, &dead, 60_000);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        trigger.cancel();
    });
    let begun = Instant::now();
    let report = ran(ledger
        .run_leased(Trigger::Button, cancel, |_| async {
            std::future::pending::<()>().await;
            Ok::<(), RunFailure>(())
        })
        .await)
    .await;
    assert!(
        begun.elapsed() < Duration::from_secs(1),
        "stopped within a second"
    );
    let run = row(&ledger, report.run_id).await;
    assert_eq!(run.status, RunStatus::Aborted, "cancelled runs are aborted");
    assert_eq!(
        run.error_tag.map(|t| t.as_str()),
        Some("cancelled"),
        "tagged cancelled"
    );
}

/// A takeover noticed by the timer heartbeat stops the work; the taker's row is untouched.
#[tokio::test]
async fn takeover_stops_the_work_and_leaves_the_new_run_alone() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let owner = ledger_for(&store, 1, &clock, &dead, 1_200);
    let taker = ledger_for(&store, 2, &clock, &dead, 1_200);
    let taker2 = taker.clone();
    let begun = Instant::now();
    let report = ran(owner
        .run_leased(
            Trigger::Button,
            CancellationToken::new(),
            |lease| async move {
                // The taker sees the owner as dead (as after a crash it cannot notice itself).
                dead.kill(1);
                let taken = taker2.start(Trigger::Button).await.unwrap();
                assert!(taken.started, "the taker replaces the stale run");
                lease.lost().cancelled().await;
                Ok::<(), RunFailure>(())
            },
        )
        .await)
    .await;
    assert_eq!(
        report.lost,
        Some(LeaseLoss::TakenOver),
        "the owner learns it was taken over"
    );
    assert!(
        begun.elapsed() < Duration::from_secs(2),
        "within about one heartbeat interval"
    );
    let old = row(&taker, report.run_id).await;
    assert_eq!(
        old.error_tag.map(|t| t.as_str()),
        Some("stale"),
        "the old row keeps the taker's verdict"
    );
    let new = taker.get_active().await.unwrap().expect("the taker's run");
    assert_eq!(
        new.status,
        RunStatus::Running,
        "the new run is still running"
    );
}

/// When heartbeats cannot succeed past the self-fencing deadline, the lease gives up by
/// itself and records the run as aborted (`leaseExpired`) since nobody has taken it.
#[tokio::test]
async fn self_fencing_gives_up_without_a_successful_heartbeat() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let ledger = ledger_for(&store, 1, &clock, &dead, 1_200);
    let clock2 = clock.clone();
    let report = ran(ledger
        .run_leased(
            Trigger::Button,
            CancellationToken::new(),
            |lease| async move {
                // 0.95 s pass with no heartbeat: past the 0.9 s self-fencing deadline.
                clock2.advance(950);
                let write = lease.begin_write().await;
                assert!(write.is_err(), "a fenced write refuses past the deadline");
                lease.lost().cancelled().await;
                Ok::<(), RunFailure>(())
            },
        )
        .await)
    .await;
    assert_eq!(report.lost, Some(LeaseLoss::SelfFenced), "it fenced itself");
    let run = row(&ledger, report.run_id).await;
    assert_eq!(
        run.status,
        RunStatus::Aborted,
        "ended truthfully as aborted"
    );
    assert_eq!(
        run.error_tag.map(|t| t.as_str()),
        Some("leaseExpired"),
        "tagged leaseExpired"
    );
}

/// While a leased run is live, another start is refused with its id and nothing runs.
#[tokio::test]
async fn second_leased_run_is_refused() {
    let (db, clock, dead) = setup();
    let store = open_store(&db.path).await;
    let a = ledger_for(&store, 1, &clock, &dead, 60_000);
    let b = ledger_for(&store, 2, &clock, &dead, 60_000);
    let report = ran(a
        .run_leased(
            Trigger::Button,
            CancellationToken::new(),
            |lease| async move {
                let other = b
                    .run_leased(Trigger::Tray, CancellationToken::new(), |_| async {
                        panic!("the second run's work must never start");
                        #[allow(unreachable_code)]
                        Ok::<(), RunFailure>(())
                    })
                    .await
                    .unwrap();
                match other {
                    Leased::AlreadyRunning { run_id } => {
                        Ok::<_, RunFailure>(run_id == lease.run_id())
                    }
                    Leased::Ran(_) => Ok(false),
                }
            },
        )
        .await)
    .await;
    assert_eq!(report.value, Some(true), "refused, naming the live run");
}
