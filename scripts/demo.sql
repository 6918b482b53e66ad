-- The main job of loop_tokens, run by scripts/demo on a throwaway cluster.
--
-- psql 15 cannot send bind parameters, so this script passes the token in
-- psql variables, which puts it into SQL text.  The session therefore keeps
-- statements out of the server log; an application should send the token
-- as a bind parameter instead.
SET log_min_error_statement = panic;
SET log_statement = none;
\set ON_ERROR_STOP 1
\pset footer off

CREATE EXTENSION loop_tokens;

\echo
\echo '1. The platform registers a loop of organization acme.'
INSERT INTO loop_tokens.loops (org_id, loop_id, name)
VALUES ('acme', 'nightly-report', 'Nightly report');

\echo
\echo '2. An admin mints a token for all loops of acme. The full token is shown this once:'
SELECT token_id, token FROM loop_tokens.mint('acme', 'CI pipeline', '{loop:run}', 'admin@acme.test') \gset
\echo '   token_id:' :token_id
\echo '   token:   ' :token
\echo '   Only its hash is stored:'
SELECT name, prefix, last_four, scopes, status FROM loop_tokens.token_list;

\echo
\echo '3. A client triggers the loop with the token; the JSON body becomes the event body.'
SELECT loop_tokens.trigger('acme', 'nightly-report', :'token', '{"date": "2026-12-04"}') AS answer;

\echo
\echo '4. The run is tagged with the token, not a user, and the token records its last use.'
SELECT r.run_id, r.loop_id, r.triggered_by, x.body
  FROM loop_tokens.run_list r JOIN loop_tokens.runs x USING (run_id);
SELECT name, last_used_at, run_count FROM loop_tokens.token_list;

\echo
\echo '5. The admin revokes the token. The row stays for audit.'
SELECT loop_tokens.revoke(:'token_id', 'admin@acme.test') AS revoked;
SELECT name, prefix, status, revoked_by FROM loop_tokens.token_list;

\echo
\echo '6. The next trigger with the revoked token is refused (SQLSTATE 28000):'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SELECT loop_tokens.trigger('acme', 'nightly-report', :'token', '{}') AS answer;
\set ON_ERROR_STOP 1
\echo '   SQLSTATE:' :LAST_ERROR_SQLSTATE
SELECT count(*) AS runs FROM loop_tokens.runs;
