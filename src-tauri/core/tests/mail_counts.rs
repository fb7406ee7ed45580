//! The counts the triggers keep (migrations 0006 and 0009: messages, links, defects, and the
//! conversations of each label and of the mailbox) against a scan of the messages themselves:
//! after random inserts, label changes, defect changes and deletes (links going with their
//! message), and after migrating a database that held mail before the counts existed.
mod common;

use std::collections::BTreeMap;

use common::*;
use inbox_sync_core::sync::MailStore;
use inbox_sync_core::Store;

const LABELS: &[&str] = &["INBOX", "UNREAD", "STARRED", "SENT", "Label_1", "Label_2"];

/// xorshift64*: the same operations on every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % sides
    }

    fn labels(&mut self) -> String {
        let chosen: Vec<&str> = LABELS
            .iter()
            .copied()
            .filter(|_| self.roll(3) == 0)
            .collect();
        serde_json::to_string(&chosen).unwrap()
    }
}

/// What the triggers keep, and the same read by scanning every message.
#[derive(Debug, PartialEq)]
struct Counts {
    totals: (i64, i64, i64),
    labels: BTreeMap<String, (i64, i64)>,
    members: Vec<(String, i64)>,
    /// Conversations in all, and in each label (threads with a message carrying it).
    threads: i64,
    label_threads: BTreeMap<String, i64>,
}

async fn kept(store: &Store) -> Counts {
    let totals = sqlx::query_as("SELECT messages, links, with_defects FROM mail_totals")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let labels: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT label_id, total, unread FROM label_counts WHERE total > 0")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let members = sqlx::query_as(
        "SELECT label_id, message_id FROM message_labels ORDER BY label_id, message_id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let threads = sqlx::query_scalar("SELECT threads FROM mail_totals")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let label_threads: Vec<(String, i64)> =
        sqlx::query_as("SELECT label_id, threads FROM label_thread_counts WHERE threads > 0")
            .fetch_all(store.pool())
            .await
            .unwrap();
    Counts {
        totals,
        labels: labels.into_iter().map(|(l, t, u)| (l, (t, u))).collect(),
        members,
        threads,
        label_threads: label_threads.into_iter().collect(),
    }
}

async fn scanned(store: &Store) -> Counts {
    let totals = sqlx::query_as(
        "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM links), \
         (SELECT count(*) FROM messages WHERE defects IS NOT NULL)",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let labels: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT j.value, count(DISTINCT m.id), \
                count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM json_each(m.label_ids) u \
                                                 WHERE u.value = 'UNREAD') THEN m.id END) \
         FROM messages m, json_each(m.label_ids) j GROUP BY j.value",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let members = sqlx::query_as(
        "SELECT DISTINCT j.value, m.id FROM messages m, json_each(m.label_ids) j \
         ORDER BY j.value, m.id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let threads = sqlx::query_scalar("SELECT count(DISTINCT thread_id) FROM messages")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let label_threads: Vec<(String, i64)> = sqlx::query_as(
        "SELECT j.value, count(DISTINCT m.thread_id) FROM messages m, json_each(m.label_ids) j \
         GROUP BY j.value",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    Counts {
        totals,
        labels: labels.into_iter().map(|(l, t, u)| (l, (t, u))).collect(),
        members,
        threads,
        label_threads: label_threads.into_iter().collect(),
    }
}

/// Messages share conversations: message `n` is in thread `n % THREADS`.
const THREADS: i64 = 37;

async fn insert(store: &Store, n: i64, labels: &str, defects: bool, links: i64) {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (gmail_id, thread_id, label_ids, internal_date_ms, defects, \
         run_id, stored_at) VALUES (?, ?, ?, ?, ?, 1, 0) RETURNING id",
    )
    .bind(format!("m{n:05}"))
    .bind(format!("t{:05}", n % THREADS))
    .bind(labels)
    .bind(n * 1000)
    .bind(defects.then_some(r#"["made up"]"#))
    .fetch_one(store.pool())
    .await
    .unwrap();
    for position in 0..links {
        sqlx::query("INSERT INTO links (message_id, position, url, domain) VALUES (?, ?, ?, 'x')")
            .bind(id)
            .bind(position)
            .bind(format!("https://x/{n}/{position}"))
            .execute(store.pool())
            .await
            .unwrap();
    }
}

/// 600 random operations: after each 50, what the triggers keep equals a scan.
#[tokio::test]
async fn kept_counts_equal_a_scan_through_inserts_changes_and_deletes() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let mut dice = Dice(0x5eed);
    let mut next = 0_i64;
    for step in 1..=600 {
        let existing: Vec<String> = sqlx::query_scalar("SELECT gmail_id FROM messages")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let pick = |dice: &mut Dice| existing[dice.roll(existing.len() as u64) as usize].clone();
        match dice.roll(10) {
            0..=4 => {
                next += 1;
                let labels = dice.labels();
                let defects = dice.roll(5) == 0;
                let links = dice.roll(4) as i64;
                insert(&store, next, &labels, defects, links).await;
            }
            5 | 6 if !existing.is_empty() => {
                sqlx::query("UPDATE messages SET label_ids = ? WHERE gmail_id = ?")
                    .bind(dice.labels())
                    .bind(pick(&mut dice))
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
            // Gmail never moves a message to another thread; the counts hold if it did.
            7 if !existing.is_empty() && dice.roll(4) == 0 => {
                sqlx::query("UPDATE messages SET thread_id = ? WHERE gmail_id = ?")
                    .bind(format!("t{:05}", dice.roll(THREADS as u64)))
                    .bind(pick(&mut dice))
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
            7 if !existing.is_empty() => {
                let defects = (dice.roll(2) == 0).then_some(r#"["changed"]"#);
                sqlx::query("UPDATE messages SET defects = ? WHERE gmail_id = ?")
                    .bind(defects)
                    .bind(pick(&mut dice))
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
            8 | 9 if !existing.is_empty() => {
                sqlx::query("DELETE FROM messages WHERE gmail_id = ?")
                    .bind(pick(&mut dice))
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
            _ => {}
        }
        if step % 50 == 0 {
            assert_eq!(
                kept(&store).await,
                scanned(&store).await,
                "after {step} operations"
            );
        }
    }
    let counts = MailStore::new(store.clone()).counts().await.unwrap();
    let (messages, links, with_defects) = scanned(&store).await.totals;
    assert_eq!(
        (counts.messages, counts.links, counts.with_defects),
        (messages, links, with_defects),
        "MailStore::counts reads the kept totals"
    );
    assert!(messages > 50, "the mix left mail to count: {messages}");
    store.close().await;
}

/// A database that held mail before the counts existed: the migration counts it once, and
/// the triggers carry on from there.
#[tokio::test]
async fn an_existing_database_is_counted_on_migration() {
    let db = temp_db();
    let store = open_store(&db.path).await;
    let mut dice = Dice(0xc0de);
    for n in 1..=200 {
        let labels = dice.labels();
        insert(&store, n, &labels, n % 7 == 0, n % 3).await;
    }
    // Back to the schema before the counts: no tables, no triggers, migrations 6 and 9 (the
    // conversation counts, which build on 6's) not applied.
    for sql in [
        "DROP TRIGGER messages_threads_insert",
        "DROP TRIGGER messages_threads_delete",
        "DROP TRIGGER messages_threads_update",
        "DROP TABLE thread_labels",
        "DROP TABLE label_thread_counts",
        "DROP TABLE messages_fts_vocab",
        "DROP INDEX messages_with_links",
        "ALTER TABLE messages DROP COLUMN has_link",
        "DELETE FROM _sqlx_migrations WHERE version = 9",
        "DROP TRIGGER messages_counts_insert",
        "DROP TRIGGER messages_counts_delete",
        "DROP TRIGGER messages_counts_update",
        "DROP TRIGGER links_count_insert",
        "DROP TRIGGER links_count_delete",
        "DROP TABLE message_labels",
        "DROP TABLE label_counts",
        "DROP TABLE mail_totals",
        "DELETE FROM _sqlx_migrations WHERE version = 6",
    ] {
        sqlx::query(sql).execute(store.pool()).await.expect(sql);
    }
    // Mail that arrives while the counts do not exist.
    for n in 201..=260 {
        let labels = dice.labels();
        insert(&store, n, &labels, false, 1).await;
    }
    store.close().await;

    let store = open_store(&db.path).await;
    assert_eq!(
        kept(&store).await,
        scanned(&store).await,
        "counted on migration"
    );
    assert_eq!(scanned(&store).await.totals.0, 260, "every message kept");
    insert(&store, 261, r#"["INBOX","UNREAD"]"#, false, 2).await;
    sqlx::query("DELETE FROM messages WHERE gmail_id = 'm00001'")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        kept(&store).await,
        scanned(&store).await,
        "and kept after it"
    );
    store.close().await;
}
