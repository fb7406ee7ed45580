//! Opening and showing windows: every window loads the same frontend and sees the same state.
use std::sync::atomic::{AtomicU32, Ordering};

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

static NEXT: AtomicU32 = AtomicU32::new(2);

/// Shows and focuses a window, opening one when all were closed.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    match app.webview_windows().into_values().next() {
        Some(window) => {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        None => open_new(app),
    }
}

pub fn open_new<R: Runtime>(app: &AppHandle<R>) {
    let label = format!("window-{}", NEXT.fetch_add(1, Ordering::SeqCst));
    let built = WebviewWindowBuilder::new(app, &label, WebviewUrl::App("index.html".into()))
        .title("Inbox Sync")
        .inner_size(1120.0, 720.0)
        .min_inner_size(640.0, 480.0)
        .build();
    if let Err(e) = built {
        tracing::warn!(error = %e, "cannot open a window");
    }
}

/// The first window, as `tauri.conf.json` describes it (`create: false` there).
pub fn open_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(config) = app.config().app.windows.first() {
        WebviewWindowBuilder::from_config(app, config)?.build()?;
    } else {
        open_new(app);
    }
    Ok(())
}
