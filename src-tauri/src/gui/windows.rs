//! Opening and showing windows: every window loads the same frontend and sees the same state.
use std::sync::atomic::{AtomicU32, Ordering};

use tauri::webview::{NewWindowFeatures, NewWindowResponse};
use tauri::{AppHandle, Manager, Runtime, Url, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_opener::OpenerExt;

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
        .on_new_window(links_to_browser(app))
        .build();
    if let Err(e) = built {
        tracing::warn!(error = %e, "cannot open a window");
    }
}

/// The first window, as `tauri.conf.json` describes it (`create: false` there).
pub fn open_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(config) = app.config().app.windows.first() {
        WebviewWindowBuilder::from_config(app, config)?
            .on_new_window(links_to_browser(app))
            .build()?;
    } else {
        open_new(app);
    }
    Ok(())
}

/// What a window does when its page asks for a new one: only a link in a mail's frame can
/// (the app's own page never does). A web link goes to the system browser; no new window
/// ever opens, whatever was asked.
fn links_to_browser<R: Runtime>(
    app: &AppHandle<R>,
) -> impl Fn(Url, NewWindowFeatures) -> NewWindowResponse<R> + Send + 'static {
    let app = app.clone();
    move |url, _features| {
        if matches!(url.scheme(), "http" | "https") {
            if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
                tracing::warn!(error = %e, "cannot open a link in the browser");
            }
        } else {
            tracing::info!(
                scheme = url.scheme(),
                "refused to open a link that is not a web link"
            );
        }
        NewWindowResponse::Deny
    }
}
