-- Coherent library schema, part 4: tracking a table that has no version column.
--
-- coherent_track(tbl, namespace, key_column, version_column => NULL) opts such a table in
-- without adding a column to it: the change log keeps the versions itself, one counter per
-- (namespace, key) in coherent_key_version.
--
-- Why this is safe: every write of a key takes that key's counter row with INSERT ... ON CONFLICT
-- DO UPDATE, whose row lock is held until the writing transaction ends. Writers of one key are
-- therefore serialized, and each gets "last committed version + 1": versions strictly increase
-- in commit order (a rolled-back write releases its number to the next writer, and nobody saw
-- it). A transaction id would not do: txids are not assigned in commit order. The lock follows
-- the lock the write already holds on the row itself (UPDATE and DELETE lock it first; two
-- INSERTs of one key conflict on the table's own key), so it adds no new deadlock.
--
-- The counter outlives the change log's retention (deleting a key's counter would let its
-- versions restart below what caches hold). A counter a key gets for the first time starts
-- above anything the change log still remembers for it, so a table that switches from a version
-- column to none keeps increasing.
--
-- Readers get the version in the same snapshot as the row, with the STABLE function
-- coherent_version(namespace, key) in the same SELECT (or a join on coherent_key_version); a
-- writer reads its own write's version with coherent_version in the same transaction, after the
-- write. A key never written since it was tracked has version 0 (or, if its table had a version
-- column before, the last version the change log remembers).

CREATE TABLE coherent_key_version (
    namespace text   NOT NULL,
    cache_key text   NOT NULL,
    version   bigint NOT NULL,
    PRIMARY KEY (namespace, cache_key)
);

COMMENT ON TABLE coherent_key_version IS
    'Coherent: the current version of each key of a table tracked without a version column; never pruned.';

-- The next version of a key, under its counter row's lock (held until the transaction ends). The
-- common case is one UPDATE of an existing counter; a key's first write seeds its counter above
-- what the change log remembers (ON CONFLICT covers two first writes racing).
CREATE FUNCTION coherent_next_version(p_namespace text, p_key text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_version bigint;
BEGIN
    UPDATE "${flyway:defaultSchema}".coherent_key_version kv
       SET version = kv.version + 1
     WHERE kv.namespace = p_namespace AND kv.cache_key = p_key
    RETURNING kv.version INTO v_version;
    IF FOUND THEN
        RETURN v_version;
    END IF;
    INSERT INTO "${flyway:defaultSchema}".coherent_key_version AS kv (namespace, cache_key, version)
    VALUES (p_namespace, p_key,
            coalesce((SELECT max(l.version)
                        FROM "${flyway:defaultSchema}".coherent_change_log l
                       WHERE l.namespace = p_namespace AND l.cache_key = p_key), 0) + 1)
    ON CONFLICT (namespace, cache_key) DO UPDATE SET version = kv.version + 1
    RETURNING kv.version INTO v_version;
    RETURN v_version;
END;
$$;

COMMENT ON FUNCTION coherent_next_version(text, text) IS
    'Coherent: takes the next version of a key of a table tracked without a version column (used by its triggers).';

-- The version of a key as of the calling statement's snapshot: its counter; without one (never
-- written since its table was tracked without a version column), the highest version the change
-- log remembers for it (the table had a version column before), else 0. STABLE, so in a SELECT it
-- sees the same snapshot as the row it is read with; in the writing transaction, after the
-- write, it returns that write's version.
CREATE FUNCTION coherent_version(p_namespace text, p_key text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT kv.version
           FROM "${flyway:defaultSchema}".coherent_key_version kv
          WHERE kv.namespace = p_namespace AND kv.cache_key = p_key),
        (SELECT max(l.version)
           FROM "${flyway:defaultSchema}".coherent_change_log l
          WHERE l.namespace = p_namespace AND l.cache_key = p_key),
        0)
$$;

COMMENT ON FUNCTION coherent_version(text, text) IS
    'Coherent: the current version of a key of a table tracked without a version column (0 if never written).';

-- AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW. TG_ARGV: namespace, key column.
-- The same log rows as coherent_track_after_row, with versions from the key's counter.
CREATE FUNCTION coherent_track_after_row_unversioned() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_namespace  constant text := TG_ARGV[0];
    v_key_column constant text := TG_ARGV[1];
    v_old_key    text;
    v_new_key    text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        v_old_key := to_jsonb(OLD) ->> v_key_column;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        v_new_key := to_jsonb(NEW) ->> v_key_column;
    END IF;

    -- A delete, or the old key of a key-changing update: a tombstone at the next version.
    IF v_old_key IS NOT NULL AND v_old_key IS DISTINCT FROM v_new_key THEN
        INSERT INTO "${flyway:defaultSchema}".coherent_change_log (namespace, cache_key, version, op)
        VALUES (v_namespace, v_old_key,
                "${flyway:defaultSchema}".coherent_next_version(v_namespace, v_old_key), 'D');
    END IF;

    -- An insert or update: always logged, even if nothing changed (readers are idempotent).
    IF v_new_key IS NOT NULL THEN
        INSERT INTO "${flyway:defaultSchema}".coherent_change_log (namespace, cache_key, version, op)
        VALUES (v_namespace, v_new_key,
                "${flyway:defaultSchema}".coherent_next_version(v_namespace, v_new_key), 'U');
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION coherent_track_after_row_unversioned() IS
    'Coherent: logs writes of a table tracked without a version column, with versions from coherent_key_version.';

-- BEFORE TRUNCATE, FOR EACH STATEMENT: a tombstone at the next version for every row.
CREATE FUNCTION coherent_track_truncate_unversioned() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO %1$I.coherent_change_log (namespace, cache_key, version, op)
         SELECT $1, r.k, %1$I.coherent_next_version($1, r.k), ''D''
           FROM (SELECT to_jsonb(t) ->> $2 AS k FROM %2$s t) r
          WHERE r.k IS NOT NULL',
        '${flyway:defaultSchema}', TG_RELID::regclass)
    USING TG_ARGV[0], TG_ARGV[1];
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION coherent_track_truncate_unversioned() IS
    'Coherent: logs a D tombstone for every row that TRUNCATE removes from a table tracked without a version column.';

-- coherent_track as in V2, and with version_column NULL: no version column, the change log keeps
-- the versions (above). The checks and their messages are V2's.
CREATE OR REPLACE FUNCTION coherent_track(tbl regclass, namespace text, key_column text,
                                          version_column text DEFAULT 'version')
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_relkind      "char";
    v_version_type regtype;
    v_columns      text;
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'coherent_track: tbl must name a table, but was NULL'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF namespace IS NULL OR btrim(namespace) = '' THEN
        RAISE EXCEPTION 'coherent_track(%): namespace must be non-empty text such as ''catalog:product'', but was %',
            tbl, coalesce(quote_literal(namespace), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relkind INTO v_relkind FROM pg_catalog.pg_class c WHERE c.oid = tbl;
    IF v_relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'coherent_track(%): only ordinary and partitioned tables can be tracked, but % is %',
            tbl, tbl,
            CASE v_relkind
                WHEN 'v' THEN 'a view'
                WHEN 'm' THEN 'a materialized view'
                WHEN 'f' THEN 'a foreign table'
                WHEN 'S' THEN 'a sequence'
                WHEN 'i' THEN 'an index'
                ELSE 'of relkind ' || quote_literal(v_relkind::text)
            END
            USING ERRCODE = 'wrong_object_type';
    END IF;

    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_columns
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = tbl AND a.attname = key_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'coherent_track(%): key column % does not exist; the columns are: %',
            tbl, coalesce(quote_literal(key_column), 'NULL'), v_columns
            USING ERRCODE = 'undefined_column';
    END IF;
    IF version_column IS NOT NULL THEN
        SELECT a.atttypid::regtype INTO v_version_type
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = tbl AND a.attname = version_column AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'coherent_track(%): version column % does not exist; the columns are: % (pass version_column => NULL for a table without one)',
                tbl, quote_literal(version_column), v_columns
                USING ERRCODE = 'undefined_column';
        END IF;
        IF v_version_type NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
            RAISE EXCEPTION 'coherent_track(%): version column % has type %, but must be smallint, integer or bigint',
                tbl, quote_literal(version_column), v_version_type
                USING ERRCODE = 'datatype_mismatch';
        END IF;
    END IF;

    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_before ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_after ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_truncate ON %s', tbl);
    IF version_column IS NULL THEN
        EXECUTE format(
            'CREATE TRIGGER coherent_track_after AFTER INSERT OR UPDATE OR DELETE ON %s
             FOR EACH ROW EXECUTE FUNCTION %I.coherent_track_after_row_unversioned(%L, %L)',
            tbl, '${flyway:defaultSchema}', namespace, key_column);
        EXECUTE format(
            'CREATE TRIGGER coherent_track_truncate BEFORE TRUNCATE ON %s
             FOR EACH STATEMENT EXECUTE FUNCTION %I.coherent_track_truncate_unversioned(%L, %L)',
            tbl, '${flyway:defaultSchema}', namespace, key_column);
        RETURN;
    END IF;
    EXECUTE format(
        'CREATE TRIGGER coherent_track_before BEFORE INSERT OR UPDATE ON %s
         FOR EACH ROW EXECUTE FUNCTION %I.coherent_track_before_row(%L, %L, %L)',
        tbl, '${flyway:defaultSchema}', namespace, key_column, version_column);
    EXECUTE format(
        'CREATE TRIGGER coherent_track_after AFTER INSERT OR UPDATE OR DELETE ON %s
         FOR EACH ROW EXECUTE FUNCTION %I.coherent_track_after_row(%L, %L, %L)',
        tbl, '${flyway:defaultSchema}', namespace, key_column, version_column);
    EXECUTE format(
        'CREATE TRIGGER coherent_track_truncate BEFORE TRUNCATE ON %s
         FOR EACH STATEMENT EXECUTE FUNCTION %I.coherent_track_truncate(%L, %L, %L)',
        tbl, '${flyway:defaultSchema}', namespace, key_column, version_column);
END;
$$;
