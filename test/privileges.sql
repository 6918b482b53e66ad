-- Privileges: deploy/grant_roles.sql gives the admin role mint, revoke and
-- the two lists, and the trigger role loop_tokens.trigger only.  A role with
-- no grants can do nothing.  Objects that a low-privilege role creates in
-- public or pg_temp under the extension's names change nothing.
-- Run from the repository root (scripts/test does), for \i below.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SELECT plan(42);

CREATE ROLE regress_lt_admin;
CREATE ROLE regress_lt_trigger;
CREATE ROLE regress_lt_nobody;

\set admin_role regress_lt_admin
\set trigger_role regress_lt_trigger
\i deploy/grant_roles.sql

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES
	('priv_org', 'loop_a', 'Loop A'),
	('priv_other', 'loop_a', 'Other loop A');
SELECT token_id AS tok_id, token AS tok FROM loop_tokens.mint('priv_org', 'privileges') \gset
SELECT token_id AS other_id, token AS other FROM loop_tokens.mint('priv_other', 'other org') \gset

-- A role with no grants.
SET ROLE regress_lt_nobody;
SELECT throws_ok(t.call, '42501', NULL, 'role without grants cannot ' || t.what)
  FROM (VALUES
	(format('SELECT loop_tokens.trigger(''priv_org'', ''loop_a'', %L)', :'tok'), 'trigger'),
	(format('SELECT loop_tokens.verify(%L, ''priv_org'', ''loop_a'')', :'tok'), 'verify'),
	('SELECT * FROM loop_tokens.mint(''priv_org'', ''n'')', 'mint'),
	(format('SELECT loop_tokens.revoke(%L)', :'tok_id'), 'revoke'),
	(format('SELECT loop_tokens.hash(%L)', :'tok'), 'hash'),
	('SELECT loop_tokens.current_token_id()', 'read the verified token'),
	('SELECT * FROM loop_tokens.tokens', 'read tokens'),
	('SELECT * FROM loop_tokens.token_list', 'read token_list'),
	('SELECT * FROM loop_tokens.run_list', 'read run_list'),
	('SELECT * FROM loop_tokens.runs', 'read runs'),
	('INSERT INTO loop_tokens.loops VALUES (''priv_org'', ''x'', ''x'')', 'insert loops'),
	('CREATE TABLE loop_tokens.planted (id int)', 'create in the schema')
  ) AS t(call, what);
RESET ROLE;

-- The trigger-only role.
SET ROLE regress_lt_trigger;
SELECT ok(loop_tokens.trigger('priv_org', 'loop_a', :'tok') ? 'runId', 'trigger role can trigger');
SELECT throws_ok(format('SELECT loop_tokens.trigger(''priv_org'', ''loop_a'', %L)', :'other'),
				 '28000', 'invalid token', 'trigger role cannot use a token of another organization');
SELECT throws_ok(t.call, '42501', NULL, 'trigger role cannot ' || t.what)
  FROM (VALUES
	('SELECT * FROM loop_tokens.mint(''priv_org'', ''n'')', 'mint'),
	(format('SELECT loop_tokens.revoke(%L)', :'tok_id'), 'revoke'),
	(format('SELECT loop_tokens.revoke(%L)', :'other_id'), 'revoke another organization''s token'),
	(format('SELECT loop_tokens.verify(%L, ''priv_org'', ''loop_a'')', :'tok'), 'call verify directly'),
	(format('SELECT loop_tokens.hash(%L)', :'tok'), 'hash'),
	('SELECT hash FROM loop_tokens.tokens', 'list hashes'),
	('SELECT * FROM loop_tokens.tokens WHERE org_id = ''priv_other''', 'read another organization''s tokens'),
	('SELECT * FROM loop_tokens.token_list', 'read token_list'),
	('SELECT * FROM loop_tokens.run_list', 'read run_list'),
	('SELECT * FROM loop_tokens.runs', 'read runs'),
	('INSERT INTO loop_tokens.runs (org_id, loop_id, triggered_by) VALUES (''priv_org'', ''loop_a'', ''x'')', 'insert runs'),
	('UPDATE loop_tokens.tokens SET revoked_at = now(), revoked_by = ''x''', 'update tokens'),
	('CREATE TABLE loop_tokens.planted (id int)', 'create in the schema')
  ) AS t(call, what);
RESET ROLE;

-- The admin role.
SET ROLE regress_lt_admin;
SELECT lives_ok('SELECT * FROM loop_tokens.mint(''priv_org'', ''by admin'')', 'admin role can mint');
SELECT is((SELECT count(*) FROM loop_tokens.token_list WHERE org_id = 'priv_org'), 2::bigint,
		  'admin role can read token_list');
SELECT is((SELECT count(*) FROM loop_tokens.run_list WHERE org_id = 'priv_org'), 1::bigint,
		  'admin role can read run_list');
SELECT throws_ok(t.call, '42501', NULL, 'admin role cannot ' || t.what)
  FROM (VALUES
	('SELECT hash FROM loop_tokens.tokens', 'list hashes'),
	(format('SELECT loop_tokens.trigger(''priv_org'', ''loop_a'', %L)', :'tok'), 'trigger'),
	(format('SELECT loop_tokens.hash(%L)', :'tok'), 'hash')
  ) AS t(call, what);
RESET ROLE;

-- Same-named objects planted by the trigger role in public and pg_temp.  Each
-- planted function raises, so calling any of them fails the test.  pgTAP
-- itself would call the planted operators, so each call under the planted
-- search_path runs in a DO block that records its outcome in priv_results,
-- and the checks run afterwards with the normal search_path.
CREATE TEMP TABLE priv_results (step text PRIMARY KEY, sqlstate text, message text);
GRANT INSERT ON priv_results TO regress_lt_trigger, regress_lt_admin;
SELECT set_config('priv_test.tok', :'tok', false),
	   set_config('priv_test.other', :'other', false),
	   set_config('priv_test.tok_id', :'tok_id', false) \gset
GRANT CREATE ON SCHEMA public TO regress_lt_trigger;

SET ROLE regress_lt_trigger;
CREATE FUNCTION public.planted_eq(text, text) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator was called'; END $$;
CREATE FUNCTION public.planted_uuid_eq(uuid, uuid) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator was called'; END $$;
CREATE FUNCTION public.planted_bytea_eq(bytea, bytea) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator was called'; END $$;
CREATE FUNCTION public.planted_concat(text, text) RETURNS text
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator was called'; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.planted_eq);
CREATE OPERATOR public.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = public.planted_uuid_eq);
CREATE OPERATOR public.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = public.planted_bytea_eq);
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.planted_concat);
CREATE FUNCTION public.now() RETURNS timestamptz
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted now() was called'; END $$;
CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted clock_timestamp() was called'; END $$;
CREATE FUNCTION public.gen_random_uuid() RETURNS uuid
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted gen_random_uuid() was called'; END $$;
CREATE FUNCTION public.jsonb_build_object(text, text, text, uuid) RETURNS jsonb
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted jsonb_build_object was called'; END $$;
CREATE FUNCTION public.count(text) RETURNS bigint
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted count() was called'; END $$;
CREATE TABLE public.tokens (token_id uuid, org_id text, hash bytea, revoked_at timestamptz);
CREATE TABLE public.runs (run_id text, org_id text, loop_id text, body jsonb);
CREATE TABLE public.loops (org_id text, loop_id text, name text);
CREATE TEMP TABLE tokens (token_id uuid, org_id text, hash bytea, revoked_at timestamptz);
CREATE TEMP TABLE runs (run_id text, org_id text, loop_id text, body jsonb);
CREATE TEMP TABLE loops (org_id text, loop_id text, name text);
INSERT INTO pg_temp.loops VALUES ('priv_org', 'loop_planted', 'planted');
CREATE FUNCTION pg_temp.now() RETURNS timestamptz
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted pg_temp.now() was called'; END $$;

SET search_path = pg_temp, public, loop_tokens, pg_catalog;
DO $$
BEGIN
	PERFORM loop_tokens.trigger('priv_org', 'loop_a',
								pg_catalog.current_setting('priv_test.tok'), '{"planted": true}');
	INSERT INTO pg_temp.priv_results VALUES ('trigger', '00000', NULL);
EXCEPTION WHEN OTHERS THEN
	INSERT INTO pg_temp.priv_results VALUES ('trigger', SQLSTATE, SQLERRM);
END $$;
DO $$
BEGIN
	PERFORM loop_tokens.trigger('priv_org', 'loop_planted',
								pg_catalog.current_setting('priv_test.tok'));
	INSERT INTO pg_temp.priv_results VALUES ('trigger planted loop', '00000', NULL);
EXCEPTION WHEN OTHERS THEN
	INSERT INTO pg_temp.priv_results VALUES ('trigger planted loop', SQLSTATE, SQLERRM);
END $$;
DO $$
BEGIN
	PERFORM loop_tokens.trigger('priv_org', 'loop_a',
								pg_catalog.current_setting('priv_test.other'));
	INSERT INTO pg_temp.priv_results VALUES ('trigger foreign token', '00000', NULL);
EXCEPTION WHEN OTHERS THEN
	INSERT INTO pg_temp.priv_results VALUES ('trigger foreign token', SQLSTATE, SQLERRM);
END $$;
RESET ROLE;

SET ROLE regress_lt_admin;
DO $$
BEGIN
	PERFORM loop_tokens.mint('priv_org', 'planted path');
	INSERT INTO pg_temp.priv_results VALUES ('mint', '00000', NULL);
EXCEPTION WHEN OTHERS THEN
	INSERT INTO pg_temp.priv_results VALUES ('mint', SQLSTATE, SQLERRM);
END $$;
DO $$
BEGIN
	PERFORM loop_tokens.revoke(pg_catalog.current_setting('priv_test.tok_id')::uuid, 'admin');
	INSERT INTO pg_temp.priv_results VALUES ('revoke', '00000', NULL);
EXCEPTION WHEN OTHERS THEN
	INSERT INTO pg_temp.priv_results VALUES ('revoke', SQLSTATE, SQLERRM);
END $$;
DO $$
BEGIN
	PERFORM * FROM loop_tokens.token_list;
	PERFORM * FROM loop_tokens.run_list;
	INSERT INTO pg_temp.priv_results VALUES ('lists', '00000', NULL);
EXCEPTION WHEN OTHERS THEN
	INSERT INTO pg_temp.priv_results VALUES ('lists', SQLSTATE, SQLERRM);
END $$;
RESET ROLE;
RESET search_path;

SELECT is((SELECT sqlstate || coalesce(': ' || message, '') FROM priv_results WHERE step = t.step),
		  t.expected, t.step || ' with planted objects first on search_path')
  FROM (VALUES
	('trigger', '00000'),
	('trigger planted loop', 'P0002: loop "loop_planted" not found'),
	('trigger foreign token', '28000: invalid token'),
	('mint', '00000'),
	('revoke', '00000'),
	('lists', '00000')
  ) AS t(step, expected);
SELECT is((SELECT count(*) FROM pg_temp.runs) + (SELECT count(*) FROM public.runs), 0::bigint,
		  'no run went to a planted runs table');
SELECT is((SELECT status FROM loop_tokens.token_list WHERE token_id = :'tok_id'), 'revoked',
		  'token revoked under the planted search_path');
SELECT is((SELECT count(*) FROM loop_tokens.runs WHERE org_id = 'priv_org' AND token_id = :'tok_id'),
		  2::bigint, 'both runs are in loop_tokens.runs, tagged with the token');

SELECT * FROM finish();
ROLLBACK;
