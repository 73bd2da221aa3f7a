/* A page of the WorkOS Events API, as whatever answers WORKOS_API_BASE sends it. */
#include "arena.h"
#include "fuzz.h"
#include "wsync.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	static int ready;
	struct wsync_page p;
	const char *why;

	if (!ready) {
		arena_init(&a, 64 * 1024);
		ready = 1;
	}
	wsync_parse_page(&a, (const char *)data, size, &p, &why);
	arena_reset(&a);
	return 0;
}
