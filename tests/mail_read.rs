//! Reading mail in the real window (Xvfb + tauri-driver + WebKitWebDriver): a message's
//! attachments are listed from the store and saved on demand into the download folder,
//! byte-for-byte the fake Gmail server's, never over an existing file.
// Xvfb, WebKitWebDriver and process groups: these window tests run on Linux only.
#![cfg(target_os = "linux")]
#[path = "e2e/harness.rs"]
#[allow(dead_code)] // the harness serves several test binaries; this one uses part of it
mod harness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fake_gmail::{MessageKind, MessageTruth};
use harness::{App, FakeBrowser, Knobs};
use serde_json::json;

/// A quota the demo server never reaches.
const NO_QUOTA: u32 = 1_000_000;

fn knobs(extra_env: Vec<(String, String)>) -> Knobs {
    Knobs {
        messages: 40,
        latency_ms: 0,
        quota: NO_QUOTA,
        extra_env,
        ..Knobs::default()
    }
}

/// The demo's mail as its server generates it (featured mail aside, which keeps the others' ids).
fn server_truth(knobs: &Knobs) -> Vec<MessageTruth> {
    let config = fake_gmail::FakeConfig::default()
        .messages(knobs.messages)
        .seed(knobs.seed)
        .email_address("demo@inbox-sync.example");
    fake_gmail::generate_mailbox(&config.mailbox)
}

/// Syncs the demo mailbox from the window and waits until it is stored.
async fn sync_all(app: &App) {
    app.click("#fetch-button").await;
    app.wait_for(
        "the first sync finished",
        Duration::from_secs(120),
        || async {
            let latest = app.invoke("get_latest", json!({})).await;
            latest["status"] == "success"
        },
    )
    .await;
}

/// Clicks the list row `css` until `opened` holds (WebKitWebDriver may report a click that
/// did land as not interactable while the pane changes), within a deadline.
async fn open_row(app: &App, css: &str, what: &str, opened: &str) {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        app.client
            .execute(
                "document.querySelector(arguments[0])?.scrollIntoView({ block: 'center' })",
                vec![json!(css)],
            )
            .await
            .ok();
        let clicked = harness::bounded(&format!("click {css}"), async {
            app.client
                .find(fantoccini::Locator::Css(css))
                .await?
                .click()
                .await
        })
        .await;
        let shown_by = Instant::now() + Duration::from_secs(5);
        while Instant::now() < shown_by {
            if app.eval(opened).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            Instant::now() < end,
            "clicking {css} opens {what} within 20 s (last click: {clicked:?})"
        );
    }
}

/// Ids of the stored messages a search finds (its first 100).
async fn found(app: &App, search: &str) -> Vec<String> {
    let page = app
        .invoke(
            "list_messages",
            json!({"limit": 100, "offset": 0, "search": search}),
        )
        .await;
    page["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m["gmailId"].as_str().map(str::to_owned))
        .collect()
}

/// Opens the synced message with the most attachments and waits for its attachment list.
async fn open_message_with_attachments<'t>(
    app: &App,
    truth: &'t [MessageTruth],
) -> &'t MessageTruth {
    let with_attachments = found(app, "has:attachment").await;
    let message = truth
        .iter()
        .filter(|t| t.kind == MessageKind::WithAttachments)
        .filter(|t| with_attachments.contains(&t.id))
        .max_by_key(|t| t.attachments().len())
        .expect("the demo has a message with attachments");
    assert!(!message.attachments().is_empty(), "it has attachments");
    let ready = format!(
        "return document.querySelectorAll('#attachment-list .attachment-item').length === {}",
        message.attachments().len()
    );
    open_row(
        app,
        &format!("[data-gmail-id=\"{}\"]", message.id),
        "the message with its attachment list",
        &ready,
    )
    .await;
    message
}

/// Clicks "Save" on attachment `index` and waits until the row says where it went.
async fn save(app: &App, index: usize) -> PathBuf {
    let row = format!(".attachment-item[data-index=\"{index}\"]");
    let before = app.attr(&row, "data-path").await;
    app.click(&format!("{row} .attachment-save")).await;
    app.wait_for(
        &format!("attachment {index} is saved"),
        Duration::from_secs(20),
        || async {
            app.attr(&row, "data-state").await.as_deref() == Some("saved")
                && app.attr(&row, "data-path").await != before
        },
    )
    .await;
    PathBuf::from(app.attr(&row, "data-path").await.expect("the saved path"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A message's attachments are listed (name, type, size) and each one saved from the window is byte-for-byte the fake's, into the download folder; saving one again makes `name (1).ext` and leaves the first file as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_saved_from_the_window_are_the_servers_bytes() {
    let downloads = tempfile::tempdir().expect("a download folder");
    let knobs = knobs(vec![(
        "INBOX_SYNC_DOWNLOADS_DIR".into(),
        downloads.path().display().to_string(),
    )]);
    let truth = server_truth(&knobs);
    let app = App::launch(knobs).await;
    sync_all(&app).await;
    app.go_to_inbox().await;

    let message = open_message_with_attachments(&app, &truth).await;
    let want = message.attachments();
    for (index, (name, bytes)) in want.iter().enumerate() {
        let row = format!(".attachment-item[data-index=\"{index}\"]");
        assert_eq!(
            app.text(&format!("{row} .attachment-name"))
                .await
                .as_deref(),
            Some(name.as_str()),
            "the list names attachment {index}"
        );
        let meta = app
            .text(&format!("{row} .attachment-meta"))
            .await
            .unwrap_or_default();
        assert!(
            meta.contains('/')
                && (meta.contains("byte") || meta.contains("KB") || meta.contains("MB")),
            "the list gives the type and size of {name}: {meta:?} ({} bytes)",
            bytes.len()
        );
    }

    let mut saved = Vec::new();
    for (index, (name, bytes)) in want.iter().enumerate() {
        let path = save(&app, index).await;
        assert_eq!(
            path.parent(),
            Some(downloads.path()),
            "{name} went into the download folder"
        );
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some(name.as_str()),
            "a plain name is kept as it is"
        );
        assert!(
            read(&path) == *bytes,
            "{name} saved from the window is byte-for-byte the server's ({} bytes)",
            bytes.len()
        );
        saved.push(path);
    }

    // Saved again: a new file beside it, the first one untouched.
    let again = save(&app, 0).await;
    let (name, bytes) = &want[0];
    let (stem, ext) = match name.rfind('.') {
        Some(dot) => name.split_at(dot),
        None => (name.as_str(), ""),
    };
    assert_eq!(
        again,
        downloads.path().join(format!("{stem} (1){ext}")),
        "a second save does not overwrite the first"
    );
    assert!(read(&again) == *bytes, "the copy is the same bytes");
    assert!(read(&saved[0]) == *bytes, "the first file is as it was");
    let mut files: Vec<_> = std::fs::read_dir(downloads.path())
        .expect("list the download folder")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        want.len() + 1,
        "nothing else was written: {files:?}"
    );
}

/// "Open" saves the attachment into the download folder and hands exactly that file to the system's app (xdg-open on Linux); a Windows program dressed as an invoice is refused before anything is fetched, and nothing is written or handed over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_hands_the_file_to_the_systems_app_but_never_a_program() {
    let downloads = tempfile::tempdir().expect("a download folder");
    let browser = FakeBrowser::install();
    let knobs = knobs(vec![
        (
            "INBOX_SYNC_DOWNLOADS_DIR".into(),
            downloads.path().display().to_string(),
        ),
        // The demo then carries the hostile corpus, the program among it.
        (
            "INBOX_SYNC_DEMO_HOSTILE_ORIGIN".into(),
            "http://127.0.0.1:9".into(),
        ),
        browser.path_env(),
    ]);
    let truth = server_truth(&knobs);
    let app = App::launch(knobs).await;
    sync_all(&app).await;
    app.go_to_inbox().await;

    let message = open_message_with_attachments(&app, &truth).await;
    let (name, bytes) = &message.attachments()[0];
    let row = ".attachment-item[data-index=\"0\"]";
    app.click(&format!("{row} .attachment-open")).await;
    app.wait_for(
        &format!("{name} is opened"),
        Duration::from_secs(20),
        || async { app.attr(row, "data-state").await.as_deref() == Some("opened") },
    )
    .await;
    let path = PathBuf::from(app.attr(row, "data-path").await.expect("where it went"));
    assert_eq!(
        path,
        downloads.path().join(name),
        "{name} went into the download folder"
    );
    assert!(
        read(&path) == *bytes,
        "{name} is byte-for-byte the server's"
    );
    app.wait_for(
        "the system's opener was asked to open it",
        Duration::from_secs(10),
        || async { !browser.opened().is_empty() },
    )
    .await;
    assert_eq!(
        browser.opened(),
        vec![("xdg-open".to_string(), path.display().to_string())],
        "exactly that file was handed to the system's app"
    );

    let program = found(&app, "program").await;
    assert_eq!(program.len(), 1, "the program mail is found: {program:?}");
    open_row(
        &app,
        &format!("[data-gmail-id=\"{}\"]", program[0]),
        "the program mail with its attachment",
        &format!(
            "return document.querySelector('#attachment-list .attachment-name')?.textContent === {:?}",
            fake_gmail::corpus::PROGRAM_ATTACHMENT
        ),
    )
    .await;
    app.click(&format!("{row} .attachment-open")).await;
    app.wait_for(
        "opening the program is refused",
        Duration::from_secs(20),
        || async { app.attr(row, "data-state").await.as_deref() == Some("error") },
    )
    .await;
    let said = app
        .text(&format!("{row} .attachment-status"))
        .await
        .unwrap_or_default();
    assert!(
        said.starts_with("Not opened:") && said.contains("could run a program"),
        "the row says why: {said:?}"
    );
    assert_eq!(
        browser.opened().len(),
        1,
        "nothing more was handed to the system"
    );
    let files: Vec<_> = std::fs::read_dir(downloads.path())
        .expect("list the download folder")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(files.len(), 1, "the program was not written: {files:?}");
}

/// Where a screenshot goes: `docs/` when `INBOX_SYNC_E2E_DOCS=1`, else target/tmp.
fn shot_path(name: &str) -> PathBuf {
    let dir = if std::env::var("INBOX_SYNC_E2E_DOCS").is_ok_and(|v| v == "1") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-screens")
    };
    dir.join(format!("{name}.png"))
}

/// The ids of each conversation's rows on the inbox's first page, as the window shows them.
async fn rows_of_thread(app: &App, thread_id: &str) -> usize {
    app.eval(&format!(
        "return document.querySelectorAll('#message-list [data-thread-id=\"{thread_id}\"]').length"
    ))
    .await
    .as_u64()
    .unwrap_or(0) as usize
}

/// The conversation's messages in the reading pane, top to bottom: (gmail id, state).
async fn thread_pane(app: &App) -> Vec<(String, String)> {
    let v = app
        .eval(
            "return [...document.querySelectorAll('#thread-messages .thread-message')]
               .map((s) => [s.dataset.threadMessage, s.dataset.state]);",
        )
        .await;
    v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap_or_default().to_owned(),
                p[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A thread of 5 messages in the fake is one row of the inbox (with its count and participants), and opened it reads oldest to newest, the older ones collapsed until clicked; a search still lists messages one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_of_five_is_one_row_and_reads_in_order() {
    // 200 messages: the demo's seed then has a thread of exactly five, among the newest.
    let knobs = Knobs {
        messages: 200,
        ..knobs(vec![])
    };
    let truth = server_truth(&knobs);
    let mut threads: std::collections::BTreeMap<&str, Vec<&MessageTruth>> = Default::default();
    for t in &truth {
        threads.entry(t.thread_id.as_str()).or_default().push(t);
    }
    let sizes: Vec<usize> = threads.values().map(Vec::len).collect();
    // A thread of exactly five, the one with the newest mail (so it is on the first page);
    // one holding an attachment is preferred, for the picture.
    let newest = |ms: &Vec<&MessageTruth>| ms.iter().map(|m| m.internal_date).max();
    let mut fives: Vec<&Vec<&MessageTruth>> = threads.values().filter(|ms| ms.len() == 5).collect();
    fives.sort_by_key(|ms| std::cmp::Reverse(newest(ms)));
    let thread = fives
        .iter()
        .take(3)
        .find(|ms| ms.iter().any(|m| m.kind == MessageKind::WithAttachments))
        .or(fives.first())
        .unwrap_or_else(|| panic!("the demo has a thread of 5 messages; sizes: {sizes:?}"));
    let mut in_order: Vec<&MessageTruth> = thread.to_vec();
    in_order.sort_by(|a, b| (a.internal_date, &a.id).cmp(&(b.internal_date, &b.id)));
    let thread_id = in_order[0].thread_id.clone();
    let want_order: Vec<String> = in_order.iter().map(|m| m.id.clone()).collect();

    let app = App::launch(knobs).await;
    harness::bounded("window size", app.client.set_window_rect(0, 0, 1280, 800))
        .await
        .expect("the window takes the whole screen");
    sync_all(&app).await;
    app.go_to_inbox().await;
    // All mail: every thread, whichever labels its messages carry.
    app.click(".nav a[href=\"#/mail/all\"]").await;
    app.wait_for("All mail is shown", Duration::from_secs(10), || async {
        app.text(".page-title").await.as_deref() == Some("All mail")
    })
    .await;

    // Through the command the window uses: one row for the thread, with its facts.
    let page = app
        .invoke(
            "list_messages",
            json!({"limit": 500, "offset": 0, "threads": true}),
        )
        .await;
    let rows: Vec<serde_json::Value> = page["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m["threadId"] == json!(thread_id))
        .collect();
    assert_eq!(rows.len(), 1, "the thread is one row: {rows:?}");
    assert_eq!(
        rows[0]["thread"]["count"],
        json!(5),
        "the row counts 5 messages"
    );
    assert_eq!(
        rows[0]["gmailId"],
        json!(want_order[4]),
        "the row stands for the newest message"
    );
    assert!(
        rows[0]["thread"]["participants"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "the row names the participants: {}",
        rows[0]["thread"]
    );
    let threads_total = page["total"].as_i64().unwrap_or(0);
    let distinct = app
        .invoke("list_messages", json!({"limit": 1, "offset": 0}))
        .await["total"]
        .as_i64()
        .unwrap_or(0);
    assert!(
        threads_total < distinct,
        "conversations ({threads_total}) are fewer than messages ({distinct})"
    );

    // In the window: one row, its count shown.
    app.wait_for(
        "the thread's row is on the inbox's first page",
        Duration::from_secs(10),
        || async { rows_of_thread(&app, &thread_id).await == 1 },
    )
    .await;
    let row_css = format!("#message-list [data-thread-id=\"{thread_id}\"]");
    assert_eq!(
        app.text(&format!("{row_css} .mi-count")).await.as_deref(),
        Some("5"),
        "the row shows the count"
    );

    open_row(
        &app,
        &row_css,
        "the conversation",
        "return document.querySelectorAll('#thread-messages .thread-message').length === 5 \
           && !!document.querySelector('.thread-message[data-state=\"expanded\"] .message')",
    )
    .await;
    let pane = thread_pane(&app).await;
    let order: Vec<String> = pane.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(order, want_order, "the thread reads oldest to newest");
    let states: Vec<&str> = pane.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        states,
        [
            "collapsed",
            "collapsed",
            "collapsed",
            "collapsed",
            "expanded"
        ],
        "the older messages are collapsed, the newest open"
    );

    // Clicking an older one opens it (and closes the one open).
    let oldest = &want_order[0];
    app.click(&format!(
        ".thread-message[data-thread-message=\"{oldest}\"] .thread-message-head"
    ))
    .await;
    app.wait_for(
        "the oldest message opens in place",
        Duration::from_secs(10),
        || async {
            app.eval(&format!(
                "const s = document.querySelector('.thread-message[data-thread-message=\"{oldest}\"]');
                 return s.dataset.state === 'expanded' && !!s.querySelector('.message #message-subject');"
            ))
            .await
                == json!(true)
        },
    )
    .await;
    let states: Vec<String> = thread_pane(&app)
        .await
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        states,
        [
            "expanded",
            "collapsed",
            "collapsed",
            "collapsed",
            "collapsed"
        ],
        "one message is open at a time"
    );
    assert_eq!(
        app.text(".thread-message[data-state=\"expanded\"] #message-subject")
            .await,
        in_order[0].subject().map(str::to_owned),
        "the opened message is the oldest"
    );

    // For the picture: the message with attachments open, if the thread has one.
    if let Some(with) = in_order
        .iter()
        .find(|m| m.kind == MessageKind::WithAttachments)
    {
        app.click(&format!(
            ".thread-message[data-thread-message=\"{}\"] .thread-message-head",
            with.id
        ))
        .await;
        app.wait_for(
            "its attachment list shows",
            Duration::from_secs(10),
            || async {
                app.eval("return !!document.querySelector('.thread-message[data-state=\"expanded\"] #attachment-list')")
                    .await
                    == json!(true)
            },
        )
        .await;
    }
    app.screenshot_display_to(&shot_path("conversation")).await;

    // A search lists messages, not conversations: each of the thread's messages its own row.
    let subject = in_order[0]
        .subject()
        .unwrap_or_default()
        .trim_start_matches("Re: ")
        .to_owned();
    let found = app
        .invoke(
            "list_messages",
            json!({"limit": 500, "offset": 0, "search": format!("subject:\"{subject}\""), "threads": true}),
        )
        .await;
    let found_ids: Vec<&str> = found["messages"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["gmailId"].as_str()).collect())
        .unwrap_or_default();
    for id in &want_order {
        assert!(
            found_ids.contains(&id.as_str()),
            "the search for {subject:?} lists message {id} itself: {found_ids:?}"
        );
    }
}
