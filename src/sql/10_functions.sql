-- loop_tokens 1.0: functions.  Those that write are SECURITY DEFINER with a
-- pinned search_path; none is granted to PUBLIC (see 40_privileges.sql).

CREATE FUNCTION loop_tokens.mint(
	org_id text,
	name text,
	scopes text[] DEFAULT '{loop:run}',
	created_by text DEFAULT session_user)
RETURNS TABLE (token_id uuid, token text)
AS 'MODULE_PATHNAME', 'lt_mint'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
ROWS 1;

COMMENT ON FUNCTION loop_tokens.mint(text, text, text[], text) IS
	'Mints a token and returns it: the only time the full token exists. Only its hash is stored.';

CREATE FUNCTION loop_tokens.hash(token text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'lt_hash'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION loop_tokens.hash(text) IS
	'Returns the hash that mint stores for a well-formed token.';

CREATE FUNCTION loop_tokens.lookup(token text)
RETURNS uuid
AS 'MODULE_PATHNAME', 'lt_lookup_sql'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION loop_tokens.lookup(text) IS
	'Returns the token_id of a stored token (any organization, revoked or not, any accepted hash scheme), or NULL. For finding a leaked token.';

CREATE FUNCTION loop_tokens.scope_allows(scopes text[], loop_id text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'lt_scope_allows_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION loop_tokens.scope_allows(text[], text) IS
	'Returns true if any scope is "loop:run" or exactly "loop:run:<loop_id>" (case-sensitive).';

CREATE FUNCTION loop_tokens.verify(token text, org_id text, loop_id text)
RETURNS uuid
AS 'MODULE_PATHNAME', 'lt_verify_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loop_tokens.verify(text, text, text) IS
	'Returns the token id if the token is valid for the organization and loop; raises 28000 or 42501 otherwise. Records last_used_at.';

CREATE FUNCTION loop_tokens.trigger(
	org_id text,
	loop_id text,
	token text,
	body jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'lt_trigger'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loop_tokens.trigger(text, text, text, jsonb) IS
	'Verifies the token, creates a run of the loop with body as its event body, and returns {"runId", "workflowInstanceId"}.';

CREATE FUNCTION loop_tokens.revoke(token_id uuid, revoked_by text DEFAULT session_user)
RETURNS boolean
AS 'MODULE_PATHNAME', 'lt_revoke'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loop_tokens.revoke(uuid, text) IS
	'Revokes a token at once; returns false if it was already revoked. The row stays for audit.';

CREATE FUNCTION loop_tokens.current_token_id()
RETURNS uuid
AS 'MODULE_PATHNAME', 'lt_current_token_id'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION loop_tokens.current_token_id() IS
	'Returns the id of the token verified in the current transaction, or NULL.';
