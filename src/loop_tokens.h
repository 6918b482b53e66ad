/*-------------------------------------------------------------------------
 *
 * loop_tokens.h
 *	  Declarations shared by the C files of the loop_tokens extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_TOKENS_H
#define LOOP_TOKENS_H

#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "storage/lockdefs.h"
#include "utils/uuid.h"

#include "token_format.h"

#define LT_SCHEMA_NAME		"loop_tokens"
#define LT_HASH_LEN			32

/*
 * hash_version values.  1 is BLAKE2b-256 with a personalisation string
 * that ties the hash to this use, so it matches no other hash of the token.
 * 2 is BLAKE2b-256 keyed with the server key (see hash.c).
 */
#define LT_HASH_VERSION_PLAIN	1
#define LT_HASH_VERSION_KEYED	2

/* Default of loop_tokens.max_body_size: 1 MiB, as the nginx configuration. */
#define LT_DEFAULT_MAX_BODY_SIZE	(1024 * 1024)

/* Channel that receives a NOTIFY with the run id of every new run. */
#define LT_RUNS_CHANNEL		"loop_tokens_runs"

/*
 * Attribute numbers of loop_tokens.tokens, in CREATE TABLE order.  verify.c
 * checks the names against the catalog before it relies on them.
 */
#define Anum_tokens_token_id		1
#define Anum_tokens_org_id			2
#define Anum_tokens_name			3
#define Anum_tokens_prefix			4
#define Anum_tokens_last_four		5
#define Anum_tokens_hash			6
#define Anum_tokens_hash_version	7
#define Anum_tokens_scopes			8
#define Anum_tokens_created_at		9
#define Anum_tokens_created_by		10
#define Anum_tokens_last_used_at	11
#define Anum_tokens_revoked_at		12
#define Anum_tokens_revoked_by		13

/* loop_tokens.c: settings */
extern char *lt_hash_key_file;
extern char *lt_previous_hash_key_file;
extern bool lt_accept_unkeyed_hashes;
extern int	lt_max_body_size;
extern int	lt_last_used_resolution;

/* loop_tokens.c */
extern void lt_random_bytes(void *buf, size_t len);
extern void lt_set_verified_token(const pg_uuid_t *token_id);
extern bool lt_get_verified_token(pg_uuid_t *token_id);
extern void lt_release_token_arg(text *token, Datum arg);
extern void lt_execute(SPIPlanPtr *plan, const char *sql, int nargs,
					   Oid *argtypes, Datum *values, bool read_only,
					   long count, int expected_rc);
extern void lt_raise_invalid_token(void) pg_attribute_noreturn();

/* validate.c */
extern void lt_require_not_null(FunctionCallInfo fcinfo, int argno,
								const char *what);
extern void lt_require_id(text *id, const char *what);
extern void lt_require_label(text *value, const char *what, int max_chars);

/* run.c */
extern const char *lt_id_for_message(text *id);

/* hash.c */
extern void lt_hash_load_keys(bool preloading);
extern int16 lt_hash_token(const char *token, size_t len,
						   unsigned char out[LT_HASH_LEN]);
extern int16 lt_hash_for_lookup(int attempt, const char *token, size_t len,
								unsigned char out[LT_HASH_LEN]);

/* log_redact.c */
extern void lt_install_log_redaction(void);

/*
 * Modes of the lock that orders verifications of a token against its
 * revocation (lt_lock_token).  RowShareLock does not conflict with itself,
 * so verifiers never wait for each other, and it is allowed on a hot
 * standby; ExclusiveLock conflicts with it and with itself.
 */
#define LT_VERIFY_LOCKMODE	RowShareLock
#define LT_REVOKE_LOCKMODE	ExclusiveLock

/* verify.c */
extern void lt_lock_token(const pg_uuid_t *token_id, LOCKMODE mode);
extern pg_uuid_t lt_verify(text *token, text *org_id, text *loop_id);
extern pg_uuid_t lt_verify_token_arg(FunctionCallInfo fcinfo, int token_arg,
									 text *org_id, text *loop_id);
extern void lt_verify_args(FunctionCallInfo fcinfo, int token_arg,
						   int org_arg, int loop_arg);

#endif							/* LOOP_TOKENS_H */
