//! A property test of the ledger against a simple model over random sequences of start,
//! heartbeat, finish, crash and clock moves by several owners.
mod common;

use std::collections::{BTreeMap, HashSet};

use common::*;
use inbox_sync_core::{
    ErrorTag, Ledger, LedgerError, ManualClock, Outcome, RunProgress, RunStatus, Trigger,
};
use proptest::prelude::*;

const STALE_MS: i64 = 60_000;
const CLIENTS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Start(usize),
    Heartbeat(usize),
    Finish(usize, u8),
    /// The client's process dies: the OS now reports its pid gone.
    Crash(usize),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..CLIENTS).prop_map(Op::Start),
        3 => (0..CLIENTS).prop_map(Op::Heartbeat),
        2 => (0..CLIENTS, 0..3u8).prop_map(|(c, k)| Op::Finish(c, k)),
        1 => (0..CLIENTS).prop_map(Op::Crash),
        3 => prop_oneof![0..2_000i64, 55_000..65_000i64].prop_map(Op::Advance),
    ]
}

struct ModelRun {
    id: i64,
    owner: u32,
    last_heartbeat: i64,
}

#[derive(Default)]
struct Model {
    now: i64,
    running: Option<ModelRun>,
    statuses: BTreeMap<i64, (RunStatus, Option<&'static str>)>,
    next_id: i64,
    dead: HashSet<u32>,
}

impl Model {
    fn is_stale(&self, run: &ModelRun) -> bool {
        self.dead.contains(&run.owner) || self.now - run.last_heartbeat > STALE_MS
    }
}

struct Client {
    pid: u32,
    ledger: Ledger,
    run: Option<i64>,
}

fn outcome(kind: u8) -> Outcome {
    match kind {
        0 => Outcome::Success,
        1 => Outcome::Error {
            name: "E".into(),
            message: "m".into(),
            tag: ErrorTag::Gmail,
        },
        _ => Outcome::Aborted {
            tag: ErrorTag::Cancelled,
            message: "stopped".into(),
        },
    }
}

async fn check(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let clock = ManualClock::new(1_000_000);
    let dead = DeclaredDead::default();
    let mut model = Model {
        now: 1_000_000,
        next_id: 1,
        ..Model::default()
    };
    let mut next_pid = 100u32;
    let mut clients: Vec<Client> = (0..CLIENTS)
        .map(|_| {
            next_pid += 1;
            Client {
                pid: next_pid,
                ledger: ledger_for(&store, next_pid, &clock, &dead, STALE_MS as u64),
                run: None,
            }
        })
        .collect();

    for op in ops {
        match op {
            Op::Start(c) => {
                let got = clients[c].ledger.start(Trigger::Cli).await.unwrap();
                let live = model
                    .running
                    .as_ref()
                    .filter(|r| !model.is_stale(r))
                    .map(|r| r.id);
                if let Some(id) = live {
                    prop_assert!(
                        !got.started && got.run_id == id,
                        "refused for live run {id}: {got:?}"
                    );
                } else {
                    if let Some(old) = model.running.take() {
                        model
                            .statuses
                            .insert(old.id, (RunStatus::Aborted, Some("stale")));
                    }
                    prop_assert!(
                        got.started && got.run_id == model.next_id,
                        "started {}: {got:?}",
                        model.next_id
                    );
                    model.running = Some(ModelRun {
                        id: got.run_id,
                        owner: clients[c].pid,
                        last_heartbeat: model.now,
                    });
                    model
                        .statuses
                        .insert(got.run_id, (RunStatus::Running, None));
                    model.next_id += 1;
                    clients[c].run = Some(got.run_id);
                }
            }
            Op::Heartbeat(c) => {
                let Some(id) = clients[c].run else { continue };
                let got = clients[c]
                    .ledger
                    .heartbeat(id, &RunProgress::default())
                    .await;
                let holds = model.running.as_ref().is_some_and(|r| r.id == id);
                if holds {
                    prop_assert!(
                        got.is_ok(),
                        "heartbeat of the running run {id} succeeds: {got:?}"
                    );
                    model.running.as_mut().unwrap().last_heartbeat = model.now;
                } else {
                    prop_assert!(
                        matches!(got, Err(LedgerError::LeaseLost { run_id }) if run_id == id),
                        "lease lost for {id}: {got:?}"
                    );
                }
            }
            Op::Finish(c, kind) => {
                let Some(id) = clients[c].run.take() else {
                    continue;
                };
                let outcome = outcome(kind);
                let got = clients[c]
                    .ledger
                    .finish(id, &outcome, &RunProgress::default())
                    .await;
                let holds = model.running.as_ref().is_some_and(|r| r.id == id);
                if holds {
                    prop_assert!(
                        got.is_ok(),
                        "finish of the running run {id} succeeds: {got:?}"
                    );
                    model.running = None;
                    let tag = match kind {
                        0 => None,
                        1 => Some("gmail"),
                        _ => Some("cancelled"),
                    };
                    model.statuses.insert(id, (outcome.status(), tag));
                } else {
                    prop_assert!(
                        matches!(got, Err(LedgerError::LeaseLost { .. })),
                        "finish of {id} is fenced: {got:?}"
                    );
                }
            }
            Op::Crash(c) => {
                dead.kill(clients[c].pid);
                model.dead.insert(clients[c].pid);
                next_pid += 1;
                clients[c] = Client {
                    pid: next_pid,
                    ledger: ledger_for(&store, next_pid, &clock, &dead, STALE_MS as u64),
                    run: None,
                };
            }
            Op::Advance(ms) => {
                clock.advance(ms);
                model.now += ms;
            }
        }
        let active = clients[0].ledger.get_active().await.unwrap();
        let expected = model.running.as_ref().map(|r| (r.id, model.is_stale(r)));
        prop_assert_eq!(
            active.map(|r| (r.id, r.is_stale)),
            expected,
            "getActive and isStale match the model"
        );
    }
    let rows = clients[0].ledger.history(10_000, None).await.unwrap();
    let got: BTreeMap<i64, (RunStatus, Option<String>)> = rows
        .into_iter()
        .map(|r| (r.id, (r.status, r.error_tag.map(|t| t.as_str().to_owned()))))
        .collect();
    let want: BTreeMap<i64, (RunStatus, Option<String>)> = model
        .statuses
        .iter()
        .map(|(id, (s, t))| (*id, (*s, t.map(String::from))))
        .collect();
    prop_assert_eq!(
        got,
        want,
        "every run's final status and tag match the model"
    );
    store.close().await;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The ledger behaves like the model for any sequence of operations.
    #[test]
    fn ledger_matches_model(ops in prop::collection::vec(op(), 1..48)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(check(ops))?;
    }
}
