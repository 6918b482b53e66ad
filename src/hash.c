/*-------------------------------------------------------------------------
 *
 * hash.c
 *	  Hash tokens for storage and lookup, with an optional server key.
 *
 * Only a hash of a token is ever stored, and the row records which scheme
 * made it (tokens.hash_version):
 *
 *	1	BLAKE2b-256 (libsodium's crypto_generichash) personalised with
 *		"lpt-token-hash.1", without a key.  Anyone who can run it can compute
 *		the hash of a token they made up.
 *	2	BLAKE2b-256 keyed with the 32-byte server key and personalised with
 *		"lpt-token-hash.2".  Without the key, no one can compute the hash
 *		of a token, so a row written straight into the tokens table does not
 *		make a working token.
 *
 * The key is read from the file that loop_tokens.hash_key_file names, once,
 * when the postmaster loads the library through shared_preload_libraries;
 * backends inherit it.  It lives in this file's static memory only and is
 * never returned to SQL.  loop_tokens.previous_hash_key_file names the key
 * being rotated out: verify still accepts hashes made with it, mint never
 * uses it.
 *
 *-------------------------------------------------------------------------
 */
#include "loop_tokens.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/fd.h"

#define LT_HASH_KEY_LEN		crypto_generichash_blake2b_KEYBYTES
#define LT_HASH_KEY_HEX_LEN	(2 * LT_HASH_KEY_LEN)

/* Largest key file read: 64 hex digits and some trailing white space. */
#define LT_HASH_KEY_FILE_MAX	128

/* BLAKE2b personalisations; exactly 16 bytes each. */
static const unsigned char hash_personal_v1[crypto_generichash_blake2b_PERSONALBYTES] =
"lpt-token-hash.1";
static const unsigned char hash_personal_v2[crypto_generichash_blake2b_PERSONALBYTES] =
"lpt-token-hash.2";

/* The current and the previous key, locked in memory where the OS allows. */
typedef struct HashKeys
{
	unsigned char current[LT_HASH_KEY_LEN];
	unsigned char previous[LT_HASH_KEY_LEN];
} HashKeys;

static HashKeys hash_keys;
static bool current_key_loaded = false;
static bool previous_key_loaded = false;

/* A key file is set, but the postmaster did not load the library. */
static bool hash_key_not_preloaded = false;

/* Raise 55000 if a key file is set but could not be loaded at start-up. */
static void
require_key_state(void)
{
	if (hash_key_not_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("loop_tokens.hash_key_file is set, but loop_tokens was not loaded at server start"),
				 errhint("Add loop_tokens to shared_preload_libraries and restart the server.")));
}

/*
 * Read the 32-byte key from path into key, or raise an error that names the
 * setting.  The file must be a regular file owned by the server's user with
 * no permissions for group or others.  It contains the key either as 32 raw
 * bytes or as 64 hexadecimal digits, optionally followed by white space.
 */
static void
read_key_file(const char *setting, const char *path,
			  unsigned char key[LT_HASH_KEY_LEN])
{
	char		buf[LT_HASH_KEY_FILE_MAX + 1];
	struct stat st;
	ssize_t		nread;
	size_t		len;
	size_t		key_len = 0;
	int			fd;
	bool		valid = false;

	if (!is_absolute_path(path))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("%s must be an absolute path", setting)));

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open key file \"%s\" named by %s: %m",
						path, setting)));

	/* Check the opened file, so that the checks and the read see the same one. */
	if (fstat(fd, &st) != 0)
	{
		int			save_errno = errno;

		close(fd);
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat key file \"%s\": %m", path)));
	}
	if (!S_ISREG(st.st_mode))
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("key file \"%s\" is not a regular file", path)));
	}
	if (st.st_uid != geteuid())
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("key file \"%s\" must be owned by the database server user", path),
				 errhint("Change its owner to the user the server runs as, for example with chown postgres.")));
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("key file \"%s\" is accessible by group or others", path),
				 errdetail("Its permissions are %04o.", (unsigned) (st.st_mode & 07777)),
				 errhint("Run chmod 0600 on the file.")));
	}

	nread = read(fd, buf, sizeof(buf));
	if (nread < 0)
	{
		int			save_errno = errno;

		close(fd);
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read key file \"%s\": %m", path)));
	}
	close(fd);
	len = (size_t) nread;

	if (len == LT_HASH_KEY_LEN)
	{
		memcpy(key, buf, LT_HASH_KEY_LEN);
		valid = true;
	}
	else if (len <= LT_HASH_KEY_FILE_MAX)
	{
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
						   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
			len--;
		valid = len == LT_HASH_KEY_HEX_LEN &&
			sodium_hex2bin(key, LT_HASH_KEY_LEN, buf, len, NULL, &key_len, NULL) == 0 &&
			key_len == LT_HASH_KEY_LEN;
	}
	sodium_memzero(buf, sizeof(buf));

	if (valid && sodium_is_zero(key, LT_HASH_KEY_LEN))
	{
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("key file \"%s\" contains an all-zero key", path),
				 errhint("Generate a key with: head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'")));
	}
	if (!valid)
	{
		sodium_memzero(key, LT_HASH_KEY_LEN);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("invalid key file \"%s\"", path),
				 errdetail("A key file contains 32 raw bytes or 64 hexadecimal digits."),
				 errhint("Generate a key with: head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'")));
	}
}

/*
 * Load the keys named by the settings.  Called by _PG_init: preloading is
 * true when the postmaster loads the library through shared_preload_libraries,
 * the only time the key files are read.  An error here stops the server from
 * starting, which is better than minting tokens under the wrong scheme.
 */
void
lt_hash_load_keys(bool preloading)
{
	bool		current_set = lt_hash_key_file != NULL && lt_hash_key_file[0] != '\0';
	bool		previous_set = lt_previous_hash_key_file != NULL &&
		lt_previous_hash_key_file[0] != '\0';

	if (!current_set && !previous_set)
		return;

	if (!preloading)
	{
		/* Reported by every call that hashes, see require_key_state. */
		hash_key_not_preloaded = true;
		return;
	}

	if (!current_set)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("loop_tokens.previous_hash_key_file is set without loop_tokens.hash_key_file"),
				 errhint("The previous key is only accepted during a rotation to a new key; set the new key in loop_tokens.hash_key_file.")));

	/* Keep the keys out of swap and core dumps when the OS allows it. */
	(void) sodium_mlock(&hash_keys, sizeof(hash_keys));

	read_key_file("loop_tokens.hash_key_file", lt_hash_key_file,
				  hash_keys.current);
	current_key_loaded = true;

	if (previous_set)
	{
		read_key_file("loop_tokens.previous_hash_key_file",
					  lt_previous_hash_key_file, hash_keys.previous);
		if (sodium_memcmp(hash_keys.current, hash_keys.previous, LT_HASH_KEY_LEN) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("loop_tokens.previous_hash_key_file contains the same key as loop_tokens.hash_key_file"),
					 errhint("Put the new key in loop_tokens.hash_key_file and the old one in loop_tokens.previous_hash_key_file.")));
		previous_key_loaded = true;
	}
}

/* Hash token[0..len) into out under BLAKE2b with key (or none) and personal. */
static void
hash_with(const char *token, size_t len, const unsigned char *key,
		  const unsigned char *personal, unsigned char out[LT_HASH_LEN])
{
	if (crypto_generichash_blake2b_salt_personal(out, LT_HASH_LEN,
												 (const unsigned char *) token, len,
												 key, key == NULL ? 0 : LT_HASH_KEY_LEN,
												 NULL, personal) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not hash token")));
}

/*
 * Hash token[0..len) into out with the scheme mint uses now, and return that
 * scheme's hash_version: 2 when a key is loaded, 1 otherwise.
 */
int16
lt_hash_token(const char *token, size_t len, unsigned char out[LT_HASH_LEN])
{
	require_key_state();

	if (current_key_loaded)
	{
		hash_with(token, len, hash_keys.current, hash_personal_v2, out);
		return LT_HASH_VERSION_KEYED;
	}
	hash_with(token, len, NULL, hash_personal_v1, out);
	return LT_HASH_VERSION_PLAIN;
}

/*
 * Compute the hash that verify probes for in its attempt number attempt
 * (0, 1, ...), and return the hash_version a matching row must have, or 0
 * when there are no more attempts.  The order is: the current key, the
 * previous key, then the unkeyed scheme.  With a key loaded, unkeyed hashes
 * are tried only while loop_tokens.accept_unkeyed_hashes is on.  Hashes are
 * computed one at a time, so a known token costs one hash.
 */
int16
lt_hash_for_lookup(int attempt, const char *token, size_t len,
				   unsigned char out[LT_HASH_LEN])
{
	require_key_state();

	if (current_key_loaded)
	{
		if (attempt == 0)
		{
			hash_with(token, len, hash_keys.current, hash_personal_v2, out);
			return LT_HASH_VERSION_KEYED;
		}
		attempt--;
		if (previous_key_loaded)
		{
			if (attempt == 0)
			{
				hash_with(token, len, hash_keys.previous, hash_personal_v2, out);
				return LT_HASH_VERSION_KEYED;
			}
			attempt--;
		}
		if (!lt_accept_unkeyed_hashes)
			return 0;
	}

	if (attempt == 0)
	{
		hash_with(token, len, NULL, hash_personal_v1, out);
		return LT_HASH_VERSION_PLAIN;
	}
	return 0;
}

PG_FUNCTION_INFO_V1(lt_hash);

/* loop_tokens.hash(token text) RETURNS bytea */
Datum
lt_hash(PG_FUNCTION_ARGS)
{
	Datum		arg = PG_GETARG_DATUM(0);
	text	   *token = PG_GETARG_TEXT_PP(0);
	bytea	   *result;
	LtTokenCheck check;

	/* Hashing a string that is not a token is a mistake worth reporting. */
	check = lt_token_check(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token));
	if (check != LT_TOKEN_OK)
	{
		lt_release_token_arg(token, arg);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed token"),
				 check == LT_TOKEN_BAD_CHECKSUM ?
				 errhint("The checksum in the last 6 characters does not match: the token was mistyped or changed.") :
				 errhint("A token is \"lpt_\" followed by 49 letters and digits.")));
	}

	result = palloc(VARHDRSZ + LT_HASH_LEN);
	SET_VARSIZE(result, VARHDRSZ + LT_HASH_LEN);
	PG_TRY();
	{
		(void) lt_hash_token(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token),
							 (unsigned char *) VARDATA(result));
	}
	PG_FINALLY();
	{
		lt_release_token_arg(token, arg);
	}
	PG_END_TRY();

	PG_RETURN_BYTEA_P(result);
}
