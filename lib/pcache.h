/*
 * pcache.h - a process's cache of the content answers it built, each kept
 * with the version of what it was built from (sql/0008_content_versions).
 *
 * The cache decides nothing: a caller finds an entry by its key, reads the
 * current version in the same pipeline as the request's authorization,
 * and serves the entry only when the two versions are equal.  A key must
 * hold everything the answer depends on besides the rows the version
 * covers (content.c: the route, the SQL and its parameters, the query
 * string, the response format).
 *
 * Bounded: at most PCACHE_SLOTS entries and PCACHE_BYTES bytes of keys
 * and bodies in all, an answer over PCACHE_ENTRY_MAX bytes is not kept,
 * and the least recently used entries make room.  Memory is malloc-owned
 * by the cache; not thread-safe (one per process).
 */
#ifndef PCACHE_H
#define PCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

#define PCACHE_SLOTS 32
#define PCACHE_BYTES (256 * 1024)     /* keys and bodies of all entries */
#define PCACHE_ENTRY_MAX (64 * 1024)  /* key and body of one entry */
#define PCACHE_VERSION_MAX 47         /* bytes of a version's text */

struct pcache_entry {
	uint64_t hash;          /* of the key; 0 for a free slot */
	char *key;              /* keylen bytes, then the body: one allocation */
	size_t keylen;
	const char *body;       /* bodylen bytes, inside key's allocation */
	size_t bodylen;
	char version[PCACHE_VERSION_MAX + 1]; /* what the body was built at */
	/*
	 * The caller's mark: the rows changed since the answer before (the
	 * answer may not live long enough to be worth checking alone).
	 */
	bool doubt;
	unsigned long long used; /* tick of the last get or put: LRU order */
};

struct pcache {
	struct pcache_entry e[PCACHE_SLOTS];
	size_t bytes;           /* keylen + bodylen of every entry */
	unsigned long long tick;
};

/* An empty cache: a zeroed struct pcache is one too. */
void pcache_init(struct pcache *c);

/*
 * The entry of key (keylen bytes, any bytes), or NULL.  It stays valid
 * until the next pcache_put or pcache_clear.
 */
const struct pcache_entry *pcache_get(struct pcache *c, const char *key,
    size_t keylen);

/*
 * Keep body (len bytes) as key's answer at version (a NUL-terminated text
 * the caller compares, at most PCACHE_VERSION_MAX bytes), marked doubt
 * (pcache_entry), replacing key's entry if there is one, and dropping
 * least recently used entries to stay within PCACHE_SLOTS and
 * PCACHE_BYTES.  APP_OK; APP_ETOOBIG when key and
 * body together exceed PCACHE_ENTRY_MAX or version is too long (key's old
 * entry is dropped, nothing is kept); APP_ENOMEM (the same).
 */
enum app_err pcache_put(struct pcache *c, const char *key, size_t keylen,
    const char *version, bool doubt, const char *body, size_t len);

/* Drop every entry and free its memory. */
void pcache_clear(struct pcache *c);

#endif
