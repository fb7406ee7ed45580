//! The `inbox-sync-cli` binary: the command line alone, without the window. It calls nothing
//! of `gui/`, so the linker (`--as-needed`) leaves WebKitGTK, JavaScriptCore and GTK out of
//! it (tests/lean_cli.rs holds that); `inbox-sync SUBCOMMAND` execs it when it is installed
//! beside `inbox-sync`.
//!
//! Its allocator is mimalloc: a sync allocates and frees a message's worth of buffers (the
//! response, its decoded parts, the text) thousands of times a second from several threads,
//! and glibc's malloc spent 15 % of the sync's CPU in `malloc`/`free` and 3 % more in their
//! locks (perf, 25,000 messages). With mimalloc the sync takes 17 % less CPU a message.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc 3's option numbers (`mi_option_e` in the pinned libmimalloc-sys's mimalloc.h).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // The fake Gmail server is a test's stand-in, and no one measures its memory: it keeps
    // mimalloc's defaults, whose purge delay spares it re-faulting the pages of the buffers it
    // builds for every answer (7 % of its CPU, perf, 25,000 messages served).
    let serving_fake = std::env::args_os().any(|arg| arg == "fake-gmail");
    if !serving_fake {
        // Memory a sync frees goes back to the system at once, and arenas are committed as
        // they are used rather than up front: peak RSS at 25,000 messages 44 MB instead of
        // 73-91 MB with mimalloc's defaults (its 10 ms purge delay and eager arenas), at no
        // measured cost in speed.
        // SAFETY: mi_option_set only stores a number in mimalloc's option table.
        unsafe {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
            libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        }
    }
    std::process::exit(inbox_sync_app::cli_entry());
}
