/*
 * test_cq.c - cq.h: Strapi query strings, parsed by qs_parse as the
 * server does, compiled for coll_articles and coll_blog_posts.  Checks the
 * SQL text (every operator, nesting, casts, LIKE escaping), the params,
 * sort, pagination (every form and quirk of spec section 6), fields,
 * populate, _q, the 400s (status, name, message, details), and that no
 * input ever reaches the SQL text.  No database here: the integration
 * tests run the SQL against Postgres.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "coll.h"
#include "cq.h"
#include "qs.h"
#include "t.h"

static struct arena A;
static char nbuf[512];

#define ART (&coll_articles)
#define POST (&coll_blog_posts)

/* A check's name: the query string, shortened. */
static const char *
nm(const char *what, const char *qs)
{
	snprintf(nbuf, sizeof(nbuf), "%s: %.200s", what, qs);
	return nbuf;
}

static enum app_err
compile(const struct coll *c, const char *qs, int first, struct cq *q, struct cq_error *e)
{
	json_object *o = NULL;

	if (qs_parse(&A, qs, strlen(qs), &o) != APP_OK)
		return APP_ENOMEM;
	return cq_compile(&A, c, o, first, q, e);
}

/* "[a][b][NULL]": the params, for one comparison. */
static const char *
joined(const struct cq *q)
{
	static char buf[4096];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < q->nparams && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[%s]",
		    q->params[i] != NULL ? q->params[i] : "NULL");
	return buf;
}

static bool
allowed_word(const char *w, size_t n)
{
	static const char *const words[] = {
		"TRUE", "FALSE", "AND", "OR", "NOT", "IS", "NULL", "IN", "LIKE",
		"ILIKE", "ESCAPE", "BETWEEN", "LOWER", "text", "bigint",
		"timestamptz", "ASC", "DESC", "strpos", "right", "char_length",
		"id", "document_id", "title", "content", "slug", "organization_id",
		"status", "created_at", "updated_at", "published_at",
		"confirmed", "blocked", "boolean",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(words); i++)
		if (strlen(words[i]) == n && memcmp(words[i], w, n) == 0)
			return true;
	return false;
}

/*
 * The SQL is made only of known words, $n placeholders, casts, operators
 * and the constant literals ESCAPE '\', date_trunc's 'milliseconds' and
 * strpos's "> 0":
 * whatever the input, nothing else.
 */
static bool
sql_shape_ok(const char *s)
{
	while (*s) {
		if (strncmp(s, "ESCAPE '\\'", 10) == 0) {
			s += 10;
		} else if (strncmp(s, "date_trunc('milliseconds', ", 27) == 0) {
			s += 27;
		} else if (strncmp(s, ") > 0", 5) == 0) {
			s += 5;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_') {
			const char *w = s;

			while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9') || *s == '_')
				s++;
			if (!allowed_word(w, (size_t)(s - w))) {
				printf("# unexpected word in SQL: %.*s\n", (int)(s - w), w);
				return false;
			}
		} else if (*s == '$') {
			s++;
			if (*s < '1' || *s > '9')
				return false;
			while (*s >= '0' && *s <= '9')
				s++;
		} else if (strchr(" (),:<>=", *s) != NULL) {
			s++;
		} else {
			printf("# unexpected character in SQL: %c\n", *s);
			return false;
		}
	}
	return true;
}

/* A query that compiles: its WHERE and its params. */
static void
where_is(const struct coll *c, const char *qs, const char *where, const char *params)
{
	struct cq q;
	struct cq_error e;
	enum app_err rc = compile(c, qs, 1, &q, &e);

	if (rc != APP_OK) {
		T_OK(nm("compiles", qs), rc == APP_OK);
		if (rc == APP_EINPUT)
			printf("# %s %s\n", e.message, e.details);
		arena_reset(&A);
		return;
	}
	T_STREQ(nm("where", qs), q.where, where);
	T_STREQ(nm("params", qs), joined(&q), params);
	T_OK(nm("shape", qs), sql_shape_ok(q.where) && sql_shape_ok(q.order_by));
	arena_reset(&A);
}

static void
order_is(const struct coll *c, const char *qs, const char *order)
{
	struct cq q;
	struct cq_error e;
	enum app_err rc = compile(c, qs, 1, &q, &e);

	T_INT(nm("compiles", qs), rc, APP_OK);
	if (rc == APP_OK)
		T_STREQ(nm("order", qs), q.order_by, order);
	arena_reset(&A);
}

static void
page_is(const char *qs, long long start, long long limit, bool page_form, bool count)
{
	struct cq q;
	struct cq_error e;
	enum app_err rc = compile(ART, qs, 1, &q, &e);

	T_INT(nm("compiles", qs), rc, APP_OK);
	if (rc == APP_OK) {
		T_INT(nm("start", qs), q.start, start);
		T_INT(nm("limit", qs), q.limit, limit);
		T_INT(nm("page form", qs), q.page_form, page_form);
		T_INT(nm("with count", qs), q.with_count, count);
	} else if (rc == APP_EINPUT)
		printf("# %s\n", e.message);
	arena_reset(&A);
}

static void
fields_are(const struct coll *c, const char *qs, const char *names)
{
	char buf[512];
	size_t i, len = 0;
	struct cq q;
	struct cq_error e;
	enum app_err rc = compile(c, qs, 1, &q, &e);

	T_INT(nm("compiles", qs), rc, APP_OK);
	if (rc == APP_OK) {
		buf[0] = '\0';
		for (i = 0; i < q.nfields; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
			    i ? "," : "", q.fields[i]->name);
		T_STREQ(nm("fields", qs), buf, names);
	}
	arena_reset(&A);
}

/* json-c's view of details: same members, and the text parses strictly. */
static bool
same_json(const char *got, const char *want)
{
	json_object *g = json_tokener_parse(got), *w = json_tokener_parse(want);
	bool ok = g != NULL && w != NULL && json_object_equal(g, w);

	if (!ok)
		printf("# details got %s want %s\n", got, want);
	json_object_put(g);
	json_object_put(w);
	return ok;
}

/* A query refused with a 400. */
static void
err_is(const struct coll *c, const char *qs, const char *name, const char *message,
    const char *details)
{
	struct cq q;
	struct cq_error e;
	enum app_err rc = compile(c, qs, 1, &q, &e);

	T_INT(nm("refused", qs), rc, APP_EINPUT);
	if (rc == APP_EINPUT) {
		T_INT(nm("status", qs), e.status, 400);
		T_STREQ(nm("name", qs), e.name, name);
		if (message != NULL)
			T_STREQ(nm("message", qs), e.message, message);
		T_OK(nm("details", qs), same_json(e.details, details));
	}
	arena_reset(&A);
}

/* Strapi's invalid key in filters at path. */
static void
bad_filter_key(const struct coll *c, const char *qs, const char *key, const char *path)
{
	char msg[256], det[512];
	json_object *d = json_object_new_object();

	snprintf(msg, sizeof(msg), "Invalid key %s", key);
	json_object_object_add(d, "key", json_object_new_string(key));
	json_object_object_add(d, "path", json_object_new_string(path));
	json_object_object_add(d, "source", json_object_new_string("query"));
	json_object_object_add(d, "param", json_object_new_string("filters"));
	snprintf(det, sizeof(det), "%s", json_object_to_json_string(d));
	json_object_put(d);
	err_is(c, qs, "ValidationError", msg, det);
}

static void
bad_value(const struct coll *c, const char *qs, const char *message, const char *key,
    const char *path)
{
	char det[512];

	snprintf(det, sizeof(det),
	    "{\"key\":\"%s\",\"path\":\"%s\",\"source\":\"query\",\"param\":\"filters\"}",
	    key, path);
	err_is(c, qs, "ValidationError", message, det);
}

/* ---- filters -------------------------------------------------------- */

static void
test_implicit(void)
{
	where_is(ART, "", "TRUE", "");
	where_is(ART, "filters[title]=hello", "(title = $1::text)", "[hello]");
	where_is(ART, "filters[title]=A+B", "(title = $1::text)", "[A B]");
	/* @strapi/client's qs.stringify output: encoded brackets and $. */
	where_is(ART, "filters%5Btitle%5D%5B%24eq%5D=A%20B", "(title = $1::text)", "[A B]");
	where_is(ART, "filters[title]", "(title IS NULL)", "");
	where_is(ART, "filters[title][0]=a&filters[title][1]=b",
	    "(title IN ($1::text, $2::text))", "[a][b]");
	where_is(ART, "filters[title][]=a&filters[title][]=b",
	    "(title IN ($1::text, $2::text))", "[a][b]");
	where_is(ART, "filters[title]=a&filters[title]=b",
	    "(title IN ($1::text, $2::text))", "[a][b]");
	where_is(ART, "filters[id][0]=1&filters[id][1]",
	    "(id IN ($1::bigint, $2::bigint))", "[1][NULL]");
	/* Several keys: AND, in query order. */
	where_is(ART, "filters[title]=a&filters[slug]=b&filters[id]=3",
	    "((title = $1::text) AND (slug = $2::text) AND (id = $3::bigint))", "[a][b][3]");
	where_is(ART, "filters[documentId]=abc", "(document_id = $1::text)", "[abc]");
	where_is(POST, "filters[organizationId]=org_1&filters[status]=draft",
	    "((organization_id = $1::text) AND (status = $2::text))", "[org_1][draft]");
	/* status and locale at the top level are ignored, like unknown keys. */
	where_is(ART, "status=draft&locale=fr&foo=bar", "TRUE", "");
	where_is(ART, "filters.title=x", "TRUE", "");
	where_is(ART, "filters", "TRUE", "");
}

static void
test_comparisons(void)
{
	where_is(ART, "filters[title][$eq]=x", "(title = $1::text)", "[x]");
	where_is(ART, "filters[title][$eq]", "(title IS NULL)", "");
	where_is(ART, "filters[title][$ne]=x", "(title <> $1::text)", "[x]");
	where_is(ART, "filters[title][$ne]", "(title IS NOT NULL)", "");
	where_is(ART, "filters[id][$lt]=10", "(id < $1::bigint)", "[10]");
	where_is(ART, "filters[id][$lte]=-10", "(id <= $1::bigint)", "[-10]");
	where_is(ART, "filters[id][$gt]=007", "(id > $1::bigint)", "[007]");
	where_is(ART, "filters[id][$gte]=123456789012345678", "(id >= $1::bigint)",
	    "[123456789012345678]");
	where_is(ART, "filters[title][$lt]=m", "(title < $1::text)", "[m]");
	/* A null bound compares to nothing (Strapi: col < NULL). */
	where_is(ART, "filters[title][$gt]", "(title > $1::text)", "[NULL]");
	/*
	 * Datetimes: the instant Strapi's date-fns makes of the value, cut to
	 * the millisecond like a JavaScript Date, against the column cut the
	 * same way.
	 */
	where_is(ART, "filters[createdAt][$gte]=2024-03-06",
	    "(date_trunc('milliseconds', created_at) >= $1::timestamptz)",
	    "[2024-03-06T00:00:00.000Z]");
	where_is(ART, "filters[createdAt][$lt]=2024-03-06T13:42:05.098Z",
	    "(date_trunc('milliseconds', created_at) < $1::timestamptz)",
	    "[2024-03-06T13:42:05.098Z]");
	where_is(ART, "filters[updatedAt][$lt]=2024-02-29T23:59",
	    "(date_trunc('milliseconds', updated_at) < $1::timestamptz)",
	    "[2024-02-29T23:59:00.000Z]");
	where_is(ART, "filters[publishedAt][$gt]=2024-03-06T13:42:05%2B05:30",
	    "(date_trunc('milliseconds', published_at) > $1::timestamptz)",
	    "[2024-03-06T08:12:05.000Z]");
	where_is(ART, "filters[publishedAt][$gt]=2024-03-06T13:42:05.123456-08:00",
	    "(date_trunc('milliseconds', published_at) > $1::timestamptz)",
	    "[2024-03-06T21:42:05.123Z]");
	where_is(ART, "filters[createdAt][$gt]=2026-11-29%2023:47:04",
	    "(date_trunc('milliseconds', created_at) > $1::timestamptz)",
	    "[2026-11-29T23:47:04.000Z]");
	where_is(ART, "filters[createdAt][$gt]=2026-11-29T23:47:04",
	    "(date_trunc('milliseconds', created_at) > $1::timestamptz)",
	    "[2026-11-29T23:47:04.000Z]");
	where_is(ART, "filters[createdAt][$lt]=2026-11",
	    "(date_trunc('milliseconds', created_at) < $1::timestamptz)",
	    "[2026-11-01T00:00:00.000Z]");
	where_is(ART, "filters[createdAt][$lt]=2026",
	    "(date_trunc('milliseconds', created_at) < $1::timestamptz)",
	    "[2026-01-01T00:00:00.000Z]");
	where_is(ART, "filters[createdAt][$lt]=20261129T234704",
	    "(date_trunc('milliseconds', created_at) < $1::timestamptz)",
	    "[2026-11-29T23:47:04.000Z]");
	where_is(ART, "filters[createdAt][$lt]=2026-333",
	    "(date_trunc('milliseconds', created_at) < $1::timestamptz)",
	    "[2026-11-29T00:00:00.000Z]");
	where_is(ART, "filters[createdAt][$gt]=1764460024123",
	    "(date_trunc('milliseconds', created_at) > $1::timestamptz)",
	    "[2025-11-29T23:47:04.123Z]");
	where_is(ART, "filters[createdAt][$eq]=2024-01-01T24:00",
	    "(date_trunc('milliseconds', created_at) = $1::timestamptz)",
	    "[2024-01-02T00:00:00.000Z]");
	where_is(ART, "filters[createdAt][$ne]=0000-01-01",
	    "(date_trunc('milliseconds', created_at) <> $1::timestamptz)",
	    "[0001-01-01T00:00:00.000Z BC]");
	where_is(ART, "filters[createdAt][$in][0]=2026-11&filters[createdAt][$in][1]=1764460024123",
	    "(date_trunc('milliseconds', created_at) IN ($1::timestamptz, $2::timestamptz))",
	    "[2026-11-01T00:00:00.000Z][2025-11-29T23:47:04.123Z]");
	where_is(ART, "filters[createdAt][$notIn]=2026",
	    "(date_trunc('milliseconds', created_at) NOT IN ($1::timestamptz))",
	    "[2026-01-01T00:00:00.000Z]");
	where_is(ART, "filters[publishedAt][$eq]", "(published_at IS NULL)", "");
	where_is(ART, "filters[publishedAt][$ne]", "(published_at IS NOT NULL)", "");
	/* A scalar operator given several values: OR over them. */
	where_is(ART, "filters[title][$eq][0]=a&filters[title][$eq][1]=b",
	    "((title = $1::text) OR (title = $2::text))", "[a][b]");
	where_is(ART, "filters[title][$eq]=a&filters[title][$eq]=b",
	    "((title = $1::text) OR (title = $2::text))", "[a][b]");
	where_is(ART, "filters[id][$gt][0]=1&filters[id][$gt][1]",
	    "((id > $1::bigint) OR (id > $2::bigint))", "[1][NULL]");
	/* Several operators on one attribute: AND. */
	where_is(ART, "filters[id][$gt]=1&filters[id][$lt]=9",
	    "((id > $1::bigint) AND (id < $2::bigint))", "[1][9]");
}

static void
test_like(void)
{
	where_is(ART, "filters[title][$eqi]=HeLLo",
	    "(LOWER(title) LIKE LOWER($1::text) ESCAPE '\\')", "[HeLLo]");
	where_is(ART, "filters[title][$eqi]=50%25_off",
	    "(LOWER(title) LIKE LOWER($1::text) ESCAPE '\\')", "[50\\%\\_off]");
	where_is(ART, "filters[title][$eqi]", "(title IS NULL)", "");
	where_is(ART, "filters[title][$nei]=x",
	    "(LOWER(title) NOT LIKE LOWER($1::text) ESCAPE '\\')", "[x]");
	where_is(ART, "filters[title][$nei]", "(title IS NOT NULL)", "");
	/* Unanchored matches are strpos() / right(), in linear time, unescaped. */
	where_is(ART, "filters[title][$contains]=alph_",
	    "(strpos(title, $1::text) > 0)", "[alph_]");
	where_is(ART, "filters[title][$contains]=a%5Cb",
	    "(strpos(title, $1::text) > 0)", "[a\\b]");
	where_is(ART, "filters[content][$notContains]=x",
	    "(NOT (strpos(content, $1::text) > 0))", "[x]");
	where_is(ART, "filters[content][$containsi]=X%25",
	    "(strpos(LOWER(content), LOWER($1::text)) > 0)", "[X%]");
	where_is(ART, "filters[content][$notContainsi]=X",
	    "(NOT (strpos(LOWER(content), LOWER($1::text)) > 0))", "[X]");
	where_is(ART, "filters[slug][$startsWith]=ab",
	    "(slug LIKE $1::text ESCAPE '\\')", "[ab%]");
	where_is(ART, "filters[slug][$startsWithi]=Ab",
	    "(LOWER(slug) LIKE LOWER($1::text) ESCAPE '\\')", "[Ab%]");
	where_is(ART, "filters[slug][$endsWith]=_z",
	    "(right(slug, char_length($1::text)) = $1::text)", "[_z]");
	where_is(ART, "filters[slug][$endsWithi]=Z",
	    "(LOWER(right(slug, char_length($1::text))) = LOWER($1::text))", "[Z]");
	/* On non-text columns the column is compared as text, unvalidated. */
	where_is(ART, "filters[id][$contains]=12",
	    "(strpos(id::text, $1::text) > 0)", "[12]");
	where_is(ART, "filters[id][$eqi]=abc",
	    "(LOWER(id::text) LIKE LOWER($1::text) ESCAPE '\\')", "[abc]");
	where_is(ART, "filters[createdAt][$startsWith]=2024-03",
	    "(created_at::text LIKE $1::text ESCAPE '\\')", "[2024-03%]");
	/* Strapi writes `%${value}%`: a null value searches "null". */
	where_is(ART, "filters[title][$contains]", "(strpos(title, $1::text) > 0)",
	    "[null]");
	/* Several values: OR. */
	where_is(ART, "filters[title][$contains][0]=a&filters[title][$contains][1]=b",
	    "((strpos(title, $1::text) > 0) OR (strpos(title, $2::text) > 0))",
	    "[a][b]");
	/* Multi-byte text passes through untouched. */
	where_is(ART, "filters[title][$containsi]=%C3%89t%C3%A9",
	    "(strpos(LOWER(title), LOWER($1::text)) > 0)", "[\xc3\x89t\xc3\xa9]");
}

static void
test_lists(void)
{
	where_is(ART, "filters[id][$in][0]=1&filters[id][$in][1]=2&filters[id][$in][2]=3",
	    "(id IN ($1::bigint, $2::bigint, $3::bigint))", "[1][2][3]");
	where_is(ART, "filters[id][$in]=5", "(id IN ($1::bigint))", "[5]");
	where_is(ART, "filters[title][$in][0]=a&filters[title][$in][1]",
	    "(title IN ($1::text, $2::text))", "[a][NULL]");
	where_is(ART, "filters[title][$in]", "(title IN ($1::text))", "[NULL]");
	where_is(ART, "filters[slug][$notIn][0]=a&filters[slug][$notIn][1]=b",
	    "(slug NOT IN ($1::text, $2::text))", "[a][b]");
	where_is(ART, "filters[slug][$notIn]=a", "(slug NOT IN ($1::text))", "[a]");
	where_is(ART, "filters[id][$between][0]=1&filters[id][$between][1]=10",
	    "(id BETWEEN $1::bigint AND $2::bigint)", "[1][10]");
	where_is(ART,
	    "filters[createdAt][$between][0]=2024-01-01&filters[createdAt][$between][1]=2024-12-31T23:59:59.999Z",
	    "(date_trunc('milliseconds', created_at) BETWEEN $1::timestamptz AND $2::timestamptz)",
	    "[2024-01-01T00:00:00.000Z][2024-12-31T23:59:59.999Z]");
	where_is(ART, "filters[title][$between][]=a&filters[title][$between][]=m",
	    "(title BETWEEN $1::text AND $2::text)", "[a][m]");
}

/* Booleans (the users of /api/users/me): Strapi's unforced cast. */
static void
test_bool(void)
{
	where_is(&coll_users, "filters[confirmed]=t", "(confirmed = $1::boolean)", "[true]");
	where_is(&coll_users, "filters[blocked][$ne]=0", "(blocked <> $1::boolean)", "[false]");
	where_is(&coll_users, "filters[blocked][$in][0]=true&filters[blocked][$in][1]=f",
	    "(blocked IN ($1::boolean, $2::boolean))", "[true][false]");
	where_is(&coll_users, "filters[blocked][$null]", "(blocked IS NOT NULL)", "");
	bad_value(&coll_users, "filters[confirmed]=yes",
	    "Invalid value for confirmed: \"yes\" is not a boolean (true, t, 1, false, f or 0)",
	    "confirmed", "confirmed");
}

static void
test_null_ops(void)
{
	static const struct { const char *v; const char *is; } vals[] = {
		{ "=true", "IS NULL" }, { "=t", "IS NULL" }, { "=1", "IS NULL" },
		{ "=false", "IS NOT NULL" }, { "=f", "IS NOT NULL" }, { "=0", "IS NOT NULL" },
		{ "=yes", "IS NULL" }, { "=FALSE", "IS NULL" }, { "=", "IS NOT NULL" },
		/* no "=": qs's null, which Strapi casts to false */
		{ "", "IS NOT NULL" },
	};
	char qs[128], want[128];
	size_t i;

	for (i = 0; i < ARRAY_LEN(vals); i++) {
		snprintf(qs, sizeof(qs), "filters[content][$null]%s", vals[i].v);
		snprintf(want, sizeof(want), "(content %s)", vals[i].is);
		where_is(ART, qs, want, "");
	}
	where_is(ART, "filters[content][$notNull]=true", "(content IS NOT NULL)", "");
	where_is(ART, "filters[content][$notNull]=0", "(content IS NULL)", "");
	where_is(ART, "filters[content][$notNull]", "(content IS NULL)", "");
	where_is(ART, "filters[content][$notNull]=", "(content IS NULL)", "");
	where_is(ART, "filters[publishedAt][$notNull]=f", "(published_at IS NULL)", "");
}

static void
test_logical(void)
{
	where_is(ART, "filters[$or][0][title]=a&filters[$or][1][slug]=b",
	    "((title = $1::text) OR (slug = $2::text))", "[a][b]");
	where_is(ART, "filters[$and][0][title]=a&filters[$and][1][slug]=b",
	    "((title = $1::text) AND (slug = $2::text))", "[a][b]");
	where_is(ART, "filters[$or][0][title]=a", "(title = $1::text)", "[a]");
	where_is(ART, "filters[$not][title]=a", "(NOT (title = $1::text))", "[a]");
	where_is(ART, "filters[$not][title]=a&filters[$not][slug]=b",
	    "(NOT ((title = $1::text) AND (slug = $2::text)))", "[a][b]");
	where_is(ART, "filters[title][$not][$eq]=a", "(NOT (title = $1::text))", "[a]");
	where_is(ART, "filters[title][$not]=a", "(NOT (title = $1::text))", "[a]");
	where_is(ART, "filters[title][$not]", "(NOT (title IS NULL))", "");
	where_is(ART, "filters[title][$not][0]=a&filters[title][$not][1]=b",
	    "(NOT (title IN ($1::text, $2::text)))", "[a][b]");
	where_is(ART, "filters[title][$not][$not][$containsi]=x",
	    "(NOT (NOT (strpos(LOWER(title), LOWER($1::text)) > 0)))", "[x]");
	/* $not with no value is no condition, as in Strapi. */
	where_is(ART, "filters[$not]", "TRUE", "");
	where_is(ART, "filters[$not]&filters[title]=a", "(title = $1::text)", "[a]");
	/* Three levels: $or > $and > $not, with attributes at each level. */
	where_is(ART,
	    "filters[$or][0][$and][0][$not][title][$eq]=a"
	    "&filters[$or][0][$and][1][slug][$startsWith]=b"
	    "&filters[$or][1][$or][0][id][$in][0]=1&filters[$or][1][$or][0][id][$in][1]=2"
	    "&filters[$or][1][$or][1][$not][$and][0][content][$null]=true"
	    "&filters[createdAt][$gt]=2024-01-01",
	    "((((NOT (title = $1::text)) AND (slug LIKE $2::text ESCAPE '\\')) OR "
	    "((id IN ($3::bigint, $4::bigint)) OR (NOT (content IS NULL)))) AND "
	    "(date_trunc('milliseconds', created_at) > $5::timestamptz))",
	    "[a][b%][1][2][2024-01-01T00:00:00.000Z]");
	/* @strapi/client's encoding of a nested $or. */
	where_is(ART,
	    "filters%5B%24or%5D%5B0%5D%5Btitle%5D%5B%24containsi%5D=foo"
	    "&filters%5B%24or%5D%5B1%5D%5Bcontent%5D%5B%24containsi%5D=foo",
	    "((strpos(LOWER(title), LOWER($1::text)) > 0) OR "
	    "(strpos(LOWER(content), LOWER($2::text)) > 0))",
	    "[foo][foo]");
	/* qs compacts sparse indices: order follows the indices. */
	where_is(ART, "filters[$or][5][title]=a&filters[$or][2][slug]=b",
	    "((slug = $1::text) OR (title = $2::text))", "[b][a]");
	/* An array of conditions inside $and. */
	where_is(ART, "filters[$and][0][0][title]=a&filters[$and][0][1][slug]=b",
	    "((title = $1::text) AND (slug = $2::text))", "[a][b]");
	/* filters given as an array (filters[0][...]): AND of each. */
	where_is(ART, "filters[0][title]=a&filters[1][slug]=b",
	    "((title = $1::text) AND (slug = $2::text))", "[a][b]");
}

static void
test_deep(void)
{
	char qs[2048];
	size_t len = 0;
	int i;
	struct cq q;
	struct cq_error e;
	json_object *o;
	struct json_tokener *tok;
	char deep[1024];

	/* As deep as qs goes (20 bracket groups): compiles. */
	len += (size_t)snprintf(qs + len, sizeof(qs) - len, "filters");
	for (i = 0; i < 9; i++)
		len += (size_t)snprintf(qs + len, sizeof(qs) - len, "[$and][0]");
	snprintf(qs + len, sizeof(qs) - len, "[title][$not]=x");
	where_is(ART, qs, "(NOT (title = $1::text))", "[x]");

	len = (size_t)snprintf(qs, sizeof(qs), "filters");
	for (i = 0; i < 19; i++)
		len += (size_t)snprintf(qs + len, sizeof(qs) - len, "[$not]");
	snprintf(qs + len, sizeof(qs) - len, "[id]=1");
	T_INT("20 $not levels compile", compile(ART, qs, 1, &q, &e), APP_OK);
	arena_reset(&A);

	/* Past qs's depth the rest of the key is one literal key: refused. */
	len = (size_t)snprintf(qs, sizeof(qs), "filters");
	for (i = 0; i < 25; i++)
		len += (size_t)snprintf(qs + len, sizeof(qs) - len, "[$not]");
	snprintf(qs + len, sizeof(qs) - len, "[id]=1");
	T_INT("qs depth limit: refused", compile(ART, qs, 1, &q, &e), APP_EINPUT);
	arena_reset(&A);

	/* A tree deeper than qs makes (another caller): the recursion guard. */
	len = (size_t)snprintf(deep, sizeof(deep), "{\"filters\":");
	for (i = 0; i < 40; i++)
		len += (size_t)snprintf(deep + len, sizeof(deep) - len, "{\"$not\":");
	len += (size_t)snprintf(deep + len, sizeof(deep) - len, "{\"id\":\"1\"}");
	for (i = 0; i < 41; i++)
		len += (size_t)snprintf(deep + len, sizeof(deep) - len, "}");
	tok = json_tokener_new_ex(100);
	o = json_tokener_parse_ex(tok, deep, (int)len);
	json_tokener_free(tok);
	T_OK("deep tree parses", o != NULL);
	if (o != NULL) {
		T_INT("deep tree refused", cq_compile(&A, ART, o, 1, &q, &e), APP_EINPUT);
		T_STREQ("deep tree message", e.message, "Invalid filters: nested too deeply");
		json_object_put(o);
	}
	arena_reset(&A);
}

static void
test_bad_keys(void)
{
	bad_filter_key(ART, "filters[foo]=1", "foo", "foo");
	bad_filter_key(ART, "filters[password]=x", "password", "password");
	bad_filter_key(ART, "filters[title][$EQ]=x", "$EQ", "title.$EQ");
	bad_filter_key(ART, "filters[title][$foo]=x", "$foo", "title.$foo");
	bad_filter_key(ART, "filters[title][bar]=x", "bar", "title.bar");
	/* Column names are not API names. */
	bad_filter_key(ART, "filters[document_id]=x", "document_id", "document_id");
	bad_filter_key(ART, "filters[created_at][$gt]=2024-01-01", "created_at", "created_at");
	bad_filter_key(POST, "filters[organization_id]=x", "organization_id", "organization_id");
	bad_filter_key(ART, "filters[organizationId]=x", "organizationId", "organizationId");
	bad_filter_key(ART, "filters[status]=draft", "status", "status");
	/* Deeper: inside $or, $and, $not. */
	bad_filter_key(ART, "filters[$or][0][title]=a&filters[$or][1][nope]=b", "nope", "$or.1.nope");
	bad_filter_key(ART, "filters[$and][0][$or][0][title][$eqq]=a", "$eqq",
	    "$and.0.$or.0.title.$eqq");
	bad_filter_key(ART, "filters[$not][$not][secret]=1", "secret", "$not.$not.secret");
	bad_filter_key(ART, "filters[title][$not][$nope]=1", "$nope", "title.$not.$nope");
	/* Attribute operators at the root, logical ones on an attribute. */
	bad_filter_key(ART, "filters[$eq]=x", "$eq", "$eq");
	bad_filter_key(ART, "filters[$or][0][$contains]=x", "$contains", "$or.0.$contains");
	bad_filter_key(ART, "filters[title][$or][0]=x", "$or", "title.$or");
	bad_filter_key(ART, "filters[title][$and][0][$eq]=x", "$and", "title.$and");
	/* $and / $or need an array. */
	bad_filter_key(ART, "filters[$or][title]=x", "$or", "$or");
	bad_filter_key(ART, "filters[$and]=x", "$and", "$and");
	bad_filter_key(ART, "filters[$or]", "$or", "$or");
	bad_filter_key(ART, "filters[$or][101][title]=x", "$or", "$or");
	bad_filter_key(ART, "filters[$or][0]=x", "$or", "$or.0");
	bad_filter_key(ART, "filters[$not]=x", "$not", "$not");
	/* An object where a value belongs: its key is unknown there. */
	bad_filter_key(ART, "filters[title][$eq][$ne]=x", "$ne", "title.$eq.$ne");
	bad_filter_key(ART, "filters[title][$contains][x]=1", "x", "title.$contains.x");
	bad_filter_key(ART, "filters[id][$in][0][x]=1", "x", "id.$in.0.x");
	bad_filter_key(ART, "filters[id][$in][x]=1", "x", "id.$in.x");
	bad_filter_key(ART, "filters[title][$null][x]=1", "x", "title.$null.x");
	bad_filter_key(ART, "filters[title][0][$eq]=x", "$eq", "title.0.$eq");
	/* A key that tries to be SQL is just an unknown key. */
	bad_filter_key(ART, "filters[title)%20OR%20(1=1][$eq]=x", "title) OR (1=1",
	    "title) OR (1=1");
	/* Quotes in a key are escaped in details (checked by parsing). */
	bad_filter_key(ART, "filters[a%22b%5C]=x", "a\"b\\", "a\"b\\");
	/* The first error wins, in query order. */
	bad_filter_key(ART, "filters[first]=1&filters[second]=2", "first", "first");

	err_is(ART, "filters=x", "ValidationError",
	    "The filters parameter must be an object or an array",
	    "{\"source\":\"query\",\"param\":\"filters\"}");
	err_is(ART, "filters=x&filters[title]=y", "ValidationError",
	    "The filters parameter must be an object or an array",
	    "{\"source\":\"query\",\"param\":\"filters\"}");
}

static void
test_bad_values(void)
{
	bad_value(ART, "filters[id]=abc", "Invalid value for id: \"abc\" is not an integer",
	    "id", "id");
	bad_value(ART, "filters[id][$eq]=1.5", "Invalid value for id: \"1.5\" is not an integer",
	    "id", "id.$eq");
	bad_value(ART, "filters[id][$gt]=", "Invalid value for id: \"\" is not an integer",
	    "id", "id.$gt");
	bad_value(ART, "filters[id][$lt]=1234567890123456789",
	    "Invalid value for id: \"1234567890123456789\" is not an integer", "id", "id.$lt");
	bad_value(ART, "filters[id][$in][0]=1&filters[id][$in][1]=x",
	    "Invalid value for id: \"x\" is not an integer", "id", "id.$in.1");
	bad_value(ART, "filters[id][1]=1&filters[id][0]=%2B2",
	    "Invalid value for id: \"+2\" is not an integer", "id", "id.0");
	bad_value(ART, "filters[id][$between][0]=1&filters[id][$between][1]=z",
	    "Invalid value for id: \"z\" is not an integer", "id", "id.$between.1");
	bad_value(ART, "filters[createdAt][$gt]=yesterday",
	    "Invalid value for createdAt: \"yesterday\" is not a timestamp or an ISO date",
	    "createdAt", "createdAt.$gt");
	bad_value(ART, "filters[createdAt][$gt]=not-a-date",
	    "Invalid value for createdAt: \"not-a-date\" is not a timestamp or an ISO date",
	    "createdAt", "createdAt.$gt");
	bad_value(ART, "filters[createdAt][$gt]=2023-02-29",
	    "Invalid value for createdAt: \"2023-02-29\" is not a timestamp or an ISO date",
	    "createdAt", "createdAt.$gt");
	bad_value(ART, "filters[createdAt]=2024-13-01",
	    "Invalid value for createdAt: \"2024-13-01\" is not a timestamp or an ISO date",
	    "createdAt", "createdAt");
	bad_value(ART, "filters[updatedAt][$lt]=2024-01-01T24:01",
	    "Invalid value for updatedAt: \"2024-01-01T24:01\" is not a timestamp or an ISO date",
	    "updatedAt", "updatedAt.$lt");
	bad_value(ART, "filters[updatedAt][$lt]=2024-01-01%2010:00%20",
	    "Invalid value for updatedAt: \"2024-01-01 10:00 \" is not a timestamp or an ISO date",
	    "updatedAt", "updatedAt.$lt");
	bad_value(ART, "filters[publishedAt][$lt]=2024-01-01T10:00:00%2B05:60",
	    "Invalid value for publishedAt: \"2024-01-01T10:00:00+05:60\" is not a timestamp or an ISO date",
	    "publishedAt", "publishedAt.$lt");
	bad_value(ART, "filters[publishedAt][$lt]=-271821-04-20",
	    "Invalid value for publishedAt: \"-271821-04-20\" is not a timestamp or an ISO date",
	    "publishedAt", "publishedAt.$lt");
	bad_value(ART, "filters[publishedAt][$in][0]=2024&filters[publishedAt][$in][1]=",
	    "Invalid value for publishedAt: \"\" is not a timestamp or an ISO date",
	    "publishedAt", "publishedAt.$in.1");
	/* A long value is quoted shortened. */
	bad_value(ART,
	    "filters[id]=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "Invalid value for id: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not an integer",
	    "id", "id");
	/* NUL bytes (Postgres text cannot hold them), invalid UTF-8. */
	bad_value(ART, "filters[title]=a%00b", "Invalid value for title: NUL bytes are not allowed",
	    "title", "title");
	bad_value(ART, "filters[title][$containsi]=%00", "Invalid value for title: NUL bytes are not allowed",
	    "title", "title.$containsi");
	bad_value(ART, "filters[id][$in][0]=1%00", "Invalid value for id: NUL bytes are not allowed",
	    "id", "id.$in.0");
	bad_value(ART, "filters[title]=\xff\xfe", "Invalid value for title: not valid UTF-8",
	    "title", "title");
	/* $between: exactly two values. */
	bad_value(ART, "filters[id][$between][0]=1",
	    "Invalid value for id: $between expects exactly 2 values", "id", "id.$between");
	bad_value(ART, "filters[id][$between]=1",
	    "Invalid value for id: $between expects exactly 2 values", "id", "id.$between");
	bad_value(ART, "filters[id][$between][0]=1&filters[id][$between][1]=2&filters[id][$between][2]=3",
	    "Invalid value for id: $between expects exactly 2 values", "id", "id.$between");
	bad_value(ART, "filters[title][$null][0]=true",
	    "Invalid value for title: expected true or false", "title", "title.$null");
	bad_value(ART, "filters[title][$eq][0][0]=a",
	    "Invalid value for title: expected a string", "title", "title.$eq.0");
}

/* No value reaches the SQL: only $n.  Every param is checked against the text. */
static void
test_injection(void)
{
	static const char *const qss[] = {
		"filters[title]=x');DROP TABLE articles;--",
		"filters[title][$containsi]=%27%20OR%20%271%27%3D%271",
		"filters[slug][$in][0]=a%27)%20OR%201%3D1%20--&filters[slug][$in][1]=$1",
		"filters[$or][0][title][$eq]=x%20OR%20TRUE&filters[$or][1][content][$ne]=y)%20OR%20(TRUE",
		"filters[title][$startsWith]=%5C'%3B%20SELECT%20pg_sleep(10)%3B--",
		"filters[id][$contains]=1)%20OR%20(1=1",
		"_q=%25'%20OR%20''='",
		"filters[documentId][$endsWithi]=ESCAPE%20'x'",
	};
	size_t i;
	int k;

	for (i = 0; i < ARRAY_LEN(qss); i++) {
		struct cq q;
		struct cq_error e;
		enum app_err rc = compile(ART, qss[i], 1, &q, &e);
		bool clean = true;

		T_INT(nm("injection compiles", qss[i]), rc, APP_OK);
		if (rc != APP_OK) {
			arena_reset(&A);
			continue;
		}
		for (k = 0; k < q.nparams; k++)
			if (q.params[k] != NULL && strlen(q.params[k]) > 2 &&
			    (strstr(q.where, q.params[k]) != NULL ||
			    strstr(q.order_by, q.params[k]) != NULL))
				clean = false;
		T_OK(nm("no param in SQL", qss[i]), clean);
		T_OK(nm("SQL shape", qss[i]), sql_shape_ok(q.where) && sql_shape_ok(q.order_by));
		T_OK(nm("has params", qss[i]), q.nparams > 0);
		arena_reset(&A);
	}
	where_is(ART, "filters[title]=x');DROP TABLE articles;--", "(title = $1::text)",
	    "[x');DROP TABLE articles;--]");
	/* Keys cannot reach the SQL either: sort and fields are refused. */
	err_is(ART, "sort=title;DROP%20TABLE%20x", "ValidationError",
	    "Invalid key title;DROP TABLE x",
	    "{\"key\":\"title;DROP TABLE x\",\"path\":\"title;DROP TABLE x\",\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "fields=title,(SELECT%201)", "ValidationError", "Invalid key (SELECT 1)",
	    "{\"key\":\"(SELECT 1)\",\"path\":\"(SELECT 1)\",\"source\":\"query\",\"param\":\"fields\"}");
}

static void
test_numbering(void)
{
	struct cq q;
	struct cq_error e;

	T_INT("first_param 3", compile(ART, "filters[title]=a&filters[id][$in][0]=1&_q=z", 3, &q, &e),
	    APP_OK);
	T_STREQ("first_param 3: where", q.where,
	    "(((title = $3::text) AND (id IN ($4::bigint))) AND (strpos(LOWER(id::text), LOWER($5::text)) > 0 OR strpos(LOWER(document_id), LOWER($5::text)) > 0 OR strpos(LOWER(title), LOWER($5::text)) > 0 OR strpos(LOWER(content), LOWER($5::text)) > 0 OR strpos(LOWER(slug), LOWER($5::text)) > 0))");
	T_INT("first_param 3: nparams", q.nparams, 3);
	arena_reset(&A);
	T_INT("first_param 0 is a bug", compile(ART, "", 0, &q, &e), APP_EINTERNAL);
	arena_reset(&A);
	T_INT("no query", cq_compile(&A, ART, NULL, 1, &q, &e), APP_OK);
	T_STREQ("no query: where", q.where, "TRUE");
	T_STREQ("no query: order", q.order_by, "id ASC");
	T_INT("no query: nparams", q.nparams, 0);
	T_INT("no query: limit", q.limit, 25);
	T_INT("no query: fields", q.nfields, 8);
	arena_reset(&A);

	/* qs's 1000 pairs: ten IN lists of 100 (qs's array limit), 1000 parameters. */
	{
		size_t cap = 1000 * 40, len = 0;
		char *big = malloc(cap);
		int i;

		for (i = 0; big != NULL && i < 1000; i++)
			len += (size_t)snprintf(big + len, cap - len, "%sfilters[$or][%d][id][$in]=%d",
			    i ? "&" : "", i / 100, i);
		T_INT("1000 values", big != NULL ? compile(ART, big, 1, &q, &e) : APP_ENOMEM, APP_OK);
		T_INT("1000 params", q.nparams, 1000);
		T_OK("1000 placeholders", strstr(q.where, "$1000::bigint))") != NULL);
		free(big);
		arena_reset(&A);
	}
	/* Another caller's tree can hold more: the parameter cap answers 400. */
	{
		json_object *root = json_object_new_object(), *f = json_object_new_object();
		json_object *or = json_object_new_array();
		int i, k;

		/* Eleven $in lists of CQ_MAX_IN values: each allowed, together too many. */
		for (k = 0; k * CQ_MAX_IN <= CQ_MAX_PARAMS; k++) {
			json_object *c = json_object_new_object(), *id = json_object_new_object();
			json_object *in = json_object_new_array();

			for (i = 0; i < CQ_MAX_IN; i++)
				json_object_array_add(in, json_object_new_string("1"));
			json_object_object_add(id, "$in", in);
			json_object_object_add(c, "id", id);
			json_object_array_add(or, c);
		}
		json_object_object_add(f, "$or", or);
		json_object_object_add(root, "filters", f);
		T_INT("too many params", cq_compile(&A, ART, root, 1, &q, &e), APP_EINPUT);
		T_STREQ("too many params: message", e.message,
		    "The query has too many values (at most 10000)");
		json_object_put(root);
		arena_reset(&A);
	}
	/* One $in longer than CQ_MAX_IN, built by another caller: 400. */
	{
		json_object *root = json_object_new_object(), *f = json_object_new_object();
		json_object *id = json_object_new_object(), *in = json_object_new_array();
		int i;

		for (i = 0; i <= CQ_MAX_IN; i++)
			json_object_array_add(in, json_object_new_string("1"));
		json_object_object_add(id, "$in", in);
		json_object_object_add(f, "id", id);
		json_object_object_add(root, "filters", f);
		T_INT("a $in of 1001 values", cq_compile(&A, ART, root, 1, &q, &e), APP_EINPUT);
		T_OK("a $in of 1001 values: the message says the bound",
		    strstr(e.message, "at most 1000 values") != NULL);
		json_object_put(root);
		arena_reset(&A);
	}
	/* Past 100 values qs makes an object of the list: its keys are unknown. */
	{
		size_t cap = 102 * 24, len = 0;
		char *big = malloc(cap);
		int i;

		for (i = 0; big != NULL && i < 102; i++)
			len += (size_t)snprintf(big + len, cap - len, "%sfilters[id][$in]=%d",
			    i ? "&" : "", i);
		if (big != NULL)
			bad_filter_key(ART, big, "0", "id.$in.0");
		free(big);
	}
}

/* ---- _q ------------------------------------------------------------- */

static void
test_search(void)
{
	where_is(ART, "_q=hello", "(strpos(LOWER(id::text), LOWER($1::text)) > 0 OR strpos(LOWER(document_id), LOWER($1::text)) > 0 OR strpos(LOWER(title), LOWER($1::text)) > 0 OR strpos(LOWER(content), LOWER($1::text)) > 0 OR strpos(LOWER(slug), LOWER($1::text)) > 0)", "[hello]");
	where_is(POST, "_q=50%25_x", "(strpos(LOWER(id::text), LOWER($1::text)) > 0 OR strpos(LOWER(document_id), LOWER($1::text)) > 0 OR strpos(LOWER(title), LOWER($1::text)) > 0 OR strpos(LOWER(content), LOWER($1::text)) > 0 OR strpos(LOWER(slug), LOWER($1::text)) > 0 OR strpos(LOWER(organization_id), LOWER($1::text)) > 0 OR strpos(LOWER(status), LOWER($1::text)) > 0)", "[50%_x]");
	where_is(ART, "filters[title]=a&_q=b", "((title = $1::text) AND (strpos(LOWER(id::text), LOWER($2::text)) > 0 OR strpos(LOWER(document_id), LOWER($2::text)) > 0 OR strpos(LOWER(title), LOWER($2::text)) > 0 OR strpos(LOWER(content), LOWER($2::text)) > 0 OR strpos(LOWER(slug), LOWER($2::text)) > 0))", "[a][b]");
	where_is(ART, "_q=", "TRUE", "");
	where_is(ART, "_q", "TRUE", "");
	err_is(ART, "_q[0]=a", "ValidationError", "Invalid _q parameter. Expected a string",
	    "{\"source\":\"query\",\"param\":\"_q\"}");
	err_is(ART, "_q=a%00", "ValidationError", NULL, "{\"source\":\"query\",\"param\":\"_q\"}");
}

/* ---- sort ----------------------------------------------------------- */

static void
test_sort(void)
{
	order_is(ART, "", "id ASC");
	order_is(ART, "sort=title", "title ASC, id ASC");
	order_is(ART, "sort=title:desc", "title DESC, id ASC");
	order_is(ART, "sort=title:DESC", "title DESC, id ASC");
	order_is(ART, "sort=title:Asc", "title ASC, id ASC");
	order_is(ART, "sort=title:asc,createdAt:desc", "title ASC, created_at DESC, id ASC");
	order_is(ART, "sort=title%3Aasc%2CupdatedAt%3Adesc", "title ASC, updated_at DESC, id ASC");
	order_is(ART, "sort[0]=title&sort[1]=id:desc", "title ASC, id DESC");
	order_is(ART, "sort%5B0%5D=title%3Aasc", "title ASC, id ASC");
	order_is(ART, "sort[0]=slug:desc,title&sort[1]=publishedAt", "slug DESC, title ASC, published_at ASC, id ASC");
	order_is(ART, "sort[title]=desc", "title DESC, id ASC");
	order_is(ART, "sort[title]=desc&sort[documentId]=ASC", "title DESC, document_id ASC, id ASC");
	order_is(ART, "sort[0][title]=asc&sort[1][createdAt]=desc", "title ASC, created_at DESC, id ASC");
	order_is(ART, "sort[0][content]=desc&sort[1]=slug", "content DESC, slug ASC, id ASC");
	order_is(ART, "sort=id:desc", "id DESC");
	order_is(ART, "sort=id", "id ASC");
	order_is(ART, "sort=documentId", "document_id ASC, id ASC");
	order_is(POST, "sort=status:desc,organizationId", "status DESC, organization_id ASC, id ASC");
	/* Empty items are skipped, as Strapi does. */
	order_is(ART, "sort=", "id ASC");
	order_is(ART, "sort", "id ASC");
	order_is(ART, "sort=title,,slug,", "title ASC, slug ASC, id ASC");

	err_is(ART, "sort=nope", "ValidationError", "Invalid key nope",
	    "{\"key\":\"nope\",\"path\":\"nope\",\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=title,password:desc", "ValidationError", "Invalid key password",
	    "{\"key\":\"password\",\"path\":\"password\",\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort[0][created_at]=asc", "ValidationError", "Invalid key created_at",
	    "{\"key\":\"created_at\",\"path\":\"created_at\",\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=author.name:asc", "ValidationError", "Invalid key author",
	    "{\"key\":\"author\",\"path\":\"author\",\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort[title][name]=asc", "ValidationError", "Invalid key name",
	    "{\"key\":\"name\",\"path\":\"title.name\",\"source\":\"query\",\"param\":\"sort\"}");
	/* The unknown key is reported before the bad order. */
	err_is(ART, "sort=nope:up", "ValidationError", "Invalid key nope",
	    "{\"key\":\"nope\",\"path\":\"nope\",\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=title:up", "ValidationError",
	    "Invalid order. order can only be one of asc|desc|ASC|DESC",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=title:", "ValidationError",
	    "Invalid order. order can only be one of asc|desc|ASC|DESC",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=title:asc:x", "ValidationError",
	    "Invalid order. order can only be one of asc|desc|ASC|DESC",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort[title]=upward", "ValidationError",
	    "Invalid order. order can only be one of asc|desc|ASC|DESC",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=:asc", "ValidationError",
	    "Invalid sort parameter: the field cannot be empty",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort[title]", "ValidationError",
	    "Invalid sort parameter. Expected a string, an array of strings, a sort object or an array of sort objects",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort[0][0]=title", "ValidationError", NULL,
	    "{\"source\":\"query\",\"param\":\"sort\"}");
	err_is(ART, "sort=title%00", "ValidationError",
	    "Invalid sort parameter: NUL bytes are not allowed",
	    "{\"source\":\"query\",\"param\":\"sort\"}");
}

/* ---- pagination ----------------------------------------------------- */

static void
test_pagination(void)
{
	/* Nothing: page form, page 1 of 25, with a count. */
	page_is("", 0, 25, true, true);
	page_is("pagination[page]=2&pagination[pageSize]=10", 10, 10, true, true);
	page_is("pagination%5Bpage%5D=2&pagination%5BpageSize%5D=5", 5, 5, true, true);
	page_is("pagination[page]=3", 50, 25, true, true);       /* pageSize defaults to 25 */
	page_is("pagination[pageSize]=7", 0, 7, true, true);     /* page defaults to 1 */
	page_is("pagination[pageSize]=100", 0, 100, true, true);
	page_is("pagination[pageSize]=101", 0, 100, true, true); /* capped silently */
	page_is("pagination[page]=3&pagination[pageSize]=200", 400, 100, true, true); /* meta page 5 */
	page_is("pagination[page]=0", 0, 25, true, true);
	page_is("pagination[page]=-4&pagination[pageSize]=10", 0, 10, true, true);
	page_is("pagination[pageSize]=0", 0, 1, true, true);
	page_is("pagination[page]=2&pagination[pageSize]=-5", 1, 1, true, true);
	page_is("pagination[page]=%2B2&pagination[pageSize]=010", 10, 10, true, true);
	/* Offset form. */
	page_is("pagination[start]=10&pagination[limit]=5", 10, 5, false, true);
	page_is("pagination[start]=3", 3, 25, false, true);
	page_is("pagination[limit]=50", 0, 50, false, true);
	page_is("pagination[limit]=500", 0, 100, false, true);
	page_is("pagination[limit]=0", 0, 1, false, true);
	page_is("pagination[limit]=-1", 0, 1, false, true);
	page_is("pagination[start]=-5&pagination[limit]=-20", 0, 1, false, true);
	/* qs nulls count as absent for the numbers, as lodash's isNil. */
	page_is("pagination[page]", 0, 25, true, true);
	page_is("pagination[start]", 0, 25, false, true);
	page_is("pagination[start]&pagination[page]=2", 25, 25, true, true);
	page_is("pagination", 0, 25, true, true);
	/* Huge numbers are clamped to 10^9, never overflow. */
	page_is("pagination[page]=99999999999999999999999999&pagination[pageSize]=99999999999999999999",
	    999999999LL * 1000000000LL, 100, true, true);
	page_is("pagination[start]=99999999999999999999999999", 1000000000LL, 25, false, true);
	page_is("pagination[page]=-99999999999999999999999999", 0, 25, true, true);
	/* withCount. */
	page_is("pagination[withCount]=true", 0, 25, true, true);
	page_is("pagination[withCount]=t", 0, 25, true, true);
	page_is("pagination[withCount]=1", 0, 25, true, true);
	page_is("pagination[withCount]=false", 0, 25, true, false);
	page_is("pagination[withCount]=f", 0, 25, true, false);
	page_is("pagination[withCount]=0&pagination[start]=5", 5, 25, false, false);
	/* Other pagination keys are ignored. */
	page_is("pagination[foo]=bar", 0, 25, true, true);

	err_is(ART, "pagination[page]=1&pagination[limit]=5", "PaginationError",
	    "Cannot use both page & offset pagination in the same query", "{}");
	err_is(ART, "pagination[pageSize]=1&pagination[start]=5", "PaginationError",
	    "Cannot use both page & offset pagination in the same query", "{}");
	err_is(ART, "pagination[page]=abc&pagination[start]=x", "PaginationError",
	    "Cannot use both page & offset pagination in the same query", "{}");
	err_is(ART, "pagination[withCount]=yes", "ValidationError",
	    "Invalid withCount parameter. Expected \"t\",\"1\",\"true\",\"false\",\"0\",\"f\"", "{}");
	err_is(ART, "pagination[withCount]", "ValidationError",
	    "Invalid withCount parameter. Expected \"t\",\"1\",\"true\",\"false\",\"0\",\"f\"", "{}");
	err_is(ART, "pagination[withCount]=TRUE", "ValidationError", NULL, "{}");
	err_is(ART, "pagination[page]=abc", "PaginationError",
	    "Invalid 'page' parameter. Expected an integer, received: abc", "{}");
	err_is(ART, "pagination[pageSize]=1.5", "PaginationError",
	    "Invalid 'pageSize' parameter. Expected an integer, received: 1.5", "{}");
	err_is(ART, "pagination[start]=1e3", "PaginationError",
	    "Invalid 'start' parameter. Expected an integer, received: 1e3", "{}");
	err_is(ART, "pagination[limit]=%2010", "PaginationError",
	    "Invalid 'limit' parameter. Expected an integer, received:  10", "{}");
	err_is(ART, "pagination[limit]=", "PaginationError",
	    "Invalid 'limit' parameter. Expected an integer, received: ", "{}");
	err_is(ART, "pagination[limit]=-", "PaginationError", NULL, "{}");
	err_is(ART, "pagination[page][0]=1", "PaginationError",
	    "Invalid 'page' parameter. Expected an integer", "{}");
	err_is(ART, "pagination=5", "PaginationError", NULL, "{}");
	/* Root-level pagination is not the REST syntax. */
	err_is(ART, "page=1", "PaginationError",
	    "Invalid pagination parameter page. Use pagination[page] and pagination[pageSize], "
	    "or pagination[start] and pagination[limit]", "{}");
	err_is(ART, "pageSize=10", "PaginationError", NULL, "{}");
	err_is(ART, "start=0", "PaginationError", NULL, "{}");
	err_is(ART, "limit=5&pagination[limit]=5", "PaginationError", NULL, "{}");
	page_is("page&limit", 0, 25, true, true);
	/* Validation errors come before pagination errors, as in Strapi. */
	err_is(ART, "pagination[page]=x&filters[nope]=1", "ValidationError", "Invalid key nope",
	    "{\"key\":\"nope\",\"path\":\"nope\",\"source\":\"query\",\"param\":\"filters\"}");
}

/* ---- fields and populate ------------------------------------------- */

static void
test_fields(void)
{
	struct cq q;
	struct cq_error e;

	fields_are(ART, "", "id,documentId,title,content,slug,createdAt,updatedAt,publishedAt");
	fields_are(POST, "", "id,documentId,title,content,slug,organizationId,status,createdAt,updatedAt,publishedAt");
	fields_are(ART, "fields=title,slug", "id,documentId,title,slug");
	fields_are(ART, "fields=slug,title", "id,documentId,title,slug"); /* collection order */
	fields_are(ART, "fields%5B0%5D=title&fields%5B1%5D=slug", "id,documentId,title,slug");
	fields_are(ART, "fields[0]=createdAt&fields[1]=title,content", "id,documentId,title,content,createdAt");
	fields_are(ART, "fields=%20title%20,%20slug", "id,documentId,title,slug");
	fields_are(ART, "fields=title,title,id", "id,documentId,title");
	fields_are(ART, "fields=*", "id,documentId,title,content,slug,createdAt,updatedAt,publishedAt");
	fields_are(ART, "fields[0]=title&fields[1]=*", "id,documentId,title,content,slug,createdAt,updatedAt,publishedAt");
	fields_are(ART, "fields=", "id,documentId");
	fields_are(ART, "fields=documentId", "id,documentId");
	fields_are(ART, "fields", "id,documentId,title,content,slug,createdAt,updatedAt,publishedAt");
	fields_are(POST, "fields=status", "id,documentId,status");

	err_is(ART, "fields=title,nope", "ValidationError", "Invalid key nope",
	    "{\"key\":\"nope\",\"path\":\"nope\",\"source\":\"query\",\"param\":\"fields\"}");
	err_is(ART, "fields[0]=organizationId", "ValidationError", "Invalid key organizationId",
	    "{\"key\":\"organizationId\",\"path\":\"organizationId\",\"source\":\"query\",\"param\":\"fields\"}");
	err_is(ART, "fields[0]=created_at", "ValidationError", "Invalid key created_at",
	    "{\"key\":\"created_at\",\"path\":\"created_at\",\"source\":\"query\",\"param\":\"fields\"}");
	err_is(ART, "fields[title]=1", "ValidationError",
	    "Invalid fields parameter. Expected a string or an array of strings",
	    "{\"source\":\"query\",\"param\":\"fields\"}");
	err_is(ART, "fields[0][x]=1", "ValidationError",
	    "Invalid fields parameter. Expected a string or an array of strings",
	    "{\"source\":\"query\",\"param\":\"fields\"}");
	err_is(ART, "fields=title%00x", "ValidationError",
	    "Invalid fields parameter: NUL bytes are not allowed",
	    "{\"source\":\"query\",\"param\":\"fields\"}");

	/* cq_compile_fields: fields and populate only, the rest neutral. */
	{
		json_object *o = NULL;
		const char *s = "fields=slug&filters[nope]=1&sort=nope&pagination[page]=x";

		qs_parse(&A, s, strlen(s), &o);
		T_INT("compile_fields", cq_compile_fields(&A, ART, o, &q, &e), APP_OK);
		T_INT("compile_fields: nfields", q.nfields, 3);
		T_STREQ("compile_fields: third", q.nfields == 3 ? q.fields[2]->name : "", "slug");
		T_STREQ("compile_fields: where", q.where, "TRUE");
		T_INT("compile_fields: nparams", q.nparams, 0);
		arena_reset(&A);
		s = "populate=author";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("compile_fields: populate refused", cq_compile_fields(&A, ART, o, &q, &e), APP_EINPUT);
		T_STREQ("compile_fields: populate message", e.message, "Invalid key author");
		arena_reset(&A);
		T_INT("compile_fields: no query", cq_compile_fields(&A, POST, NULL, &q, &e), APP_OK);
		T_INT("compile_fields: all", q.nfields, 10);
		arena_reset(&A);
	}

	/*
	 * cq_compile_entry: the query of findOne, create, update and delete,
	 * validated whole (filters, sort, fields, populate) before anything.
	 */
	{
		json_object *o = NULL;
		const char *s = "fields=title&filters[title][$eq]=zzz&sort=title:desc"
		    "&pagination[page]=x";

		qs_parse(&A, s, strlen(s), &o);
		T_INT("compile_entry", cq_compile_entry(&A, ART, o, 2, &q, &e), APP_OK);
		T_STREQ("compile_entry: where after the documentId", q.where, "(title = $2::text)");
		T_STREQ("compile_entry: params", joined(&q), "[zzz]");
		T_INT("compile_entry: fields", q.nfields, 3);
		T_INT("compile_entry: no count", q.with_count, 0);
		arena_reset(&A);
		s = "filters[nope][$eq]=1";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("compile_entry: a bad filter key", cq_compile_entry(&A, POST, o, 3, &q, &e), APP_EINPUT);
		T_STREQ("compile_entry: its message", e.message, "Invalid key nope");
		arena_reset(&A);
		s = "sort=nope";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("compile_entry: a bad sort key", cq_compile_entry(&A, ART, o, 2, &q, &e), APP_EINPUT);
		T_STREQ("compile_entry: its details", e.details,
		    "{\"key\":\"nope\",\"path\":\"nope\",\"source\":\"query\",\"param\":\"sort\"}");
		arena_reset(&A);
		s = "fields[0]=nope";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("compile_entry: a bad field", cq_compile_entry(&A, ART, o, 2, &q, &e), APP_EINPUT);
		T_STREQ("compile_entry: names fields", e.details,
		    "{\"key\":\"nope\",\"path\":\"nope\",\"source\":\"query\",\"param\":\"fields\"}");
		arena_reset(&A);
		/* A collection's relations may be populated; nothing else. */
		s = "populate=role";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("populate names a relation of users", cq_compile_entry(&A, &coll_users, o, 4, &q, &e), APP_OK);
		T_INT("... not of articles", cq_compile_entry(&A, ART, o, 2, &q, &e), APP_EINPUT);
		arena_reset(&A);
		s = "populate[role][fields][0]=name";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("populate object form names a relation", cq_compile_entry(&A, &coll_users, o, 4, &q, &e), APP_OK);
		arena_reset(&A);
		s = "populate=role.permissions,author";
		qs_parse(&A, s, strlen(s), &o);
		T_INT("populate of a non-relation is refused", cq_compile_entry(&A, &coll_users, o, 4, &q, &e), APP_EINPUT);
		T_STREQ("... naming it", e.message, "Invalid key author");
		arena_reset(&A);
		T_INT("compile_entry: no query", cq_compile_entry(&A, POST, NULL, 3, &q, &e), APP_OK);
		T_STREQ("compile_entry: no query, no condition", q.where, "TRUE");
		T_INT("compile_entry: every field", q.nfields, 10);
		arena_reset(&A);
	}
}

static void
test_populate(void)
{
	where_is(ART, "populate=*", "TRUE", "");
	where_is(ART, "populate=", "TRUE", "");
	where_is(ART, "populate", "TRUE", "");
	where_is(ART, "populate=%20,%20", "TRUE", "");
	err_is(ART, "populate=author", "ValidationError", "Invalid key author",
	    "{\"key\":\"author\",\"path\":\"author\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate=title", "ValidationError", "Invalid key title",
	    "{\"key\":\"title\",\"path\":\"title\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate[0]=author.avatar", "ValidationError", "Invalid key author",
	    "{\"key\":\"author\",\"path\":\"author\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate[0]=*", "ValidationError", "Invalid key *",
	    "{\"key\":\"*\",\"path\":\"*\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate=%20,%20cover", "ValidationError", "Invalid key cover",
	    "{\"key\":\"cover\",\"path\":\"cover\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate[author]=true", "ValidationError", "Invalid key author",
	    "{\"key\":\"author\",\"path\":\"author\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate[author][fields][0]=name", "ValidationError", "Invalid key author",
	    "{\"key\":\"author\",\"path\":\"author\",\"source\":\"query\",\"param\":\"populate\"}");
	err_is(ART, "populate[0][author]=true", "ValidationError",
	    "Invalid populate parameter. Expected a string, an array of strings, a populate object",
	    "{\"source\":\"query\",\"param\":\"populate\"}");
}

/* A whole request as @strapi/client sends it. */
static void
test_client(void)
{
	struct cq q;
	struct cq_error e;
	const char *s = "filters%5Btitle%5D%5B%24eq%5D=A%20B&sort%5B0%5D=title%3Aasc"
	    "&pagination%5Bpage%5D=2&pagination%5BpageSize%5D=5&fields%5B0%5D=title"
	    "&populate=%2A&status=published&locale=en";

	T_INT("client query", compile(POST, s, 2, &q, &e), APP_OK);
	T_STREQ("client: where", q.where, "(title = $2::text)");
	T_STREQ("client: params", joined(&q), "[A B]");
	T_STREQ("client: order", q.order_by, "title ASC, id ASC");
	T_INT("client: start", q.start, 5);
	T_INT("client: limit", q.limit, 5);
	T_INT("client: page form", q.page_form, 1);
	T_INT("client: count", q.with_count, 1);
	T_INT("client: fields", q.nfields, 3);
	arena_reset(&A);
}

/* Out of memory at every step: a clean APP_ENOMEM, never a crash or leak. */
static void
test_oom(void)
{
	const char *s = "filters[$or][0][title][$containsi]=a&filters[$or][1][id][$in][0]=1"
	    "&filters[createdAt][$between][0]=2024-01-01&filters[createdAt][$between][1]=2025-01-01"
	    "&sort=title:desc,slug&fields=title&_q=x&pagination[page]=2";
	const char *bad = "filters[$or][0][nope]=1";
	size_t extra;
	int nomem = 0, ok = 0, other = 0;

	for (extra = 0; extra < 64 * 1024; extra += 16) {
		json_object *o = NULL;
		struct cq q;
		struct cq_error e;
		enum app_err rc;

		A.limit = 0;
		if (qs_parse(&A, s, strlen(s), &o) != APP_OK)
			break;
		A.limit = A.used_total + extra;
		rc = cq_compile(&A, ART, o, 1, &q, &e);
		A.limit = 0;
		if (rc == APP_ENOMEM)
			nomem++;
		else if (rc == APP_OK) {
			ok++;
			T_STREQ("oom: finally compiles", q.where,
			    "((((strpos(LOWER(title), LOWER($1::text)) > 0) OR (id IN ($2::bigint))) AND "
			    "(date_trunc('milliseconds', created_at) BETWEEN $3::timestamptz AND $4::timestamptz)) AND "
			    "(strpos(LOWER(id::text), LOWER($5::text)) > 0 OR strpos(LOWER(document_id), LOWER($5::text)) > 0 OR strpos(LOWER(title), LOWER($5::text)) > 0 OR strpos(LOWER(content), LOWER($5::text)) > 0 OR strpos(LOWER(slug), LOWER($5::text)) > 0))");
			arena_reset(&A);
			break;
		} else
			other++;
		arena_reset(&A);
	}
	T_OK("oom: failed cleanly, then compiled", nomem > 0 && ok == 1 && other == 0);
	nomem = ok = other = 0;
	for (extra = 0; extra < 64 * 1024; extra += 16) {
		json_object *o = NULL;
		struct cq q;
		struct cq_error e;
		enum app_err rc;

		A.limit = 0;
		if (qs_parse(&A, bad, strlen(bad), &o) != APP_OK)
			break;
		A.limit = A.used_total + extra;
		rc = cq_compile(&A, ART, o, 1, &q, &e);
		A.limit = 0;
		if (rc == APP_ENOMEM)
			nomem++;
		else if (rc == APP_EINPUT) {
			ok++;
			T_STREQ("oom: error details", e.details,
			    "{\"key\":\"nope\",\"path\":\"$or.0.nope\",\"source\":\"query\",\"param\":\"filters\"}");
			arena_reset(&A);
			break;
		} else
			other++;
		arena_reset(&A);
	}
	T_OK("oom: error path fails cleanly, then reports", nomem > 0 && ok == 1 && other == 0);
}

/* ---- bounds on what one request may ask of the database -------------- */

static void
test_bounds(void)
{
	static char qs[8192];
	char word[1100];
	struct cq q;
	struct cq_error e;
	enum app_err rc;

	memset(word, 'a', CQ_MAX_LIKE);
	word[CQ_MAX_LIKE] = '\0';
	snprintf(qs, sizeof(qs), "filters[content][$contains]=%s", word);
	T_INT("bounds: a 256-character $contains is allowed", compile(ART, qs, 1, &q, &e), APP_OK);
	snprintf(qs, sizeof(qs), "_q=%s", word);
	T_INT("bounds: a 256-character _q is allowed", compile(ART, qs, 1, &q, &e), APP_OK);
	word[CQ_MAX_LIKE] = 'b';
	word[CQ_MAX_LIKE + 1] = '\0';
	for (const char *op = "$contains"; op != NULL;
	    op = strcmp(op, "$contains") == 0 ? "$startsWithi" :
	    strcmp(op, "$startsWithi") == 0 ? "$eqi" : strcmp(op, "$eqi") == 0 ? "$notContainsi" : NULL) {
		snprintf(qs, sizeof(qs), "filters[title][%s]=%s", op, word);
		rc = compile(ART, qs, 1, &q, &e);
		T_INT(nm("bounds: a 257-character LIKE operand is 400", op), rc, APP_EINPUT);
		T_OK(nm("bounds: the message says why", op), rc == APP_EINPUT &&
		    strstr(e.message, "at most 256 characters") != NULL &&
		    strstr(e.details, "\"filters\"") != NULL);
	}
	snprintf(qs, sizeof(qs), "_q=%s", word);
	rc = compile(ART, qs, 1, &q, &e);
	T_OK("bounds: a 257-character _q is 400 naming _q", rc == APP_EINPUT &&
	    strstr(e.details, "_q") != NULL);
	/* Characters, not bytes: 256 two-byte characters are allowed. */
	qs[0] = '\0';
	strcat(qs, "_q=");
	for (int i = 0; i < CQ_MAX_LIKE; i++)
		strcat(qs, "%C3%A9");
	T_INT("bounds: 256 two-byte characters are 256 characters", compile(ART, qs, 1, &q, &e),
	    APP_OK);
	/* Text matches read whole texts: at most 32 in one request. */
	qs[0] = '\0';
	for (int i = 0; i <= CQ_MAX_TEXT_MATCH; i++) {
		char one[64];

		snprintf(one, sizeof(one), "%sfilters[$or][%d][content][$contains]=x%d",
		    i ? "&" : "", i, i);
		strcat(qs, one);
	}
	rc = compile(ART, qs, 1, &q, &e);
	T_OK("bounds: 33 text matches are refused", rc == APP_EINPUT &&
	    strstr(e.message, "at most 32 text matches") != NULL);
	/* An OR over many values of one operator counts every one. */
	{
		static char big[200000];
		size_t len = 0;

		for (int i = 0; i <= CQ_MAX_CONDITIONS && len + 64 < sizeof(big); i++)
			len += (size_t)snprintf(big + len, sizeof(big) - len,
			    "%sfilters[$or][%d][title][$eq]=x", i ? "&" : "", i % 100);
		rc = compile(ART, big, 1, &q, &e);
		T_OK("bounds: more than 1000 conditions are refused or cut by qs",
		    rc == APP_EINPUT || (rc == APP_OK && q.nparams <= CQ_MAX_CONDITIONS));
	}
}

int
main(void)
{
	arena_init(&A, 4096);
	test_bounds();
	test_implicit();
	test_comparisons();
	test_like();
	test_lists();
	test_null_ops();
	test_bool();
	test_logical();
	test_deep();
	test_bad_keys();
	test_bad_values();
	test_injection();
	test_numbering();
	test_search();
	test_sort();
	test_pagination();
	test_fields();
	test_populate();
	test_client();
	test_oom();
	arena_free(&A);
	return T_DONE();
}
