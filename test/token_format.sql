-- Token format, checksum and hashing, checked by their properties.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(18);

INSERT INTO loop_tokens.loops (org_id, loop_id, name) VALUES ('fmt-org', 'fmt-loop', 'Format loop');

-- 500 tokens from one organization, kept only inside this transaction.
CREATE TEMP TABLE minted ON COMMIT DROP AS
SELECT m.token_id, m.token
  FROM generate_series(1, 500) AS i,
	   LATERAL loop_tokens.mint('fmt-org', 'format ' || i) AS m;

SELECT is((SELECT count(*) FROM minted WHERE token ~ '^lpt_[0-9A-Za-z]{49}$'), 500::bigint,
		  'every token matches the documented regular expression');
SELECT is((SELECT count(DISTINCT length(token)) FROM minted), 1::bigint,
		  'every token has the same length');
SELECT is((SELECT min(length(token)) FROM minted), 53,
		  'a token has 53 characters');
SELECT is((SELECT count(DISTINCT token) FROM minted), 500::bigint,
		  '500 mints give 500 different tokens');
SELECT is((SELECT count(DISTINCT token_id) FROM minted), 500::bigint,
		  '500 mints give 500 different token ids');
SELECT cmp_ok((SELECT count(DISTINCT substr(token, 5, 4)) FROM minted), '>', 450::bigint,
			  'the four random characters of the prefix vary between tokens');

-- Every base62 digit shows up in the random part: the encoding uses the whole alphabet.
SELECT is((SELECT count(DISTINCT c)
			 FROM minted, regexp_split_to_table(substr(token, 5, 43), '') AS c), 62::bigint,
		  'the random part uses all 62 base62 digits');

-- Independent CRC32 (IEEE, as in zlib) and base62, to check the documented checksum.
CREATE FUNCTION pg_temp.crc32(data bytea) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	crc bigint := 4294967295;
BEGIN
	FOR i IN 0 .. length(data) - 1 LOOP
		crc := crc # get_byte(data, i);
		FOR bit IN 1 .. 8 LOOP
			IF crc & 1 = 1 THEN
				crc := (crc >> 1) # 3988292384;
			ELSE
				crc := crc >> 1;
			END IF;
		END LOOP;
	END LOOP;
	RETURN crc # 4294967295;
END $$;

CREATE FUNCTION pg_temp.base62(value bigint, width int) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	digits text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
	result text := '';
BEGIN
	FOR i IN 1 .. width LOOP
		result := substr(digits, (value % 62)::int + 1, 1) || result;
		value := value / 62;
	END LOOP;
	RETURN result;
END $$;

SELECT is(pg_temp.crc32('123456789'::bytea), 3421780262::bigint,
		  'the test''s own CRC32 gives the standard check value');
SELECT is((SELECT count(*) FROM minted
			WHERE right(token, 6) = pg_temp.base62(pg_temp.crc32(convert_to(left(token, 47), 'UTF8')), 6)),
		  500::bigint,
		  'the last 6 characters are the base62 CRC32 of the first 47');

-- The stored row: prefix, last four and hash agree with the token; nothing else of it is kept.
SELECT is((SELECT count(*) FROM minted m JOIN loop_tokens.tokens t USING (token_id)
			WHERE t.prefix = left(m.token, 8) AND t.last_four = right(m.token, 4)),
		  500::bigint, 'prefix and last_four are the first 8 and last 4 characters');
SELECT is((SELECT count(*) FROM minted m JOIN loop_tokens.tokens t USING (token_id)
			WHERE t.hash = loop_tokens.hash(m.token) AND t.hash_version = 1),
		  500::bigint, 'the stored hash is loop_tokens.hash of the token, version 1');
SELECT is((SELECT count(*) FROM minted m JOIN loop_tokens.tokens t USING (token_id)
			WHERE t::text LIKE '%' || substr(m.token, 9, 37) || '%'),
		  0::bigint, 'no stored column contains the secret part of the token');
SELECT is((SELECT count(*) FROM minted m JOIN loop_tokens.tokens t USING (token_id)
			WHERE t.hash = sha256(convert_to(m.token, 'UTF8'))
			   OR position(convert_to(m.token, 'UTF8') IN t.hash) > 0),
		  0::bigint, 'the hash is not a plain SHA-256 and does not contain the token');
SELECT is(octet_length(loop_tokens.hash((SELECT token FROM minted LIMIT 1))), 32,
		  'the hash is 32 bytes');

SELECT throws_ok($$SELECT loop_tokens.hash('lpt_not-a-token')$$, '22P02', 'malformed token',
				 'hash rejects a string that is not a token');
SELECT throws_ok($$SELECT loop_tokens.hash(left((SELECT token FROM minted LIMIT 1), 52) || '!')$$,
				 '22P02', 'malformed token', 'hash rejects a token with a bad character');

-- A one-character change anywhere breaks the checksum, so verify refuses it.
CREATE FUNCTION pg_temp.verify_sqlstate(token text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM loop_tokens.verify(token, 'fmt-org', 'fmt-loop');
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;

SELECT is((SELECT count(*)
			 FROM (SELECT token FROM minted LIMIT 20) m,
				  generate_series(5, 53) AS pos
			WHERE pg_temp.verify_sqlstate(overlay(m.token PLACING
					CASE WHEN substr(m.token, pos, 1) = 'a' THEN 'b' ELSE 'a' END
					FROM pos FOR 1)) <> '28000'),
		  0::bigint, 'verify raises 28000 for every one-character change');

SELECT is((SELECT count(*) FROM (SELECT token FROM minted LIMIT 20) m
			WHERE pg_temp.verify_sqlstate(m.token) <> 'ok'),
		  0::bigint, 'the unchanged tokens verify');

SELECT * FROM finish();
ROLLBACK;
