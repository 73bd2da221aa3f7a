/* Query strings: qs_parse, then the query compiler on both collections. */
#include "arena.h"
#include "coll.h"
#include "cq.h"
#include "fuzz.h"
#include "qs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	json_object *q;
	struct cq out;
	struct cq_error err;

	arena_init(&a, 16384);
	if (qs_parse(&a, (const char *)data, size, &q) == APP_OK) {
		cq_compile(&a, &coll_articles, q, 1, &out, &err);
		cq_compile(&a, &coll_blog_posts, q, 2, &out, &err);
		cq_compile_fields(&a, &coll_articles, q, &out, &err);
		cq_compile_entry(&a, &coll_blog_posts, q, 3, &out, &err);
	}
	arena_free(&a);
	return 0;
}
