-- mint: argument checks, each with its SQLSTATE, and nothing written on error.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(24);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES
	('mint-org', 'loop-1', 'Loop one'),
	('mint-org2', 'loop-2', 'Loop two');

CREATE TEMP TABLE before_count ON COMMIT DROP AS SELECT count(*) AS n FROM loop_tokens.tokens;

SELECT lives_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'default scopes')$$, 'mint with the default scope');
SELECT is((SELECT scopes FROM loop_tokens.tokens WHERE org_id = 'mint-org' AND name = 'default scopes'),
		  '{loop:run}'::text[], 'the default scope is loop:run');
SELECT is((SELECT created_by FROM loop_tokens.tokens WHERE org_id = 'mint-org' AND name = 'default scopes'),
		  session_user::text, 'created_by defaults to the session user');
SELECT lives_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'one loop', '{loop:run:loop-1}', 'alice@example.com')$$,
				'mint with a one-loop scope and an actor');
SELECT is((SELECT last_used_at FROM loop_tokens.tokens WHERE org_id = 'mint-org' AND name = 'one loop'),
		  NULL, 'a new token has never been used');
SELECT is((SELECT revoked_at FROM loop_tokens.tokens WHERE org_id = 'mint-org' AND name = 'one loop'),
		  NULL, 'a new token is not revoked');

SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run:loop-2}')$$,
				 '22023', 'invalid scope "loop:run:loop-2"', 'a loop of another organization is not a valid scope');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run:nope}')$$,
				 '22023', 'invalid scope "loop:run:nope"', 'an unknown loop is not a valid scope');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run:}')$$,
				 '22023', 'invalid scope "loop:run:"', 'loop:run: with no id');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run:*}')$$,
				 '22023', 'invalid scope "loop:run:*"', 'no wildcard scope');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:runner}')$$,
				 '22023', 'invalid scope "loop:runner"', 'loop:runner');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{LOOP:RUN}')$$,
				 '22023', 'invalid scope "LOOP:RUN"', 'scopes are case-sensitive');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{}')$$,
				 '22023', 'a token needs at least one scope', 'no scopes');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run,NULL}')$$,
				 '22023', 'scopes must not contain null', 'a NULL scope');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run:loop-1,loop:run:loop-1}')$$,
				 '22023', 'duplicate scope "loop:run:loop-1"', 'a duplicate scope');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{{loop:run},{loop:run}}')$$,
				 '22023', 'scopes must be a one-dimensional array', 'a two-dimensional array');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('no such org!', 'x')$$,
				 '22023', 'invalid organization id', 'an organization id with a space and !');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint(repeat('a', 65), 'x')$$,
				 '22023', 'invalid organization id', 'an organization id of 65 characters');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', '')$$,
				 '22023', 'invalid token name', 'an empty name');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', repeat('é', 201))$$,
				 '22023', 'invalid token name', 'a name of 201 characters');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', E'tab\there')$$,
				 '22023', 'invalid token name', 'a name with a control character');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint(NULL, 'x')$$,
				 '22004', 'organization id must not be null', 'a NULL organization id');
SELECT throws_ok($$SELECT * FROM loop_tokens.mint('mint-org', 'x', '{loop:run}', NULL)$$,
				 '22004', 'created_by must not be null', 'a NULL created_by');

SELECT is((SELECT count(*) FROM loop_tokens.tokens) - (SELECT n FROM before_count), 2::bigint,
		  'only the two good mints wrote rows');

SELECT * FROM finish();
ROLLBACK;
