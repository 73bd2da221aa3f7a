#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define ARENA_ALIGN 16

#ifdef ARENA_MALLOC
#define ARENA_ONE_PER_ALLOC 1
#else
#define ARENA_ONE_PER_ALLOC 0
#endif

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *ptr;
};

void
arena_init(struct arena *a, size_t block_size)
{
	memset(a, 0, sizeof(*a));
	a->block_size = block_size ? block_size : 8192;
}

static struct arena_block *
block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b == NULL) {
		log_msg(LOG_ERR, "could not allocate %zu bytes", size);
		return NULL;
	}
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/*
 * The bytes an allocation of *size (0 counts as 1) takes, aligned, or 0
 * when it cannot be had: too large, or past the arena's limit.
 */
static size_t
aligned_need(const struct arena *a, size_t *size)
{
	size_t need;

	if (*size == 0)
		*size = 1;
	if (*size > SIZE_MAX - ARENA_ALIGN)
		return 0;
	need = (*size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (a->limit != 0 && (need > a->limit || a->used_total > a->limit - need))
		return 0;
	return need;
}

#ifdef ARENA_MALLOC
/*
 * The fuzz build: every allocation is a block of its own, exactly the size
 * asked for, so AddressSanitizer's redzones sit right behind each string
 * and catch a read or write one byte past it.  The accounting (used_total,
 * limit) is the same as the pooled arena's.
 */
void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b;
	size_t need;

	if ((need = aligned_need(a, &size)) == 0)
		return NULL;
	b = block_new(size);
	if (b == NULL)
		return NULL;
	b->used = size;
	b->next = a->head;
	a->head = b;
	a->used_total += need;
	return b->data;
}
#else
void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b;
	size_t need;
	void *p;

	if ((need = aligned_need(a, &size)) == 0)
		return NULL;

	b = a->head;
	if (b == NULL || b->size - b->used < need) {
		size_t bs = need > a->block_size ? need : a->block_size;
		struct arena_block *nb = block_new(bs);

		if (nb == NULL)
			return NULL;
		/*
		 * An oversized block goes behind the current one so the
		 * current block's free space is still used by later calls.
		 */
		if (b != NULL && bs > a->block_size && b->size - b->used > 256) {
			nb->next = b->next;
			b->next = nb;
			nb->used = need;
			a->used_total += need;
			return nb->data;
		}
		nb->next = b;
		a->head = b = nb;
	}
	p = b->data + b->used;
	b->used += need;
	a->used_total += need;
	return p;
}
#endif

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

int
arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct arena_defer *d;

	/* Kept off the arena's blocks so a limit never strands a resource. */
	d = malloc(sizeof(*d));
	if (d == NULL) {
		fn(ptr);
		return -1;
	}
	d->fn = fn;
	d->ptr = ptr;
	d->next = a->defers;
	a->defers = d;
	return 0;
}

static void
run_defers(struct arena *a)
{
	while (a->defers != NULL) {
		struct arena_defer *d = a->defers;

		a->defers = d->next;
		d->fn(d->ptr);
		free(d);
	}
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *keep = NULL;

	run_defers(a);
	/*
	 * Keep one ordinary-sized block: the oldest is the first one made
	 * (none in the fuzz build, where no block is ordinary).
	 */
	for (b = a->head; b != NULL;) {
		struct arena_block *next = b->next;

		if (!ARENA_ONE_PER_ALLOC && keep == NULL && next == NULL &&
		    b->size == a->block_size)
			keep = b;
		else
			free(b);
		b = next;
	}
	if (keep != NULL) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used_total = 0;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}
