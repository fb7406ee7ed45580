//! Big mailboxes: our sync, search and paging on 250,000 messages, and the app opened on them.
//! A benchmark, not a test — it prints figures and asserts only that the work was done:
//!
//!     cargo bench --bench big_mailbox                              # 250,000 messages
//!     BIG_MAILBOX_MESSAGES=25000 cargo bench --bench big_mailbox   # another size
//!     BIG_MAILBOX_WINDOW=0 cargo bench --bench big_mailbox         # without the window figures
//!     BIG_MAILBOX_DATA=/var/tmp/big cargo bench --bench big_mailbox   # keep the synced folder; reuse it next time
//!
//! 1. `inbox-sync-cli fake-gmail` in a process of its own serves the mailbox (no latency, no
//!    quota); `inbox-sync-cli sync` (the command line without the window's libraries, what
//!    `inbox-sync sync` execs) fetches it all: messages a second, CPU a message (user + system
//!    of the sync process), its peak RSS (and what it is made of), database bytes a message; the
//!    fake's CPU meanwhile, and the rate the machine's cores allow the two. Then a second sync,
//!    which finds nothing new (the incremental sync with everything stored).
//! 2. The store's floor: the synced mail copied by SQLite itself into a fresh database made by
//!    the app's migrations, 100 messages a transaction (no fetching, parsing or binding): the
//!    CPU a message that the schema alone costs, with and without the full-text index.
//! 3. Search: 50 fixed queries (operators, common and rare words, phrases), each run 5 times
//!    through the app's own reads (`MailStore::summaries`: first page of 50 and the total):
//!    p50 / p95 over the 250 runs.
//! 4. Paging: the first Inbox page and page 2,000 of All mail (read by key, as the window does),
//!    40 runs each: p95.
//! 5. The window (needs Xvfb and dbus-run-session, as the window tests): the app launched on
//!    the synced database as a user launches it (no WebDriver), from its process start to the
//!    first painted fetch card (the page reports it and the app logs it); the CPU the app and
//!    its WebKit processes use in the 30 s after that (WebKit finishing its own start: its
//!    JIT and collector), and then idle over 60 s.
#[cfg(target_os = "linux")]
#[path = "../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

fn main() {
    imp::main();
}

/// The window harness and the process accounting (wait4, /proc) are Linux's.
#[cfg(not(target_os = "linux"))]
mod imp {
    pub fn main() {
        eprintln!("big_mailbox measures on Linux only");
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use super::harness;

    use std::io::{BufRead, BufReader};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use inbox_sync_core::sync::MailStore;
    use inbox_sync_core::{Store, StoreOptions};

    /// The command line without the window's libraries: what `inbox-sync SUBCOMMAND` execs.
    const CLI: &str = env!("CARGO_BIN_EXE_inbox-sync-cli");
    const PAGE: u32 = 50;

    /// The queries of the search figure: Gmail's words, common and rare words, phrases.
    const QUERIES: [&str; 50] = [
        "invoice",
        "meeting",
        "budget",
        "coffee",
        "falcon",
        "lisbon",
        "kyoto",
        "hooli",
        "globex",
        "password",
        "shipped",
        "onboarding",
        "offsite",
        "\"quarterly report\"",
        "\"project falcon\"",
        "\"security alert\"",
        "\"weekly digest\"",
        "\"next steps\"",
        "from:alice",
        "from:volkov",
        "from:example.org",
        "to:demo",
        "subject:invoice",
        "subject:reminder",
        "subject:\"meeting notes\"",
        "label:inbox",
        "label:work",
        "label:Work/Clients",
        "label:travel",
        "label:receipts",
        "is:unread",
        "is:starred",
        "has:attachment",
        "has:link",
        "is:unread invoice",
        "is:starred label:work",
        "has:attachment from:alice",
        "label:travel kyoto",
        "after:2024/01/01",
        "before:2023/06/01",
        "older_than:1y",
        "newer_than:30d",
        "invoice -shipped",
        "coffee OR lunch",
        "lisbon OR oslo OR tallinn",
        "budget -label:inbox",
        "zyzzyva",
        "xylophone",
        "qwertyuiop",
        "\"never said this\"",
    ];

    pub fn main() {
        let messages: usize = std::env::var("BIG_MAILBOX_MESSAGES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(250_000);
        let window = std::env::var("BIG_MAILBOX_WINDOW").map_or(true, |v| v != "0");
        let dir = tempfile::Builder::new()
            .prefix("inbox-sync-big-")
            .tempdir()
            .expect("a scratch folder");
        // BIG_MAILBOX_DATA keeps the synced folder there; when it holds a database already,
        // the sync is skipped and only the reads and the window are measured.
        let data = std::env::var_os("BIG_MAILBOX_DATA")
            .map_or_else(|| dir.path().join("data"), std::path::PathBuf::from);
        std::fs::create_dir_all(&data).expect("data folder");
        let database = data.join("inbox-sync.sqlite3");
        let synced = (!database.exists()).then(|| {
            let started = Instant::now();
            let (mut fake, url) = start_fake(messages);
            eprintln!(
                "fake Gmail with {messages} messages up in {:.1} s at {url}",
                started.elapsed().as_secs_f64()
            );
            let fake_pid = fake.id() as i32;
            let fake_before = cpu_ticks(&[fake_pid]);
            let full = measured_sync(&data, &url);
            let fake_cpu = (cpu_ticks(&[fake_pid]) - fake_before) as f64 / clock_ticks();
            let bytes = std::fs::metadata(&database).map_or(0, |m| m.len());
            let again = measured_sync(&data, &url);
            let _ = fake.kill();
            let _ = fake.wait();
            (full, fake_cpu, bytes, again)
        });

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let reads = runtime.block_on(reads(&database, messages));
        let floor = runtime.block_on(store_floor(&database, dir.path()));

        println!();
        println!("| figure ({messages} messages) | measured |");
        println!("|---|---|");
        let per_message = |seconds: f64| seconds * 1e6 / messages as f64;
        if let Some((full, fake_cpu, bytes, again)) = synced {
            println!(
                "| full sync, fake in its own process | {:.1} s, {:.0} msg/s |",
                full.wall.as_secs_f64(),
                messages as f64 / full.wall.as_secs_f64()
            );
            let sync_us = per_message(full.cpu.as_secs_f64());
            let fake_us = per_message(fake_cpu);
            println!("| CPU a message (sync process, user + system) | {sync_us:.0} µs |");
            // The fake runs on the same cores: the two processes' CPU a message bounds the
            // rate, whatever the overlap.
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!(
                "| CPU a message of the fake, meanwhile | {fake_us:.0} µs: {cores} cores allow at most {:.0} msg/s for the two |",
                cores as f64 * 1e6 / (sync_us + fake_us)
            );
            println!(
                "| peak RSS of the sync | {:.0} MB (sampled peaks: {:.0} MB anonymous, {:.0} MB files) |",
                full.peak_rss_mb, full.peak_anon_mb, full.peak_file_mb
            );
            println!(
                "| database | {:.0} MB, {:.0} bytes a message |",
                bytes as f64 / 1e6,
                bytes as f64 / messages as f64
            );
            println!(
                "| incremental sync, nothing new | {:.2} s ({:.2} s CPU, {:.0} MB) |",
                again.wall.as_secs_f64(),
                again.cpu.as_secs_f64(),
                again.peak_rss_mb
            );
        }
        println!(
            "| SQLite alone storing the synced mail (fresh database by the app's migrations, INSERT … SELECT, 100 a transaction) | {:.0} µs CPU a message ({:.0} µs of it the full-text index) |",
            floor.all_us, floor.all_us - floor.without_index_us
        );
        println!(
            "| search, 50 queries × 5: p50 / p95 / slowest | {:.1} / {:.1} / {:.1} ms ({}) |",
            reads.search_p50, reads.search_p95, reads.slowest.1, reads.slowest.0
        );
        println!("| first Inbox page, p95 | {:.2} ms |", reads.first_page_p95);
        println!(
            "| page {} of All mail, p95 | {:.2} ms |",
            reads.deep_page, reads.deep_page_p95
        );
        println!(
            "| first page of Inbox conversations ({} threads), p95 | {:.2} ms |",
            reads.conversation_threads, reads.conversation_first_p95
        );
        println!(
            "| page {} of Inbox conversations, p95 | {:.2} ms |",
            reads.conversation_page, reads.conversation_deep_p95
        );
        if window {
            let (launch, settling, idle) = runtime.block_on(window_figures(&data));
            println!("| launch to painted fetch card | {:.2} s |", launch);
            println!(
                "| the 30 s after painting | {:.3} % of a core (app process), {:.3} % (with WebKit's processes) |",
                settling.0, settling.1
            );
            println!(
                "| idle app over the 60 s after those | {:.3} % of a core (app process), {:.3} % (with WebKit's processes) |",
                idle.0, idle.1
            );
        }
    }

    struct Floor {
        all_us: f64,
        without_index_us: f64,
    }

    /// The least CPU the store's schema costs a message, whatever the sync around it does: the
    /// synced messages and their links copied by SQLite itself (`INSERT … SELECT`, no fetching,
    /// parsing or binding) into a fresh database made by the app's migrations, with all its
    /// indexes and triggers, 100 messages a transaction as the sync writes them; then again
    /// without the full-text index's triggers. CPU of this process (SQLite's thread), per
    /// message.
    async fn store_floor(synced: &Path, scratch: &Path) -> Floor {
        let mut us = [0.0; 2];
        for (i, with_index) in [true, false].into_iter().enumerate() {
            let database = scratch.join(format!("floor-{i}.sqlite3"));
            let store = Store::open(&database, StoreOptions::default())
                .await
                .expect("a fresh store");
            let mut conn = store.pool().acquire().await.expect("a connection");
            if !with_index {
                for trigger in ["insert", "delete", "update"] {
                    sqlx::query(&format!("DROP TRIGGER messages_fts_{trigger}"))
                        .execute(&mut *conn)
                        .await
                        .expect("drop a trigger of the index");
                }
            }
            sqlx::query("ATTACH DATABASE ? AS synced")
                .bind(synced.to_string_lossy().into_owned())
                .execute(&mut *conn)
                .await
                .expect("attach the synced database");
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info('messages')")
                    .fetch_all(&mut *conn)
                    .await
                    .expect("the messages' columns");
            let columns = columns.join(", ");
            let last: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM synced.messages")
                .fetch_one(&mut *conn)
                .await
                .expect("the last message");
            let before = process_cpu();
            for first in (1..=last).step_by(100) {
                let mut tx = sqlx::Connection::begin(&mut *conn).await.expect("begin");
                sqlx::query(&format!(
                    "INSERT INTO main.messages ({columns}) SELECT {columns} FROM synced.messages \
                     WHERE id BETWEEN ?1 AND ?2"
                ))
                .bind(first)
                .bind(first + 99)
                .execute(&mut *tx)
                .await
                .expect("copy messages");
                sqlx::query(
                    "INSERT INTO main.links SELECT * FROM synced.links \
                     WHERE message_id BETWEEN ?1 AND ?2",
                )
                .bind(first)
                .bind(first + 99)
                .execute(&mut *tx)
                .await
                .expect("copy links");
                tx.commit().await.expect("commit");
            }
            us[i] = (process_cpu() - before) * 1e6 / last.max(1) as f64;
            drop(conn);
            store.close().await;
        }
        Floor {
            all_us: us[0],
            without_index_us: us[1],
        }
    }

    /// User + system CPU of this process so far, in seconds.
    fn process_cpu() -> f64 {
        // SAFETY: an all-zero rusage is a valid value for getrusage to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: RUSAGE_SELF with a valid out-pointer.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
        (duration(usage.ru_utime) + duration(usage.ru_stime)).as_secs_f64()
    }

    /// A kernel `timeval` (of rusage) as a duration.
    fn duration(t: libc::timeval) -> Duration {
        Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000)
    }

    /// `inbox-sync fake-gmail` on a free port; its first line of output is its URL.
    fn start_fake(messages: usize) -> (Child, String) {
        let mut fake = Command::new(CLI)
            .args(["fake-gmail", "--quota", "0", "--messages"])
            .arg(messages.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start inbox-sync-cli fake-gmail");
        let mut line = String::new();
        BufReader::new(fake.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("the fake prints its URL");
        assert!(line.starts_with("http://"), "the fake's URL, got {line:?}");
        (fake, line.trim().to_string())
    }

    struct Measured {
        wall: Duration,
        cpu: Duration,
        peak_rss_mb: f64,
        /// Sampled peaks of the anonymous and the file-backed (and shared) parts.
        peak_anon_mb: f64,
        peak_file_mb: f64,
    }

    /// One `inbox-sync-cli sync` against the fake: its wall time, and its CPU and peak RSS from
    /// the kernel's accounting of that one child (wait4).
    fn measured_sync(data: &Path, url: &str) -> Measured {
        let started = Instant::now();
        // Reaped below by wait4, which also gives its CPU and peak RSS.
        #[allow(clippy::zombie_processes)]
        let child = Command::new(CLI)
            .arg("--data-dir")
            .arg(data)
            .args(["sync", "--quota", "0", "--gmail-base-url", url])
            .env_remove("INBOX_SYNC_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start inbox-sync-cli sync");
        let split = rss_split(child.id());
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child, whose pid we hold; both out-pointers are valid.
        let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
        let wall = started.elapsed();
        assert_eq!(pid, child.id() as i32, "wait4 on the sync");
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the sync succeeded (status {status})"
        );
        let (anon_kb, file_kb) = split.join().unwrap_or((0, 0));
        Measured {
            wall,
            cpu: duration(usage.ru_utime) + duration(usage.ru_stime),
            // Linux reports kilobytes.
            peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
            peak_anon_mb: anon_kb as f64 / 1024.0,
            peak_file_mb: file_kb as f64 / 1024.0,
        }
    }

    /// The highest RssAnon and RssFile (+ RssShmem) of process `pid`, sampled every 20 ms from
    /// /proc until it exits: what its peak RSS is made of (the sampling can miss a short peak;
    /// wait4's figure does not).
    fn rss_split(pid: u32) -> std::thread::JoinHandle<(u64, u64)> {
        std::thread::spawn(move || {
            let (mut anon, mut file) = (0, 0);
            let field = |status: &str, name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            };
            // A zombie's status has no Rss lines: the loop ends when the process has.
            while let Some(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .filter(|s| s.contains("RssAnon:"))
            {
                anon = anon.max(field(&status, "RssAnon:").unwrap_or(0));
                let mapped = field(&status, "RssFile:").unwrap_or(0)
                    + field(&status, "RssShmem:").unwrap_or(0);
                file = file.max(mapped);
                std::thread::sleep(Duration::from_millis(20));
            }
            (anon, file)
        })
    }

    struct Reads {
        search_p50: f64,
        search_p95: f64,
        slowest: (&'static str, f64),
        first_page_p95: f64,
        deep_page_p95: f64,
        deep_page: i64,
        conversation_first_p95: f64,
        conversation_deep_p95: f64,
        conversation_page: i64,
        conversation_threads: i64,
    }

    fn percentile(samples: &mut [f64], p: f64) -> f64 {
        samples.sort_by(|a, b| a.total_cmp(b));
        let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        samples[rank.clamp(1, samples.len()) - 1]
    }

    fn ms(since: Instant) -> f64 {
        since.elapsed().as_secs_f64() * 1e3
    }

    async fn reads(database: &Path, messages: usize) -> Reads {
        let store = Store::open(database, StoreOptions::default())
            .await
            .expect("open the synced database");
        let pool = store.pool().clone();
        let mail = MailStore::new(store);
        let (_, total) = mail.summaries(PAGE, 0, None, None).await.expect("a page");
        assert_eq!(total.count as usize, messages, "every message was stored");

        let mut search = Vec::new();
        let mut slowest = ("", 0.0);
        let mut by_query = Vec::new();
        for query in QUERIES {
            let mut runs = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                mail.summaries(PAGE, 0, Some(query), None)
                    .await
                    .unwrap_or_else(|e| panic!("search {query:?}: {e}"));
                let took = ms(t);
                if took > slowest.1 {
                    slowest = (query, took);
                }
                search.push(took);
                runs.push(took);
            }
            by_query.push((percentile(&mut runs, 50.0), query));
        }
        by_query.sort_by(|a, b| b.0.total_cmp(&a.0));
        eprintln!("searches, slowest first (median of 5):");
        for (took, query) in &by_query {
            eprintln!("  {took:8.2} ms  {query}");
        }

        let mut first = Vec::new();
        for _ in 0..40 {
            let t = Instant::now();
            mail.summaries(PAGE, 0, None, Some("INBOX"))
                .await
                .expect("the Inbox");
            first.push(ms(t));
        }
        // Where page 2,000 starts (or the last full page of a smaller mailbox): the row just
        // before it, as the window keeps from the page before.
        let deep_page = (messages / PAGE as usize).min(2_000) as i64;
        let (date, id): (i64, String) = sqlx::query_as(
            "SELECT internal_date_ms, gmail_id FROM messages \
             ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT 1 OFFSET ?",
        )
        .bind(i64::from(PAGE) * (deep_page - 1) - 1)
        .fetch_one(&pool)
        .await
        .expect("the key of the deep page");
        let mut deep = Vec::new();
        for _ in 0..40 {
            let t = Instant::now();
            let (page, _) = mail
                .summaries_after(PAGE, (date, &id), None, None)
                .await
                .expect("the deep page");
            deep.push(ms(t));
            assert_eq!(page.len(), PAGE as usize, "page {deep_page} is full");
        }
        // Conversations (one row a thread) in the Inbox: the first page, and a deep page read
        // by key from the row before it (the newest Inbox message of the thread just before).
        let mut conversation_first = Vec::new();
        let mut threads = 0;
        for _ in 0..40 {
            let t = Instant::now();
            let (page, total) = mail
                .conversations(PAGE, 0, None, Some("INBOX"))
                .await
                .expect("the Inbox's conversations");
            conversation_first.push(ms(t));
            assert_eq!(page.len(), PAGE as usize, "a full first page");
            threads = total.count;
        }
        let conversation_page = (threads / i64::from(PAGE)).min(2_000);
        let (date, id): (i64, String) = sqlx::query_as(
            "SELECT internal_date_ms, gmail_id FROM messages \
             WHERE EXISTS (SELECT 1 FROM message_labels WHERE label_id = 'INBOX' AND message_id = messages.id) \
             AND NOT EXISTS (SELECT 1 FROM messages newer WHERE newer.thread_id = messages.thread_id \
               AND (newer.internal_date_ms, newer.gmail_id) > (messages.internal_date_ms, messages.gmail_id) \
               AND EXISTS (SELECT 1 FROM message_labels WHERE label_id = 'INBOX' AND message_id = newer.id)) \
             ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT 1 OFFSET ?",
        )
        .bind(i64::from(PAGE) * (conversation_page - 1) - 1)
        .fetch_one(&pool)
        .await
        .expect("the key of the deep page of conversations");
        let mut conversation_deep = Vec::new();
        for _ in 0..40 {
            let t = Instant::now();
            let (page, _) = mail
                .conversations(PAGE, 0, Some((date, &id)), Some("INBOX"))
                .await
                .expect("the deep page of conversations");
            conversation_deep.push(ms(t));
            assert_eq!(
                page.len(),
                PAGE as usize,
                "page {conversation_page} is full"
            );
        }
        Reads {
            conversation_first_p95: percentile(&mut conversation_first, 95.0),
            conversation_deep_p95: percentile(&mut conversation_deep, 95.0),
            conversation_page,
            conversation_threads: threads,
            search_p50: percentile(&mut search.clone(), 50.0),
            search_p95: percentile(&mut search, 95.0),
            slowest,
            first_page_p95: percentile(&mut first, 95.0),
            deep_page_p95: percentile(&mut deep, 95.0),
            deep_page,
        }
    }

    /// The app launched as a user launches it (no WebDriver: WebKit under automation does
    /// periodic work of its own, 0.57 % of a core idle against 0.07 % without, 2026-11-29),
    /// under Xvfb with a session bus, on the synced folder `data`. The page tells the app when
    /// its first fetch card is painted and the app logs it (`inbox_sync_startup`); the launch
    /// is that instant less the process's start, in seconds. Then the CPU of the app process
    /// and of it with its descendants (WebKit's processes), in % of a core: over the 30 s after
    /// the paint, and over the 60 s after those.
    async fn window_figures(data: &Path) -> (f64, (f64, f64), (f64, f64)) {
        use std::os::unix::process::CommandExt;

        harness::write_settings(data, false);
        let scratch = tempfile::tempdir().expect("a scratch folder");
        let (display, xvfb) = match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => (d, None),
            _ => {
                let (d, child) = harness::start_xvfb(scratch.path());
                (d, Some(child))
            }
        };
        let log = scratch.path().join("app.log");
        let mut app = Command::new("dbus-run-session")
            .arg("--")
            .arg(harness::APP)
            .env("DISPLAY", &display)
            .env("NO_AT_BRIDGE", "1")
            .env("INBOX_SYNC_DATA_DIR", data)
            .env("INBOX_SYNC_LOG", "warn,inbox_sync_startup=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("the app's log"))
            // Its own process group: the bus, the app and WebKit's helpers end together.
            .process_group(0)
            .spawn()
            .expect("start the app under dbus-run-session (run `cargo xtask deps` first)");
        let deadline = Instant::now() + Duration::from_secs(60);
        let painted_ms = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(at) = text
                .lines()
                .find(|l| l.contains("first fetch card painted"))
                .and_then(|l| l.split("painted_at_ms=").nth(1))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
            {
                break at;
            }
            assert!(
                Instant::now() < deadline,
                "the app logs its first painted fetch card within 60 s; its log:\n{text}"
            );
            assert!(
                app.try_wait().expect("the app's state").is_none(),
                "the app ended before painting; its log:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let pids = harness::window_pids(data);
        assert_eq!(pids.len(), 1, "one app process on the data folder");
        let pid = pids[0];
        let launch = painted_ms / 1e3 - process_start_epoch(pid);

        // The CPU over `period`, in % of a core: the app's, and with its WebKit processes.
        let hz = clock_ticks();
        let measure = |period: Duration| async move {
            let before = (cpu_ticks(&[pid]), cpu_ticks(&with_descendants(pid)));
            let t = Instant::now();
            tokio::time::sleep(period).await;
            let after = (cpu_ticks(&[pid]), cpu_ticks(&with_descendants(pid)));
            let seconds = t.elapsed().as_secs_f64();
            let percent = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / hz / seconds * 100.0;
            (percent(before.0, after.0), percent(before.1, after.1))
        };
        // WebKit finishes its own start (measured here: its work fades within 25 s of the
        // paint), then the app sits idle.
        let settling = measure(Duration::from_secs(30)).await;
        let idle = measure(Duration::from_secs(60)).await;
        // SAFETY: a signal to the process group this bench started.
        unsafe { libc::kill(-(app.id() as i32), libc::SIGTERM) };
        let _ = app.wait();
        if let Some(mut xvfb) = xvfb {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
        (launch, settling, idle)
    }

    fn clock_ticks() -> f64 {
        // SAFETY: sysconf has no preconditions.
        (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
    }

    /// The fields of /proc/PID/stat after the command name.
    fn stat_fields(pid: i32) -> Vec<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        rest.split_whitespace().map(str::to_string).collect()
    }

    /// utime + stime of these processes, in clock ticks.
    fn cpu_ticks(pids: &[i32]) -> u64 {
        pids.iter()
            .map(|pid| {
                let f = stat_fields(*pid);
                // After the name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
                let n = |i: usize| {
                    f.get(i - 3)
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                n(14) + n(15)
            })
            .sum()
    }

    /// When the process started, in seconds since the epoch: now, less the time since its start
    /// (the uptime now less its start time after boot, both to the clock tick). /proc/stat's boot
    /// time is in whole seconds, too coarse for this.
    fn process_start_epoch(pid: i32) -> f64 {
        let start: f64 = stat_fields(pid)
            .get(22 - 3)
            .and_then(|v| v.parse().ok())
            .expect("the process start time");
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .expect("the uptime");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs_f64();
        now - (uptime - start / clock_ticks())
    }

    /// `pid` and every process below it.
    fn with_descendants(pid: i32) -> Vec<i32> {
        let parents: Vec<(i32, i32)> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_string_lossy().parse::<i32>().ok())
            .filter_map(|p| {
                let ppid = stat_fields(p).get(4 - 3)?.parse().ok()?;
                Some((p, ppid))
            })
            .collect();
        let mut tree = vec![pid];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(
                parents
                    .iter()
                    .filter(|(_, pp)| *pp == parent)
                    .map(|(p, _)| *p),
            );
            i += 1;
        }
        tree
    }
}
