/*-------------------------------------------------------------------------
 *
 * scope.h
 *	  Organization and loop ids, and the scopes a token carries.
 *
 * Like token_format.h, this builds without PostgreSQL.  Scopes are exactly
 * "loop:run" (every loop of the token's organization) or "loop:run:<loopId>"
 * (one loop); matching is byte for byte, so case and length must agree.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LT_SCOPE_H
#define LT_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#define LT_ID_MAX_LEN		64
#define LT_SCOPE_ALL		"loop:run"
#define LT_SCOPE_ALL_LEN	8
#define LT_SCOPE_LOOP_PREFIX		"loop:run:"
#define LT_SCOPE_LOOP_PREFIX_LEN	9

typedef enum LtScopeKind
{
	LT_SCOPE_INVALID = 0,
	LT_SCOPE_KIND_ALL,
	LT_SCOPE_KIND_LOOP
} LtScopeKind;

extern bool lt_id_valid(const char *id, size_t len);
extern LtScopeKind lt_scope_parse(const char *scope, size_t len,
								  const char **loop_id, size_t *loop_id_len);
extern bool lt_scope_allows(const char *scope, size_t scope_len,
							const char *loop_id, size_t loop_id_len);

#endif							/* LT_SCOPE_H */
