//! The window. For now a bare Tauri window on the frontend in `ui/`; the fetch card, inbox
//! and tray come with the desktop app issue.
use crate::cli::GlobalArgs;

pub fn run(_global: &GlobalArgs) -> i32 {
    match tauri::Builder::default().run(tauri::generate_context!()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("inbox-sync: error: cannot open the window: {e}");
            1
        }
    }
}
