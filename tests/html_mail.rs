//! HTML mail in the real window (Xvfb + tauri-driver + WebKitWebDriver): the hostile corpus of
//! the fake (`fake_gmail::corpus`) runs no script, reaches no IPC and loads nothing from the
//! local server its remote URLs point at until "Load" is clicked; the choice is remembered per
//! sender; web links open in the browser and nothing else does; the demo's newsletter is
//! screenshotted in light and dark.
// Xvfb, WebKitWebDriver and process groups: these window tests run on Linux only.
#![cfg(target_os = "linux")]
#[path = "e2e/harness.rs"]
#[allow(dead_code)] // the harness serves several test binaries; this one uses part of it
mod harness;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_gmail::corpus::{self, CANARY, CANARY_GLOBAL, CANARY_INTERVAL, NEVER, REMOTE};
use harness::{App, FakeBrowser, Knobs};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A quota the demo server never reaches.
const NO_QUOTA: u32 = 1_000_000;
/// A 1×1 transparent GIF, what the counting server answers for every path.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// The server every remote URL of the hostile corpus points at: it answers anything with a
/// tiny image and records each request's path.
struct CountingServer {
    origin: String,
    paths: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl CountingServer {
    async fn start() -> CountingServer {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the counting server");
        let origin = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("its address").port()
        );
        let paths = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&paths);
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 2048];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&head);
                    let path = line.split_whitespace().nth(1).unwrap_or("?").to_owned();
                    seen.lock().expect("paths").push(path);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: {}\r\n\
                         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                        GIF.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.write_all(GIF).await;
                });
            }
        });
        CountingServer {
            origin,
            paths,
            task,
        }
    }

    fn paths(&self) -> Vec<String> {
        self.paths.lock().expect("paths").clone()
    }

    /// Requests that must never happen: a load the reader could never allow, or a script's.
    fn forbidden(&self) -> Vec<String> {
        self.paths()
            .into_iter()
            .filter(|p| !p.starts_with(REMOTE))
            .collect()
    }
}

impl Drop for CountingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn knobs(extra_env: Vec<(String, String)>) -> Knobs {
    Knobs {
        messages: 40,
        latency_ms: 0,
        quota: NO_QUOTA,
        extra_env,
        ..Knobs::default()
    }
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

/// The stored messages whose subject starts with `prefix`, newest first: (gmail id, subject).
async fn messages_titled(app: &App, prefix: &str) -> Vec<(String, String)> {
    let page = app
        .invoke("list_messages", json!({"limit": 100, "offset": 0}))
        .await;
    page["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            let subject = m["subject"].as_str()?.to_owned();
            let id = m["gmailId"].as_str()?.to_owned();
            subject.starts_with(prefix).then_some((id, subject))
        })
        .collect()
}

/// The heading inside the hostile message with this subject, which shows it is on screen.
fn heading_of(subject: &str) -> &'static str {
    match subject {
        s if s.contains("Scripts") => "Scripts and event handlers",
        s if s.contains("Links") => "Links and forms",
        s if s.contains("CSS") => "CSS that loads or runs things",
        s if s.contains("program") => "An invoice that is a program",
        _ => "Remote images",
    }
}

/// Opens a message from the list and waits until its mail frame has loaded its document.
async fn open_message(app: &App, gmail_id: &str, heading: &str) {
    let css = format!("[data-gmail-id=\"{gmail_id}\"]");
    // WebKitWebDriver may answer a click that did select the row with ElementNotInteractable
    // (it watches the page settle, and a new frame is loading): what counts is whether the
    // message opened. A click that really failed is tried again, within a deadline.
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        // WebKitWebDriver's own scrolling inside the list pane can leave the row under another.
        app.client
            .execute(
                "document.querySelector(arguments[0])?.scrollIntoView({ block: 'center' })",
                vec![json!(css)],
            )
            .await
            .ok();
        let clicked = harness::bounded(&format!("click {css}"), async {
            app.client
                .find(fantoccini::Locator::Css(&css))
                .await?
                .click()
                .await
        })
        .await;
        if frame_shows(app, heading, Duration::from_secs(5)).await {
            return;
        }
        assert!(
            Instant::now() < end,
            "clicking {css} opens {heading:?} within 20 s (last click: {clicked:?})"
        );
    }
}

const FRAME_READY: &str = "const f = document.querySelector('iframe.body-html'); \
    const d = f && f.contentDocument; \
    return !!(d && d.readyState === 'complete' && d.body && d.body.textContent.includes(arguments[0]) \
      && f.dataset.fitted === '1');";

/// Whether the mail frame shows `heading`, loaded and wired, within `deadline`.
async fn frame_shows(app: &App, heading: &str, deadline: Duration) -> bool {
    let end = Instant::now() + deadline;
    loop {
        let ready = harness::bounded(
            "frame ready",
            app.client.execute(FRAME_READY, vec![json!(heading)]),
        )
        .await;
        if matches!(ready, Ok(Value::Bool(true))) {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the mail frame shows a loaded, wired document whose text contains `heading`.
async fn wait_frame(app: &App, heading: &str) {
    app.wait_for(
        &format!("the mail frame shows {heading:?}"),
        Duration::from_secs(15),
        || async {
            harness::bounded(
                "frame ready",
                app.client.execute(FRAME_READY, vec![json!(heading)]),
            )
            .await
            .ok()
                == Some(Value::Bool(true))
        },
    )
    .await;
}

/// What the page and the frame say about scripts and IPC, as one JSON object.
async fn frame_facts(app: &App) -> Value {
    let script = format!(
        "const f = document.querySelector('iframe.body-html'); const w = f.contentWindow; const d = f.contentDocument;
        const attrs = [...d.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name.toLowerCase()));
        const hrefs = [...d.querySelectorAll('[href]')].map((e) => e.getAttribute('href').trim().toLowerCase());
        const dangerous = [...d.querySelectorAll('script, iframe, frame, form, input, button, object, embed, base, link, meta[http-equiv=\"refresh\"], svg, math, video, audio, source')].map((e) => e.tagName);
        // A script put into the frame by hand must not run either: the sandbox, not only the sanitizer.
        const s = d.createElement('script'); s.textContent = \"window.{CANARY_GLOBAL} = 'injected'\"; d.body.appendChild(s);
        return {{
          sandbox: f.getAttribute('sandbox'),
          topCanary: window.{CANARY_GLOBAL} ?? null,
          frameCanary: w.{CANARY_GLOBAL} ?? null,
          rootCanary: d.documentElement.getAttribute('data-canary'),
          frameInternals: typeof w.__TAURI_INTERNALS__,
          frameTauri: typeof w.__TAURI__,
          frameIpc: typeof w.ipc,
          csp: d.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')?.getAttribute('content') ?? null,
          dangerous,
          handlers: attrs.filter((a) => a.startsWith('on')),
          badHrefs: hrefs.filter((h) => !(h.startsWith('http:') || h.startsWith('https:') || h.startsWith('mailto:'))),
        }};"
    );
    harness::bounded("frame facts", app.client.execute(&script, vec![]))
        .await
        .unwrap_or_else(|e| panic!("the page reads its mail frame: {e}"))
}

/// Waits a quiet second and fails if anything reached the counting server meanwhile: proving
/// that no load happens needs a window of time in which it could have.
async fn assert_no_requests(server: &CountingServer, when: &str) {
    let end = Instant::now() + Duration::from_secs(1);
    while Instant::now() < end {
        assert_eq!(
            server.paths(),
            Vec::<String>::new(),
            "no request reaches the server {when}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every message of the hostile corpus opens in a sandboxed frame where no script runs (canary unset, even for a script inserted by hand), the app's IPC is absent and unchanged, nothing dangerous is left in the markup, no request reaches the local server the corpus points at, and only its web link opens in the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_html_runs_nothing_reaches_no_ipc_and_loads_nothing() {
    let server = CountingServer::start().await;
    let browser = FakeBrowser::install();
    let app = App::launch(knobs(vec![
        (
            "INBOX_SYNC_DEMO_HOSTILE_ORIGIN".into(),
            server.origin.clone(),
        ),
        browser.path_env(),
    ]))
    .await;
    sync_all(&app).await;
    app.go_to_inbox().await;
    let hostile = messages_titled(&app, corpus::HOSTILE_SUBJECT).await;
    assert_eq!(
        hostile.len(),
        corpus::hostile_html(&server.origin).len(),
        "every hostile message is in the inbox: {hostile:?}"
    );

    for (id, subject) in &hostile {
        open_message(&app, id, heading_of(subject)).await;
        let facts = frame_facts(&app).await;
        for key in ["topCanary", "frameCanary", "rootCanary"] {
            assert_eq!(facts[key], Value::Null, "no script ran: {key} ({subject})");
        }
        for key in ["frameInternals", "frameTauri", "frameIpc"] {
            assert_eq!(
                facts[key], "undefined",
                "the app's IPC is not in the mail's frame: {key} ({subject})"
            );
        }
        assert_eq!(
            facts["sandbox"], "allow-same-origin allow-popups",
            "the frame is sandboxed without scripts, forms or top navigation ({subject})"
        );
        let csp = facts["csp"].as_str().unwrap_or_default();
        assert!(
            csp.contains("script-src 'none'") && csp.contains("img-src data:;"),
            "the mail carries its own policy, with no scripts and no remote images: {csp}"
        );
        assert_eq!(
            facts["dangerous"],
            json!([]),
            "no dangerous element survives ({subject})"
        );
        assert_eq!(
            facts["handlers"],
            json!([]),
            "no event handler survives ({subject})"
        );
        assert_eq!(
            facts["badHrefs"],
            json!([]),
            "only web and mailto links survive ({subject})"
        );
        assert!(
            app.attr("#remote-bar", "data-state").await.as_deref() != Some("trusted"),
            "nothing is trusted yet"
        );
        assert_no_requests(&server, &format!("while {subject:?} is open")).await;
    }

    // Safe CSS is kept: the corpus's red, bold line is red and bold in the frame.
    let (css_id, _) = hostile
        .iter()
        .find(|(_, s)| s.contains("CSS"))
        .expect("the CSS message");
    open_message(&app, css_id, "CSS that loads or runs things").await;
    let color = app
        .eval(
            "const d = document.querySelector('iframe.body-html').contentDocument;
             const p = [...d.querySelectorAll('p')].find((p) => p.textContent.includes('Safe CSS stays'));
             return p ? d.defaultView.getComputedStyle(p).color : null;",
        )
        .await;
    assert_eq!(
        color, "rgb(176, 0, 32)",
        "a safe inline style is applied in the frame"
    );

    // Links: a javascript: link does nothing; the web link goes to the system browser.
    let (links_id, _) = hostile
        .iter()
        .find(|(_, s)| s.contains("Links"))
        .expect("the links message");
    open_message(&app, links_id, "Links and forms").await;
    click_in_frame(&app, "Claim your prize").await;
    click_in_frame(&app, "The real link").await;
    app.wait_for(
        "the web link was handed to the browser",
        Duration::from_secs(10),
        || async { !browser.opened().is_empty() },
    )
    .await;
    let opened: Vec<String> = browser.opened().into_iter().map(|(_, url)| url).collect();
    assert_eq!(
        opened,
        ["https://example.com/real-link"],
        "only the web link opened, in the browser"
    );
    let facts = frame_facts(&app).await;
    assert_eq!(
        facts["topCanary"],
        Value::Null,
        "clicking the javascript: link ran nothing"
    );
    assert!(
        app.eval("return document.querySelector('iframe.body-html') !== null")
            .await
            == json!(true),
        "the window still shows the message after the clicks"
    );
    let windows = harness::bounded("window handles", app.client.windows())
        .await
        .expect("the window handles");
    assert_eq!(windows.len(), 1, "no link opened a window of the app");
    assert_eq!(
        app.eval("return document.querySelector('iframe.body-html').contentWindow.location.href")
            .await,
        "about:srcdoc",
        "the mail's frame did not navigate"
    );
    assert_no_requests(&server, "after the link clicks").await;

    let settings = app.invoke("get_settings", json!({})).await;
    assert_ne!(
        settings["syncIntervalMinutes"],
        json!(CANARY_INTERVAL),
        "no script reached the app's IPC to change the settings: {settings}"
    );
}

/// Clicks the link reading `text` inside the mail frame as a user would: the pointer moved to its centre
/// and pressed through WebDriver's input actions. (WebKitWebDriver's element click needs its
/// scripts in the element's frame, which the sandbox, rightly, refuses.)
async fn click_in_frame(app: &App, text: &str) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let centre = app
        .client
        .execute(
            "const f = document.querySelector('iframe.body-html');
             const e = [...f.contentDocument.querySelectorAll('a')].find((a) => a.textContent.trim() === arguments[0]);
             if (!e) return null;
             e.scrollIntoView({ block: 'center' });
             const fr = f.getBoundingClientRect(), er = e.getBoundingClientRect();
             return [fr.left + f.clientLeft + er.left + er.width / 2, fr.top + f.clientTop + er.top + er.height / 2];",
            vec![json!(text)],
        )
        .await
        .unwrap_or_else(|e| panic!("the page finds {text:?} in the frame: {e}"));
    let (x, y) = match centre.as_array().map(|a| (a[0].as_f64(), a[1].as_f64())) {
        Some((Some(x), Some(y))) => (x, y),
        _ => panic!("a link {text:?} is in the mail frame: {centre}"),
    };
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: x.round(),
            y: y.round(),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    harness::bounded(
        &format!("click {text:?} in the frame"),
        app.client.perform_actions(mouse),
    )
    .await
    .unwrap_or_else(|e| panic!("{text:?} in the frame can be clicked: {e}"));
}

/// Remote content loads only after "Load" (and then only remote content proper: never a script's, a frame's or a form's request), and "Always load from" the sender is stored in the settings and loads that sender's other mail at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_content_loads_after_load_and_is_remembered_per_sender() {
    let server = CountingServer::start().await;
    let app = App::launch(knobs(vec![(
        "INBOX_SYNC_DEMO_HOSTILE_ORIGIN".into(),
        server.origin.clone(),
    )]))
    .await;
    sync_all(&app).await;
    app.go_to_inbox().await;
    let hostile = messages_titled(&app, corpus::HOSTILE_SUBJECT).await;
    let find = |word: &str| {
        hostile
            .iter()
            .find(|(_, s)| s.contains(word))
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("a hostile message about {word}: {hostile:?}"))
    };

    open_message(&app, &find("Remote images"), "Remote images").await;
    assert_eq!(
        app.attr("#remote-bar", "data-state").await.as_deref(),
        Some("blocked"),
        "the bar says remote content is blocked"
    );
    assert!(
        app.text("#remote-bar")
            .await
            .unwrap_or_default()
            .contains("Remote content blocked"),
        "the bar says what happened"
    );
    assert_no_requests(&server, "before Load").await;
    // Its cid: logo is part of the message: it shows at once, from the store, with nothing
    // requested (a 48x16 PNG decoded in the frame).
    app.wait_for(
        "the inline cid: logo shows before Load",
        Duration::from_secs(10),
        || async {
            app.eval("const i = document.querySelector('iframe.body-html').contentDocument.querySelector('img[alt=\"inline logo\"]'); return i ? [i.complete, i.naturalWidth, i.naturalHeight, i.src.slice(0, 22)] : null;")
                .await
                == json!([true, 48, 16, "data:image/png;base64,"])
        },
    )
    .await;
    assert_eq!(
        app.text(".html-note").await,
        None,
        "no inline image is reported missing"
    );
    assert_no_requests(&server, "with the inline logo shown").await;

    app.click("#load-remote").await;
    wait_frame(&app, "Remote images").await;
    app.wait_for(
        "the remote images were requested after Load",
        Duration::from_secs(10),
        || async {
            let paths = server.paths();
            ["hero.png", "tracking-pixel.gif"]
                .iter()
                .all(|f| paths.contains(&format!("{REMOTE}{f}")))
        },
    )
    .await;
    assert_eq!(
        app.attr("#remote-bar", "data-state").await,
        None,
        "the bar is gone once the content is loaded"
    );
    let loaded = app
        .eval("const i = document.querySelector('iframe.body-html').contentDocument.querySelector('img[alt=\"Hero image\"]'); return i ? i.naturalWidth : -1;")
        .await;
    assert_eq!(loaded, json!(1), "the hero image really loaded (a 1×1 GIF)");

    // Another message of the same sender is blocked again (Load was for one message); trusting
    // the sender from its bar stores the choice and loads its remote content.
    let css_id = find("CSS");
    open_message(&app, &css_id, "CSS that loads or runs things").await;
    assert_eq!(
        app.attr("#remote-bar", "data-state").await.as_deref(),
        Some("blocked"),
        "Load allowed one message, not the sender"
    );
    assert!(
        !server
            .paths()
            .iter()
            .any(|p| p.ends_with("inline-style.png") || p.ends_with("css-background.png")),
        "the CSS message's remote images are not loaded before it is allowed"
    );
    app.click("#trust-sender").await;
    app.wait_for(
        "the bar says the sender is trusted",
        Duration::from_secs(10),
        || async { app.attr("#remote-bar", "data-state").await.as_deref() == Some("trusted") },
    )
    .await;
    let settings = app.invoke("get_settings", json!({})).await;
    assert_eq!(
        settings["remoteContentSenders"],
        json!(["mallory@hostile.example"]),
        "the choice is stored with the settings"
    );
    app.wait_for(
        "the trusted sender's CSS images were requested",
        Duration::from_secs(10),
        || async {
            let paths = server.paths();
            paths.contains(&format!("{REMOTE}inline-style.png"))
                && paths.contains(&format!("{REMOTE}css-background.png"))
        },
    )
    .await;
    // A trusted sender's mail loads at once when opened, without a click.
    open_message(&app, &find("Remote images"), "Remote images").await;
    assert_eq!(
        app.attr("#remote-bar", "data-state").await.as_deref(),
        Some("trusted"),
        "the trusted sender's other mail says so and loads"
    );

    // Every message opened once more with remote content allowed: still no script's request,
    // no frame's, form's, stylesheet's or <base>'s.
    for (id, subject) in &hostile {
        open_message(&app, id, heading_of(subject)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        server.forbidden(),
        Vec::<String>::new(),
        "with remote content allowed, nothing but remote content ({REMOTE}) is requested: \
         never {NEVER} nor {CANARY}"
    );

    // Stop trusting: the choice is removed and the content is blocked again.
    open_message(&app, &find("Remote images"), "Remote images").await;
    app.click("#untrust-sender").await;
    app.wait_for(
        "the bar says blocked again",
        Duration::from_secs(10),
        || async { app.attr("#remote-bar", "data-state").await.as_deref() == Some("blocked") },
    )
    .await;
    let settings = app.invoke("get_settings", json!({})).await;
    assert_eq!(
        settings["remoteContentSenders"],
        json!([]),
        "the sender is no longer trusted"
    );
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

/// The demo's newsletter renders as HTML (its table layout and style sheet applied, its remote image blocked behind the bar), in the light and the dark theme; both are screenshotted from the X display.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_newsletter_renders_in_light_and_dark() {
    for (theme, env) in [
        ("light", vec![]),
        (
            "dark",
            vec![("GTK_THEME".to_owned(), "Adwaita:dark".to_owned())],
        ),
    ] {
        let app = App::launch(knobs(env)).await;
        harness::bounded("window size", app.client.set_window_rect(0, 0, 1280, 800))
            .await
            .expect("the window takes the whole screen");
        sync_all(&app).await;
        app.go_to_inbox().await;
        let newsletter = messages_titled(&app, "Issue 42").await;
        let (id, _) = newsletter.first().expect("the newsletter is in the demo");
        open_message(&app, id, "The Harbor Gazette").await;
        let masthead = app
            .eval(
                "const d = document.querySelector('iframe.body-html').contentDocument;
                 return d.defaultView.getComputedStyle(d.querySelector('.masthead')).backgroundColor;",
            )
            .await;
        assert_eq!(
            masthead, "rgb(18, 53, 91)",
            "the newsletter's style sheet is applied ({theme})"
        );
        assert_eq!(
            app.attr("#remote-bar", "data-state").await.as_deref(),
            Some("blocked"),
            "its remote image is blocked behind the bar ({theme})"
        );
        let dark = app
            .eval("return matchMedia('(prefers-color-scheme: dark)').matches")
            .await;
        assert_eq!(
            dark,
            json!(theme == "dark"),
            "the window is in the {theme} theme"
        );
        let fits = app
            .eval(
                "const d = document.querySelector('iframe.body-html').contentDocument;
                 return d.documentElement.scrollWidth <= d.documentElement.clientWidth + 1;",
            )
            .await;
        assert_eq!(
            fits,
            json!(true),
            "the 600-pixel newsletter fits the pane ({theme})"
        );
        // The picture shows the bar and the mail, not the headers above them.
        app.eval(
            "document.querySelector('#remote-bar').scrollIntoView({ block: 'start' }); return 1",
        )
        .await;
        app.screenshot_display_to(&shot_path(&format!("html-mail-{theme}")))
            .await;
    }
}
