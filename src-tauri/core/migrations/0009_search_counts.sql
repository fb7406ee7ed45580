-- What a big mailbox's searches and views read instead of scanning the mail (issue 13):
--
-- 1. `has:link` (sync/search.rs) through a flag on each message, set by the sync when it stores
--    the message's links, and a partial index of the flagged messages in the mail's date order:
--    a search of `has:link` read every message and probed its links (1.0-1.4 s at 250,000).
--    The WHERE of the index is the search's condition, term for term; change both together.
ALTER TABLE messages ADD COLUMN has_link INTEGER NOT NULL DEFAULT 0;

-- A database synced before this version: flag what it already holds, once.
UPDATE messages SET has_link = 1 WHERE id IN (SELECT message_id FROM links);

CREATE INDEX messages_with_links ON messages (internal_date_ms DESC, gmail_id DESC)
    WHERE has_link = 1;

-- 2. How many conversations (Gmail threads) each label's view holds, and the mailbox, kept by
--    triggers in the same transaction as every insert, delete and label change of a message,
--    as migration 0006 keeps the messages' counts: the conversation view's total counted the
--    distinct threads of the view's messages (the Inbox's read most of the mail at 250,000).
--    `thread_labels` holds, per label and thread, how many of the thread's messages carry it;
--    a label's thread count is its number of rows there.
CREATE TABLE thread_labels (
    label_id  TEXT    NOT NULL,
    thread_id TEXT    NOT NULL,
    messages  INTEGER NOT NULL,
    PRIMARY KEY (label_id, thread_id)
) WITHOUT ROWID;

CREATE TABLE label_thread_counts (
    label_id TEXT    PRIMARY KEY,
    threads  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

ALTER TABLE mail_totals ADD COLUMN threads INTEGER NOT NULL DEFAULT 0;

-- A database synced before this version: count what it already holds, once (before the
-- triggers below exist, so nothing is counted twice).
INSERT INTO thread_labels (label_id, thread_id, messages)
    SELECT ml.label_id, m.thread_id, count(*)
    FROM message_labels ml JOIN messages m ON m.id = ml.message_id
    GROUP BY ml.label_id, m.thread_id;
INSERT INTO label_thread_counts (label_id, threads)
    SELECT label_id, count(*) FROM thread_labels GROUP BY label_id;
UPDATE mail_totals SET threads = (SELECT count(DISTINCT thread_id) FROM messages) WHERE id = 1;

-- A (label, thread) row appears with the thread's first message in the label and goes with
-- its last one; the label's thread count follows its rows.
CREATE TRIGGER thread_labels_insert AFTER INSERT ON thread_labels BEGIN
    INSERT INTO label_thread_counts (label_id, threads) VALUES (new.label_id, 1)
        ON CONFLICT (label_id) DO UPDATE SET threads = threads + 1;
END;

CREATE TRIGGER thread_labels_delete AFTER DELETE ON thread_labels BEGIN
    UPDATE label_thread_counts SET threads = threads - 1 WHERE label_id = old.label_id;
END;

CREATE TRIGGER messages_threads_insert AFTER INSERT ON messages BEGIN
    INSERT INTO thread_labels (label_id, thread_id, messages)
        SELECT DISTINCT value, new.thread_id, 1 FROM json_each(new.label_ids) WHERE true
        ON CONFLICT (label_id, thread_id) DO UPDATE SET messages = messages + 1;
    UPDATE mail_totals SET threads = threads + (NOT EXISTS (
        SELECT 1 FROM messages WHERE thread_id = new.thread_id AND id <> new.id
    )) WHERE id = 1;
END;

CREATE TRIGGER messages_threads_delete AFTER DELETE ON messages BEGIN
    UPDATE thread_labels SET messages = messages - 1
        WHERE thread_id = old.thread_id
          AND label_id IN (SELECT value FROM json_each(old.label_ids));
    DELETE FROM thread_labels
        WHERE label_id IN (SELECT value FROM json_each(old.label_ids))
          AND thread_id = old.thread_id AND messages <= 0;
    UPDATE mail_totals SET threads = threads - (NOT EXISTS (
        SELECT 1 FROM messages WHERE thread_id = old.thread_id
    )) WHERE id = 1;
END;

CREATE TRIGGER messages_threads_update AFTER UPDATE OF label_ids, thread_id ON messages BEGIN
    UPDATE thread_labels SET messages = messages - 1
        WHERE thread_id = old.thread_id
          AND label_id IN (SELECT value FROM json_each(old.label_ids));
    DELETE FROM thread_labels
        WHERE label_id IN (SELECT value FROM json_each(old.label_ids))
          AND thread_id = old.thread_id AND messages <= 0;
    INSERT INTO thread_labels (label_id, thread_id, messages)
        SELECT DISTINCT value, new.thread_id, 1 FROM json_each(new.label_ids) WHERE true
        ON CONFLICT (label_id, thread_id) DO UPDATE SET messages = messages + 1;
    UPDATE mail_totals SET threads = threads
        - (NOT EXISTS (SELECT 1 FROM messages WHERE thread_id = old.thread_id))
        + (NOT EXISTS (SELECT 1 FROM messages WHERE thread_id = new.thread_id AND id <> new.id))
        WHERE id = 1 AND old.thread_id IS NOT new.thread_id;
END;

-- 3. The index's terms with how many messages hold each (FTS5's own view of the index, no data
--    of its own): a search's prefix words are written as the whole terms they begin, so a
--    search for a common word can check messages one by one in date order (sync/mailstore.rs).
CREATE VIRTUAL TABLE messages_fts_vocab USING fts5vocab(messages_fts, row);
