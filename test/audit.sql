-- Audit rules on token rows, enforced by the tokens_guard trigger.
\set ON_ERROR_STOP 1
BEGIN;
SET client_min_messages = warning;
SELECT plan(19);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES ('audit-org', 'l1', 'L1');
CREATE TEMP TABLE tok ON COMMIT DROP AS SELECT * FROM loop_tokens.mint('audit-org', 'audited');
CREATE TEMP TABLE tok2 ON COMMIT DROP AS SELECT * FROM loop_tokens.mint('audit-org', 'revoked one');
SELECT loop_tokens.revoke((SELECT token_id FROM tok2), 'first-admin');

SELECT throws_ok($$DELETE FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok)$$,
				 '23001', 'tokens cannot be deleted', 'a token row cannot be deleted');
SELECT throws_ok($$DELETE FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok2)$$,
				 '23001', 'tokens cannot be deleted', 'a revoked token row cannot be deleted');
SELECT throws_ok($$TRUNCATE loop_tokens.tokens CASCADE$$,
				 '23001', 'tokens cannot be deleted', 'the tokens table cannot be truncated');

SELECT throws_ok(format($$UPDATE loop_tokens.tokens SET %I = %s WHERE token_id = (SELECT token_id FROM tok)$$,
						column_name, new_value),
				 '23001', format('column "%s" of a token cannot be changed', column_name),
				 format('%s cannot change after mint', column_name))
  FROM (VALUES ('hash', $$'\x00'::bytea || hash$$),
			   ('prefix', $$'lpt_XXXX'$$),
			   ('last_four', $$'XXXX'$$),
			   ('org_id', $$'other-org'$$),
			   ('scopes', $$'{loop:run:l1}'$$),
			   ('hash_version', '2'),
			   ('token_id', 'gen_random_uuid()'),
			   ('created_at', 'created_at - interval ''1 day'''),
			   ('created_by', $$'mallory'$$)) AS c(column_name, new_value);

SELECT throws_ok($$UPDATE loop_tokens.tokens SET revoked_at = NULL, revoked_by = NULL WHERE token_id = (SELECT token_id FROM tok2)$$,
				 '23001', 'revocation of a token cannot be changed or undone', 'a revocation cannot be cleared');
SELECT throws_ok($$UPDATE loop_tokens.tokens SET revoked_at = revoked_at + interval '1 hour' WHERE token_id = (SELECT token_id FROM tok2)$$,
				 '23001', 'revocation of a token cannot be changed or undone', 'revoked_at cannot move');
SELECT throws_ok($$UPDATE loop_tokens.tokens SET revoked_by = 'mallory' WHERE token_id = (SELECT token_id FROM tok2)$$,
				 '23001', 'revocation of a token cannot be changed or undone', 'revoked_by cannot change');

SELECT lives_ok($$UPDATE loop_tokens.tokens SET name = 'renamed' WHERE token_id = (SELECT token_id FROM tok)$$,
				'a token can be renamed');

-- last_used_at never moves backwards: an older value is ignored.
UPDATE loop_tokens.tokens SET last_used_at = '2020-01-01 00:00:00+00' WHERE token_id = (SELECT token_id FROM tok);
UPDATE loop_tokens.tokens SET last_used_at = '2019-01-01 00:00:00+00' WHERE token_id = (SELECT token_id FROM tok);
SELECT is((SELECT last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok)),
		  '2020-01-01 00:00:00+00'::timestamptz, 'an older last_used_at is ignored');
UPDATE loop_tokens.tokens SET last_used_at = NULL WHERE token_id = (SELECT token_id FROM tok);
SELECT is((SELECT last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok)),
		  '2020-01-01 00:00:00+00'::timestamptz, 'last_used_at cannot be cleared');
SELECT throws_ok($$UPDATE loop_tokens.tokens SET last_used_at = now() + interval '1 hour' WHERE token_id = (SELECT token_id FROM tok)$$,
				 '23514', 'last_used_at of a token cannot be in the future', 'last_used_at cannot be set in the future');

SELECT * FROM finish();
ROLLBACK;
