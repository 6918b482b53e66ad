-- The naive hand-written baseline: what a team would first write in
-- PL/pgSQL on pgcrypto if it did not use loop_tokens.  Tokens are stored as
-- SHA-256 hashes, and every successful verify runs UPDATE ... SET
-- last_used_at, so all requests that use one token queue on its row lock
-- until the transaction before them commits.
--
-- bench/run loads it after baseline_common.sql has created schema baseline_naive.

CREATE FUNCTION baseline_naive.verify(token text, org_id text, loop_id text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	found_token record;
BEGIN
	IF verify.org_id IS NULL OR verify.loop_id IS NULL THEN
		RAISE EXCEPTION 'organization id and loop id must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF verify.token IS NULL OR verify.token !~ '^lpt_[0-9A-Za-z]{49}$' THEN
		PERFORM baseline_naive.raise_invalid_token();
	END IF;

	SELECT t.token_id, t.org_id, t.scopes, t.revoked_at
	INTO found_token
	FROM baseline_naive.tokens t
	WHERE t.hash = public.digest(verify.token, 'sha256');
	IF NOT FOUND OR found_token.org_id <> verify.org_id OR found_token.revoked_at IS NOT NULL THEN
		PERFORM baseline_naive.raise_invalid_token();
	END IF;
	IF NOT baseline_naive.scope_allows(found_token.scopes, verify.loop_id) THEN
		RAISE EXCEPTION 'token is not allowed to run loop "%"', verify.loop_id
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	UPDATE baseline_naive.tokens t SET last_used_at = now()
	WHERE t.token_id = found_token.token_id;

	RETURN found_token.token_id;
END
$$;
