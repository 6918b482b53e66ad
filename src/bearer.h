/*-------------------------------------------------------------------------
 *
 * bearer.h
 *	  Extract the token from an HTTP Authorization header value that uses
 *	  the Bearer scheme.
 *
 * Like token_format.h, this builds without PostgreSQL, so a fuzzer can link
 * bearer.c alone.  Every length is passed in; nothing here expects a
 * terminating zero byte.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LT_BEARER_H
#define LT_BEARER_H

#include <stdbool.h>
#include <stddef.h>

extern bool lt_bearer_token(const char *value, size_t value_len,
							const char **token, size_t *token_len);

#endif							/* LT_BEARER_H */
