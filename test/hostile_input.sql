-- Hostile input: every bad argument to verify, trigger, mint, revoke, hash
-- and scope_allows fails with its own SQLSTATE, and no message echoes the
-- token.  28000 is the one "invalid token" error for every token that does
-- not verify; 42501 a valid token whose scopes do not allow the loop;
-- P0002 an unknown loop or token id; 22023 a bad mint or revoke argument;
-- 22004 a NULL id.  Organization ids are unique to this file.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SELECT plan(142);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES
	('hostile_org', 'loop_a', 'Loop A'),
	('hostile_org', 'loop_b', 'Loop B'),
	('hostile_other', 'loop_a', 'Other loop A');

SELECT token AS tok FROM loop_tokens.mint('hostile_org', 'all loops') \gset
SELECT token AS scoped FROM loop_tokens.mint('hostile_org', 'loop a only', ARRAY['loop:run:loop_a']) \gset
SELECT token AS other FROM loop_tokens.mint('hostile_other', 'other org') \gset
SELECT token_id AS revoked_id, token AS revoked FROM loop_tokens.mint('hostile_org', 'revoked') \gset
SELECT loop_tokens.revoke(:'revoked_id', 'hostile test');

-- A token with a valid checksum whose row is rolled back: well-formed, unknown.
SAVEPOINT unknown_token;
SELECT token AS unknown FROM loop_tokens.mint('hostile_org', 'rolled back') \gset
ROLLBACK TO SAVEPOINT unknown_token;

-- Variants of the valid token :tok.
SELECT left(:'tok', 52) || CASE WHEN right(:'tok', 1) = 'A' THEN 'B' ELSE 'A' END AS last_off \gset
SELECT overlay(:'tok' PLACING CASE WHEN substr(:'tok', 20, 1) = '0' THEN '1' ELSE '0' END FROM 20 FOR 1) AS body_off \gset
SELECT overlay(:'tok' PLACING CASE WHEN substr(:'tok', 50, 1) = '0' THEN '1' ELSE '0' END FROM 50 FOR 1) AS checksum_off \gset
SELECT 'lpt_' || translate(substr(:'tok', 5),
	'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
	'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') AS case_flipped \gset
SELECT overlay(:'tok' PLACING CASE WHEN substr(:'tok', i, 1) ~ '[a-z]'
								   THEN upper(substr(:'tok', i, 1))
								   ELSE lower(substr(:'tok', i, 1)) END FROM i FOR 1) AS one_case_flipped
  FROM (SELECT min(i) AS i FROM generate_series(5, 53) AS i
		 WHERE substr(:'tok', i, 1) ~ '[A-Za-z]') AS first_letter \gset

-- Tokens that do not verify: one error, one message, for all of them.
SELECT throws_ok(format('SELECT loop_tokens.verify(%L, ''hostile_org'', ''loop_a'')', t.token),
				 '28000', 'invalid token', 'verify rejects ' || t.what)
  FROM (VALUES
	(NULL, 'NULL token'),
	('', 'empty token'),
	(' ', 'blank token'),
	(repeat('a', 1048576), '1 MiB token'),
	('lpt_' || repeat('A', 1048572), '1 MiB token with the scheme'),
	(:'last_off', 'last character changed'),
	(:'body_off', 'body character changed'),
	(:'checksum_off', 'checksum character changed'),
	('lpx_' || substr(:'tok', 5), 'wrong scheme'),
	('LPT_' || substr(:'tok', 5), 'upper-case scheme'),
	('lpt-' || substr(:'tok', 5), 'scheme with a hyphen'),
	(substr(:'tok', 5), 'token without scheme'),
	(:'case_flipped', 'body with case flipped'),
	(:'one_case_flipped', 'one letter case flipped'),
	(' ' || :'tok', 'leading space'),
	(:'tok' || ' ', 'trailing space'),
	(:'tok' || E'\n', 'trailing newline'),
	(E'\t' || :'tok', 'leading tab'),
	(U&'\00A0' || :'tok', 'leading no-break space'),
	(left(:'tok', 52), 'token one character short'),
	(:'tok' || 'A', 'token one character long'),
	(overlay(:'tok' PLACING U&'\00E9' FROM 30 FOR 1), 'non-ASCII letter in body'),
	(overlay(:'tok' PLACING U&'\FF10' FROM 30 FOR 1), 'full-width digit in body'),
	(:'tok' || :'tok', 'token twice'),
	('Bearer ' || :'tok', 'Authorization value'),
	(:'unknown', 'valid checksum, unknown body'),
	(:'revoked', 'revoked token'),
	(:'other', 'token of another organization'),
	('lpt_' || repeat('z', 49), 'body of 2^256 or more'),
	(''' OR ''1''=''1', 'SQL in the token')
  ) AS t(token, what);

SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', ''loop_a'', %L)', t.token),
				 '28000', 'invalid token', 'trigger rejects ' || t.what)
  FROM (VALUES
	(NULL, 'NULL token'),
	('', 'empty token'),
	(repeat('a', 1048576), '1 MiB token'),
	(:'last_off', 'last character changed'),
	(:'case_flipped', 'body with case flipped'),
	(' ' || :'tok', 'leading space'),
	(:'unknown', 'valid checksum, unknown body'),
	(:'revoked', 'revoked token'),
	(:'other', 'token of another organization')
  ) AS t(token, what);

-- Organization ids that are not the token's: the same invalid token error,
-- so a caller cannot probe which organizations exist.
SELECT throws_ok(format('SELECT loop_tokens.trigger(%L, ''loop_a'', %L)', t.org_id, :'tok'),
				 '28000', 'invalid token', 'trigger with organization id ' || t.what)
  FROM (VALUES
	('', 'empty'),
	(' hostile_org', 'with leading space'),
	('hostile_org ', 'with trailing space'),
	('HOSTILE_ORG', 'in upper case'),
	('hostile org', 'with inner space'),
	('hostile_org''', 'with quote'),
	('hostile_%', 'with percent'),
	(U&'hostile_\00F8rg', 'with non-ASCII letter'),
	(repeat('h', 65), 'of 65 characters'),
	(repeat('h', 1048576), 'of 1 MiB'),
	('hostile_other', 'of another organization')
  ) AS t(org_id, what);

SELECT throws_ok(format('SELECT loop_tokens.trigger(NULL, ''loop_a'', %L)', :'tok'),
				 '22004', NULL, 'trigger with NULL organization id');
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', NULL, %L)', :'tok'),
				 '22004', NULL, 'trigger with NULL loop id');
SELECT throws_ok(format('SELECT loop_tokens.verify(%L, NULL, ''loop_a'')', :'tok'),
				 '22004', NULL, 'verify with NULL organization id');
SELECT throws_ok(format('SELECT loop_tokens.verify(%L, ''hostile_org'', NULL)', :'tok'),
				 '22004', NULL, 'verify with NULL loop id');

-- Malformed loop ids: 22023 once the token is valid, with no id quoted.
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', %L, %L)', t.loop_id, :'tok'),
				 '22023', 'invalid loop id', 'trigger with loop id ' || t.what)
  FROM (VALUES
	('', 'empty'),
	('loop a', 'with inner space'),
	('loop_a ', 'with trailing space'),
	('loop_a''', 'with quote'),
	('loop_%', 'with percent'),
	(U&'l\00F6\00F6p', 'with non-ASCII letters'),
	(repeat('l', 65), 'of 65 characters'),
	(repeat('l', 1048576), 'of 1 MiB')
  ) AS t(loop_id, what);

-- Well-formed loop ids that name no loop: P0002 once the token is valid.
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', %L, %L)', t.loop_id, :'tok'),
				 'P0002', t.message, 'trigger with loop id ' || t.what)
  FROM (VALUES
	('LOOP_A', 'in the wrong case', 'loop "LOOP_A" not found'),
	('loop_c', 'that does not exist', 'loop "loop_c" not found')
  ) AS t(loop_id, what, message);

-- A token scoped to loop_a: every other well-formed loop id is 42501, and a
-- malformed one is 22023.
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', %L, %L)', t.loop_id, :'scoped'),
				 t.sqlstate, NULL, 'scoped token with loop id ' || t.what)
  FROM (VALUES
	('loop_b', 'of another loop', '42501'),
	('LOOP_A', 'in upper case', '42501'),
	('loop_a ', 'with trailing space', '22023'),
	(' loop_a', 'with leading space', '22023'),
	('loop_a%', 'with percent', '22023'),
	('', 'empty', '22023'),
	('*', 'as a wildcard', '22023')
  ) AS t(loop_id, what, sqlstate);

-- Event bodies that are not JSON objects.
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', ''loop_a'', %L, %L)', :'tok', t.body),
				 '22023', 'event body must be a JSON object', 'trigger with body ' || t.what)
  FROM (VALUES
	('[]', 'array'),
	('[{"a": 1}]', 'array of objects'),
	('1', 'number'),
	('"text"', 'string'),
	('null', 'JSON null'),
	('true', 'boolean')
  ) AS t(body, what);
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', ''loop_a'', %L, NULL)', :'tok'),
				 '22004', NULL, 'trigger with NULL body');
SELECT throws_ok(format('SELECT loop_tokens.trigger(''hostile_org'', ''loop_a'', %L, %L::jsonb)',
						:'tok', '{"a": ' || repeat('[', 100000) || repeat(']', 100000) || '}'),
				 '54001', NULL, 'body nested 100000 deep is rejected by the jsonb parser');
SELECT lives_ok(format('SELECT loop_tokens.trigger(''hostile_org'', ''loop_a'', %L, %L::jsonb)',
					   :'tok', '{"a": ' || repeat('[', 1000) || repeat(']', 1000) || '}'),
				'body nested 1000 deep is accepted');
SELECT ok(loop_tokens.trigger('hostile_org', 'loop_a', :'tok', '{"k": "it''s \"quoted\" %s"}') ? 'runId',
		  'body with quotes and format characters is accepted');

-- mint: NULL arguments are 22004, bad ones 22023, and nothing is written.
SELECT throws_ok(t.call, '22004', NULL, 'mint with NULL ' || t.what)
  FROM (VALUES
	('SELECT * FROM loop_tokens.mint(NULL, ''n'')', 'organization id'),
	('SELECT * FROM loop_tokens.mint(''hostile_org'', NULL)', 'name'),
	('SELECT * FROM loop_tokens.mint(''hostile_org'', ''n'', NULL)', 'scopes'),
	('SELECT * FROM loop_tokens.mint(''hostile_org'', ''n'', ''{loop:run}'', NULL)', 'created_by')
  ) AS t(call, what);

SELECT throws_ok(format('SELECT * FROM loop_tokens.mint(%L, ''n'')', t.org_id),
				 '22023', 'invalid organization id', 'mint with organization id ' || t.what)
  FROM (VALUES
	('', 'empty'),
	('hostile org', 'with space'),
	('hostile_org''', 'with quote'),
	('hostile_%', 'with percent'),
	(U&'h\00F8stile', 'with non-ASCII letter'),
	(repeat('h', 65), 'of 65 characters'),
	(repeat('h', 1048576), 'of 1 MiB')
  ) AS t(org_id, what);

SELECT throws_ok(format('SELECT * FROM loop_tokens.mint(''hostile_org'', %L)', t.name),
				 '22023', 'invalid token name', 'mint with name ' || t.what)
  FROM (VALUES
	('', 'empty'),
	(repeat('n', 201), 'of 201 characters'),
	(repeat(U&'\00E9', 201), 'of 201 non-ASCII characters'),
	(E'line\nbreak', 'with newline'),
	(E'nul\x01byte', 'with control character'),
	(U&'next\0085line', 'with C1 control character')
  ) AS t(name, what);
SELECT lives_ok('SELECT * FROM loop_tokens.mint(''hostile_org'', repeat(U&''\00E9'', 200))',
				'mint with name of 200 non-ASCII characters');

SELECT throws_ok(format('SELECT * FROM loop_tokens.mint(''hostile_org'', ''n'', %L::text[])', t.scopes),
				 '22023', NULL, 'mint with scopes ' || t.what)
  FROM (VALUES
	('{}', 'empty'),
	('{loop:run:}', 'loop:run:'),
	('{loop:run:*}', 'loop:run:*'),
	('{loop:runner}', 'loop:runner'),
	('{LOOP:RUN}', 'LOOP:RUN'),
	('{"loop:run "}', 'with trailing space'),
	('{" loop:run"}', 'with leading space'),
	('{loop:run:LOOP_A}', 'naming a loop in the wrong case'),
	('{"loop:run:loop a"}', 'naming an invalid loop id'),
	('{loop:run:loop_c}', 'naming a loop that does not exist'),
	('{NULL}', 'with NULL'),
	('{loop:run,loop:run}', 'with a duplicate'),
	('{{loop:run},{loop:run:loop_a}}', 'two-dimensional'),
	('{loop:run:' || repeat('l', 65) || '}', 'naming a 65-character loop id'),
	('{' || repeat('s', 1048576) || '}', 'of 1 MiB')
  ) AS t(scopes, what);

SELECT throws_ok('SELECT * FROM loop_tokens.mint(''hostile_org'', ''n'', ''{loop:run}'', '''')',
				 '22023', 'invalid created_by', 'mint with empty created_by');
SELECT is((SELECT count(*) FROM loop_tokens.tokens WHERE org_id = 'hostile_org'), 4::bigint,
		  'failed mints wrote no token');

-- revoke.
SELECT throws_ok('SELECT loop_tokens.revoke(NULL)', '22004', NULL, 'revoke with NULL token id');
SELECT throws_ok(format('SELECT loop_tokens.revoke(%L, NULL)', :'revoked_id'),
				 '22004', NULL, 'revoke with NULL revoked_by');
SELECT throws_ok('SELECT loop_tokens.revoke(''00000000-0000-0000-0000-000000000000'')',
				 'P0002', NULL, 'revoke of unknown token id');
SELECT throws_ok('SELECT loop_tokens.revoke(''not a uuid'')', '22P02', NULL,
				 'revoke with malformed token id');
SELECT throws_ok(format('SELECT loop_tokens.revoke(%L, %L)', :'revoked_id', t.actor),
				 '22023', 'invalid revoked_by', 'revoke with revoked_by ' || t.what)
  FROM (VALUES ('', 'empty'), (repeat('r', 201), 'of 201 characters'),
			   (E'a\nb', 'with newline')) AS t(actor, what);
SELECT is(loop_tokens.revoke(:'revoked_id', 'again'), false, 'second revoke returns false');

-- hash only takes well-formed tokens, and never echoes them.
SELECT throws_ok(format('SELECT loop_tokens.hash(%L)', t.token), '22P02', 'malformed token',
				 'hash rejects ' || t.what)
  FROM (VALUES ('', 'empty string'), (' ' || :'tok', 'leading space'),
			   (:'last_off', 'last character changed'),
			   (repeat('a', 1048576), '1 MiB string')) AS t(token, what);
SELECT is(loop_tokens.hash(NULL), NULL, 'hash of NULL is NULL');

-- scope_allows matches byte for byte, and invalid scopes allow nothing.
SELECT is(loop_tokens.scope_allows(t.scopes, t.loop_id), false,
		  format('scope_allows(%s, %L) is false', t.scopes, t.loop_id))
  FROM (VALUES
	('{LOOP:RUN}'::text[], 'loop_a'),
	('{loop:run:}', ''),
	('{loop:run:*}', '*'),
	('{loop:run:*}', 'loop_a'),
	('{loop:runner}', 'ner'),
	('{loop:run:loop_a}', 'LOOP_A'),
	('{loop:run:loop_a}', 'loop_a '),
	('{"loop:run:loop a"}', 'loop a'),
	('{loop:run:loop_a}', '')
  ) AS t(scopes, loop_id);
SELECT is(loop_tokens.scope_allows('{loop:run}', ''), true, 'loop:run allows any loop id');
SELECT throws_ok('SELECT loop_tokens.scope_allows(''{{loop:run},{loop:run}}'', ''loop_a'')',
				 '22023', NULL, 'scope_allows with two-dimensional scopes');

-- The valid tokens still work after all of that.
SELECT ok(loop_tokens.trigger('hostile_org', 'loop_b', :'tok') ? 'runId', 'valid token still triggers');
SELECT ok(loop_tokens.trigger('hostile_org', 'loop_a', :'scoped') ? 'runId', 'scoped token triggers its loop');

SELECT * FROM finish();
ROLLBACK;
