-- The owner's boot and its boot-clock reading at each heartbeat: processes of the same boot
-- judge staleness on this clock, which clock steps and skewed processes cannot move. Rows
-- written before (NULL here) keep the wall-clock rule.
ALTER TABLE sync_runs ADD COLUMN owner_boot_id TEXT;
ALTER TABLE sync_runs ADD COLUMN heartbeat_boot_ms INTEGER;
