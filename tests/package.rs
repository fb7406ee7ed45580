//! The app as the `.deb` installs it, in a real window (Xvfb + tauri-driver + WebKitWebDriver):
//! the installed `/usr/bin/inbox-sync` opens its window, paints its fetch card and syncs the
//! demo mailbox. It needs the package installed, so `cargo xtask install-check` runs it (with
//! `INBOX_SYNC_INSTALLED_APP`) between installing and removing the package; a plain `cargo
//! test` skips it as ignored.
// Xvfb, WebKitWebDriver and process groups: these window tests run on Linux only.
#![cfg(target_os = "linux")]
#[path = "e2e/harness.rs"]
// Shared with tests/e2e.rs, which uses the rest of it.
#[allow(dead_code)]
mod harness;

use std::path::Path;
use std::time::{Duration, Instant};

use harness::{App, Knobs};
use serde_json::json;

/// The variable naming the installed binary to launch.
const INSTALLED: &str = "INBOX_SYNC_INSTALLED_APP";

/// The installed app (not the one cargo built) opens its window with the fetch card, a click on "Fetch new emails" syncs, and the inbox ends equal to the demo server's mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the .deb installed; `cargo xtask install-check` runs it"]
async fn the_installed_app_opens_its_window_and_syncs_the_demo_mailbox() {
    let installed = std::env::var(INSTALLED).unwrap_or_else(|_| {
        panic!("{INSTALLED} must name the installed app, e.g. /usr/bin/inbox-sync (`cargo xtask install-check` sets it)")
    });
    assert!(
        Path::new(&installed).is_file(),
        "{installed} is installed (by the package)"
    );
    let started = Instant::now();
    let app = App::launch(Knobs {
        messages: 300,
        latency_ms: 0,
        quota: 1_000_000,
        app: installed.clone(),
        ..Knobs::default()
    })
    .await;
    eprintln!(
        "package: the installed app's fetch card painted {:.2} s after the launch began",
        started.elapsed().as_secs_f64()
    );

    // The window is the installed program's, not a build under target/.
    let pids = app.app_pids();
    assert!(!pids.is_empty(), "the window's process is found");
    for pid in &pids {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("the process's binary");
        assert_eq!(
            exe,
            Path::new(&installed),
            "window process {pid} runs the installed binary"
        );
    }
    assert_eq!(
        app.card_state().await,
        "idle",
        "auto-sync is off, so the window opens idle"
    );

    app.click("#fetch-button").await;
    app.wait_for(
        "the sync started from the window has finished",
        Duration::from_secs(120),
        || async {
            let latest = app.invoke("get_latest", json!({})).await;
            latest["status"] == "success" && app.invoke("get_active", json!({})).await.is_null()
        },
    )
    .await;
    let latest = app.invoke("get_latest", json!({})).await;
    assert_eq!(
        latest["trigger"], "button",
        "the click started it: {latest}"
    );
    let ids = app.inbox_ids().await;
    assert_eq!(
        ids,
        app.knobs.server_ids(),
        "the installed app's inbox is exactly the demo server's mailbox"
    );
    eprintln!(
        "package: launch, sync of {} messages and check took {:.2} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
}
