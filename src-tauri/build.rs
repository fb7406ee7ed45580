//! Build script: lets tauri-build read tauri.conf.json and embed the frontend and icons.
fn main() {
    tauri_build::build()
}
