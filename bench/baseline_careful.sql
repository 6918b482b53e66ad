-- The careful hand-written baseline: what a team would write in PL/pgSQL on
-- pgcrypto if it did not use loop_tokens, following the better open-source
-- key managers.  Tokens are stored as SHA-256 hashes, and last_used_at is
-- written at most once a minute and never in a read-only transaction, so
-- requests that share a token queue on its row lock at most once a minute.
--
-- bench/run loads it after baseline_common.sql has created schema baseline_careful.

CREATE FUNCTION baseline_careful.verify(token text, org_id text, loop_id text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	found_token record;
BEGIN
	IF verify.org_id IS NULL OR verify.loop_id IS NULL THEN
		RAISE EXCEPTION 'organization id and loop id must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF verify.token IS NULL OR verify.token !~ '^lpt_[0-9A-Za-z]{49}$' THEN
		PERFORM baseline_careful.raise_invalid_token();
	END IF;

	SELECT t.token_id, t.org_id, t.scopes, t.revoked_at, t.last_used_at
	INTO found_token
	FROM baseline_careful.tokens t
	WHERE t.hash = public.digest(verify.token, 'sha256');
	IF NOT FOUND OR found_token.org_id <> verify.org_id OR found_token.revoked_at IS NOT NULL THEN
		PERFORM baseline_careful.raise_invalid_token();
	END IF;
	IF NOT baseline_careful.scope_allows(found_token.scopes, verify.loop_id) THEN
		RAISE EXCEPTION 'token is not allowed to run loop "%"', verify.loop_id
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	-- Write last_used_at at most once a minute, and never in a read-only
	-- transaction, where the UPDATE would fail.
	IF NOT current_setting('transaction_read_only')::boolean
		AND (found_token.last_used_at IS NULL
			OR found_token.last_used_at < now() - interval '1 minute') THEN
		UPDATE baseline_careful.tokens t SET last_used_at = now()
		WHERE t.token_id = found_token.token_id
			AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute');
	END IF;

	RETURN found_token.token_id;
END
$$;
