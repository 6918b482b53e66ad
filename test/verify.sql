-- verify and trigger: each SQLSTATE, scope edge cases, the organization
-- boundary and revocation.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(46);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES
	('vfy-acme', 'abc', 'ABC'),
	('vfy-acme', 'abcd', 'ABCD'),
	('vfy-acme', 'ab', 'AB'),
	('vfy-acme', 'ABC', 'Upper ABC'),
	('vfy-other', 'abc', 'Other ABC');

CREATE TEMP TABLE tok (label text PRIMARY KEY, token_id uuid, token text) ON COMMIT DROP;
INSERT INTO tok SELECT 'all', m.* FROM loop_tokens.mint('vfy-acme', 'all loops') m;
INSERT INTO tok SELECT 'abc', m.* FROM loop_tokens.mint('vfy-acme', 'abc only', '{loop:run:abc}') m;
INSERT INTO tok SELECT 'two', m.* FROM loop_tokens.mint('vfy-acme', 'two loops', '{loop:run:ab,loop:run:ABC}') m;
INSERT INTO tok SELECT 'other', m.* FROM loop_tokens.mint('vfy-other', 'other org') m;
INSERT INTO tok SELECT 'revoked', m.* FROM loop_tokens.mint('vfy-acme', 'to revoke') m;

-- Success returns the token id.
SELECT is(loop_tokens.verify((SELECT token FROM tok WHERE label = 'all'), 'vfy-acme', 'abc'),
		  (SELECT token_id FROM tok WHERE label = 'all'), 'verify returns the token id');
SELECT is(loop_tokens.verify((SELECT token FROM tok WHERE label = 'abc'), 'vfy-acme', 'abc'),
		  (SELECT token_id FROM tok WHERE label = 'abc'), 'a one-loop token verifies for its loop');

-- Scope matching is exact and case-sensitive.
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'abc'), 'vfy-acme', 'abcd')$$,
				 '42501', 'token is not allowed to run loop "abcd"', 'loop:run:abc does not allow abcd');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'abc'), 'vfy-acme', 'ab')$$,
				 '42501', 'token is not allowed to run loop "ab"', 'loop:run:abc does not allow ab');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'abc'), 'vfy-acme', 'ABC')$$,
				 '42501', 'token is not allowed to run loop "ABC"', 'loop:run:abc does not allow ABC');
SELECT lives_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'two'), 'vfy-acme', 'ABC')$$,
				'a token with two scopes allows the second');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'two'), 'vfy-acme', 'abc')$$,
				 '42501', NULL, 'a token with two scopes allows no third loop');

SELECT ok(loop_tokens.scope_allows('{loop:run}', 'anything'), 'scope_allows: loop:run allows any loop');
SELECT ok(loop_tokens.scope_allows('{loop:run:abc}', 'abc'), 'scope_allows: exact match');
SELECT ok(NOT loop_tokens.scope_allows('{loop:run:abc}', 'abcd'), 'scope_allows: longer id');
SELECT ok(NOT loop_tokens.scope_allows('{loop:run:abc}', 'ab'), 'scope_allows: shorter id');
SELECT ok(NOT loop_tokens.scope_allows('{loop:run:abc}', 'ABC'), 'scope_allows: other case');
SELECT ok(NOT loop_tokens.scope_allows('{loop:run:}', ''), 'scope_allows: empty loop id');
SELECT ok(NOT loop_tokens.scope_allows('{LOOP:RUN}', 'abc'), 'scope_allows: upper-case scope');
SELECT ok(NOT loop_tokens.scope_allows('{loop:runner}', 'abc'), 'scope_allows: loop:runner');
SELECT ok(NOT loop_tokens.scope_allows('{loop:run:*}', 'abc'), 'scope_allows: no wildcard');
SELECT ok(NOT loop_tokens.scope_allows('{}', 'abc'), 'scope_allows: no scopes');
SELECT ok(loop_tokens.scope_allows('{NULL,loop:run:abc}', 'abc'), 'scope_allows: NULL elements are skipped');
SELECT is(loop_tokens.scope_allows(NULL, 'abc'), NULL, 'scope_allows: NULL scopes give NULL');

-- One error for every kind of invalid token.
SELECT throws_ok($$SELECT loop_tokens.verify('lpt_short', 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'malformed token: 28000');
SELECT throws_ok($$SELECT loop_tokens.verify('', 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'empty token: 28000');
SELECT throws_ok($$SELECT loop_tokens.verify(NULL, 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'NULL token: 28000');
SELECT throws_ok($$SELECT loop_tokens.verify(overlay((SELECT token FROM tok WHERE label = 'all') PLACING 'xyz' FROM 20 FOR 3), 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'bad checksum: 28000');
SELECT throws_ok($$SELECT loop_tokens.verify('lpt_' || repeat('0', 43) || '000000', 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'all zeros: 28000');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'other'), 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'token of another organization: 28000');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'all'), 'vfy-other', 'abc')$$,
				 '28000', 'invalid token', 'token used for another organization: 28000');
SELECT throws_ok($$SELECT loop_tokens.trigger('vfy-other', 'abc', (SELECT token FROM tok WHERE label = 'all'))$$,
				 '28000', 'invalid token', 'trigger with a token of another organization: 28000');

-- A valid-checksum token that was never minted: compose one with the test's own encoder.
CREATE FUNCTION pg_temp.unknown_token() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	digits text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
	head text := 'lpt_' || repeat('7', 43);
	crc bigint := 4294967295;
	result text := '';
BEGIN
	FOR i IN 1 .. length(head) LOOP
		crc := crc # ascii(substr(head, i, 1));
		FOR bit IN 1 .. 8 LOOP
			crc := CASE WHEN crc & 1 = 1 THEN (crc >> 1) # 3988292384 ELSE crc >> 1 END;
		END LOOP;
	END LOOP;
	crc := crc # 4294967295;
	FOR i IN 1 .. 6 LOOP
		result := substr(digits, (crc % 62)::int + 1, 1) || result;
		crc := crc / 62;
	END LOOP;
	RETURN head || result;
END $$;
SELECT lives_ok($$SELECT loop_tokens.hash(pg_temp.unknown_token())$$,
				'the made-up token is well formed');
SELECT throws_ok($$SELECT loop_tokens.verify(pg_temp.unknown_token(), 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'well-formed unknown token: 28000');

-- Revocation is immediate and final.
SELECT ok(loop_tokens.revoke((SELECT token_id FROM tok WHERE label = 'revoked'), 'regress-admin'),
		  'revoke returns true the first time');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'revoked'), 'vfy-acme', 'abc')$$,
				 '28000', 'invalid token', 'revoked token: 28000');
SELECT ok(NOT loop_tokens.revoke((SELECT token_id FROM tok WHERE label = 'revoked'), 'someone-else'),
		  'revoke returns false the second time');
SELECT is((SELECT revoked_by FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok WHERE label = 'revoked')),
		  'regress-admin', 'the first revocation''s actor stays');
SELECT throws_ok($$SELECT loop_tokens.revoke('00000000-0000-0000-0000-000000000000')$$,
				 'P0002', 'token 00000000-0000-0000-0000-000000000000 not found', 'revoking an unknown id raises P0002');
SELECT is((SELECT status FROM loop_tokens.token_list WHERE token_id = (SELECT token_id FROM tok WHERE label = 'revoked')),
		  'revoked', 'token_list shows the revoked status');

-- trigger: token first, then the loop.
SELECT throws_ok($$SELECT loop_tokens.trigger('vfy-acme', 'no-such-loop', (SELECT token FROM tok WHERE label = 'all'))$$,
				 'P0002', 'loop "no-such-loop" not found', 'unknown loop with a valid all-loops token: P0002');
SELECT throws_ok($$SELECT loop_tokens.trigger('vfy-acme', 'no-such-loop', 'lpt_bad')$$,
				 '28000', 'invalid token', 'unknown loop with an invalid token: 28000, not P0002');
SELECT throws_ok($$SELECT loop_tokens.trigger('vfy-acme', 'no-such-loop', (SELECT token FROM tok WHERE label = 'abc'))$$,
				 '42501', NULL, 'unknown loop with a one-loop token: 42501');
SELECT throws_ok($$SELECT loop_tokens.trigger('vfy-acme', 'abc', (SELECT token FROM tok WHERE label = 'all'), '[1, 2]')$$,
				 '22023', 'event body must be a JSON object', 'a body that is not an object: 22023');
SELECT throws_ok($$SELECT loop_tokens.verify((SELECT token FROM tok WHERE label = 'all'), NULL, 'abc')$$,
				 '22004', 'organization id must not be null', 'NULL organization id: 22004');
SELECT throws_ok($$SELECT loop_tokens.trigger('vfy-acme', NULL, (SELECT token FROM tok WHERE label = 'all'))$$,
				 '22004', 'loop id must not be null', 'NULL loop id: 22004');

-- lookup finds the row of any stored token, for a leaked one.
SELECT is(loop_tokens.lookup((SELECT token FROM tok WHERE label = 'revoked')),
		  (SELECT token_id FROM tok WHERE label = 'revoked'), 'lookup finds a revoked token');
SELECT is(loop_tokens.lookup((SELECT token FROM tok WHERE label = 'other')),
		  (SELECT token_id FROM tok WHERE label = 'other'), 'lookup finds a token of any organization');
SELECT is(loop_tokens.lookup(pg_temp.unknown_token()), NULL, 'lookup returns NULL for an unknown token');
SELECT throws_ok($$SELECT loop_tokens.lookup('lpt_short')$$, '22P02', 'malformed token', 'lookup rejects a malformed token');
SELECT is((SELECT last_used_at FROM loop_tokens.tokens WHERE token_id = (SELECT token_id FROM tok WHERE label = 'other')),
		  NULL, 'lookup does not record a use');

SELECT * FROM finish();
ROLLBACK;
