/*-------------------------------------------------------------------------
 *
 * token_format.c
 *	  Compose tokens and check that a string is a well-formed token.
 *
 * The check looks at the text alone, so verify rejects a mistyped or made-up
 * token before it touches any table.  Every length is passed in by the
 * caller; nothing here reads past it or expects a terminating zero byte.
 *
 *-------------------------------------------------------------------------
 */
#include "token_format.h"

#include <string.h>

/* Called through a volatile pointer so that the compiler keeps the wipe. */
static void *(*const volatile wipe_memset) (void *, int, size_t) = memset;

static const char base62_digits[] =
"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * 2^256 - 1 in LT_TOKEN_BODY_LEN base62 digits: the largest valid body.  The
 * digits above are in ASCII order, so for two bodies of this fixed width
 * memcmp orders them as the numbers they encode, and a body fits in 256 bits
 * exactly when it does not compare above this one.
 */
static const char max_token_body[LT_TOKEN_BODY_LEN + 1] =
"yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1";

/* Return the value of a base62 digit, or -1 for any other byte. */
static inline int
base62_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 36;
	return -1;
}

/*
 * CRC32 of each 4-bit value under the reflected polynomial 0xEDB88320: the
 * zlib table cut to 16 entries, so the CRC takes two lookups per byte.
 */
static const uint32_t crc32_nibble_table[16] = {
	0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
	0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
	0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
	0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu
};

/*
 * CRC32 as in IEEE 802.3 and zlib: reflected polynomial 0xEDB88320, initial
 * value and final xor all ones.  verify runs it on every call, so it takes
 * two table lookups per byte in place of eight shift-and-xor steps.
 */
uint32_t
lt_crc32(const unsigned char *data, size_t len)
{
	uint32_t	crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++)
	{
		crc ^= data[i];
		crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0Fu];
		crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0Fu];
	}
	return crc ^ 0xFFFFFFFFu;
}

/*
 * Encode the big-endian number in in[0..in_len) as exactly out_len base62
 * digits, most significant first, padded with '0'.  The caller picks an
 * out_len large enough for any in_len-byte value.  The input is not changed.
 */
void
lt_base62_encode(const unsigned char *in, size_t in_len,
				 char *out, size_t out_len)
{
	unsigned char work[64];

	/* Callers encode at most 32 bytes; anything longer is a coding error. */
	if (in_len > sizeof(work))
		in_len = sizeof(work);
	memcpy(work, in, in_len);

	for (size_t pos = out_len; pos > 0; pos--)
	{
		unsigned int remainder = 0;

		/* Divide the whole number by 62 in place, keeping the remainder. */
		for (size_t i = 0; i < in_len; i++)
		{
			unsigned int acc = (remainder << 8) | work[i];

			work[i] = (unsigned char) (acc / 62);
			remainder = acc % 62;
		}
		out[pos - 1] = base62_digits[remainder];
	}

	wipe_memset(work, 0, sizeof(work));
}

/*
 * Decode in_len base62 digits into an out_len-byte big-endian number.
 * Returns false for a byte that is not a base62 digit or a value that does
 * not fit in out_len bytes.  out is wiped on failure.
 */
bool
lt_base62_decode(const char *in, size_t in_len,
				 unsigned char *out, size_t out_len)
{
	memset(out, 0, out_len);

	for (size_t i = 0; i < in_len; i++)
	{
		int			digit = base62_value((unsigned char) in[i]);
		unsigned int carry;

		if (digit < 0)
			goto fail;

		/* out = out * 62 + digit, from the least significant byte up. */
		carry = (unsigned int) digit;
		for (size_t j = out_len; j > 0; j--)
		{
			unsigned int acc = out[j - 1] * 62u + carry;

			out[j - 1] = (unsigned char) (acc & 0xFF);
			carry = acc >> 8;
		}
		if (carry != 0)
			goto fail;
	}
	return true;

fail:
	memset(out, 0, out_len);
	return false;
}

/*
 * Encode a CRC32 as exactly LT_TOKEN_CHECKSUM_LEN base62 digits, most
 * significant first.  62^6 exceeds 2^32, so six digits hold any CRC32.
 */
static void
encode_checksum(uint32_t crc, char out[LT_TOKEN_CHECKSUM_LEN])
{
	for (size_t pos = LT_TOKEN_CHECKSUM_LEN; pos > 0; pos--)
	{
		out[pos - 1] = base62_digits[crc % 62];
		crc /= 62;
	}
}

/* Write the token for 32 secret bytes into out (not zero-terminated). */
void
lt_token_compose(const unsigned char secret[LT_TOKEN_SECRET_BYTES],
				 char out[LT_TOKEN_LEN])
{
	const size_t checked_len = LT_TOKEN_SCHEME_LEN + LT_TOKEN_BODY_LEN;

	memcpy(out, LT_TOKEN_SCHEME, LT_TOKEN_SCHEME_LEN);
	lt_base62_encode(secret, LT_TOKEN_SECRET_BYTES,
					 out + LT_TOKEN_SCHEME_LEN, LT_TOKEN_BODY_LEN);
	encode_checksum(lt_crc32((const unsigned char *) out, checked_len),
					out + checked_len);
}

/*
 * Check that token[0..len) is a well-formed token: length, scheme, alphabet,
 * a body below 2^256 (so each secret has exactly one spelling) and the
 * checksum.
 */
LtTokenCheck
lt_token_check(const char *token, size_t len)
{
	const size_t checked_len = LT_TOKEN_SCHEME_LEN + LT_TOKEN_BODY_LEN;
	char		expected[LT_TOKEN_CHECKSUM_LEN];

	if (len != LT_TOKEN_LEN)
		return LT_TOKEN_BAD_LENGTH;
	if (memcmp(token, LT_TOKEN_SCHEME, LT_TOKEN_SCHEME_LEN) != 0)
		return LT_TOKEN_BAD_SCHEME;
	for (size_t i = LT_TOKEN_SCHEME_LEN; i < len; i++)
	{
		if (base62_value((unsigned char) token[i]) < 0)
			return LT_TOKEN_BAD_CHARACTER;
	}

	/* Every byte is a base62 digit now, so memcmp compares by value. */
	if (memcmp(token + LT_TOKEN_SCHEME_LEN, max_token_body, LT_TOKEN_BODY_LEN) > 0)
		return LT_TOKEN_BAD_VALUE;

	encode_checksum(lt_crc32((const unsigned char *) token, checked_len),
					expected);
	if (memcmp(expected, token + checked_len, LT_TOKEN_CHECKSUM_LEN) != 0)
		return LT_TOKEN_BAD_CHECKSUM;

	return LT_TOKEN_OK;
}

/* Check that run_id[0..len) is "run_" and 22 base62 digits. */
bool
lt_run_id_valid(const char *run_id, size_t len)
{
	if (len != LT_RUN_ID_LEN ||
		memcmp(run_id, LT_RUN_ID_PREFIX, LT_RUN_ID_PREFIX_LEN) != 0)
		return false;
	for (size_t i = LT_RUN_ID_PREFIX_LEN; i < len; i++)
	{
		if (base62_value((unsigned char) run_id[i]) < 0)
			return false;
	}
	return true;
}

/*
 * Does text[0..len) contain "lpt_" followed by more than four base62
 * digits?  Such text may hold a token, or part of one, so messages must not
 * quote it.  "lpt_" and four digits is a prefix, which is not secret.
 */
bool
lt_text_looks_like_token(const char *text, size_t len)
{
	for (size_t i = 0; i + LT_TOKEN_SCHEME_LEN < len; i++)
	{
		size_t		digits = 0;

		if (memcmp(text + i, LT_TOKEN_SCHEME, LT_TOKEN_SCHEME_LEN) != 0)
			continue;
		for (size_t j = i + LT_TOKEN_SCHEME_LEN; j < len; j++)
		{
			if (base62_value((unsigned char) text[j]) < 0)
				break;
			digits++;
		}
		if (digits > LT_TOKEN_PREFIX_LEN - LT_TOKEN_SCHEME_LEN)
			return true;
	}
	return false;
}
