-- The synced mail, its links, and where the sync stands (its cursor).
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    gmail_id         TEXT    NOT NULL UNIQUE,
    thread_id        TEXT    NOT NULL,
    label_ids        TEXT    NOT NULL DEFAULT '[]', -- JSON array of Gmail label ids
    from_addr        TEXT,
    to_addr          TEXT,
    subject          TEXT,
    date_ms          INTEGER,                       -- the Date header
    internal_date_ms INTEGER,                       -- when Gmail received it; the sort key
    snippet          TEXT    NOT NULL DEFAULT '',
    text_body        TEXT,
    html_body        TEXT,                          -- kept raw; sanitized only for display
    size_estimate    INTEGER,
    attachments      TEXT,                          -- JSON array: filename, mimeType, size
    defects          TEXT,                          -- JSON array of what was wrong, NULL when clean
    seen_epoch       INTEGER,                       -- the full sync that last listed it
    run_id           INTEGER NOT NULL,              -- the run that stored it
    stored_at        INTEGER NOT NULL
);
CREATE INDEX messages_received ON messages (internal_date_ms DESC, id DESC);
CREATE INDEX messages_thread ON messages (thread_id);

CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT    NOT NULL,
    domain     TEXT    NOT NULL,
    UNIQUE (message_id, url)
);
CREATE INDEX links_domain ON links (domain);

-- One row. `history_id` is the incremental cursor, set when a full sync completes; while a
-- full sync is under way `full_*` say which pass it is and which page comes next.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    email_address   TEXT,
    history_id      INTEGER,
    full_epoch      INTEGER,
    full_history_id INTEGER,
    full_page_token TEXT,
    full_total      INTEGER,
    updated_at      INTEGER
);
INSERT INTO sync_state (id) VALUES (1);

-- What kind of sync a run did: full, incremental, or resync (history expired).
ALTER TABLE sync_runs ADD COLUMN kind TEXT;
