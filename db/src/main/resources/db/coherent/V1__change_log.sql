-- Coherent library schema, part 1: the change log the reconciler reads.
--
-- Every write to a tracked table (see coherent_track in V2) appends one row here, in the same
-- transaction as the write itself, so writes that bypass the application (psql, batch jobs,
-- another service) are logged too, and a rolled-back write logs nothing.
--
-- A row says: "the entry (namespace, cache_key) is at version `version` or newer; any cached
-- copy with a smaller version is stale".
--   op 'U'  the row was inserted or updated; `version` is its new version.
--   op 'D'  the row was deleted: a tombstone. `version` is OLD.version + 1, i.e. every version
--           below it is invalid, and there is no row at that version.
-- Readers apply rows idempotently (a tombstone applied twice is one tombstone), so reading a
-- row twice is harmless; skipping one is not.
--
-- `txid` is the writing transaction's id (xid8, 64-bit, never wraps). Rows become visible at
-- commit, which is NOT in txid or id order: a reader must use a snapshot watermark
-- (pg_current_snapshot(): xmin, xmax, xip), never "id > last id". See docs "Reconciler".
CREATE TABLE coherent_change_log (
    id          bigserial   PRIMARY KEY,
    namespace   text        NOT NULL,
    cache_key   text        NOT NULL,
    version     bigint      NOT NULL,
    op          char(1)     NOT NULL CHECK (op IN ('U', 'D')),
    txid        xid8        NOT NULL DEFAULT pg_current_xact_id(),
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

COMMENT ON TABLE coherent_change_log IS
    'Coherent: one row per write to a tracked table, written by the coherent_track triggers in the writing transaction.';
COMMENT ON COLUMN coherent_change_log.namespace IS 'Cache namespace given to coherent_track, e.g. catalog:product.';
COMMENT ON COLUMN coherent_change_log.cache_key IS 'The tracked key column''s value, as text.';
COMMENT ON COLUMN coherent_change_log.version IS
    'U: the row''s new version. D (tombstone): OLD.version + 1, every version below it is invalid.';
COMMENT ON COLUMN coherent_change_log.op IS 'U = inserted or updated, D = deleted (tombstone).';
COMMENT ON COLUMN coherent_change_log.txid IS 'pg_current_xact_id() of the writing transaction.';
COMMENT ON COLUMN coherent_change_log.changed_at IS 'clock_timestamp() of the write (not of the commit); retention uses it.';

-- The reconciler's poll: WHERE txid >= :prevXmax OR txid = ANY(:prevXip).
CREATE INDEX coherent_change_log_txid_idx ON coherent_change_log (txid);
-- Latest version per key: the tracking trigger's re-insert check, and point lookups.
CREATE INDEX coherent_change_log_key_version_idx ON coherent_change_log (namespace, cache_key, version DESC);
-- Retention: coherent_prune_change_log deletes by age.
CREATE INDEX coherent_change_log_changed_at_idx ON coherent_change_log (changed_at);

-- What retention has removed so far. Exactly one row, created here; coherent_prune_change_log
-- (V3) raises the two watermarks, never lowers them. A reader whose watermark is not above
-- pruned_through_txid may have missed rows and must flush instead of replaying the log.
CREATE TABLE coherent_change_log_horizon (
    one_row             boolean     PRIMARY KEY DEFAULT true CHECK (one_row),
    pruned_through_id   bigint,
    pruned_through_txid xid8,
    pruned_at           timestamptz
);

COMMENT ON TABLE coherent_change_log_horizon IS
    'Coherent: the largest change-log id and txid ever deleted by coherent_prune_change_log (NULL: nothing pruned yet).';
COMMENT ON COLUMN coherent_change_log_horizon.one_row IS 'Always true: keeps this table at exactly one row.';

INSERT INTO coherent_change_log_horizon (one_row) VALUES (true);
