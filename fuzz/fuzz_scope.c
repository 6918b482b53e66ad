/*-------------------------------------------------------------------------
 *
 * fuzz_scope.c
 *	  libFuzzer target for src/scope.c.
 *
 * The input is split at its first 0xFF byte into a scope and a loop id
 * (0xFF occurs in neither in valid UTF-8).  Properties checked:
 *	- lt_id_valid accepts exactly 1 to 64 bytes of [A-Za-z0-9_-];
 *	- a scope that parses as one loop allows that loop and no other;
 *	- "loop:run" allows every loop id;
 *	- a scope that allows a loop id parses as a valid scope, and a one-loop
 *	  scope allows only a valid loop id.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scope.h"

static void
fail(const char *what)
{
	fprintf(stderr, "property violated: %s\n", what);
	abort();
}

/* Reference for lt_id_valid, written independently of it. */
static int
reference_id_valid(const char *id, size_t len)
{
	static const char alphabet[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

	if (len < 1 || len > 64)
		return 0;
	for (size_t i = 0; i < len; i++)
	{
		if (id[i] == '\0' || strchr(alphabet, id[i]) == NULL)
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *split = memchr(data, 0xFF, size);
	const char *scope = (const char *) data;
	size_t		scope_len = split ? (size_t) (split - data) : size;
	const char *loop_id = split ? (const char *) split + 1 : "";
	size_t		loop_id_len = split ? size - scope_len - 1 : 0;
	const char *parsed_id;
	size_t		parsed_len;
	LtScopeKind kind;
	int			id_valid;

	/* Copy to exact-size heap buffers so ASan sees any over-read. */
	char	   *scope_copy = malloc(scope_len ? scope_len : 1);
	char	   *loop_copy = malloc(loop_id_len ? loop_id_len : 1);

	memcpy(scope_copy, scope, scope_len);
	memcpy(loop_copy, loop_id, loop_id_len);

	id_valid = lt_id_valid(loop_copy, loop_id_len);
	if (id_valid != reference_id_valid(loop_copy, loop_id_len))
		fail("lt_id_valid disagrees with the reference");

	kind = lt_scope_parse(scope_copy, scope_len, &parsed_id, &parsed_len);
	if (kind == LT_SCOPE_KIND_LOOP)
	{
		if (!lt_id_valid(parsed_id, parsed_len))
			fail("one-loop scope carries an invalid loop id");
		if (!lt_scope_allows(scope_copy, scope_len, parsed_id, parsed_len))
			fail("one-loop scope does not allow its own loop");
		if (id_valid &&
			(parsed_len != loop_id_len ||
			 memcmp(parsed_id, loop_copy, loop_id_len) != 0) &&
			lt_scope_allows(scope_copy, scope_len, loop_copy, loop_id_len))
			fail("one-loop scope allows another loop");
	}
	else if (kind == LT_SCOPE_KIND_ALL)
	{
		if (scope_len != 8 || memcmp(scope_copy, "loop:run", 8) != 0)
			fail("scope other than loop:run parsed as every loop");
		if (!lt_scope_allows(scope_copy, scope_len, loop_copy, loop_id_len))
			fail("loop:run does not allow a loop");
	}
	else if (kind != LT_SCOPE_INVALID)
		fail("unknown scope kind");

	if (kind == LT_SCOPE_INVALID &&
		lt_scope_allows(scope_copy, scope_len, loop_copy, loop_id_len))
		fail("invalid scope allows a loop id");
	if (kind == LT_SCOPE_KIND_LOOP && !id_valid &&
		lt_scope_allows(scope_copy, scope_len, loop_copy, loop_id_len))
		fail("one-loop scope allows an invalid loop id");

	free(scope_copy);
	free(loop_copy);
	return 0;
}
