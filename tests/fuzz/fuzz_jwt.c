/* The suite's HS256 tokens, as they arrive in Authorization headers. */
#include <string.h>

#include "arena.h"
#include "fuzz.h"
#include "jwt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "fuzz-secret-fuzz-secret-fuzz-secret!";
	struct arena a;
	struct jwt_claims c;
	const char *why;

	arena_init(&a, 8192);
	jwt_verify(&a, (const unsigned char *)key, strlen(key), (const char *)data,
	    size, 1700000000, &c, &why);
	arena_free(&a);
	return 0;
}
