/*-------------------------------------------------------------------------
 *
 * fuzz_bearer.c
 *	  libFuzzer target for src/bearer.c (Authorization header parsing).
 *
 * Properties checked on every input:
 *	- a returned token lies inside the input and is not empty;
 *	- it is preceded by "Bearer" in any case and at least one space, and
 *	  does not itself start with a space;
 *	- an input that does not start that way returns no token.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bearer.h"

static void
fail(const char *what)
{
	fprintf(stderr, "property violated: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copy, so that ASan reports any read past the value. */
	char	   *value = malloc(size ? size : 1);
	const char *token;
	size_t		token_len;
	int			looks_bearer;

	memcpy(value, data, size);
	looks_bearer = size >= 8 && strncasecmp(value, "bearer", 6) == 0 &&
		value[6] == ' ';

	if (lt_bearer_token(value, size, &token, &token_len))
	{
		if (!looks_bearer)
			fail("token found in a value that is not \"Bearer <token>\"");
		if (token < value + 7 || token_len == 0 ||
			token + token_len != value + size)
			fail("token is not the non-empty rest of the value");
		if (token[0] == ' ' || token[-1] != ' ')
			fail("token does not start right after the spaces");
	}
	else
	{
		size_t		pos = 6;

		if (token != NULL || token_len != 0)
			fail("no token, but the outputs were set");
		if (looks_bearer)
		{
			while (pos < size && value[pos] == ' ')
				pos++;
			if (pos < size)
				fail("no token found in \"Bearer <token>\"");
		}
	}

	free(value);
	return 0;
}
