#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "content.h"
#include "dt.h"
#include "coll.h"
#include "cq.h"
#include "jv.h"
#include "jw.h"
#include "log.h"
#include "pcache.h"
#include "qs.h"
#include "resp.h"
#include "rnd.h"

/*
 * One entry holds at most a 1 MiB body's worth of text, which JSON
 * escaping can grow six-fold (\u0001); SQL holds at most the compiler's
 * 1 MiB WHERE clause twice (page and count).
 */
#define ENTRY_MAX (8 * 1024 * 1024)
#define STREAM_AT (256 * 1024)
#define SQL_MAX (4 * 1024 * 1024)

/* ---- output */

/* The SELECT list for fields: their columns. */
static void
select_list(struct sbuf *sb, const struct coll_field *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sbuf_puts(sb, ", ");
		/* Datetimes come as Postgres's text; entry() rewrites them. */
		sbuf_puts(sb, f[i]->column);
	}
}

/* All fields of a collection, for answers to writes. */
static const struct coll_field **
all_fields(struct arena *a, const struct coll *c)
{
	const struct coll_field **f = arena_calloc(a, c->nfields, sizeof(*f));

	if (f != NULL)
		for (size_t i = 0; i < c->nfields; i++)
			f[i] = &c->fields[i];
	return f;
}

/*
 * Strapi-Response-Format: v4 asks for v4's shape, {id, documentId,
 * attributes: {...}}, which older clients still parse.
 */
static bool
v4_format(struct req *r)
{
	const char *h = req_param(r, "HTTP_STRAPI_RESPONSE_FORMAT");

	return h != NULL && strcasecmp(h, "v4") == 0;
}

struct cached;
static void cached_keep(struct req *r, struct cached *k,
    const struct sbuf *body);

/*
 * The result's column of each field, found once per result rather than
 * by name for every value; -1 for a column it does not have.
 */
static int *
columns(struct arena *a, const PGresult *res, const struct coll_field *const *f,
    size_t n)
{
	int *cols = arena_calloc(a, n ? n : 1, sizeof(*cols));

	if (cols != NULL)
		for (size_t i = 0; i < n; i++)
			cols[i] = PQfnumber(res, f[i]->column);
	return cols;
}

static void
entry(struct jw *w, bool v4, PGresult *res, int row, const int *cols,
    const struct coll_field *const *f, size_t n)
{
	bool in_attrs = false;

	jw_obj_open(w);
	for (size_t i = 0; i < n; i++) {
		const char *v = cols[i] < 0 || PQgetisnull(res, row, cols[i]) ? NULL :
		    PQgetvalue(res, row, cols[i]);
		char iso[DT_TEXT_MAX];

		if (v4 && !in_attrs && strcmp(f[i]->name, "id") != 0 &&
		    strcmp(f[i]->name, "documentId") != 0) {
			jw_key(w, "attributes");
			jw_obj_open(w);
			in_attrs = true;
		}
		jw_key(w, f[i]->name);
		if (v == NULL)
			jw_null(w);
		else if (f[i]->type == COLL_ID)
			jw_raw(w, v);
		else if (f[i]->type == COLL_DATETIME && dt_from_pg(v, iso) == APP_OK)
			jw_str(w, iso);
		else
			jw_str(w, v);
	}
	if (v4 && !in_attrs) {
		jw_key(w, "attributes");
		jw_obj_open(w);
		in_attrs = true;
	}
	if (in_attrs)
		jw_obj_close(w);
	jw_obj_close(w);
}

static void
answer_one(struct req *r, int status, PGresult *res,
    const struct coll_field *const *f, size_t n, struct cached *k)
{
	struct sbuf sb;
	struct jw w;

	int *cols = columns(r->arena, res, f, n);

	if (cols == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	sbuf_init(&sb, r->arena, ENTRY_MAX);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "data");
	entry(&w, v4_format(r), res, 0, cols, f, n);
	jw_key(&w, "meta");
	jw_raw(&w, "{}");
	jw_obj_close(&w);
	if (k != NULL)
		cached_keep(r, k, &sb);
	resp_json(r, status, &sb);
}

static void
cq_fail(struct req *r, enum app_err e, const struct cq_error *err)
{
	if (e == APP_EINPUT)
		resp_error(r, err->status, err->name, err->message, err->details);
	else
		resp_fail(r, e);
}

static void
not_found(struct req *r)
{
	resp_error(r, 404, "NotFoundError", "Not Found", NULL);
}

static const char *
action(struct req *r, const struct coll *c, const char *what)
{
	struct sbuf sb;

	sbuf_init(&sb, r->arena, 256);
	sbuf_printf(&sb, "%s%s", c->action_prefix, what);
	return sbuf_str(&sb);
}

/* The organization the caller is an active member of, or NULL. */
static const char *
caller_org(const struct req *r)
{
	return r->user != NULL ? r->user->org : NULL;
}

/* ---- find and findOne */

/*
 * The rows a list may show, as SQL over the collection's columns ($1 is
 * the caller's organization in a scoped collection).  An anonymous caller
 * (or one with no active membership) gets a predicate without the
 * organization, so a prepared statement's one plan (plans are generic:
 * see db.c) can use the index of published posts.  Its $1 IS NULL keeps
 * $1 in the statement: every parameter must be referenced.
 */
static const char *
list_scope(const struct coll *c, const char *org)
{
	if (!c->org_scoped)
		return "TRUE";
	if (org == NULL)
		return "(status = 'published' AND $1::text IS NULL)";
	return "(status = 'published' OR organization_id = $1)";
}

/* The parsed query string; -1 (answered 500) when memory ran out. */
static int
parse_query(struct req *r, json_object **q)
{
	*q = NULL;
	if (qs_parse(r->arena, r->query, strlen(r->query), q) != APP_OK) {
		resp_fail(r, APP_ENOMEM);
		return -1;
	}
	return 0;
}

/* A statement that outgrew SQL_MAX came from an oversized query string. */
static void
too_complex(struct req *r, enum app_err e)
{
	if (e == APP_ETOOBIG)
		resp_error(r, 400, "ValidationError", "The query is too complex", NULL);
	else
		resp_fail(r, e);
}

/*
 * The statement of a list page for a caller of organization org (NULL:
 * anonymous or no active membership) into *sql and its parameters into
 * *params (*np of them): $1 org when the collection is scoped, then the
 * query's, then LIMIT and OFFSET.  *total_alone is set when an empty page
 * does not carry the total (count_statement gives it).  Errors:
 * APP_ENOMEM, APP_ETOOBIG.
 */
static enum app_err
list_statement(struct arena *a, const struct coll *c, const struct cq *q,
    const char *org, struct sbuf *sql, const char ***params, int *np,
    bool *total_alone)
{
	int base = c->org_scoped ? 2 : 1, n = base - 1 + q->nparams + 2;
	bool filtered = strcmp(q->where, "TRUE") != 0;
	const char *scope = list_scope(c, org);
	const char *from = c->read_from != NULL ? c->read_from : c->table;
	const char **p;
	char *lim, *off, src[256];

	p = arena_calloc(a, (size_t)n, sizeof(*p));
	lim = arena_alloc(a, 24);
	off = arena_alloc(a, 24);
	if (p == NULL || lim == NULL || off == NULL)
		return APP_ENOMEM;
	if (c->org_scoped)
		p[0] = org;
	for (int i = 0; i < q->nparams; i++)
		p[base - 1 + i] = q->params[i];
	snprintf(lim, 24, "%lld", q->limit);
	snprintf(off, 24, "%lld", q->start);
	p[n - 2] = lim;
	p[n - 1] = off;
	*params = p;
	*np = n;
	*total_alone = false;

	/*
	 * One round trip, and the caller's filter evaluated once: the page and
	 * its total come out of one statement (a page past the end is one row
	 * holding only the total).  With a filter, the matching ids are
	 * gathered once, with the columns the order needs (a materialized CTE,
	 * narrow whatever the rows hold), and both the count and the page read
	 * them: the page's ids are put in order there, and only those rows are
	 * then fetched whole, by id (a lateral subquery the planner cannot
	 * turn into a join over the whole table).  For an organization-scoped
	 * collection the scope is applied first, in a subquery the planner
	 * cannot flatten (OFFSET 0), so a caller's predicate never runs on
	 * rows the caller may not see: its cost cannot reveal what hidden rows
	 * hold.
	 */
	if (c->org_scoped && filtered)
		snprintf(src, sizeof(src), "(SELECT * FROM %s WHERE %s OFFSET 0)"
		    " AS %s", from, scope, c->table);
	else
		snprintf(src, sizeof(src), "%s AS %s", from, c->table);
	sbuf_init(sql, a, SQL_MAX);
	if (!q->with_count) {
		sbuf_puts(sql, "SELECT ");
		select_list(sql, q->fields, q->nfields);
		sbuf_printf(sql, " FROM %s WHERE ", src);
		if (c->org_scoped && !filtered)
			sbuf_printf(sql, "%s AND ", scope);
		sbuf_printf(sql, "(%s) ORDER BY %s LIMIT $%d OFFSET $%d", q->where,
		    q->order_by, n - 1, n);
		return sbuf_err(sql);
	}
	{
		const char *rows;

		if (filtered) {
			sbuf_printf(sql, "WITH m AS MATERIALIZED (SELECT id%s FROM %s"
			    " WHERE %s) SELECT c._total, p.* FROM (SELECT count(*)"
			    " AS _total FROM m) c LEFT JOIN (SELECT t.*, k._rn FROM"
			    " (SELECT id, row_number() OVER (ORDER BY %s) AS _rn FROM m"
			    " ORDER BY %s LIMIT $%d OFFSET $%d) k CROSS JOIN LATERAL"
			    " (SELECT ", q->sort_columns, src, q->where, q->order_by,
			    q->order_by, n - 1, n);
			select_list(sql, q->fields, q->nfields);
			/* Through the view too: the ids came from it, but it stays the second line. */
			sbuf_printf(sql, " FROM %s AS %s WHERE %s.id = k.id OFFSET 0) t) p"
			    " ON true ORDER BY p._rn", from, c->table, c->table);
			return sbuf_err(sql);
		} else if (c->counts != NULL) {
			/*
			 * Unfiltered: the total is the sum of the counts the
			 * triggers keep, in the same snapshot as the page, so it
			 * costs a few rows, not the collection.  It rides on each
			 * row of the page (an InitPlan, run once); a page past the
			 * end has no row to carry it, and the caller asks for it
			 * alone (count_statement).
			 */
			sbuf_printf(sql, "SELECT (SELECT coalesce(sum(n), 0) FROM %s"
			    " WHERE %s) AS _total, ", c->counts, scope);
			select_list(sql, q->fields, q->nfields);
			sbuf_printf(sql, " FROM %s WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d",
			    src, scope, q->order_by, n - 1, n);
			*total_alone = true;
			return sbuf_err(sql);
		} else {
			sbuf_printf(sql, "SELECT c._total, p.* FROM (SELECT count(*)"
			    " AS _total FROM %s WHERE %s) c", src, scope);
			rows = scope;
		}
		sbuf_puts(sql, " LEFT JOIN (SELECT ");
		select_list(sql, q->fields, q->nfields);
		sbuf_printf(sql, ", row_number() OVER (ORDER BY %s) AS _rn FROM %s"
		    " WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d) p ON true"
		    " ORDER BY p._rn", q->order_by, src, rows, q->order_by, n - 1, n);
	}
	return sbuf_err(sql);
}

/* Do two organizations (either may be NULL) name the same? */
static bool
same_org(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The organization whose drafts a read through c->read_from may see:
 * app.organization_id for the rest of the pipeline's transaction, from an
 * active membership of org by user uid that this statement looks up
 * itself, '' when there is none (or uid or org is NULL).  It goes in the
 * pipeline ahead of the read, so the view's scope never rests on the
 * application's alone (sql/0007).
 */
static struct db_stmt q_read_scope = DB_STMT("content_read_scope",
    "SELECT set_config('app.organization_id', coalesce((SELECT m.organization_id"
    " FROM memberships m WHERE m.user_id = $1::bigint AND m.organization_id = $2"
    " AND m.status = 'active'), ''), true)");

/* The read-scope item for user uid (text, or NULL) and organization org. */
static struct db_item
read_scope(struct req *r, const char *uid, const char *org)
{
	const char **p = arena_calloc(r->arena, 2, sizeof(*p));

	if (p != NULL) {
		p[0] = uid;
		p[1] = org;
	}
	return (struct db_item){ &q_read_scope, NULL, 2, p, true, NULL, APP_OK, "" };
}

/* The caller's user id as text, or NULL when anonymous. */
static const char *
caller_id(struct req *r)
{
	char *s;

	if (r->user == NULL || (s = arena_alloc(r->arena, 24)) == NULL)
		return NULL;
	snprintf(s, 24, "%lld", r->user->id);
	return s;
}

/*
 * Run sql, a read that decides nothing, for an authorized caller: on a
 * replica when there is one (db_read_sql), behind its read scope when the
 * collection has one.  APP_* errors as db_read_sql's.
 */
static enum app_err
scoped_read(struct req *r, const struct coll *c, const char *sql, int np,
    const char *const *params, PGresult **res)
{
	struct db_item it[2];
	enum app_err e;

	if (c->read_from == NULL)
		return db_read_sql(&r->app->db_read, &r->app->db, r->arena, sql, np,
		    params, res, NULL);
	it[0] = read_scope(r, caller_id(r), caller_org(r));
	it[1] = (struct db_item){ NULL, sql, np, params, true, NULL, APP_OK, "" };
	if (it[0].params == NULL)
		return APP_ENOMEM;
	e = db_read_batch(&r->app->db_read, &r->app->db, r->arena, it, 2);
	*res = it[1].res;
	return e != APP_OK ? e : it[1].err;
}

/*
 * This process's answers, each kept with the version of the rows it was
 * built from (pcache.h, sql/0008_content_versions.sql).  A read whose
 * answer is kept asks Postgres for the version instead of the page, in the
 * same pipeline as its authorization, and is served the kept answer when
 * the version has not moved: the same round trip as before, without the
 * page's statement or its JSON.
 */
static struct pcache answers;
static unsigned answers_gen; /* the connection generation they were built on */

/*
 * The version of what a reader of collection $1 may see: that of '' (for
 * anyone), then that of the drafts of organization $2 (NULL: none) for its
 * members, "-" when it has none yet.  No row without the collection's ''
 * row: then nothing is kept.
 */
static struct db_stmt q_version = DB_STMT("content_version",
    "SELECT p.version::text || '/' || coalesce(o.version::text, '-') AS version"
    " FROM content_versions p LEFT JOIN content_versions o ON o.collection = $1"
    " AND o.scope = $2 AND $2 <> '' WHERE p.collection = $1 AND p.scope = ''");

/* A read's place in the cache. */
struct cached {
	struct sbuf key;   /* len 0: the answer is neither looked up nor kept */
	const struct pcache_entry *hit; /* the kept answer for key, or NULL */
	const char *version; /* read ahead of the page in this request, or NULL */
	unsigned gen;      /* the connection generation at the lookup */
	bool stale;        /* the kept answer was found out of date */
	char prev[PCACHE_VERSION_MAX + 1]; /* a doubted answer's version, or "" */
	const char *params[2]; /* q_version's */
};

/*
 * Find the kept answer of a read: kind ('L' list, 'O' one entry) of c by
 * the statement sql with its np params, for the caller ap presumes (its
 * token's user and organization).  The key holds all the answer depends
 * on besides the rows: the route, the raw query string and response
 * format (pagination's form and the JSON's shape come from them), the
 * statement and its parameters (which name the caller's organization),
 * and for a member's read the member: whether an answer is kept tells how
 * fast it comes, and a caller whose membership has ended (a token still
 * claiming it) must not learn from that what the organization's members
 * read.  With a replica
 * (DATABASE_READ_URL) nothing is cached: the version would have to come
 * from the replica's snapshot, in the page's own round trip.
 */
static void
cached_find(struct req *r, const struct coll *c, char kind, const char *sql,
    int np, const char *const *params, const struct auth_pending *ap,
    struct cached *k)
{
	struct sbuf *b = &k->key;

	memset(k, 0, sizeof(*k));
	sbuf_init(b, r->arena, PCACHE_ENTRY_MAX);
	if (r->app->db_read.url != NULL)
		return;
	/* Each part ends in a NUL, which none of them holds. */
	sbuf_putc(b, kind);
	sbuf_puts(b, c->table);
	sbuf_putc(b, '\0');
	sbuf_putc(b, v4_format(r) ? '4' : '5');
	sbuf_puts(b, r->query);
	sbuf_putc(b, '\0');
	sbuf_puts(b, sql);
	sbuf_putc(b, '\0');
	if (c->org_scoped && ap->org != NULL) {
		sbuf_puts(b, ap->uid != NULL ? ap->uid : "");
		sbuf_putc(b, '\0');
	}
	for (int i = 0; i < np; i++) {
		if (params[i] == NULL)
			sbuf_puts(b, "N;");
		else {
			sbuf_printf(b, "%zu:", strlen(params[i]));
			sbuf_puts(b, params[i]);
		}
	}
	if (sbuf_err(b) != APP_OK) {
		sbuf_truncate(b, 0);
		return;
	}
	/* Another connection may be another database (a restore): start over. */
	if (answers_gen != r->app->db.gen) {
		pcache_clear(&answers);
		answers_gen = r->app->db.gen;
	}
	k->gen = r->app->db.gen;
	k->params[0] = c->table;
	k->params[1] = c->org_scoped ? ap->org : NULL;
	k->hit = pcache_get(&answers, b->data, b->len);
	/*
	 * Checking a kept answer and finding it out of date costs a second
	 * round trip for the page.  One found so is built at once the next
	 * time, in the one round trip, until its rows are seen not to move:
	 * under steady writes a read costs what it cost before answers were
	 * kept, and only the first read after a quiet spell pays twice.
	 */
	if (k->hit != NULL && k->hit->doubt) {
		snprintf(k->prev, sizeof(k->prev), "%s", k->hit->version);
		k->hit = NULL;
	}
}

/* Keep body as k's answer, when its version was read ahead of it. */
static void
cached_keep(struct req *r, struct cached *k, const struct sbuf *body)
{
	/* A reconnection since the lookup: another database, perhaps. */
	if (k->key.len == 0 || k->version == NULL || k->gen != r->app->db.gen ||
	    sbuf_err(body) != APP_OK)
		return;
	/* Not kept (too big, no memory): the next read builds it again. */
	(void)pcache_put(&answers, k->key.data, k->key.len, k->version,
	    k->stale || (k->prev[0] != '\0' && strcmp(k->prev, k->version) != 0),
	    body->data, body->len);
}

/* Send k's kept answer. */
static void
cached_send(struct req *r, const struct cached *k)
{
	resp_send(r, 200, "application/json; charset=utf-8", k->hit->body,
	    k->hit->bodylen);
}

/*
 * Authorize the caller (ap, from auth_begin) and run sql, a read built for
 * the organization ap->org presumes (behind its read scope, for the same
 * organization, when the collection has one).  On the primary all go in
 * one round trip; with a replica (DATABASE_READ_URL) authorization goes to
 * the primary first.  Returns 0 with *res set, 1 when authorized but the
 * read must be run (again) by the caller (scoped_read): its organization
 * is not the one presumed (caller_org(r) != ap->org), the read needs the
 * replica, or it ran out of the anonymous budget a signed-in caller is not
 * held to, or k's kept answer is out of date.  Returns 2 when k's kept
 * answer is current (the caller sends it).  k (cached_find) gets the
 * version read in the pipeline.  Returns -1 when answered (401, 403,
 * 503...).
 */
static int
authorized_read(struct req *r, const struct coll *c, struct auth_pending *ap,
    const char *sql, int np, const char *const *params, struct cached *k,
    PGresult **res)
{
	struct db_item it[3];
	int n = 0, data = -1, ver = -1;

	*res = NULL;
	if (r->app->db_read.url != NULL)
		return auth_run(r, ap) != 0 ? -1 : 1;
	/* The authorization statement also sets the read scope. */
	if (c->read_from != NULL)
		auth_read_scope(ap);
	it[n++] = ap->item;
	if (k->key.len > 0) {
		/* Ahead of the page: a page is never newer than its version. */
		ver = n;
		it[n++] = (struct db_item){ &q_version, NULL, 2, k->params, true,
		    NULL, APP_OK, "" };
	}
	if (k->hit == NULL) {
		data = n;
		it[n++] = (struct db_item){ NULL, sql, np, params, true, NULL,
		    APP_OK, "" };
	}
	db_exec_batch(&r->app->db, r->arena, it, n);
	ap->item = it[0];
	if (auth_finish(r, ap) != 0)
		return -1;
	/* Built for another organization: neither served nor kept. */
	if (!same_org(ap->org, caller_org(r)))
		return 1;
	if (ver >= 0 && it[ver].err == APP_OK && PQntuples(it[ver].res) == 1)
		k->version = db_get(it[ver].res, 0, "version");
	if (data < 0) {
		if (k->version != NULL && strcmp(k->version, k->hit->version) == 0 &&
		    k->gen == r->app->db.gen)
			return 2;
		k->stale = true;
		return 1;
	}
	if (it[data].err == APP_EBUSY && r->user != NULL)
		return 1;
	if (it[data].err != APP_OK) {
		resp_fail(r, it[data].err);
		return -1;
	}
	*res = it[data].res;
	return 0;
}

static void
find(struct req *r, const struct coll *c)
{
	struct auth_pending ap;
	struct cq q;
	struct cq_error err;
	json_object *qs;
	struct sbuf sql, sb;
	struct jw w;
	struct cached k;
	enum app_err e;
	PGresult *res;
	const char **params;
	int np, rc, id_col, *cols;
	long long total = -1;
	bool streaming = false, v4, total_alone;

	if (auth_begin(r, action(r, c, "find"), &ap) != 0)
		return;
	if (parse_query(r, &qs) != 0)
		return;
	e = cq_compile(r->arena, c, qs, c->org_scoped ? 2 : 1, &q, &err);
	if (e != APP_OK) {
		/* Strapi authorizes before it validates: 401 and 403 come first. */
		if (auth_run(r, &ap) == 0)
			cq_fail(r, e, &err);
		return;
	}
	e = list_statement(r->arena, c, &q, ap.org, &sql, &params, &np,
	    &total_alone);
	if (e != APP_OK) {
		if (auth_run(r, &ap) == 0)
			too_complex(r, e);
		return;
	}
	cached_find(r, c, 'L', sql.data, np, params, &ap, &k);
	rc = authorized_read(r, c, &ap, sql.data, np, params, &k, &res);
	if (rc < 0)
		return;
	if (rc == 2) {
		cached_send(r, &k);
		return;
	}
	if (rc > 0) {
		if (!same_org(ap.org, caller_org(r)) &&
		    (e = list_statement(r->arena, c, &q, caller_org(r), &sql, &params,
		    &np, &total_alone)) != APP_OK) {
			too_complex(r, e);
			return;
		}
		/* A page decides nothing: a replica may serve it. */
		e = scoped_read(r, c, sql.data, np, params, &res);
		if (e != APP_OK) {
			resp_fail(r, e);
			return;
		}
	}
	if (q.with_count && PQntuples(res) == 0 && total_alone) {
		/* A page past the end: the total, from the counts alone. */
		struct sbuf cs;

		sbuf_init(&cs, r->arena, 512);
		sbuf_printf(&cs, "SELECT coalesce(sum(n), 0) AS _total FROM %s WHERE %s",
		    c->counts, list_scope(c, caller_org(r)));
		if (sbuf_err(&cs) != APP_OK) {
			resp_fail(r, sbuf_err(&cs));
			return;
		}
		e = db_read_sql(&r->app->db_read, &r->app->db, r->arena, cs.data,
		    c->org_scoped ? 1 : 0, params, &res, NULL);
		if (e != APP_OK) {
			resp_fail(r, e);
			return;
		}
	}
	if (q.with_count)
		total = PQntuples(res) > 0 ? db_get_ll(res, 0, "_total", 0) : 0;

	/*
	 * Entries are written out as they are made once the page passes
	 * STREAM_AT, so a page of large entries never needs one huge buffer.
	 */
	sbuf_init(&sb, r->arena, ENTRY_MAX);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "data");
	jw_arr_open(&w);
	v4 = v4_format(r);
	cols = columns(r->arena, res, q.fields, q.nfields);
	id_col = PQfnumber(res, "id");
	if (cols == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (id_col < 0 || PQgetisnull(res, i, id_col))
			continue; /* the total's row of a page past the end */
		entry(&w, v4, res, i, cols, q.fields, q.nfields);
		if (sbuf_err(&sb) == APP_OK && sb.len > STREAM_AT) {
			if (!streaming)
				resp_stream_begin(r, 200, "application/json; charset=utf-8");
			streaming = true;
			resp_stream_write(r, sb.data, sb.len);
			sbuf_truncate(&sb, 0);
		}
	}
	jw_arr_close(&w);
	jw_key(&w, "meta");
	jw_obj_open(&w);
	jw_key(&w, "pagination");
	jw_obj_open(&w);
	if (q.page_form && q.with_count) {
		jw_kint(&w, "page", q.start / q.limit + 1);
		jw_kint(&w, "pageSize", q.limit);
		jw_kint(&w, "pageCount", (total + q.limit - 1) / q.limit);
		jw_kint(&w, "total", total);
	} else {
		jw_kint(&w, "start", q.start);
		jw_kint(&w, "limit", q.limit);
		if (q.with_count) {
			jw_kint(&w, "total", total);
		}
	}
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);
	if (!streaming) {
		cached_keep(r, &k, &sb);
		resp_json(r, 200, &sb);
		return;
	}
	if (sbuf_err(&sb) != APP_OK) {
		/* Too late for an error status: cut the answer short, visibly. */
		log_msg(LOG_ERR, "could not finish a streamed page: %s",
		    app_strerror(sbuf_err(&sb)));
		return;
	}
	resp_stream_write(r, sb.data, sb.len);
}

/* A documentId can only be 24 of [a-z0-9]: anything else matches nothing. */
static int
valid_document_id(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))
			return 0;
	return n == RND_DOCUMENT_ID_LEN;
}

/*
 * The parameters of a statement on one entry: $1 the documentId, $2 the
 * caller's organization when the collection is scoped, then the query's.
 */
static const char **
entry_params(struct req *r, const struct coll *c, const struct cq *q, int *np)
{
	int base = c->org_scoped ? 2 : 1;
	const char **p;

	*np = base + q->nparams;
	p = arena_calloc(r->arena, (size_t)*np, sizeof(*p));
	if (p == NULL)
		return NULL;
	p[0] = r->param;
	if (c->org_scoped)
		p[1] = caller_org(r);
	for (int i = 0; i < q->nparams; i++)
		p[base + i] = q->params[i];
	return p;
}

/*
 * The whole query of a one-entry route, validated as Strapi's
 * validateQuery does before anything happens; its parameters follow the
 * documentId (and the organization).  Answers and returns -1 when bad.
 */
static int
entry_query(struct req *r, const struct coll *c, struct cq *q)
{
	struct cq_error err;
	json_object *qs;
	enum app_err e;

	if (parse_query(r, &qs) != 0)
		return -1;
	e = cq_compile_entry(r->arena, c, qs, c->org_scoped ? 3 : 2, q, &err);
	if (e != APP_OK) {
		cq_fail(r, e, &err);
		return -1;
	}
	return 0;
}

static void
find_one(struct req *r, const struct coll *c)
{
	struct auth_pending ap;
	struct cq q;
	struct cq_error err;
	json_object *qs;
	struct sbuf sql;
	enum app_err e;
	PGresult *res;
	struct cached k;
	const char **p;
	int np, rc;

	if (auth_begin(r, action(r, c, "findOne"), &ap) != 0)
		return;
	if (parse_query(r, &qs) != 0)
		return;
	e = cq_compile_entry(r->arena, c, qs, c->org_scoped ? 3 : 2, &q, &err);
	if (e != APP_OK || !valid_document_id(r->param)) {
		/* Strapi authorizes before it validates: 401 and 403 come first. */
		if (auth_run(r, &ap) != 0)
			return;
		if (e != APP_OK)
			cq_fail(r, e, &err);
		else
			not_found(r);
		return;
	}
	if ((p = entry_params(r, c, &q, &np)) == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	sbuf_init(&sql, r->arena, SQL_MAX);
	sbuf_puts(&sql, "SELECT ");
	select_list(&sql, q.fields, q.nfields);
	/*
	 * Another organization's draft is 404, whatever the filters, and the
	 * filters never run on it: the scope is applied first, in a subquery
	 * the planner cannot flatten (OFFSET 0), so their cost tells nothing.
	 */
	if (c->org_scoped)
		sbuf_printf(&sql, " FROM (SELECT * FROM %s WHERE document_id = $1 AND"
		    " (status = 'published' OR organization_id = $2) OFFSET 0) AS %s"
		    " WHERE TRUE", c->read_from != NULL ? c->read_from : c->table,
		    c->table);
	else
		sbuf_printf(&sql, " FROM %s WHERE document_id = $1", c->table);
	/* Strapi's findOne ANDs the filters with the documentId. */
	sbuf_printf(&sql, " AND (%s)", q.where);
	if (sbuf_err(&sql) != APP_OK) {
		if (auth_run(r, &ap) == 0)
			too_complex(r, sbuf_err(&sql));
		return;
	}
	/* The organization is a parameter: the statement fits any caller. */
	if (c->org_scoped)
		p[1] = ap.org;
	cached_find(r, c, 'O', sql.data, np, p, &ap, &k);
	rc = authorized_read(r, c, &ap, sql.data, np, p, &k, &res);
	if (rc < 0)
		return;
	if (rc == 2) {
		cached_send(r, &k);
		return;
	}
	if (rc > 0) {
		if (c->org_scoped)
			p[1] = caller_org(r);
		e = scoped_read(r, c, sql.data, np, p, &res);
		if (e != APP_OK) {
			resp_fail(r, e);
			return;
		}
	}
	if (PQntuples(res) != 1) {
		not_found(r);
		return;
	}
	answer_one(r, 200, res, q.fields, q.nfields, &k);
}

/* ---- request bodies */

struct value {
	const struct coll_field *f;
	const char *v;   /* NULL: SQL NULL */
};

struct body {
	struct value vals[16];
	int n;
	struct sbuf errs;    /* JSON array items */
	int nerr;
	const char *first;   /* first error message */
};

static void
body_error(struct body *b, const char *path, const char *msg)
{
	struct jw w;

	if (b->nerr == 0)
		b->first = arena_strdup(b->errs.arena, msg);
	else
		sbuf_putc(&b->errs, ',');
	jw_init(&w, &b->errs);
	jw_obj_open(&w);
	jw_key(&w, "path");
	jw_arr_open(&w);
	jw_str(&w, path);
	jw_arr_close(&w);
	jw_kstr(&w, "message", msg);
	jw_kstr(&w, "name", "ValidationError");
	jw_obj_close(&w);
	b->nerr++;
}

static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

static int
uid_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_.~", *s) == NULL)
			return 0;
	return 1;
}

/* Send an error for a bad body, Strapi's way.  Returns -1. */
static int
bad_request(struct req *r, const char *msg, const char *details)
{
	resp_error(r, 400, "ValidationError", msg, details);
	return -1;
}

static int
invalid_key(struct req *r, const char *key)
{
	struct sbuf m, d;
	struct jw w;

	size_t kl = strnlen(key, 200); /* echo at most 200 bytes of a key */

	sbuf_init(&m, r->arena, 1024);
	sbuf_printf(&m, "Invalid key %.200s", key);
	sbuf_init(&d, r->arena, 4096);
	jw_init(&w, &d);
	jw_obj_open(&w);
	jw_key(&w, "key");
	jw_strn(&w, key, kl);
	jw_key(&w, "path");
	jw_strn(&w, key, kl);
	jw_kstr(&w, "source", "body");
	jw_obj_close(&w);
	return bad_request(r, sbuf_str(&m),
	    sbuf_err(&d) == APP_OK ? sbuf_str(&d) : NULL);
}

/*
 * Read and check the {"data": {...}} body.  On failure the answer has been
 * sent and -1 is returned.
 */
static int
read_body(struct req *r, const struct coll *c, bool create, struct body *b)
{
	const char *ct = req_param(r, "CONTENT_TYPE"), *why = NULL, *jerr = NULL;
	char *buf;
	size_t len;
	json_object *root, *data;
	enum app_err e;

	memset(b, 0, sizeof(*b));
	sbuf_init(&b->errs, r->arena, 64 * 1024);
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		resp_error(r, 415, "UnsupportedMediaTypeError",
		    "Content-Type must be application/json", NULL);
		return -1;
	}
	e = req_body(r, REQ_BODY_MAX, &buf, &len, &why);
	if (e == APP_ETOOBIG) {
		resp_error(r, 413, "PayloadTooLargeError", "request entity too large", NULL);
		return -1;
	}
	if (e != APP_OK) {
		if (e == APP_EINPUT)
			return bad_request(r, why, NULL);
		resp_fail(r, e);
		return -1;
	}
	if (jv_parse(r->arena, buf, len, &root, &jerr) != APP_OK) {
		struct sbuf m;

		sbuf_init(&m, r->arena, 512);
		sbuf_printf(&m, "Invalid JSON in the request body: %s", jerr ? jerr : "parse error");
		return bad_request(r, sbuf_str(&m), NULL);
	}
	data = jv_get(root, "data");
	if (!json_object_is_type(root, json_type_object) || data == NULL ||
	    !json_object_is_type(data, json_type_object))
		return bad_request(r, "Missing \"data\" payload in the request body", NULL);

	json_object_object_foreach(data, key, val) {
		const struct coll_field *f = coll_field(c, key);
		const char *s;
		size_t sl;

		if (f == NULL || !f->writable)
			return invalid_key(r, key);
		if (b->n >= (int)ARRAY_LEN(b->vals))
			return invalid_key(r, key);
		b->vals[b->n].f = f;
		b->vals[b->n].v = NULL;
		b->n++;
		if (val == NULL) {
			char m[300];

			if (f->required) {
				snprintf(m, sizeof(m), create ? "%s must be defined." :
				    "%s cannot be null.", f->name);
				body_error(b, f->name, m);
			}
			continue;
		}
		if (!json_object_is_type(val, json_type_string)) {
			char m[400];

			snprintf(m, sizeof(m), "%s must be a `string` type, but the final "
			    "value was: `%.100s`.", f->name,
			    json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
			body_error(b, f->name, m);
			continue;
		}
		s = json_object_get_string(val);
		sl = (size_t)json_object_get_string_len(val);
		if (memchr(s, '\0', sl) != NULL) {
			char m[300];

			snprintf(m, sizeof(m), "%s must not contain NUL characters", f->name);
			body_error(b, f->name, m);
			continue;
		}
		if (f->max_len > 0 && utf8_chars(s, sl) > (size_t)f->max_len) {
			char m[300];

			snprintf(m, sizeof(m), "%s must be at most %d characters", f->name,
			    f->max_len);
			body_error(b, f->name, m);
			continue;
		}
		if (f->enum_values != NULL) {
			int ok = 0;
			char list[200] = "";

			for (const char *const *ev = f->enum_values; *ev; ev++) {
				ok |= strcmp(*ev, s) == 0;
				snprintf(list + strlen(list), sizeof(list) - strlen(list),
				    "%s%s", list[0] ? ", " : "", *ev);
			}
			if (!ok) {
				char m[400];

				snprintf(m, sizeof(m), "%s must be one of the following "
				    "values: %s", f->name, list);
				body_error(b, f->name, m);
				continue;
			}
		}
		if (f->uid && !uid_ok(s)) {
			char m[300];

			snprintf(m, sizeof(m), "%s must match the following: "
			    "\"/^[A-Za-z0-9-_.~]*$/\"", f->name);
			body_error(b, f->name, m);
			continue;
		}
		b->vals[b->n - 1].v = s;
	}
	if (create) {
		for (size_t i = 0; i < c->nfields; i++) {
			const struct coll_field *f = &c->fields[i];
			bool given = false;
			char m[300];

			if (!f->required)
				continue;
			for (int j = 0; j < b->n; j++)
				given |= b->vals[j].f == f;
			if (!given) {
				snprintf(m, sizeof(m), "%s must be defined.", f->name);
				body_error(b, f->name, m);
			}
		}
	}
	if (b->nerr > 0) {
		struct sbuf d, m;

		sbuf_init(&d, r->arena, b->errs.len + 64);
		sbuf_puts(&d, "{\"errors\":[");
		sbuf_putn(&d, b->errs.data, b->errs.len);
		sbuf_puts(&d, "]}");
		sbuf_init(&m, r->arena, 512);
		if (b->nerr == 1)
			sbuf_puts(&m, b->first != NULL ? b->first : "1 error occurred");
		else
			sbuf_printf(&m, "%d errors occurred", b->nerr);
		return bad_request(r, sbuf_str(&m), sbuf_str(&d));
	}
	return 0;
}

static struct value *
body_get(struct body *b, const char *name)
{
	for (int i = 0; i < b->n; i++)
		if (strcmp(b->vals[i].f->name, name) == 0)
			return &b->vals[i];
	return NULL;
}

/* ---- slugs */

char *
content_slugify(struct arena *a, const char *s)
{
	/* The Latin-1 letters @sindresorhus/slugify spells out in ASCII. */
	static const struct { const char *from, *to; } tr[] = {
		{ "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "Ä", "Ae" }, { "Ö", "Oe" },
		{ "Ü", "Ue" }, { "ß", "ss" }, { "à", "a" }, { "á", "a" }, { "â", "a" },
		{ "ã", "a" }, { "å", "a" }, { "æ", "ae" }, { "ç", "c" }, { "è", "e" },
		{ "é", "e" }, { "ê", "e" }, { "ë", "e" }, { "ì", "i" }, { "í", "i" },
		{ "î", "i" }, { "ï", "i" }, { "ñ", "n" }, { "ò", "o" }, { "ó", "o" },
		{ "ô", "o" }, { "õ", "o" }, { "ø", "o" }, { "ù", "u" }, { "ú", "u" },
		{ "û", "u" }, { "ý", "y" }, { "ÿ", "y" }, { "À", "A" }, { "Á", "A" },
		{ "Â", "A" }, { "Ã", "A" }, { "Å", "A" }, { "Æ", "AE" }, { "Ç", "C" },
		{ "È", "E" }, { "É", "E" }, { "Ê", "E" }, { "Ë", "E" }, { "Ì", "I" },
		{ "Í", "I" }, { "Î", "I" }, { "Ï", "I" }, { "Ñ", "N" }, { "Ò", "O" },
		{ "Ó", "O" }, { "Ô", "O" }, { "Õ", "O" }, { "Ø", "O" }, { "Ù", "U" },
		{ "Ú", "U" }, { "Û", "U" }, { "Ý", "Y" }, { "œ", "oe" }, { "Œ", "OE" },
	};
	struct sbuf t, out;

	/* 1. transliterate, '&' -> " and ", split camelCase */
	sbuf_init(&t, a, 4096);
	for (const char *p = s; *p && t.len < 1000;) {
		size_t i;

		for (i = 0; i < ARRAY_LEN(tr); i++) {
			size_t l = strlen(tr[i].from);

			if (strncmp(p, tr[i].from, l) == 0) {
				sbuf_puts(&t, tr[i].to);
				p += l;
				break;
			}
		}
		if (i < ARRAY_LEN(tr))
			continue;
		if (*p == '&')
			sbuf_puts(&t, " and ");
		else {
			if (isupper((unsigned char)*p) && p > s && islower((unsigned char)p[-1]))
				sbuf_putc(&t, ' ');
			sbuf_putc(&t, *p);
		}
		p++;
	}
	/* 2. lower case; runs of anything else become one '-' */
	sbuf_init(&out, a, 4096);
	for (size_t i = 0; i < t.len; i++) {
		unsigned char ch = (unsigned char)t.data[i];

		if (isalnum(ch) && ch < 0x80)
			sbuf_putc(&out, (char)tolower(ch));
		else if (out.len > 0 && out.data[out.len - 1] != '-')
			sbuf_putc(&out, '-');
	}
	while (out.len > 0 && out.data[out.len - 1] == '-')
		sbuf_truncate(&out, out.len - 1);
	if (out.len > 200)
		sbuf_truncate(&out, 200);
	while (out.len > 0 && out.data[out.len - 1] == '-')
		sbuf_truncate(&out, out.len - 1);
	if (sbuf_err(&out) != APP_OK || sbuf_err(&t) != APP_OK)
		return NULL;
	return arena_strdup(a, sbuf_str(&out));
}

/*
 * "EXISTS (SELECT 1 FROM <table> WHERE slug = <expr> AND <not self> [AND
 * <same organization>])": one probe of the slug's unique index.
 */
static void
slug_probe(struct sbuf *sql, const struct coll *c, const char *expr)
{
	sbuf_printf(sql, "EXISTS (SELECT 1 FROM %s WHERE slug = %s"
	    " AND document_id IS DISTINCT FROM $2::text%s)", c->table, expr,
	    c->org_scoped ? " AND organization_id = $3::text" : "");
}

/* The turn of the writers choosing from one base (write_new_slug). */
static struct db_stmt q_slug_lock = DB_STMT("content_slug_lock",
    "SELECT pg_advisory_xact_lock(" DB_LOCK_SLUG ", hashtext($1))");

/*
 * A free slug among base, base-1, base-2, ... in the collection (the
 * caller's organization for blog posts), ignoring the entry self, in ONE
 * statement of at most ~80 index probes whatever the number of entries
 * sharing the base: base if free; else a galloping search (1, 2, 4, ...)
 * for a free base-N, then a binary search down to a taken N-1 next to a
 * free N.  When base-1..base-K are all taken, as Strapi's own numbering
 * makes them, that is base-(K+1), exactly Strapi's choice; with gaps it is
 * some free suffix, never a taken one.  Takes the base's turn first, in
 * the same pipeline; the caller's transaction holds it to its end.
 */
static enum app_err
free_slug(struct req *r, const struct coll *c, const char *base,
    const char *org, const char *self, const char **out)
{
	struct sbuf sql, key;
	PGresult *res;
	const char *p[3], *pk[1];
	struct db_item it[2] = {
		{ .stmt = &q_slug_lock, .n = 1, .params = pk },
		{ .n = c->org_scoped ? 3 : 2, .params = p },
	};
	enum app_err e;

	/* Outside a transaction the turn would end before the write. */
	if (!r->app->db.in_tx)
		return APP_EINTERNAL;
	sbuf_init(&sql, r->arena, 4096);
	sbuf_puts(&sql, "WITH RECURSIVE up (n, free) AS (SELECT 1::bigint, NOT ");
	slug_probe(&sql, c, "$1::text || '-1'");
	sbuf_puts(&sql, " UNION ALL SELECT u.n * 2, NOT ");
	slug_probe(&sql, c, "$1::text || '-' || (u.n * 2)");
	/* 2^40 suffixes: far past any table, and the recursion's bound */
	sbuf_puts(&sql, " FROM up u WHERE NOT u.free AND u.n < 1099511627776),"
	    " bs (lo, hi) AS (SELECT n / 2, n FROM up WHERE free UNION ALL"
	    " SELECT CASE WHEN m.taken THEN m.mid ELSE b.lo END,"
	    " CASE WHEN m.taken THEN b.hi ELSE m.mid END"
	    " FROM bs b CROSS JOIN LATERAL (SELECT (b.lo + b.hi) / 2 AS mid, ");
	slug_probe(&sql, c, "$1::text || '-' || ((b.lo + b.hi) / 2)");
	sbuf_puts(&sql, " AS taken) m WHERE b.hi - b.lo > 1)"
	    " SELECT CASE WHEN NOT ");
	slug_probe(&sql, c, "$1::text");
	sbuf_puts(&sql, " THEN $1::text ELSE $1::text || '-' || (SELECT min(hi) FROM bs)"
	    " END AS slug");
	if (sbuf_err(&sql) != APP_OK)
		return APP_ENOMEM;
	it[1].sql = sql.data;
	sbuf_init(&key, r->arena, 256);
	sbuf_printf(&key, "%s:%s:%s", c->table, org ? org : "", base);
	if (sbuf_err(&key) != APP_OK)
		return APP_ENOMEM;
	p[0] = base;
	p[1] = self;
	p[2] = org;
	pk[0] = key.data;
	e = db_exec_batch(&r->app->db, r->arena, it, 2);
	if (e != APP_OK)
		return e;
	res = it[1].res;
	if (PQntuples(res) != 1 || (*out = db_get(res, 0, "slug")) == NULL)
		return APP_EINTERNAL;
	return APP_OK;
}

/*
 * Run the write sql (n params) with a slug made from title for the entry
 * self (NULL when new), put in params[slot].  Writers choosing from one
 * base in one collection (one organization's, for blog posts) take turns:
 * an advisory lock held from the choice to COMMIT makes each see the slug
 * the last one took, so parallel writes of one title do not all choose the
 * same slug and run out of retries.  A write that still conflicts (a slug
 * given by hand, written in SQL, or chosen from an overlapping base, as
 * "Same Title 1" against "same-title"'s -1, meanwhile) returns
 * APP_ECONFLICT, and the caller chooses again.  The kept count's row
 * (sql/0006) is held to the COMMIT, one round trip longer than by a
 * single-statement write.  Errors: as db_exec.
 */
static enum app_err
write_new_slug(struct req *r, const struct coll *c, const char *title,
    const char *self, const char *sql, int n, const char **params, int slot,
    PGresult **res)
{
	struct db *db = &r->app->db;
	const char *base = content_slugify(r->arena, title);
	enum app_err e;

	if (base == NULL)
		return APP_ENOMEM;
	if (base[0] == '\0') /* a title of symbols only: the model's name */
		base = c->org_scoped ? "blog-post" : "article";
	if ((e = db_begin(db)) != APP_OK)
		return e;
	if ((e = free_slug(r, c, base, caller_org(r), self, &params[slot])) == APP_OK &&
	    (e = db_exec_sql(db, r->arena, sql, n, params, res, NULL)) == APP_OK &&
	    (e = db_commit(db)) == APP_OK)
		return APP_OK;
	if (db->in_tx)
		db_rollback(db);
	return e;
}

static int
slug_taken(struct req *r)
{
	return bad_request(r, "This attribute must be unique",
	    "{\"errors\":[{\"path\":[\"slug\"],\"message\":\"This attribute must be unique\","
	    "\"name\":\"ValidationError\"}]}");
}

/* ---- organization rules of blog posts */

static struct db_stmt q_org_role = DB_STMT("content_org_role",
    "SELECT EXISTS (SELECT 1 FROM organization_role_permissions"
    " WHERE role_slug = $1 AND action = $2) AS allowed");

/*
 * May the caller write blog posts (action) of their organization?
 * Answers and returns -1 when not.
 */
static int
org_write_allowed(struct req *r, const char *act)
{
	PGresult *res;
	const char *p[2];
	enum app_err e;

	if (caller_org(r) == NULL) {
		resp_error(r, 403, "ForbiddenError", "Organization membership required", NULL);
		return -1;
	}
	p[0] = r->user->org_role;
	p[1] = act;
	e = db_exec(&r->app->db, r->arena, &q_org_role, 2, p, &res, NULL);
	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	if (!db_get_bool(res, 0, "allowed")) {
		resp_error(r, 403, "ForbiddenError", "Forbidden", NULL);
		return -1;
	}
	return 0;
}

/* The body may name the caller's organization, and no other. */
static int
body_org_ok(struct req *r, struct body *b)
{
	struct value *v = body_get(b, "organizationId");

	if (v != NULL && (v->v == NULL || strcmp(v->v, caller_org(r)) != 0)) {
		resp_error(r, 403, "ForbiddenError",
		    "A blog post belongs to the organization of the token", NULL);
		return -1;
	}
	return 0;
}

/*
 * An existing post the caller wants to change: 404 when they cannot see
 * it, 403 when it is another organization's published post.
 */
static int
post_of_caller(struct req *r, const char **status)
{
	static struct db_stmt q = DB_STMT("content_post_owner",
	    "SELECT organization_id, status FROM blog_posts WHERE document_id = $1");
	PGresult *res;
	const char *p[1] = { r->param };
	const char *org;
	enum app_err e;

	if (!valid_document_id(r->param)) {
		not_found(r);
		return -1;
	}
	e = db_exec(&r->app->db, r->arena, &q, 1, p, &res, NULL);
	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	if (PQntuples(res) != 1) {
		not_found(r);
		return -1;
	}
	org = db_get(res, 0, "organization_id");
	*status = db_get(res, 0, "status");
	if (caller_org(r) == NULL || strcmp(org, caller_org(r)) != 0) {
		if (strcmp(*status, "published") == 0)
			resp_error(r, 403, "ForbiddenError", "Forbidden", NULL);
		else
			not_found(r);
		return -1;
	}
	return 0;
}

/* ---- create, update, delete */

/*
 * Answer the outcome of an INSERT or UPDATE ... RETURNING.  Returns true
 * when a generated slug was taken by a parallel write and the caller
 * should draw another; false when the request has been answered.
 */
static bool
finish_write(struct req *r, enum app_err e, bool generated_slug, PGresult *res,
    int status, const struct cq *q)
{
	if (e == APP_ECONFLICT && generated_slug)
		return true;
	if (e == APP_ECONFLICT)
		slug_taken(r);
	else if (e != APP_OK)
		resp_fail(r, e);
	else if (PQntuples(res) != 1)
		not_found(r);
	else
		answer_one(r, status, res, q->fields, q->nfields, NULL);
	return false;
}

static void
no_free_slug(struct req *r)
{
	resp_error(r, 503, "ServiceUnavailableError",
	    "Could not find a free slug, try again", NULL);
}

static void
create(struct req *r, const struct coll *c)
{
	struct body b;
	struct sbuf sql, cols, vals;
	const char *params[20], *org = NULL;
	struct value *sv, *st;
	const struct coll_field **f;
	char did[RND_DOCUMENT_ID_LEN + 1];
	PGresult *res;
	enum app_err e;
	struct cq q;
	bool generated;
	int np, slot = 0;

	if (auth_require(r, action(r, c, "create")) != 0)
		return;
	if (c->org_scoped && org_write_allowed(r, action(r, c, "create")) != 0)
		return;
	if (entry_query(r, c, &q) != 0)
		return;
	if (read_body(r, c, true, &b) != 0)
		return;
	if (c->org_scoped) {
		if (body_org_ok(r, &b) != 0)
			return;
		org = caller_org(r);
	}
	sv = body_get(&b, "slug");
	generated = sv == NULL || sv->v == NULL || sv->v[0] == '\0';
	st = body_get(&b, "status");
	f = all_fields(r->arena, c);
	if (f == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}

	for (int attempt = 0; attempt < 5; attempt++) {
		if (rnd_document_id(did) != APP_OK) {
			resp_fail(r, APP_EINTERNAL);
			return;
		}
		np = 0;
		sbuf_init(&cols, r->arena, 1024);
		sbuf_init(&vals, r->arena, 1024);
		params[np++] = did;
		sbuf_puts(&cols, "document_id");
		sbuf_puts(&vals, "$1");
		for (int i = 0; i < b.n; i++) {
			const char *name = b.vals[i].f->name;

			if (strcmp(name, "slug") == 0 || strcmp(name, "organizationId") == 0)
				continue;
			if (strcmp(name, "status") == 0 && b.vals[i].v == NULL)
				continue; /* null status: the column's default */
			params[np++] = b.vals[i].v;
			sbuf_printf(&cols, ", %s", b.vals[i].f->column);
			sbuf_printf(&vals, ", $%d", np);
		}
		slot = np;
		params[np++] = generated ? NULL : sv->v;
		sbuf_puts(&cols, ", slug");
		sbuf_printf(&vals, ", $%d", np);
		if (c->org_scoped) {
			params[np++] = org;
			sbuf_puts(&cols, ", organization_id, published_at");
			sbuf_printf(&vals, ", $%d, CASE WHEN coalesce($%d, 'draft') = 'published'"
			    " THEN now() END", np, np + 1);
			params[np++] = st != NULL ? st->v : NULL;
		}
		sbuf_init(&sql, r->arena, 8192);
		sbuf_printf(&sql, "INSERT INTO %s (%s) VALUES (%s) RETURNING ", c->table,
		    cols.data, vals.data);
		select_list(&sql, f, c->nfields);
		if (sbuf_err(&sql) != APP_OK || sbuf_err(&cols) != APP_OK ||
		    sbuf_err(&vals) != APP_OK) {
			resp_fail(r, APP_ENOMEM);
			return;
		}
		if (generated)
			e = write_new_slug(r, c, body_get(&b, "title")->v, NULL, sql.data,
			    np, params, slot, &res);
		else
			e = db_exec_sql(&r->app->db, r->arena, sql.data, np, params, &res,
			    NULL);
		if (!finish_write(r, e, generated, res, 201, &q))
			return;
	}
	no_free_slug(r);
}

/* The stored title of the entry r->param; answers 404 and -1 if none. */
static int
current_title(struct req *r, const struct coll *c, const char **title)
{
	struct sbuf sql;
	const char *p[1] = { r->param };
	PGresult *res;
	enum app_err e;

	sbuf_init(&sql, r->arena, 256);
	sbuf_printf(&sql, "SELECT title FROM %s WHERE document_id = $1", c->table);
	e = db_exec_sql(&r->app->db, r->arena, sql.data, 1, p, &res, NULL);
	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	if (PQntuples(res) != 1) {
		not_found(r);
		return -1;
	}
	*title = db_get(res, 0, "title");
	return 0;
}

static void
update(struct req *r, const struct coll *c)
{
	struct body b;
	struct sbuf sql;
	const char *params[20], *status = NULL;
	struct value *sv, *tv, *st;
	const struct coll_field **f;
	const char *title;
	PGresult *res;
	enum app_err e;
	struct cq q;
	bool regen;
	int np, slot = 0;

	if (auth_require(r, action(r, c, "update")) != 0)
		return;
	if (c->org_scoped) {
		if (org_write_allowed(r, action(r, c, "update")) != 0)
			return;
		if (post_of_caller(r, &status) != 0)
			return;
	}
	/* Before the body and any write: a bad query changes nothing. */
	if (entry_query(r, c, &q) != 0)
		return;
	if (!c->org_scoped && !valid_document_id(r->param)) {
		not_found(r);
		return;
	}
	if (read_body(r, c, false, &b) != 0)
		return;
	if (c->org_scoped && body_org_ok(r, &b) != 0)
		return;
	sv = body_get(&b, "slug");
	tv = body_get(&b, "title");
	st = body_get(&b, "status");
	/*
	 * A slug is a published URL: Strapi keeps a UID once made, so an
	 * update that does not name slug leaves it, whatever the title.  Only
	 * a slug given blank (null or "") is made anew, as on create.
	 */
	regen = sv != NULL && (sv->v == NULL || sv->v[0] == '\0');
	title = tv != NULL ? tv->v : NULL;
	if (regen && title == NULL && current_title(r, c, &title) != 0)
		return;
	f = all_fields(r->arena, c);
	if (f == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	for (int attempt = 0; attempt < 5; attempt++) {
		np = 0;
		params[np++] = r->param;
		sbuf_init(&sql, r->arena, 8192);
		sbuf_printf(&sql, "UPDATE %s SET updated_at = now()", c->table);
		for (int i = 0; i < b.n; i++) {
			const char *name = b.vals[i].f->name;

			if (strcmp(name, "slug") == 0 || strcmp(name, "organizationId") == 0)
				continue;
			if (strcmp(name, "status") == 0 && b.vals[i].v == NULL)
				continue; /* status cannot be unset: keep it */
			params[np++] = b.vals[i].v;
			sbuf_printf(&sql, ", %s = $%d", b.vals[i].f->column, np);
		}
		if (sv != NULL) { /* regen: write_new_slug fills it */
			slot = np;
			params[np++] = regen ? NULL : sv->v;
			sbuf_printf(&sql, ", slug = $%d", np);
		}
		if (c->org_scoped && st != NULL && st->v != NULL &&
		    strcmp(st->v, "published") == 0 && strcmp(status, "published") != 0)
			sbuf_puts(&sql, ", published_at = now()");
		sbuf_puts(&sql, " WHERE document_id = $1");
		if (c->org_scoped) {
			/* The row stays in the caller's organization, whatever races. */
			params[np++] = caller_org(r);
			sbuf_printf(&sql, " AND organization_id = $%d", np);
		}
		sbuf_puts(&sql, " RETURNING ");
		select_list(&sql, f, c->nfields);
		if (sbuf_err(&sql) != APP_OK) {
			resp_fail(r, APP_ENOMEM);
			return;
		}
		if (regen)
			e = write_new_slug(r, c, title, r->param, sql.data, np, params,
			    slot, &res);
		else
			e = db_exec_sql(&r->app->db, r->arena, sql.data, np, params, &res,
			    NULL);
		if (!finish_write(r, e, regen, res, 200, &q))
			return;
	}
	no_free_slug(r);
}

static void
delete(struct req *r, const struct coll *c)
{
	struct sbuf sql;
	const char **p, *status;
	PGresult *res;
	enum app_err e;
	struct cq q;
	int np;

	if (auth_require(r, action(r, c, "delete")) != 0)
		return;
	if (c->org_scoped) {
		if (org_write_allowed(r, action(r, c, "delete")) != 0)
			return;
		if (post_of_caller(r, &status) != 0)
			return;
	}
	/* Before anything is deleted: a bad query leaves the entry there. */
	if (entry_query(r, c, &q) != 0)
		return;
	/*
	 * Strapi's core delete removes the document's entries that match and
	 * answers 204 whether or not there were any (its controller sets the
	 * status unconditionally): for articles an unknown documentId, or
	 * filters that match nothing, delete nothing and are 204 too.  No
	 * documentId has another form, so one not well formed matches nothing.
	 * A blog post the caller cannot see stays 404 (post_of_caller), and so
	 * does one their filters do not match.
	 */
	if (!c->org_scoped && !valid_document_id(r->param)) {
		resp_empty(r, 204);
		return;
	}
	if ((p = entry_params(r, c, &q, &np)) == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	sbuf_init(&sql, r->arena, SQL_MAX);
	sbuf_printf(&sql, "DELETE FROM %s WHERE document_id = $1%s", c->table,
	    c->org_scoped ? " AND organization_id = $2" : "");
	/* Strapi deletes the versions of the document that match the filters. */
	sbuf_printf(&sql, " AND (%s) RETURNING id", q.where);
	if (sbuf_err(&sql) != APP_OK) {
		too_complex(r, sbuf_err(&sql));
		return;
	}
	e = db_exec_sql(&r->app->db, r->arena, sql.data, np, p, &res, NULL);
	if (e != APP_OK) {
		resp_fail(r, e);
		return;
	}
	if (c->org_scoped && PQntuples(res) != 1) {
		not_found(r);
		return;
	}
	resp_empty(r, 204);
}

void content_articles_find(struct req *r) { find(r, &coll_articles); }
void content_articles_find_one(struct req *r) { find_one(r, &coll_articles); }
void content_articles_create(struct req *r) { create(r, &coll_articles); }
void content_articles_update(struct req *r) { update(r, &coll_articles); }
void content_articles_delete(struct req *r) { delete(r, &coll_articles); }
void content_posts_find(struct req *r) { find(r, &coll_blog_posts); }
void content_posts_find_one(struct req *r) { find_one(r, &coll_blog_posts); }
void content_posts_create(struct req *r) { create(r, &coll_blog_posts); }
void content_posts_update(struct req *r) { update(r, &coll_blog_posts); }
void content_posts_delete(struct req *r) { delete(r, &coll_blog_posts); }
