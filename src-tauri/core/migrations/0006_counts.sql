-- Label membership and the mail's counts, kept by triggers in the same transaction as every
-- insert, delete and label change of a message: a label's page finds its messages through an
-- index instead of reading every row's JSON, and every total the window shows (a label's, the
-- mailbox's, the links', the defects') is one row read, never a scan of the table.
CREATE TABLE message_labels (
    label_id   TEXT    NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (label_id, message_id)
) WITHOUT ROWID;
CREATE INDEX message_labels_by_message ON message_labels (message_id);

CREATE TABLE label_counts (
    label_id TEXT    PRIMARY KEY,
    total    INTEGER NOT NULL DEFAULT 0,
    unread   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE mail_totals (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    messages     INTEGER NOT NULL DEFAULT 0,
    links        INTEGER NOT NULL DEFAULT 0,
    with_defects INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER messages_counts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_labels (label_id, message_id)
        SELECT DISTINCT value, new.id FROM json_each(new.label_ids);
    INSERT INTO label_counts (label_id, total, unread)
        SELECT DISTINCT value, 1,
               EXISTS (SELECT 1 FROM json_each(new.label_ids) WHERE value = 'UNREAD')
        FROM json_each(new.label_ids) WHERE true
        ON CONFLICT (label_id) DO UPDATE SET
            total = total + 1, unread = unread + excluded.unread;
    UPDATE mail_totals SET
        messages = messages + 1,
        with_defects = with_defects + (new.defects IS NOT NULL)
    WHERE id = 1;
END;

CREATE TRIGGER messages_counts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_labels WHERE message_id = old.id;
    UPDATE label_counts SET
        total = total - 1,
        unread = unread - EXISTS (SELECT 1 FROM json_each(old.label_ids) WHERE value = 'UNREAD')
    WHERE label_id IN (SELECT value FROM json_each(old.label_ids));
    UPDATE mail_totals SET
        messages = messages - 1,
        with_defects = with_defects - (old.defects IS NOT NULL)
    WHERE id = 1;
END;

CREATE TRIGGER messages_counts_update AFTER UPDATE OF label_ids, defects ON messages BEGIN
    DELETE FROM message_labels WHERE message_id = old.id;
    UPDATE label_counts SET
        total = total - 1,
        unread = unread - EXISTS (SELECT 1 FROM json_each(old.label_ids) WHERE value = 'UNREAD')
    WHERE label_id IN (SELECT value FROM json_each(old.label_ids));
    INSERT INTO message_labels (label_id, message_id)
        SELECT DISTINCT value, new.id FROM json_each(new.label_ids);
    INSERT INTO label_counts (label_id, total, unread)
        SELECT DISTINCT value, 1,
               EXISTS (SELECT 1 FROM json_each(new.label_ids) WHERE value = 'UNREAD')
        FROM json_each(new.label_ids) WHERE true
        ON CONFLICT (label_id) DO UPDATE SET
            total = total + 1, unread = unread + excluded.unread;
    UPDATE mail_totals SET
        with_defects = with_defects - (old.defects IS NOT NULL) + (new.defects IS NOT NULL)
    WHERE id = 1;
END;

-- Links go with their message (ON DELETE CASCADE), which fires this trigger too.
CREATE TRIGGER links_count_insert AFTER INSERT ON links BEGIN
    UPDATE mail_totals SET links = links + 1 WHERE id = 1;
END;

CREATE TRIGGER links_count_delete AFTER DELETE ON links BEGIN
    UPDATE mail_totals SET links = links - 1 WHERE id = 1;
END;

-- A database synced before this version: count what it already holds, once.
INSERT INTO message_labels (label_id, message_id)
    SELECT DISTINCT j.value, m.id FROM messages m, json_each(m.label_ids) j;
INSERT INTO label_counts (label_id, total, unread)
    SELECT l.label_id, count(*), count(u.message_id)
    FROM message_labels l
    LEFT JOIN message_labels u ON u.label_id = 'UNREAD' AND u.message_id = l.message_id
    GROUP BY l.label_id;
INSERT INTO mail_totals (id, messages, links, with_defects) VALUES (
    1,
    (SELECT count(*) FROM messages),
    (SELECT count(*) FROM links),
    (SELECT count(*) FROM messages WHERE defects IS NOT NULL)
);
