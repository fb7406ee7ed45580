//! The host's boot clock and boot identity, so staleness between processes of one boot is
//! judged on a clock that no wall-clock step, NTP slew or skewed process can move.
//!
//! Linux: `CLOCK_BOOTTIME` via `/proc/uptime` (counts suspend too, so a laptop's sleep still reads as silence)
//! and `/proc/sys/kernel/random/boot_id`. Elsewhere there is no reading yet and the ledger
//! keeps the wall-clock rule, as it does for owners on other hosts or earlier boots.
use std::sync::OnceLock;

/// One reading of the boot clock, with the boot it belongs to: two readings only compare
/// when their `boot_id`s are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootReading {
    pub boot_id: String,
    /// Milliseconds since this boot, suspend included.
    pub ms: i64,
}

/// The boot clock now, when this OS offers one.
pub fn now() -> Option<BootReading> {
    Some(BootReading {
        boot_id: boot_id()?.to_owned(),
        ms: boot_ms()?,
    })
}

/// This boot's identity, read once: it cannot change while the process lives.
fn boot_id() -> Option<&'static str> {
    static ID: OnceLock<Option<String>> = OnceLock::new();
    ID.get_or_init(read_boot_id).as_deref()
}

#[cfg(target_os = "linux")]
fn read_boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

#[cfg(not(target_os = "linux"))]
fn read_boot_id() -> Option<String> {
    None
}

/// `CLOCK_BOOTTIME` as the kernel publishes it in `/proc/uptime` (10 ms steps). Read from the
/// file rather than `clock_gettime` because time-faking preloads (libfaketime without
/// `DONT_FAKE_MONOTONIC`) rewrite every clock a process asks for, the boot clock included,
/// but not what the kernel writes into a file.
#[cfg(target_os = "linux")]
fn boot_ms() -> Option<i64> {
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let secs = uptime.split_whitespace().next()?;
    let (whole, frac) = secs.split_once('.').unwrap_or((secs, "0"));
    let frac_ms: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
    Some(whole.parse::<i64>().ok()? * 1000 + frac_ms)
}

#[cfg(not(target_os = "linux"))]
fn boot_ms() -> Option<i64> {
    None
}
