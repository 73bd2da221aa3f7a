/* A WorkOS event body (webhook or Events API element), after the signature. */
#include "arena.h"
#include "fuzz.h"
#include "wev.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	static int ready;
	struct wev ev;
	const char *why;

	if (!ready) {
		arena_init(&a, 64 * 1024);
		ready = 1;
	}
	wev_parse(&a, (const char *)data, size, &ev, &why);
	arena_reset(&a);
	return 0;
}
