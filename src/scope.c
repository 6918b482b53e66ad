/*-------------------------------------------------------------------------
 *
 * scope.c
 *	  Check ids, parse scopes and decide whether a scope allows a loop.
 *
 * Every length is passed in; nothing here expects a terminating zero byte.
 *
 *-------------------------------------------------------------------------
 */
#include "scope.h"

#include <string.h>

/* An id is 1 to 64 ASCII letters, digits, '_' or '-'. */
bool
lt_id_valid(const char *id, size_t len)
{
	if (len == 0 || len > LT_ID_MAX_LEN)
		return false;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * Classify a scope.  For a one-loop scope, *loop_id and *loop_id_len are set
 * to the loop id inside the scope; the id must itself be valid.
 */
LtScopeKind
lt_scope_parse(const char *scope, size_t len,
			   const char **loop_id, size_t *loop_id_len)
{
	*loop_id = NULL;
	*loop_id_len = 0;

	if (len == LT_SCOPE_ALL_LEN && memcmp(scope, LT_SCOPE_ALL, len) == 0)
		return LT_SCOPE_KIND_ALL;

	if (len > LT_SCOPE_LOOP_PREFIX_LEN &&
		memcmp(scope, LT_SCOPE_LOOP_PREFIX, LT_SCOPE_LOOP_PREFIX_LEN) == 0 &&
		lt_id_valid(scope + LT_SCOPE_LOOP_PREFIX_LEN,
					len - LT_SCOPE_LOOP_PREFIX_LEN))
	{
		*loop_id = scope + LT_SCOPE_LOOP_PREFIX_LEN;
		*loop_id_len = len - LT_SCOPE_LOOP_PREFIX_LEN;
		return LT_SCOPE_KIND_LOOP;
	}

	return LT_SCOPE_INVALID;
}

/*
 * Does one scope allow running loop_id?  "loop:run" allows every loop;
 * "loop:run:<id>" allows exactly that id, and only when it is a valid id,
 * so a scope that mint would reject (such as "loop:run:*") allows nothing.
 * Anything else allows nothing.
 */
bool
lt_scope_allows(const char *scope, size_t scope_len,
				const char *loop_id, size_t loop_id_len)
{
	if (scope_len == LT_SCOPE_ALL_LEN &&
		memcmp(scope, LT_SCOPE_ALL, LT_SCOPE_ALL_LEN) == 0)
		return true;

	return lt_id_valid(loop_id, loop_id_len) &&
		scope_len == LT_SCOPE_LOOP_PREFIX_LEN + loop_id_len &&
		memcmp(scope, LT_SCOPE_LOOP_PREFIX, LT_SCOPE_LOOP_PREFIX_LEN) == 0 &&
		memcmp(scope + LT_SCOPE_LOOP_PREFIX_LEN, loop_id, loop_id_len) == 0;
}
