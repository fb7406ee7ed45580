//! Google's own Python client (`google-api-python-client`, from PyPI, in a throwaway virtualenv)
//! drives the fake as a Gmail client would and judges every answer by the discovery document it
//! ships (`tests/conformance/gmail_client.py`); the fake changes until that client is satisfied.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fake_gmail::{FakeConfig, FakeGmail, MessageKind, RateLimitForm};
use serde_json::{json, Value};

/// The client release the checks are written against; the virtualenv is cached per version.
const CLIENT_VERSION: &str = "2.202.0";
/// Creating the virtualenv and installing from PyPI, on a cold cache.
const INSTALL_DEADLINE: Duration = Duration::from_secs(600);
/// One phase of the script (Python starts, imports the client, makes a few hundred calls).
const PHASE_DEADLINE: Duration = Duration::from_secs(180);

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/gmail_client.py")
}

/// What a finished program said, or why it did not finish.
struct Ran {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs a program to its end or its deadline (then kills it), keeping everything it printed.
fn run(command: &mut Command, deadline: Duration) -> Result<Ran, String> {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let end = Instant::now() + deadline;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    match status {
        Some(status) => Ok(Ran {
            success: status.success(),
            stdout,
            stderr,
        }),
        None => Err(format!(
            "{shown} did not finish within {deadline:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        )),
    }
}

/// The virtualenv's python, creating the virtualenv once per client version under the target
/// directory (staged, then renamed, so an interrupted install is never taken for a finished one).
fn python() -> PathBuf {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(make_venv) {
        Ok(python) => python.clone(),
        Err(why) => panic!("{why}"),
    }
}

fn make_venv() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-venv");
    let dir = root.join(format!("google-api-python-client-{CLIENT_VERSION}"));
    // A virtualenv finds itself from the path of the python it runs, so a renamed one works.
    let python = dir.join("bin").join("python");
    if dir.join("ready").exists() {
        return Ok(python);
    }
    let staging = root.join(format!("staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {root:?}: {e}"))?;
    let created = run(
        Command::new("python3").args(["-m", "venv"]).arg(&staging),
        INSTALL_DEADLINE,
    )?;
    if !created.success {
        return Err(format!(
            "python3 -m venv failed (Debian: python3-venv, which `cargo xtask deps` installs):\n{}",
            created.stderr
        ));
    }
    let installed = run(
        Command::new(staging.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
            ])
            .arg(format!("google-api-python-client=={CLIENT_VERSION}")),
        INSTALL_DEADLINE,
    )?;
    if !installed.success {
        return Err(format!(
            "pip could not install google-api-python-client=={CLIENT_VERSION} from PyPI:\n{}\n{}",
            installed.stdout, installed.stderr
        ));
    }
    std::fs::write(staging.join("ready"), CLIENT_VERSION)
        .map_err(|e| format!("cannot mark {staging:?} ready: {e}"))?;
    if std::fs::rename(&staging, &dir).is_err() {
        // Another test process finished first; its virtualenv is as good as this one.
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(python)
}

/// Runs one phase of the script against the fake, off the runtime that serves the fake.
async fn phase(fake: &FakeGmail, name: &str, expect: Value) -> Result<Value, String> {
    let python = tokio::task::spawn_blocking(python)
        .await
        .expect("the virtualenv is made without panicking");
    let args = [
        name.to_string(),
        fake.base_url(),
        common::TOKEN.to_string(),
        expect.to_string(),
    ];
    let ran = tokio::task::spawn_blocking(move || {
        run(
            Command::new(python).arg(script()).args(args),
            PHASE_DEADLINE,
        )
    })
    .await
    .expect("the script runs without panicking")?;
    let shown = format!(
        "phase {name}\n--- stdout\n{}\n--- stderr\n{}",
        ran.stdout, ran.stderr
    );
    if !ran.success {
        return Err(shown);
    }
    // The script's own tally ("phase read: 1234 checks held"), shown with --nocapture.
    eprintln!("{}", ran.stderr.trim());
    ran.stdout
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .and_then(|json| serde_json::from_str(json).ok())
        .ok_or(shown)
}

/// Passes the phase or fails the test with everything the script printed.
async fn pass(fake: &FakeGmail, name: &str, expect: Value) -> Value {
    match phase(fake, name, expect).await {
        Ok(result) => result,
        Err(output) => panic!("Google's Python client disagrees with the fake in {output}"),
    }
}

fn conformance_config() -> FakeConfig {
    FakeConfig::default().messages(60).seed(11)
}

/// What the read phase is told: the mailbox's truth, a sample of every shape, ids to batch.
fn read_expectations(fake: &FakeGmail) -> Value {
    let truth = fake.truth();
    let mut sample: Vec<String> = truth.iter().take(2).map(|m| m.id.clone()).collect();
    for kind in [MessageKind::WithAttachments, MessageKind::Alternative] {
        if let Some(m) = truth.iter().find(|m| m.kind == kind) {
            sample.push(m.id.clone());
        }
    }
    if let Some(m) = truth.iter().find(|m| m.kind.is_malformed()) {
        sample.push(m.id.clone());
    }
    let batch: Vec<String> = truth
        .iter()
        .skip(5)
        .take(30)
        .map(|m| m.id.clone())
        .collect();
    json!({
        "emailAddress": fake.email_address(),
        "messagesTotal": truth.len(),
        "listed": truth.len(),
        "sample": sample,
        "batch": batch,
    })
}

/// Google's Python client reads profile, labels, pages, all four formats, batches, history and
/// every error form from the fake, each answer matching Gmail's discovery document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_python_client_agrees_with_the_fake() {
    let fake = common::start(conformance_config()).await;
    let read = pass(&fake, "read", read_expectations(&fake)).await;
    let start = fake.history_id();
    assert_eq!(
        read["historyId"],
        json!(start.to_string()),
        "the profile's historyId is the mailbox's"
    );
    assert!(
        fake.counts().batch >= 3,
        "the client's batches reached the batch endpoint"
    );

    let added = fake.add_messages(3);
    let truth = fake.truth();
    let oldest = truth.last().expect("the mailbox has messages").id.clone();
    let unstarred = truth
        .iter()
        .find(|m| {
            !m.label_ids.iter().any(|l| l == "STARRED") && !added.contains(&m.id) && m.id != oldest
        })
        .expect("some message is not starred")
        .id
        .clone();
    assert_eq!(
        fake.delete_messages(&[&oldest]),
        vec![oldest.clone()],
        "the oldest message is deleted"
    );
    fake.modify_labels(&unstarred, &["STARRED"], &[])
        .expect("the message exists");
    pass(
        &fake,
        "history",
        json!({"start": start.to_string(), "added": added, "deleted": [oldest], "starred": unstarred}),
    )
    .await;

    fake.set_history_retention(Some(1));
    fake.add_messages(2);
    pass(&fake, "expired", json!({"start": start.to_string()})).await;

    let some_id = fake.truth()[0].id.clone();
    fake.set_quota(Some(10));
    for (form, status, reason) in [
        (RateLimitForm::Forbidden, 403, "userRateLimitExceeded"),
        (RateLimitForm::TooManyRequests, 429, "rateLimitExceeded"),
    ] {
        fake.set_rate_limit_form(form);
        pass(
            &fake,
            "ratelimit",
            json!({"id": some_id, "status": status, "reason": reason}),
        )
        .await;
    }
    fake.shutdown().await;
}

/// The check can fail: a batch answer whose part lacks its `Content-ID` makes the script fail,
/// naming the batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_answer_without_content_id_fails_the_check() {
    let fake = common::start(conformance_config()).await;
    fake.set_batch_drops_content_id(true);
    let outcome = phase(&fake, "read", read_expectations(&fake)).await;
    let output = match outcome {
        Ok(result) => {
            panic!("the script must fail on a batch part without Content-ID, got {result}")
        }
        Err(output) => output,
    };
    assert!(
        output.contains("googleapiclient cannot read the answer"),
        "the failure is the batch answer the client could not read:\n{output}"
    );
    fake.shutdown().await;
}
