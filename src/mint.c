/*-------------------------------------------------------------------------
 *
 * mint.c
 *	  Mint tokens: the only place a full token exists.
 *
 * The token is built in a stack buffer, hashed, and returned once as the
 * function result; the table receives only its hash, prefix and last four
 * characters.  The stack buffers are wiped before returning.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include <sodium.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "scope.h"

#define LT_TOKEN_NAME_MAX_CHARS	200

/* Scopes longer than this are not quoted back in error messages. */
#define LT_SCOPE_MESSAGE_MAX_BYTES	(LT_SCOPE_LOOP_PREFIX_LEN + LT_ID_MAX_LEN)

/*
 * Return scope as text for an error message, or a placeholder when it is
 * long, contains anything but printable ASCII, or looks like a token.
 */
static const char *
scope_for_message(text *scope)
{
	const char *bytes = VARDATA_ANY(scope);
	size_t		len = VARSIZE_ANY_EXHDR(scope);

	if (len > LT_SCOPE_MESSAGE_MAX_BYTES || lt_text_looks_like_token(bytes, len))
		return "(not shown)";
	for (size_t i = 0; i < len; i++)
	{
		if (bytes[i] < 0x20 || bytes[i] > 0x7E)
			return "(not shown)";
	}
	return text_to_cstring(scope);
}
#define LT_ACTOR_MAX_CHARS		200

static SPIPlanPtr loop_exists_plan = NULL;
static SPIPlanPtr insert_token_plan = NULL;
static SPIPlanPtr keyed_rows_plan = NULL;

/*
 * Raise 55000 if the table contains keyed hashes (hash_version 2) while this
 * server has no key, as after restoring a dump on a server set up without
 * it.  Minting unkeyed tokens there would quietly weaken the database, and
 * the keyed tokens no longer verify.  Must run inside SPI.
 */
static void
require_key_for_keyed_rows(void)
{
	lt_execute(&keyed_rows_plan,
			   "SELECT 1 FROM loop_tokens.tokens"
			   " WHERE hash_version = 2 LIMIT 1",
			   0, NULL, NULL, true, 1, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tokens were minted with a hash key, but this server has none loaded"),
				 errdetail("Tokens with hash_version 2 exist; without their key they do not verify, and new tokens would be hashed without a key."),
				 errhint("Set loop_tokens.hash_key_file to the key file used when they were minted, and restart.")));
}

/*
 * Check every scope and lock the loops they name, so that no loop a scope
 * names can be deleted before this transaction commits.  Must run inside SPI.
 */
static void
check_scopes(text *org_id, ArrayType *scopes)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};

	if (ARR_NDIM(scopes) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scopes must be a one-dimensional array")));

	deconstruct_array(scopes, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &count);
	if (count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a token needs at least one scope"),
				 errhint("Use \"loop:run\" for every loop of the organization, or \"loop:run:<loopId>\" for one loop.")));

	for (int i = 0; i < count; i++)
	{
		text	   *scope;
		const char *loop_id;
		size_t		loop_id_len;
		Datum		values[2];

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scopes must not contain null")));

		scope = DatumGetTextPP(elems[i]);
		if (lt_scope_parse(VARDATA_ANY(scope), VARSIZE_ANY_EXHDR(scope),
						   &loop_id, &loop_id_len) == LT_SCOPE_INVALID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid scope \"%s\"", scope_for_message(scope)),
					 errhint("Use \"loop:run\" for every loop of the organization, or \"loop:run:<loopId>\" for one loop.")));

		for (int j = 0; j < i; j++)
		{
			if (!nulls[j] &&
				DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID,
													 elems[i], elems[j])))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("duplicate scope \"%s\"", scope_for_message(scope))));
		}

		if (loop_id == NULL)
			continue;

		values[0] = PointerGetDatum(org_id);
		values[1] = PointerGetDatum(cstring_to_text_with_len(loop_id, loop_id_len));
		lt_execute(&loop_exists_plan,
				   "SELECT 1 FROM loop_tokens.loops"
				   " WHERE org_id = $1 AND loop_id = $2"
				   " FOR KEY SHARE",
				   2, argtypes, values, false, 1, SPI_OK_SELECT);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid scope \"%s\"", scope_for_message(scope)),
					 errdetail("Loop \"%s\" does not exist in organization \"%s\".",
							   lt_id_for_message(DatumGetTextPP(values[1])),
							   lt_id_for_message(org_id))));
	}
}

/*
 * Store a new token row and return its token_id.  Must run inside SPI; the
 * result is allocated in the caller's memory context.
 */
static pg_uuid_t
insert_token(text *org_id, text *name, ArrayType *scopes, text *created_by,
			 const char *token, const unsigned char hash[LT_HASH_LEN],
			 int16 hash_version)
{
	Oid			argtypes[8] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	BYTEAOID, INT2OID, TEXTARRAYOID, TEXTOID};
	Datum		values[8];
	bytea	   *hash_datum = palloc(VARHDRSZ + LT_HASH_LEN);
	bool		isnull;

	SET_VARSIZE(hash_datum, VARHDRSZ + LT_HASH_LEN);
	memcpy(VARDATA(hash_datum), hash, LT_HASH_LEN);

	values[0] = PointerGetDatum(org_id);
	values[1] = PointerGetDatum(name);
	values[2] = PointerGetDatum(cstring_to_text_with_len(token, LT_TOKEN_PREFIX_LEN));
	values[3] = PointerGetDatum(cstring_to_text_with_len(token + LT_TOKEN_LEN - LT_TOKEN_LAST_FOUR_LEN,
														 LT_TOKEN_LAST_FOUR_LEN));
	values[4] = PointerGetDatum(hash_datum);
	values[5] = Int16GetDatum(hash_version);
	values[6] = PointerGetDatum(scopes);
	values[7] = PointerGetDatum(created_by);

	lt_execute(&insert_token_plan,
			   "INSERT INTO loop_tokens.tokens"
			   " (org_id, name, prefix, last_four, hash,"
			   "  hash_version, scopes, created_by)"
			   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
			   " RETURNING token_id",
			   8, argtypes, values, false, 1, SPI_OK_INSERT_RETURNING);
	if (SPI_processed != 1)
		elog(ERROR, "INSERT INTO loop_tokens.tokens returned " UINT64_FORMAT " rows", SPI_processed);

	return *DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
}

PG_FUNCTION_INFO_V1(lt_mint);

/*
 * loop_tokens.mint(org_id text, name text, scopes text[], created_by text)
 *	 RETURNS TABLE (token_id uuid, token text)
 */
Datum
lt_mint(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *org_id;
	text	   *name;
	ArrayType  *scopes;
	text	   *created_by;
	unsigned char secret[LT_TOKEN_SECRET_BYTES];
	char		token[LT_TOKEN_LEN];
	unsigned char hash[LT_HASH_LEN];
	int16		hash_version;
	pg_uuid_t	token_id;
	TupleDesc	tupdesc;
	Tuplestorestate *volatile tupstore = NULL;
	MemoryContext oldcontext;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("loop_tokens.mint must be called in the FROM clause or the select list")));
	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	MemoryContextSwitchTo(oldcontext);

	/* Check every argument before anything is written. */
	lt_require_not_null(fcinfo, 0, "organization id");
	lt_require_not_null(fcinfo, 1, "token name");
	lt_require_not_null(fcinfo, 2, "scopes");
	lt_require_not_null(fcinfo, 3, "created_by");
	org_id = PG_GETARG_TEXT_PP(0);
	name = PG_GETARG_TEXT_PP(1);
	scopes = PG_GETARG_ARRAYTYPE_P(2);
	created_by = PG_GETARG_TEXT_PP(3);
	lt_require_id(org_id, "organization id");
	lt_require_label(name, "token name", LT_TOKEN_NAME_MAX_CHARS);
	lt_require_label(created_by, "created_by", LT_ACTOR_MAX_CHARS);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	check_scopes(org_id, scopes);

	/* The stack copies of the secret and the token are wiped on any exit. */
	PG_TRY();
	{
		lt_random_bytes(secret, sizeof(secret));
		lt_token_compose(secret, token);
		hash_version = lt_hash_token(token, LT_TOKEN_LEN, hash);
		if (hash_version == LT_HASH_VERSION_PLAIN)
			require_key_for_keyed_rows();
		token_id = insert_token(org_id, name, scopes, created_by, token, hash,
								hash_version);
		SPI_finish();

		/* Return the single row: the only copy of the token handed out. */
		oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
		tupstore = tuplestore_begin_heap(false, false, work_mem);
		values[0] = UUIDPGetDatum(&token_id);
		values[1] = PointerGetDatum(cstring_to_text_with_len(token, LT_TOKEN_LEN));
		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
		sodium_memzero(VARDATA(DatumGetPointer(values[1])), LT_TOKEN_LEN);
		pfree(DatumGetPointer(values[1]));
		MemoryContextSwitchTo(oldcontext);
	}
	PG_FINALLY();
	{
		sodium_memzero(secret, sizeof(secret));
		sodium_memzero(token, sizeof(token));
	}
	PG_END_TRY();

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = tupdesc;
	return (Datum) 0;
}
