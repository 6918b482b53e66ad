/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  Verify a token for an organization and a loop, and record its use.
 *
 * verify is on every trigger's path, so it reads the tokens table through
 * its unique hash index directly rather than through SPI: one index probe
 * per hash scheme tried, no planner, no executor.  A token minted under the
 * current scheme is found by the first probe.  A token that is not found
 * costs one probe (and one BLAKE2b hash) per scheme that verify accepts: up
 * to three with a current key, a previous key and unkeyed hashes accepted.  The relation OIDs are looked up once per
 * backend and forgotten on any relcache invalidation of those relations.
 *
 * Every failure other than "scopes do not allow the loop" raises the same
 * error (lt_raise_invalid_token), and no message ever contains the token.
 *
 * Revocation is ordered against verification by a heavyweight lock on the
 * token (lt_lock_token): every transaction that verifies a token holds it in
 * RowShareLock mode until it ends, and a revocation takes it in
 * ExclusiveLock mode before it writes revoked_at.  RowShareLock does not
 * conflict with itself, so verifications of one token never wait for each
 * other.  A revocation waits for the transactions that already verified the
 * token.  A verification that comes after the revocation waits for it to end
 * and then reads the row again with a new snapshot.  So a run tagged with a
 * token commits before the revocation of that token commits.
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
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "scope.h"

/* What the index probe found, copied out of the tuple. */
typedef struct TokenRow
{
	ItemPointerData tid;		/* where this version of the row is */
	pg_uuid_t	token_id;
	int16		hash_version;
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

/*
 * Look up the tokens table and its hash index, once per backend, and copy
 * their OIDs to *relid and *indexid.  Callers use the copies: opening the
 * table can process a relcache invalidation (autovacuum sends one), which
 * resets the cached OIDs to InvalidOid.
 */
static void
lookup_tokens_relation(Oid *relid, Oid *indexid)
{
	Oid			namespace_id;
	Relation	rel;

	if (OidIsValid(tokens_relid) && OidIsValid(tokens_hash_index))
	{
		*relid = tokens_relid;
		*indexid = tokens_hash_index;
		return;
	}

	if (!relcache_callback_registered)
	{
		CacheRegisterRelcacheCallback(tokens_relcache_callback, (Datum) 0);
		relcache_callback_registered = true;
	}

	namespace_id = get_namespace_oid(LT_SCHEMA_NAME, false);
	*relid = get_relname_relid("tokens", namespace_id);
	*indexid = get_relname_relid("tokens_hash_key", namespace_id);
	if (!OidIsValid(*relid) || !OidIsValid(*indexid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table loop_tokens.tokens or its index tokens_hash_key does not exist"),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION loop_tokens.")));

	rel = table_open(*relid, AccessShareLock);
	check_column(rel, Anum_tokens_token_id, "token_id");
	check_column(rel, Anum_tokens_org_id, "org_id");
	check_column(rel, Anum_tokens_hash, "hash");
	check_column(rel, Anum_tokens_hash_version, "hash_version");
	check_column(rel, Anum_tokens_scopes, "scopes");
	check_column(rel, Anum_tokens_last_used_at, "last_used_at");
	check_column(rel, Anum_tokens_revoked_at, "revoked_at");
	table_close(rel, AccessShareLock);

	/* Cache them only now: table_open may have run the callback above. */
	tokens_relid = *relid;
	tokens_hash_index = *indexid;
}

/*
 * Acquire the lock that orders verifications of token_id against its
 * revocation, held until the end of the (sub)transaction.  It is an object
 * lock whose class is the tokens table and whose id is the first 48 bits of
 * the token id.  Two tokens share a lock only by chance (about 2^-48), and
 * then a revocation of one also waits for verifications of the other.
 */
void
lt_lock_token(const pg_uuid_t *token_id, LOCKMODE mode)
{
	LOCKTAG		tag;
	Oid			relid;
	Oid			indexid;
	uint32		objid;
	uint16		objsubid;

	lookup_tokens_relation(&relid, &indexid);
	memcpy(&objid, token_id->data, sizeof(objid));
	memcpy(&objsubid, token_id->data + sizeof(objid), sizeof(objsubid));
	SET_LOCKTAG_OBJECT(tag, MyDatabaseId, relid, objid, objsubid);
	(void) LockAcquire(&tag, mode, false, false);
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
 * Probe the hash index for hash and fill *row from the row version visible
 * to snapshot.  Returns false when no visible row has that hash.
 */
static bool
find_token(const unsigned char hash[LT_HASH_LEN], text *org_id, text *loop_id,
		   Snapshot snapshot, TokenRow *row)
{
	bytea	   *key_datum = palloc(VARHDRSZ + LT_HASH_LEN);
	Oid			relid;
	Oid			indexid;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		found = false;

	SET_VARSIZE(key_datum, VARHDRSZ + LT_HASH_LEN);
	memcpy(VARDATA(key_datum), hash, LT_HASH_LEN);

	lookup_tokens_relation(&relid, &indexid);
	rel = table_open(relid, AccessShareLock);
	ScanKeyInit(&key, Anum_tokens_hash, BTEqualStrategyNumber, F_BYTEAEQ,
				PointerGetDatum(key_datum));
	scan = systable_beginscan(rel, indexid, true, snapshot, 1, &key);

	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		value;
		text	   *row_org;

		found = true;
		row->tid = tuple->t_self;

		value = heap_getattr(tuple, Anum_tokens_token_id, desc, &isnull);
		row->token_id = *DatumGetUUIDP(value);

		value = heap_getattr(tuple, Anum_tokens_hash_version, desc, &isnull);
		row->hash_version = isnull ? 0 : DatumGetInt16(value);

		/* org_id is NULL when the caller needs no organization check. */
		value = heap_getattr(tuple, Anum_tokens_org_id, desc, &isnull);
		row_org = DatumGetTextPP(value);
		row->org_matches = org_id != NULL &&
			VARSIZE_ANY_EXHDR(row_org) == VARSIZE_ANY_EXHDR(org_id) &&
			memcmp(VARDATA_ANY(row_org), VARDATA_ANY(org_id),
				   VARSIZE_ANY_EXHDR(org_id)) == 0;

		(void) heap_getattr(tuple, Anum_tokens_revoked_at, desc, &isnull);
		row->revoked = !isnull;

		value = heap_getattr(tuple, Anum_tokens_last_used_at, desc, &isnull);
		row->last_used_null = isnull;
		row->last_used_at = isnull ? 0 : DatumGetTimestampTz(value);

		/* loop_id is NULL when the caller needs no scope check. */
		value = heap_getattr(tuple, Anum_tokens_scopes, desc, &isnull);
		row->scope_allows = !isnull && loop_id != NULL &&
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

	/* A standby or a read-only transaction cannot write; verify still works. */
	if (RecoveryInProgress() || XactReadOnly)
		return;

	if (!row->last_used_null &&
		now - row->last_used_at < (TimestampTz) lt_last_used_resolution * USECS_PER_SEC)
		return;

	values[0] = UUIDPGetDatum(&row->token_id);
	values[1] = TimestampTzGetDatum(now);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lt_execute(&touch_plan,
			   "UPDATE loop_tokens.tokens SET last_used_at = $2"
			   " WHERE token_id = ("
			   "  SELECT t.token_id FROM loop_tokens.tokens t"
			   "  WHERE t.token_id = $1"
			   "  AND (t.last_used_at IS NULL OR t.last_used_at < $2)"
			   "  FOR NO KEY UPDATE SKIP LOCKED)",
			   2, argtypes, values, false, 0, SPI_OK_UPDATE);
	SPI_finish();
}

/*
 * Is the version of the row that row was read from still visible under
 * snapshot?  Then no transaction that committed before snapshot was taken
 * has updated the row, so in particular none has revoked the token, and
 * verify need not look the token up again.  The token_id is compared too,
 * in case the line pointer was reused for another row.
 */
static bool
row_unchanged(const TokenRow *row, Snapshot snapshot)
{
	Oid			relid;
	Oid			indexid;
	Relation	rel;
	HeapTupleData tuple;
	Buffer		buffer;
	bool		unchanged = false;

	lookup_tokens_relation(&relid, &indexid);
	rel = table_open(relid, AccessShareLock);
	tuple.t_self = row->tid;
	if (heap_fetch(rel, snapshot, &tuple, &buffer, false))
	{
		bool		isnull;
		Datum		token_id = heap_getattr(&tuple, Anum_tokens_token_id,
											RelationGetDescr(rel), &isnull);

		unchanged = !isnull &&
			memcmp(DatumGetUUIDP(token_id), &row->token_id, sizeof(pg_uuid_t)) == 0;
		ReleaseBuffer(buffer);
	}
	table_close(rel, AccessShareLock);
	return unchanged;
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
	TokenRow	latest;
	Snapshot	snapshot;
	int16		version;
	bool		found = false;

	/* The checksum rejects typos and made-up tokens without any lookup. */
	if (lt_token_check(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token)) != LT_TOKEN_OK)
		lt_raise_invalid_token();

	/*
	 * Try each accepted scheme in turn.  A row counts only if it was stored
	 * under the scheme that produced the matching hash: a row that claims
	 * hash_version 2 but contains an unkeyed hash was not written by mint.
	 */
	for (int attempt = 0; !found; attempt++)
	{
		version = lt_hash_for_lookup(attempt, VARDATA_ANY(token), LT_TOKEN_LEN, hash);
		if (version == 0)
			break;
		found = find_token(hash, org_id, loop_id, GetActiveSnapshot(), &row) &&
			row.hash_version == version;
	}
	if (!found || !row.org_matches || row.revoked)
		lt_raise_invalid_token();

	/* Only a caller with a valid token learns that the loop id is malformed. */
	lt_require_id(loop_id, "loop id");

	if (!row.scope_allows)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("token is not allowed to run loop \"%s\"",
						lt_id_for_message(loop_id)),
				 errhint("Mint a token with scope \"loop:run\" or \"loop:run:<loopId>\" for this loop.")));

	/*
	 * Hold off revocation of the token until this transaction ends, then
	 * check that it was not revoked before the lock was granted.  The active
	 * snapshot may predate that revocation (it is the statement's snapshot,
	 * or the transaction's in REPEATABLE READ), so the row is read again
	 * with a snapshot taken now.
	 */
	lt_lock_token(&row.token_id, LT_VERIFY_LOCKMODE);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	if (!row_unchanged(&row, snapshot))
	{
		found = find_token(hash, org_id, NULL, snapshot, &latest);
		if (!found || latest.revoked)
		{
			UnregisterSnapshot(snapshot);
			lt_raise_invalid_token();
		}
	}
	UnregisterSnapshot(snapshot);

	touch_token(&row);
	lt_set_verified_token(&row.token_id);
	return row.token_id;
}

/*
 * Verify the token in argument token_arg of fcinfo, as lt_verify does.  A
 * detoasted copy of the argument is ours, so it is wiped and freed on every
 * path, errors included; the argument's own datum belongs to the caller.
 */
pg_uuid_t
lt_verify_token_arg(FunctionCallInfo fcinfo, int token_arg,
					text *org_id, text *loop_id)
{
	Datum		arg = PG_GETARG_DATUM(token_arg);
	text	   *token = PG_GETARG_TEXT_PP(token_arg);
	pg_uuid_t  *token_id;

	/* The common case: a short inline argument, not copied. */
	if ((Pointer) token == DatumGetPointer(arg))
		return lt_verify(token, org_id, loop_id);

	token_id = palloc(sizeof(pg_uuid_t));
	PG_TRY();
	{
		*token_id = lt_verify(token, org_id, loop_id);
	}
	PG_FINALLY();
	{
		lt_release_token_arg(token, arg);
	}
	PG_END_TRY();

	return *token_id;
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
	pg_uuid_t  *result = palloc(sizeof(pg_uuid_t));

	lt_verify_args(fcinfo, 0, 1, 2);
	*result = lt_verify_token_arg(fcinfo, 0, PG_GETARG_TEXT_PP(1),
								  PG_GETARG_TEXT_PP(2));
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

PG_FUNCTION_INFO_V1(lt_lookup_sql);

/*
 * loop_tokens.lookup(token text) RETURNS uuid
 *
 * Return the token_id of a stored token, revoked or not, of any organization,
 * trying every hash scheme that verify accepts; NULL for a well-formed token
 * that is not stored.  For finding the row of a leaked token.  Writes
 * nothing and verifies nothing.
 */
Datum
lt_lookup_sql(PG_FUNCTION_ARGS)
{
	Datum		arg = PG_GETARG_DATUM(0);
	text	   *token = PG_GETARG_TEXT_PP(0);
	unsigned char hash[LT_HASH_LEN];
	TokenRow	row;
	volatile bool found = false;
	bool		well_formed;
	pg_uuid_t  *result;

	well_formed = lt_token_check(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token)) == LT_TOKEN_OK;

	PG_TRY();
	{
		for (int attempt = 0; well_formed && !found; attempt++)
		{
			int16		version = lt_hash_for_lookup(attempt, VARDATA_ANY(token),
													 LT_TOKEN_LEN, hash);

			if (version == 0)
				break;
			found = find_token(hash, NULL, NULL, GetActiveSnapshot(), &row) &&
				row.hash_version == version;
		}
	}
	PG_FINALLY();
	{
		lt_release_token_arg(token, arg);
	}
	PG_END_TRY();

	if (!well_formed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed token"),
				 errhint("A token is \"lpt_\" followed by 49 letters and digits, the last 6 a checksum.")));
	if (!found)
		PG_RETURN_NULL();

	result = palloc(sizeof(pg_uuid_t));
	*result = row.token_id;
	PG_RETURN_UUID_P(result);
}
