/*
 * make_tokens: print well-formed loop_tokens tokens for the benchmark.
 *
 * Usage: make_tokens FIRST COUNT
 * Prints COUNT lines "i<TAB>token" with i running from FIRST, in the format
 * COPY reads.  Tokens are composed by the core's own lt_token_compose from
 * 32 bytes of /dev/urandom each, so they pass verify's format and checksum
 * checks exactly as minted tokens do.  This is far faster than calling
 * loop_tokens.mint a million times, and the plaintext never leaves the
 * throwaway benchmark cluster.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token_format.h"

int
main(int argc, char **argv)
{
	unsigned char secret[LT_TOKEN_SECRET_BYTES];
	char		token[LT_TOKEN_LEN];
	long		first;
	long		count;
	char	   *end;
	FILE	   *urandom;

	if (argc != 3)
	{
		fprintf(stderr, "usage: make_tokens FIRST COUNT\n");
		return 2;
	}
	errno = 0;
	first = strtol(argv[1], &end, 10);
	if (errno != 0 || *end != '\0')
	{
		fprintf(stderr, "make_tokens: invalid FIRST \"%s\": expected an integer\n", argv[1]);
		return 2;
	}
	count = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || count < 0)
	{
		fprintf(stderr, "make_tokens: invalid COUNT \"%s\": expected a non-negative integer\n", argv[2]);
		return 2;
	}

	urandom = fopen("/dev/urandom", "rb");
	if (urandom == NULL)
	{
		perror("make_tokens: /dev/urandom");
		return 1;
	}

	for (long i = first; i < first + count; i++)
	{
		if (fread(secret, 1, sizeof(secret), urandom) != sizeof(secret))
		{
			fprintf(stderr, "make_tokens: short read from /dev/urandom\n");
			return 1;
		}
		lt_token_compose(secret, token);
		printf("%ld\t%.*s\n", i, LT_TOKEN_LEN, token);
	}

	fclose(urandom);
	if (fflush(stdout) != 0)
	{
		perror("make_tokens: stdout");
		return 1;
	}
	return 0;
}
