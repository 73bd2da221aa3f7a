/*
 * The claims of a WorkOS access token: the payload JSON, as jwks_verify()
 * parses it once the signature is good (which a fuzzer cannot forge, so
 * fuzz_jwks never gets this far).  Input: the payload's JSON; it is
 * base64url-encoded here as it travels.
 */
#include <stdlib.h>

#include "arena.h"
#include "b64.h"
#include "fuzz.h"
#include "jwks.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct jwks_claims c;
	const char *why;
	char *enc;

	if (size > JWKS_TOKEN_MAX)
		return 0;
	enc = malloc(B64URL_LEN(size) + 1);
	if (enc == NULL)
		return 0;
	b64url_encode(enc, data, size);
	arena_init(&a, 8192);
	jwks_claims(&a, enc, B64URL_LEN(size), 1700000000, "https://api.workos.com",
	    &c, &why);
	arena_reset(&a);
	/* Without an issuer to match, the claims after iss are reached too. */
	jwks_claims(&a, enc, B64URL_LEN(size), 1700000000, NULL, &c, &why);
	arena_free(&a);
	free(enc);
	return 0;
}
