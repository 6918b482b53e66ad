--
-- loop_tokens: the installed objects and the messages users see.
--
CREATE EXTENSION loop_tokens;

SELECT extname, extversion, extrelocatable, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'loop_tokens';

-- Functions: volatility, strictness, parallel safety and SECURITY DEFINER.
SELECT p.oid::regprocedure AS function,
	   p.provolatile AS volatility,
	   p.proisstrict AS strict,
	   p.proparallel AS parallel,
	   p.prosecdef AS security_definer,
	   p.proconfig AS settings
  FROM pg_proc p
 WHERE p.pronamespace = 'loop_tokens'::regnamespace
 ORDER BY p.proname;

-- Every table, column, view and function explains itself in \d+ and \df+.
SELECT c.relname, a.attname
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'loop_tokens'::regnamespace
   AND c.relkind IN ('r', 'v')
   AND col_description(c.oid, a.attnum) IS NULL;
SELECT c.relname
  FROM pg_class c
 WHERE c.relnamespace = 'loop_tokens'::regnamespace
   AND c.relkind IN ('r', 'v')
   AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT n.nspname
  FROM pg_namespace n
 WHERE n.nspname IN ('loop_tokens', 'loop_api')
   AND obj_description(n.oid, 'pg_namespace') IS NULL;
SELECT p.proname
  FROM pg_proc p
 WHERE p.pronamespace = 'loop_tokens'::regnamespace
   AND obj_description(p.oid, 'pg_proc') IS NULL;

-- Nothing is granted to PUBLIC.
SELECT c.relname, c.relacl
  FROM pg_class c
 WHERE c.relnamespace = 'loop_tokens'::regnamespace
   AND c.relkind IN ('r', 'v', 'S')
   AND EXISTS (SELECT 1 FROM aclexplode(c.relacl) x WHERE x.grantee = 0);
SELECT p.proname
  FROM pg_proc p
 WHERE p.pronamespace = 'loop_tokens'::regnamespace
   AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) x WHERE x.grantee = 0));
SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) x
				WHERE n.nspname = 'loop_tokens' AND x.grantee = 0) AS schema_granted_to_public;

-- The tables are dumped with the data.
SELECT unnest(extconfig)::regclass AS dumped_table
  FROM pg_extension WHERE extname = 'loop_tokens' ORDER BY 1;

-- Mint, trigger, revoke: the main job, with properties in place of random values.
INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES ('acme', 'nightly-report', 'Nightly report');
SELECT token_id, token FROM loop_tokens.mint('acme', 'CI pipeline') \gset
SELECT :'token' ~ '^lpt_[0-9A-Za-z]{49}$' AS token_matches_format;
SELECT name, prefix = left(:'token', 8) AS prefix_ok, last_four = right(:'token', 4) AS last_four_ok,
	   scopes, status, run_count, last_used_at IS NULL AS never_used
  FROM loop_tokens.token_list WHERE token_id = :'token_id';

SELECT loop_tokens.trigger('acme', 'nightly-report', :'token', '{"date": "2026-12-04"}') ? 'runId' AS answered;
SELECT loop_id, triggered_by_kind, token_name, token_prefix = left(:'token', 8) AS prefix_ok
  FROM loop_tokens.run_list WHERE org_id = 'acme';
SELECT status, run_count, last_used_at IS NOT NULL AS used
  FROM loop_tokens.token_list WHERE token_id = :'token_id';

SELECT loop_tokens.revoke(:'token_id', 'admin@acme.test') AS revoked;
SELECT loop_tokens.revoke(:'token_id', 'admin@acme.test') AS revoked_again;

-- The messages users see, with their SQLSTATEs.  None repeats a token.
\set SHOW_CONTEXT never
SELECT loop_tokens.trigger('acme', 'nightly-report', :'token');
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.verify('lpt_0000', 'acme', 'nightly-report');
\echo :LAST_ERROR_SQLSTATE
SELECT token AS scoped_token FROM loop_tokens.mint('acme', 'one loop', '{loop:run:nightly-report}') \gset
SELECT loop_tokens.verify(:'scoped_token', 'acme', 'weekly');
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.verify(:'scoped_token', 'acme', repeat('x', 100));
\echo :LAST_ERROR_SQLSTATE
SELECT token AS all_token FROM loop_tokens.mint('acme', 'all loops') \gset
SELECT loop_tokens.trigger('acme', 'weekly', :'all_token');
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.trigger('acme', 'nightly-report', :'all_token', '"text"');
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.trigger('acme', :'all_token', :'all_token');
\echo :LAST_ERROR_SQLSTATE
SET loop_tokens.max_body_size = 100;
SELECT loop_tokens.trigger('acme', 'nightly-report', :'all_token', jsonb_build_object('pad', repeat('x', 200)));
\echo :LAST_ERROR_SQLSTATE
RESET loop_tokens.max_body_size;
SELECT * FROM loop_tokens.mint('acme', 'x', '{loop:run:weekly}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM loop_tokens.mint('acme', 'x', ARRAY['loop:run:' || repeat('y', 200)]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM loop_tokens.mint('acme', 'x', '{loop:write}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM loop_tokens.mint('acme corp', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM loop_tokens.mint('acme', repeat('n', 201));
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.revoke('6f1c1c7e-0000-4000-8000-000000000000');
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.hash('not a token');
\echo :LAST_ERROR_SQLSTATE
SELECT loop_tokens.hash(overlay(:'all_token' PLACING 'zzz' FROM 20 FOR 3));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM loop_tokens.mint('acme', 'x', ARRAY[:'all_token']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM loop_tokens.mint('acme', U&'CI\200Bpipeline');
\echo :LAST_ERROR_SQLSTATE
UPDATE loop_tokens.runs SET token_id = NULL, triggered_by = 'mallory';
\echo :LAST_ERROR_SQLSTATE
UPDATE loop_tokens.tokens SET scopes = '{loop:run:nightly-report}' WHERE token_id = :'token_id';
\echo :LAST_ERROR_SQLSTATE
UPDATE loop_tokens.tokens SET revoked_at = NULL, revoked_by = NULL WHERE token_id = :'token_id';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM loop_tokens.tokens WHERE token_id = :'token_id';
\echo :LAST_ERROR_SQLSTATE
SET loop_tokens.no_such_setting = 'on';
\echo :LAST_ERROR_SQLSTATE

DROP EXTENSION loop_tokens;
