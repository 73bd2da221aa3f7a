/*
 * cq.c - Strapi's find query (filters, sort, pagination, fields, populate,
 * _q) compiled into one parameterised SQL statement; see cq.h.
 *
 * The WHERE text is streamed into one sbuf while the tree is walked.  A
 * group (AND / OR) is written as "(a AND b)"; after the fact a group of
 * one loses its parentheses and an empty one becomes a single word, which
 * keeps the SQL canonical and easy to assert without a second pass.
 *
 * Errors: the first failure is recorded in struct cc and every function
 * returns -1 up the stack; nothing is retried.  Messages and details never
 * paste raw input into JSON text: details are written with jw, and the
 * caller's resp_error() escapes the message.
 */
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "cq.h"
#include "dt.h"
#include "jw.h"
#include "sbuf.h"

#define SQL_MAX (1024 * 1024)   /* the WHERE text; past it the query is refused */
#define MSG_MAX (64 * 1024)
#define SHOW_MAX 64             /* bytes of a client's value quoted in a message */
#define PAG_CLAMP 1000000000LL  /* pagination numbers are clamped to +-10^9 */
#define FIRST_PARAM_MAX 32767   /* with CQ_MAX_PARAMS, stays under Postgres's 65535 */

static const char VALIDATION[] = "ValidationError";
static const char PAGINATION[] = "PaginationError";

/* The compilation of one query. */
struct cc {
	struct arena *a;
	const struct coll *c;
	struct cq_error *err;
	enum app_err rc;      /* APP_OK until the first failure */
	struct sbuf sql;      /* the WHERE expression */
	struct sbuf path;     /* dotted path of the filter node being compiled */
	const char **params;
	int nparams, cap;
	int first;            /* number of the first placeholder */
	int depth;
	int nconds;           /* operators compiled so far (CQ_MAX_CONDITIONS) */
	int ntext;            /* text matches so far (CQ_MAX_TEXT_MATCH) */
};

/* ---- operators ------------------------------------------------------ */

enum op_kind {
	K_CMP,      /* col <op> $n::type */
	K_LIKE,     /* [LOWER](col) [NOT] LIKE [LOWER]($n) */
	K_IN,
	K_NOTIN,
	K_BETWEEN,
	K_NULL,
	K_NOTNULL,
	K_NOT,
	K_AND,
	K_OR
};

struct op {
	const char *name;
	enum op_kind kind;
	const char *sql;     /* K_CMP: the SQL operator */
	const char *if_null; /* K_CMP, K_LIKE: what a null value means, or NULL */
	bool negate;         /* K_LIKE: NOT LIKE */
	bool lower;          /* K_LIKE: case-insensitive */
	const char *pre;     /* K_LIKE: wildcards around the escaped value */
	const char *post;
};

/* Strapi's operators (case-sensitive); anything else is an unknown key. */
static const struct op ops[] = {
	{ "$eq", K_CMP, "=", "IS NULL", false, false, NULL, NULL },
	{ "$ne", K_CMP, "<>", "IS NOT NULL", false, false, NULL, NULL },
	{ "$lt", K_CMP, "<", NULL, false, false, NULL, NULL },
	{ "$lte", K_CMP, "<=", NULL, false, false, NULL, NULL },
	{ "$gt", K_CMP, ">", NULL, false, false, NULL, NULL },
	{ "$gte", K_CMP, ">=", NULL, false, false, NULL, NULL },
	{ "$eqi", K_LIKE, NULL, "IS NULL", false, true, "", "" },
	{ "$nei", K_LIKE, NULL, "IS NOT NULL", true, true, "", "" },
	{ "$contains", K_LIKE, NULL, NULL, false, false, "%", "%" },
	{ "$notContains", K_LIKE, NULL, NULL, true, false, "%", "%" },
	{ "$containsi", K_LIKE, NULL, NULL, false, true, "%", "%" },
	{ "$notContainsi", K_LIKE, NULL, NULL, true, true, "%", "%" },
	{ "$startsWith", K_LIKE, NULL, NULL, false, false, "", "%" },
	{ "$startsWithi", K_LIKE, NULL, NULL, false, true, "", "%" },
	{ "$endsWith", K_LIKE, NULL, NULL, false, false, "%", "" },
	{ "$endsWithi", K_LIKE, NULL, NULL, false, true, "%", "" },
	{ "$in", K_IN, NULL, NULL, false, false, NULL, NULL },
	{ "$notIn", K_NOTIN, NULL, NULL, false, false, NULL, NULL },
	{ "$between", K_BETWEEN, NULL, NULL, false, false, NULL, NULL },
	{ "$null", K_NULL, NULL, NULL, false, false, NULL, NULL },
	{ "$notNull", K_NOTNULL, NULL, NULL, false, false, NULL, NULL },
	{ "$not", K_NOT, NULL, NULL, false, false, NULL, NULL },
	{ "$and", K_AND, NULL, NULL, false, false, NULL, NULL },
	{ "$or", K_OR, NULL, NULL, false, false, NULL, NULL },
};

static const struct op *
op_find(const char *name)
{
	size_t i;

	if (name[0] != '$')
		return NULL;
	for (i = 0; i < ARRAY_LEN(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

/* Implicit $eq (filters[title]=x): the table's first entry. */
static const struct op *
op_eq(void)
{
	return &ops[0];
}

/* ---- failures ------------------------------------------------------- */

static int
oom(struct cc *x)
{
	if (x->rc == APP_OK)
		x->rc = APP_ENOMEM;
	return -1;
}

/*
 * Record a 400 (the first failure wins) and return -1.  details is JSON
 * text or NULL when building it ran out of memory.
 */
static int
fail(struct cc *x, const char *name, const char *details, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct cc *x, const char *name, const char *details, const char *fmt, ...)
{
	struct sbuf sb;
	va_list ap;

	if (x->rc != APP_OK)
		return -1;
	if (details == NULL)
		return oom(x);
	sbuf_init(&sb, x->a, MSG_MAX);
	va_start(ap, fmt);
	sbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (sbuf_err(&sb) == APP_ENOMEM)
		return oom(x);
	x->err->status = 400;
	x->err->name = name;
	/* A message past MSG_MAX (a huge key) is refused whole by sbuf. */
	x->err->message = sbuf_err(&sb) == APP_OK ? sbuf_str(&sb) : "Invalid query";
	x->err->details = details;
	x->rc = APP_EINPUT;
	return -1;
}

/* {"key":key,"path":path,"source":"query","param":param}, or NULL. */
static const char *
key_details(struct cc *x, const char *key, const char *path, const char *param)
{
	struct sbuf sb;
	struct jw w;

	sbuf_init(&sb, x->a, 4 * MSG_MAX);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "key");
	jw_str(&w, key);
	jw_key(&w, "path");
	jw_str(&w, path != NULL ? path : key);
	jw_key(&w, "source");
	jw_str(&w, "query");
	jw_key(&w, "param");
	jw_str(&w, param);
	jw_obj_close(&w);
	return sbuf_err(&sb) == APP_OK ? sbuf_str(&sb) : NULL;
}

/* {"source":"query","param":param}: for a parameter of the wrong shape. */
static const char *
param_details(struct cc *x, const char *param)
{
	struct sbuf sb;
	struct jw w;

	sbuf_init(&sb, x->a, MSG_MAX);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "source");
	jw_str(&w, "query");
	jw_key(&w, "param");
	jw_str(&w, param);
	jw_obj_close(&w);
	return sbuf_err(&sb) == APP_OK ? sbuf_str(&sb) : NULL;
}

/* The current filter path, or key when the path could not be kept. */
static const char *
cur_path(struct cc *x, const char *key)
{
	return sbuf_err(&x->path) == APP_OK && x->path.len > 0 ?
	    sbuf_str(&x->path) : key;
}

/* Strapi's "Invalid key <key>" for a filter key; the path ends with key. */
static int
bad_key(struct cc *x, const char *key)
{
	return fail(x, VALIDATION, key_details(x, key, cur_path(x, key), "filters"),
	    "Invalid key %s", key);
}

/* Up to SHOW_MAX bytes of s (cut on a character boundary), to quote. */
static const char *
show(struct cc *x, const char *s, size_t n)
{
	struct sbuf sb;
	size_t m = n;
	const char *nul = memchr(s, '\0', n);

	if (nul != NULL)
		m = n = (size_t)(nul - s);
	if (m > SHOW_MAX) {
		m = SHOW_MAX;
		while (m > 0 && ((unsigned char)s[m] & 0xc0) == 0x80)
			m--;
	}
	sbuf_init(&sb, x->a, SHOW_MAX + 8);
	sbuf_putn(&sb, s, m);
	if (m < n)
		sbuf_puts(&sb, "...");
	return sbuf_str(&sb);
}

/* "Invalid value for <field>: <why>" about the filter value at the path. */
static int
bad_value(struct cc *x, const struct coll_field *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad_value(struct cc *x, const struct coll_field *f, const char *fmt, ...)
{
	struct sbuf sb;
	va_list ap;

	sbuf_init(&sb, x->a, MSG_MAX);
	va_start(ap, fmt);
	sbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (sbuf_err(&sb) != APP_OK)
		return oom(x);
	return fail(x, VALIDATION, key_details(x, f->name, cur_path(x, f->name), "filters"),
	    "Invalid value for %s: %s", f->name, sbuf_str(&sb));
}

/* ---- paths ---------------------------------------------------------- */

static size_t
path_push(struct cc *x, const char *key)
{
	size_t mark = x->path.len;

	if (mark > 0)
		sbuf_putc(&x->path, '.');
	sbuf_puts(&x->path, key);
	return mark;
}

static size_t
path_push_index(struct cc *x, size_t i)
{
	size_t mark = x->path.len;

	sbuf_printf(&x->path, mark > 0 ? ".%zu" : "%zu", i);
	return mark;
}

static void
path_pop(struct cc *x, size_t mark)
{
	sbuf_truncate(&x->path, mark);
}

/* ---- text checks ---------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool
utf8_ok(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t l, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			l = 2;
		else if (c >= 0xe0 && c <= 0xef)
			l = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			l = 4;
		else
			return false;
		if (n - i < l)
			return false;
		for (k = 1; k < l; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))
			return false;
		i += l;
	}
	return true;
}

/* What bigint accepts without surprise: ^-?[0-9]{1,18}$. */
static bool
is_integer(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '-')
		i = 1;
	if (n - i < 1 || n - i > 18)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* ---- SQL pieces ----------------------------------------------------- */

static const char *
cast_of(enum coll_type t)
{
	switch (t) {
	case COLL_ID: return "bigint";
	case COLL_DATETIME: return "timestamptz";
	case COLL_BOOL: return "boolean";
	case COLL_STRING:
	case COLL_TEXT: break;
	}
	return "text";
}

/* The column as text, for the LIKE operators on non-text columns. */
static void
put_col_text(struct cc *x, const struct coll_field *f)
{
	sbuf_puts(&x->sql, f->column);
	if (f->type == COLL_ID || f->type == COLL_DATETIME || f->type == COLL_BOOL)
		sbuf_puts(&x->sql, "::text");
}

/* Add a parameter (NULL = SQL NULL); its $number, or -1. */
static int
param_add(struct cc *x, const char *v)
{
	if (x->nparams >= CQ_MAX_PARAMS)
		return fail(x, VALIDATION, "{}",
		    "The query has too many values (at most %d)", CQ_MAX_PARAMS);
	if (x->nparams >= x->cap) {
		int ncap = (int)arena_grow_cap((size_t)x->cap, (size_t)x->nparams + 1, 16);
		const char **np;

		np = arena_alloc(x->a, (size_t)ncap * sizeof(*np));
		if (np == NULL)
			return oom(x);
		if (x->nparams > 0)
			memcpy(np, x->params, (size_t)x->nparams * sizeof(*np));
		x->params = np;
		x->cap = ncap;
	}
	x->params[x->nparams++] = v;
	return x->first + x->nparams - 1;
}

/* Copy the value onto the arena (q may not belong to it) and add it. */
static int
param_text(struct cc *x, const char *s, size_t n)
{
	char *copy;

	if (s == NULL)
		return param_add(x, NULL);
	if ((copy = arena_strndup(x->a, s, n)) == NULL)
		return oom(x);
	return param_add(x, copy);
}

/* Characters (not continuation bytes) in n bytes of UTF-8. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* pre + s with %, _ and \ escaped by \ + post, as a parameter. */
static int
param_like(struct cc *x, const char *pre, const char *s, size_t n, const char *post)
{
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb, x->a, SQL_MAX);
	sbuf_puts(&sb, pre);
	for (i = 0; i < n; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			sbuf_putc(&sb, '\\');
		sbuf_putc(&sb, s[i]);
	}
	sbuf_puts(&sb, post);
	if (sbuf_err(&sb) != APP_OK)
		return oom(x);
	return param_add(x, sbuf_str(&sb));
}

/*
 * Groups.  grp_open() writes "("; each operand is written after
 * grp_item(), which adds the separator, and grp_end_item() drops an
 * operand that came out as TRUE when the group is an AND (an empty
 * condition, as knex drops empty groups).  grp_close() turns a group of
 * none into `empty` and a group of one into the bare operand.
 */
struct grp {
	size_t start;   /* where "(" is */
	size_t mark;    /* where the current operand's separator starts */
	size_t item;    /* where the current operand starts */
	size_t n;
	const char *sep;
	bool drop_true;
};

static void
grp_open(struct cc *x, struct grp *g, const char *sep, bool drop_true)
{
	g->start = x->sql.len;
	g->n = 0;
	g->sep = sep;
	g->drop_true = drop_true;
	sbuf_putc(&x->sql, '(');
}

static void
grp_item(struct cc *x, struct grp *g)
{
	g->mark = x->sql.len;
	if (g->n > 0)
		sbuf_puts(&x->sql, g->sep);
	g->item = x->sql.len;
}

static void
grp_end_item(struct cc *x, struct grp *g)
{
	if (sbuf_err(&x->sql) != APP_OK)
		return;
	if (g->drop_true && strcmp(x->sql.data + g->item, "TRUE") == 0)
		sbuf_truncate(&x->sql, g->mark);
	else
		g->n++;
}

static void
grp_close(struct cc *x, struct grp *g, const char *empty)
{
	if (sbuf_err(&x->sql) != APP_OK)
		return;
	if (g->n == 0) {
		sbuf_truncate(&x->sql, g->start);
		sbuf_puts(&x->sql, empty);
	} else if (g->n == 1) {
		/* The operand is self-delimited: drop the "(". */
		memmove(x->sql.data + g->start, x->sql.data + g->start + 1,
		    x->sql.len - g->start - 1);
		sbuf_truncate(&x->sql, x->sql.len - 1);
	} else
		sbuf_putc(&x->sql, ')');
}

/* "(NOT " before an operand; not_close() makes NOT of TRUE plain TRUE. */
static size_t
not_open(struct cc *x)
{
	size_t start = x->sql.len;

	sbuf_puts(&x->sql, "(NOT ");
	return start;
}

static void
not_close(struct cc *x, size_t start)
{
	if (sbuf_err(&x->sql) != APP_OK)
		return;
	if (strcmp(x->sql.data + start + 5, "TRUE") == 0) {
		sbuf_truncate(&x->sql, start);
		sbuf_puts(&x->sql, "TRUE");
	} else
		sbuf_putc(&x->sql, ')');
}

/* ---- filters -------------------------------------------------------- */

/*
 * The string at v for field f (NULL for a JSON null), checked: strings
 * only, no NUL byte (Postgres text cannot hold one), valid UTF-8.  An
 * object where a value belongs is an unknown key, as Strapi's validator
 * sees it.
 */
static int
value_text(struct cc *x, const struct coll_field *f, json_object *v,
    const char **s, size_t *n)
{
	*s = NULL;
	*n = 0;
	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_object)) {
		struct json_object_iter it;

		json_object_object_foreachC(v, it) {
			path_push(x, it.key);
			return bad_key(x, it.key);
		}
	}
	if (!json_object_is_type(v, json_type_string))
		return bad_value(x, f, "expected a string");
	*s = json_object_get_string(v);
	*n = (size_t)json_object_get_string_len(v);
	if (memchr(*s, '\0', *n) != NULL)
		return bad_value(x, f, "NUL bytes are not allowed");
	if (!utf8_ok(*s, *n))
		return bad_value(x, f, "not valid UTF-8");
	return 0;
}

/* Strapi's boolean cast (not forced): true/t/1 or false/f/0, nothing else. */
static int
param_bool(struct cc *x, const struct coll_field *f, const char *s, size_t n)
{
	if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && (s[0] == 't' || s[0] == '1')))
		return param_add(x, "true");
	if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && (s[0] == 'f' || s[0] == '0')))
		return param_add(x, "false");
	return bad_value(x, f, "\"%s\" is not a boolean (true, t, 1, false, f or 0)",
	    show(x, s, n));
}

/*
 * A value compared with the column's own type, as a parameter: an id must
 * be an integer; a datetime is the instant Strapi's date parsing makes of
 * it (a JavaScript Date: ms precision), handed over as canonical ISO text.
 * Its $number, or -1.
 */
static int
param_typed(struct cc *x, const struct coll_field *f, const char *s, size_t n)
{
	char text[DT_TEXT_MAX];
	long long ms;

	if (s == NULL)
		return param_add(x, NULL);
	if (f->type == COLL_ID && !is_integer(s, n))
		return bad_value(x, f, "\"%s\" is not an integer", show(x, s, n));
	if (f->type == COLL_BOOL)
		return param_bool(x, f, s, n);
	if (f->type != COLL_DATETIME)
		return param_text(x, s, n);
	if (dt_parse(s, n, &ms) != APP_OK)
		return bad_value(x, f, "\"%s\" is not a timestamp or an ISO date",
		    show(x, s, n));
	dt_format(ms, text);
	return param_text(x, text, strlen(text));
}

/*
 * The column as an operand of a typed comparison.  Strapi keeps datetimes
 * as JavaScript Dates (milliseconds); the columns hold microseconds, so
 * they are compared cut to the millisecond, as the API shows them: $gt of
 * an entry's own createdAt leaves it out, $eq finds it.
 */
static void
put_col_cmp(struct cc *x, const struct coll_field *f)
{
	if (f->type == COLL_DATETIME)
		sbuf_printf(&x->sql, "date_trunc('milliseconds', %s)", f->column);
	else
		sbuf_puts(&x->sql, f->column);
}

/* A typed value as a parameter: "$n::type". */
static int
put_typed(struct cc *x, const struct coll_field *f, json_object *v)
{
	const char *s;
	size_t n;
	int p;

	if (value_text(x, f, v, &s, &n) < 0 || (p = param_typed(x, f, s, n)) < 0)
		return -1;
	sbuf_printf(&x->sql, "$%d::%s", p, cast_of(f->type));
	return 0;
}

/* One comparison or LIKE operator with one (non-array) value. */
static int
op_scalar(struct cc *x, const struct coll_field *f, const struct op *op, json_object *v)
{
	const char *s;
	size_t n;
	int p;

	if (value_text(x, f, v, &s, &n) < 0)
		return -1;
	if (s == NULL && op->if_null != NULL) {
		sbuf_printf(&x->sql, "(%s %s)", f->column, op->if_null);
		return 0;
	}
	if (op->kind == K_CMP) {
		/* $lt null and the like: NULL compares to nothing, as in Strapi. */
		if ((p = param_typed(x, f, s, n)) < 0)
			return -1;
		sbuf_putc(&x->sql, '(');
		put_col_cmp(x, f);
		sbuf_printf(&x->sql, " %s $%d::%s)", op->sql, p, cast_of(f->type));
		return 0;
	}
	/* Strapi writes `%${value}%`, so a null searches the text "null". */
	if (s == NULL) {
		s = "null";
		n = 4;
	}
	if (utf8_chars(s, n) > CQ_MAX_LIKE)
		return bad_value(x, f, "a text to match may be at most %d characters long",
		    CQ_MAX_LIKE);
	if (++x->ntext > CQ_MAX_TEXT_MATCH)
		return fail(x, VALIDATION, param_details(x, "filters"),
		    "The filters may hold at most %d text matches", CQ_MAX_TEXT_MATCH);
	/*
	 * An unanchored match ($contains..., $endsWith...) is no LIKE: the
	 * pattern '%aaa...ab%' makes LIKE backtrack at every position, which
	 * over a large text takes seconds that no statement timeout cuts
	 * short.  strpos() searches in linear time, and the suffix compares
	 * once.  Anchored forms ($startsWith, $eqi) stay LIKEs.
	 */
	if (op->pre[0] == '%') {
		const char *lo = op->lower ? "LOWER(" : "", *lc = op->lower ? ")" : "";

		if ((p = param_text(x, s, n)) < 0)
			return -1;
		if (op->post[0] == '%') {
			sbuf_printf(&x->sql, "(%sstrpos(%s", op->negate ? "NOT (" : "", lo);
			put_col_text(x, f);
			sbuf_printf(&x->sql, "%s, %s$%d::text%s) > 0%s)", lc, lo, p, lc,
			    op->negate ? ")" : "");
		} else {
			sbuf_printf(&x->sql, "(%sright(", lo);
			put_col_text(x, f);
			sbuf_printf(&x->sql, ", char_length($%d::text))%s = %s$%d::text%s)",
			    p, lc, lo, p, lc);
		}
		return 0;
	}
	if ((p = param_like(x, op->pre, s, n, op->post)) < 0)
		return -1;
	sbuf_putc(&x->sql, '(');
	if (op->lower) {
		sbuf_puts(&x->sql, "LOWER(");
		put_col_text(x, f);
		sbuf_printf(&x->sql, ") %sLIKE LOWER($%d::text) ESCAPE '\\')",
		    op->negate ? "NOT " : "", p);
	} else {
		put_col_text(x, f);
		sbuf_printf(&x->sql, " %sLIKE $%d::text ESCAPE '\\')",
		    op->negate ? "NOT " : "", p);
	}
	return 0;
}

/* $in / $notIn / implicit IN: an array, or a single value. */
static int
op_list(struct cc *x, const struct coll_field *f, bool negate, json_object *v)
{
	bool arr = v != NULL && json_object_is_type(v, json_type_array);
	size_t i, len = arr ? json_object_array_length(v) : 1;

	if (len > CQ_MAX_IN)
		return bad_value(x, f, "$in and $notIn take at most %d values", CQ_MAX_IN);
	if (len == 0) {
		/* IN () is false; NOT IN () keeps every row, as knex does. */
		sbuf_puts(&x->sql, negate ? "TRUE" : "FALSE");
		return 0;
	}
	sbuf_putc(&x->sql, '(');
	put_col_cmp(x, f);
	sbuf_printf(&x->sql, " %sIN (", negate ? "NOT " : "");
	for (i = 0; i < len; i++) {
		size_t mark = arr ? path_push_index(x, i) : x->path.len;

		if (i > 0)
			sbuf_puts(&x->sql, ", ");
		if (put_typed(x, f, arr ? json_object_array_get_idx(v, i) : v) < 0)
			return -1;
		path_pop(x, mark);
	}
	sbuf_puts(&x->sql, "))");
	return 0;
}

/* Strapi's forced boolean cast for $null / $notNull. */
static int
null_flag(struct cc *x, const struct coll_field *f, json_object *v, bool *flag)
{
	const char *s;
	size_t n;

	if (v != NULL && !json_object_is_type(v, json_type_string) &&
	    !json_object_is_type(v, json_type_object))
		return bad_value(x, f, "expected true or false");
	if (value_text(x, f, v, &s, &n) < 0)
		return -1;
	if (s == NULL) {
		/* A key without "=" is qs's null, which Strapi casts to false. */
		*flag = false;
		return 0;
	}
	if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && (s[0] == 'f' || s[0] == '0')))
		*flag = false;
	else
		*flag = n > 0;
	return 0;
}

static int attr_cond(struct cc *x, const struct coll_field *f, json_object *v);

/* One operator of an attribute with its value. */
static int
op_cond(struct cc *x, const struct coll_field *f, const struct op *op, json_object *v)
{
	struct grp g;
	size_t i, len, start;
	const char *s;
	bool flag = false;

	if (++x->nconds > CQ_MAX_CONDITIONS)
		return fail(x, VALIDATION, param_details(x, "filters"),
		    "The filters may hold at most %d conditions", CQ_MAX_CONDITIONS);

	switch (op->kind) {
	case K_AND:
	case K_OR:
		/* Only at the root of a condition (Strapi: 500). */
		return bad_key(x, op->name);
	case K_NOT:
		start = not_open(x);
		if (attr_cond(x, f, v) < 0)
			return -1;
		not_close(x, start);
		return 0;
	case K_NULL:
	case K_NOTNULL:
		if (null_flag(x, f, v, &flag) < 0)
			return -1;
		if (op->kind == K_NOTNULL)
			flag = !flag;
		sbuf_printf(&x->sql, "(%s %s)", f->column, flag ? "IS NULL" : "IS NOT NULL");
		return 0;
	case K_IN:
	case K_NOTIN:
		/* An object is no list: value_text() reports its first key. */
		if (v != NULL && json_object_is_type(v, json_type_object))
			return value_text(x, f, v, &s, &len);
		return op_list(x, f, op->kind == K_NOTIN, v);
	case K_BETWEEN:
		if (v == NULL || !json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) != 2)
			return bad_value(x, f, "$between expects exactly 2 values");
		sbuf_putc(&x->sql, '(');
		put_col_cmp(x, f);
		sbuf_puts(&x->sql, " BETWEEN ");
		for (i = 0; i < 2; i++) {
			size_t mark = path_push_index(x, i);

			if (i > 0)
				sbuf_puts(&x->sql, " AND ");
			if (put_typed(x, f, json_object_array_get_idx(v, i)) < 0)
				return -1;
			path_pop(x, mark);
		}
		sbuf_putc(&x->sql, ')');
		return 0;
	case K_CMP:
	case K_LIKE:
		break;
	}
	if (v == NULL || !json_object_is_type(v, json_type_array))
		return op_scalar(x, f, op, v);
	/* A scalar operator given several values: OR over them. */
	len = json_object_array_length(v);
	grp_open(x, &g, " OR ", false);
	for (i = 0; i < len; i++) {
		size_t mark = path_push_index(x, i);

		grp_item(x, &g);
		if (op_scalar(x, f, op, json_object_array_get_idx(v, i)) < 0)
			return -1;
		grp_end_item(x, &g);
		path_pop(x, mark);
	}
	grp_close(x, &g, "FALSE");
	return 0;
}

/*
 * The condition on one attribute: a value (implicit $eq), an array
 * (implicit IN), or an object of operators (AND over them).
 */
static int
attr_cond(struct cc *x, const struct coll_field *f, json_object *v)
{
	struct json_object_iter it;
	struct grp g;

	if (v == NULL || json_object_is_type(v, json_type_string))
		return op_scalar(x, f, op_eq(), v);
	if (json_object_is_type(v, json_type_array))
		return op_list(x, f, false, v);
	if (!json_object_is_type(v, json_type_object))
		return bad_value(x, f, "expected a string");
	if (++x->depth > CQ_MAX_DEPTH)
		return fail(x, VALIDATION, param_details(x, "filters"),
		    "Invalid filters: nested too deeply");
	grp_open(x, &g, " AND ", true);
	json_object_object_foreachC(v, it) {
		size_t mark = path_push(x, it.key);
		const struct op *op = op_find(it.key);

		if (op == NULL)
			return bad_key(x, it.key);
		grp_item(x, &g);
		if (op_cond(x, f, op, it.val) < 0)
			return -1;
		grp_end_item(x, &g);
		path_pop(x, mark);
	}
	grp_close(x, &g, "TRUE");
	x->depth--;
	return 0;
}

static int root_cond(struct cc *x, json_object *v);

/* $and / $or: an array of conditions. */
static int
logical(struct cc *x, const struct op *op, json_object *v)
{
	struct grp g;
	size_t i, len;

	if (v == NULL || !json_object_is_type(v, json_type_array))
		return bad_key(x, op->name);
	len = json_object_array_length(v);
	/* An empty group is no condition at all (knex drops it). */
	grp_open(x, &g, op->kind == K_AND ? " AND " : " OR ", op->kind == K_AND);
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		size_t mark = path_push_index(x, i);

		if (e == NULL || (!json_object_is_type(e, json_type_object) &&
		    !json_object_is_type(e, json_type_array)))
			return bad_key(x, op->name);
		grp_item(x, &g);
		if (root_cond(x, e) < 0)
			return -1;
		grp_end_item(x, &g);
		path_pop(x, mark);
	}
	grp_close(x, &g, "TRUE");
	return 0;
}

/*
 * A condition at the root of the filters (or inside $and, $or, $not): an
 * object whose keys are attributes or $and/$or/$not, ANDed; or an array
 * of such conditions, ANDed (as Strapi applies a filters array).
 */
static int
root_cond(struct cc *x, json_object *v)
{
	struct json_object_iter it;
	struct grp g;
	size_t i, len;

	if (++x->depth > CQ_MAX_DEPTH)
		return fail(x, VALIDATION, param_details(x, "filters"),
		    "Invalid filters: nested too deeply");
	grp_open(x, &g, " AND ", true);
	if (json_object_is_type(v, json_type_array)) {
		len = json_object_array_length(v);
		for (i = 0; i < len; i++) {
			json_object *e = json_object_array_get_idx(v, i);
			size_t mark = path_push_index(x, i);

			if (e == NULL || (!json_object_is_type(e, json_type_object) &&
			    !json_object_is_type(e, json_type_array)))
				return fail(x, VALIDATION, param_details(x, "filters"),
				    "The filters parameter must be an object or an array");
			grp_item(x, &g);
			if (root_cond(x, e) < 0)
				return -1;
			grp_end_item(x, &g);
			path_pop(x, mark);
		}
		grp_close(x, &g, "TRUE");
		x->depth--;
		return 0;
	}
	json_object_object_foreachC(v, it) {
		size_t mark = path_push(x, it.key);
		const struct op *op = op_find(it.key);
		const struct coll_field *f = NULL;
		size_t start;

		if (op == NULL && (f = coll_field(x->c, it.key)) == NULL)
			return bad_key(x, it.key);
		grp_item(x, &g);
		if (f != NULL) {
			if (attr_cond(x, f, it.val) < 0)
				return -1;
		} else if (op->kind == K_AND || op->kind == K_OR) {
			if (logical(x, op, it.val) < 0)
				return -1;
		} else if (op->kind == K_NOT) {
			/* $not with no value is no condition, as in Strapi. */
			if (it.val == NULL)
				sbuf_puts(&x->sql, "TRUE");
			else if (!json_object_is_type(it.val, json_type_object) &&
			    !json_object_is_type(it.val, json_type_array))
				return bad_key(x, it.key);
			else {
				start = not_open(x);
				if (root_cond(x, it.val) < 0)
					return -1;
				not_close(x, start);
			}
		} else
			return bad_key(x, it.key); /* an attribute operator at the root */
		grp_end_item(x, &g);
		path_pop(x, mark);
	}
	grp_close(x, &g, "TRUE");
	x->depth--;
	return 0;
}

/* _q: Strapi's search, id::text and every text column ILIKE '%term%'. */
static int
search(struct cc *x, const char *s, size_t n)
{
	size_t i;
	int p;
	bool first = true;

	/* Linear-time containment, as for $containsi (see op_scalar). */
	if (++x->ntext > CQ_MAX_TEXT_MATCH)
		return fail(x, VALIDATION, param_details(x, "_q"),
		    "The filters may hold at most %d text matches", CQ_MAX_TEXT_MATCH);
	if ((p = param_text(x, s, n)) < 0)
		return -1;
	sbuf_putc(&x->sql, '(');
	for (i = 0; i < x->c->nfields; i++) {
		const struct coll_field *f = &x->c->fields[i];

		if (f->type != COLL_ID && f->type != COLL_STRING && f->type != COLL_TEXT)
			continue;
		if (!first)
			sbuf_puts(&x->sql, " OR ");
		first = false;
		sbuf_puts(&x->sql, "strpos(LOWER(");
		put_col_text(x, f);
		sbuf_printf(&x->sql, "), LOWER($%d::text)) > 0", p);
	}
	sbuf_putc(&x->sql, ')');
	return 0;
}

static int
compile_where(struct cc *x, json_object *q, struct cq *out)
{
	json_object *v;
	struct grp g;

	grp_open(x, &g, " AND ", true);
	if (json_object_object_get_ex(q, "filters", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_object) &&
		    !json_object_is_type(v, json_type_array))
			return fail(x, VALIDATION, param_details(x, "filters"),
			    "The filters parameter must be an object or an array");
		grp_item(x, &g);
		if (root_cond(x, v) < 0)
			return -1;
		grp_end_item(x, &g);
	}
	if (json_object_object_get_ex(q, "_q", &v) && v != NULL) {
		const char *s;
		size_t n;

		if (!json_object_is_type(v, json_type_string))
			return fail(x, VALIDATION, param_details(x, "_q"),
			    "Invalid _q parameter. Expected a string");
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (memchr(s, '\0', n) != NULL || !utf8_ok(s, n))
			return fail(x, VALIDATION, param_details(x, "_q"),
			    "Invalid _q parameter: NUL bytes and invalid UTF-8 are not allowed");
		if (utf8_chars(s, n) > CQ_MAX_LIKE)
			return fail(x, VALIDATION, param_details(x, "_q"),
			    "Invalid _q parameter: at most %d characters", CQ_MAX_LIKE);
		if (n > 0) {
			grp_item(x, &g);
			if (search(x, s, n) < 0)
				return -1;
			grp_end_item(x, &g);
		}
	}
	grp_close(x, &g, "TRUE");
	if (sbuf_err(&x->sql) == APP_ETOOBIG)
		return fail(x, VALIDATION, "{}", "The query is too complex");
	if (sbuf_err(&x->sql) != APP_OK)
		return oom(x);
	out->where = sbuf_str(&x->sql);
	return 0;
}

/* ---- sort ----------------------------------------------------------- */

struct sorter {
	struct sbuf ob;
	struct sbuf cols;       /* ", title, slug": each sorted column but id, once */
	bool *sorted;           /* by field index: already in cols */
	bool id_sorted;
};

static int
sort_bad_key(struct cc *x, const char *key, const char *path)
{
	return fail(x, VALIDATION, key_details(x, key, path, "sort"), "Invalid key %s", key);
}

static int
sort_bad_order(struct cc *x)
{
	return fail(x, VALIDATION, param_details(x, "sort"),
	    "Invalid order. order can only be one of asc|desc|ASC|DESC");
}

static int
sort_bad_shape(struct cc *x)
{
	return fail(x, VALIDATION, param_details(x, "sort"),
	    "Invalid sort parameter. Expected a string, an array of strings, "
	    "a sort object or an array of sort objects");
}

/* order (n bytes; NULL = default asc): 1 desc, 0 asc, -1 invalid. */
static int
sort_dir(const char *order, size_t n)
{
	if (order == NULL || (n == 3 && strncasecmp(order, "asc", 3) == 0))
		return 0;
	if (n == 4 && strncasecmp(order, "desc", 4) == 0)
		return 1;
	return -1;
}

/*
 * Append "column DIR" for the field named name.  A dotted name sorts
 * through a relation in Strapi; there are none, so its first unknown part
 * is the invalid key.
 */
static int
sort_add(struct cc *x, struct sorter *so, const char *name, int desc)
{
	const struct coll_field *f;
	const char *dot = strchr(name, '.');

	if (dot != NULL) {
		char *head = arena_strndup(x->a, name, (size_t)(dot - name));
		const char *rest = dot + 1, *dot2 = strchr(rest, '.');
		char *sub;

		if (head == NULL)
			return oom(x);
		if (coll_field(x->c, head) == NULL)
			return sort_bad_key(x, head, head);
		sub = arena_strndup(x->a, rest, dot2 != NULL ? (size_t)(dot2 - rest) : strlen(rest));
		if (sub == NULL)
			return oom(x);
		return sort_bad_key(x, sub, name);
	}
	if ((f = coll_field(x->c, name)) == NULL)
		return sort_bad_key(x, name, name);
	if (f->type == COLL_ID)
		so->id_sorted = true;
	else if (!so->sorted[f - x->c->fields]) {
		so->sorted[f - x->c->fields] = true;
		sbuf_printf(&so->cols, ", %s", f->column);
	}
	if (so->ob.len > 0)
		sbuf_puts(&so->ob, ", ");
	sbuf_printf(&so->ob, "%s %s", f->column, desc ? "DESC" : "ASC");
	return 0;
}

/* "field[:order][,field[:order]...]". */
static int
sort_text(struct cc *x, struct sorter *so, json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v), i = 0;

	if (memchr(s, '\0', n) != NULL)
		return fail(x, VALIDATION, param_details(x, "sort"),
		    "Invalid sort parameter: NUL bytes are not allowed");
	while (i <= n) {
		const char *item = s + i, *end = memchr(item, ',', n - i), *colon;
		size_t len = end != NULL ? (size_t)(end - item) : n - i;
		char *name;
		int dir;

		i += len + 1;
		if (len == 0)
			continue; /* "sort=" and "a,,b": Strapi skips empty items */
		colon = memchr(item, ':', len);
		if (colon == item)
			return fail(x, VALIDATION, param_details(x, "sort"),
			    "Invalid sort parameter: the field cannot be empty");
		dir = colon != NULL ? sort_dir(colon + 1, len - (size_t)(colon - item) - 1) :
		    sort_dir(NULL, 0);
		name = arena_strndup(x->a, item,
		    colon != NULL ? (size_t)(colon - item) : len);
		if (name == NULL)
			return oom(x);
		/* Strapi checks the key (validation) before the order (conversion). */
		if (dir < 0 && coll_field(x->c, name) != NULL)
			return sort_bad_order(x);
		if (sort_add(x, so, name, dir > 0) < 0)
			return -1;
	}
	return 0;
}


/* {"field":"asc"|"desc", ...}. */
static int
sort_object(struct cc *x, struct sorter *so, json_object *v)
{
	struct json_object_iter it, sub;

	json_object_object_foreachC(v, it) {
		int dir;

		if (coll_field(x->c, it.key) == NULL)
			return sort_add(x, so, it.key, 0); /* reports the key */
		if (it.val != NULL && json_object_is_type(it.val, json_type_object)) {
			/* A nested sort goes through a relation: a scalar has none. */
			json_object_object_foreachC(it.val, sub) {
				struct sbuf path;

				sbuf_init(&path, x->a, 4 * MSG_MAX);
				sbuf_printf(&path, "%s.%s", it.key, sub.key);
				if (sbuf_err(&path) != APP_OK)
					return oom(x);
				return sort_bad_key(x, sub.key, sbuf_str(&path));
			}
		}
		if (it.val == NULL || !json_object_is_type(it.val, json_type_string))
			return sort_bad_shape(x);
		dir = sort_dir(json_object_get_string(it.val),
		    (size_t)json_object_get_string_len(it.val));
		if (dir < 0)
			return sort_bad_order(x);
		if (sort_add(x, so, it.key, dir) < 0)
			return -1;
	}
	return 0;
}

/*
 * sort: a string, an array of strings and sort objects, or a sort object.
 * Every field is sortable; the order always ends on id so that pages do
 * not overlap when the sorted values tie.
 */
static int
compile_sort(struct cc *x, json_object *q, struct cq *out)
{
	struct sorter so;
	json_object *v;
	const struct coll_field *id = &x->c->fields[0]; /* coll.h: id comes first */

	sbuf_init(&so.ob, x->a, SQL_MAX);
	sbuf_init(&so.cols, x->a, SQL_MAX);
	so.id_sorted = false;
	if ((so.sorted = arena_calloc(x->a, x->c->nfields, sizeof(*so.sorted))) == NULL)
		return oom(x);
	if (json_object_object_get_ex(q, "sort", &v) && v != NULL) {
		if (json_object_is_type(v, json_type_string)) {
			if (sort_text(x, &so, v) < 0)
				return -1;
		} else if (json_object_is_type(v, json_type_object)) {
			if (sort_object(x, &so, v) < 0)
				return -1;
		} else if (json_object_is_type(v, json_type_array)) {
			size_t i, len = json_object_array_length(v);

			for (i = 0; i < len; i++) {
				json_object *e = json_object_array_get_idx(v, i);

				if (e != NULL && json_object_is_type(e, json_type_string)) {
					if (sort_text(x, &so, e) < 0)
						return -1;
				} else if (e != NULL && json_object_is_type(e, json_type_object)) {
					if (sort_object(x, &so, e) < 0)
						return -1;
				} else
					return sort_bad_shape(x);
			}
		} else
			return sort_bad_shape(x);
	}
	if (!so.id_sorted) {
		if (so.ob.len > 0)
			sbuf_puts(&so.ob, ", ");
		sbuf_printf(&so.ob, "%s ASC", id->column);
	}
	if (sbuf_err(&so.ob) == APP_ETOOBIG || sbuf_err(&so.cols) == APP_ETOOBIG)
		return fail(x, VALIDATION, "{}", "The query is too complex");
	if (sbuf_err(&so.ob) != APP_OK || sbuf_err(&so.cols) != APP_OK)
		return oom(x);
	out->order_by = sbuf_str(&so.ob);
	out->sort_columns = sbuf_str(&so.cols);
	return 0;
}

/* ---- fields and populate ------------------------------------------- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* One comma-separated list of field names (each trimmed, as Strapi does). */
static int
fields_text(struct cc *x, json_object *v, bool *sel, bool *all)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v), i = 0;

	if (memchr(s, '\0', n) != NULL)
		return fail(x, VALIDATION, param_details(x, "fields"),
		    "Invalid fields parameter: NUL bytes are not allowed");
	while (i <= n) {
		const char *item = s + i, *end = memchr(item, ',', n - i);
		size_t len = end != NULL ? (size_t)(end - item) : n - i;
		const struct coll_field *f;
		char *name;

		i += len + 1;
		while (len > 0 && is_space(item[0])) {
			item++;
			len--;
		}
		while (len > 0 && is_space(item[len - 1]))
			len--;
		if (len == 0)
			continue; /* "fields=" or "a,,b": nothing asked */
		if (len == 1 && item[0] == '*') {
			*all = true;
			continue;
		}
		if ((name = arena_strndup(x->a, item, len)) == NULL)
			return oom(x);
		if ((f = coll_field(x->c, name)) == NULL)
			return fail(x, VALIDATION, key_details(x, name, name, "fields"),
			    "Invalid key %s", name);
		sel[f - x->c->fields] = true;
	}
	return 0;
}

static int
compile_fields(struct cc *x, json_object *q, struct cq *out)
{
	json_object *v;
	bool *sel, all = true;
	size_t i, n = 0;

	if ((sel = arena_calloc(x->a, x->c->nfields, sizeof(*sel))) == NULL)
		return oom(x);
	if (json_object_object_get_ex(q, "fields", &v) && v != NULL) {
		all = false;
		if (json_object_is_type(v, json_type_string)) {
			if (fields_text(x, v, sel, &all) < 0)
				return -1;
		} else if (json_object_is_type(v, json_type_array)) {
			size_t len = json_object_array_length(v);

			for (i = 0; i < len; i++) {
				json_object *e = json_object_array_get_idx(v, i);

				if (e == NULL || !json_object_is_type(e, json_type_string))
					return fail(x, VALIDATION, param_details(x, "fields"),
					    "Invalid fields parameter. Expected a string or an array of strings");
				if (fields_text(x, e, sel, &all) < 0)
					return -1;
			}
		} else
			return fail(x, VALIDATION, param_details(x, "fields"),
			    "Invalid fields parameter. Expected a string or an array of strings");
	}
	for (i = 0; i < x->c->nfields; i++) {
		const struct coll_field *f = &x->c->fields[i];

		/* id and documentId are always part of an entry. */
		if (all || f->type == COLL_ID || strcmp(f->name, "documentId") == 0)
			sel[i] = true;
		n += sel[i];
	}
	out->fields = arena_alloc(x->a, n * sizeof(*out->fields));
	if (out->fields == NULL)
		return oom(x);
	out->nfields = 0;
	for (i = 0; i < x->c->nfields; i++)
		if (sel[i])
			out->fields[out->nfields++] = &x->c->fields[i];
	return 0;
}

static int
populate_bad_key(struct cc *x, const char *key)
{
	return fail(x, VALIDATION, key_details(x, key, key, "populate"), "Invalid key %s", key);
}

/* Is key one of the collection's relations (coll.h)? */
static bool
is_relation(const struct cc *x, const char *key)
{
	const char *const *r = x->c->relations;

	for (; r != NULL && *r != NULL; r++)
		if (strcmp(*r, key) == 0)
			return true;
	return false;
}

static int
populate_bad_shape(struct cc *x)
{
	return fail(x, VALIDATION, param_details(x, "populate"),
	    "Invalid populate parameter. Expected a string, an array of strings, a populate object");
}

/*
 * "a,b.c": the content collections have no relation, media, component or
 * dynamic zone, so a named path is an invalid key (its first segment)
 * unless that segment is one of the collection's relations.
 */
static int
populate_text(struct cc *x, json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v), i = 0;

	if (memchr(s, '\0', n) != NULL)
		return fail(x, VALIDATION, param_details(x, "populate"),
		    "Invalid populate parameter: NUL bytes are not allowed");
	while (i <= n) {
		const char *item = s + i, *end = memchr(item, ',', n - i), *dot;
		size_t len = end != NULL ? (size_t)(end - item) : n - i;
		char *key;

		i += len + 1;
		while (len > 0 && is_space(item[0])) {
			item++;
			len--;
		}
		if ((dot = memchr(item, '.', len)) != NULL)
			len = (size_t)(dot - item);
		while (len > 0 && is_space(item[len - 1]))
			len--;
		if (len == 0)
			continue;
		if ((key = arena_strndup(x->a, item, len)) == NULL)
			return oom(x);
		if (!is_relation(x, key))
			return populate_bad_key(x, key);
	}
	return 0;
}

static int
compile_populate(struct cc *x, json_object *q)
{
	struct json_object_iter it;
	json_object *v;
	size_t i, len;

	if (!json_object_object_get_ex(q, "populate", &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		/* populate=* asks for every relation: there are none. */
		if (json_object_get_string_len(v) == 1 && json_object_get_string(v)[0] == '*')
			return 0;
		return populate_text(x, v);
	}
	if (json_object_is_type(v, json_type_array)) {
		len = json_object_array_length(v);
		for (i = 0; i < len; i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (e == NULL || !json_object_is_type(e, json_type_string))
				return populate_bad_shape(x);
			if (populate_text(x, e) < 0)
				return -1;
		}
		return 0;
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreachC(v, it)
			if (!is_relation(x, it.key))
				return populate_bad_key(x, it.key);
		return 0;
	}
	return populate_bad_shape(x);
}

/* ---- pagination ----------------------------------------------------- */

/*
 * A pagination number: an optional sign and decimal digits (Strapi's JS
 * number coercion would turn anything else into NaN and a 500).  The
 * magnitude is clamped to 10^9 so that (page - 1) * pageSize cannot
 * overflow; such pages are empty anyway.
 */
static int
pag_number(struct cc *x, const char *name, json_object *v, long long *out)
{
	const char *s;
	size_t n, i = 0;
	long long r = 0;
	bool neg = false;

	if (!json_object_is_type(v, json_type_string))
		return fail(x, PAGINATION, "{}",
		    "Invalid '%s' parameter. Expected an integer", name);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		goto bad;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		if (r < PAG_CLAMP)
			r = r * 10 + (s[i] - '0');
	}
	if (r > PAG_CLAMP)
		r = PAG_CLAMP;
	*out = neg ? -r : r;
	return 0;
bad:
	return fail(x, PAGINATION, "{}",
	    "Invalid '%s' parameter. Expected an integer, received: %s", name, show(x, s, n));
}

/*
 * Whether p has key (*has) and its value (*v); a qs null counts as not
 * given for the numbers, as lodash's isNil does in Strapi.
 */
static void
pag_get(json_object *p, const char *key, bool *has, json_object **v)
{
	*v = NULL;
	*has = json_object_object_get_ex(p, key, v);
}

/* Spec section 6, withDefaultPagination with maxLimit 100 and default 25. */
static int
compile_pagination(struct cc *x, json_object *q, struct cq *out)
{
	static const char *const root_keys[] = { "page", "pageSize", "start", "limit" };
	json_object *p, *vpage, *vsize, *vstart, *vlimit, *v;
	bool hpage, hsize, hstart, hlimit;
	long long page = 1, size = CQ_DEFAULT_LIMIT, start = 0, limit = CQ_DEFAULT_LIMIT;
	size_t i;

	out->page_form = true;
	out->with_count = true;
	if (json_object_object_get_ex(q, "pagination", &p) && p != NULL) {
		bool use_page, use_offset;

		if (!json_object_is_type(p, json_type_object))
			return fail(x, PAGINATION, "{}",
			    "Invalid pagination parameter. Expected pagination[page] and "
			    "pagination[pageSize], or pagination[start] and pagination[limit]");
		pag_get(p, "page", &hpage, &vpage);
		pag_get(p, "pageSize", &hsize, &vsize);
		pag_get(p, "start", &hstart, &vstart);
		pag_get(p, "limit", &hlimit, &vlimit);
		use_page = vpage != NULL || vsize != NULL;
		use_offset = vstart != NULL || vlimit != NULL;
		if (use_page && use_offset)
			return fail(x, PAGINATION, "{}",
			    "Cannot use both page & offset pagination in the same query");
		/* Strapi decides the meta's form on the keys, null or not. */
		out->page_form = hpage || hsize || !(hstart || hlimit);
		if ((vpage != NULL && pag_number(x, "page", vpage, &page) < 0) ||
		    (vsize != NULL && pag_number(x, "pageSize", vsize, &size) < 0) ||
		    (vstart != NULL && pag_number(x, "start", vstart, &start) < 0) ||
		    (vlimit != NULL && pag_number(x, "limit", vlimit, &limit) < 0))
			return -1;
		if (use_page) {
			if (size < 1)
				size = 1;
			start = (page - 1) * size;
			limit = size;
		}
		if (json_object_object_get_ex(p, "withCount", &v)) {
			const char *s = v != NULL && json_object_is_type(v, json_type_string) ?
			    json_object_get_string(v) : "";
			size_t n = v != NULL && json_object_is_type(v, json_type_string) ?
			    (size_t)json_object_get_string_len(v) : 0;

			if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && (s[0] == 't' || s[0] == '1')))
				out->with_count = true;
			else if ((n == 5 && memcmp(s, "false", 5) == 0) ||
			    (n == 1 && (s[0] == 'f' || s[0] == '0')))
				out->with_count = false;
			else
				return fail(x, VALIDATION, "{}",
				    "Invalid withCount parameter. Expected \"t\",\"1\",\"true\",\"false\",\"0\",\"f\"");
		}
	}
	/* ensureMinValues, then maxLimit: limit 0 and -1 become 1. */
	out->start = start < 0 ? 0 : start;
	out->limit = limit < 1 ? 1 : limit > CQ_MAX_LIMIT ? CQ_MAX_LIMIT : limit;
	/* ?page=1 is not the REST syntax: Strapi answers 400 as well. */
	for (i = 0; i < ARRAY_LEN(root_keys); i++)
		if (json_object_object_get_ex(q, root_keys[i], &v) && v != NULL)
			return fail(x, PAGINATION, "{}",
			    "Invalid pagination parameter %s. Use pagination[page] and "
			    "pagination[pageSize], or pagination[start] and pagination[limit]",
			    root_keys[i]);
	return 0;
}

/* ---- entry points --------------------------------------------------- */

static enum app_err
begin(struct cc *x, struct arena *a, const struct coll *c, int first_param,
    struct cq *out, struct cq_error *err)
{
	if (a == NULL || c == NULL || out == NULL || err == NULL || c->nfields == 0 ||
	    first_param < 1 || first_param > FIRST_PARAM_MAX)
		return APP_EINTERNAL;
	memset(x, 0, sizeof(*x));
	x->a = a;
	x->c = c;
	x->err = err;
	x->first = first_param;
	sbuf_init(&x->sql, a, SQL_MAX);
	sbuf_init(&x->path, a, SQL_MAX);
	memset(out, 0, sizeof(*out));
	err->status = 0;
	err->name = NULL;
	err->message = NULL;
	err->details = NULL;
	return APP_OK;
}

/* What a compile reads of the query; Strapi validates in this order. */
enum what { W_LIST, W_ENTRY, W_FIELDS };

static enum app_err
compile_query(struct arena *a, const struct coll *c, json_object *q,
    int first_param, enum what what, struct cq *out, struct cq_error *err)
{
	struct cc x;
	struct cq res;
	json_object *empty = NULL;
	enum app_err e;

	if ((e = begin(&x, a, c, first_param, &res, err)) != APP_OK)
		return e;
	/* No query, or not an object (qs never makes one): as an empty query. */
	if (q == NULL || !json_object_is_type(q, json_type_object)) {
		if ((empty = json_object_new_object()) == NULL)
			return APP_ENOMEM;
		q = empty;
	}
	/* validateQuery's order: filters, sort, fields, populate; then pagination. */
	if ((what == W_FIELDS || (compile_where(&x, q, &res) == 0 &&
	    compile_sort(&x, q, &res) == 0)) &&
	    compile_fields(&x, q, &res) == 0 && compile_populate(&x, q) == 0 &&
	    what == W_LIST)
		(void)compile_pagination(&x, q, &res);
	if (empty != NULL)
		json_object_put(empty);
	if (x.rc != APP_OK)
		return x.rc;
	res.params = x.params;
	res.nparams = x.nparams;
	if (what != W_LIST) {
		/* One entry: no order, no page of its own. */
		if (what == W_FIELDS)
			res.where = "TRUE";
		res.order_by = "id ASC";
		res.sort_columns = "";
		res.start = 0;
		res.limit = 1;
		res.page_form = true;
		res.with_count = false;
	}
	*out = res;
	return APP_OK;
}

enum app_err
cq_compile(struct arena *a, const struct coll *c, json_object *q, int first_param,
    struct cq *out, struct cq_error *err)
{
	return compile_query(a, c, q, first_param, W_LIST, out, err);
}

enum app_err
cq_compile_fields(struct arena *a, const struct coll *c, json_object *q,
    struct cq *out, struct cq_error *err)
{
	return compile_query(a, c, q, 1, W_FIELDS, out, err);
}

enum app_err
cq_compile_entry(struct arena *a, const struct coll *c, json_object *q,
    int first_param, struct cq *out, struct cq_error *err)
{
	return compile_query(a, c, q, first_param, W_ENTRY, out, err);
}
