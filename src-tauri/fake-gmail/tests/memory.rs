//! The served mailbox is made lazily, from the seed, when a message is asked for: what a running
//! fake keeps grows by a few bytes a message, not by the message (about 6 KB on average).
//!
//! One test in this binary, so the counting allocator sees no other test's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use fake_gmail::{FakeConfig, FakeGmail};

/// Counts the bytes live on the heap.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Heap bytes a started fake of `messages` keeps (the default mailbox knobs: large and malformed
/// messages included).
async fn kept(messages: usize) -> (FakeGmail, isize) {
    let before = live();
    let fake = FakeGmail::start(FakeConfig::default().messages(messages).seed(11))
        .await
        .expect("the fake starts");
    (fake, live() - before)
}

#[tokio::test]
async fn memory_does_not_grow_with_the_mailbox() {
    const SMALL: usize = 2_000;
    const LARGE: usize = 20_000;
    let (small, kept_small) = kept(SMALL).await;
    small.shutdown().await;
    let (large, kept_large) = kept(LARGE).await;
    let per_message = (kept_large - kept_small) / (LARGE - SMALL) as isize;
    eprintln!(
        "kept: {kept_small} bytes for {SMALL} messages, {kept_large} for {LARGE}: \
         {per_message} bytes a message"
    );
    assert!(
        per_message <= 48,
        "a fake keeps {per_message} bytes a message; the messages themselves must not be kept"
    );

    large.shutdown().await;
}
