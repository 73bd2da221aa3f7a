/*
 * cq.h - compiles the query of a find/findOne request on one collection
 * (filters, sort, pagination, fields, populate, _q; spec sections 4-7)
 * into the pieces of ONE parameterised SQL statement.
 *
 * Values only ever become parameters ($n, text, with an explicit cast per
 * column type); identifiers only come from the struct coll field table; so
 * no input can change the statement's shape beyond choosing among fixed
 * columns and operators.  Where Strapi would answer 500 (an operator in
 * the wrong place, a bad sort order, a non-numeric page...) cq answers a
 * clean 400 instead.
 *
 * Ownership: everything cq_compile() puts in *out and *err (strings, the
 * params array and its strings, the fields array) is allocated on the
 * arena and lives until its next reset.  The fields point into the
 * collection's static table.  The json-c tree q is only read.
 *
 * A caller builds, for instance:
 *
 *	SELECT <columns of out.fields> FROM <table>
 *	WHERE <caller's own conditions on $1..$k> AND <out.where>
 *	ORDER BY <out.order_by> LIMIT <out.limit> OFFSET <out.start>
 *
 * with first_param = k + 1 and parameters { own..., out.params... }, and
 * the COUNT(*) query (when out.with_count) with the same WHERE and
 * parameters.  start and limit are plain numbers, already bounded.
 */
#ifndef CQ_H
#define CQ_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "coll.h"

#define CQ_MAX_LIMIT 100     /* api.rest.maxLimit */
#define CQ_DEFAULT_LIMIT 25  /* api.rest.defaultLimit */
#define CQ_MAX_DEPTH 32      /* filter nesting; qs itself stops at 20 */
#define CQ_MAX_PARAMS 10000  /* far above what qs's 1000 pairs can make */
/*
 * Bounds on what one request may ask the database to do (400 past them):
 * a LIKE operator's text ($contains, $startsWith..., $eqi) and _q in
 * characters; the values of one $in / $notIn; the operators of a filter.
 */
#define CQ_MAX_LIKE 256
#define CQ_MAX_IN 1000
#define CQ_MAX_CONDITIONS 1000
/* Text matches ($contains..., $eqi..., _q) in one request: each reads whole texts. */
#define CQ_MAX_TEXT_MATCH 32

/* A Strapi error to answer with: resp_error(r, status, name, message, details). */
struct cq_error {
	int status;           /* 400 */
	const char *name;     /* "ValidationError" | "PaginationError" */
	const char *message;  /* e.g. "Invalid key foo" */
	const char *details;  /* JSON object text (written with jw), "{}" if none */
};

struct cq {
	/*
	 * SQL boolean expression over the table's columns (unqualified),
	 * self-delimited (parenthesised, or the single word TRUE or FALSE),
	 * so it can be ANDed as is.  "TRUE" when there is nothing to filter.
	 */
	const char *where;
	/* e.g. "title ASC, id ASC": ends with id unless id is already sorted. */
	const char *order_by;
	/*
	 * The columns order_by names other than id, each once, each after
	 * ", " (e.g. ", title"; "" when it names id alone): what a list of
	 * ids must carry to be put in order_by's order.
	 */
	const char *sort_columns;
	/* Text values for $first_param.. (NULL = SQL NULL). */
	const char **params;
	int nparams;
	long long start, limit;  /* OFFSET and LIMIT after normalisation */
	/*
	 * meta.pagination: page form reports page = start / limit + 1,
	 * pageSize = limit, pageCount, total; offset form start, limit, total.
	 * With with_count false Strapi reports {start, limit} in either form
	 * (spec section 6).
	 */
	bool page_form;
	bool with_count;         /* run the COUNT(*) query */
	/*
	 * The output fields, in the collection's order; id and documentId
	 * always, every field when the query has no `fields`.
	 */
	const struct coll_field **fields;
	size_t nfields;
};

/*
 * Compile the parsed query q (qs_parse's tree, or NULL for no query) of a
 * find on collection c.  first_param (>= 1) is the number of the first
 * placeholder, so the caller can put its own parameters before.  Returns
 * APP_OK; APP_EINPUT with *err filled (a 400 to answer); APP_ENOMEM; or
 * APP_EINTERNAL for a bad first_param.  *out is filled only on APP_OK.
 */
enum app_err cq_compile(struct arena *a, const struct coll *c, json_object *q,
    int first_param, struct cq *out, struct cq_error *err);

/*
 * For findOne, create and update, where only `fields` and `populate`
 * matter: fills out->fields and nfields as cq_compile() does, and the rest
 * of *out with neutral values (where "TRUE", order_by "id ASC", no
 * params, start 0, limit 1, page_form true, with_count false).  Returns
 * as cq_compile().
 */
enum app_err cq_compile_fields(struct arena *a, const struct coll *c,
    json_object *q, struct cq *out, struct cq_error *err);

/*
 * For the routes of one entry (findOne, create, update, delete), which
 * Strapi's controllers open with validateQuery: filters, sort, fields and
 * populate are checked as cq_compile() checks them, so a bad key is a 400
 * before anything is read or written.  Fills where and params (filters
 * and _q, numbered from first_param) and fields as cq_compile() does;
 * pagination is not read (order_by "id ASC", start 0, limit 1, page_form
 * true, with_count false).  findOne and delete AND out->where with the
 * documentId; create and update answer out->fields and ignore the rest,
 * as Strapi's update ignores filters.  Returns as cq_compile().
 */
enum app_err cq_compile_entry(struct arena *a, const struct coll *c,
    json_object *q, int first_param, struct cq *out, struct cq_error *err);

#endif
