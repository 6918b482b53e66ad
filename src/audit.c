/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  Audit rules on loop_tokens.tokens and loop_tokens.runs, enforced by triggers.
 *
 * Token rows are never deleted or truncated, so revoked tokens stay for
 * audit.  After mint, only name, last_used_at and the revocation columns may
 * change: last_used_at never moves backwards (an older value is ignored, not
 * an error, so racing writers need no coordination), and revoked_at and
 * revoked_by are written once.  Everything else is fixed at mint.
 *
 * Runs keep their columns as inserted, so what a run was and what triggered
 * it stays as recorded; they may be deleted, for retention.
 *
 * Raises 23001 (restrict_violation) for a change the rules forbid.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/datum.h"
#include "utils/timestamp.h"
#include "utils/rel.h"

/* Columns fixed at mint, by name as they appear in messages. */
static const struct
{
	AttrNumber	attnum;
	const char *name;
}			fixed_columns[] =
{
	{Anum_tokens_token_id, "token_id"},
	{Anum_tokens_org_id, "org_id"},
	{Anum_tokens_prefix, "prefix"},
	{Anum_tokens_last_four, "last_four"},
	{Anum_tokens_hash, "hash"},
	{Anum_tokens_hash_version, "hash_version"},
	{Anum_tokens_scopes, "scopes"},
	{Anum_tokens_created_at, "created_at"},
	{Anum_tokens_created_by, "created_by"},
};

/* Is column attnum the same (both NULL, or binary equal) in both tuples? */
static bool
column_unchanged(HeapTuple old_tuple, HeapTuple new_tuple, TupleDesc desc,
				 AttrNumber attnum)
{
	Form_pg_attribute attr = TupleDescAttr(desc, attnum - 1);
	bool		old_null;
	bool		new_null;
	Datum		old_value = heap_getattr(old_tuple, attnum, desc, &old_null);
	Datum		new_value = heap_getattr(new_tuple, attnum, desc, &new_null);

	if (old_null || new_null)
		return old_null == new_null;
	return datum_image_eq(old_value, new_value, attr->attbyval, attr->attlen);
}

PG_FUNCTION_INFO_V1(lt_tokens_guard);

/*
 * BEFORE UPDATE OR DELETE FOR EACH ROW, and BEFORE TRUNCATE, on
 * loop_tokens.tokens.
 */
Datum
lt_tokens_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	old_tuple;
	HeapTuple	new_tuple;
	bool		old_null;
	bool		new_null;
	Datum		old_used;
	Datum		new_used;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function loop_tokens.tokens_guard must be called as a BEFORE trigger")));

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("tokens cannot be deleted"),
				 errhint("Revoke the token with loop_tokens.revoke; its row stays for audit.")));

	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "loop_tokens.tokens_guard fired for an unexpected event");

	desc = RelationGetDescr(trigdata->tg_relation);
	old_tuple = trigdata->tg_trigtuple;
	new_tuple = trigdata->tg_newtuple;

	for (size_t i = 0; i < lengthof(fixed_columns); i++)
	{
		if (!column_unchanged(old_tuple, new_tuple, desc, fixed_columns[i].attnum))
			ereport(ERROR,
					(errcode(ERRCODE_RESTRICT_VIOLATION),
					 errmsg("column \"%s\" of a token cannot be changed",
							fixed_columns[i].name),
					 errdetail("Only name, last_used_at and the revocation can change after mint.")));
	}

	/* Once set, revoked_at and revoked_by are fixed; they cannot be cleared. */
	(void) heap_getattr(old_tuple, Anum_tokens_revoked_at, desc, &old_null);
	if (!old_null &&
		(!column_unchanged(old_tuple, new_tuple, desc, Anum_tokens_revoked_at) ||
		 !column_unchanged(old_tuple, new_tuple, desc, Anum_tokens_revoked_by)))
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("revocation of a token cannot be changed or undone"),
				 errhint("Mint a new token instead.")));

	/*
	 * An UPDATE that revokes the token without loop_tokens.revoke still waits
	 * for the transactions that verified it, as revoke does.
	 */
	(void) heap_getattr(new_tuple, Anum_tokens_revoked_at, desc, &new_null);
	if (old_null && !new_null)
	{
		bool		id_null;
		Datum		token_id = heap_getattr(old_tuple, Anum_tokens_token_id,
											desc, &id_null);

		lt_lock_token(DatumGetUUIDP(token_id), LT_REVOKE_LOCKMODE);
	}

	/*
	 * Setting last_used_at in the future would stop verify from recording a
	 * use until that time, because it never moves the value backwards.
	 */
	old_used = heap_getattr(old_tuple, Anum_tokens_last_used_at, desc, &old_null);
	new_used = heap_getattr(new_tuple, Anum_tokens_last_used_at, desc, &new_null);
	if (!new_null && DatumGetTimestampTz(new_used) > GetCurrentTimestamp() &&
		!column_unchanged(old_tuple, new_tuple, desc, Anum_tokens_last_used_at))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("last_used_at of a token cannot be in the future")));

	/* Keep the later last_used_at, so it never moves backwards. */
	if (!old_null &&
		(new_null || DatumGetTimestampTz(new_used) < DatumGetTimestampTz(old_used)))
	{
		int			column = Anum_tokens_last_used_at;
		bool		keep_null = false;

		new_tuple = heap_modify_tuple_by_cols(new_tuple, desc, 1, &column,
											  &old_used, &keep_null);
	}

	return PointerGetDatum(new_tuple);
}

PG_FUNCTION_INFO_V1(lt_runs_guard);

/*
 * BEFORE UPDATE FOR EACH ROW on loop_tokens.runs: what a run is, who or what
 * triggered it and with which body never change after insert.  Runs may be
 * deleted, for retention.
 */
Datum
lt_runs_guard(PG_FUNCTION_ARGS)
{
	static const char *const fixed_run_columns[] = {
		"run_id", "workflow_instance_id", "org_id", "loop_id", "body",
		"token_id", "triggered_by", "created_at"
	};
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function loop_tokens.runs_guard must be called as a BEFORE UPDATE row trigger")));

	desc = RelationGetDescr(trigdata->tg_relation);
	for (size_t i = 0; i < lengthof(fixed_run_columns); i++)
	{
		int			attnum = SPI_fnumber(desc, fixed_run_columns[i]);

		if (attnum <= 0)
			elog(ERROR, "table loop_tokens.runs lacks column \"%s\"", fixed_run_columns[i]);
		if (!column_unchanged(trigdata->tg_trigtuple, trigdata->tg_newtuple, desc, attnum))
			ereport(ERROR,
					(errcode(ERRCODE_RESTRICT_VIOLATION),
					 errmsg("column \"%s\" of a run cannot be changed", fixed_run_columns[i])));
	}

	return PointerGetDatum(trigdata->tg_newtuple);
}
