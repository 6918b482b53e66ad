-- Runs: trigger's result, tagging by token, platform inserts, run_list.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(13);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES
	('runs-org', 'deploy', 'Deploy'),
	('runs-other', 'deploy', 'Other deploy');
CREATE TEMP TABLE tok ON COMMIT DROP AS SELECT * FROM loop_tokens.mint('runs-org', 'ci token');
CREATE TEMP TABLE tok_other ON COMMIT DROP AS SELECT * FROM loop_tokens.mint('runs-other', 'other token');

CREATE TEMP TABLE answer ON COMMIT DROP AS
SELECT loop_tokens.trigger('runs-org', 'deploy', (SELECT token FROM tok), '{"ref": "main", "n": [1, 2]}') AS a;

SELECT is((SELECT array_agg(k ORDER BY k) FROM answer, jsonb_object_keys(a) AS k),
		  '{runId,workflowInstanceId}'::text[], 'trigger returns runId and workflowInstanceId only');
SELECT matches((SELECT a->>'runId' FROM answer), '^run_[0-9A-Za-z]{22}$', 'runId is run_ and 22 base62 characters');
SELECT matches((SELECT a->>'workflowInstanceId' FROM answer),
			   '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', 'workflowInstanceId is a UUID');

SELECT is((SELECT body FROM loop_tokens.runs WHERE run_id = (SELECT a->>'runId' FROM answer)),
		  '{"ref": "main", "n": [1, 2]}'::jsonb, 'the body is the run''s event body');
SELECT is((SELECT token_id FROM loop_tokens.runs WHERE run_id = (SELECT a->>'runId' FROM answer)),
		  (SELECT token_id FROM tok), 'the run is tagged with the token');
SELECT is((SELECT triggered_by FROM loop_tokens.runs WHERE run_id = (SELECT a->>'runId' FROM answer)),
		  NULL, 'a token-triggered run names no user');
SELECT is((SELECT workflow_instance_id::text FROM loop_tokens.runs WHERE run_id = (SELECT a->>'runId' FROM answer)),
		  (SELECT a->>'workflowInstanceId' FROM answer), 'the answer''s workflowInstanceId is the run''s');
INSERT INTO answer SELECT loop_tokens.trigger('runs-org', 'deploy', (SELECT token FROM tok));
SELECT is((SELECT count(DISTINCT a->>'runId') FROM answer), 2::bigint, 'a second trigger gets a new run id');
SELECT is((SELECT count(*) FROM loop_tokens.runs r JOIN answer ON r.run_id = answer.a->>'runId' WHERE r.body = '{}'),
		  1::bigint, 'the default body is an empty object');

-- Platform code that inserts runs itself after verify gets the tag too.
SELECT loop_tokens.verify((SELECT token FROM tok), 'runs-org', 'deploy');
INSERT INTO loop_tokens.runs (org_id, loop_id, body) VALUES ('runs-org', 'deploy', '{"by": "platform"}');
SELECT is((SELECT token_id FROM loop_tokens.runs WHERE body = '{"by": "platform"}'),
		  (SELECT token_id FROM tok), 'a run inserted after verify is tagged with the token');
SELECT throws_ok($$INSERT INTO loop_tokens.runs (org_id, loop_id, triggered_by) VALUES ('runs-org', 'deploy', 'alice')$$,
				 '23514', 'run cannot be triggered by both a token and a user',
				 'a user run cannot be inserted in a transaction that verified a token');
SELECT throws_ok($$INSERT INTO loop_tokens.runs (org_id, loop_id, token_id) VALUES ('runs-other', 'deploy', (SELECT token_id FROM tok_other))$$,
				 '42501', 'run must be tagged with the token verified in this transaction',
				 'a run cannot name another token than the verified one');
SELECT throws_ok($$INSERT INTO loop_tokens.runs (org_id, loop_id) VALUES ('runs-other', 'deploy')$$,
				 '23503', NULL, 'a run of another organization cannot carry the verified token');

SELECT * FROM finish();
ROLLBACK;

