/*
 * test_arena.c - arena.h: alignment, blocks, huge allocations, limits,
 * deferred callbacks, and flat memory over many request cycles.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "t.h"

/*
 * arena.h leaves struct arena_block opaque; the flat-memory checks need to
 * walk the block list, so this mirrors the layout in arena.c (only next,
 * size and used are read).
 */
struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

static int
count_blocks(const struct arena *a)
{
	int n = 0;

	for (const struct arena_block *b = a->head; b != NULL; b = b->next)
		n++;
	return n;
}

static int
aligned16(const void *p)
{
	return ((uintptr_t)p & 15u) == 0;
}

/* Deferred-callback bookkeeping. */
static int defer_log[16];
static int defer_n;

static void
record_defer(void *p)
{
	if (defer_n < (int)(sizeof(defer_log) / sizeof(defer_log[0])))
		defer_log[defer_n] = *(int *)p;
	defer_n++;
}

static long cycle_defers;

static void
count_defer(void *p)
{
	(void)p;
	cycle_defers++;
}

static void
free_defer(void *p)
{
	free(p);
}

static void
test_alignment(void)
{
	struct arena a;
	int ok = 1;

	arena_init(&a, 4096);
	for (size_t sz = 0; sz < 200; sz++) {
		unsigned char *p = arena_alloc(&a, sz);

		if (p == NULL || !aligned16(p)) {
			ok = 0;
			break;
		}
		memset(p, 0xab, sz ? sz : 1);
	}
	T_OK("arena_alloc: sizes 0..199 all 16-byte aligned", ok);
	{
		long double *ld = arena_alloc(&a, sizeof(long double));
		char *c = arena_alloc(&a, 1);
		void *d = arena_alloc(&a, 1);

		T_OK("arena_alloc: long double aligned", ld != NULL && aligned16(ld));
		T_OK("arena_alloc: after a 1-byte alloc the next one is aligned",
		    c != NULL && d != NULL && aligned16(d));
		T_OK("arena_alloc: consecutive small allocations do not overlap",
		    (char *)d - c >= 1);
	}
	T_OK("arena_alloc: used_total counts rounded sizes", a.used_total % 16 == 0);
	arena_free(&a);
	T_OK("arena_free: head is NULL", a.head == NULL);
}

static void
test_many_small(void)
{
	struct arena a;
	enum { N = 2000, SZ = 24 };
	unsigned char *ptrs[N];
	int ok = 1;

	arena_init(&a, 1024);
	for (int i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(&a, SZ);
		if (ptrs[i] == NULL || !aligned16(ptrs[i])) {
			ok = 0;
			break;
		}
		memset(ptrs[i], i & 0xff, SZ);
	}
	T_OK("many small: all allocations succeed and are aligned", ok);
	T_OK("many small: spread over several blocks", count_blocks(&a) > 1);
	ok = 1;
	for (int i = 0; ok && i < N; i++)
		for (int j = 0; j < SZ; j++)
			if (ptrs[i][j] != (unsigned char)(i & 0xff)) {
				ok = 0;
				break;
			}
	T_OK("many small: no allocation overwrote another", ok);
	T_INT("many small: used_total", a.used_total, (size_t)N * 32);
	arena_reset(&a);
	T_OK("many small: reset keeps at most one block", count_blocks(&a) <= 1);
	T_INT("many small: reset clears used_total", a.used_total, 0);
	arena_free(&a);
}

static void
test_huge(void)
{
	struct arena a;
	unsigned char *small1, *small2, *big, *after;
	size_t bigsz = 1024 * 1024 + 3;
	int ok = 1;

	arena_init(&a, 1024);
	small1 = arena_alloc(&a, 100);
	memset(small1, 0x11, 100);
	big = arena_alloc(&a, bigsz);
	T_OK("huge: allocation bigger than a block succeeds", big != NULL);
	T_OK("huge: aligned", big != NULL && aligned16(big));
	if (big != NULL)
		memset(big, 0x22, bigsz);
	small2 = arena_alloc(&a, 100);
	T_OK("huge: small allocation after a huge one", small2 != NULL);
	if (small2 != NULL)
		memset(small2, 0x33, 100);
	for (size_t i = 0; i < 100; i++)
		if (small1[i] != 0x11 || (small2 && small2[i] != 0x33))
			ok = 0;
	for (size_t i = 0; big && i < bigsz; i++)
		if (big[i] != 0x22) {
			ok = 0;
			break;
		}
	T_OK("huge: contents intact", ok);
	/* A huge allocation into a fresh arena, then another. */
	arena_reset(&a);
	T_OK("huge: reset leaves at most one block", count_blocks(&a) <= 1);
	T_OK("huge: the kept block is an ordinary one",
	    a.head == NULL || a.head->size == a.block_size);
	arena_free(&a);

	arena_init(&a, 1024);
	big = arena_alloc(&a, 100000);
	after = arena_alloc(&a, 10);
	T_OK("huge first: allocation and a small one after it",
	    big != NULL && after != NULL && aligned16(after));
	arena_reset(&a);
	T_OK("huge first: reset frees the oversized block",
	    count_blocks(&a) <= 1 &&
	    (a.head == NULL || a.head->size == a.block_size));
	after = arena_alloc(&a, 10);
	T_OK("huge first: usable after reset", after != NULL);
	arena_free(&a);

	/* Sizes so large they overflow the rounding must fail, not wrap. */
	arena_init(&a, 1024);
	T_OK("huge: SIZE_MAX fails", arena_alloc(&a, SIZE_MAX) == NULL);
	T_OK("huge: SIZE_MAX - 8 fails", arena_alloc(&a, SIZE_MAX - 8) == NULL);
	T_OK("huge: SIZE_MAX - 16 fails", arena_alloc(&a, SIZE_MAX - 16) == NULL);
	T_OK("huge: still usable after failures", arena_alloc(&a, 8) != NULL);
	arena_free(&a);
}

static void
test_reset_and_defer(void)
{
	struct arena a;
	int vals[4] = { 1, 2, 3, 4 };
	char *p, *first_block;

	arena_init(&a, 512);
	p = arena_alloc(&a, 64);
	first_block = (char *)a.head;
	for (int i = 0; i < 4; i++)
		T_INT("arena_defer: returns 0", arena_defer(&a, record_defer, &vals[i]), 0);
	/* Fill several blocks so reset has something to release. */
	for (int i = 0; i < 50; i++)
		arena_alloc(&a, 100);
	T_INT("defer: nothing runs before reset", defer_n, 0);
	arena_reset(&a);
	T_INT("defer: each callback ran once", defer_n, 4);
	T_OK("defer: last registered runs first",
	    defer_log[0] == 4 && defer_log[1] == 3 && defer_log[2] == 2 &&
	    defer_log[3] == 1);
	T_OK("reset: defers list emptied", a.defers == NULL);
	arena_reset(&a);
	T_INT("defer: a second reset runs nothing again", defer_n, 4);
	T_OK("reset: first block kept", (char *)a.head == first_block);
	T_OK("reset: one block left", count_blocks(&a) == 1);
	p = arena_alloc(&a, 64);
	T_OK("reset: memory usable after reset", p != NULL);
	if (p != NULL)
		memset(p, 0x5a, 64);
	T_OK("reset: allocations start at the kept block again",
	    p == (char *)a.head->data);

	/* A deferred free of malloc'd memory (checked by LeakSanitizer). */
	T_INT("defer: free callback registered",
	    arena_defer(&a, free_defer, malloc(100)), 0);
	arena_free(&a);
	T_OK("arena_free: no blocks, no defers", a.head == NULL && a.defers == NULL);
}

static void
test_limit(void)
{
	struct arena a;
	void *p;

	arena_init(&a, 1024);
	a.limit = 100;
	p = arena_alloc(&a, 64);
	T_OK("limit: 64 of 100 allowed", p != NULL);
	T_OK("limit: 48 more (112 > 100) refused", arena_alloc(&a, 48) == NULL);
	T_OK("limit: 32 more (96) allowed", arena_alloc(&a, 32) != NULL);
	T_OK("limit: 1 more (rounded to 16, 112) refused", arena_alloc(&a, 1) == NULL);
	T_OK("limit: allocation bigger than the limit refused",
	    arena_alloc(&a, 1000) == NULL);
	T_OK("limit: SIZE_MAX refused", arena_alloc(&a, SIZE_MAX) == NULL);
	T_OK("limit: strndup past limit refused",
	    arena_strndup(&a, "abc", 3) == NULL);
	T_OK("limit: calloc past limit refused", arena_calloc(&a, 4, 4) == NULL);
	arena_reset(&a);
	T_OK("limit: reset restores the budget", arena_alloc(&a, 96) != NULL);
	T_OK("limit: 4 more (rounded to 16, 112) refused", arena_alloc(&a, 4) == NULL);
	arena_reset(&a);
	a.limit = 112;
	T_OK("limit: 96 of 112", arena_alloc(&a, 96) != NULL);
	T_OK("limit: exact fit at the limit", arena_alloc(&a, 16) != NULL);
	T_OK("limit: nothing past the limit", arena_alloc(&a, 1) == NULL);
	arena_free(&a);
}

static void
test_strndup_calloc(void)
{
	struct arena a;
	char raw[5] = { 'a', 'b', '\0', 'c', 'd' };
	char nonul[3] = { 'x', 'y', 'z' };
	char *s;
	unsigned char *z, *fill;
	int ok = 1;

	arena_init(&a, 256);
	s = arena_strndup(&a, raw, 5);
	T_OK("strndup: embedded NUL copied whole",
	    s != NULL && memcmp(s, "ab\0cd", 6) == 0);
	s = arena_strndup(&a, nonul, 3);
	T_STREQ("strndup: source without NUL", s, "xyz");
	s = arena_strndup(&a, "hello", 0);
	T_STREQ("strndup: zero length", s, "");
	s = arena_strndup(&a, "hello world", 5);
	T_STREQ("strndup: prefix", s, "hello");
	T_OK("strndup: SIZE_MAX refused", arena_strndup(&a, "x", SIZE_MAX) == NULL);
	s = arena_strdup(&a, "dup me");
	T_STREQ("strdup", s, "dup me");

	/* Dirty the kept block, reset, then calloc must zero reused memory. */
	arena_reset(&a);
	fill = arena_alloc(&a, 200);
	memset(fill, 0xff, 200);
	arena_reset(&a);
	z = arena_calloc(&a, 50, 4);
	T_OK("calloc: reuses the dirtied block", z == fill);
	for (int i = 0; z != NULL && i < 200; i++)
		if (z[i] != 0)
			ok = 0;
	T_OK("calloc: zero-filled", z != NULL && ok);
	z = arena_calloc(&a, 1000, 10); /* bigger than a block */
	ok = z != NULL;
	for (int i = 0; z != NULL && i < 10000; i++)
		if (z[i] != 0)
			ok = 0;
	T_OK("calloc: large zero-filled", ok);
	T_OK("calloc: n*size overflow refused",
	    arena_calloc(&a, SIZE_MAX / 2 + 1, 2) == NULL);
	T_OK("calloc: n*size overflow refused (swapped)",
	    arena_calloc(&a, 2, SIZE_MAX / 2 + 1) == NULL);
	T_OK("calloc: SIZE_MAX x SIZE_MAX refused",
	    arena_calloc(&a, SIZE_MAX, SIZE_MAX) == NULL);
	T_OK("calloc: 0 elements gives a pointer", arena_calloc(&a, 0, 8) != NULL);
	T_OK("calloc: 0 size gives a pointer", arena_calloc(&a, 8, 0) != NULL);
	arena_free(&a);
}

static void
test_cycles(void)
{
	struct arena a;
	unsigned seed = 12345;
	int max_blocks = 0, bad_kept = 0, null_allocs = 0;

	arena_init(&a, 8192);
	for (int cycle = 0; cycle < 100000; cycle++) {
		int nallocs = 1 + (int)(seed % 8);

		for (int k = 0; k < nallocs; k++) {
			size_t sz;
			unsigned char *p;

			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 10) {
			case 0:
				sz = 8192 + (seed >> 8) % 70000; /* large */
				break;
			case 1:
				sz = 8192 - (seed >> 8) % 300; /* near a block */
				break;
			case 2:
				sz = 1000 + (seed >> 8) % 4000;
				break;
			default:
				sz = (seed >> 8) % 200;
			}
			p = arena_alloc(&a, sz);
			if (p == NULL) {
				null_allocs++;
				continue;
			}
			p[0] = (unsigned char)k;
			if (sz > 1)
				p[sz - 1] = (unsigned char)k;
		}
		if (cycle % 10 == 0)
			arena_defer(&a, count_defer, NULL);
		arena_reset(&a);
		if (count_blocks(&a) > max_blocks)
			max_blocks = count_blocks(&a);
		if (a.head != NULL && a.head->size != a.block_size)
			bad_kept++;
	}
	T_INT("cycles: no allocation failed", null_allocs, 0);
	T_OK("cycles: at most one block after every reset", max_blocks <= 1);
	T_OK("cycles: head is at most one block at the end", count_blocks(&a) <= 1);
	T_INT("cycles: the kept block is always ordinary-sized", bad_kept, 0);
	T_INT("cycles: every deferred callback ran once", cycle_defers, 10000);
	T_INT("cycles: used_total reset", a.used_total, 0);
	arena_free(&a);
}

int
main(void)
{
	test_alignment();
	test_many_small();
	test_huge();
	test_reset_and_defer();
	test_limit();
	test_strndup_calloc();
	test_cycles();
	return T_DONE();
}
