/*-------------------------------------------------------------------------
 *
 * run.c
 *	  Trigger loops with a token, and the triggers of loop_tokens.runs.
 *
 * A run inserted in a transaction that verified a token is tagged with that
 * token, whether loop_tokens.trigger or the platform's own code inserts it.
 * Every new run is announced with NOTIFY, which PostgreSQL delivers only
 * when the inserting transaction commits.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "scope.h"

static SPIPlanPtr insert_run_plan = NULL;

/*
 * Return id as text for an error message, or a placeholder when it is not a
 * valid id or looks like a token, so that neither a huge argument nor a
 * token passed in the wrong place is ever copied into a message.
 */
const char *
lt_id_for_message(text *id)
{
	if (!lt_id_valid(VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id)))
		return "(invalid id)";
	if (lt_text_looks_like_token(VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id)))
		return "(id that looks like a token)";
	return text_to_cstring(id);
}

PG_FUNCTION_INFO_V1(lt_trigger);

/*
 * loop_tokens.trigger(org_id text, loop_id text, token text, body jsonb)
 *	 RETURNS jsonb
 */
Datum
lt_trigger(PG_FUNCTION_ARGS)
{
	text	   *org_id;
	text	   *loop_id;
	Jsonb	   *body;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, JSONBOID};
	Datum		values[3];
	Datum		result;
	bool		isnull;

	/* The token is checked first, so a caller without one learns nothing. */
	lt_verify_args(fcinfo, 2, 0, 1);
	org_id = PG_GETARG_TEXT_PP(0);
	loop_id = PG_GETARG_TEXT_PP(1);
	(void) lt_verify_token_arg(fcinfo, 2, org_id, loop_id);

	lt_require_not_null(fcinfo, 3, "event body");
	body = PG_GETARG_JSONB_P(3);
	if (!JB_ROOT_IS_OBJECT(body) || JB_ROOT_IS_SCALAR(body))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event body must be a JSON object")));
	if (lt_max_body_size > 0 && VARSIZE_ANY_EXHDR(body) > (Size) lt_max_body_size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("event body is too large"),
				 errdetail("The body takes %zu bytes and loop_tokens.max_body_size is %d bytes.",
						   (Size) VARSIZE_ANY_EXHDR(body), lt_max_body_size)));

	values[0] = PointerGetDatum(org_id);
	values[1] = PointerGetDatum(loop_id);
	values[2] = PointerGetDatum(body);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lt_execute(&insert_run_plan,
			   "INSERT INTO loop_tokens.runs (org_id, loop_id, body)"
			   " SELECT l.org_id, l.loop_id, $3"
			   " FROM loop_tokens.loops l"
			   " WHERE l.org_id = $1 AND l.loop_id = $2"
			   " RETURNING pg_catalog.jsonb_build_object("
			   "  'runId', run_id,"
			   "  'workflowInstanceId', workflow_instance_id)",
			   3, argtypes, values, false, 0, SPI_OK_INSERT_RETURNING);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("loop \"%s\" not found", lt_id_for_message(loop_id)),
				 errdetail("Organization \"%s\" has no loop with that id.",
						   lt_id_for_message(org_id))));

	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	result = SPI_datumTransfer(result, false, -1);
	SPI_finish();

	PG_RETURN_DATUM(result);
}

/* Return the run id for a new run: "run_" and 128 random bits in base62. */
static text *
new_run_id(void)
{
	unsigned char random[LT_RUN_ID_RANDOM_BYTES];
	char		run_id[LT_RUN_ID_LEN];

	lt_random_bytes(random, sizeof(random));
	memcpy(run_id, LT_RUN_ID_PREFIX, LT_RUN_ID_PREFIX_LEN);
	lt_base62_encode(random, sizeof(random),
					 run_id + LT_RUN_ID_PREFIX_LEN, LT_RUN_ID_BODY_LEN);
	return cstring_to_text_with_len(run_id, LT_RUN_ID_LEN);
}

/* Raise a can't-happen error unless fcinfo is a row-level trigger call. */
static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *function)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function %s must be called as a trigger", function)));
	return trigdata;
}

PG_FUNCTION_INFO_V1(lt_runs_before_insert);

/*
 * BEFORE INSERT FOR EACH ROW on loop_tokens.runs: fill run_id, and tag the
 * run with the token verified in this transaction.
 */
Datum
lt_runs_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = trigger_data(fcinfo, "loop_tokens.runs_before_insert");
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	tuple = trigdata->tg_trigtuple;
	int			run_id_attnum = SPI_fnumber(desc, "run_id");
	int			token_id_attnum = SPI_fnumber(desc, "token_id");
	int			triggered_by_attnum = SPI_fnumber(desc, "triggered_by");
	int			columns[2];
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int			ncolumns = 0;
	pg_uuid_t	verified;
	bool		isnull;

	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "loop_tokens.runs_before_insert must fire BEFORE INSERT FOR EACH ROW");
	if (run_id_attnum <= 0 || token_id_attnum <= 0 || triggered_by_attnum <= 0)
		elog(ERROR, "table loop_tokens.runs lacks run_id, token_id or triggered_by");

	(void) heap_getattr(tuple, run_id_attnum, desc, &isnull);
	if (isnull)
	{
		columns[ncolumns] = run_id_attnum;
		values[ncolumns++] = PointerGetDatum(new_run_id());
	}

	if (lt_get_verified_token(&verified))
	{
		Datum		given = heap_getattr(tuple, token_id_attnum, desc, &isnull);

		if (!isnull && memcmp(DatumGetUUIDP(given), &verified, sizeof(verified)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("run must be tagged with the token verified in this transaction")));

		(void) heap_getattr(tuple, triggered_by_attnum, desc, &isnull);
		if (!isnull)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("run cannot be triggered by both a token and a user"),
					 errdetail("A token was verified in this transaction, so the run is tagged with it."),
					 errhint("Insert user-triggered runs in a transaction that verifies no token.")));

		columns[ncolumns] = token_id_attnum;
		values[ncolumns++] = UUIDPGetDatum(&verified);
	}

	if (ncolumns > 0)
		tuple = heap_modify_tuple_by_cols(tuple, desc, ncolumns, columns,
										  values, nulls);

	return PointerGetDatum(tuple);
}

PG_FUNCTION_INFO_V1(lt_runs_after_insert);

/*
 * AFTER INSERT FOR EACH ROW on loop_tokens.runs: NOTIFY loop_tokens_runs with
 * the run id, delivered when the transaction commits.
 */
Datum
lt_runs_after_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = trigger_data(fcinfo, "loop_tokens.runs_after_insert");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	int			run_id_attnum = SPI_fnumber(desc, "run_id");
	bool		isnull;
	Datum		run_id;

	if (run_id_attnum <= 0)
		elog(ERROR, "table loop_tokens.runs lacks run_id");

	run_id = heap_getattr(trigdata->tg_trigtuple, run_id_attnum, desc, &isnull);
	if (!isnull)
		Async_Notify(LT_RUNS_CHANNEL, TextDatumGetCString(run_id));

	return PointerGetDatum(NULL);
}
