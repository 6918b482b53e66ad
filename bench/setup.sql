-- Fixtures for bench/run, loaded into the throwaway benchmark cluster after
-- loop_tokens, pgcrypto and both baselines.  The plaintext tokens in
-- bench.plain exist only there.

CREATE SCHEMA bench;

-- Every benchmark token: its plaintext and both of its hashes, so that the
-- floor probes with a precomputed hash and the others hash it themselves.
CREATE TABLE bench.plain (
	i integer PRIMARY KEY,
	token text NOT NULL,
	token_id uuid NOT NULL,
	lt_hash bytea NOT NULL,
	sha256 bytea NOT NULL
);

CREATE TABLE bench.lock_samples (
	run integer NOT NULL,
	taken_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	backends integer NOT NULL,
	lock_waiters integer NOT NULL,
	wait_events text
);

-- One timed pass of an in-server statement: CPU time of the backend and
-- wall-clock time, both for all of its calls.
CREATE TABLE bench.inserver (
	impl text NOT NULL,
	pass integer NOT NULL,
	calls integer NOT NULL,
	cpu_ns bigint NOT NULL,
	wall_ns bigint NOT NULL
);

CREATE TABLE bench.memory (
	stage text NOT NULL,
	verify_calls bigint NOT NULL,
	vm_rss_kib bigint,
	rss_anon_kib bigint,
	vm_hwm_kib bigint,
	context_bytes bigint
);

INSERT INTO loop_tokens.loops (org_id, loop_id, name)
VALUES ('bench_org', 'bench_loop', 'Benchmark loop');
INSERT INTO baseline_naive.loops (org_id, loop_id, name)
VALUES ('bench_org', 'bench_loop', 'Benchmark loop');
INSERT INTO baseline_careful.loops (org_id, loop_id, name)
VALUES ('bench_org', 'bench_loop', 'Benchmark loop');

-- Hash the tokens in the session's temporary table token_load (i, token)
-- and store each in the token tables with the same token_id, as bulk
-- INSERTs: minting a million tokens one call at a time would take minutes.
-- The naive baseline's table gets them only if with_naive is true.  bench/run
-- calls it from two sessions at once with disjoint ranges of i.
CREATE PROCEDURE bench.add_tokens(with_naive boolean)
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bench.plain (i, token, token_id, lt_hash, sha256)
	SELECT l.i, l.token, gen_random_uuid(), loop_tokens.hash(l.token),
		public.digest(l.token, 'sha256')
	FROM pg_temp.token_load l;

	INSERT INTO loop_tokens.tokens
		(token_id, org_id, name, prefix, last_four, hash, hash_version, scopes, created_by)
	SELECT p.token_id, 'bench_org', 'bench ' || p.i, left(p.token, 8), right(p.token, 4),
		p.lt_hash, 1, '{loop:run}', 'bench'
	FROM pg_temp.token_load l JOIN bench.plain p USING (i);

	IF with_naive THEN
		INSERT INTO baseline_naive.tokens
			(token_id, org_id, name, prefix, last_four, hash, hash_version, scopes, created_by)
		SELECT p.token_id, 'bench_org', 'bench ' || p.i, left(p.token, 8), right(p.token, 4),
			p.sha256, 1, '{loop:run}', 'bench'
		FROM pg_temp.token_load l JOIN bench.plain p USING (i);
	END IF;

	INSERT INTO baseline_careful.tokens
		(token_id, org_id, name, prefix, last_four, hash, hash_version, scopes, created_by)
	SELECT p.token_id, 'bench_org', 'bench ' || p.i, left(p.token, 8), right(p.token, 4),
		p.sha256, 1, '{loop:run}', 'bench'
	FROM pg_temp.token_load l JOIN bench.plain p USING (i);
END
$$;

-- CPU time the calling backend has used, in nanoseconds: the first field of
-- /proc/self/schedstat, which is the backend's own.  Unlike wall-clock time
-- it does not count time other processes on the machine take.
CREATE FUNCTION bench.cpu_ns() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
	SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint
$$;

-- Memory of the calling backend: /proc/self/status is the backend's own.
CREATE FUNCTION bench.record_memory(stage text, verify_calls bigint) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO bench.memory
	SELECT stage, verify_calls,
		(regexp_match(s.status, 'VmRSS:\s+(\d+) kB'))[1]::bigint,
		(regexp_match(s.status, 'RssAnon:\s+(\d+) kB'))[1]::bigint,
		(regexp_match(s.status, 'VmHWM:\s+(\d+) kB'))[1]::bigint,
		(SELECT sum(c.total_bytes) FROM pg_backend_memory_contexts c)
	FROM (SELECT pg_read_file('/proc/self/status') AS status) s;
$$;
