/*
 * test_qs.c - qs.h: the trees of the vectors recorded from the real qs
 * package (qs_vectors.h, made by tests/fuzz/qs_vectors.js), NUL bytes,
 * value types, pathological input, and running out of arena memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "qs.h"
#include "t.h"

#include "qs_vectors.h"

#define FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * JSON.stringify and json-c escape a few characters differently, so the
 * expected text goes through json-c too; key order survives both ways.
 */
static int
same_json(json_object *got, const char *want, char *why, size_t whysz)
{
	json_object *w = json_tokener_parse(want);
	const char *gs, *ws;
	int ok;

	if (w == NULL && strcmp(want, "null") != 0) {
		snprintf(why, whysz, "expected JSON does not parse");
		return 0;
	}
	gs = json_object_to_json_string_ext(got, FLAGS);
	ws = json_object_to_json_string_ext(w, FLAGS);
	ok = strcmp(gs, ws) == 0;
	if (!ok)
		snprintf(why, whysz, "got %.300s want %.300s", gs, ws);
	json_object_put(w);
	return ok;
}

static void
test_vectors(struct arena *a)
{
	char name[160], why[700];
	size_t i;
	int pass = 0;

	for (i = 0; i < ARRAY_LEN(qs_vectors); i++) {
		const struct qs_vector *v = &qs_vectors[i];
		json_object *got = NULL;
		enum app_err e;
		int ok;

		snprintf(name, sizeof(name), "vector %zu: \"%.60s%s\"", i,
		    v->input, strlen(v->input) > 60 ? "..." : "");
		e = qs_parse(a, v->input, strlen(v->input), &got);
		if (e != APP_OK || got == NULL) {
			T_OK(name, e == APP_OK && got != NULL);
			arena_reset(a);
			continue;
		}
		why[0] = '\0';
		ok = same_json(got, v->json, why, sizeof(why));
		if (!ok)
			printf("# %s\n", why);
		T_OK(name, ok);
		pass += ok;
		arena_reset(a);
	}
	printf("# %d of %zu vectors match qs\n", pass, ARRAY_LEN(qs_vectors));
}

static void
test_types(struct arena *a)
{
	json_object *o = NULL, *v;
	const char *s;

	T_INT("types: parse", qs_parse(a, "a&b=&c=x&d[]=1&e[f]=2", 21, &o), APP_OK);
	T_OK("types: root is an object", json_object_is_type(o, json_type_object));
	T_OK("types: no '=' is JSON null",
	    json_object_object_get_ex(o, "a", &v) && v == NULL);
	T_OK("types: empty value is \"\"", json_object_object_get_ex(o, "b", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) == 0);
	T_OK("types: d is an array", json_object_object_get_ex(o, "d", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) == 1);
	T_OK("types: e is an object", json_object_object_get_ex(o, "e", &v) &&
	    json_object_is_type(v, json_type_object));
	arena_reset(a);

	T_INT("empty query", qs_parse(a, NULL, 0, &o), APP_OK);
	T_STREQ("empty query is {}", json_object_to_json_string_ext(o, FLAGS), "{}");
	arena_reset(a);

	/* len, not a NUL, ends the query */
	T_INT("len bounds the query", qs_parse(a, "a=1&b=2", 3, &o), APP_OK);
	T_STREQ("len bounds the query: tree",
	    json_object_to_json_string_ext(o, FLAGS), "{\"a\":\"1\"}");
	arena_reset(a);

	T_INT("NUL: parse", qs_parse(a, "a=x%00y&k%00=1", 14, &o), APP_OK);
	v = NULL;
	T_OK("NUL: value keeps its NUL", json_object_object_get_ex(o, "a", &v) &&
	    json_object_get_string_len(v) == 3 &&
	    memcmp(json_object_get_string(v), "x\0y", 3) == 0);
	T_OK("NUL: key holds U+FFFD instead",
	    json_object_object_get_ex(o, "k\xef\xbf\xbd", NULL));
	arena_reset(a);

	/* keys that differ only at a NUL would collide in json-c: first wins */
	T_INT("NUL collision: parse",
	    qs_parse(a, "k%00=1&k%EF%BF%BD=2", 19, &o), APP_OK);
	T_INT("NUL collision: one key", json_object_object_length(o), 1);
	s = json_object_get_string(json_object_object_get(o, "k\xef\xbf\xbd"));
	T_STREQ("NUL collision: first value", s, "1");
	arena_reset(a);

	/* raw bytes Node would refuse with 400 pass through untouched */
	T_INT("raw bytes: parse", qs_parse(a, "a=\xc3\xa9\xff", 5, &o), APP_OK);
	T_OK("raw bytes: kept", json_object_object_get_ex(o, "a", &v) &&
	    json_object_get_string_len(v) == 3);
	arena_reset(a);
}

/* n bytes of "&"-joined deep parameters made by a pattern. */
static char *
build(size_t n, const char *(*param)(size_t i, char *buf, size_t sz))
{
	char *q = malloc(n + 1), buf[4096];
	size_t len = 0, i;

	if (q == NULL)
		return NULL;
	for (i = 0; len < n; i++) {
		const char *p = param(i, buf, sizeof(buf));
		size_t pl = strlen(p);

		if (len > 0)
			q[len++] = '&';
		if (len + pl > n)
			pl = n - len;
		memcpy(q + len, p, pl);
		len += pl;
	}
	q[len] = '\0';
	return q;
}

static const char *
deep_param(size_t i, char *buf, size_t sz)
{
	static const char *seg[] = { "b", "c", "0", "d", "", "101", "e" };
	size_t o, k;

	o = (size_t)snprintf(buf, sz, "a");
	for (k = 0; k < 25 && o + 16 < sz; k++)
		o += (size_t)snprintf(buf + o, sz - o, "[%s]",
		    seg[(i + k * (i % 5 + 1)) % ARRAY_LEN(seg)]);
	snprintf(buf + o, sz - o, "=%zu", i);
	return buf;
}

static const char *
wide_param(size_t i, char *buf, size_t sz)
{
	size_t o, k;

	o = (size_t)snprintf(buf, sz, "p%zu", i % 7);
	for (k = 0; k < 20 && o + 16 < sz; k++)
		o += (size_t)snprintf(buf + o, sz - o, "%%5Bk%zu%%5D",
		    (i * 31 + k) % 13);
	snprintf(buf + o, sz - o, "=%zu", i);
	return buf;
}

static const char *
mixed_param(size_t i, char *buf, size_t sz)
{
	/* arrays, objects, overflow objects and strings on one path */
	static const char *p[] = {
		"a=x", "a[]=y", "a[0]=z", "a[b]=w", "a[150]=v", "[a]=u",
		"a[0][0]=t", "a[0][b]=s", "a[]=r&a[]=q", "a[0]=p", "[a][0]=o"
	};

	snprintf(buf, sz, "%s%zu", p[i % ARRAY_LEN(p)], i);
	return buf;
}

static void
check_big(struct arena *a, const char *name, const char *q)
{
	json_object *o = NULL;
	enum app_err e;
	char n[128];

	if (q == NULL) {
		T_OK(name, q != NULL);
		return;
	}
	e = qs_parse(a, q, strlen(q), &o);
	snprintf(n, sizeof(n), "%s: parses", name);
	T_INT(n, e, APP_OK);
	snprintf(n, sizeof(n), "%s: an object that serializes", name);
	T_OK(n, o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_to_json_string_ext(o, FLAGS) != NULL);
	arena_reset(a);
}

static void
test_pathological(struct arena *a)
{
	char *q;
	size_t i;

	q = build(64 * 1024, deep_param);
	check_big(a, "64 KiB of deep params", q);
	free(q);
	q = build(64 * 1024, wide_param);
	check_big(a, "64 KiB of 20-deep encoded params", q);
	free(q);
	q = build(64 * 1024, mixed_param);
	check_big(a, "64 KiB of mixed arrays and objects", q);
	free(q);
	q = build(1024 * 1024, deep_param);
	check_big(a, "1 MiB of deep params", q);
	free(q);

	/* one 1 MiB key: unbalanced, then balanced far past the depth */
	if ((q = malloc(1024 * 1024 + 3)) != NULL) {
		memset(q, '[', 1024 * 1024);
		memcpy(q + 1024 * 1024, "=x", 3);
		check_big(a, "1 MiB of '['", q);
		for (i = 0; i + 3 <= 1024 * 1024; i += 3)
			memcpy(q + i, "[b]", 3);
		q[i] = '\0';
		check_big(a, "1 MiB of [b]", q);
		memset(q, '%', 1024 * 1024);
		check_big(a, "1 MiB of '%'", q);
		free(q);
	}
}

/* Every arena allocation failing in turn: APP_ENOMEM, nothing leaks. */
static void
test_nomem(void)
{
	static const char q[] =
	    "filters[$or][0][title][$eq]=a&filters[$or][1][title][$eq]=b&"
	    "a=x&a[b]=y&a[]=z&c[150]=1&c=2&k%00=v&d[0]=1&d[0][e]=2&f&f[]=g";
	struct arena a;
	json_object *o;
	size_t limit;
	int fails = 0, oks = 0, bad = 0;

	for (limit = 64; limit < 64 * 1024; limit += 64) {
		enum app_err e;

		arena_init(&a, 1024);
		a.limit = limit;
		o = (json_object *)&a;
		e = qs_parse(&a, q, sizeof(q) - 1, &o);
		if (e == APP_ENOMEM && o == NULL)
			fails++;
		else if (e == APP_OK && o != NULL)
			oks++;
		else
			bad++;
		arena_free(&a);
		if (e == APP_OK)
			break;
	}
	T_OK("nomem: some limits fail", fails > 0);
	T_OK("nomem: a large enough limit succeeds", oks == 1);
	T_INT("nomem: only APP_ENOMEM with *out NULL, or APP_OK", bad, 0);
}

int
main(void)
{
	struct arena a;

	arena_init(&a, 64 * 1024);
	test_vectors(&a);
	test_types(&a);
	test_pathological(&a);
	arena_free(&a);
	test_nomem();
	return T_DONE();
}
