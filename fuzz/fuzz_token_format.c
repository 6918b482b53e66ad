/*-------------------------------------------------------------------------
 *
 * fuzz_token_format.c
 *	  libFuzzer target for src/token_format.c.
 *
 * Feeds arbitrary bytes to lt_token_check and lt_run_id_valid, and checks
 * these properties on every input:
 *	- a string that lt_token_check accepts is exactly the token that
 *	  lt_token_compose makes from the secret its body decodes to;
 *	- a token composed from any 32 secret bytes passes the check, its body
 *	  decodes back to those bytes, and changing any one character of it
 *	  makes the check fail;
 *	- lt_base62_decode inverts lt_base62_encode for every width callers use.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token_format.h"

static const char base62_digits[] =
"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void
fail(const char *what)
{
	fprintf(stderr, "property violated: %s\n", what);
	abort();
}

/* Number of base62 digits needed for any in_len-byte value: 62^d >= 256^n. */
static size_t
base62_width(size_t in_len)
{
	/* Smallest d with d * log2(62) >= 8 * in_len; log2(62) = 5.9542 */
	size_t		d = 0;

	while ((double) d * 5.954196310386876 < 8.0 * (double) in_len)
		d++;
	return d;
}

/* A token accepted by the check must be the one composed from its body. */
static void
check_accepted(const uint8_t *data, size_t size)
{
	unsigned char secret[LT_TOKEN_SECRET_BYTES];
	char		composed[LT_TOKEN_LEN];

	if (lt_token_check((const char *) data, size) != LT_TOKEN_OK)
		return;
	if (size != LT_TOKEN_LEN)
		fail("accepted a token of the wrong length");
	if (!lt_base62_decode((const char *) data + LT_TOKEN_SCHEME_LEN,
						  LT_TOKEN_BODY_LEN, secret, sizeof(secret)))
		fail("accepted a token whose body does not decode");
	lt_token_compose(secret, composed);
	if (memcmp(composed, data, LT_TOKEN_LEN) != 0)
		fail("accepted token differs from the one composed from its body");
}

/* Round trips and single-character changes on a token built from data. */
static void
check_composed(const uint8_t *data, size_t size)
{
	unsigned char secret[LT_TOKEN_SECRET_BYTES];
	unsigned char decoded[LT_TOKEN_SECRET_BYTES];
	char		token[LT_TOKEN_LEN];
	char		changed[LT_TOKEN_LEN];
	size_t		pos;
	unsigned char replacement;

	if (size < LT_TOKEN_SECRET_BYTES + 2)
		return;
	memcpy(secret, data, LT_TOKEN_SECRET_BYTES);

	lt_token_compose(secret, token);
	if (lt_token_check(token, LT_TOKEN_LEN) != LT_TOKEN_OK)
		fail("composed token does not pass the check");
	if (!lt_base62_decode(token + LT_TOKEN_SCHEME_LEN, LT_TOKEN_BODY_LEN,
						  decoded, sizeof(decoded)) ||
		memcmp(decoded, secret, sizeof(secret)) != 0)
		fail("token body does not decode to its secret");

	/* Any byte at any position, including non-digits and NUL. */
	pos = data[LT_TOKEN_SECRET_BYTES] % LT_TOKEN_LEN;
	replacement = data[LT_TOKEN_SECRET_BYTES + 1];
	if (replacement == (unsigned char) token[pos])
		replacement = (unsigned char) base62_digits[(replacement + 1) % 62];
	if (replacement == (unsigned char) token[pos])
		replacement = (unsigned char) base62_digits[(replacement + 2) % 62];
	memcpy(changed, token, LT_TOKEN_LEN);
	changed[pos] = (char) replacement;
	if (lt_token_check(changed, LT_TOKEN_LEN) == LT_TOKEN_OK)
		fail("token with one changed character passes the check");

	/* A token one character shorter or longer is never accepted. */
	if (lt_token_check(token, LT_TOKEN_LEN - 1) == LT_TOKEN_OK)
		fail("truncated token passes the check");
}

/* encode then decode is the identity for every length up to 32 bytes. */
static void
check_base62(const uint8_t *data, size_t size)
{
	unsigned char decoded[LT_TOKEN_SECRET_BYTES];
	char		digits[64];
	size_t		in_len = size < LT_TOKEN_SECRET_BYTES ? size : LT_TOKEN_SECRET_BYTES;
	size_t		width = base62_width(in_len);

	lt_base62_encode(data, in_len, digits, width);
	for (size_t i = 0; i < width; i++)
	{
		if (memchr(base62_digits, digits[i], 62) == NULL || digits[i] == '\0')
			fail("base62 encoding produced a byte outside the alphabet");
	}
	if (!lt_base62_decode(digits, width, decoded, in_len))
		fail("base62 decoding rejected an encoding");
	if (memcmp(decoded, data, in_len) != 0)
		fail("base62 decode(encode(x)) differs from x");

	/* Decoding arbitrary bytes must stay within the output buffer. */
	(void) lt_base62_decode((const char *) data, size, decoded, in_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_accepted(data, size);
	(void) lt_run_id_valid((const char *) data, size);
	(void) lt_crc32(data, size);
	check_composed(data, size);
	check_base62(data, size);
	return 0;
}
