/*-------------------------------------------------------------------------
 *
 * hash.c
 *	  Hash tokens for storage and lookup.
 *
 * Only this hash of a token is ever stored.  It is BLAKE2b-256 (libsodium's
 * crypto_generichash) with a personalisation string that names this use, so
 * the stored value is not the plain BLAKE2b of the token and matches no
 * other hash an attacker may hold.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include <sodium.h>

#include "fmgr.h"

/* BLAKE2b personalisation for hash_version 1; exactly 16 bytes. */
static const unsigned char hash_personal_v1[crypto_generichash_blake2b_PERSONALBYTES] =
"lpt-token-hash.1";

/* Hash token[0..len) into out with the current scheme. */
void
lt_hash_token(const char *token, size_t len, unsigned char out[LT_HASH_LEN])
{
	if (crypto_generichash_blake2b_salt_personal(out, LT_HASH_LEN,
												 (const unsigned char *) token, len,
												 NULL, 0,
												 NULL, hash_personal_v1) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not hash token")));
}

PG_FUNCTION_INFO_V1(lt_hash);

/* loop_tokens.hash(token text) RETURNS bytea */
Datum
lt_hash(PG_FUNCTION_ARGS)
{
	Datum		arg = PG_GETARG_DATUM(0);
	text	   *token = PG_GETARG_TEXT_PP(0);
	bytea	   *result;

	/* Hashing a string that is not a token is a mistake worth reporting. */
	if (lt_token_check(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token)) != LT_TOKEN_OK)
	{
		lt_release_token_arg(token, arg);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed token"),
				 errhint("A token is \"lpt_\" followed by 49 letters and digits.")));
	}

	result = palloc(VARHDRSZ + LT_HASH_LEN);
	SET_VARSIZE(result, VARHDRSZ + LT_HASH_LEN);
	lt_hash_token(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token),
				  (unsigned char *) VARDATA(result));

	lt_release_token_arg(token, arg);
	PG_RETURN_BYTEA_P(result);
}
