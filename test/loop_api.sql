-- loop_api.trigger: the HTTP trigger endpoint, called as PostgREST calls it.
--
-- Each case replays PostgREST's per-request transaction with
-- test/http/replay.psql: switch to the authenticator, set the
-- transaction-local settings, call the function, read response.status and
-- response.headers, commit.  The roles are created by the shipped
-- deploy/postgrest/roles.sql under regress_ names.  Runs are committed, as
-- through PostgREST, so the organization ids are unique to this file.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

-- Roles left by an earlier run of this file.
DO $$
DECLARE
	role_name text;
BEGIN
	FOREACH role_name IN ARRAY ARRAY['regress_lapi_authenticator', 'regress_lapi_web']
	LOOP
		IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
			EXECUTE format('DROP OWNED BY %I', role_name);
			EXECUTE format('DROP ROLE %I', role_name);
		END IF;
	END LOOP;
END
$$;

\set authenticator regress_lapi_authenticator
\set web_role regress_lapi_web
\ir ../deploy/postgrest/roles.sql

SELECT * FROM no_plan();

-- Organization A has loops deploy and backup. Organization B has deploy.
INSERT INTO loop_tokens.loops (org_id, loop_id, name)
VALUES ('regress_lapi_org_a', 'deploy', 'Deploy'),
	   ('regress_lapi_org_a', 'backup', 'Backup'),
	   ('regress_lapi_org_b', 'deploy', 'Deploy B')
ON CONFLICT DO NOTHING;

SELECT token_id AS token_a_id, token AS token_a
FROM loop_tokens.mint('regress_lapi_org_a', 'lapi every loop') \gset
SELECT token AS token_a_deploy_only
FROM loop_tokens.mint('regress_lapi_org_a', 'lapi deploy only',
					  ARRAY['loop:run:deploy']) \gset
SELECT token AS token_b
FROM loop_tokens.mint('regress_lapi_org_b', 'lapi organization b') \gset
SELECT token_id AS token_revoked_id, token AS token_revoked
FROM loop_tokens.mint('regress_lapi_org_a', 'lapi revoked') \gset
SELECT loop_tokens.revoke(:'token_revoked_id') \gset revoke_

-- request.headers as PostgREST builds it for a request that came through
-- deploy/nginx/loop_tokens.conf. A NULL argument leaves that header out.
CREATE FUNCTION pg_temp.request_headers(org_id text, loop_id text,
										authorization_value text)
RETURNS text
LANGUAGE sql
AS $$
	SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'host', 'loop_tokens_postgrest',
		'accept', 'application/json',
		'content-type', 'application/json',
		'user-agent', 'curl/7.88.1',
		'x-loop-org-id', org_id,
		'x-loop-id', loop_id,
		'x-loop-authorization', authorization_value))::text
$$;

-- The checks every 401 response must pass: status, WWW-Authenticate, the one
-- shared body, and no trace of the token in the body.
CREATE FUNCTION pg_temp.is_unauthorized(status text, headers text, body text,
										token text, description text)
RETURNS SETOF text
LANGUAGE plpgsql
AS $$
BEGIN
	RETURN NEXT is(status, '401', description || ': status 401');
	RETURN NEXT is(headers::jsonb, '[{"WWW-Authenticate": "Bearer"}]'::jsonb,
				   description || ': WWW-Authenticate: Bearer');
	RETURN NEXT is(body::jsonb,
				   '{"code": "unauthorized", "message": "missing or invalid bearer token"}'::jsonb,
				   description || ': shared 401 body');
	RETURN NEXT ok(token IS NULL OR strpos(body, token) = 0,
				   description || ': body does not contain the token');
END
$$;

SELECT count(*) AS runs_before FROM loop_tokens.runs
WHERE org_id IN ('regress_lapi_org_a', 'regress_lapi_org_b') \gset

--
-- A valid token: 200 and a stored run.
--
SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a') AS headers \gset
\set request_body '{"ref": "main", "nested": {"n": 1}}'
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '200', 'valid token: status 200');
SELECT is(:'response_headers'::text, '', 'valid token: no response headers');
SELECT ok((:'response_body')::jsonb->>'runId' ~ '^run_[0-9A-Za-z]{22}$',
		  'valid token: runId');
SELECT ok((:'response_body')::jsonb->>'workflowInstanceId' ~
		  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
		  'valid token: workflowInstanceId');
SELECT is((SELECT count(*)::int FROM pg_catalog.jsonb_object_keys((:'response_body')::jsonb)),
		  2, 'valid token: body has only the two ids');
SELECT is((SELECT body FROM loop_tokens.runs
		   WHERE run_id = (:'response_body')::jsonb->>'runId'),
		  '{"ref": "main", "nested": {"n": 1}}'::jsonb,
		  'valid token: request body is the event body');
SELECT is((SELECT token_id FROM loop_tokens.runs
		   WHERE run_id = (:'response_body')::jsonb->>'runId'),
		  :'token_a_id'::uuid, 'valid token: run tagged with the token');
SELECT is((SELECT workflow_instance_id::text FROM loop_tokens.runs
		   WHERE run_id = (:'response_body')::jsonb->>'runId'),
		  (:'response_body')::jsonb->>'workflowInstanceId',
		  'valid token: workflowInstanceId matches the run');

-- Scheme names in other letter cases, and several spaces, are accepted.
SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'bearer ' || :'token_a') AS headers \gset
\set request_body '{}'
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '200', 'lower-case bearer: status 200');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'BEARER ' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '200', 'upper-case BEARER: status 200');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer  ' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '200', 'two spaces after Bearer: status 200');

-- An empty body becomes {}.
SELECT pg_temp.request_headers('regress_lapi_org_a', 'backup',
							   'Bearer ' || :'token_a') AS headers \gset
\set request_body ''
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '200', 'empty body: status 200');
SELECT is((SELECT body FROM loop_tokens.runs
		   WHERE run_id = (:'response_body')::jsonb->>'runId'),
		  '{}'::jsonb, 'empty body: event body is {}');
\set request_body '{}'

--
-- Every missing, malformed, unknown, revoked or other-organization token:
-- 401 with one body.
--
SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy', NULL) AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', NULL, 'no header');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy', 'Bearer') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', NULL, 'Bearer alone');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy', 'Bearer ') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', NULL, 'Bearer and a space');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy', 'Bearer    ') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', NULL, 'Bearer and spaces only');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Basic ' || pg_catalog.encode(convert_to(:'token_a' || ':', 'UTF8'), 'base64'))
	AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'Basic scheme');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy', :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'token without scheme');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'no space after Bearer');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   E'Bearer\t' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'tab after Bearer');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   E'Bearer \t' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'space and tab after Bearer');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a' || ' extra') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'trailing garbage');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a' || ' ') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'trailing space');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'token repeated twice');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || repeat('A', 8192 - 7)) AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', repeat('A', 64), '8 KiB value');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a' || 'é') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'non-ASCII byte after the token');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || overlay(:'token_a' placing 'ü' from 10 for 1))
	AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', NULL, 'non-ASCII byte inside the token');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   E'Bearer\u00a0' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'no-break space after Bearer');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer lpt_' || repeat('0', 49)) AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', 'lpt_' || repeat('0', 49), 'well-formed unknown token');

-- The same token with its last character changed fails the checksum.
SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || left(:'token_a', 52) ||
							   CASE WHEN right(:'token_a', 1) = 'x' THEN 'y' ELSE 'x' END)
	AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', left(:'token_a', 52), 'token with a bad checksum');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_revoked') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_revoked', 'revoked token');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_b') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_b', 'token of another organization');

-- An unknown loop with a token that is not valid is still 401, not 404.
SELECT pg_temp.request_headers('regress_lapi_org_a', 'no_such_loop',
							   'Bearer ' || :'token_b') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_b', 'unknown loop, other organization token');

SELECT pg_temp.request_headers('regress_lapi_no_such_org', 'deploy',
							   'Bearer ' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT * FROM pg_temp.is_unauthorized(:'response_status', :'response_headers',
									  :'response_body', :'token_a', 'unknown organization');

--
-- Valid token, but the scopes do not allow the loop: 403.
--
SELECT pg_temp.request_headers('regress_lapi_org_a', 'backup',
							   'Bearer ' || :'token_a_deploy_only') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '403', 'scope for another loop: status 403');
SELECT is(:'response_headers'::text, '', 'scope for another loop: no WWW-Authenticate');
SELECT is((:'response_body')::jsonb->>'code', 'forbidden', 'scope for another loop: code');
SELECT ok(strpos(:'response_body', :'token_a_deploy_only') = 0,
		  'scope for another loop: body does not contain the token');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a_deploy_only') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '200', 'scope for this loop: status 200');

--
-- Valid token for the organization, unknown loop: 404.
--
SELECT pg_temp.request_headers('regress_lapi_org_a', 'no_such_loop',
							   'Bearer ' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '404', 'unknown loop: status 404');
SELECT is(:'response_headers'::text, '', 'unknown loop: no WWW-Authenticate');
SELECT is((:'response_body')::jsonb->>'code', 'not_found', 'unknown loop: code');
SELECT ok(strpos(:'response_body', :'token_a') = 0,
		  'unknown loop: body does not contain the token');

--
-- Requests that did not come through the nginx configuration, and bodies
-- that are not objects: 400.
--
SELECT pg_temp.request_headers(NULL, 'deploy', 'Bearer ' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '400', 'no X-Loop-Org-Id: status 400');
SELECT ok(strpos(:'response_body', :'token_a') = 0,
		  'no X-Loop-Org-Id: body does not contain the token');

SELECT pg_temp.request_headers('regress_lapi_org_a', NULL, 'Bearer ' || :'token_a') AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '400', 'no X-Loop-Id: status 400');

\set headers '{}'
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '400', 'no headers at all: status 400');

SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy',
							   'Bearer ' || :'token_a') AS headers \gset
\set request_body '[1, 2]'
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '400', 'array body: status 400');
SELECT is((:'response_body')::jsonb->>'code', 'bad_request', 'array body: code');
SELECT ok(strpos(:'response_body', :'token_a') = 0,
		  'array body: body does not contain the token');

-- A body whose jsonb form exceeds loop_tokens.max_body_size (1 MiB): 413.
SELECT jsonb_build_object('pad', repeat('x', 1100000))::text AS request_body \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '413', 'body over max_body_size: status 413');
SELECT is((:'response_body')::jsonb->>'code', 'payload_too_large', 'body over max_body_size: code');
\set request_body '[1, 2]'

-- Without a token, the body is not looked at: 401 comes first.
SELECT pg_temp.request_headers('regress_lapi_org_a', 'deploy', NULL) AS headers \gset
SET SESSION AUTHORIZATION :"authenticator";
\ir http/replay.psql
RESET SESSION AUTHORIZATION;
SELECT is(:'response_status'::text, '401', 'array body without a token: status 401');
\set request_body '{}'

-- Only the 200 responses above stored runs: five with token A, one with the
-- deploy-only token.
SELECT is((SELECT count(*) FROM loop_tokens.runs
		   WHERE org_id IN ('regress_lapi_org_a', 'regress_lapi_org_b')) - :runs_before,
		  6::bigint, 'runs stored only for 200 responses');

--
-- Outside PostgREST there is no request.headers: 400, not an error.
--
SELECT is(loop_api.trigger('{}')->>'code', 'bad_request',
		  'call without request.headers: bad_request');

--
-- Roles as deploy/postgrest/roles.sql sets them up.
--
SELECT ok(has_function_privilege('regress_lapi_web', 'loop_api.trigger(jsonb)', 'EXECUTE'),
		  'web role can execute loop_api.trigger');
SELECT ok(has_schema_privilege('regress_lapi_web', 'loop_api', 'USAGE'),
		  'web role has USAGE on loop_api');
SELECT ok(NOT has_schema_privilege('regress_lapi_web', 'loop_tokens', 'USAGE'),
		  'web role has no USAGE on loop_tokens');
SELECT ok(NOT has_function_privilege('regress_lapi_web',
									 'loop_tokens.trigger(text, text, text, jsonb)', 'EXECUTE'),
		  'web role cannot execute loop_tokens.trigger');
SELECT ok(NOT has_function_privilege('regress_lapi_web',
									 'loop_tokens.mint(text, text, text[], text)', 'EXECUTE'),
		  'web role cannot execute loop_tokens.mint');
SELECT ok(NOT has_function_privilege('regress_lapi_web',
									 'loop_tokens.revoke(uuid, text)', 'EXECUTE'),
		  'web role cannot execute loop_tokens.revoke');
SELECT ok(NOT has_table_privilege('regress_lapi_web', 'loop_tokens.tokens', 'SELECT'),
		  'web role cannot read loop_tokens.tokens');
SELECT ok(NOT has_table_privilege('regress_lapi_web', 'loop_tokens.runs', 'SELECT'),
		  'web role cannot read loop_tokens.runs');
SELECT ok(NOT has_function_privilege('regress_lapi_authenticator', 'loop_api.trigger(jsonb)', 'EXECUTE'),
		  'authenticator itself cannot execute loop_api.trigger');
SELECT is((SELECT array_agg(roleid::regrole::text) FROM pg_auth_members
		   WHERE member = 'regress_lapi_authenticator'::regrole),
		  ARRAY['regress_lapi_web'], 'authenticator is a member of the web role only');
SELECT ok((SELECT rolcanlogin AND NOT rolinherit AND NOT rolsuper
		   FROM pg_roles WHERE rolname = 'regress_lapi_authenticator'),
		  'authenticator: LOGIN NOINHERIT NOSUPERUSER');
SELECT ok((SELECT NOT rolcanlogin FROM pg_roles WHERE rolname = 'regress_lapi_web'),
		  'web role cannot log in');

SET SESSION AUTHORIZATION :"authenticator";
DO $$
BEGIN
	SET LOCAL ROLE regress_lapi_web;
	PERFORM set_config('regress_lapi.switch_to_web', 'allowed', false);
EXCEPTION WHEN insufficient_privilege THEN
	PERFORM set_config('regress_lapi.switch_to_web', 'denied', false);
END
$$;
DO $$
BEGIN
	SET LOCAL ROLE postgres;
	PERFORM set_config('regress_lapi.switch_to_postgres', 'allowed', false);
EXCEPTION WHEN insufficient_privilege THEN
	PERFORM set_config('regress_lapi.switch_to_postgres', 'denied', false);
END
$$;
RESET SESSION AUTHORIZATION;
SELECT is(current_setting('regress_lapi.switch_to_web'), 'allowed',
		  'authenticator can switch to the web role');
SELECT is(current_setting('regress_lapi.switch_to_postgres'), 'denied',
		  'authenticator cannot switch to postgres');

SELECT ok(EXISTS (SELECT 1 FROM pg_db_role_setting
				  WHERE setrole = 'regress_lapi_authenticator'::regrole
					AND setdatabase = 0
					AND 'log_statement=none' = ANY (setconfig)
					AND 'log_min_error_statement=panic' = ANY (setconfig)
					AND 'log_min_duration_statement=-1' = ANY (setconfig)
					AND 'log_parameter_max_length=0' = ANY (setconfig)),
		  'authenticator: statement logging off');
SELECT ok(EXISTS (SELECT 1 FROM pg_db_role_setting
				  WHERE setrole = 'regress_lapi_web'::regrole
					AND setdatabase = 0
					AND 'log_statement=none' = ANY (setconfig)
					AND 'log_min_error_statement=panic' = ANY (setconfig)),
		  'web role: statement logging off');

SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc p,
							 LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
					  WHERE p.oid = 'loop_api.trigger(jsonb)'::regprocedure
						AND a.grantee = 0),
		  'PUBLIC cannot execute loop_api.trigger');
SELECT is((SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p
		   WHERE p.pronamespace = 'loop_api'::regnamespace),
		  ARRAY['loop_api.trigger(jsonb)'], 'loop_api contains only trigger(jsonb)');

SELECT * FROM finish();

-- The roles are dropped so that the database can be reused.
DROP OWNED BY regress_lapi_web;
DROP OWNED BY regress_lapi_authenticator;
DROP ROLE regress_lapi_authenticator;
DROP ROLE regress_lapi_web;
