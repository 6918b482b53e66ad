-- The tables, audit trigger, NOTIFY trigger, mint and trigger shared by the
-- two hand-written baselines, written in PL/pgSQL on pgcrypto as a team would
-- write them without loop_tokens.  bench/run loads it once per baseline with
-- @SCHEMA@ replaced by baseline_naive or baseline_careful; each baseline's own
-- file then adds its verify, the only part in which they differ.
--
-- Same tables, columns, constraints and error codes as loop_tokens, so the
-- baselines are fair peers.  Tokens have the loop_tokens format, so the
-- benchmark feeds the same plaintext tokens to all, but the baselines only
-- check the pattern and not the CRC32.  Needs the pgcrypto extension in
-- schema public.

CREATE SCHEMA @SCHEMA@;

CREATE TABLE @SCHEMA@.loops (
	org_id text NOT NULL,
	loop_id text NOT NULL,
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, loop_id),
	CHECK (org_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	CHECK (loop_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[\x01-\x1f\x7f-\x9f]')
);

CREATE TABLE @SCHEMA@.tokens (
	token_id uuid NOT NULL DEFAULT gen_random_uuid(),
	org_id text NOT NULL,
	name text NOT NULL,
	prefix text NOT NULL,
	last_four text NOT NULL,
	hash bytea NOT NULL,
	hash_version smallint NOT NULL,
	scopes text[] NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL,
	last_used_at timestamptz,
	revoked_at timestamptz,
	revoked_by text,
	PRIMARY KEY (token_id),
	UNIQUE (hash),
	UNIQUE (token_id, org_id),
	CHECK (org_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[\x01-\x1f\x7f-\x9f]'),
	CHECK (prefix ~ '^lpt_[0-9A-Za-z]{4}$'),
	CHECK (last_four ~ '^[0-9A-Za-z]{4}$'),
	CHECK (octet_length(hash) = 32),
	CHECK (hash_version = 1),
	CHECK (cardinality(scopes) >= 1 AND array_position(scopes, NULL) IS NULL),
	CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

CREATE TABLE @SCHEMA@.runs (
	run_id text NOT NULL,
	workflow_instance_id uuid NOT NULL DEFAULT gen_random_uuid(),
	org_id text NOT NULL,
	loop_id text NOT NULL,
	body jsonb NOT NULL DEFAULT '{}',
	token_id uuid,
	triggered_by text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (run_id),
	UNIQUE (workflow_instance_id),
	CHECK (run_id ~ '^run_[0-9A-Za-z]{22}$'),
	CHECK (jsonb_typeof(body) = 'object'),
	CHECK ((token_id IS NULL) <> (triggered_by IS NULL)),
	CHECK (length(triggered_by) BETWEEN 1 AND 200 AND triggered_by !~ '[\x01-\x1f\x7f-\x9f]'),
	FOREIGN KEY (org_id, loop_id) REFERENCES @SCHEMA@.loops (org_id, loop_id),
	FOREIGN KEY (token_id, org_id) REFERENCES @SCHEMA@.tokens (token_id, org_id)
);

CREATE INDEX ON @SCHEMA@.runs (token_id) WHERE token_id IS NOT NULL;
CREATE INDEX ON @SCHEMA@.runs (org_id, loop_id, created_at);

-- Rows are never deleted, what mint wrote never changes, a revocation is
-- final, and last_used_at never moves backwards (an older value is ignored).
CREATE FUNCTION @SCHEMA@.guard_tokens() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'tokens cannot be deleted' USING ERRCODE = 'restrict_violation';
	END IF;
	IF NEW.token_id <> OLD.token_id OR NEW.org_id <> OLD.org_id OR NEW.hash <> OLD.hash
		OR NEW.hash_version <> OLD.hash_version OR NEW.prefix <> OLD.prefix
		OR NEW.last_four <> OLD.last_four OR NEW.scopes <> OLD.scopes
		OR NEW.created_at <> OLD.created_at OR NEW.created_by <> OLD.created_by THEN
		RAISE EXCEPTION 'only name, last_used_at and revocation of a token can change'
			USING ERRCODE = 'restrict_violation';
	END IF;
	IF OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at
		OR NEW.revoked_by IS DISTINCT FROM OLD.revoked_by) THEN
		RAISE EXCEPTION 'a revoked token stays revoked' USING ERRCODE = 'restrict_violation';
	END IF;
	IF OLD.last_used_at IS NOT NULL
		AND (NEW.last_used_at IS NULL OR NEW.last_used_at < OLD.last_used_at) THEN
		NEW.last_used_at := OLD.last_used_at;
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER tokens_guard BEFORE UPDATE OR DELETE ON @SCHEMA@.tokens
	FOR EACH ROW EXECUTE FUNCTION @SCHEMA@.guard_tokens();

-- Tell the workflow runner about each new run, as loop_tokens does.
CREATE FUNCTION @SCHEMA@.notify_run() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('@SCHEMA@_runs', NEW.run_id);
	RETURN NULL;
END
$$;

CREATE TRIGGER runs_notify AFTER INSERT ON @SCHEMA@.runs
	FOR EACH ROW EXECUTE FUNCTION @SCHEMA@.notify_run();

-- n random base62 characters.  Taking each byte modulo 62 makes the first 8
-- characters slightly more likely (5 in 256 against 4 in 256), as
-- hand-written code usually does.  49 such characters still carry more than
-- 256 bits.
CREATE FUNCTION @SCHEMA@.random_base62(n integer) RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
	                         get_byte(r.bytes, i) % 62 + 1, 1), '' ORDER BY i)
	FROM (SELECT public.gen_random_bytes(n) AS bytes) r, generate_series(0, n - 1) i
$$;

CREATE FUNCTION @SCHEMA@.raise_invalid_token() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'invalid token' USING ERRCODE = 'invalid_authorization_specification';
END
$$;

CREATE FUNCTION @SCHEMA@.scope_allows(scopes text[], loop_id text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT 'loop:run' = ANY (scopes) OR 'loop:run:' || loop_id = ANY (scopes)
$$;

CREATE FUNCTION @SCHEMA@.mint(org_id text, name text,
	scopes text[] DEFAULT '{loop:run}', created_by text DEFAULT session_user)
RETURNS TABLE (token_id uuid, token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	scope text;
	new_token text;
	new_token_id uuid;
BEGIN
	IF mint.org_id IS NULL OR mint.name IS NULL OR mint.scopes IS NULL OR mint.created_by IS NULL THEN
		RAISE EXCEPTION 'organization id, name, scopes and created_by must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF mint.org_id !~ '^[A-Za-z0-9_-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid organization id "%"', mint.org_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF length(mint.name) NOT BETWEEN 1 AND 200 OR mint.name ~ '[\x01-\x1f\x7f-\x9f]' THEN
		RAISE EXCEPTION 'invalid token name' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF cardinality(mint.scopes) = 0 OR array_position(mint.scopes, NULL) IS NOT NULL
		OR cardinality(mint.scopes) <> (SELECT count(DISTINCT s) FROM unnest(mint.scopes) s) THEN
		RAISE EXCEPTION 'scopes must be non-empty, without null or duplicates'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH scope IN ARRAY mint.scopes LOOP
		IF scope !~ '^loop:run(:[A-Za-z0-9_-]{1,64})?$' THEN
			RAISE EXCEPTION 'invalid scope "%"', scope USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF scope <> 'loop:run' THEN
			PERFORM 1 FROM @SCHEMA@.loops l
			WHERE l.org_id = mint.org_id AND l.loop_id = substr(scope, 10)
			FOR KEY SHARE;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'invalid scope "%"', scope USING ERRCODE = 'invalid_parameter_value';
			END IF;
		END IF;
	END LOOP;

	new_token := 'lpt_' || @SCHEMA@.random_base62(49);
	INSERT INTO @SCHEMA@.tokens AS t
		(org_id, name, prefix, last_four, hash, hash_version, scopes, created_by)
	VALUES (mint.org_id, mint.name, left(new_token, 8), right(new_token, 4),
		public.digest(new_token, 'sha256'), 1, mint.scopes, mint.created_by)
	RETURNING t.token_id INTO new_token_id;

	token_id := new_token_id;
	token := new_token;
	RETURN NEXT;
END
$$;


CREATE FUNCTION @SCHEMA@.trigger(org_id text, loop_id text, token text,
	body jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	verified_token_id uuid;
	new_run_id text;
	new_instance_id uuid;
BEGIN
	IF trigger.body IS NULL OR jsonb_typeof(trigger.body) <> 'object' THEN
		RAISE EXCEPTION 'body must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	verified_token_id := @SCHEMA@.verify(trigger.token, trigger.org_id, trigger.loop_id);

	PERFORM 1 FROM @SCHEMA@.loops l
	WHERE l.org_id = trigger.org_id AND l.loop_id = trigger.loop_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'loop "%" not found', trigger.loop_id USING ERRCODE = 'no_data_found';
	END IF;

	INSERT INTO @SCHEMA@.runs AS r (run_id, org_id, loop_id, body, token_id)
	VALUES ('run_' || @SCHEMA@.random_base62(22), trigger.org_id, trigger.loop_id,
		trigger.body, verified_token_id)
	RETURNING r.run_id, r.workflow_instance_id INTO new_run_id, new_instance_id;

	RETURN jsonb_build_object('runId', new_run_id, 'workflowInstanceId', new_instance_id);
END
$$;
