//! The command line without the window's libraries: `inbox-sync-cli` maps no WebKitGTK,
//! JavaScriptCore or GTK, `inbox-sync SUBCOMMAND` becomes it in the same process when it is
//! installed beside it, and runs the command itself (with those libraries) when it is not.
//! Linux only: they read the processes' maps in /proc.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const APP: &str = env!("CARGO_BIN_EXE_inbox-sync");
const CLI: &str = env!("CARGO_BIN_EXE_inbox-sync-cli");

/// The window's libraries, as their file names begin.
const GUI_LIBRARIES: [&str; 4] = [
    "libwebkit2gtk",
    "libjavascriptcoregtk",
    "libgtk-3",
    "libgdk-3",
];

/// A command-line process that stays up: `fake-gmail`, until killed, once it has printed its
/// URL (so it has started and parsed its arguments).
struct Serving {
    child: Child,
}

impl Serving {
    fn start(program: &Path) -> Self {
        let mut child = Command::new(program)
            .args(["fake-gmail", "--messages", "10", "--quota", "0"])
            .env_remove("INBOX_SYNC_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fake-gmail");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("read the fake's first line");
        assert!(
            line.starts_with("http://"),
            "{} fake-gmail prints its URL first, got {line:?}",
            program.display()
        );
        Self { child }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The files the process has mapped (libraries and the binary itself).
    fn mapped_files(&self) -> Vec<String> {
        let maps = std::fs::read_to_string(format!("/proc/{}/maps", self.pid()))
            .expect("read the process's maps");
        let mut files: Vec<String> = maps
            .lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .filter(|f| f.starts_with('/'))
            .map(str::to_string)
            .collect();
        files.dedup();
        files
    }

    fn exe(&self) -> PathBuf {
        std::fs::read_link(format!("/proc/{}/exe", self.pid())).expect("the process's binary")
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn gui_libraries_in(files: &[String]) -> Vec<&String> {
    files
        .iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            GUI_LIBRARIES.iter().any(|lib| name.starts_with(lib))
        })
        .collect()
}

/// The shared libraries an ELF file asks for (`readelf -d`, its NEEDED entries).
fn needed_libraries(binary: &str) -> Vec<String> {
    let out = Command::new("readelf")
        .args(["-d", binary])
        .output()
        .expect("run readelf (binutils)");
    assert!(out.status.success(), "readelf -d {binary}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split('[').nth(1)?.trim_end_matches(']').to_string()))
        .collect()
}

/// `inbox-sync-cli` neither asks for the window's libraries nor maps them while it runs,
/// while `inbox-sync` asks for all of them.
#[test]
fn the_cli_binary_links_and_maps_no_gui_library() {
    let cli_needs = needed_libraries(CLI);
    assert!(
        cli_needs.iter().any(|l| l.starts_with("libc.so")),
        "readelf lists the cli's libraries: {cli_needs:?}"
    );
    assert!(
        gui_libraries_in(&cli_needs).is_empty(),
        "inbox-sync-cli needs no GUI library: {cli_needs:?}"
    );
    let app_needs = needed_libraries(APP);
    for lib in ["libwebkit2gtk", "libjavascriptcoregtk", "libgtk-3"] {
        assert!(
            app_needs.iter().any(|l| l.starts_with(lib)),
            "the window's binary needs {lib} (so the names looked for are right): {app_needs:?}"
        );
    }

    let serving = Serving::start(Path::new(CLI));
    let files = serving.mapped_files();
    assert!(
        files.iter().any(|f| f.contains("libc.so")),
        "the maps were read: {files:?}"
    );
    assert_eq!(
        gui_libraries_in(&files),
        Vec::<&String>::new(),
        "a running inbox-sync-cli maps no GUI library"
    );
}

/// `inbox-sync fake-gmail` is the same process (pid) running `inbox-sync-cli`, without the
/// window's libraries.
#[test]
fn a_subcommand_of_the_app_binary_runs_as_the_cli_binary() {
    let serving = Serving::start(Path::new(APP));
    let cli = std::fs::canonicalize(CLI).expect("the cli binary");
    assert_eq!(
        serving.exe(),
        cli,
        "pid {} became inbox-sync-cli",
        serving.pid()
    );
    assert_eq!(
        gui_libraries_in(&serving.mapped_files()),
        Vec::<&String>::new(),
        "after the exec no GUI library is mapped"
    );
}

/// Without `inbox-sync-cli` beside it, `inbox-sync` runs the command itself: `status` works,
/// and the process is the app binary with its libraries.
#[test]
fn without_the_cli_binary_beside_it_the_app_runs_the_command_itself() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let alone = dir.path().join("inbox-sync");
    std::fs::copy(APP, &alone).expect("copy the app binary alone");
    let data = dir.path().join("data");

    let out = Command::new(&alone)
        .arg("--data-dir")
        .arg(&data)
        .args(["status", "--json"])
        .env_remove("INBOX_SYNC_DATA_DIR")
        .output()
        .expect("run the copied inbox-sync status");
    assert!(
        out.status.success(),
        "status runs in the app's own process; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status --json");
    assert_eq!(
        json["active"],
        serde_json::Value::Null,
        "nothing runs: {json}"
    );

    let serving = Serving::start(&alone);
    assert_eq!(
        serving.exe(),
        alone,
        "the copied binary serves the fake itself"
    );
    assert!(
        !gui_libraries_in(&serving.mapped_files()).is_empty(),
        "in-process, the app binary's GUI libraries are mapped"
    );
}

/// `inbox-sync-cli` with no command says how to use it and exits 2; it never opens a window.
#[test]
fn the_cli_binary_without_a_command_prints_its_help() {
    let out = Command::new(CLI)
        .env_remove("INBOX_SYNC_DATA_DIR")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run inbox-sync-cli");
    assert_eq!(out.status.code(), Some(2), "exit code 2 without a command");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Usage:") && stderr.contains("sync"),
        "the help lists the commands: {stderr}"
    );
}
