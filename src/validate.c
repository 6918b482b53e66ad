/*-------------------------------------------------------------------------
 *
 * validate.c
 *	  Check the arguments of the functions that write, before any write.
 *
 * Each check raises SQLSTATE 22023 (or 22004 for a NULL) with a message that
 * names the argument, so nothing is half-written on bad input.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "scope.h"

/* Raise 22004 if the argument is NULL; what names it in the message. */
void
lt_require_not_null(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
}

/* Raise 22023 unless id is 1 to 64 ASCII letters, digits, '_' or '-'. */
void
lt_require_id(text *id, const char *what)
{
	if (!lt_id_valid(VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s", what),
				 errdetail("An id is 1 to %d ASCII letters, digits, \"_\" or \"-\".",
						   LT_ID_MAX_LEN)));
}

/*
 * Is there an invisible formatting character at bytes[i] (UTF-8)?  These
 * can make a name look like another: zero-width characters U+200B to
 * U+200F, bidirectional controls U+202A to U+202E and U+2066 to U+2069, and
 * the byte order mark U+FEFF.
 */
static bool
is_invisible_format(const unsigned char *bytes, int len, int i)
{
	if (i + 2 >= len)
		return false;
	if (bytes[i] == 0xE2 && bytes[i + 1] == 0x80)
		return (bytes[i + 2] >= 0x8B && bytes[i + 2] <= 0x8F) ||
			(bytes[i + 2] >= 0xAA && bytes[i + 2] <= 0xAE);
	if (bytes[i] == 0xE2 && bytes[i + 1] == 0x81)
		return bytes[i + 2] >= 0xA6 && bytes[i + 2] <= 0xA9;
	return bytes[i] == 0xEF && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF;
}

/*
 * Raise 22023 unless value has 1 to max_chars characters and no control
 * characters (C0, DEL or, in UTF-8, C1) or invisible formatting characters.
 * Used for token names and actors, which people read in lists.
 */
void
lt_require_label(text *value, const char *what, int max_chars)
{
	const unsigned char *bytes = (const unsigned char *) VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	int			chars = pg_mbstrlen_with_len((const char *) bytes, len);
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;

	if (chars < 1 || chars > max_chars)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s", what),
				 errdetail("It must have 1 to %d characters, and has %d.",
						   max_chars, chars)));

	for (int i = 0; i < len; i++)
	{
		bool		control = bytes[i] < 0x20 || bytes[i] == 0x7F;

		/* U+0080 to U+009F are C2 80 to C2 9F in UTF-8. */
		if (utf8 && bytes[i] == 0xC2 && i + 1 < len &&
			bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9F)
			control = true;

		if (control)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s", what),
					 errdetail("It must not contain control characters.")));

		if (utf8 && is_invisible_format(bytes, len, i))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s", what),
					 errdetail("It must not contain invisible formatting characters such as zero-width spaces or bidirectional controls.")));
	}
}
