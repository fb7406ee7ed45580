-- Full-text search over the stored mail (Gmail's search words, sync/search.rs): an FTS5 index
-- of subject, from, to, snippet and body text, with the messages table as its content. The
-- triggers keep it in the same transaction as every insert, delete and change of a message,
-- so a crash never leaves the index and the messages apart.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, from_addr, to_addr, snippet, text_body,
    content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, from_addr, to_addr, snippet, text_body)
    VALUES (new.id, new.subject, new.from_addr, new.to_addr, new.snippet, new.text_body);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, from_addr, to_addr, snippet, text_body)
    VALUES ('delete', old.id, old.subject, old.from_addr, old.to_addr, old.snippet, old.text_body);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, from_addr, to_addr, snippet, text_body
ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, from_addr, to_addr, snippet, text_body)
    VALUES ('delete', old.id, old.subject, old.from_addr, old.to_addr, old.snippet, old.text_body);
    INSERT INTO messages_fts (rowid, subject, from_addr, to_addr, snippet, text_body)
    VALUES (new.id, new.subject, new.from_addr, new.to_addr, new.snippet, new.text_body);
END;

-- A database synced before this version: index what it already holds, once.
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
