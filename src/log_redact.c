/*-------------------------------------------------------------------------
 *
 * log_redact.c
 *	  Mask tokens in every message the server logs or sends.
 *
 * PostgreSQL itself copies text into the server log that this extension
 * never receives: the statement under log_statement, the values of bind
 * parameters ("DETAIL: parameters: $1 = '...'", unless
 * log_parameter_max_length is 0), and plans under auto_explain.  An
 * emit_log_hook masks, in place, everything after the first four
 * characters of "lpt_" followed by more than four letters and digits, so
 * "lpt_AbCd" (the prefix that the tokens table stores in the clear) stays
 * and the secret part becomes '*'.
 *
 * The hook only sees messages of processes that have loaded the library, so
 * it covers every statement only when loop_tokens is in
 * shared_preload_libraries.  It cannot change the statement text that the
 * server prints after an error ("STATEMENT: ..."), so it suppresses that
 * line when the statement contains a token; nor can it change
 * pg_stat_activity.query.  Passing tokens as bind parameters keeps them out
 * of both.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include "tcop/tcopprot.h"
#include "utils/elog.h"

/* Characters of a token that stay visible after "lpt_". */
#define LT_REDACT_KEEP_CHARS	(LT_TOKEN_PREFIX_LEN - LT_TOKEN_SCHEME_LEN)

static emit_log_hook_type previous_emit_log_hook = NULL;

static bool
is_token_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		(c >= 'a' && c <= 'z');
}

/*
 * Find the next token-like string at or after text: "lpt_" followed by more
 * than LT_REDACT_KEEP_CHARS token characters.  Returns a pointer to its
 * first character after "lpt_", with *run_len the length of that run, or
 * NULL when there is none.
 */
static char *
find_token_run(const char *text, size_t *run_len)
{
	const char *p = text;

	while ((p = strstr(p, LT_TOKEN_SCHEME)) != NULL)
	{
		const char *run = p + LT_TOKEN_SCHEME_LEN;
		size_t		len = 0;

		while (is_token_char(run[len]))
			len++;
		if (len > LT_REDACT_KEEP_CHARS)
		{
			*run_len = len;
			return unconstify(char *, run);
		}
		p = run;
	}
	return NULL;
}

/* Overwrite, in place, the secret part of every token-like string in text. */
static void
mask_tokens(char *text)
{
	char	   *run;
	size_t		len;

	if (text == NULL)
		return;
	while ((run = find_token_run(text, &len)) != NULL)
	{
		memset(run + LT_REDACT_KEEP_CHARS, '*', len - LT_REDACT_KEEP_CHARS);
		text = run + len;
	}
}

static void
lt_emit_log_hook(ErrorData *edata)
{
	size_t		len;

	mask_tokens(edata->message);
	mask_tokens(edata->detail);
	mask_tokens(edata->detail_log);
	mask_tokens(edata->hint);
	mask_tokens(edata->context);
	mask_tokens(edata->internalquery);

	if (edata->output_to_server && debug_query_string != NULL &&
		find_token_run(debug_query_string, &len) != NULL)
		edata->hide_stmt = true;

	if (previous_emit_log_hook)
		previous_emit_log_hook(edata);
}

/* Install the hook; _PG_init calls this once per process. */
void
lt_install_log_redaction(void)
{
	previous_emit_log_hook = emit_log_hook;
	emit_log_hook = lt_emit_log_hook;
}
