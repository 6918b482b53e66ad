/*-------------------------------------------------------------------------
 *
 * revoke.c
 *	  Revoke tokens.
 *
 * Revocation sets revoked_at and revoked_by once; the row stays for audit.
 * The first revocation wins: a second call, even a concurrent one, returns
 * false and leaves the first one's time and actor in place.
 *
 * Before it writes, revoke waits for every transaction that has verified the
 * token to end (see lt_lock_token in verify.c), so no run tagged with the
 * token can commit after the revocation does.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#define LT_ACTOR_MAX_CHARS		200

static SPIPlanPtr revoke_plan = NULL;
static SPIPlanPtr exists_plan = NULL;

PG_FUNCTION_INFO_V1(lt_revoke);

/* loop_tokens.revoke(token_id uuid, revoked_by text) RETURNS boolean */
Datum
lt_revoke(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {UUIDOID, TEXTOID};
	Datum		values[2];
	bool		revoked;

	lt_require_not_null(fcinfo, 0, "token id");
	lt_require_not_null(fcinfo, 1, "revoked_by");
	lt_require_label(PG_GETARG_TEXT_PP(1), "revoked_by", LT_ACTOR_MAX_CHARS);
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PointerGetDatum(PG_GETARG_TEXT_PP(1));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * Wait for the transactions that verified the token, and make later
	 * verifications wait for this one.  A concurrent revoke of the same token
	 * takes the same lock, so this one waits for it too.  The UPDATE then
	 * runs with a new snapshot and finds revoked_at already set.
	 */
	lt_lock_token(DatumGetUUIDP(values[0]), LT_REVOKE_LOCKMODE);
	lt_execute(&revoke_plan,
			   "UPDATE loop_tokens.tokens"
			   " SET revoked_at = pg_catalog.clock_timestamp(),"
			   "     revoked_by = $2"
			   " WHERE token_id = $1 AND revoked_at IS NULL",
			   2, argtypes, values, false, 0, SPI_OK_UPDATE);
	revoked = SPI_processed == 1;

	if (!revoked)
	{
		lt_execute(&exists_plan,
				   "SELECT 1 FROM loop_tokens.tokens WHERE token_id = $1",
				   1, argtypes, values, true, 1, SPI_OK_SELECT);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("token %s not found",
							DatumGetCString(DirectFunctionCall1(uuid_out, values[0])))));
	}

	SPI_finish();
	PG_RETURN_BOOL(revoked);
}
