#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db.h"
#include "log.h"

static void
connect_(struct db *db)
{
	/*
	 * Our defaults first: settings in DATABASE_URL, expanded last, win.
	 * PgBouncer refuses the "options" start-up parameter, and a pooled
	 * server session is not ours to set: behind it the default budget is
	 * the role's (ALTER ROLE ... SET statement_timeout, README).
	 */
	const char *keys[] = { "connect_timeout", "application_name",
	    "options", "dbname", NULL };
	const char *vals[] = { "5", db->appname,
	    "-c statement_timeout=" DB_TIMEOUT_MS_TEXT, db->url, NULL };

	if (db->pooler) {
		keys[2] = "dbname";
		vals[2] = db->url;
		keys[3] = NULL;
		vals[3] = NULL;
	}
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = PQconnectdbParams(keys, vals, 1);
	db->gen++;
	db->in_tx = false;
	db->timeout_ms = DB_TIMEOUT_MS;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s",
		    db->conn ? PQerrorMessage(db->conn) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		log_msg(LOG_ERR, "could not connect to the %s: %s",
		    db->replica ? "read replica" : "database", msg);
	}
}

void
db_open(struct db *db, const char *url, const char *appname, unsigned flags)
{
	memset(db, 0, sizeof(*db));
	db->url = url;
	db->appname = appname;
	db->pooler = (flags & DB_POOLER) != 0;
	db->replica = (flags & DB_REPLICA) != 0;
	db->want_ms = DB_TIMEOUT_MS;
	connect_(db);
}

void
db_init(struct db *db, const char *url, const char *appname)
{
	db_open(db, url, appname, 0);
}

static void
cache_clear(struct db *db)
{
	for (unsigned i = 0; i < DB_CACHE; i++) {
		free(db->cache[i].sql);
		db->cache[i].sql = NULL;
	}
	db->cache_used = 0;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	cache_clear(db);
}

void
db_request_start(struct db *db)
{
	db->tried_reset = false;
	if (db->in_tx) {
		/* A handler left a transaction open: never carry it over. */
		log_msg(LOG_ERR, "transaction left open by the previous request");
		db_rollback(db);
	}
}

/* Is the connection usable?  Reconnects once per request if it is not. */
static bool
ensure(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return true;
	if (db->tried_reset)
		return false;
	db->tried_reset = true;
	connect_(db);
	return PQstatus(db->conn) == CONNECTION_OK;
}

static void
clear_result(void *p)
{
	PQclear(p);
}

static enum app_err
classify(struct db *db, PGresult *r, const char *what, char sqlstate[6])
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (sqlstate) {
		snprintf(sqlstate, 6, "%s", st ? st : "");
	}
	if (st != NULL && strcmp(st, "23505") == 0)
		return APP_ECONFLICT;
	/* 57014: statement_timeout cancelled it; the connection stays usable. */
	if (st != NULL && strcmp(st, "57014") == 0) {
		log_msg(LOG_WARN, "statement \"%s\" ran out of its time budget (%ld ms)",
		    what, db->want_ms);
		return APP_EBUSY;
	}
	/* 22xxx data exceptions and 23514 check violations: bad values. */
	if (st != NULL && (strncmp(st, "22", 2) == 0 || strcmp(st, "23514") == 0 ||
	    strcmp(st, "23502") == 0))
		return APP_EINPUT;
	if (msg == NULL && db->conn != NULL)
		msg = PQerrorMessage(db->conn);
	{
		char m[256];

		snprintf(m, sizeof(m), "%s", msg ? msg : "unknown error");
		m[strcspn(m, "\n")] = '\0';
		log_msg(LOG_ERR, "could not run statement \"%s\": %s%s%s", what, m,
		    st ? " SQLSTATE " : "", st ? st : "");
	}
	return APP_EDB;
}

static unsigned long
hash_sql(const char *s)
{
	unsigned long h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* Prepare (once per connection) and run a statement built at run time. */
static PGresult *
run_cached(struct db *db, const char *sql, int n, const char *const *params)
{
	unsigned long h = hash_sql(sql);
	unsigned slot = (unsigned)(h % DB_CACHE);
	struct db_cached *c = &db->cache[slot];
	char name[32];

	snprintf(name, sizeof(name), "dyn%u", slot);
	if (c->sql != NULL && c->hash == h && c->gen == db->gen && strcmp(c->sql, sql) == 0)
		return PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
	if (c->sql != NULL && c->gen == db->gen) {
		/* The slot holds another statement: drop it on the server. */
		PGresult *d;
		char dealloc[48];

		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", name);
		d = PQexec(db->conn, dealloc);
		PQclear(d);
	}
	free(c->sql);
	c->sql = NULL;
	{
		PGresult *p = PQprepare(db->conn, name, sql, n, NULL);

		if (p == NULL || PQresultStatus(p) != PGRES_COMMAND_OK)
			return p;
		PQclear(p);
	}
	c->sql = strdup(sql);
	if (c->sql == NULL) {
		/* Unrecorded but prepared: drop it so the name can be reused. */
		PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
		db->gen++;
		return PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
	}
	c->hash = h;
	c->gen = db->gen;
	return PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
}

/*
 * Behind a transaction-pooling PgBouncer a budget cannot be session state:
 * the statement runs in its own transaction that sets it with SET LOCAL.
 * BEGIN, SET LOCAL, the statement and COMMIT go out as one pipeline with
 * one Sync, so the budget costs no round trip.  Returns the statement's
 * result, or the first error.
 */
static PGresult *
run_budgeted(struct db *db, const char *sql, int n, const char *const *params)
{
	PGconn *c = db->conn;
	PGresult *r, *out = NULL, *err = NULL;
	char set[64];
	int q = 0;

	snprintf(set, sizeof(set), "SET LOCAL statement_timeout = %ld", db->want_ms);
	if (PQenterPipelineMode(c) != 1)
		return NULL;
	if (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(c, set, 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(c) != 1) {
		/* Nothing usable was sent: start this connection afresh. */
		PQfinish(db->conn);
		db->conn = NULL;
		return NULL;
	}
	/* Each query's results end with NULL; the Sync's result ends it all. */
	for (;;) {
		ExecStatusType st;

		r = PQgetResult(c);
		if (r == NULL) {
			if (PQstatus(c) == CONNECTION_BAD || ++q > 4)
				break;
			continue;
		}
		st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (q == 2 && out == NULL && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
			out = r;
		} else if (err == NULL && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
		    st != PGRES_PIPELINE_ABORTED) {
			err = r;
		} else {
			PQclear(r);
		}
	}
	PQexitPipelineMode(c);
	/* A failed statement leaves its transaction aborted: end it. */
	if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
	if (err != NULL) {
		PQclear(out);
		return err;
	}
	return out;
}

/* Direct connection: make the session's statement_timeout the one asked. */
static PGresult *
apply_budget(struct db *db)
{
	PGresult *r;
	char sql[64];

	snprintf(sql, sizeof(sql), "SET statement_timeout = %ld", db->want_ms);
	r = PQexec(db->conn, sql);
	if (r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		db->timeout_ms = db->want_ms;
		return NULL;
	}
	return r != NULL ? r : PQmakeEmptyPGresult(db->conn, PGRES_FATAL_ERROR);
}

static PGresult *
run(struct db *db, struct db_stmt *stmt, const char *sql, int n,
    const char *const *params)
{
	if (db->pooler) {
		/* No named statements: PgBouncer 1.18 cannot route them. */
		if (stmt != NULL)
			sql = stmt->sql;
		if (db->want_ms != DB_TIMEOUT_MS && !db->in_tx)
			return run_budgeted(db, sql, n, params);
		return PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
	}
	if (db->want_ms != db->timeout_ms) {
		PGresult *e = apply_budget(db);

		if (e != NULL)
			return e;
	}
	if (stmt == NULL)
		return run_cached(db, sql, n, params);
	if (stmt->gen != db->gen) {
		PGresult *p = PQprepare(db->conn, stmt->name, stmt->sql, 0, NULL);

		if (p == NULL || PQresultStatus(p) != PGRES_COMMAND_OK)
			return p;
		PQclear(p);
		stmt->gen = db->gen;
	}
	return PQexecPrepared(db->conn, stmt->name, n, params, NULL, NULL, 0);
}

/* Is sql a plain read (SELECT), safe to run a second time? */
static bool
is_read(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0;
}

static enum app_err
exec_(struct db *db, struct arena *a, struct db_stmt *stmt, const char *sql,
    int n, const char *const *params, PGresult **res, char sqlstate[6])
{
	const char *what = stmt ? stmt->name : "dynamic";
	PGresult *r;
	ExecStatusType st;

	*res = NULL;
	if (sqlstate)
		sqlstate[0] = '\0';
	if (!ensure(db))
		return APP_EDB;
	r = run(db, stmt, sql, n, params);
	if (PQstatus(db->conn) == CONNECTION_BAD && !db->in_tx && !db->tried_reset &&
	    is_read(stmt ? stmt->sql : sql)) {
		/*
		 * The server went away (restart, failover) since the last
		 * request: reconnect once and run the statement again.  Only a
		 * read: a write may have committed before the connection died.
		 * Every request reads first (authentication), so the reconnect
		 * normally happens there, before any write.
		 */
		PQclear(r);
		log_msg(LOG_WARN, "database connection lost; reconnecting");
		db->tried_reset = true;
		connect_(db);
		if (PQstatus(db->conn) != CONNECTION_OK)
			return APP_EDB;
		r = run(db, stmt, sql, n, params);
	}
	st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		enum app_err e = classify(db, r, what, sqlstate);

		PQclear(r);
		return e;
	}
	if (arena_defer(a, clear_result, r) != 0)
		return APP_ENOMEM;
	*res = r;
	return APP_OK;
}

enum app_err
db_exec(struct db *db, struct arena *a, struct db_stmt *stmt, int n,
    const char *const *params, PGresult **res, char sqlstate[6])
{
	return exec_(db, a, stmt, NULL, n, params, res, sqlstate);
}

enum app_err
db_exec_sql(struct db *db, struct arena *a, const char *sql, int n,
    const char *const *params, PGresult **res, char sqlstate[6])
{
	return exec_(db, a, NULL, sql, n, params, res, sqlstate);
}

static enum app_err
simple(struct db *db, const char *sql)
{
	PGresult *r;
	enum app_err e = APP_OK;

	if (!ensure(db))
		return APP_EDB;
	r = PQexec(db->conn, sql);
	if (PQstatus(db->conn) == CONNECTION_BAD && !db->in_tx && !db->tried_reset &&
	    strncmp(sql, "BEGIN", 5) == 0) {
		/*
		 * The connection died between requests and a transaction is the
		 * request's first use of it: BEGIN changes nothing, so reconnect
		 * once and begin again, as exec_() does for a first read.
		 */
		PQclear(r);
		log_msg(LOG_WARN, "database connection lost; reconnecting");
		db->tried_reset = true;
		connect_(db);
		if (PQstatus(db->conn) != CONNECTION_OK)
			return APP_EDB;
		r = PQexec(db->conn, sql);
	}
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
		e = classify(db, r, sql, NULL);
	PQclear(r);
	return e;
}

enum app_err
db_statement_timeout(struct db *db, long ms)
{
	db->want_ms = ms;
	return APP_OK;
}

enum app_err
db_begin(struct db *db)
{
	char sql[80] = "BEGIN";
	enum app_err e;

	/* One round trip: the budget travels with BEGIN (one simple query). */
	if (db->pooler && db->want_ms != DB_TIMEOUT_MS)
		snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL statement_timeout = %ld",
		    db->want_ms);
	e = simple(db, sql);
	if (e == APP_OK)
		db->in_tx = true;
	return e;
}

enum app_err
db_commit(struct db *db)
{
	enum app_err e = simple(db, "COMMIT");

	db->in_tx = false;
	return e;
}

void
db_rollback(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		PGresult *r = PQexec(db->conn, "ROLLBACK");

		PQclear(r);
	}
	db->in_tx = false;
	/* A SET made in the transaction is undone: set it again when needed. */
	db->timeout_ms = -1;
}

/* How long a replica that could not be reached is left alone. */
#define DB_READ_RETRY_S 5

enum app_err
db_read_sql(struct db *rd, struct db *db, struct arena *a, const char *sql,
    int n, const char *const *params, PGresult **res, char sqlstate[6])
{
	enum app_err e;
	long long now;

	if (rd == NULL || rd->url == NULL || db->in_tx)
		return db_exec_sql(db, a, sql, n, params, res, sqlstate);
	now = (long long)time(NULL);
	if (now < rd->retry_at)
		return db_exec_sql(db, a, sql, n, params, res, sqlstate);
	rd->want_ms = db->want_ms;
	e = db_exec_sql(rd, a, sql, n, params, res, sqlstate);
	if (e != APP_EDB)
		return e;
	/*
	 * Unreachable, or refused (a standby cancelling a read that conflicts
	 * with recovery, a standby being promoted): this read goes to the
	 * primary, and while the replica is unreachable so do the next ones.
	 */
	if (rd->conn == NULL || PQstatus(rd->conn) != CONNECTION_OK) {
		rd->retry_at = now + DB_READ_RETRY_S;
		log_msg(LOG_WARN, "read replica unavailable; reading from the "
		    "primary for %d s", DB_READ_RETRY_S);
	} else {
		log_msg(LOG_WARN, "read replica refused a read; reading from the primary");
	}
	return db_exec_sql(db, a, sql, n, params, res, sqlstate);
}

const char *
db_get(const PGresult *res, int row, const char *col)
{
	int c = PQfnumber(res, col);

	if (c < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c))
		return NULL;
	return PQgetvalue(res, row, c);
}

bool
db_get_bool(const PGresult *res, int row, const char *col)
{
	const char *v = db_get(res, row, col);

	return v != NULL && v[0] == 't';
}

long long
db_get_ll(const PGresult *res, int row, const char *col, long long def)
{
	const char *v = db_get(res, row, col);

	return v != NULL ? strtoll(v, NULL, 10) : def;
}
