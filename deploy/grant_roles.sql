-- Grant the two roles that use loop_tokens what each needs, and no more.
--
--   psql -1 -v admin_role=ROLE -v trigger_role=ROLE -f deploy/grant_roles.sql DB
--
-- (-1 runs it in one transaction; the script opens none itself, so that a
-- test can include it with \i inside its own transaction.)
--
-- admin_role mints and revokes tokens and reads the token and run lists
-- (never the hashes).  trigger_role can only call loop_tokens.trigger.
-- Both roles must exist.  The extension grants nothing to PUBLIC, so any
-- other role can do nothing with it.

\set ON_ERROR_STOP 1

\if :{?admin_role}
\else
	\warn 'set the psql variable admin_role, for example: psql -v admin_role=loop_admin'
	DO $$ BEGIN RAISE EXCEPTION 'psql variable admin_role is not set'; END $$;
\endif
\if :{?trigger_role}
\else
	\warn 'set the psql variable trigger_role, for example: psql -v trigger_role=loop_trigger'
	DO $$ BEGIN RAISE EXCEPTION 'psql variable trigger_role is not set'; END $$;
\endif

GRANT USAGE ON SCHEMA loop_tokens TO :"admin_role";
GRANT EXECUTE ON FUNCTION loop_tokens.mint(text, text, text[], text) TO :"admin_role";
GRANT EXECUTE ON FUNCTION loop_tokens.revoke(uuid, text) TO :"admin_role";
GRANT SELECT ON loop_tokens.token_list, loop_tokens.run_list TO :"admin_role";

GRANT USAGE ON SCHEMA loop_tokens TO :"trigger_role";
GRANT EXECUTE ON FUNCTION loop_tokens.trigger(text, text, text, jsonb) TO :"trigger_role";
