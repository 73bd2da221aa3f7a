/*
 * coll.h - the content collections as data: each field's API name, its
 * column, its type and rules.  Every identifier that reaches SQL comes
 * from these tables, never from the request, so no input can change the
 * shape of a statement.
 */
#ifndef COLL_H
#define COLL_H

#include <stdbool.h>
#include <stddef.h>

enum coll_type {
	COLL_ID,        /* bigint primary key, "id" */
	COLL_STRING,    /* short text (string, uid, enumeration) */
	COLL_TEXT,      /* rich text */
	COLL_DATETIME,  /* timestamptz, ISO-8601 UTC with milliseconds on the wire */
	COLL_BOOL       /* boolean; a filter value is true/t/1 or false/f/0 */
};

struct coll_field {
	const char *name;       /* API name: "title", "documentId", "createdAt" */
	const char *column;     /* SQL column: "title", "document_id", "created_at" */
	enum coll_type type;
	bool writable;          /* may appear in a request body's data */
	bool required;          /* must be present (not null) on create */
	int max_len;            /* characters; 0 = no limit */
	bool uid;               /* a slug: Strapi's UID pattern, unique */
	const char *const *enum_values; /* NULL-terminated, or NULL */
};

struct coll {
	const char *plural;         /* "articles": the route /api/<plural> */
	const char *table;          /* "articles" */
	const char *action_prefix;  /* "api::article.article." */
	const struct coll_field *fields; /* id and documentId first, in output order */
	size_t nfields;
	bool org_scoped;            /* blog posts: rows belong to an organization */
	/*
	 * Relations a query may name in populate (NULL-terminated), or NULL
	 * for none.  They are accepted, not joined: see coll_users.
	 */
	const char *const *relations;
	/*
	 * The table of row counts kept by triggers (sql/0006_counts.sql), read
	 * for the total of an unfiltered page instead of counting the rows:
	 * columns n, and for a scoped collection organization_id and status.
	 * NULL: count the rows.
	 */
	const char *counts;
	/*
	 * What reads select from, when not the table: a view that lets
	 * through only the rows app.organization_id allows (sql/0007), set
	 * by the same pipeline (content.c).  NULL: the table.
	 */
	const char *read_from;
};

extern const struct coll coll_articles;
extern const struct coll coll_blog_posts;
/*
 * The users-permissions user as GET /api/users/me shows it: only its
 * query (fields, filters, sort, populate) is compiled against it.  Its
 * relation "role" may be named in populate (Strapi clients commonly send
 * ?populate=role), which changes nothing: the answer's "role" is the
 * organization role the suite always shows.
 */
extern const struct coll coll_users;

/* The field called name (API name), or NULL. */
const struct coll_field *coll_field(const struct coll *c, const char *name);

#endif
