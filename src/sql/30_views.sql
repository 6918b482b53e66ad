-- loop_tokens 1.0: views for the settings page and for DBAs.  They never
-- show hashes.

CREATE VIEW loop_tokens.token_list AS
SELECT t.token_id,
	   t.org_id,
	   t.name,
	   t.prefix,
	   t.last_four,
	   t.scopes,
	   t.created_at,
	   t.created_by,
	   t.last_used_at,
	   t.revoked_at,
	   t.revoked_by,
	   CASE WHEN t.revoked_at IS NULL THEN 'active' ELSE 'revoked' END AS status,
	   (SELECT pg_catalog.count(*) FROM loop_tokens.runs r
		 WHERE r.token_id = t.token_id) AS run_count
  FROM loop_tokens.tokens t;

COMMENT ON VIEW loop_tokens.token_list IS
	'Tokens without their hashes, with status and number of runs.';
COMMENT ON COLUMN loop_tokens.token_list.token_id IS 'Token id, for revoke.';
COMMENT ON COLUMN loop_tokens.token_list.org_id IS 'Organization of the token; filter on it for a settings page.';
COMMENT ON COLUMN loop_tokens.token_list.name IS 'Name given at mint.';
COMMENT ON COLUMN loop_tokens.token_list.prefix IS 'First 8 characters of the token.';
COMMENT ON COLUMN loop_tokens.token_list.last_four IS 'Last 4 characters of the token.';
COMMENT ON COLUMN loop_tokens.token_list.scopes IS 'Scopes of the token.';
COMMENT ON COLUMN loop_tokens.token_list.created_at IS 'When the token was minted.';
COMMENT ON COLUMN loop_tokens.token_list.created_by IS 'Who minted the token, as passed to mint.';
COMMENT ON COLUMN loop_tokens.token_list.last_used_at IS 'Last successful verify, to about one second; NULL if never used.';
COMMENT ON COLUMN loop_tokens.token_list.revoked_at IS 'When the token was revoked; NULL while active.';
COMMENT ON COLUMN loop_tokens.token_list.revoked_by IS 'Who revoked the token, as passed to revoke.';
COMMENT ON COLUMN loop_tokens.token_list.status IS
	'"active" or "revoked".';
COMMENT ON COLUMN loop_tokens.token_list.run_count IS
	'Number of runs triggered with the token.';

CREATE VIEW loop_tokens.run_list AS
SELECT r.run_id,
	   r.workflow_instance_id,
	   r.org_id,
	   r.loop_id,
	   r.created_at,
	   CASE WHEN r.token_id IS NOT NULL THEN 'token' ELSE 'user' END AS triggered_by_kind,
	   r.token_id,
	   t.name AS token_name,
	   t.prefix AS token_prefix,
	   r.triggered_by AS triggered_by_user,
	   CASE WHEN r.token_id IS NOT NULL
			THEN 'token ' || t.name || ' (' || t.prefix || '...)'
			ELSE r.triggered_by END AS triggered_by
  FROM loop_tokens.runs r
  LEFT JOIN loop_tokens.tokens t ON t.token_id = r.token_id;

COMMENT ON VIEW loop_tokens.run_list IS
	'Runs with what triggered each: a token (name and prefix) or a user.';
COMMENT ON COLUMN loop_tokens.run_list.run_id IS 'Run id.';
COMMENT ON COLUMN loop_tokens.run_list.workflow_instance_id IS 'Id of the workflow instance that executes the run.';
COMMENT ON COLUMN loop_tokens.run_list.org_id IS 'Organization of the loop.';
COMMENT ON COLUMN loop_tokens.run_list.loop_id IS 'Loop that was triggered.';
COMMENT ON COLUMN loop_tokens.run_list.created_at IS 'When the run was created.';
COMMENT ON COLUMN loop_tokens.run_list.token_id IS 'Token that triggered the run, if a token did.';
COMMENT ON COLUMN loop_tokens.run_list.triggered_by_kind IS
	'"token" or "user".';
COMMENT ON COLUMN loop_tokens.run_list.token_name IS
	'Name of the token that triggered the run, if a token did.';
COMMENT ON COLUMN loop_tokens.run_list.token_prefix IS
	'Prefix of that token.';
COMMENT ON COLUMN loop_tokens.run_list.triggered_by_user IS
	'User who triggered the run, if a user did.';
COMMENT ON COLUMN loop_tokens.run_list.triggered_by IS
	'What triggered the run, for display: "token <name> (<prefix>...)" or the user.';
