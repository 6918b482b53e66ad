-- loop_tokens 1.0: nothing is granted to PUBLIC.  A DBA grants the admin and
-- trigger roles described in the README (deploy/grant_roles.sql).

REVOKE ALL ON ALL TABLES IN SCHEMA loop_tokens FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA loop_tokens FROM PUBLIC;
REVOKE ALL ON SCHEMA loop_tokens FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('loop_tokens.loops', '');
SELECT pg_catalog.pg_extension_config_dump('loop_tokens.tokens', '');
SELECT pg_catalog.pg_extension_config_dump('loop_tokens.runs', '');
