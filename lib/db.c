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
	 *
	 * Plans are generic: a prepared statement is planned once per
	 * connection, not at every execution.  Left to choose, Postgres
	 * re-plans a page query each time (its LIMIT parameter makes the
	 * generic plan look dearer), and planning then costs about as much
	 * as running it.  The statements are written so that their one plan
	 * is right for any value (the list scope: content.c).
	 *
	 * Datetimes are read as Postgres's ISO text in UTC and only rearranged
	 * (dt_from_pg), cheaper than formatting them in SQL; other zones and
	 * a pooler's sessions are converted as well.
	 */
	const char *keys[5], *vals[5];
	int n = 0;

	keys[n] = "connect_timeout";
	vals[n++] = "5";
	keys[n] = "application_name";
	vals[n++] = db->appname;
	if (!db->pooler) {
		keys[n] = "options";
		vals[n++] = "-c statement_timeout=" DB_TIMEOUT_MS_TEXT
		    " -c plan_cache_mode=force_generic_plan"
		    " -c TimeZone=UTC -c DateStyle=ISO";
	}
	keys[n] = "dbname";
	vals[n++] = db->url;
	keys[n] = NULL;
	vals[n] = NULL;
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = PQconnectdbParams(keys, vals, 1);
	db->gen++;
	db->in_tx = false;
	db->dealloc_pending = false;
	db->timeout_ms = DB_TIMEOUT_MS;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s",
		    db->conn ? PQerrorMessage(db->conn) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		log_msg(LOG_ERR, "could not connect to the %s: %s",
		    db->replica ? "read replica" : "database", msg);
		return;
	}
	{
		/* Behind a pooler DateStyle is the server's: say if it cannot be read. */
		const char *ds = PQparameterStatus(db->conn, "DateStyle");

		if (ds != NULL && strncmp(ds, "ISO", 3) != 0)
			log_msg(LOG_ERR, "the database's DateStyle is \"%s\": datetimes are "
			    "answered as Postgres writes them; set it to ISO "
			    "(ALTER ROLE ... SET DateStyle = 'ISO, MDY')", ds);
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
	/*
	 * GSSAPI encryption only when asked for.  libpq's default, prefer,
	 * probes for a Kerberos credential cache at every connect, which loads
	 * and initialises the Kerberos libraries: about 0.6 MiB more in every
	 * process, for a cache a web worker seldom has.  As an environment
	 * default it has libpq's lowest precedence: gssencmode in the URL, in
	 * a service file, or a PGGSSENCMODE already set all win.
	 */
	setenv("PGGSSENCMODE", "disable", 0);
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
	/*
	 * Every request starts with the full budget: a route that sets none
	 * (health) must not inherit the last request's anonymous one.  Only
	 * the wish is reset; the session's SET is sent when a statement
	 * needs another value.
	 */
	db->want_ms = DB_TIMEOUT_MS;
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

/*
 * Statements go out in libpq's pipeline mode: everything a call needs (the
 * budget's SET, a PREPARE the first time a statement is used on this
 * connection, the statements themselves, and behind a pooler BEGIN and
 * COMMIT around them) is sent at once and answered at once, so a batch of
 * statements costs one round trip however many parts it has.
 */
enum op_kind { OP_SET, OP_BEGIN, OP_COMMIT, OP_DEALLOCATE, OP_PREPARE, OP_EXEC };

struct op {
	enum op_kind kind;
	int item;              /* OP_PREPARE, OP_EXEC: the item */
	PGresult *res;
};

#define OPS_MAX (3 + 3 * DB_BATCH_MAX)

static bool
send_text(PGconn *c, const char *sql)
{
	return PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/*
 * Queue item i (with its PREPARE, and a DEALLOCATE of the statement its
 * cache slot held) on db's connection, recording each part in ops.  The
 * cache is updated as if every part will succeed; a batch where a
 * PREPARE or DEALLOCATE did not happen forgets every prepared statement
 * (fail_batch).  Returns false when libpq could not queue.
 */
static bool
send_item(struct db *db, struct db_item *it, int i, struct op *ops, int *nops)
{
	PGconn *c = db->conn;

	if (db->pooler) {
		/* No named statements: PgBouncer 1.18 cannot route them. */
		const char *sql = it->stmt != NULL ? it->stmt->sql : it->sql;

		ops[(*nops)++] = (struct op){ OP_EXEC, i, NULL };
		return PQsendQueryParams(c, sql, it->n, NULL, it->params, NULL,
		    NULL, 0) == 1;
	}
	if (it->stmt != NULL) {
		struct db_stmt *st = it->stmt;

		if (st->gen[db->replica] != db->gen) {
			ops[(*nops)++] = (struct op){ OP_PREPARE, i, NULL };
			if (PQsendPrepare(c, st->name, st->sql, 0, NULL) != 1)
				return false;
			st->gen[db->replica] = db->gen;
		}
		ops[(*nops)++] = (struct op){ OP_EXEC, i, NULL };
		return PQsendQueryPrepared(c, st->name, it->n, it->params, NULL,
		    NULL, 0) == 1;
	}
	{
		unsigned long h = hash_sql(it->sql);
		unsigned slot = (unsigned)(h % DB_CACHE);
		struct db_cached *ce = &db->cache[slot];
		char name[32];

		snprintf(name, sizeof(name), "dyn%u", slot);
		if (!(ce->sql != NULL && ce->hash == h && ce->gen == db->gen &&
		    strcmp(ce->sql, it->sql) == 0)) {
			if (ce->sql != NULL && ce->gen == db->gen) {
				/* The slot holds another statement: drop it. */
				char dealloc[48];

				snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", name);
				ops[(*nops)++] = (struct op){ OP_DEALLOCATE, i, NULL };
				if (!send_text(c, dealloc))
					return false;
			}
			free(ce->sql);
			ce->sql = strdup(it->sql);
			if (ce->sql == NULL) {
				/* Nowhere to remember it: run it unnamed. */
				ops[(*nops)++] = (struct op){ OP_EXEC, i, NULL };
				return PQsendQueryParams(c, it->sql, it->n, NULL,
				    it->params, NULL, NULL, 0) == 1;
			}
			ce->hash = h;
			ce->gen = db->gen;
			ops[(*nops)++] = (struct op){ OP_PREPARE, i, NULL };
			if (PQsendPrepare(c, name, it->sql, it->n, NULL) != 1)
				return false;
		}
		ops[(*nops)++] = (struct op){ OP_EXEC, i, NULL };
		return PQsendQueryPrepared(c, name, it->n, it->params, NULL, NULL,
		    0) == 1;
	}
}

/*
 * The statements this connection prepared are unknown now: forget them.
 * Prepared statements outlive a rolled-back transaction, but inside a
 * failed one DEALLOCATE ALL is refused: it is then owed, and sent as soon
 * as the transaction has ended (settle), before anything is prepared
 * again under the same names.
 */
static void
forget_prepared(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
			PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
		else
			db->dealloc_pending = true;
	}
	db->gen++;
}

/* Pay a DEALLOCATE ALL that forget_prepared owes, once no transaction is open. */
static void
settle(struct db *db)
{
	if (!db->dealloc_pending || db->conn == NULL ||
	    PQstatus(db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		return;
	PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
	db->dealloc_pending = false;
	/* Anything prepared meanwhile (inside the failed transaction) is gone too. */
	db->gen++;
}

/*
 * Send items [0, n) and read every answer: one round trip.  Each item's
 * res is its result (or an error result, or NULL when it never ran); a
 * failure of a part that is no item's statement (the SET, a PREPARE) is
 * left in *failure, for the caller to clear.
 * Returns false when the pipeline could not be used at all (the
 * connection is then closed, to be opened afresh).
 */
static bool
run_batch(struct db *db, struct db_item *items, int n, PGresult **failure)
{
	PGconn *c = db->conn;
	struct op ops[OPS_MAX];
	int nops = 0;
	bool ok = true, wrap, budget = false;
	char set[64];

	settle(db);
	if (PQenterPipelineMode(c) != 1)
		return false;
	/*
	 * Behind a transaction-pooling PgBouncer a budget cannot be session
	 * state: the statements run in a transaction that sets it with SET
	 * LOCAL.  On a direct connection it is the session's, set when it
	 * changes.
	 */
	wrap = db->pooler && db->want_ms != DB_TIMEOUT_MS && !db->in_tx;
	if (wrap) {
		snprintf(set, sizeof(set), "SET LOCAL statement_timeout = %ld", db->want_ms);
		ops[nops++] = (struct op){ OP_BEGIN, -1, NULL };
		ok = send_text(c, "BEGIN");
		ops[nops++] = (struct op){ OP_SET, -1, NULL };
		ok = ok && send_text(c, set);
	} else if (!db->pooler && db->want_ms != db->timeout_ms) {
		snprintf(set, sizeof(set), "SET statement_timeout = %ld", db->want_ms);
		ops[nops++] = (struct op){ OP_SET, -1, NULL };
		ok = send_text(c, set);
		budget = true;
	}
	for (int i = 0; ok && i < n; i++)
		ok = send_item(db, &items[i], i, ops, &nops);
	if (ok && wrap) {
		ops[nops++] = (struct op){ OP_COMMIT, -1, NULL };
		ok = send_text(c, "COMMIT");
	}
	if (!ok || PQpipelineSync(c) != 1) {
		/* Half a pipeline may have gone out: start this connection afresh. */
		PQfinish(db->conn);
		db->conn = NULL;
		return false;
	}
	/* Each part's results end with NULL; the Sync's result ends them all. */
	for (int k = 0; k < nops; k++) {
		PGresult *r;

		while ((r = PQgetResult(c)) != NULL) {
			if (ops[k].res == NULL)
				ops[k].res = r;
			else
				PQclear(r);
		}
		if (PQstatus(c) == CONNECTION_BAD)
			break;
	}
	if (PQstatus(c) != CONNECTION_BAD) {
		PGresult *r = PQgetResult(c);

		if (r != NULL && PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
			/* Out of step with the server: never reuse this connection. */
			PQclear(r);
			PQfinish(db->conn);
			db->conn = NULL;
			for (int k = 0; k < nops; k++)
				PQclear(ops[k].res);
			return false;
		}
		PQclear(r);
	}
	PQexitPipelineMode(c);

	{
		bool lost = false, all_good = true;

		for (int k = 0; k < nops; k++) {
			ExecStatusType st = ops[k].res ? PQresultStatus(ops[k].res)
			    : PGRES_FATAL_ERROR;
			bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

			all_good = all_good && good;
			if ((ops[k].kind == OP_PREPARE || ops[k].kind == OP_DEALLOCATE) && !good)
				lost = true;
			if (ops[k].kind == OP_EXEC) {
				items[ops[k].item].res = ops[k].res;
				ops[k].res = NULL;
			} else if (!good && *failure == NULL && ops[k].res != NULL &&
			    st != PGRES_PIPELINE_ABORTED) {
				/* What stopped the items after it. */
				*failure = ops[k].res;
				ops[k].res = NULL;
			}
			PQclear(ops[k].res);
		}
		/* A failed statement leaves a pooler's transaction aborted: end it. */
		if (PQstatus(c) == CONNECTION_OK && !db->in_tx &&
		    PQtransactionStatus(c) != PQTRANS_IDLE)
			PQclear(PQexec(c, "ROLLBACK"));
		if (lost)
			forget_prepared(db);
		/*
		 * The pipeline ran as one implicit transaction: a failure in it
		 * rolled the SET back too.  Then the session's budget is not
		 * known, and the next statement sets it again.
		 */
		if (budget)
			db->timeout_ms = all_good || db->in_tx ? db->want_ms : -1;
	}
	return true;
}

/* Is sql a plain read (SELECT), safe to run a second time? */
static bool
is_read(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0;
}

static bool
all_reads(const struct db_item *items, int n)
{
	for (int i = 0; i < n; i++)
		if (!items[i].read &&
		    !is_read(items[i].stmt ? items[i].stmt->sql : items[i].sql))
			return false;
	return true;
}

static void
clear_items(struct db_item *items, int n)
{
	for (int i = 0; i < n; i++) {
		PQclear(items[i].res);
		items[i].res = NULL;
	}
}

enum app_err
db_exec_batch(struct db *db, struct arena *a, struct db_item *items, int n)
{
	PGresult *failure = NULL;
	enum app_err first = APP_OK, stopped = APP_EDB;
	char stopped_state[6] = "";
	bool sent;

	for (int i = 0; i < n; i++) {
		items[i].res = NULL;
		items[i].err = APP_EDB;
		items[i].sqlstate[0] = '\0';
	}
	if (n < 1 || n > DB_BATCH_MAX)
		return APP_EINTERNAL;
	if (!ensure(db))
		return APP_EDB;
	sent = run_batch(db, items, n, &failure);
	if ((!sent || PQstatus(db->conn) == CONNECTION_BAD) && !db->in_tx &&
	    !db->tried_reset && all_reads(items, n)) {
		/*
		 * The server went away (restart, failover) since the last
		 * request: reconnect once and run the reads again.  Only reads:
		 * a write may have committed before the connection died.  Every
		 * request reads first (authentication), so the reconnect
		 * normally happens there, before any write.
		 */
		clear_items(items, n);
		PQclear(failure);
		failure = NULL;
		log_msg(LOG_WARN, "database connection lost; reconnecting");
		db->tried_reset = true;
		connect_(db);
		if (PQstatus(db->conn) != CONNECTION_OK)
			return APP_EDB;
		run_batch(db, items, n, &failure);
	}
	if (failure != NULL)
		stopped = classify(db, failure, "batch", stopped_state);
	for (int i = 0; i < n; i++) {
		struct db_item *it = &items[i];
		ExecStatusType st = it->res ? PQresultStatus(it->res) : PGRES_FATAL_ERROR;

		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			if (arena_defer(a, clear_result, it->res) != 0) {
				PQclear(it->res);
				it->res = NULL;
				it->err = APP_ENOMEM;
			} else {
				it->err = APP_OK;
			}
		} else {
			if (it->res != NULL && st != PGRES_PIPELINE_ABORTED) {
				it->err = classify(db, it->res, it->stmt ? it->stmt->name :
				    "dynamic", it->sqlstate);
				/* The items after it never ran, for this reason. */
				stopped = it->err;
				memcpy(stopped_state, it->sqlstate, sizeof(stopped_state));
			} else if (failure == NULL && db->conn != NULL &&
			    PQstatus(db->conn) == CONNECTION_BAD && first == APP_OK) {
				it->err = classify(db, NULL, it->stmt ? it->stmt->name :
				    "dynamic", it->sqlstate);
			} else {
				it->err = stopped;
				memcpy(it->sqlstate, stopped_state, sizeof(it->sqlstate));
			}
			PQclear(it->res);
			it->res = NULL;
		}
		if (first == APP_OK)
			first = it->err;
	}
	PQclear(failure);
	return first;
}

static enum app_err
exec_(struct db *db, struct arena *a, struct db_stmt *stmt, const char *sql,
    int n, const char *const *params, PGresult **res, char sqlstate[6])
{
	struct db_item it = { stmt, sql, n, params, false, NULL, APP_OK, "" };
	enum app_err e = db_exec_batch(db, a, &it, 1);

	*res = it.res;
	if (sqlstate)
		memcpy(sqlstate, it.sqlstate, 6);
	return e;
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
	/*
	 * READ COMMITTED whatever the role's or database's default: the
	 * suite's transactions count on each statement seeing what was
	 * committed before it (a lock waited for, then a fresh read).
	 */
	char sql[112] = "BEGIN ISOLATION LEVEL READ COMMITTED";
	enum app_err e;

	/* One round trip: the budget travels with BEGIN (one simple query). */
	if (db->pooler && db->want_ms != DB_TIMEOUT_MS)
		snprintf(sql, sizeof(sql), "BEGIN ISOLATION LEVEL READ COMMITTED;"
		    " SET LOCAL statement_timeout = %ld", db->want_ms);
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
	settle(db);
	/* A failed COMMIT rolled back a SET made in the transaction too. */
	if (e != APP_OK)
		db->timeout_ms = -1;
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
	settle(db);
	/* A SET made in the transaction is undone: set it again when needed. */
	db->timeout_ms = -1;
}

/* How long a replica that could not be reached is left alone. */
#define DB_READ_RETRY_S 5

enum app_err
db_read_batch(struct db *rd, struct db *db, struct arena *a,
    struct db_item *items, int n)
{
	enum app_err e;
	long long now;

	for (int i = 0; i < n; i++)
		items[i].read = true;
	if (rd == NULL || rd->url == NULL || db->in_tx)
		return db_exec_batch(db, a, items, n);
	now = (long long)time(NULL);
	if (now < rd->retry_at)
		return db_exec_batch(db, a, items, n);
	rd->want_ms = db->want_ms;
	e = db_exec_batch(rd, a, items, n);
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
	return db_exec_batch(db, a, items, n);
}

enum app_err
db_read_sql(struct db *rd, struct db *db, struct arena *a, const char *sql,
    int n, const char *const *params, PGresult **res, char sqlstate[6])
{
	struct db_item it = { NULL, sql, n, params, true, NULL, APP_OK, "" };
	enum app_err e = db_read_batch(rd, db, a, &it, 1);

	*res = it.res;
	if (sqlstate)
		memcpy(sqlstate, it.sqlstate, 6);
	return e;
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
