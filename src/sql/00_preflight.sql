-- loop_tokens 1.0: refuse to install into a schema that was prepared by
-- someone else.  The control file names the schema loop_tokens, and CREATE
-- EXTENSION uses that schema when it already exists.  The owner of a schema
-- can drop and replace any object in it, so an existing schema must be owned
-- by a superuser and be empty.  Clashing object names inside the schema
-- would make the CREATE statements below fail anyway, but this reports
-- them first.

\echo Use "CREATE EXTENSION loop_tokens" to load this file. \quit

DO $preflight$
DECLARE
	schema_oid oid;
	owner_name name;
	owner_is_superuser boolean;
	object_count bigint;
BEGIN
	SELECT n.oid, r.rolname, r.rolsuper
	  INTO schema_oid, owner_name, owner_is_superuser
	  FROM pg_catalog.pg_namespace n
	  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'loop_tokens';

	IF NOT owner_is_superuser THEN
		RAISE EXCEPTION 'schema loop_tokens is owned by role "%", which is not a superuser', owner_name
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Drop the schema, or have a superuser take it over with ALTER SCHEMA loop_tokens OWNER TO, and check what it contains.';
	END IF;

	SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc WHERE pronamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_type WHERE typnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_operator WHERE oprnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_collation WHERE collnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_conversion WHERE connamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_opfamily WHERE opfnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_opclass WHERE opcnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_ts_config WHERE cfgnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_ts_dict WHERE dictnamespace OPERATOR(pg_catalog.=) schema_oid)
		 OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM pg_catalog.pg_statistic_ext WHERE stxnamespace OPERATOR(pg_catalog.=) schema_oid)
	  INTO object_count;

	IF object_count OPERATOR(pg_catalog.>) 0 THEN
		RAISE EXCEPTION 'schema loop_tokens already contains % objects', object_count
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Install loop_tokens into an empty schema: drop or move those objects first.';
	END IF;
END
$preflight$;

