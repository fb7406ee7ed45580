//! The ledger's seed behaviour in one process: refusal while live, takeover when stale or
//! dead, fencing after a takeover, and the read operations.
mod common;

use common::*;
use inbox_sync_core::{
    ErrorTag, LedgerError, ManualClock, Outcome, Phase, RunProgress, RunStatus, StartResult,
    Trigger,
};

fn progress(n: i64) -> RunProgress {
    let mut p = RunProgress::default();
    p.progress.fetched_emails = n;
    p.phase = Some(Phase::Fetching);
    p
}

/// A live run (fresh heartbeat, owner alive) makes every other start refuse with its id.
#[tokio::test]
async fn start_refuses_while_a_live_run_exists() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let clock = ManualClock::new(1_000_000);
    let dead = DeclaredDead::default();
    let a = ledger_for(&store, 1, &clock, &dead, 60_000);
    let b = ledger_for(&store, 2, &clock, &dead, 60_000);

    let first = a.start(Trigger::Button).await.unwrap();
    assert!(
        first.started,
        "an empty ledger lets the first start through"
    );
    clock.advance(59_000);
    a.heartbeat(first.run_id, &progress(1)).await.unwrap();
    clock.advance(59_000);
    let second = b.start(Trigger::Tray).await.unwrap();
    assert_eq!(
        second,
        StartResult::already_running(first.run_id),
        "59 s after a heartbeat the run is live, so the second start is refused with its id"
    );
    let active = b.get_active().await.unwrap().expect("a running run");
    assert_eq!(active.id, first.run_id, "getActive returns the live run");
    assert!(!active.is_stale, "a live run is not stale");
}

/// A run silent past the stale threshold is marked aborted/stale and replaced in one step.
#[tokio::test]
async fn start_takes_over_a_stale_run() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let clock = ManualClock::new(1_000_000);
    let dead = DeclaredDead::default();
    let a = ledger_for(&store, 1, &clock, &dead, 60_000);
    let b = ledger_for(&store, 2, &clock, &dead, 60_000);

    let first = a.start(Trigger::Launch).await.unwrap();
    clock.advance(60_001);
    let active = b.get_active().await.unwrap().unwrap();
    assert!(active.is_stale, "60.001 s without a heartbeat is stale");
    let second = b.start(Trigger::Button).await.unwrap();
    assert!(second.started, "a stale run does not block a new start");
    assert!(
        second.run_id > first.run_id,
        "run ids only grow (fencing tokens)"
    );

    let old = b.history(10, None).await.unwrap().pop().unwrap();
    assert_eq!(old.id, first.run_id, "history's oldest is the first run");
    assert_eq!(
        old.status,
        RunStatus::Aborted,
        "the stale run is marked aborted"
    );
    assert_eq!(
        old.error_tag.map(|t| t.as_str()),
        Some("stale"),
        "with tag stale"
    );
    assert_eq!(
        old.finished_at,
        Some(clock_now(&clock)),
        "finished at the takeover"
    );
    assert!(
        old.error_message.unwrap().contains("no heartbeat for 60 s"),
        "the message says why in plain words"
    );
}

/// An owner known dead is replaced at once, without waiting for the stale threshold.
#[tokio::test]
async fn start_takes_over_a_dead_owner_at_once() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let clock = ManualClock::new(5_000);
    let dead = DeclaredDead::default();
    let a = ledger_for(&store, 11, &clock, &dead, 60_000);
    let b = ledger_for(&store, 12, &clock, &dead, 60_000);
    let first = a.start(Trigger::Cli).await.unwrap();
    dead.kill(11);
    let second = b.start(Trigger::Cli).await.unwrap();
    assert!(
        second.started,
        "a dead owner's run is replaced with no wait"
    );
    let old = b.history(1, Some(second.run_id)).await.unwrap().remove(0);
    assert_eq!(
        old.id, first.run_id,
        "paging back from the new run finds the old one"
    );
    assert_eq!(
        old.error_tag.map(|t| t.as_str()),
        Some("stale"),
        "tagged stale"
    );
    assert!(
        old.error_message.unwrap().contains("pid 11"),
        "the message names the dead process"
    );
}

/// After a takeover the old owner's heartbeat and finish report lease lost and change nothing.
#[tokio::test]
async fn heartbeat_and_finish_after_takeover_are_fenced() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let clock = ManualClock::new(1_000_000);
    let dead = DeclaredDead::default();
    let a = ledger_for(&store, 1, &clock, &dead, 60_000);
    let b = ledger_for(&store, 2, &clock, &dead, 60_000);
    let old = a.start(Trigger::Button).await.unwrap().run_id;
    a.heartbeat(old, &progress(5)).await.unwrap();
    clock.advance(61_000);
    let new = b.start(Trigger::Button).await.unwrap().run_id;
    b.heartbeat(new, &progress(7)).await.unwrap();
    let before = b.history(10, None).await.unwrap();

    clock.advance(1_000);
    let hb = a.heartbeat(old, &progress(999)).await;
    assert!(
        matches!(hb, Err(LedgerError::LeaseLost { run_id }) if run_id == old),
        "the zombie's heartbeat is refused as lease lost: {hb:?}"
    );
    let fin = a.finish(old, &Outcome::Success, &progress(999)).await;
    assert!(
        matches!(fin, Err(LedgerError::LeaseLost { .. })),
        "the zombie's finish is refused as lease lost: {fin:?}"
    );
    let fenced_write = a.begin_fenced(old).await;
    assert!(
        matches!(fenced_write, Err(LedgerError::LeaseLost { .. })),
        "a fenced mail write by the zombie cannot even begin"
    );
    let after = b.history(10, None).await.unwrap();
    assert_eq!(
        before, after,
        "no row changed: not the old run, not the new one"
    );
}

/// Finishing records the outcome; getLatest and history see it, newest first and paged.
#[tokio::test]
async fn finish_is_recorded_and_readable() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let clock = ManualClock::new(10_000);
    let dead = DeclaredDead::default();
    let a = ledger_for(&store, 1, &clock, &dead, 60_000);
    assert!(
        a.get_latest().await.unwrap().is_none(),
        "empty ledger has no latest run"
    );
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = a.start(Trigger::Schedule).await.unwrap().run_id;
        clock.advance(100);
        let outcome = if i % 2 == 0 {
            Outcome::Success
        } else {
            Outcome::Error {
                name: "GmailError".into(),
                message: "Gmail said no".into(),
                tag: ErrorTag::Gmail,
            }
        };
        a.finish(id, &outcome, &progress(i)).await.unwrap();
        ids.push(id);
    }
    let latest = a.get_latest().await.unwrap().unwrap();
    assert_eq!(latest.id, ids[4], "latest is the last started");
    assert_eq!(latest.status, RunStatus::Success, "its outcome is recorded");
    assert_eq!(
        latest.finished_at,
        Some(latest.started_at + 100),
        "finish time recorded"
    );
    assert_eq!(latest.progress.fetched_emails, 4, "final counters recorded");
    assert!(
        a.get_active().await.unwrap().is_none(),
        "nothing is running after finish"
    );

    let page1 = a.history(2, None).await.unwrap();
    let page2 = a.history(2, Some(page1[1].id)).await.unwrap();
    let got: Vec<i64> = page1.iter().chain(&page2).map(|r| r.id).collect();
    assert_eq!(
        got,
        vec![ids[4], ids[3], ids[2], ids[1]],
        "pages are newest first and contiguous"
    );
    assert_eq!(page1[1].status, RunStatus::Error, "errors are kept");
    assert_eq!(
        page1[1].error_tag.map(|t| t.as_str()),
        Some("gmail"),
        "with their tag"
    );
}

fn clock_now(clock: &ManualClock) -> i64 {
    use inbox_sync_core::Clock;
    clock.now_ms()
}
