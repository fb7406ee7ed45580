//! The synced mail in SQLite: the writes the engine makes inside its fenced transactions,
//! the sync cursor, and the reads the command line, the window and the tests use.
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::error::StoreError;
use crate::mail::{InlineImages, ParsedMail};
use crate::store::Store;

use super::search::{LabelRef, SearchSql, Shape};
use super::{Label, RawMessage};

/// Above this many matches of a words-only search, its page is read in date order keeping the
/// matches (a page fills within about 50 x messages / matches rows) instead of fetching every
/// match by id and sorting them all (160,000 lookups for "meeting" at 250,000 messages).
const BY_DATE_ABOVE: i64 = 1_000;

/// A dense words-only search (see `MailStore::dense_words`): each message read in date order
/// checked by id against the expression of whole terms bound to `?`.
const DENSE_WORDS: &str =
    "EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND rowid = messages.id)";

/// How many of the newest ids [`MailStore::newest_share`] samples.
const NEWEST_SAMPLE: i64 = 4_096;

/// A words term in at least this share of the newest mail is checked by id in the index while
/// the date index is walked, rather than as the set of all its matches (built first).
const DENSE_SHARE: f64 = 0.25;

/// A search's total is counted up to this many matches; above it the total says "more than
/// 1,000" ([`Total::exact`] false) instead of counting every match, which at 250,000 messages
/// read most of the mail for a common word or a word with a label (0.4-0.9 s a search).
pub const COUNTED_UP_TO: i64 = 1_000;

/// How many messages (or conversations) a view or search holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    /// When `exact`, how many; else a floor: more than this many match (not all counted).
    pub count: i64,
    pub exact: bool,
}

impl Total {
    pub fn exact(count: i64) -> Self {
        Self { count, exact: true }
    }

    /// From a count stopped at [`COUNTED_UP_TO`] + 1 rows.
    fn capped(counted: i64) -> Self {
        if counted > COUNTED_UP_TO {
            Self {
                count: COUNTED_UP_TO,
                exact: false,
            }
        } else {
            Self::exact(counted)
        }
    }
}

/// A fetched and parsed message, ready to store.
pub(crate) struct FetchedMessage {
    pub meta: RawMessage,
    pub parsed: ParsedMail,
}

/// Where the sync stands.
#[derive(Debug, Clone, Default)]
pub(crate) struct SyncState {
    pub history_id: Option<i64>,
    pub full_epoch: Option<i64>,
    pub full_page_token: Option<String>,
    pub full_total: Option<i64>,
}

pub(crate) async fn load_state(conn: &mut SqliteConnection) -> Result<SyncState, sqlx::Error> {
    let row = sqlx::query(
        "SELECT history_id, full_epoch, full_page_token, full_total \
         FROM sync_state WHERE id = 1",
    )
    .fetch_one(conn)
    .await?;
    Ok(SyncState {
        history_id: row.get(0),
        full_epoch: row.get(1),
        full_page_token: row.get(2),
        full_total: row.get(3),
    })
}

fn json_ids(ids: &[String]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Which of `ids` are stored already.
pub(crate) async fn existing_ids(
    conn: &mut SqliteConnection,
    ids: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT gmail_id FROM messages WHERE gmail_id IN (SELECT value FROM json_each(?))",
    )
    .bind(json_ids(ids))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Messages per INSERT statement: 18 values each, far below SQLite's 32,766 variables.
const MESSAGE_ROWS: usize = 500;
/// Links per INSERT statement (4 values each).
const LINK_ROWS: usize = 2_000;

/// Stores messages (a message already stored is left as it is) with their links, in a few
/// multi-row statements: one statement a message (and one a link) cost more in round trips to
/// SQLite's worker thread than SQLite spent on the rows. Returns `(messages inserted, links
/// inserted)`.
pub(crate) async fn insert_messages(
    conn: &mut SqliteConnection,
    run_id: i64,
    epoch: Option<i64>,
    now: i64,
    messages: &[FetchedMessage],
) -> Result<(i64, i64), sqlx::Error> {
    let mut inserted: HashMap<String, i64> = HashMap::new();
    for chunk in messages.chunks(MESSAGE_ROWS) {
        let mut sql = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO messages (gmail_id, thread_id, label_ids, from_addr, to_addr, subject, \
             date_ms, internal_date_ms, snippet, text_body, html_body, size_estimate, attachments, \
             defects, seen_epoch, run_id, stored_at, has_link) ",
        );
        sql.push_values(chunk, |mut row, m| {
            let p = &m.parsed;
            let attachments = (!p.attachments.is_empty()).then(|| {
                serde_json::Value::Array(
                    p.attachments
                        .iter()
                        .map(|a| serde_json::json!({"filename": a.filename, "mimeType": a.mime_type, "size": a.size, "partId": a.part_id}))
                        .collect(),
                )
                .to_string()
            });
            let defects = (!p.defects.is_empty())
                .then(|| serde_json::to_string(&p.defects).unwrap_or_default());
            row.push_bind(&m.meta.id)
                .push_bind(&m.meta.thread_id)
                .push_bind(json_ids(&m.meta.label_ids))
                .push_bind(p.from.as_deref())
                .push_bind(p.to.as_deref())
                .push_bind(p.subject.as_deref())
                .push_bind(p.date_ms)
                .push_bind(m.meta.internal_date_ms)
                .push_bind(&p.snippet)
                .push_bind(p.text_body.as_deref())
                .push_bind(p.html_body.as_deref())
                .push_bind(m.meta.size_estimate)
                .push_bind(attachments)
                .push_bind(defects)
                .push_bind(epoch)
                .push_bind(run_id)
                .push_bind(now)
                // Its links are stored below with it (all of them, deduplicated), so the flag
                // `has:link` reads (migration 0009) says whether it has any.
                .push_bind(!p.links.is_empty());
        });
        sql.push(" ON CONFLICT (gmail_id) DO NOTHING RETURNING id, gmail_id");
        for row in sql.build().fetch_all(&mut *conn).await? {
            inserted.insert(row.try_get("gmail_id")?, row.try_get("id")?);
        }
    }
    let stored = inserted.len() as i64;
    // Links of the messages just inserted only (one already stored keeps the links it has),
    // each message's once, in the order its text gave them.
    let mut links = Vec::new();
    let mut images = Vec::new();
    for m in messages {
        if let Some(id) = inserted.remove(m.meta.id.as_str()) {
            images.extend(m.parsed.inline_images.iter().map(|i| (id, i)));
            links.extend(
                m.parsed
                    .links
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (id, i as i64, l)),
            );
        }
    }
    let mut stored_links = 0;
    for chunk in links.chunks(LINK_ROWS) {
        let mut sql = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO links (message_id, position, url, domain) ",
        );
        sql.push_values(chunk, |mut row, (id, position, link)| {
            row.push_bind(*id)
                .push_bind(*position)
                .push_bind(&link.url)
                .push_bind(&link.domain);
        });
        sql.push(" ON CONFLICT (message_id, url) DO NOTHING");
        // Not kept in the connection's statement cache: each batch has its own number of
        // links, so each count is a statement of its own text, and the cache kept up to 100 of
        // them on each connection (9 MB of prepared statements in a 25,000-message sync, more
        // the longer it ran). Preparing it again costs far less than the batch's inserts.
        stored_links += sql
            .build()
            .persistent(false)
            .execute(&mut *conn)
            .await?
            .rows_affected() as i64;
    }
    // The images HTML mail shows by `cid:` (few messages have any; one statement each).
    for (id, image) in images {
        sqlx::query(
            "INSERT INTO inline_images (message_id, content_id, mime_type, data) \
             VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(&image.content_id)
        .bind(&image.mime_type)
        .bind(&image.data)
        .execute(&mut *conn)
        .await?;
    }
    Ok((stored, stored_links))
}

/// Records that the full sync pass `epoch` saw these stored messages on the server.
pub(crate) async fn mark_seen(
    conn: &mut SqliteConnection,
    ids: &[String],
    epoch: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE messages SET seen_epoch = ? WHERE gmail_id IN (SELECT value FROM json_each(?))",
    )
    .bind(epoch)
    .bind(json_ids(ids))
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete_messages(
    conn: &mut SqliteConnection,
    ids: &[String],
) -> Result<i64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM messages WHERE gmail_id IN (SELECT value FROM json_each(?))")
            .bind(json_ids(ids))
            .execute(conn)
            .await?;
    Ok(done.rows_affected() as i64)
}

/// Sets a stored message's labels; returns 1 when that changed them, else 0.
pub(crate) async fn set_labels(
    conn: &mut SqliteConnection,
    id: &str,
    labels: &[String],
) -> Result<i64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE messages SET label_ids = ?1 WHERE gmail_id = ?2 AND label_ids IS NOT ?1",
    )
    .bind(json_ids(labels))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() as i64)
}

/// Starts a full sync pass: its epoch, the history id to continue from afterwards, the size.
pub(crate) async fn begin_full(
    conn: &mut SqliteConnection,
    epoch: i64,
    history_id: i64,
    total: i64,
    email: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sync_state SET full_epoch = ?, full_history_id = ?, full_page_token = NULL, \
         full_total = ?, email_address = ?, updated_at = ? WHERE id = 1",
    )
    .bind(epoch)
    .bind(history_id)
    .bind(total)
    .bind(email)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The full sync's next page; committed with the messages of the page before it.
pub(crate) async fn set_full_page(
    conn: &mut SqliteConnection,
    token: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sync_state SET full_page_token = ?, updated_at = ? WHERE id = 1")
        .bind(token)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the full pass: drops what the server no longer has, and hands over to history.
/// Returns how many stored messages were gone from the server.
pub(crate) async fn complete_full(
    conn: &mut SqliteConnection,
    epoch: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let gone = sqlx::query("DELETE FROM messages WHERE seen_epoch IS NOT ?")
        .bind(epoch)
        .execute(&mut *conn)
        .await?
        .rows_affected() as i64;
    sqlx::query(
        "UPDATE sync_state SET history_id = full_history_id, full_epoch = NULL, full_history_id = NULL, \
         full_page_token = NULL, full_total = NULL, updated_at = ? WHERE id = 1",
    )
    .bind(now)
    .execute(conn)
    .await?;
    Ok(gone)
}

/// Moves the incremental cursor; committed with the changes it covers.
pub(crate) async fn set_history_id(
    conn: &mut SqliteConnection,
    history_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sync_state SET history_id = ?, updated_at = ? WHERE id = 1")
        .bind(history_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the stored labels with `labels` (as `labels.list` gave them, in that order).
pub(crate) async fn replace_labels(
    conn: &mut SqliteConnection,
    labels: &[Label],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM labels")
        .execute(&mut *conn)
        .await?;
    for (position, label) in labels.iter().enumerate() {
        sqlx::query(
            "INSERT INTO labels (id, name, kind, text_color, background_color, position) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&label.id)
        .bind(&label.name)
        .bind(&label.kind)
        .bind(label.text_color.as_deref())
        .bind(label.background_color.as_deref())
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Forgets the incremental cursor so the next pass is a full one (history expired).
pub(crate) async fn clear_history_id(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sync_state SET history_id = NULL WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}

/// How much mail is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailCounts {
    pub messages: i64,
    pub links: i64,
    pub with_defects: i64,
}

/// What every view of a message shows: its ids, labels, headers and snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageHeaders {
    pub gmail_id: String,
    pub thread_id: String,
    pub label_ids: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub date_ms: Option<i64>,
    pub internal_date_ms: Option<i64>,
    pub snippet: String,
}

/// A stored message, as the UI and the tests read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredMessage {
    #[serde(flatten)]
    pub headers: MessageHeaders,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub size_estimate: Option<i64>,
    pub defects: Vec<String>,
    /// What is attached, from the store alone (names, types, sizes; never the bytes).
    pub attachments: Vec<StoredAttachment>,
}

/// One attachment as stored at sync time (the `attachments` JSON column): enough to list it
/// without the network and to fetch its bytes on demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredAttachment {
    /// The name the sender gave, unsanitized: shown as text, never used as a path.
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub size: u64,
    /// Gmail's part id (`format=full`); absent for mail stored before it was recorded.
    #[serde(default)]
    pub part_id: Option<String>,
}

/// A message in a list: headers and snippet, no bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSummary {
    #[serde(flatten)]
    pub headers: MessageHeaders,
    pub has_defects: bool,
    pub link_count: i64,
    /// In a list of conversations, the conversation this newest message stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<ThreadFacts>,
}

/// A conversation (Gmail thread) as its row in the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadFacts {
    /// Stored messages in the thread, in any view.
    pub count: i64,
    /// Its senders (From, display form), each once, in the order they first wrote.
    pub participants: Vec<String>,
}

/// At most this many messages of one conversation are shown (Gmail caps threads at 100).
pub const MAX_THREAD_MESSAGES: u32 = 500;

/// A label as the window and the command line show it: Gmail's label with how many stored
/// messages carry it, and how many of those are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelView {
    #[serde(flatten)]
    pub label: Label,
    pub total: i64,
    pub unread: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredLink {
    pub url: String,
    pub domain: String,
}

/// Read access to the synced mail. Errors come as `StoreError`, so callers never see SQL.
#[derive(Debug, Clone)]
pub struct MailStore {
    store: Store,
}

const MESSAGE_COLUMNS: &str =
    "gmail_id, thread_id, label_ids, from_addr, to_addr, subject, date_ms, \
    internal_date_ms, snippet, text_body, html_body, size_estimate, defects, attachments";

/// A JSON list column (labels, defects); empty when absent or unreadable.
fn json_list(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn headers_from_row(row: &sqlx::sqlite::SqliteRow) -> MessageHeaders {
    MessageHeaders {
        gmail_id: row.get("gmail_id"),
        thread_id: row.get("thread_id"),
        label_ids: json_list(row.get("label_ids")),
        from: row.get("from_addr"),
        to: row.get("to_addr"),
        subject: row.get("subject"),
        date_ms: row.get("date_ms"),
        internal_date_ms: row.get("internal_date_ms"),
        snippet: row.get("snippet"),
    }
}

fn message_from_row(row: &sqlx::sqlite::SqliteRow) -> StoredMessage {
    StoredMessage {
        headers: headers_from_row(row),
        text_body: row.get("text_body"),
        html_body: row.get("html_body"),
        size_estimate: row.get("size_estimate"),
        defects: json_list(row.get("defects")),
        attachments: row
            .get::<Option<String>, _>("attachments")
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
    }
}

/// `%text%` with LIKE's wildcards escaped; `None` for no or blank search.
/// Where a page of a mail view starts.
enum PageAt<'a> {
    Offset(u32),
    /// After this row: its received date and Gmail id.
    After(i64, &'a str),
}

impl MailStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    fn pool(&self) -> &SqlitePool {
        self.store.pool()
    }

    fn failed(&self, e: sqlx::Error) -> StoreError {
        StoreError::classify(e, self.store.path())
    }

    pub async fn counts(&self) -> Result<MailCounts, StoreError> {
        // Kept by triggers (migration 0006): one row, never a scan.
        let row = sqlx::query("SELECT messages, links, with_defects FROM mail_totals WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        Ok(MailCounts {
            messages: row.get(0),
            links: row.get(1),
            with_defects: row.get(2),
        })
    }

    /// Every stored Gmail id.
    pub async fn ids(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT gmail_id FROM messages ORDER BY gmail_id")
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.failed(e))
    }

    pub async fn message(&self, gmail_id: &str) -> Result<Option<StoredMessage>, StoreError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE gmail_id = ?");
        let row = sqlx::query(&sql)
            .bind(gmail_id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        Ok(row.as_ref().map(message_from_row))
    }

    /// A page of summaries, newest first, and how many messages match in all: those that
    /// carry `label` (every message when `None`) and match `search` (Gmail's search words,
    /// see [`super::search`]).
    pub async fn summaries(
        &self,
        limit: u32,
        offset: u32,
        search: Option<&str>,
        label: Option<&str>,
    ) -> Result<(Vec<MessageSummary>, Total), StoreError> {
        self.page(limit, PageAt::Offset(offset), search, label, false)
            .await
    }

    /// The page after the row `after` (its received date and Gmail id), read by key: as
    /// quick at page 2,000 as at page 1, and it never skips or repeats a message when mail
    /// arrives or goes between pages. Same filters and total as [`Self::summaries`].
    pub async fn summaries_after(
        &self,
        limit: u32,
        after: (i64, &str),
        search: Option<&str>,
        label: Option<&str>,
    ) -> Result<(Vec<MessageSummary>, Total), StoreError> {
        self.page(limit, PageAt::After(after.0, after.1), search, label, false)
            .await
    }

    /// A page of conversations (Gmail threads) newest first: one row per thread that has a
    /// message in `label`'s view (every thread when `None`), standing for its newest message
    /// in that view, with the thread's message count and participants. Read by key like
    /// [`Self::summaries_after`] (`after` is the last row's newest message); the total counts
    /// threads.
    pub async fn conversations(
        &self,
        limit: u32,
        offset: u32,
        after: Option<(i64, &str)>,
        label: Option<&str>,
    ) -> Result<(Vec<MessageSummary>, Total), StoreError> {
        let at = match after {
            Some((date, id)) => PageAt::After(date, id),
            None => PageAt::Offset(offset),
        };
        self.page(limit, at, None, label, true).await
    }

    /// Every stored message of a conversation, oldest first (at most
    /// [`MAX_THREAD_MESSAGES`], the newest of them).
    pub async fn thread(&self, thread_id: &str) -> Result<Vec<MessageSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT gmail_id, thread_id, label_ids, from_addr, to_addr, subject, date_ms, \
             internal_date_ms, snippet, defects IS NOT NULL AS has_defects, \
             (SELECT count(*) FROM links l WHERE l.message_id = messages.id) AS link_count \
             FROM messages WHERE thread_id = ? ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT ?) \
             ORDER BY internal_date_ms ASC, gmail_id ASC",
        )
        .bind(thread_id)
        .bind(MAX_THREAD_MESSAGES as i64)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(rows
            .iter()
            .map(|row| MessageSummary {
                headers: headers_from_row(row),
                has_defects: row.get::<i64, _>("has_defects") != 0,
                link_count: row.get("link_count"),
                thread: None,
            })
            .collect())
    }

    async fn page(
        &self,
        limit: u32,
        at: PageAt<'_>,
        search: Option<&str>,
        label: Option<&str>,
        threads: bool,
    ) -> Result<(Vec<MessageSummary>, Total), StoreError> {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let query = search;
        let search = search.and_then(|q| super::search::compile(q, now_ms));
        // A words-only search whose words are in a good part of the mail (`meeting`, in 64 % of
        // it): its prefixes written as the index's whole terms, so each message read in date
        // order is checked by id and a page stops once full, instead of every match being
        // collected first (160,974 for `meeting` at 250,000 messages: 50-110 ms).
        //
        // Any words-only search: its prefix words written as whole terms too, wherever a word
        // begins few terms. FTS5 merges every term a prefix begins into one list before it
        // reads any of it, even for a range of ids: `from:example.org` ("example" is in every
        // message's addresses) cost 50-70 ms each time its expression was read (its count, its
        // share of the newest mail, its window), 0.2-0.6 ms each with whole terms.
        let expanded = match (query, &search) {
            (
                Some(query),
                Some(SearchSql {
                    shape: Shape::Words(_),
                    ..
                }),
            ) => self.expanded_words(query, now_ms).await?,
            _ => None,
        };
        let dense = match (query, &expanded, label) {
            (Some(query), Some((expression, expansions)), None) => {
                self.dense_words(query, now_ms, expression, expansions)
                    .await?
            }
            _ => false,
        };
        let search = match expanded {
            Some((expression, _)) => Some(SearchSql {
                condition: if dense {
                    DENSE_WORDS.into()
                } else {
                    super::search::words_condition(false).into()
                },
                condition_by_date: if dense {
                    DENSE_WORDS.into()
                } else {
                    super::search::words_condition(true).into()
                },
                binds: vec![super::search::Bind::Text(expression.clone())],
                required_words: vec![expression.clone()],
                shape: Shape::Words(expression),
                id_groups: None,
            }),
            None => search,
        };
        // One label alone (`label:work`, `is:unread`) reads as that label's view.
        let one_label = match (&search, label) {
            (
                Some(SearchSql {
                    shape: Shape::OneLabel(one),
                    ..
                }),
                None,
            ) => self.label_id(one).await?,
            _ => None,
        };
        let (search, label) = match one_label {
            Some(id) => (None, Some(Cow::Owned(id))),
            None => (search, label.map(Cow::Borrowed)),
        };
        let label = label.as_deref();
        // Words and labels with other terms (`label:travel kyoto`, `budget -label:inbox`): their
        // matches found from the smallest list the search names, not the table (see
        // `Self::search_by_ids`).
        if let (
            Some(SearchSql {
                shape: Shape::Other,
                id_groups: Some(groups),
                ..
            }),
            None,
            false,
        ) = (&search, label, threads)
        {
            if let Some(found) = self
                .search_by_ids(query.unwrap_or_default(), now_ms, groups, limit, &at)
                .await?
            {
                return Ok(found);
            }
        }
        // Words only: how many messages match, from the index alone, counted up to
        // COUNTED_UP_TO + 1.
        let matches: Option<i64> = match &search {
            Some(SearchSql {
                shape: Shape::Words(expression),
                ..
            }) => Some(
                sqlx::query_scalar(
                    "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? \
                     LIMIT ?)",
                )
                .bind(expression)
                .bind(COUNTED_UP_TO + 1)
                .fetch_one(self.pool())
                .await
                .map_err(|e| self.failed(e))?,
            ),
            _ => None,
        };
        // Words only, many matches but not in most mail (`"next steps"`, `from:example.org`):
        // the page from the newest messages' own stretch of the index (see
        // `Self::words_window`) when that holds it.
        if let (
            Some(SearchSql {
                shape: Shape::Words(expression),
                ..
            }),
            Some(n),
            None,
            false,
            false,
        ) = (&search, matches, label, threads, dense)
        {
            if n > BY_DATE_ABOVE {
                if let Some(rows) = self.words_window(expression, limit, &at).await? {
                    return Ok((rows, Total::capped(n)));
                }
            }
        }
        // Anything else: when a word every match must have matches few messages, the read
        // starts from its matches (each then read from the table, then sorted); otherwise it
        // walks the date index, the words' matches kept as a set and each label a key probe,
        // so a page stops once full and the count at COUNTED_UP_TO + 1.
        let rare_words = match &search {
            Some(SearchSql {
                shape: Shape::Other,
                required_words,
                ..
            }) => {
                // No words: as before, the read may start from a label's list.
                let mut rare = required_words.is_empty();
                for words in required_words {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM (SELECT 1 FROM messages_fts \
                         WHERE messages_fts MATCH ? LIMIT ?)",
                    )
                    .bind(words)
                    .bind(COUNTED_UP_TO + 1)
                    .fetch_one(self.pool())
                    .await
                    .map_err(|e| self.failed(e))?;
                    if n <= COUNTED_UP_TO {
                        rare = true;
                        break;
                    }
                }
                rare
            }
            _ => false,
        };
        let mut conditions = Vec::new();
        if label.is_some() {
            // Plain `?`s only: sqlx numbers unnamed parameters on its own, apart from `?1`.
            // A key probe per row read in date order (an `IN (…)` list of a big label would be
            // built whole first: 19 ms instead of 0.07 ms for Inbox at 100,000 messages).
            conditions.push(
                "EXISTS (SELECT 1 FROM message_labels \
                 WHERE label_id = ? AND message_id = messages.id)"
                    .to_string(),
            );
        }
        // Conversations: the newest message of each thread in this view stands for it (a key
        // probe per row read in date order, through the thread index).
        let label_binds = if threads {
            conditions.push(format!(
                "NOT EXISTS (SELECT 1 FROM messages newer WHERE newer.thread_id = messages.thread_id \
                 AND (newer.internal_date_ms, newer.gmail_id) > (messages.internal_date_ms, messages.gmail_id){})",
                if label.is_some() {
                    " AND EXISTS (SELECT 1 FROM message_labels WHERE label_id = ? AND message_id = newer.id)"
                } else {
                    ""
                }
            ));
            if label.is_some() {
                2
            } else {
                0
            }
        } else {
            usize::from(label.is_some())
        };
        match (&search, matches) {
            (Some(_), Some(_)) if dense => conditions.push(DENSE_WORDS.to_string()),
            (Some(_), Some(n)) => {
                conditions.push(super::search::words_condition(n > BY_DATE_ABOVE).to_string())
            }
            (Some(search), None) if rare_words => conditions.push(search.condition.clone()),
            (Some(search), None) => conditions.push(search.condition_by_date.clone()),
            (None, _) => {}
        }
        // Only the conditions asked for (no `? IS NULL OR …` tested on every row).
        let filter = if conditions.is_empty() {
            "1".to_string()
        } else {
            conditions.join(" AND ")
        };
        fn bind_all<'q>(
            sql: &'q str,
            label: Option<&'q str>,
            label_binds: usize,
            search: Option<&'q super::search::SearchSql>,
        ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
            let mut query = sqlx::query(sql);
            if let Some(label) = label {
                for _ in 0..label_binds {
                    query = query.bind(label);
                }
            }
            for bind in search.iter().flat_map(|s| s.binds.iter()) {
                query = match bind {
                    super::search::Bind::Text(t) => query.bind(t.as_str()),
                    super::search::Bind::Int(n) => query.bind(*n),
                };
            }
            query
        }
        let (key, after, offset) = match at {
            PageAt::Offset(offset) => ("", None, offset),
            PageAt::After(date, id) => (
                " AND (internal_date_ms, gmail_id) < (?, ?)",
                Some((date, id)),
                0,
            ),
        };
        let thread_columns = if threads {
            ", (SELECT count(*) FROM messages t WHERE t.thread_id = messages.thread_id) AS thread_count, \
             (SELECT json_group_array(from_addr) FROM (SELECT from_addr, min(internal_date_ms) AS first \
               FROM messages t WHERE t.thread_id = messages.thread_id AND from_addr IS NOT NULL \
               GROUP BY from_addr ORDER BY first LIMIT 20)) AS participants"
        } else {
            ""
        };
        let list_sql = format!(
            "SELECT gmail_id, thread_id, label_ids, from_addr, to_addr, subject, date_ms, internal_date_ms, \
             snippet, defects IS NOT NULL AS has_defects, \
             (SELECT count(*) FROM links l WHERE l.message_id = messages.id) AS link_count{thread_columns} \
             FROM messages WHERE {filter}{key} ORDER BY internal_date_ms DESC, gmail_id DESC \
             LIMIT {} OFFSET {}",
            limit as i64, offset as i64
        );
        let mut list = bind_all(&list_sql, label, label_binds, search.as_ref());
        if let Some((date, id)) = after {
            // The key's binds come last, as its condition does.
            list = list.bind(date).bind(id);
        }
        let rows = list
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        // Without search words the total is a row the triggers keep (migration 0006); with
        // them, the matches are counted up to COUNTED_UP_TO + 1 (past that, "more than").
        let total = match (&search, label) {
            // Conversations: the threads of the view, counted by the triggers (migration 0009).
            (None, None) if threads => Total::exact(
                sqlx::query_scalar("SELECT threads FROM mail_totals WHERE id = 1")
                    .fetch_one(self.pool())
                    .await
                    .map_err(|e| self.failed(e))?,
            ),
            (None, Some(label)) if threads => Total::exact(
                sqlx::query_scalar("SELECT threads FROM label_thread_counts WHERE label_id = ?")
                    .bind(label)
                    .fetch_optional(self.pool())
                    .await
                    .map_err(|e| self.failed(e))?
                    .unwrap_or(0),
            ),
            (Some(_), None) if matches.is_some() => Total::capped(matches.unwrap_or(0)),
            (None, None) => Total::exact(
                sqlx::query_scalar("SELECT messages FROM mail_totals WHERE id = 1")
                    .fetch_one(self.pool())
                    .await
                    .map_err(|e| self.failed(e))?,
            ),
            (None, Some(label)) => Total::exact(
                sqlx::query_scalar("SELECT total FROM label_counts WHERE label_id = ?")
                    .bind(label)
                    .fetch_optional(self.pool())
                    .await
                    .map_err(|e| self.failed(e))?
                    .unwrap_or(0),
            ),
            (Some(_), _) => {
                let count_sql = format!(
                    "SELECT count(*) AS n FROM (SELECT 1 FROM messages WHERE {filter} LIMIT {})",
                    COUNTED_UP_TO + 1
                );
                Total::capped(
                    bind_all(&count_sql, label, label_binds, search.as_ref())
                        .fetch_one(self.pool())
                        .await
                        .map_err(|e| self.failed(e))?
                        .get("n"),
                )
            }
        };
        let summaries = rows
            .iter()
            .map(|row| MessageSummary {
                headers: headers_from_row(row),
                has_defects: row.get::<i64, _>("has_defects") != 0,
                link_count: row.get("link_count"),
                thread: threads.then(|| ThreadFacts {
                    count: row.get("thread_count"),
                    participants: json_list(row.get("participants")),
                }),
            })
            .collect();
        Ok((summaries, total))
    }

    /// A search of words and labels only, with at least one group of one term (a label, or
    /// words), read from ids: its matches' ids are taken from the smallest of those lists (a
    /// label's list by its kept count, a word's matches by their share of the newest mail),
    /// each checked against the other groups (labels a key probe, words the index's set), up
    /// to COUNTED_UP_TO + 1, in id order. When that is all of them, the page is those messages
    /// sorted by date (a few hundred rows read, never the table walked); when more, the page
    /// is still read from them when no message above the highest id read comes before its
    /// last row (a sync stores the mail newest first, so the first ids are the newest mail:
    /// `is:unread invoice` 31 -> 7 ms at 250,000); otherwise the page walks the date index as
    /// before, labels checked first and words dense enough checked by id in the index. `None`
    /// when the search has no such group (read as before).
    ///
    /// The groups are written with their label names' ids and their prefix words' whole
    /// terms looked up first (see [`super::search::Lookups`]): each is then checked on an id
    /// without a name looked up again or a prefix's terms merged for each message.
    async fn search_by_ids(
        &self,
        query: &str,
        now_ms: i64,
        groups: &[super::search::IdGroup],
        limit: u32,
        at: &PageAt<'_>,
    ) -> Result<Option<(Vec<MessageSummary>, Total)>, StoreError> {
        use super::search::{Bind, Single, HIT_ID};
        let mut lookups = super::search::Lookups::default();
        for name in super::search::label_names(query, now_ms) {
            let ids: Vec<String> = sqlx::query_scalar(super::search::LABEL_ID_BY_NAME)
                .bind(&name)
                .bind(&name)
                .bind(&name)
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.failed(e))?;
            lookups.label_ids.insert(name, ids);
        }
        for word in super::search::prefix_words(query, now_ms) {
            self.expand(std::slice::from_ref(&word), &mut lookups.expansions)
                .await?;
        }
        let resolved = super::search::resolved_id_groups(query, now_ms, &lookups);
        let groups = match resolved.as_deref() {
            Some(resolved) if resolved.len() == groups.len() => resolved,
            _ => groups,
        };
        let messages: i64 = sqlx::query_scalar("SELECT messages FROM mail_totals WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        // Each group's list a read could start from: (group, estimated size, SQL, its bind).
        let mut starts: Vec<(usize, f64, String, Bind)> = Vec::new();
        // Each words group's expression with whole terms, and its share of the newest mail.
        let mut words: HashMap<usize, (Option<String>, f64)> = HashMap::new();
        for (i, group) in groups.iter().enumerate() {
            match &group.single {
                Some(Single::Label(one)) => {
                    let id = match one {
                        LabelRef::Named(name) => {
                            match lookups.label_ids.get(name).map(Vec::as_slice) {
                                Some([id]) => Some(id.clone()),
                                Some(_) => None,
                                None => self.label_id(one).await?,
                            }
                        }
                        LabelRef::Id(_) => self.label_id(one).await?,
                    };
                    if let Some(id) = id {
                        let total: i64 =
                            sqlx::query_scalar("SELECT total FROM label_counts WHERE label_id = ?")
                                .bind(&id)
                                .fetch_optional(self.pool())
                                .await
                                .map_err(|e| self.failed(e))?
                                .unwrap_or(0);
                        starts.push((
                            i,
                            total as f64,
                            "SELECT message_id AS id FROM message_labels WHERE label_id = ?".into(),
                            Bind::Text(id),
                        ));
                    }
                }
                Some(Single::Words {
                    expression,
                    words: plain,
                    column,
                    text,
                }) => {
                    let mut expansions = super::search::Expansions::new();
                    let whole = match plain {
                        Some(plain) if self.expand(plain, &mut expansions).await? => Some(
                            super::search::words_term_expression(*column, text, &expansions),
                        ),
                        _ => None,
                    };
                    let share = self
                        .newest_share(whole.as_deref().unwrap_or(expression))
                        .await?;
                    starts.push((
                        i,
                        share * messages as f64,
                        "SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ?".into(),
                        Bind::Text(whole.clone().unwrap_or_else(|| expression.clone())),
                    ));
                    words.insert(i, (whole, share));
                }
                None => {}
            }
        }
        let Some((start, _, start_sql, start_bind)) =
            starts.into_iter().min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            return Ok(None);
        };
        // The other groups, labels first (a key probe is cheaper than a words set).
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&i| groups[i].sql.contains("messages_fts"));
        fn bind<'q>(
            query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
            b: &'q Bind,
        ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
            match b {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(n) => query.bind(*n),
            }
        }
        let filters: Vec<&str> = order
            .iter()
            .filter(|&&i| i != start)
            .map(|&i| groups[i].sql.as_str())
            .collect();
        let ids_sql = format!(
            "SELECT hit.id FROM ({start_sql}) hit{}{} ORDER BY hit.id LIMIT {}",
            if filters.is_empty() { "" } else { " WHERE " },
            filters.join(" AND "),
            COUNTED_UP_TO + 1
        );
        let mut ids_query = bind(sqlx::query(&ids_sql), &start_bind);
        for &i in order.iter().filter(|&&i| i != start) {
            for b in &groups[i].binds {
                ids_query = bind(ids_query, b);
            }
        }
        let ids: Vec<i64> = ids_query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.failed(e))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let total = Total::capped(ids.len() as i64);
        let (key, after, offset) = match at {
            PageAt::Offset(offset) => ("", None, *offset),
            PageAt::After(date, id) => (
                " AND (internal_date_ms, gmail_id) < (?, ?)",
                Some((*date, *id)),
                0,
            ),
        };
        let columns = "gmail_id, thread_id, label_ids, from_addr, to_addr, subject, date_ms, \
             internal_date_ms, snippet, defects IS NOT NULL AS has_defects, \
             (SELECT count(*) FROM links l WHERE l.message_id = messages.id) AS link_count";
        // The page from the matches in hand: those rows sorted, by their date and id alone
        // first (the page's columns read for its rows only, not for all that are sorted).
        let sql = format!(
            "SELECT {columns} FROM messages WHERE id IN (SELECT id FROM messages \
             WHERE id IN (SELECT value FROM json_each(?)){key} \
             ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT {} OFFSET {}) \
             ORDER BY internal_date_ms DESC, gmail_id DESC",
            limit as i64, offset as i64
        );
        let mut query =
            sqlx::query(&sql).bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()));
        if let Some((date, id)) = after {
            query = query.bind(date).bind(id);
        }
        let in_hand = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        // Every match is in hand, or the page from them is the page: they are every match up
        // to the highest id read (the lists are read in id order), so when no message above
        // that id comes before the page's last row (after the key), none can take a place in
        // it. The check reads the date index between the key and that row, a few hundred
        // entries when the ids follow the date order as a sync stores them (`is:unread
        // invoice`, `budget -label:inbox`), never the rows; otherwise the walk below.
        let complete = if total.exact {
            true
        } else {
            match (in_hand.last(), ids.iter().max()) {
                (Some(last), Some(&highest)) if in_hand.len() == limit as usize => {
                    match last.get::<Option<i64>, _>("internal_date_ms") {
                        // A message without a received date compares with nothing.
                        None => false,
                        Some(date) => {
                            let sql = format!(
                                "SELECT EXISTS (SELECT 1 FROM messages WHERE id > ? \
                                 AND (internal_date_ms, gmail_id) > (?, ?){key})"
                            );
                            let mut query = sqlx::query_scalar::<_, bool>(&sql)
                                .bind(highest)
                                .bind(date)
                                .bind(last.get::<String, _>("gmail_id"));
                            if let Some((date, id)) = after {
                                query = query.bind(date).bind(id);
                            }
                            !query
                                .fetch_one(self.pool())
                                .await
                                .map_err(|e| self.failed(e))?
                        }
                    }
                }
                _ => false,
            }
        };
        let rows = if complete {
            Ok(in_hand)
        } else {
            // Many matches: the date index walked, each group checked on the row's id. A
            // words group in over DENSE_SHARE of the newest mail is checked by id in the index
            // (a page fills within a few hundred rows), a rarer one as the index's set.
            let mut conditions = Vec::new();
            let mut binds: Vec<Bind> = Vec::new();
            for &i in &order {
                match words.get(&i) {
                    Some((Some(whole), share)) if *share >= DENSE_SHARE => {
                        conditions.push(DENSE_WORDS.to_string());
                        binds.push(Bind::Text(whole.clone()));
                    }
                    _ => {
                        conditions.push(groups[i].sql.replace(HIT_ID, "messages.id"));
                        binds.extend(groups[i].binds.iter().cloned());
                    }
                }
            }
            let sql = format!(
                "SELECT {columns} FROM messages WHERE {}{key} \
                 ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT {} OFFSET {}",
                conditions.join(" AND "),
                limit as i64,
                offset as i64
            );
            let mut query = sqlx::query(&sql);
            for b in &binds {
                query = match b {
                    Bind::Text(t) => query.bind(t.as_str()),
                    Bind::Int(n) => query.bind(*n),
                };
            }
            if let Some((date, id)) = after {
                query = query.bind(date).bind(id);
            }
            query.fetch_all(self.pool()).await
        }
        .map_err(|e| self.failed(e))?;
        let summaries = rows
            .iter()
            .map(|row| MessageSummary {
                headers: headers_from_row(row),
                has_defects: row.get::<i64, _>("has_defects") != 0,
                link_count: row.get("link_count"),
                thread: None,
            })
            .collect();
        Ok(Some((summaries, total)))
    }

    /// The page of a words-only search read from a window: the newest messages (after the
    /// page's key), as many as should hold the page by the words' share of the newest mail
    /// (three times that), and of the index only the matches whose ids lie between the
    /// window's lowest and highest (the index reads a range of ids directly; mail synced
    /// together has ids close together, so that range is a small part of the index). Exact:
    /// the window is the head of the date order, so its matches are the first matches; when
    /// it holds fewer than the page (and is not the rest of the mail), a window four times as
    /// big is tried, then `None` (read as before).
    async fn words_window(
        &self,
        expression: &str,
        limit: u32,
        at: &PageAt<'_>,
    ) -> Result<Option<Vec<MessageSummary>>, StoreError> {
        let (key, after, offset) = match at {
            PageAt::Offset(offset) => ("", None, *offset),
            PageAt::After(date, id) => (
                " AND (internal_date_ms, gmail_id) < (?, ?)",
                Some((*date, *id)),
                0,
            ),
        };
        let want = f64::from(offset) + f64::from(limit);
        let share = self.newest_share(expression).await?.max(1e-3);
        let mut window = ((want / share) * 3.0).clamp(1_000.0, 100_000.0) as i64;
        for _ in 0..2 {
            // The window: its last row (where it ends in the date order), its ids' range.
            let edge_sql = format!(
                "SELECT count(*), min(id), max(id) FROM (SELECT id \
                 FROM messages WHERE 1{key} \
                 ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT {window})"
            );
            let mut edge = sqlx::query_as::<_, (i64, Option<i64>, Option<i64>)>(&edge_sql);
            if let Some((date, id)) = after {
                edge = edge.bind(date).bind(id);
            }
            let (n, lo, hi) = edge
                .fetch_one(self.pool())
                .await
                .map_err(|e| self.failed(e))?;
            let (Some(lo), Some(hi)) = (lo, hi) else {
                return Ok(Some(Vec::new()));
            };
            let last_sql = format!(
                "SELECT internal_date_ms, gmail_id FROM messages WHERE 1{key} \
                 ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT 1 OFFSET {}",
                n - 1
            );
            let mut last = sqlx::query_as::<_, (Option<i64>, String)>(&last_sql);
            if let Some((date, id)) = after {
                last = last.bind(date).bind(id);
            }
            let (edge_date, edge_id) = last
                .fetch_one(self.pool())
                .await
                .map_err(|e| self.failed(e))?;
            // A message without a received date compares with nothing: read as before.
            let Some(edge_date) = edge_date else {
                return Ok(None);
            };
            let sql = format!(
                "SELECT gmail_id, thread_id, label_ids, from_addr, to_addr, subject, date_ms, \
                 internal_date_ms, snippet, defects IS NOT NULL AS has_defects, \
                 (SELECT count(*) FROM links l WHERE l.message_id = messages.id) AS link_count \
                 FROM messages WHERE messages.id IN (SELECT rowid FROM messages_fts \
                 WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?) \
                 AND (internal_date_ms, gmail_id) >= (?, ?){key} \
                 ORDER BY internal_date_ms DESC, gmail_id DESC LIMIT {} OFFSET {}",
                limit as i64, offset as i64
            );
            let mut query = sqlx::query(&sql)
                .bind(expression)
                .bind(lo)
                .bind(hi)
                .bind(edge_date)
                .bind(&edge_id);
            if let Some((date, id)) = after {
                query = query.bind(date).bind(id);
            }
            let rows = query
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.failed(e))?;
            // A full page, or the window was all the rest of the mail: exact.
            if rows.len() as u32 == limit || n < window {
                return Ok(Some(
                    rows.iter()
                        .map(|row| MessageSummary {
                            headers: headers_from_row(row),
                            has_defects: row.get::<i64, _>("has_defects") != 0,
                            link_count: row.get("link_count"),
                            thread: None,
                        })
                        .collect(),
                ));
            }
            window *= 4;
        }
        Ok(None)
    }

    /// Writes each of `words` (lower-case ASCII) into `expansions` as the index's terms that
    /// begin with it: the word itself (a term the index lacks matches nothing) and the longer
    /// terms from `messages_fts_vocab`. Those are looked up from the word followed by `0`
    /// (every character the tokenizer keeps is a letter or digit, `0` or above), so the
    /// word's own list, often the longest, is never read to count it. `false` when a word
    /// begins more than 20 terms.
    async fn expand(
        &self,
        words: &[String],
        expansions: &mut super::search::Expansions,
    ) -> Result<bool, StoreError> {
        for word in words {
            if expansions.contains_key(word) {
                continue;
            }
            // The first string after every string that begins with `word` (ASCII).
            let mut end = word.clone().into_bytes();
            if let Some(last) = end.last_mut() {
                *last += 1;
            }
            let end = String::from_utf8(end).unwrap_or_default();
            let mut terms: Vec<String> = sqlx::query_scalar(
                "SELECT term FROM messages_fts_vocab WHERE term >= ? AND term < ? LIMIT 20",
            )
            .bind(format!("{word}0"))
            .bind(&end)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
            if terms.len() >= 20 {
                return Ok(false);
            }
            terms.insert(0, word.clone());
            expansions.insert(word.clone(), terms);
        }
        Ok(true)
    }

    /// The share of the newest NEWEST_SAMPLE ids (the mail synced last, most often the newest)
    /// that `expression` matches: how common its words are, from a few thousand of the
    /// index's entries (the index reads a range of ids directly), never from all of them.
    async fn newest_share(&self, expression: &str) -> Result<f64, StoreError> {
        let top: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM messages")
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        let Some(top) = top else {
            return Ok(0.0);
        };
        let sample = NEWEST_SAMPLE.min(top);
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ? AND rowid > ?",
        )
        .bind(expression)
        .bind(top - sample)
        .fetch_one(self.pool())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(n as f64 / sample.max(1) as f64)
    }

    /// A words-only search's expression with each prefix word that begins few terms (20 at
    /// most) written as those whole terms (see [`Self::expand`]), and the expansions; a word
    /// that begins more stays a prefix. `None` when no word could be written so (a phrase
    /// alone, a search not of words only, a word that is not plain ASCII).
    async fn expanded_words(
        &self,
        query: &str,
        now_ms: i64,
    ) -> Result<Option<(String, super::search::Expansions)>, StoreError> {
        let mut expansions = super::search::Expansions::new();
        for word in super::search::prefix_words(query, now_ms) {
            self.expand(std::slice::from_ref(&word), &mut expansions)
                .await?;
        }
        if expansions.is_empty() {
            return Ok(None);
        }
        Ok(
            super::search::expanded_expression(query, now_ms, &expansions)
                .map(|expression| (expression, expansions)),
        )
    }

    /// Whether a words-only search (its `expression` from [`Self::expanded_words`]) is read as
    /// dense: one group of terms (see [`super::search::expandable_words`]), no phrase, every
    /// word written as whole terms, and its matches in 40 % of the newest mail or more (see
    /// [`Self::newest_share`]).
    async fn dense_words(
        &self,
        query: &str,
        now_ms: i64,
        expression: &str,
        expansions: &super::search::Expansions,
    ) -> Result<bool, StoreError> {
        let Some(terms) = super::search::expandable_words(query, now_ms) else {
            return Ok(false);
        };
        if terms.iter().any(Vec::is_empty)
            || !terms.iter().flatten().all(|w| expansions.contains_key(w))
        {
            return Ok(false);
        }
        Ok(self.newest_share(expression).await? >= 0.4)
    }

    /// The id of the one label a search names; `None` when it names none or several.
    async fn label_id(&self, label: &LabelRef) -> Result<Option<String>, StoreError> {
        let name = match label {
            LabelRef::Id(id) => return Ok(Some((*id).to_string())),
            LabelRef::Named(name) => name,
        };
        let ids: Vec<String> = sqlx::query_scalar(super::search::LABEL_ID_BY_NAME)
            .bind(name)
            .bind(name)
            .bind(name)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.failed(e))?;
        Ok(match ids.as_slice() {
            [id] => Some(id.clone()),
            _ => None,
        })
    }

    /// Every label of the mailbox, in Gmail's order, with how many stored messages carry it
    /// and how many of those are unread.
    pub async fn labels(&self) -> Result<Vec<LabelView>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.id, l.name, l.kind, l.text_color, l.background_color, \
                    coalesce(c.total, 0) AS total, coalesce(c.unread, 0) AS unread \
             FROM labels l LEFT JOIN label_counts c ON c.label_id = l.id ORDER BY l.position",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(rows
            .iter()
            .map(|r| LabelView {
                label: Label {
                    id: r.get("id"),
                    name: r.get("name"),
                    kind: r.get("kind"),
                    text_color: r.get("text_color"),
                    background_color: r.get("background_color"),
                },
                total: r.get("total"),
                unread: r.get("unread"),
            })
            .collect())
    }

    /// A message's links in the order they appear.
    pub async fn links(&self, gmail_id: &str) -> Result<Vec<StoredLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.url, l.domain FROM links l JOIN messages m ON m.id = l.message_id \
             WHERE m.gmail_id = ? ORDER BY l.position",
        )
        .bind(gmail_id)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(rows
            .iter()
            .map(|r| StoredLink {
                url: r.get(0),
                domain: r.get(1),
            })
            .collect())
    }

    /// The images a message's HTML shows by `cid:`, as stored at sync (none for mail stored
    /// before they were kept).
    pub async fn inline_images(&self, gmail_id: &str) -> Result<InlineImages, StoreError> {
        let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT i.content_id, i.mime_type, i.data FROM inline_images i \
             JOIN messages m ON m.id = i.message_id WHERE m.gmail_id = ?",
        )
        .bind(gmail_id)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(InlineImages::new(rows.iter().map(|(id, mime, data)| {
            (id.as_str(), mime.as_str(), data.as_slice())
        })))
    }

    /// The incremental cursor, once a full sync has completed.
    pub async fn history_id(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT history_id FROM sync_state WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.failed(e))
    }
}
