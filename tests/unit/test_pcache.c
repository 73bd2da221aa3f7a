/*
 * test_pcache.c - pcache.h: an answer is found by its exact key only,
 * replaced under the same key, dropped least recently used first, and the
 * cache never holds more than its bounds.
 */
#include <stdio.h>
#include <string.h>

#include "pcache.h"
#include "t.h"

/* Sum of the entries' sizes, counted afresh: what c->bytes must say. */
static size_t
counted(const struct pcache *c, int *n)
{
	size_t b = 0;

	*n = 0;
	for (size_t i = 0; i < PCACHE_SLOTS; i++)
		if (c->e[i].hash != 0) {
			b += c->e[i].keylen + c->e[i].bodylen;
			(*n)++;
		}
	return b;
}

/* A version's text for i (static: one at a time). */
static const char *
ver(int i)
{
	static char b[16];

	snprintf(b, sizeof(b), "%d", i);
	return b;
}

static void
test_get_put(void)
{
	struct pcache c;
	const struct pcache_entry *e;
	int n;

	pcache_init(&c);
	T_OK("empty: nothing found", pcache_get(&c, "k", 1) == NULL);
	T_INT("put", pcache_put(&c, "k\0a", 3, "7", false, "{\"a\":1}", 7), APP_OK);
	e = pcache_get(&c, "k\0a", 3);
	T_OK("found by its key", e != NULL);
	T_STREQ("its version", e != NULL ? e->version : "", "7");
	T_OK("its body", e != NULL && e->bodylen == 7 && memcmp(e->body, "{\"a\":1}", 7) == 0);
	T_OK("a key that differs after a NUL is another key", pcache_get(&c, "k\0b", 3) == NULL);
	T_OK("a prefix of the key is another key", pcache_get(&c, "k", 1) == NULL);
	T_OK("a longer key is another key", pcache_get(&c, "k\0ab", 4) == NULL);
	T_INT("replace", pcache_put(&c, "k\0a", 3, "8", false, "[]", 2), APP_OK);
	e = pcache_get(&c, "k\0a", 3);
	T_OK("replaced: new version and body", e != NULL && strcmp(e->version, "8") == 0 &&
	    e->bodylen == 2 && memcmp(e->body, "[]", 2) == 0);
	T_INT("replaced: one entry", (int)(counted(&c, &n), n), 1);
	T_INT("bytes counted", (int)c.bytes, (int)counted(&c, &n));
	T_INT("kept in doubt", pcache_put(&c, "d", 1, "1", true, "{}", 2), APP_OK);
	e = pcache_get(&c, "d", 1);
	T_OK("... found so", e != NULL && e->doubt);
	T_INT("kept again without", pcache_put(&c, "d", 1, "2", false, "{}", 2), APP_OK);
	e = pcache_get(&c, "d", 1);
	T_OK("... found so", e != NULL && !e->doubt);
	T_INT("an empty body is kept", pcache_put(&c, "e", 1, "1", false, "", 0), APP_OK);
	e = pcache_get(&c, "e", 1);
	T_OK("empty body found", e != NULL && e->bodylen == 0);
	pcache_clear(&c);
	T_INT("clear: no bytes", (int)c.bytes, 0);
	T_OK("clear: nothing found", pcache_get(&c, "k\0a", 3) == NULL);
}

static void
test_too_big(void)
{
	static char big[PCACHE_ENTRY_MAX + 1];
	struct pcache c;
	int n;

	pcache_init(&c);
	memset(big, 'x', sizeof(big));
	T_INT("an entry at the limit is kept",
	    pcache_put(&c, "k", 1, "1", false, big, PCACHE_ENTRY_MAX - 1), APP_OK);
	T_INT("one byte more is not", pcache_put(&c, "k", 1, "2", false, big, PCACHE_ENTRY_MAX),
	    APP_ETOOBIG);
	T_OK("and the key's old answer is gone", pcache_get(&c, "k", 1) == NULL);
	T_INT("nothing held", (int)counted(&c, &n), 0);
	T_INT("a key over the limit is not kept",
	    pcache_put(&c, big, PCACHE_ENTRY_MAX + 1, "1", false, "", 0), APP_ETOOBIG);
	{
		char v[PCACHE_VERSION_MAX + 2];

		memset(v, '9', sizeof(v) - 1);
		v[sizeof(v) - 1] = '\0';
		T_INT("a version over its limit is not kept", pcache_put(&c, "k", 1, v, false, "{}", 2),
		    APP_ETOOBIG);
		v[PCACHE_VERSION_MAX] = '\0';
		T_INT("a version at its limit is", pcache_put(&c, "k", 1, v, false, "{}", 2), APP_OK);
		T_STREQ("... whole", pcache_get(&c, "k", 1)->version, v);
	}
	pcache_clear(&c);
}

static void
test_bounds(void)
{
	static char body[40 * 1024];
	struct pcache c;
	char key[32];
	int n, over_bytes = 0, over_slots = 0;

	pcache_init(&c);
	memset(body, 'b', sizeof(body));
	/* Small answers: the slots run out first; the oldest go. */
	for (int i = 0; i < 3 * PCACHE_SLOTS; i++) {
		snprintf(key, sizeof(key), "small %d", i);
		if (pcache_put(&c, key, strlen(key), ver(i), false, "{}", 2) != APP_OK)
			over_slots++;
		if (counted(&c, &n) != c.bytes || n > PCACHE_SLOTS)
			over_slots++;
	}
	T_INT("slots: every put kept, within the bound", over_slots, 0);
	T_OK("slots: the newest is there", pcache_get(&c, "small 95", 8) != NULL);
	T_OK("slots: the oldest is gone", pcache_get(&c, "small 0", 7) == NULL);
	/* Large answers: the bytes run out first. */
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "large %d", i);
		if (pcache_put(&c, key, strlen(key), ver(i), false, body, sizeof(body)) != APP_OK)
			over_bytes++;
		if (counted(&c, &n) != c.bytes || c.bytes > PCACHE_BYTES)
			over_bytes++;
	}
	T_INT("bytes: every put kept, within the bound", over_bytes, 0);
	T_OK("bytes: the newest is there", pcache_get(&c, "large 39", 8) != NULL);
	T_OK("bytes: an old one is gone", pcache_get(&c, "large 30", 8) == NULL);
	pcache_clear(&c);

	/* Least recently used, not least recently put. */
	for (int i = 0; i < PCACHE_SLOTS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		pcache_put(&c, key, strlen(key), ver(i), false, "{}", 2);
	}
	T_OK("lru: k0 read", pcache_get(&c, "k0", 2) != NULL);
	pcache_put(&c, "new", 3, "1", false, "{}", 2);
	T_OK("lru: k0, read last, stays", pcache_get(&c, "k0", 2) != NULL);
	T_OK("lru: k1, the least recently used, went", pcache_get(&c, "k1", 2) == NULL);
	T_OK("lru: the new one is there", pcache_get(&c, "new", 3) != NULL);
	pcache_clear(&c);
}

int
main(void)
{
	test_get_put();
	test_too_big();
	test_bounds();
	return T_DONE();
}
