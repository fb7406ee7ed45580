//! `cargo xtask macos-check`: type-checks, for `x86_64-apple-darwin`, the code that differs on
//! macOS and needs no Apple SDK. The whole workspace cannot be checked there from Linux: its C
//! dependencies (SQLite, ring) need the SDK's headers. So a small crate made on the fly
//! includes the files themselves — owner liveness (`owner.rs`: `kill`, `proc_pidinfo`) and the
//! single-instance knock (`instance.rs`) — with the keyring crate's Keychain backend.
use std::path::Path;

use crate::{fresh::workspace_root, step, MACOS_TARGET};

pub fn run() -> Result<(), String> {
    let workspace = workspace_root();
    let dir = workspace.join("target").join("macos-check");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("mkdir {dir:?}: {e}"))?;
    let file = |rel: &str| workspace.join(rel).display().to_string();
    write(
        &dir.join("Cargo.toml"),
        "[package]\nname = \"macos-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\nlibc = \"0.2\"\ngethostname = \"1\"\n\
         serde = { version = \"1\", features = [\"derive\"] }\ntracing = \"0.1\"\n\
         keyring = { version = \"3.6\", default-features = false, features = [\"apple-native\"] }\n",
    )?;
    write(
        &dir.join("src/lib.rs"),
        &format!(
            "//! The macOS code of Inbox Sync, type-checked for {MACOS_TARGET} (made by `cargo xtask macos-check`).\n\
             #![allow(dead_code)]\n\
             #[path = {owner:?}]\npub mod owner;\n\
             #[path = {instance:?}]\npub mod instance;\n\
             /// The vault's keyring entry, on the Keychain backend.\n\
             pub fn keychain() -> keyring::Result<keyring::Entry> {{\n    keyring::Entry::new(\"dev.inboxsync.app\", \"check\")\n}}\n",
            owner = file("src-tauri/core/src/owner.rs"),
            instance = file("src-tauri/src/gui/instance.rs"),
        ),
    )?;
    // The workspace's versions of the shared dependencies.
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copy Cargo.lock: {e}"))?;
    let manifest = dir.join("Cargo.toml").display().to_string();
    step(
        "cargo",
        &[
            "check",
            "--manifest-path",
            &manifest,
            "--target",
            MACOS_TARGET,
        ],
    )
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}
