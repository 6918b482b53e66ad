/*-------------------------------------------------------------------------
 *
 * loop_tokens.c
 *	  Module set-up and the per-transaction record of the verified token.
 *
 * _PG_init initialises libsodium, defines the "loop_tokens." settings,
 * loads the hash keys when the postmaster preloads the library, and installs
 * the log hook that masks tokens.  The verified token is kept in backend
 * memory only for the transaction (or subtransaction) that verified it:
 * connections are pooled, so the next request on the same connection must
 * never inherit it.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include <sodium.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Settings; see _PG_init for what each does. */
char	   *lt_hash_key_file = NULL;
char	   *lt_previous_hash_key_file = NULL;
bool		lt_accept_unkeyed_hashes = true;
int			lt_max_body_size = LT_DEFAULT_MAX_BODY_SIZE;
int			lt_last_used_resolution = 1;

/*
 * Tokens verified in the current transaction, one entry per subtransaction
 * level that verified one, innermost last.  Levels strictly increase along
 * the list.  The list lives in TopTransactionContext, so it goes away with
 * the transaction; the callbacks below drop the pointer at the same time.
 */
typedef struct VerifiedToken
{
	pg_uuid_t	token_id;
	int			nest_level;
} VerifiedToken;

static List *verified_tokens = NIL;

static void lt_xact_callback(XactEvent event, void *arg);
static void lt_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								SubTransactionId parentSubid, void *arg);

void
_PG_init(void)
{
	GucContext	key_file_context;

	if (sodium_init() < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not initialize libsodium")));

	/*
	 * The key files are read only by the postmaster at start-up, so their
	 * settings are PGC_POSTMASTER.  PostgreSQL forbids defining such a
	 * setting in a library loaded later, and there the settings are
	 * PGC_SIGHUP instead: that still shows a value set in postgresql.conf,
	 * which lt_hash_load_keys turns into an error on every call that hashes.
	 * GUC_SUPERUSER_ONLY hides even the paths from other roles; the keys
	 * themselves are never a setting's value.
	 */
	key_file_context = process_shared_preload_libraries_in_progress ?
		PGC_POSTMASTER : PGC_SIGHUP;
	DefineCustomStringVariable("loop_tokens.hash_key_file",
							   "Sets the file that contains the key for token hashes.",
							   "The file must be owned by the server user with mode 0600 and contain "
							   "32 raw bytes or 64 hexadecimal digits. Empty means no key: tokens are "
							   "hashed without a key (hash_version 1). Needs loop_tokens in "
							   "shared_preload_libraries.",
							   &lt_hash_key_file,
							   "",
							   key_file_context,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("loop_tokens.previous_hash_key_file",
							   "Sets the file that contains the previous key for token hashes.",
							   "During a key rotation, verify still accepts tokens hashed with this key; "
							   "mint never uses it. Empty means none.",
							   &lt_previous_hash_key_file,
							   "",
							   key_file_context,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomBoolVariable("loop_tokens.accept_unkeyed_hashes",
							 "Accepts tokens whose stored hash has no key (hash_version 1) while a key is set.",
							 "Turn this off once every token minted before the key was set has been "
							 "revoked: while it is on, whoever can write the tokens table can add a "
							 "working token. Without a key, unkeyed hashes are always accepted.",
							 &lt_accept_unkeyed_hashes,
							 true,
							 PGC_SIGHUP,
							 GUC_SUPERUSER_ONLY,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("loop_tokens.max_body_size",
							"Sets the largest event body that loop_tokens.trigger accepts.",
							"The size is that of the stored jsonb value. 0 means no limit.",
							&lt_max_body_size,
							LT_DEFAULT_MAX_BODY_SIZE,
							0, MaxAllocSize,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("loop_tokens.last_used_resolution",
							"Sets how old last_used_at must be before verify writes it again.",
							"Each write is an UPDATE of the token row, so a busy token is written "
							"about once per this interval. Larger values mean fewer writes and a "
							"coarser last_used_at.",
							&lt_last_used_resolution,
							1,
							1, 86400,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("loop_tokens");
#else
	EmitWarningsOnPlaceholders("loop_tokens");
#endif

	lt_hash_load_keys(process_shared_preload_libraries_in_progress);
	lt_install_log_redaction();

	RegisterXactCallback(lt_xact_callback, NULL);
	RegisterSubXactCallback(lt_subxact_callback, NULL);
}

/* Fill buf from libsodium's CSPRNG; randombytes_buf has no error return. */
void
lt_random_bytes(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

/*
 * Wipe and free token if it is a detoasted copy of the argument datum arg.
 * The caller's own datum is not ours to change, so it is left alone.
 */
void
lt_release_token_arg(text *token, Datum arg)
{
	if ((Pointer) token != DatumGetPointer(arg))
	{
		sodium_memzero(token, VARSIZE_ANY(token));
		pfree(token);
	}
}

/*
 * Run sql with values, preparing it once per backend and keeping the plan in
 * *plan; the plan cache replans it after DDL.  Raises a can't-happen error
 * unless SPI returns expected_rc.  Must be called between SPI_connect and
 * SPI_finish.
 */
void
lt_execute(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes,
		   Datum *values, bool read_only, long count, int expected_rc)
{
	int			rc;

	if (*plan == NULL)
	{
		SPIPlanPtr	prepared = SPI_prepare(sql, nargs, argtypes);

		if (prepared == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(prepared) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*plan = prepared;
	}

	rc = SPI_execute_plan(*plan, values, NULL, read_only, count);
	if (rc != expected_rc)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/*
 * Raise the one error used for every token that does not verify, so that a
 * caller cannot tell a malformed token from an unknown, revoked or foreign
 * one.  The message never contains the token.
 */
void
lt_raise_invalid_token(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("invalid token")));
	pg_unreachable();
}

/* Remember token_id as verified until the current (sub)transaction ends. */
void
lt_set_verified_token(const pg_uuid_t *token_id)
{
	int			level = GetCurrentTransactionNestLevel();
	VerifiedToken *entry;

	if (verified_tokens != NIL &&
		((VerifiedToken *) llast(verified_tokens))->nest_level == level)
		entry = llast(verified_tokens);
	else
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(TopTransactionContext);

		entry = palloc(sizeof(VerifiedToken));
		entry->nest_level = level;
		verified_tokens = lappend(verified_tokens, entry);
		MemoryContextSwitchTo(oldcontext);
	}
	entry->token_id = *token_id;
}

/* Copy the token verified in this transaction into *token_id, if there is one. */
bool
lt_get_verified_token(pg_uuid_t *token_id)
{
	if (verified_tokens == NIL)
		return false;
	*token_id = ((VerifiedToken *) llast(verified_tokens))->token_id;
	return true;
}

/* Forget the verified tokens whenever a top-level transaction ends. */
static void
lt_xact_callback(XactEvent event, void *arg)
{
	(void) arg;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			verified_tokens = NIL;
			break;
		default:
			break;
	}
}

/*
 * A verification made inside a subtransaction that rolls back did not
 * happen, as far as the rest of the transaction is concerned, so the token
 * verified before it is current again.  One made in a subtransaction that
 * commits now belongs to the parent and replaces the parent's own.
 */
static void
lt_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	int			level;
	VerifiedToken *innermost;

	(void) mySubid;
	(void) parentSubid;
	(void) arg;

	if (verified_tokens == NIL)
		return;

	level = GetCurrentTransactionNestLevel();
	innermost = llast(verified_tokens);
	if (innermost->nest_level < level)
		return;

	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		verified_tokens = list_delete_last(verified_tokens);
		pfree(innermost);
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		innermost->nest_level = level - 1;
		if (list_length(verified_tokens) > 1)
		{
			VerifiedToken *parent = list_nth(verified_tokens,
											 list_length(verified_tokens) - 2);

			if (parent->nest_level == level - 1)
			{
				parent->token_id = innermost->token_id;
				verified_tokens = list_delete_last(verified_tokens);
				pfree(innermost);
			}
		}
	}
}

PG_FUNCTION_INFO_V1(lt_current_token_id);

/* loop_tokens.current_token_id() RETURNS uuid */
Datum
lt_current_token_id(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *result;

	result = palloc(sizeof(pg_uuid_t));
	if (!lt_get_verified_token(result))
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(result);
}
