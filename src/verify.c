/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  Verify a token for an organization and a loop, and record its use.
 *
 * verify is on every trigger's path, so it reads the tokens table through
 * its unique hash index directly rather than through SPI: one index probe,
 * no planner, no executor.  The relation OIDs are looked up once per
 * backend and forgotten on any relcache invalidation of those relations.
 *
 * Every failure other than "scopes do not allow the loop" raises the same
 * error (lt_raise_invalid_token), and no message ever contains the token.
 *
 * last_used_at is written at most about once a second per token, and never
 * by waiting: the UPDATE takes the row with SKIP LOCKED, so when another
 * transaction is already writing it, this one leaves it to that one.  It is
 * not written on a hot standby or in a read-only transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include <sodium.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "scope.h"

/* last_used_at is written when it is at least this old. */
#define LT_LAST_USED_RESOLUTION_USEC	USECS_PER_SEC

/* What the index probe found, copied out of the tuple. */
typedef struct TokenRow
{
	pg_uuid_t	token_id;
	bool		org_matches;
	bool		revoked;
	bool		scope_allows;
	bool		last_used_null;
	TimestampTz last_used_at;
} TokenRow;

static Oid	tokens_relid = InvalidOid;
static Oid	tokens_hash_index = InvalidOid;
static bool relcache_callback_registered = false;
static SPIPlanPtr touch_plan = NULL;

/* Forget the cached OIDs when the relations change or the cache is reset. */
static void
tokens_relcache_callback(Datum arg, Oid relid)
{
	(void) arg;

	if (relid == InvalidOid || relid == tokens_relid || relid == tokens_hash_index)
	{
		tokens_relid = InvalidOid;
		tokens_hash_index = InvalidOid;
	}
}

/* Raise a can't-happen error unless column attnum of rel is called name. */
static void
check_column(Relation rel, AttrNumber attnum, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (attnum > desc->natts ||
		TupleDescAttr(desc, attnum - 1)->attisdropped ||
		strcmp(NameStr(TupleDescAttr(desc, attnum - 1)->attname), name) != 0)
		elog(ERROR, "column %d of loop_tokens.tokens is not \"%s\"", attnum, name);
}

/* Look up the tokens table and its hash index, once per backend. */
static void
lookup_tokens_relation(void)
{
	Oid			namespace_id;
	Relation	rel;

	if (OidIsValid(tokens_relid) && OidIsValid(tokens_hash_index))
		return;

	if (!relcache_callback_registered)
	{
		CacheRegisterRelcacheCallback(tokens_relcache_callback, (Datum) 0);
		relcache_callback_registered = true;
	}

	namespace_id = get_namespace_oid(LT_SCHEMA_NAME, false);
	tokens_relid = get_relname_relid("tokens", namespace_id);
	tokens_hash_index = get_relname_relid("tokens_hash_key", namespace_id);
	if (!OidIsValid(tokens_relid) || !OidIsValid(tokens_hash_index))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table loop_tokens.tokens or its index tokens_hash_key does not exist"),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION loop_tokens.")));

	rel = table_open(tokens_relid, AccessShareLock);
	check_column(rel, Anum_tokens_token_id, "token_id");
	check_column(rel, Anum_tokens_org_id, "org_id");
	check_column(rel, Anum_tokens_hash, "hash");
	check_column(rel, Anum_tokens_scopes, "scopes");
	check_column(rel, Anum_tokens_last_used_at, "last_used_at");
	check_column(rel, Anum_tokens_revoked_at, "revoked_at");
	table_close(rel, AccessShareLock);
}

/* Does any scope in the array allow loop_id? */
static bool
scopes_allow(ArrayType *scopes, const char *loop_id, size_t loop_id_len)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	bool		allowed = false;

	deconstruct_array(scopes, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &count);
	for (int i = 0; i < count && !allowed; i++)
	{
		text	   *scope;

		if (nulls[i])
			continue;
		scope = DatumGetTextPP(elems[i]);
		allowed = lt_scope_allows(VARDATA_ANY(scope), VARSIZE_ANY_EXHDR(scope),
								  loop_id, loop_id_len);
	}

	pfree(elems);
	pfree(nulls);
	return allowed;
}

/*
 * Probe the hash index for hash and fill *row.  Returns false when no
 * visible row has that hash.
 */
static bool
find_token(const unsigned char hash[LT_HASH_LEN], text *org_id, text *loop_id,
		   TokenRow *row)
{
	bytea	   *key_datum = palloc(VARHDRSZ + LT_HASH_LEN);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		found = false;

	SET_VARSIZE(key_datum, VARHDRSZ + LT_HASH_LEN);
	memcpy(VARDATA(key_datum), hash, LT_HASH_LEN);

	rel = table_open(tokens_relid, AccessShareLock);
	ScanKeyInit(&key, Anum_tokens_hash, BTEqualStrategyNumber, F_BYTEAEQ,
				PointerGetDatum(key_datum));
	scan = systable_beginscan(rel, tokens_hash_index, true,
							  GetActiveSnapshot(), 1, &key);

	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		value;
		text	   *row_org;

		found = true;

		value = heap_getattr(tuple, Anum_tokens_token_id, desc, &isnull);
		row->token_id = *DatumGetUUIDP(value);

		value = heap_getattr(tuple, Anum_tokens_org_id, desc, &isnull);
		row_org = DatumGetTextPP(value);
		row->org_matches =
			VARSIZE_ANY_EXHDR(row_org) == VARSIZE_ANY_EXHDR(org_id) &&
			memcmp(VARDATA_ANY(row_org), VARDATA_ANY(org_id),
				   VARSIZE_ANY_EXHDR(org_id)) == 0;

		(void) heap_getattr(tuple, Anum_tokens_revoked_at, desc, &isnull);
		row->revoked = !isnull;

		value = heap_getattr(tuple, Anum_tokens_last_used_at, desc, &isnull);
		row->last_used_null = isnull;
		row->last_used_at = isnull ? 0 : DatumGetTimestampTz(value);

		value = heap_getattr(tuple, Anum_tokens_scopes, desc, &isnull);
		row->scope_allows = !isnull &&
			scopes_allow(DatumGetArrayTypeP(value), VARDATA_ANY(loop_id),
						 VARSIZE_ANY_EXHDR(loop_id));
	}

	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	pfree(key_datum);
	return found;
}

/*
 * Set last_used_at to now unless another transaction has the row locked, in
 * which case that transaction's write is as good as ours.
 */
static void
touch_token(const TokenRow *row)
{
	Oid			argtypes[2] = {UUIDOID, TIMESTAMPTZOID};
	Datum		values[2];
	TimestampTz now = GetCurrentTimestamp();
	int			rc;

	/* A standby or a read-only transaction cannot write; verify still works. */
	if (RecoveryInProgress() || XactReadOnly)
		return;

	if (!row->last_used_null &&
		now - row->last_used_at < LT_LAST_USED_RESOLUTION_USEC)
		return;

	values[0] = UUIDPGetDatum(&row->token_id);
	values[1] = TimestampTzGetDatum(now);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_plan(lt_prepare(&touch_plan,
									 "UPDATE loop_tokens.tokens SET last_used_at = $2"
									 " WHERE token_id = ("
									 "  SELECT t.token_id FROM loop_tokens.tokens t"
									 "  WHERE t.token_id = $1"
									 "  AND (t.last_used_at IS NULL OR t.last_used_at < $2)"
									 "  FOR NO KEY UPDATE SKIP LOCKED)",
									 2, argtypes),
						  values, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * Verify token for org_id and loop_id and return its token_id, or raise
 * 28000 (invalid token) or 42501 (scopes do not allow the loop).  On
 * success the token becomes the one verified in this transaction.
 */
pg_uuid_t
lt_verify(text *token, text *org_id, text *loop_id)
{
	unsigned char hash[LT_HASH_LEN];
	TokenRow	row;

	/* The checksum rejects typos and made-up tokens without any lookup. */
	if (lt_token_check(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token)) != LT_TOKEN_OK)
		lt_raise_invalid_token();

	lt_hash_token(VARDATA_ANY(token), LT_TOKEN_LEN, hash);
	lookup_tokens_relation();
	if (!find_token(hash, org_id, loop_id, &row) || !row.org_matches || row.revoked)
		lt_raise_invalid_token();

	if (!row.scope_allows)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("token is not allowed to run loop \"%s\"",
						lt_id_for_message(loop_id)),
				 errhint("Mint a token with scope \"loop:run\" or \"loop:run:<loopId>\" for this loop.")));

	touch_token(&row);
	lt_set_verified_token(&row.token_id);
	return row.token_id;
}

/*
 * Fetch and check the arguments shared by verify and trigger: a NULL token is
 * an invalid token, while NULL ids are the caller's bug.
 */
void
lt_verify_args(FunctionCallInfo fcinfo, int token_arg, int org_arg, int loop_arg)
{
	lt_require_not_null(fcinfo, org_arg, "organization id");
	lt_require_not_null(fcinfo, loop_arg, "loop id");
	if (PG_ARGISNULL(token_arg))
		lt_raise_invalid_token();
}

PG_FUNCTION_INFO_V1(lt_verify_sql);

/* loop_tokens.verify(token text, org_id text, loop_id text) RETURNS uuid */
Datum
lt_verify_sql(PG_FUNCTION_ARGS)
{
	text	   *token;
	pg_uuid_t  *result = palloc(sizeof(pg_uuid_t));

	lt_verify_args(fcinfo, 0, 1, 2);
	token = PG_GETARG_TEXT_PP(0);
	*result = lt_verify(token, PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2));
	lt_release_token_arg(token, PG_GETARG_DATUM(0));
	PG_RETURN_UUID_P(result);
}

PG_FUNCTION_INFO_V1(lt_scope_allows_sql);

/* loop_tokens.scope_allows(scopes text[], loop_id text) RETURNS boolean */
Datum
lt_scope_allows_sql(PG_FUNCTION_ARGS)
{
	ArrayType  *scopes = PG_GETARG_ARRAYTYPE_P(0);
	text	   *loop_id = PG_GETARG_TEXT_PP(1);

	if (ARR_NDIM(scopes) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scopes must be a one-dimensional array")));

	PG_RETURN_BOOL(scopes_allow(scopes, VARDATA_ANY(loop_id),
								VARSIZE_ANY_EXHDR(loop_id)));
}
