/* Request bodies and WorkOS answers: the bounded JSON reader. */
#include "arena.h"
#include "fuzz.h"
#include "jv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	json_object *o;
	const char *why;

	arena_init(&a, 8192);
	if (jv_parse(&a, (const char *)data, size, &o, &why) == APP_OK) {
		jv_str(o, "data");
		jv_get(jv_get(o, "user"), "email");
	}
	arena_free(&a);
	return 0;
}
