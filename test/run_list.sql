-- Runs of users, and the run_list and token_list views.  This file commits,
-- so it uses organization ids of its own.
\set ON_ERROR_STOP 1
SELECT plan(7);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES ('runlist-org', 'deploy', 'Deploy');
CREATE TEMP TABLE tok AS SELECT * FROM loop_tokens.mint('runlist-org', 'ci token');
SELECT loop_tokens.trigger('runlist-org', 'deploy', (SELECT token FROM tok));

-- A transaction that verified no token inserts user runs.
BEGIN;
SELECT is(loop_tokens.current_token_id(), NULL, 'a new transaction has no verified token');
INSERT INTO loop_tokens.runs (org_id, loop_id, triggered_by) VALUES ('runlist-org', 'deploy', 'alice@example.com');
SELECT is((SELECT count(*) FROM loop_tokens.runs WHERE triggered_by = 'alice@example.com' AND token_id IS NULL),
		  1::bigint, 'a user run is not tagged with a token');
SELECT throws_ok($$INSERT INTO loop_tokens.runs (org_id, loop_id) VALUES ('runlist-org', 'deploy')$$,
				 '23514', NULL, 'a run needs a token or a user');
SELECT throws_ok($$INSERT INTO loop_tokens.runs (org_id, loop_id, triggered_by) VALUES ('runlist-org', 'deploy', '')$$,
				 '23514', NULL, 'an empty user is rejected');
SELECT results_eq($$SELECT triggered_by_kind, triggered_by FROM loop_tokens.run_list WHERE org_id = 'runlist-org' ORDER BY triggered_by_kind$$,
				  $$SELECT * FROM (VALUES ('token', 'token ci token (' || (SELECT prefix FROM loop_tokens.tokens WHERE org_id = 'runlist-org') || '...)'),
										  ('user', 'alice@example.com')) v(kind, label)$$,
				  'run_list shows the token''s name and prefix, or the user');
SELECT is((SELECT run_count FROM loop_tokens.token_list WHERE org_id = 'runlist-org'), 1::bigint,
		  'token_list counts the token''s runs');
SELECT hasnt_column('loop_tokens', 'token_list', 'hash', 'token_list has no hash column');
SELECT * FROM finish();
ROLLBACK;
