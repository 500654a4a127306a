-- Coherent library schema, part 3: retention of the change log.
--
-- The log grows by one row per tracked write. Call coherent_prune_change_log from a scheduled
-- job (pg_cron, or the application), e.g. daily:
--     SELECT coherent_prune_change_log(interval '7 days');
-- Retention must be much longer than the reconciler's interval (seconds): a reader that falls
-- further behind than the retention finds its watermark below the horizon and flushes the
-- whole namespace instead of replaying the log.
--
-- The horizon is conservative: rows are pruned by age (changed_at is the time of the write,
-- not of the commit), so the deleted rows are not exactly a prefix in txid order; recording the
-- LARGEST deleted id and txid means a reader never wrongly believes it saw everything.

CREATE FUNCTION coherent_prune_change_log(max_age interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_deleted  bigint;
    v_max_id   bigint;
    v_max_txid xid8;
BEGIN
    IF max_age IS NULL OR max_age < interval '0' THEN
        RAISE EXCEPTION 'coherent_prune_change_log: max_age must be a non-negative interval such as interval ''7 days'', but was %',
            coalesce(quote_literal(max_age::text), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    WITH deleted AS (
        DELETE FROM "${flyway:defaultSchema}".coherent_change_log
         WHERE changed_at < now() - max_age
        RETURNING id, txid
    )
    SELECT count(*),
           max(d.id),
           -- ORDER BY rather than max(): older PostgreSQL versions have no max(xid8).
           (SELECT d2.txid FROM deleted d2 ORDER BY d2.txid DESC LIMIT 1)
      INTO v_deleted, v_max_id, v_max_txid
      FROM deleted d;

    IF v_deleted > 0 THEN
        -- greatest() ignores the NULLs of a never-pruned horizon and never lowers a watermark.
        UPDATE "${flyway:defaultSchema}".coherent_change_log_horizon
           SET pruned_through_id   = greatest(pruned_through_id, v_max_id),
               pruned_through_txid = greatest(pruned_through_txid, v_max_txid),
               pruned_at           = now();
    END IF;
    RETURN v_deleted;
END;
$$;

COMMENT ON FUNCTION coherent_prune_change_log(interval) IS
    'Coherent: deletes change-log rows older than max_age, raises coherent_change_log_horizon, returns the number deleted.';
