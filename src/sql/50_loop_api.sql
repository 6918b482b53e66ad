-- loop_tokens 1.0: the HTTP trigger endpoint for PostgREST.
--
-- PostgREST exposes schema loop_api (db-schemas in deploy/postgrest) and
-- serves loop_api.trigger as POST /rpc/trigger.  The nginx configuration in
-- deploy/nginx maps POST /loop/ORG_ID/LOOP_ID onto that path.  Nothing here
-- is granted to PUBLIC: deploy/postgrest/roles.sql grants USAGE on the
-- schema and EXECUTE on the function to the web role.

CREATE SCHEMA loop_api;
REVOKE ALL ON SCHEMA loop_api FROM PUBLIC;

COMMENT ON SCHEMA loop_api IS
	'HTTP API served by PostgREST; contains only loop_api.trigger.';

-- The single unnamed jsonb parameter makes PostgREST pass the whole request
-- body as the argument.  Not STRICT: an empty body arrives as NULL and
-- becomes {}.
CREATE FUNCTION loop_api.trigger(jsonb)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'loop_api_trigger'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON FUNCTION loop_api.trigger(jsonb) FROM PUBLIC;

COMMENT ON FUNCTION loop_api.trigger(jsonb) IS
	'POST /loop/ORG_ID/LOOP_ID through nginx and PostgREST: reads X-Loop-Authorization, X-Loop-Org-Id and X-Loop-Id from request.headers, calls loop_tokens.trigger with the body, and sets response.status (401, 403, 404 or 400 on failure).';
