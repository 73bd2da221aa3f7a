/*
 * arena.h - per-request memory.
 *
 * Everything a request allocates comes from one arena, released in one go
 * by arena_reset() at the bottom of the request loop, so a process that
 * serves any number of requests keeps flat memory.  Resources the arena did
 * not allocate (PGresult, json-c trees, curl lists) are registered with
 * arena_defer() and released by the same reset, last registered first.
 *
 * The first block is kept across resets (it is the common case); larger
 * blocks made for one big request are returned to the system.
 *
 * Built with -DARENA_MALLOC (the fuzz targets and their corpus replays),
 * every allocation is instead its own malloc() block of exactly the size
 * asked for, all freed by the reset: AddressSanitizer then sees a read or
 * write past any allocation, which inside a shared block it cannot.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_block;
struct arena_defer;

struct arena {
	struct arena_block *head;   /* current block, newest first */
	struct arena_defer *defers; /* release callbacks, newest first */
	size_t block_size;          /* size of an ordinary block */
	size_t used_total;          /* bytes handed out since the last reset */
	size_t limit;               /* 0 or a cap on used_total */
};

/* Prepare an arena whose ordinary blocks hold block_size bytes. */
void arena_init(struct arena *a, size_t block_size);

/*
 * Return size bytes aligned for any type, or NULL when the system is out of
 * memory or the arena's limit would be passed.  The memory lives until the
 * next arena_reset() or arena_free().
 */
void *arena_alloc(struct arena *a, size_t size);

/* As arena_alloc(), zero-filled. */
void *arena_calloc(struct arena *a, size_t n, size_t size);

/* A NUL-terminated copy of the len bytes at s (which may hold no NUL). */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);

/*
 * Call fn(ptr) at the next reset.  Returns 0, or -1 when the record could
 * not be allocated, in which case fn(ptr) has already been called, so the
 * caller never leaks what it meant to hand over.
 */
int arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

/*
 * The capacity for an array on the arena that holds cap elements and needs
 * room for need: doubled from cap (from first when it is 0) until need
 * fits; in the fuzz build exactly need, so a read past the last element
 * is a read past the allocation, which ASan reports.
 */
static inline size_t
arena_grow_cap(size_t cap, size_t need, size_t first)
{
#ifdef ARENA_MALLOC
	(void)cap, (void)first;
	return need;
#else
	size_t ncap = cap ? cap : first;

	while (ncap < need)
		ncap *= 2;
	return ncap;
#endif
}

/* Run the deferred callbacks and release everything but the first block. */
void arena_reset(struct arena *a);

/* arena_reset() and release the first block too. */
void arena_free(struct arena *a);

#endif
