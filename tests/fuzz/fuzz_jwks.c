/* The WorkOS JWKS document and an access token checked against it. */
#include <string.h>

#include "arena.h"
#include "fuzz.h"
#include "jwks.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwks *k = NULL;
	const uint8_t *sep = memchr(data, '\n', size);
	size_t jl = sep ? (size_t)(sep - data) : size;

	/* First line: a JWKS; the rest: a token. */
	if (jwks_parse((const char *)data, jl, &k) == APP_OK && sep != NULL) {
		struct arena a;
		struct jwks_claims c;
		const char *why;

		arena_init(&a, 8192);
		jwks_verify(&a, k, (const char *)sep + 1, size - jl - 1, 1700000000,
		    "https://api.workos.com", &c, &why);
		arena_free(&a);
	}
	jwks_free(k);
	return 0;
}
