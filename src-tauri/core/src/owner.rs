//! Who holds a run: host, pid and process start time, and whether that owner is provably dead.
//!
//! The start time guards against pid reuse: a pid that exists again but started at another
//! moment is a different process, so the run's owner is gone. Each OS is asked its own way:
//! Linux reads `/proc/<pid>/stat`, macOS `kill(pid, 0)` and `proc_pidinfo`, Windows
//! `OpenProcess` / `GetExitCodeProcess` / `GetProcessTimes` (creation time). `Owner::current`
//! records the start time through the same call the liveness check compares against.
use serde::{Deserialize, Serialize};

/// The identity stored in a run's `owner_*` columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub host: String,
    pub pid: u32,
    /// Process start time in ms since the epoch, when the OS can tell it.
    pub started_at: Option<i64>,
}

impl Owner {
    /// This process, as the OS sees it.
    pub fn current() -> Self {
        let pid = std::process::id();
        Self {
            host: this_host(),
            pid,
            started_at: process_started_at(pid),
        }
    }
}

/// The name this machine's runs are recorded under.
pub fn this_host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Decides whether a run's owner is provably dead. Only "provably": when in doubt the
/// answer is `false` and the stale threshold decides.
pub trait OwnerLiveness: Send + Sync + 'static {
    fn is_dead(&self, owner: &Owner) -> bool;
}

/// Asks the operating system about processes on this host; owners on other hosts are never
/// provably dead.
#[derive(Debug, Clone)]
pub struct ProcessLiveness {
    host: String,
}

impl ProcessLiveness {
    pub fn new() -> Self {
        Self { host: this_host() }
    }
}

impl Default for ProcessLiveness {
    fn default() -> Self {
        Self::new()
    }
}

impl OwnerLiveness for ProcessLiveness {
    fn is_dead(&self, owner: &Owner) -> bool {
        if owner.host != self.host {
            return false;
        }
        match process_state(owner.pid) {
            ProcessState::Gone | ProcessState::Zombie => true,
            ProcessState::Running { started_at } => match (owner.started_at, started_at) {
                // Same pid, other start time: the pid was reused by an unrelated process.
                (Some(recorded), Some(now)) => (recorded - now).abs() > START_TIME_TOLERANCE_MS,
                _ => false,
            },
            ProcessState::Unknown => false,
        }
    }
}

/// On Linux start times are derived from clock ticks and the boot time in whole seconds;
/// allow for the rounding of both (macOS and Windows report them to the microsecond).
const START_TIME_TOLERANCE_MS: i64 = 1_000;

enum ProcessState {
    Gone,
    Zombie,
    Running { started_at: Option<i64> },
    Unknown,
}

#[cfg(target_os = "linux")]
fn process_state(pid: u32) -> ProcessState {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => match parse_stat(&stat) {
            Some((state, _)) if state == 'Z' || state == 'X' => ProcessState::Zombie,
            Some((_, ticks)) => ProcessState::Running {
                started_at: ticks_to_epoch_ms(ticks),
            },
            None => ProcessState::Unknown,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProcessState::Gone,
        Err(_) => ProcessState::Unknown,
    }
}

#[cfg(target_os = "macos")]
fn process_state(pid: u32) -> ProcessState {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return ProcessState::Gone;
    };
    // kill(pid, 0) tells whether the pid exists (EPERM: it does, owned by someone else).
    // SAFETY: signal 0 sends nothing; it only checks the pid.
    let exists = unsafe { libc::kill(pid, 0) } == 0
        || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if !exists {
        return ProcessState::Gone;
    }
    // The kernel's BSD record of the process: its state and its start time (the same
    // notion `Owner::current` records, as both come from here).
    // SAFETY: proc_bsdinfo is plain data; proc_pidinfo fills at most `size` bytes of it.
    let mut info: libc::proc_bsdinfo = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::proc_bsdinfo>() as libc::c_int;
    let filled = unsafe {
        libc::proc_pidinfo(
            pid,
            libc::PROC_PIDTBSDINFO,
            0,
            (&mut info as *mut libc::proc_bsdinfo).cast(),
            size,
        )
    };
    if filled != size {
        // Exists but cannot be read (another user's process): alive, start time unknown.
        return ProcessState::Running { started_at: None };
    }
    if info.pbi_status == libc::SZOMB {
        return ProcessState::Zombie;
    }
    let started_at = i64::try_from(info.pbi_start_tvsec)
        .ok()
        .map(|s| s * 1000 + (info.pbi_start_tvusec / 1000) as i64);
    ProcessState::Running { started_at }
}

#[cfg(windows)]
fn process_state(pid: u32) -> ProcessState {
    use windows_sys::Win32::Foundation::{
        CloseHandle, GetLastError, ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, FILETIME,
        STILL_ACTIVE,
    };
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, GetProcessTimes, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    // SAFETY: plain Win32 calls on a handle this function opens and closes; the out
    // parameters are local values of the types the calls expect.
    unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            return match GetLastError() {
                // No process has that id.
                ERROR_INVALID_PARAMETER => ProcessState::Gone,
                // It exists but belongs to someone we may not ask.
                ERROR_ACCESS_DENIED => ProcessState::Running { started_at: None },
                _ => ProcessState::Unknown,
            };
        }
        let mut code = 0u32;
        let exited = GetExitCodeProcess(handle, &mut code) != 0 && code != STILL_ACTIVE as u32;
        let zero = FILETIME {
            dwLowDateTime: 0,
            dwHighDateTime: 0,
        };
        let (mut created, mut ended, mut kernel, mut user) = (zero, zero, zero, zero);
        let timed = GetProcessTimes(handle, &mut created, &mut ended, &mut kernel, &mut user) != 0;
        CloseHandle(handle);
        if exited {
            // Ended, and only kept as an object because someone holds a handle to it.
            return ProcessState::Zombie;
        }
        let started_at =
            timed.then(|| filetime_to_epoch_ms(created.dwHighDateTime, created.dwLowDateTime));
        ProcessState::Running { started_at }
    }
}

/// A FILETIME (100 ns ticks since 1601-01-01 UTC, in two halves) as ms since the Unix epoch.
#[cfg(any(windows, test))]
fn filetime_to_epoch_ms(high: u32, low: u32) -> i64 {
    const EPOCH_DIFF_MS: i64 = 11_644_473_600_000;
    let ticks = (u64::from(high) << 32) | u64::from(low);
    (ticks / 10_000) as i64 - EPOCH_DIFF_MS
}

/// Other systems: no way to ask here, so no owner is ever provably dead (the stale
/// threshold decides).
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn process_state(_pid: u32) -> ProcessState {
    ProcessState::Unknown
}

/// The start time of `pid` in ms since the epoch, when the OS tells it.
pub fn process_started_at(pid: u32) -> Option<i64> {
    match process_state(pid) {
        ProcessState::Running { started_at } => started_at,
        _ => None,
    }
}

/// `(state, starttime in clock ticks since boot)` from a `/proc/<pid>/stat` line. The command
/// name may contain spaces and parentheses, so fields are counted after the last `)`.
#[cfg(target_os = "linux")]
fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // After the state come fields 4..; starttime is field 22, i.e. the 19th after the state.
    let ticks = fields.nth(18)?.parse().ok()?;
    Some((state, ticks))
}

#[cfg(target_os = "linux")]
fn ticks_to_epoch_ms(ticks: u64) -> Option<i64> {
    let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if per_sec <= 0 {
        return None;
    }
    let boot_secs: i64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(boot_secs * 1000 + (ticks as i64 * 1000) / per_sec as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command name with spaces and parentheses does not shift the parsed fields.
    #[cfg(target_os = "linux")]
    #[test]
    fn parses_stat_with_odd_command_names() {
        let line = "42 (my (odd) prog) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 0 0";
        assert_eq!(
            parse_stat(line),
            Some(('S', 98765)),
            "starttime is field 22"
        );
    }

    /// Windows' process creation time converts to the Unix epoch exactly.
    #[test]
    fn filetime_converts_to_epoch_ms() {
        // 2024-01-01T00:00:00Z is 133_485_408_000_000_000 ticks of 100 ns since 1601.
        let ticks: u64 = 133_485_408_000_000_000;
        assert_eq!(
            filetime_to_epoch_ms((ticks >> 32) as u32, ticks as u32),
            1_704_067_200_000,
            "1601-based 100 ns ticks become Unix ms"
        );
    }

    /// This very process is alive, and a pid that cannot exist is dead.
    #[test]
    fn current_process_alive_and_missing_pid_dead() {
        let live = ProcessLiveness::new();
        let me = Owner::current();
        assert!(!live.is_dead(&me), "the test process itself is running");
        let ghost = Owner {
            pid: u32::MAX - 7,
            ..me.clone()
        };
        assert!(live.is_dead(&ghost), "no process has that pid");
        let reused = Owner {
            started_at: me.started_at.map(|t| t - 3_600_000),
            ..me.clone()
        };
        assert!(
            live.is_dead(&reused),
            "same pid with another start time is pid reuse"
        );
        let foreign = Owner {
            host: "elsewhere.invalid".into(),
            ..ghost
        };
        assert!(
            !live.is_dead(&foreign),
            "owners on other hosts are never provably dead"
        );
    }
}
