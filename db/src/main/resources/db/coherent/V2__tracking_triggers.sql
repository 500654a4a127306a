-- Coherent library schema, part 2: the tracking triggers and coherent_track(), which opts a
-- table in.
--
-- Version policy: "corrected, never an error".
--   Every tracked row carries an integer version, and the versions of one (namespace, key) must
--   strictly increase for as long as the change log remembers that key, so that "cached version
--   < logged version" always means "stale". Writers do not have to cooperate; the BEFORE
--   trigger corrects a version that would break the rule instead of rejecting the write:
--   * UPDATE: if the writer did not raise the version (NEW.version <= OLD.version, or NULL),
--     e.g. psql `UPDATE products SET price_cents = 100`, the trigger sets OLD.version + 1.
--     A writer that raised it itself (Hibernate @Version writes OLD + 1) keeps its value.
--   * INSERT: if the change log already holds a version >= NEW.version for that key (the key
--     was deleted and is now inserted again), the trigger sets (that maximum) + 1, so the new
--     row is newer than the tombstone. A NULL version becomes 1 (or that maximum + 1).
--     Otherwise the writer's version is kept (Hibernate starts at 0; that is fine).
--   * An UPDATE that changes the key is, for the cache, a delete of the old key and an insert
--     of the new one: the new version is also raised above the new key's logged history.
--   Consequence for ORMs: a corrected INSERT version is not known to the ORM's in-memory entity
--   (it is only corrected on re-insert of a deleted key); its next optimistic-locked update
--   fails and must be retried after re-reading. UPDATE versions written by the ORM are kept.
--
-- The key is logged as text exactly as `to_jsonb(row) ->> key_column` renders it (for integer
-- and text keys: the plain value, e.g. '42'). Rows whose key is NULL are not logged: nothing
-- can be cached under a NULL key. The key column should be the primary key or a NOT NULL
-- unique column.
--
-- The functions qualify the change log with the schema these migrations ran in, so writes work
-- whatever the writing session's search_path is.

-- BEFORE INSERT OR UPDATE, FOR EACH ROW. TG_ARGV: namespace, key column, version column.
CREATE FUNCTION coherent_track_before_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_namespace      constant text  := TG_ARGV[0];
    v_key_column     constant text  := TG_ARGV[1];
    v_version_column constant text  := TG_ARGV[2];
    v_new            constant jsonb := to_jsonb(NEW);
    v_key            constant text  := v_new ->> v_key_column;
    v_requested      constant bigint := (v_new ->> v_version_column)::bigint;
    v_old            jsonb;
    v_floor          bigint;  -- every version <= v_floor is already used for this key
    v_version        bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        v_old := to_jsonb(OLD);
        v_floor := coalesce((v_old ->> v_version_column)::bigint, 0);
        IF v_key IS NOT NULL AND v_key IS DISTINCT FROM (v_old ->> v_key_column) THEN
            -- The key changed: the new key may have a history (a tombstone) of its own.
            v_floor := greatest(v_floor,
                (SELECT max(l.version)
                   FROM "${flyway:defaultSchema}".coherent_change_log l
                  WHERE l.namespace = v_namespace AND l.cache_key = v_key));
        END IF;
    ELSIF v_key IS NOT NULL THEN
        -- INSERT: NULL when the key was never logged (or its rows were pruned).
        v_floor := (SELECT max(l.version)
                      FROM "${flyway:defaultSchema}".coherent_change_log l
                     WHERE l.namespace = v_namespace AND l.cache_key = v_key);
    END IF;

    IF v_floor IS NULL THEN
        v_version := coalesce(v_requested, 1);
    ELSIF v_requested IS NULL OR v_requested <= v_floor THEN
        v_version := v_floor + 1;          -- corrected, never an error
    ELSE
        v_version := v_requested;          -- the writer raised it itself: keep it
    END IF;

    IF v_version IS DISTINCT FROM v_requested THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(v_version_column, v_version));
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION coherent_track_before_row() IS
    'Coherent: keeps the versions of a tracked key strictly increasing (corrected, never an error). Installed by coherent_track.';

-- AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW. TG_ARGV: namespace, key column, version column.
-- Runs after every BEFORE trigger, so it logs the version that is actually stored.
CREATE FUNCTION coherent_track_after_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_namespace      constant text := TG_ARGV[0];
    v_key_column     constant text := TG_ARGV[1];
    v_version_column constant text := TG_ARGV[2];
    v_old            jsonb;
    v_new            jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        v_old := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        v_new := to_jsonb(NEW);
    END IF;

    -- A delete, or the old key of a key-changing update: a tombstone one above the last version,
    -- meaning "every version below this one is invalid".
    IF (v_old ->> v_key_column) IS NOT NULL
       AND (v_new IS NULL OR (v_old ->> v_key_column) IS DISTINCT FROM (v_new ->> v_key_column)) THEN
        INSERT INTO "${flyway:defaultSchema}".coherent_change_log (namespace, cache_key, version, op)
        VALUES (v_namespace, v_old ->> v_key_column,
                coalesce((v_old ->> v_version_column)::bigint, 0) + 1, 'D');
    END IF;

    -- An insert or update: always logged, even if nothing changed (readers are idempotent).
    IF (v_new ->> v_key_column) IS NOT NULL THEN
        INSERT INTO "${flyway:defaultSchema}".coherent_change_log (namespace, cache_key, version, op)
        VALUES (v_namespace, v_new ->> v_key_column, (v_new ->> v_version_column)::bigint, 'U');
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION coherent_track_after_row() IS
    'Coherent: appends a U row (insert/update) or a D tombstone (delete) to coherent_change_log. Installed by coherent_track.';

-- BEFORE TRUNCATE, FOR EACH STATEMENT. Row triggers do not fire on TRUNCATE, so without this a
-- TRUNCATE would invalidate nothing: log a tombstone for every row about to disappear.
CREATE FUNCTION coherent_track_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO %I.coherent_change_log (namespace, cache_key, version, op)
         SELECT $1, r.k, coalesce(r.v, 0) + 1, ''D''
           FROM (SELECT to_jsonb(t) ->> $2 AS k, (to_jsonb(t) ->> $3)::bigint AS v FROM %s t) r
          WHERE r.k IS NOT NULL',
        '${flyway:defaultSchema}', TG_RELID::regclass)
    USING TG_ARGV[0], TG_ARGV[1], TG_ARGV[2];
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION coherent_track_truncate() IS
    'Coherent: logs a D tombstone for every row of a tracked table that TRUNCATE removes. Installed by coherent_track.';

-- Opts a table in: installs (or replaces) the three tracking triggers. Idempotent: calling it
-- again, e.g. with another namespace, replaces the previous triggers.
--   tbl             the table, e.g. 'products' or 'shop.products'
--   namespace       the cache namespace, e.g. 'catalog:product'
--   key_column      the column whose value is the cache key (primary key or NOT NULL unique)
--   version_column  a smallint, integer or bigint column the triggers maintain (see policy above)
CREATE FUNCTION coherent_track(tbl regclass, namespace text, key_column text,
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
    SELECT a.atttypid::regtype INTO v_version_type
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = tbl AND a.attname = version_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'coherent_track(%): version column % does not exist; the columns are: %',
            tbl, coalesce(quote_literal(version_column), 'NULL'), v_columns
            USING ERRCODE = 'undefined_column';
    END IF;
    IF v_version_type NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        RAISE EXCEPTION 'coherent_track(%): version column % has type %, but must be smallint, integer or bigint',
            tbl, quote_literal(version_column), v_version_type
            USING ERRCODE = 'datatype_mismatch';
    END IF;

    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_before ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_after ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_truncate ON %s', tbl);
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

COMMENT ON FUNCTION coherent_track(regclass, text, text, text) IS
    'Coherent: opts a table in to the change log (installs or replaces the coherent_track_* triggers).';

-- Opts a table out again: removes the tracking triggers (the change-log rows stay).
CREATE FUNCTION coherent_untrack(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'coherent_untrack: tbl must name a table, but was NULL'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_before ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_after ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS coherent_track_truncate ON %s', tbl);
END;
$$;

COMMENT ON FUNCTION coherent_untrack(regclass) IS
    'Coherent: removes the coherent_track_* triggers from a table; its writes are no longer logged.';
