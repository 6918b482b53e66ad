/*-------------------------------------------------------------------------
 *
 * loop_api.c
 *	  loop_api.trigger(jsonb): the HTTP trigger endpoint behind PostgREST.
 *
 * PostgREST runs each request in its own transaction.  It first stores the
 * request headers, with lower-cased names, as one JSON object in the
 * transaction-local setting request.headers, then calls the function with
 * the request body as its single unnamed jsonb argument (PostgREST
 * docs/references/transactions.rst and api/functions.rst, and
 * src/PostgREST/Query/PreQuery.hs).  The nginx configuration in deploy/nginx
 * has already moved the client's Authorization header into
 * X-Loop-Authorization and put the organization and loop ids from the URL
 * path into X-Loop-Org-Id and X-Loop-Id.
 *
 * This file reads those three headers, extracts the bearer token (bearer.c),
 * calls loop_tokens.trigger and maps its outcome to an HTTP status through
 * the response.status and response.headers settings, which PostgREST reads
 * after the call.  The core's errors are caught in a subtransaction, so a
 * rejected request leaves nothing behind and writes no ERROR to the log.
 *
 * Invariant: every copy of the token or of the header value that contains
 * it lives in a SecretBuffer, which is wiped with sodium_memzero when it is
 * freed or when its memory context goes away, including on error.  No
 * message, response body or log line built here contains the token.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "bearer.h"

#define HTTP_OK				200
#define HTTP_BAD_REQUEST	400
#define HTTP_UNAUTHORIZED	401
#define HTTP_FORBIDDEN		403
#define HTTP_NOT_FOUND		404
#define HTTP_PAYLOAD_TOO_LARGE	413

/* Headers read from request.headers.  PostgREST lower-cases the names. */
typedef enum RequestHeader
{
	HEADER_AUTHORIZATION,
	HEADER_ORG_ID,
	HEADER_LOOP_ID,
	HEADER_COUNT
} RequestHeader;

static const char *const header_names[HEADER_COUNT] = {
	"x-loop-authorization",
	"x-loop-org-id",
	"x-loop-id"
};

/* Bytes that may contain a token, wiped before their memory is released. */
typedef struct SecretBuffer
{
	char	   *data;
	size_t		len;
	MemoryContextCallback wipe_callback;
} SecretBuffer;

/* JSON parser state while reading request.headers. */
typedef struct HeaderCapture
{
	int			depth;			/* nesting level: 1 inside the top object */
	int			member;			/* RequestHeader of the member being read at
								 * depth 1, or -1 */
	SecretBuffer *values[HEADER_COUNT];
} HeaderCapture;

static void
secret_wipe_callback(void *arg)
{
	SecretBuffer *secret = (SecretBuffer *) arg;

	if (secret->data != NULL)
	{
		sodium_memzero(secret->data, secret->len);
		secret->data = NULL;
		secret->len = 0;
	}
}

/*
 * Allocate a SecretBuffer of len bytes in CurrentMemoryContext.  A reset
 * callback wipes it if an error releases the context before secret_free.
 */
static SecretBuffer *
secret_alloc(size_t len)
{
	SecretBuffer *secret = palloc0(sizeof(SecretBuffer));

	secret->data = palloc(len > 0 ? len : 1);
	secret->len = len;
	secret->wipe_callback.func = secret_wipe_callback;
	secret->wipe_callback.arg = secret;
	MemoryContextRegisterResetCallback(CurrentMemoryContext,
									   &secret->wipe_callback);
	return secret;
}

/* Wipe and free the bytes of a SecretBuffer.  NULL is allowed. */
static void
secret_free(SecretBuffer *secret)
{
	if (secret == NULL || secret->data == NULL)
		return;
	sodium_memzero(secret->data, secret->len);
	pfree(secret->data);
	secret->data = NULL;
	secret->len = 0;
}

static void
capture_free(HeaderCapture *capture)
{
	for (int i = 0; i < HEADER_COUNT; i++)
	{
		secret_free(capture->values[i]);
		capture->values[i] = NULL;
	}
}

static void
capture_nest(void *state)
{
	((HeaderCapture *) state)->depth++;
}

static void
capture_unnest(void *state)
{
	((HeaderCapture *) state)->depth--;
}

static void
capture_member_start(void *state, char *fname,
					 bool isnull pg_attribute_unused())
{
	HeaderCapture *capture = (HeaderCapture *) state;

	capture->member = -1;
	if (capture->depth == 1 && fname != NULL)
	{
		for (int i = 0; i < HEADER_COUNT; i++)
		{
			if (strcmp(fname, header_names[i]) == 0)
				capture->member = i;
		}
	}
	if (fname != NULL)
		pfree(fname);
}

/*
 * Keep the string value of a wanted header.  The parser hands over a
 * palloc'd copy of every scalar; each one is wiped, because the value of
 * x-loop-authorization contains the token.
 */
static void
capture_scalar(void *state, char *token, JsonTokenType tokentype)
{
	HeaderCapture *capture = (HeaderCapture *) state;
	size_t		len;

	if (token == NULL)
		return;
	len = strlen(token);

	if (capture->depth == 1 && capture->member >= 0 &&
		tokentype == JSON_TOKEN_STRING)
	{
		SecretBuffer **slot = &capture->values[capture->member];

		/* A repeated member replaces the earlier one, as in jsonb. */
		secret_free(*slot);
		*slot = secret_alloc(len);
		memcpy((*slot)->data, token, len);
	}
	capture->member = -1;

	sodium_memzero(token, len);
	pfree(token);
}

/*
 * Fill capture with the wanted headers from the request.headers setting.
 * A missing or empty setting, as outside PostgREST, means no headers.
 *
 * The JSON is parsed with the non-throwing parser in common/jsonapi.h
 * because the error messages of jsonb_in quote the input, which contains
 * the token.
 */
static void
read_request_headers(HeaderCapture *capture)
{
	const char *headers;
	JsonLexContext *lex;
	JsonSemAction sem;
	JsonParseErrorType result;

	memset(capture, 0, sizeof(HeaderCapture));
	capture->member = -1;

	headers = GetConfigOption("request.headers", true, false);
	if (headers == NULL || headers[0] == '\0')
		return;

	/* The parser only reads the string, so dropping const is safe. */
	lex = makeJsonLexContextCstringLen(unconstify(char *, headers),
									   strlen(headers),
									   GetDatabaseEncoding(), true);
	memset(&sem, 0, sizeof(sem));
	sem.semstate = capture;
	sem.object_start = capture_nest;
	sem.object_end = capture_unnest;
	sem.array_start = capture_nest;
	sem.array_end = capture_unnest;
	sem.object_field_start = capture_member_start;
	sem.scalar = capture_scalar;

	result = pg_parse_json(lex, &sem);

	/* The lexer de-escapes each string into strval, the token included. */
	sodium_memzero(lex->strval->data, lex->strval->maxlen);
	pfree(lex->strval->data);
	pfree(lex->strval);
	pfree(lex);

	if (result != JSON_SUCCESS)
	{
		capture_free(capture);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("setting \"request.headers\" is not valid JSON"),
				 errhint("PostgREST sets it; call loop_api.trigger through PostgREST.")));
	}
}

/* Set a PostgREST response setting for the rest of the transaction. */
static void
set_response_setting(const char *name, const char *value)
{
	(void) set_config_option(name, value,
							 superuser() ? PGC_SUSET : PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
}

/*
 * Set the HTTP status, and for 401 the WWW-Authenticate header, and return
 * the error body {"code": ..., "message": ...}.
 */
static Datum
error_response(int status, const char *code, const char *message)
{
	StringInfoData body;
	char		status_text[16];

	snprintf(status_text, sizeof(status_text), "%d", status);
	set_response_setting("response.status", status_text);
	if (status == HTTP_UNAUTHORIZED)
		set_response_setting("response.headers",
							 "[{\"WWW-Authenticate\": \"Bearer\"}]");

	initStringInfo(&body);
	appendStringInfoString(&body, "{\"code\": ");
	escape_json(&body, code);
	appendStringInfoString(&body, ", \"message\": ");
	escape_json(&body, message);
	appendStringInfoChar(&body, '}');

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(body.data));
}

/* One body for every token that is missing, malformed, unknown or revoked. */
static Datum
unauthorized_response(void)
{
	return error_response(HTTP_UNAUTHORIZED, "unauthorized",
						  "missing or invalid bearer token");
}

/*
 * Look up loop_tokens.trigger(text, text, text, jsonb) in the catalog.
 *
 * The lookup goes through the syscache, not regprocedurein, because the
 * web role has no USAGE on schema loop_tokens and the name lookup would
 * check it.
 */
static Oid
core_trigger_oid(void)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID};
	Oid			namespace_id;
	Oid			funcoid = InvalidOid;

	namespace_id = get_namespace_oid("loop_tokens", true);
	if (OidIsValid(namespace_id))
		funcoid = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
								  CStringGetDatum("trigger"),
								  PointerGetDatum(buildoidvector(argtypes, 4)),
								  ObjectIdGetDatum(namespace_id));
	if (!OidIsValid(funcoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function loop_tokens.trigger(text, text, text, jsonb) does not exist"),
				 errhint("Reinstall the loop_tokens extension.")));
	return funcoid;
}

/*
 * Call loop_tokens.trigger in a subtransaction and return the HTTP status
 * for its outcome: HTTP_OK with *result set, or the status for the error it
 * raised.  For HTTP_BAD_REQUEST, *message is the core's error message,
 * which never contains the token.  Errors without a mapping are re-raised,
 * and PostgREST returns them with its own status.
 *
 * The call goes through fmgr, so the web role needs EXECUTE only on
 * loop_api.trigger.  The core function is SECURITY DEFINER and still
 * requires a valid token for the organization.
 */
static int
call_core_trigger(Datum org_id, Datum loop_id, Datum token, Datum body,
				  Datum *result, char **message)
{
	MemoryContext caller_context = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;
	FmgrInfo	flinfo;
	volatile int status = HTTP_OK;

	fmgr_info(core_trigger_oid(), &flinfo);
	*message = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller_context);

	PG_TRY();
	{
		*result = FunctionCall4Coll(&flinfo, DEFAULT_COLLATION_OID,
									org_id, loop_id, token, body);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller_context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;

		switch (edata->sqlerrcode)
		{
			case ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION:
				status = HTTP_UNAUTHORIZED;
				break;
			case ERRCODE_INSUFFICIENT_PRIVILEGE:
				status = HTTP_FORBIDDEN;
				break;
			case ERRCODE_NO_DATA_FOUND:
				status = HTTP_NOT_FOUND;
				break;
			case ERRCODE_INVALID_PARAMETER_VALUE:
				status = HTTP_BAD_REQUEST;
				*message = pstrdup(edata->message);
				break;

				/*
				 * nginx limits the request body, but its jsonb form can be
				 * larger than loop_tokens.max_body_size allows.
				 */
			case ERRCODE_PROGRAM_LIMIT_EXCEEDED:
				status = HTTP_PAYLOAD_TOO_LARGE;
				break;
			default:
				ReThrowError(edata);
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();

	return status;
}

/* Copy a captured header value into a text datum. */
static Datum
header_text(const SecretBuffer *value)
{
	return PointerGetDatum(cstring_to_text_with_len(value->data,
													(int) value->len));
}

PG_FUNCTION_INFO_V1(loop_api_trigger);

/*
 * loop_api.trigger(jsonb) RETURNS jsonb
 */
Datum
loop_api_trigger(PG_FUNCTION_ARGS)
{
	HeaderCapture capture;
	SecretBuffer *authorization;
	SecretBuffer *token_text;
	const char *token;
	size_t		token_len;
	Datum		body;
	Datum		org_id;
	Datum		loop_id;
	Datum		result = (Datum) 0;
	char	   *message;
	int			status;

	/* PostgREST passes NULL for an empty request body. */
	if (PG_ARGISNULL(0))
		body = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	else
		body = PG_GETARG_DATUM(0);

	read_request_headers(&capture);

	if (capture.values[HEADER_ORG_ID] == NULL ||
		capture.values[HEADER_LOOP_ID] == NULL)
	{
		capture_free(&capture);
		return error_response(HTTP_BAD_REQUEST, "bad_request",
							  "missing X-Loop-Org-Id or X-Loop-Id header: send requests through the loop_tokens nginx configuration");
	}

	authorization = capture.values[HEADER_AUTHORIZATION];
	if (authorization == NULL ||
		!lt_bearer_token(authorization->data, authorization->len,
						 &token, &token_len))
	{
		capture_free(&capture);
		return unauthorized_response();
	}

	/* The text argument for the core contains only the token, wiped after use. */
	token_text = secret_alloc(VARHDRSZ + token_len);
	SET_VARSIZE(token_text->data, VARHDRSZ + token_len);
	memcpy(VARDATA(token_text->data), token, token_len);

	org_id = header_text(capture.values[HEADER_ORG_ID]);
	loop_id = header_text(capture.values[HEADER_LOOP_ID]);
	capture_free(&capture);

	status = call_core_trigger(org_id, loop_id,
							   PointerGetDatum(token_text->data), body,
							   &result, &message);
	secret_free(token_text);

	switch (status)
	{
		case HTTP_OK:
			PG_RETURN_DATUM(result);
		case HTTP_UNAUTHORIZED:
			return unauthorized_response();
		case HTTP_FORBIDDEN:
			return error_response(HTTP_FORBIDDEN, "forbidden",
								  "the token's scopes do not allow this loop");
		case HTTP_NOT_FOUND:
			return error_response(HTTP_NOT_FOUND, "not_found",
								  "loop not found");
		case HTTP_PAYLOAD_TOO_LARGE:
			return error_response(HTTP_PAYLOAD_TOO_LARGE, "payload_too_large",
								  "event body is too large");
		default:
			return error_response(HTTP_BAD_REQUEST, "bad_request", message);
	}
}
