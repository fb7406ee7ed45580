//! The real `inbox-sync` binary in a real window (Xvfb + tauri-driver + WebKitWebDriver):
//! the fetch card tells the truth about syncs started here, elsewhere, after a crash, from
//! the tray's path and at launch, and the inbox ends equal to the server's mailbox.
#[path = "e2e/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::{App, Knobs};
use serde_json::{json, Value};

/// A quota the demo server never reaches (`INBOX_SYNC_DEMO_QUOTA=0` is not unlimited for
/// the demo server: it answers every request with a rate-limit error).
const NO_QUOTA: u32 = 1_000_000;

/// A mailbox whose sync lasts a few seconds, so a window can be watched while it runs.
fn slow(latency_ms: u64) -> Knobs {
    Knobs {
        messages: 300,
        latency_ms,
        quota: NO_QUOTA,
        ..Knobs::default()
    }
}

/// Waits for the card to reach `state` within `deadline`.
async fn wait_state(app: &App, state: &str, deadline: Duration) {
    app.wait_for(
        &format!("the card's data-state is {state}"),
        deadline,
        || async { app.card_state().await == state },
    )
    .await;
}

/// The run with this id in the ledger.
async fn run(app: &App, id: i64) -> Value {
    app.runs()
        .await
        .into_iter()
        .find(|r| r["id"].as_i64() == Some(id))
        .unwrap_or_else(|| panic!("run {id} is in the ledger"))
}

/// Waits until no run is running and returns the newest run.
async fn wait_finished(app: &App, deadline: Duration) -> Value {
    app.wait_for("no sync is running any more", deadline, || async {
        app.invoke("get_active", json!({})).await.is_null()
    })
    .await;
    app.invoke("get_latest", json!({})).await
}

async fn assert_inbox_is_server(app: &App) {
    let ids = app.inbox_ids().await;
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no message is listed twice");
    assert_eq!(
        ids,
        app.knobs.server_ids(),
        "the inbox lists exactly the server's messages"
    );
}

/// Clicking "Fetch new emails" shows a running sync with rising counters and a disabled button, and ends idle with the inbox equal to the server's mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_button_shows_the_sync_and_ends_with_the_servers_mailbox() {
    let app = App::launch(slow(150)).await;
    assert_eq!(
        app.card_state().await,
        "idle",
        "auto-sync is off, so the window opens idle"
    );
    assert!(app.runs().await.is_empty(), "nothing has run yet");

    app.click("#fetch-button").await;
    wait_state(&app, "running", Duration::from_secs(10)).await;
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Sync in progress…"),
        "a running sync is named as such"
    );
    assert!(
        app.disabled("#fetch-button").await,
        "the fetch button is disabled while a sync runs"
    );
    assert_eq!(
        app.attr("#stop-button", "hidden").await,
        None,
        "Stop is offered while a sync runs"
    );

    // The counters must be seen rising on screen, not only at the end.
    let mut seen: Vec<i64> = Vec::new();
    let end = Instant::now() + Duration::from_secs(60);
    while seen.len() < 3 && Instant::now() < end && app.card_state().await == "running" {
        let fetched = app.counter("count-fetched").await;
        if seen.last().is_none_or(|last| fetched > *last) {
            seen.push(fetched);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen.len() >= 3,
        "the fetched counter rose through at least two values while running: {seen:?}"
    );

    let latest = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(latest["status"], "success", "the sync succeeded: {latest}");
    assert_eq!(latest["trigger"], "button", "the click started it");
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    let last = app.text("#last-synced").await.unwrap_or_default();
    assert!(
        last.starts_with("Last synced"),
        "the idle card says when it last synced: {last:?}"
    );
    assert!(
        !app.disabled("#fetch-button").await,
        "the fetch button is enabled again"
    );
    assert_eq!(
        app.counter("count-inserted").await,
        app.knobs.messages as i64,
        "the card's final count of new mail is the whole mailbox"
    );
    assert_inbox_is_server(&app).await;
}

/// A command-line sync shows in the open window within 2 s with its button disabled, a start from the window is refused as alreadyRunning, and the window returns to idle within 2 s of its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_line_sync_shows_in_the_window_and_blocks_starting_another() {
    let app = App::launch(slow(400)).await;
    assert_eq!(app.card_state().await, "idle", "the window opens idle");

    let mut cli = app
        .cli(&["sync", "--demo"])
        .spawn()
        .expect("start `inbox-sync sync --demo`");
    // The window's 2 s are measured from the moment the CLI's run row exists.
    app.wait_for(
        "the command line's run is in the ledger",
        Duration::from_secs(30),
        || async { app.invoke("get_active", json!({})).await["trigger"] == "cli" },
    )
    .await;
    wait_state(&app, "running", Duration::from_secs(2)).await;
    assert!(
        app.disabled("#fetch-button").await,
        "the fetch button is disabled while another process syncs"
    );
    assert_eq!(
        app.text("#fetch-status").await.as_deref(),
        Some("Sync in progress…"),
        "the window names the other process's sync as running"
    );

    let before = app.runs().await.len();
    let refused = app.invoke("start", json!({})).await;
    assert_eq!(
        refused["started"], false,
        "a second sync must not start: {refused}"
    );
    assert_eq!(
        refused["reason"], "alreadyRunning",
        "the refusal says a sync is already running: {refused}"
    );
    assert_eq!(
        app.runs().await.len(),
        before,
        "the refused start added no run"
    );
    assert!(
        cli.try_wait().expect("poll the CLI").is_none(),
        "the CLI was still running when the start was refused, so the refusal was about it"
    );

    let end = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = cli.try_wait().expect("poll the CLI") {
            break status;
        }
        assert!(
            app.disabled("#fetch-button").await || cli.try_wait().ok().flatten().is_some(),
            "the fetch button stays disabled for as long as the command line syncs"
        );
        assert!(
            Instant::now() < end,
            "the command-line sync ends within 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let out = cli.wait_with_output().expect("CLI output");
    assert_eq!(
        status.code(),
        Some(0),
        "the command-line sync succeeds: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_state(&app, "idle", Duration::from_secs(2)).await;
    assert!(
        !app.disabled("#fetch-button").await,
        "the button is enabled once the other process is done"
    );
    assert_eq!(
        app.runs().await.len(),
        before,
        "only the command line's run exists"
    );
    assert_inbox_is_server(&app).await;
}

/// After the app is SIGKILLed mid-sync, a relaunch with auto-sync shows the resumed sync or "Last sync interrupted", records the dead run as aborted, and ends with the server's mailbox, no duplicates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_app_relaunches_resumes_and_ends_with_the_servers_mailbox() {
    let mut app = App::launch(slow(500)).await;
    let started = app.invoke("start", json!({})).await;
    assert_eq!(started["started"], true, "the sync starts: {started}");
    let killed_run = started["runId"].as_i64().expect("a run id");
    app.wait_for(
        "some mail is stored before the crash",
        Duration::from_secs(60),
        || async { app.counter("count-inserted").await > 0 },
    )
    .await;
    let pids = app.app_pids();
    assert_eq!(
        pids.len(),
        1,
        "exactly one window process runs on the data dir: {pids:?}"
    );
    // SAFETY: a signal to the app process this test launched.
    unsafe {
        libc::kill(pids[0], libc::SIGKILL);
    }
    app.wait_for(
        "the killed app is gone",
        Duration::from_secs(10),
        || async { app.app_pids().is_empty() },
    )
    .await;

    harness::write_settings(&app.data_dir(), true);
    app.relaunch().await;
    // The first paint precedes the first answer from Rust; the truth must follow promptly.
    app.wait_for(
        "the relaunched window shows the resumed sync or the interruption",
        Duration::from_secs(5),
        || async { matches!(app.card_state().await.as_str(), "running" | "interrupted") },
    )
    .await;
    let headline = app.text("#fetch-status").await.unwrap_or_default();
    assert!(
        matches!(
            headline.as_str(),
            "Sync in progress…" | "Last sync interrupted"
        ),
        "the headline names the resumed sync or the interruption: {headline:?}"
    );

    let latest = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(
        latest["status"], "success",
        "the resumed sync completes: {latest}"
    );
    assert_eq!(
        latest["trigger"], "launch",
        "auto-sync on launch resumed it"
    );
    let dead = run(&app, killed_run).await;
    assert_eq!(
        dead["status"], "aborted",
        "the killed run is recorded as aborted, not left running: {dead}"
    );
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    assert_inbox_is_server(&app).await;
}

/// With auto-sync on, a launch-triggered run starts by itself; then the tray's "Sync now" path starts a tray run that completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_sync_on_launch_and_the_tray_sync_now_path_both_sync() {
    let app = App::launch(Knobs {
        auto_sync: true,
        ..slow(20)
    })
    .await;
    app.wait_for("a launch run exists", Duration::from_secs(30), || async {
        app.runs().await.iter().any(|r| r["trigger"] == "launch")
    })
    .await;
    let first = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(
        first["trigger"], "launch",
        "the app synced by itself at launch"
    );
    assert_eq!(
        first["status"], "success",
        "the launch sync completed: {first}"
    );
    assert_inbox_is_server(&app).await;

    let tray = app.invoke("start", json!({"trigger": "tray"})).await;
    assert_eq!(
        tray["started"], true,
        "the tray's Sync now starts a sync when idle: {tray}"
    );
    let id = tray["runId"].as_i64().expect("a run id");
    let done = wait_finished(&app, Duration::from_secs(120)).await;
    assert_eq!(
        done["id"].as_i64(),
        Some(id),
        "the latest run is the tray's"
    );
    assert_eq!(
        done["trigger"], "tray",
        "the run is recorded as started from the tray"
    );
    assert_eq!(
        done["status"], "success",
        "the tray's sync completed: {done}"
    );
    wait_state(&app, "idle", Duration::from_secs(5)).await;
    assert_eq!(
        app.runs().await.len(),
        2,
        "exactly the launch run and the tray run exist"
    );
}

/// A sync started in one window shows running (button disabled) in a second window, and stopping it there ends it as cancelled in both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_windows_show_one_sync_and_either_can_stop_it() {
    let app = App::launch(slow(500)).await;
    let first = app
        .client
        .window()
        .await
        .expect("the first window's handle");
    app.invoke("open_window", json!({})).await;
    app.wait_for(
        "WebDriver sees a second window",
        Duration::from_secs(30),
        || async { app.client.windows().await.is_ok_and(|h| h.len() == 2) },
    )
    .await;
    let second = app
        .client
        .windows()
        .await
        .expect("window handles")
        .into_iter()
        .find(|h| *h != first)
        .expect("a second window");
    let switch = |handle: fantoccini::wd::WindowHandle| {
        let client = app.client.clone();
        async move {
            client
                .switch_to_window(handle)
                .await
                .expect("switch windows");
        }
    };

    switch(second.clone()).await;
    app.wait_for(
        "the second window paints its fetch card",
        harness::LAUNCH,
        || async { app.attr("#fetch-card", "data-state").await.is_some() },
    )
    .await;
    wait_state(&app, "idle", Duration::from_secs(5)).await;

    switch(first.clone()).await;
    app.click("#fetch-button").await;
    wait_state(&app, "running", Duration::from_secs(10)).await;

    switch(second.clone()).await;
    wait_state(&app, "running", Duration::from_secs(2)).await;
    assert!(
        app.disabled("#fetch-button").await,
        "the other window's fetch button is disabled while the sync runs"
    );
    app.wait_for(
        "Stop is offered in the second window",
        Duration::from_secs(2),
        || async { app.attr("#stop-button", "hidden").await.is_none() },
    )
    .await;
    app.click("#stop-button").await;

    let latest = wait_finished(&app, Duration::from_secs(30)).await;
    assert_eq!(
        latest["status"], "aborted",
        "the stopped run ends aborted: {latest}"
    );
    assert_eq!(
        latest["errorTag"], "cancelled",
        "it was the user who stopped it: {latest}"
    );
    for (name, handle) in [("second", second), ("first", first)] {
        switch(handle).await;
        wait_state(&app, "cancelled", Duration::from_secs(2)).await;
        assert_eq!(
            app.text("#fetch-status").await.as_deref(),
            Some("Sync stopped"),
            "the {name} window says the sync was stopped"
        );
        assert!(
            !app.disabled("#fetch-button").await,
            "the {name} window's fetch button is enabled again"
        );
    }
}
