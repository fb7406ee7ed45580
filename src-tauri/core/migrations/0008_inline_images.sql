-- The images an HTML mail shows by `cid:` (its multipart/related parts), kept at sync so the
-- message view shows them offline without asking Gmail: raster types only, at most 1 MiB each
-- and 4 MiB a message (mail/mod.rs). Mail stored before this migration has none; its `cid:`
-- images are reported as not stored.
CREATE TABLE inline_images (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    content_id TEXT    NOT NULL,
    mime_type  TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    PRIMARY KEY (message_id, content_id)
) WITHOUT ROWID;
