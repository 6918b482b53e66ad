-- Roles for PostgREST in front of loop_api.trigger.
--
-- Run with psql as a superuser, in the database that has the loop_tokens
-- extension, after CREATE EXTENSION loop_tokens:
--
--   psql -d DBNAME -f deploy/postgrest/roles.sql
--
-- The role names default to loop_api_authenticator and loop_api_web;
-- override them with -v authenticator=NAME -v web_role=NAME.  Then give the
-- authenticator a password (\password loop_api_authenticator) and put it in
-- the db-uri of deploy/postgrest/postgrest.conf.

\if :{?authenticator}
\else
\set authenticator loop_api_authenticator
\endif
\if :{?web_role}
\else
\set web_role loop_api_web
\endif

BEGIN;

-- PostgREST logs in as the authenticator and switches to the web role for
-- each request.  NOINHERIT keeps the web role's privileges away from the
-- authenticator's own session, and the web role is the only role it may
-- switch to.
CREATE ROLE :"authenticator" LOGIN NOINHERIT NOSUPERUSER NOCREATEDB
	NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE :"web_role" NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB
	NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT :"web_role" TO :"authenticator";

-- The web role may execute the endpoint function and nothing else.
GRANT USAGE ON SCHEMA loop_api TO :"web_role";
GRANT EXECUTE ON FUNCTION loop_api.trigger(jsonb) TO :"web_role";

-- PostgREST sends the request headers, the token among them, as a statement
-- parameter.  Statement, duration and parameter logging is turned off for
-- both roles so no header value reaches the server log, even where
-- postgresql.conf logs statements.  The authenticator's settings apply to
-- the whole connection; the web role's are a second line of defence.
ALTER ROLE :"authenticator" SET log_statement = 'none';
ALTER ROLE :"authenticator" SET log_duration = off;
ALTER ROLE :"authenticator" SET log_min_duration_statement = -1;
ALTER ROLE :"authenticator" SET log_min_duration_sample = -1;
ALTER ROLE :"authenticator" SET log_transaction_sample_rate = 0;
ALTER ROLE :"authenticator" SET log_min_error_statement = 'panic';
ALTER ROLE :"authenticator" SET log_parameter_max_length = 0;
ALTER ROLE :"authenticator" SET log_parameter_max_length_on_error = 0;

ALTER ROLE :"web_role" SET log_statement = 'none';
ALTER ROLE :"web_role" SET log_duration = off;
ALTER ROLE :"web_role" SET log_min_duration_statement = -1;
ALTER ROLE :"web_role" SET log_min_duration_sample = -1;
ALTER ROLE :"web_role" SET log_transaction_sample_rate = 0;
ALTER ROLE :"web_role" SET log_min_error_statement = 'panic';
ALTER ROLE :"web_role" SET log_parameter_max_length = 0;
ALTER ROLE :"web_role" SET log_parameter_max_length_on_error = 0;

COMMIT;
