/*-------------------------------------------------------------------------
 *
 * token_format.h
 *	  Token text format: base62, CRC32 checksum and the well-formedness check.
 *
 * This header and token_format.c use only the C standard library, so they
 * build without PostgreSQL (for fuzzing and unit tests).
 *
 * A token is "lpt_", then 43 base62 characters that encode 256 random bits
 * (fixed width, most significant digit first), then 6 base62 characters
 * that encode the CRC32 (IEEE 802.3, as in zlib) of the 47 characters before
 * them.  It always matches ^lpt_[0-9A-Za-z]{49}$.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LT_TOKEN_FORMAT_H
#define LT_TOKEN_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_TOKEN_SCHEME			"lpt_"
#define LT_TOKEN_SCHEME_LEN		4
#define LT_TOKEN_SECRET_BYTES	32
#define LT_TOKEN_BODY_LEN		43
#define LT_TOKEN_CHECKSUM_LEN	6
#define LT_TOKEN_LEN \
	(LT_TOKEN_SCHEME_LEN + LT_TOKEN_BODY_LEN + LT_TOKEN_CHECKSUM_LEN)

/* Characters kept in the clear: the prefix and the last four. */
#define LT_TOKEN_PREFIX_LEN		8
#define LT_TOKEN_LAST_FOUR_LEN	4

/* Run ids are "run_" and 22 base62 characters: 128 random bits. */
#define LT_RUN_ID_PREFIX		"run_"
#define LT_RUN_ID_PREFIX_LEN	4
#define LT_RUN_ID_RANDOM_BYTES	16
#define LT_RUN_ID_BODY_LEN		22
#define LT_RUN_ID_LEN			(LT_RUN_ID_PREFIX_LEN + LT_RUN_ID_BODY_LEN)

/* Why a string is not a well-formed token. */
typedef enum LtTokenCheck
{
	LT_TOKEN_OK = 0,
	LT_TOKEN_BAD_LENGTH,
	LT_TOKEN_BAD_SCHEME,
	LT_TOKEN_BAD_CHARACTER,
	LT_TOKEN_BAD_VALUE,			/* body encodes a number of 2^256 or more */
	LT_TOKEN_BAD_CHECKSUM
} LtTokenCheck;

extern uint32_t lt_crc32(const unsigned char *data, size_t len);
extern void lt_base62_encode(const unsigned char *in, size_t in_len,
							 char *out, size_t out_len);
extern bool lt_base62_decode(const char *in, size_t in_len,
							 unsigned char *out, size_t out_len);
extern void lt_token_compose(const unsigned char secret[LT_TOKEN_SECRET_BYTES],
							 char out[LT_TOKEN_LEN]);
extern LtTokenCheck lt_token_check(const char *token, size_t len);
extern bool lt_run_id_valid(const char *run_id, size_t len);
extern bool lt_text_looks_like_token(const char *text, size_t len);

#endif							/* LT_TOKEN_FORMAT_H */
