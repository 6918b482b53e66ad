-- What crosses transaction boundaries on one connection, as a pooler would
-- reuse it: current_token_id never does, last_used_at and revocation do.
-- This file commits, so it uses organization ids of its own.
\set ON_ERROR_STOP 1
SELECT plan(22);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES ('sess-org', 'job', 'Job');
CREATE TEMP TABLE tok AS SELECT * FROM loop_tokens.mint('sess-org', 'session token');
CREATE TEMP TABLE tok2 AS SELECT * FROM loop_tokens.mint('sess-org', 'second token');

SELECT is(loop_tokens.current_token_id(), NULL, 'no token is verified at first');

-- Autocommit: the statement's transaction ends with it.
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
SELECT is(loop_tokens.current_token_id(), NULL, 'the next transaction does not inherit the token');

BEGIN;
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
SELECT is(loop_tokens.current_token_id(), (SELECT token_id FROM tok), 'current_token_id is set within the transaction');
COMMIT;
SELECT is(loop_tokens.current_token_id(), NULL, 'commit clears current_token_id');

BEGIN;
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
ROLLBACK;
SELECT is(loop_tokens.current_token_id(), NULL, 'rollback clears current_token_id');

-- A failed verify leaves nothing behind either.
BEGIN;
SELECT throws_ok($$SELECT loop_tokens.verify('lpt_bad', 'sess-org', 'job')$$, '28000', 'invalid token', 'a bad token is refused');
SELECT is(loop_tokens.current_token_id(), NULL, 'a failed verify sets no token');
COMMIT;

-- A verify inside a rolled-back subtransaction does not count; one inside a released one does.
BEGIN;
SAVEPOINT s1;
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
ROLLBACK TO SAVEPOINT s1;
SELECT is(loop_tokens.current_token_id(), NULL, 'rolling back a savepoint forgets its verify');
SAVEPOINT s2;
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
RELEASE SAVEPOINT s2;
SAVEPOINT s3;
ROLLBACK TO SAVEPOINT s3;
SELECT is(loop_tokens.current_token_id(), (SELECT token_id FROM tok), 'a released savepoint keeps its verify');
COMMIT;

-- Rolling back a savepoint brings back the token verified before it.
BEGIN;
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
SAVEPOINT s4;
SELECT loop_tokens.verify((SELECT token FROM tok2), 'sess-org', 'job');
-- pgTAP keeps its counts in tables, so checks inside a rolled-back savepoint
-- would be lost: take the value out with \gset and check it afterwards.
SELECT loop_tokens.current_token_id() AS inside_s4 \gset
ROLLBACK TO SAVEPOINT s4;
SELECT is(:'inside_s4'::uuid, (SELECT token_id FROM tok2), 'a verify inside a savepoint replaces the current token');
SELECT is(loop_tokens.current_token_id(), (SELECT token_id FROM tok), 'rolling back the savepoint restores the earlier token');
SAVEPOINT s5;
SAVEPOINT s6;
SELECT loop_tokens.verify((SELECT token FROM tok2), 'sess-org', 'job');
RELEASE SAVEPOINT s6;
ROLLBACK TO SAVEPOINT s5;
SELECT is(loop_tokens.current_token_id(), (SELECT token_id FROM tok), 'a verify released into a rolled-back savepoint is forgotten');
COMMIT;

-- last_used_at: set by the first use, then at most once a second, never backwards.
CREATE TEMP TABLE seen (step int, last_used_at timestamptz);
INSERT INTO seen SELECT 0, last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok);
SELECT isnt((SELECT last_used_at FROM seen WHERE step = 0), NULL, 'the first verify recorded last_used_at');
SELECT cmp_ok((SELECT last_used_at FROM seen WHERE step = 0), '<=', now(), 'last_used_at is not in the future');

SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
INSERT INTO seen SELECT 1, last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok);
SELECT cmp_ok((SELECT last_used_at FROM seen WHERE step = 1), '>=', (SELECT last_used_at FROM seen WHERE step = 0),
			  'last_used_at never moves backwards');

SELECT pg_sleep(1.1);
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
INSERT INTO seen SELECT 2, last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok);
SELECT cmp_ok((SELECT last_used_at FROM seen WHERE step = 2), '>=',
			  (SELECT last_used_at + interval '1 second' FROM seen WHERE step = 1),
			  'a use more than a second later moves last_used_at forward');

-- A coarser resolution: a use a second later does not write.
SET loop_tokens.last_used_resolution = '1min';
SELECT pg_sleep(1.1);
SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job');
SELECT is((SELECT last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok)),
		  (SELECT last_used_at FROM seen WHERE step = 2), 'with a one-minute resolution a use a second later is not written');
RESET loop_tokens.last_used_resolution;
SELECT throws_ok($$SET loop_tokens.last_used_resolution = 0$$, '22023', NULL, 'the resolution is at least one second');

-- In a read-only transaction verify works and writes nothing.
SELECT pg_sleep(1.1);
BEGIN READ ONLY;
SELECT is(loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job'), (SELECT token_id FROM tok),
		  'verify works in a read-only transaction');
COMMIT;
SELECT is((SELECT last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok)),
		  (SELECT last_used_at FROM seen WHERE step = 2), 'a read-only verify does not write last_used_at');

-- Revocation committed on this connection takes effect for the next verify.
SELECT loop_tokens.revoke((SELECT token_id FROM tok));
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok), 'sess-org', 'job')$$, '28000', 'invalid token',
				 'the verify after the revocation committed fails');
SELECT is((SELECT count(*) FROM loop_tokens.token_list WHERE org_id = 'sess-org' AND status = 'revoked'), 1::bigint,
		  'the revoked row stays for audit');

SELECT * FROM finish();
