/*
 * pcache.c - see pcache.h.  A handful of entries, looked up by a linear
 * scan of their hashes: 32 compares cost less than a page's JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "pcache.h"

void
pcache_init(struct pcache *c)
{
	memset(c, 0, sizeof(*c));
}

/* FNV-1a, never 0 (0 marks a free slot). */
static uint64_t
hash_key(const char *key, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}

static void
drop(struct pcache *c, struct pcache_entry *e)
{
	c->bytes -= e->keylen + e->bodylen;
	free(e->key);
	memset(e, 0, sizeof(*e));
}

static struct pcache_entry *
find(struct pcache *c, uint64_t h, const char *key, size_t keylen)
{
	for (size_t i = 0; i < PCACHE_SLOTS; i++) {
		struct pcache_entry *e = &c->e[i];

		if (e->hash == h && e->keylen == keylen &&
		    memcmp(e->key, key, keylen) == 0)
			return e;
	}
	return NULL;
}

const struct pcache_entry *
pcache_get(struct pcache *c, const char *key, size_t keylen)
{
	struct pcache_entry *e = find(c, hash_key(key, keylen), key, keylen);

	if (e != NULL)
		e->used = ++c->tick;
	return e;
}

/* The least recently used entry, or NULL when the cache is empty. */
static struct pcache_entry *
oldest(struct pcache *c)
{
	struct pcache_entry *o = NULL;

	for (size_t i = 0; i < PCACHE_SLOTS; i++)
		if (c->e[i].hash != 0 && (o == NULL || c->e[i].used < o->used))
			o = &c->e[i];
	return o;
}

enum app_err
pcache_put(struct pcache *c, const char *key, size_t keylen,
    const char *version, bool doubt, const char *body, size_t len)
{
	uint64_t h = hash_key(key, keylen);
	struct pcache_entry *e = find(c, h, key, keylen);
	char *mem;

	if (e != NULL)
		drop(c, e);
	if (keylen > PCACHE_ENTRY_MAX || len > PCACHE_ENTRY_MAX - keylen ||
	    strlen(version) > PCACHE_VERSION_MAX)
		return APP_ETOOBIG;
	/* Room first, so the allocation made below is within the bound. */
	while (c->bytes + keylen + len > PCACHE_BYTES)
		drop(c, oldest(c));
	e = NULL;
	for (size_t i = 0; i < PCACHE_SLOTS && e == NULL; i++)
		if (c->e[i].hash == 0)
			e = &c->e[i];
	if (e == NULL) {
		e = oldest(c);
		drop(c, e);
	}
	if ((mem = malloc(keylen + len + 1)) == NULL)
		return APP_ENOMEM;
	memcpy(mem, key, keylen);
	if (len > 0)
		memcpy(mem + keylen, body, len);
	mem[keylen + len] = '\0';
	*e = (struct pcache_entry){ .hash = h, .key = mem, .keylen = keylen,
	    .body = mem + keylen, .bodylen = len, .doubt = doubt,
	    .used = ++c->tick };
	strcpy(e->version, version);
	c->bytes += keylen + len;
	return APP_OK;
}

void
pcache_clear(struct pcache *c)
{
	for (size_t i = 0; i < PCACHE_SLOTS; i++)
		if (c->e[i].hash != 0)
			drop(c, &c->e[i]);
	c->tick = 0;
}
