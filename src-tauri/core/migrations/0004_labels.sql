-- Gmail's labels as `labels.list` gave them at the last sync: the names and colours behind the
-- label ids each message carries (INBOX, SENT, UNREAD, Label_12 = "Work", …).
CREATE TABLE labels (
    id               TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    kind             TEXT    NOT NULL,   -- Gmail's Label.type: system or user
    text_color       TEXT,
    background_color TEXT,
    position         INTEGER NOT NULL    -- the order labels.list gave
);
