/*-------------------------------------------------------------------------
 *
 * bearer.c
 *	  Extract the token from an HTTP Authorization header value that uses
 *	  the Bearer scheme.
 *
 * The accepted form is the scheme name "Bearer" in any letter case, one or
 * more spaces (0x20), then a non-empty token, which is every remaining byte,
 * taken as it is.  The token is not trimmed or checked here: the caller
 * passes it on, and loop_tokens.trigger rejects anything that is not a
 * well-formed, known token.  Any other value (another scheme, a tab or no
 * space after the scheme, nothing after the spaces) has no token.
 *
 * Invariant: the function only reads value[0 .. value_len - 1] and returns
 * a pointer into that range; it never copies or writes the token.
 *
 *-------------------------------------------------------------------------
 */
#include "bearer.h"

#define BEARER_SCHEME		"bearer"
#define BEARER_SCHEME_LEN	6

/* Lower-case an ASCII letter without consulting the locale. */
static unsigned char
ascii_lower(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned char) (c - 'A' + 'a');
	return c;
}

/*
 * Find the token in an Authorization header value.
 *
 * Returns true and sets *token and *token_len to the bytes after the
 * spaces that follow the scheme.  Returns false, with *token NULL and
 * *token_len 0, when the value carries no bearer token.
 */
bool
lt_bearer_token(const char *value, size_t value_len,
				const char **token, size_t *token_len)
{
	size_t		pos;

	*token = NULL;
	*token_len = 0;

	/* The scheme, at least one space and one byte of token. */
	if (value == NULL || value_len < BEARER_SCHEME_LEN + 2)
		return false;

	for (pos = 0; pos < BEARER_SCHEME_LEN; pos++)
	{
		if (ascii_lower((unsigned char) value[pos]) != BEARER_SCHEME[pos])
			return false;
	}

	if (value[pos] != ' ')
		return false;
	while (pos < value_len && value[pos] == ' ')
		pos++;
	if (pos == value_len)
		return false;

	*token = value + pos;
	*token_len = value_len - pos;
	return true;
}
