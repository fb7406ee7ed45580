-- The run ledger: every sync attempt is a row, and the rows are also the lock.
CREATE TABLE sync_runs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    status            TEXT    NOT NULL CHECK (status IN ('running', 'success', 'error', 'aborted')),
    "trigger"         TEXT    NOT NULL CHECK ("trigger" IN ('button', 'tray', 'launch', 'schedule', 'cli')),
    started_at        INTEGER NOT NULL,
    finished_at       INTEGER,
    last_heartbeat_at INTEGER NOT NULL,
    fetched_emails    INTEGER NOT NULL DEFAULT 0,
    processed_emails  INTEGER NOT NULL DEFAULT 0,
    inserted_emails   INTEGER NOT NULL DEFAULT 0,
    stored_links      INTEGER NOT NULL DEFAULT 0,
    total_estimate    INTEGER,
    phase             TEXT,
    error_name        TEXT,
    error_message     TEXT,
    error_tag         TEXT,
    owner_host        TEXT    NOT NULL,
    owner_pid         INTEGER NOT NULL,
    owner_started_at  INTEGER,
    -- A run is finished exactly when it is no longer running.
    CHECK ((status = 'running') = (finished_at IS NULL))
);

CREATE INDEX sync_runs_status_started ON sync_runs (status, started_at);
CREATE INDEX sync_runs_started ON sync_runs (started_at);
-- The database itself refuses a second running row, whatever the code does.
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (status) WHERE status = 'running';
