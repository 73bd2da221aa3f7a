/*
 * db.h - the process's one PostgreSQL connection.
 *
 * Statements are constants with $1..$n, prepared once per connection the
 * first time they run (a reconnect prepares them again), or, behind a
 * transaction-pooling PgBouncer (DB_POOLER), sent unnamed every time with
 * no session state kept between transactions.  A broken
 * connection (Postgres restarted) is reset once per request, so the
 * process never needs a restart.  Results are registered on the request's
 * arena and cleared by its reset.
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "app.h"
#include "arena.h"

#define DB_CACHE 128
/* The statement_timeout of every connection: nothing may run longer. */
#define DB_TIMEOUT_MS 15000
#define DB_TIMEOUT_MS_TEXT "15000"

/* A statement built at run time, prepared on its first use. */
struct db_cached {
	unsigned long hash;
	char *sql;        /* malloc-owned copy; NULL when the slot is free */
	unsigned gen;
};

/* db_open() flags. */
#define DB_POOLER 0x1u /* the URL leads through a transaction-pooling PgBouncer:
                          no named statements, no session state */
#define DB_REPLICA 0x2u /* a read replica (db_read_sql), so named in logs */

struct db {
	PGconn *conn;
	struct db_cached cache[DB_CACHE];
	unsigned cache_used;
	const char *url;
	const char *appname;
	unsigned gen;     /* bumped at every (re)connection */
	bool in_tx;
	bool dealloc_pending; /* DEALLOCATE ALL owed once the failed transaction ends */
	bool pooler;      /* DB_POOLER */
	bool replica;     /* DB_REPLICA */
	long timeout_ms;  /* the session's statement_timeout now (direct mode) */
	long want_ms;     /* the budget asked for by db_statement_timeout() */
	bool tried_reset; /* one reconnection attempt per request */
	long long retry_at; /* a read connection: not tried again before (epoch s) */
};

/*
 * A statement: give it a unique name and its SQL; gen is db's business:
 * the connection it was last prepared on, one for the primary and one for
 * the replica, whose generations are counted apart (a statement may run
 * on both, as the read scope does).
 */
struct db_stmt {
	const char *name;
	const char *sql;
	unsigned gen[2];
};

#define DB_STMT(n, s) { (n), (s), { 0, 0 } }

/*
 * Remember url (a libpq connection string or URI) and try to connect; a
 * failure is logged, not fatal.  Sets PGGSSENCMODE=disable in the
 * process's environment when it is unset (libpq's lowest-precedence
 * default; see db_open in db.c), so GSSAPI encryption is used only when the
 * URL, a service file or the operator asks for it.
 */
void db_init(struct db *db, const char *url, const char *appname);
/* The same with DB_* flags. */
void db_open(struct db *db, const char *url, const char *appname, unsigned flags);
void db_close(struct db *db);

/*
 * Called at the start of every request: allows one reconnect, and sets
 * the budget back to DB_TIMEOUT_MS (see db_statement_timeout).
 */
void db_request_start(struct db *db);

/*
 * Run stmt with n text parameters (NULL for SQL NULL).  On success *res
 * is a PGRES_TUPLES_OK or PGRES_COMMAND_OK result owned by a.  Errors:
 * APP_EDB (unreachable, or failed), APP_ECONFLICT (unique violation),
 * APP_EINPUT (the value was refused by a type, check or length rule).
 * sqlstate, when not NULL, receives the 5-character SQLSTATE or "".
 */
enum app_err db_exec(struct db *db, struct arena *a, struct db_stmt *stmt,
    int n, const char *const *params, PGresult **res, char sqlstate[6]);

/*
 * Like db_exec, for SQL built at run time (still with parameters only).
 * Each distinct text is prepared once per connection and kept in a small
 * cache, so a repeated query shape costs one round trip and no parse.
 */
enum app_err db_exec_sql(struct db *db, struct arena *a, const char *sql,
    int n, const char *const *params, PGresult **res, char sqlstate[6]);

/* One statement of db_exec_batch(): stmt, or else sql (built at run time). */
struct db_item {
	struct db_stmt *stmt;
	const char *sql;
	int n;                       /* parameters, text, NULL for SQL NULL */
	const char *const *params;
	/*
	 * Writes nothing, so may run again after a reconnection; a statement
	 * that begins with SELECT counts as one without saying so.
	 */
	bool read;
	PGresult *res;               /* out: as db_exec's *res, owned by the arena */
	enum app_err err;            /* out: as db_exec's result */
	char sqlstate[6];            /* out: the SQLSTATE of a failure, or "" */
};

#define DB_BATCH_MAX 4

/*
 * Run items[0..n) (1 <= n <= DB_BATCH_MAX) in order, in one round trip
 * (libpq's pipeline mode, with the budget's SET and any first-use PREPARE
 * in the same pipeline).  Each item gets its own result and error; an item
 * after a failed one does not run and gets that failure's error.  Returns
 * the first item's error that is not APP_OK, or APP_OK.  A connection
 * that broke between requests is reopened and the batch run again once,
 * when every item is a read.
 */
enum app_err db_exec_batch(struct db *db, struct arena *a,
    struct db_item *items, int n);

/*
 * A read that decides no authorization (a content page, its total): run it
 * on rd, a connection to a replica, when rd has a URL and answers, else on
 * db (the primary).  A replica that cannot be reached is left alone for a
 * few seconds, its reads going to db meanwhile.  The budget of
 * db_statement_timeout(db) applies on rd too.
 */
enum app_err db_read_sql(struct db *rd, struct db *db, struct arena *a,
    const char *sql, int n, const char *const *params, PGresult **res,
    char sqlstate[6]);

/* As db_read_sql, for a batch (db_exec_batch): all its items on one side. */
enum app_err db_read_batch(struct db *rd, struct db *db, struct arena *a,
    struct db_item *items, int n);

/*
 * Give the statements that follow a time budget of ms milliseconds.  It is
 * applied with the next statement: on a direct connection as the session's
 * statement_timeout (one round trip, only when it changes); with DB_POOLER
 * as SET LOCAL in a transaction around each statement, sent in one
 * pipeline with it (no extra round trip).  A statement past it is
 * cancelled by Postgres and db_exec returns APP_EBUSY; the connection
 * stays usable.
 */
enum app_err db_statement_timeout(struct db *db, long ms);

/*
 * Spaces of the transaction-level advisory locks writers take in turn
 * (pg_advisory_xact_lock(space, hashtext(key)), the two-int4 form; the
 * migration's single-bigint lock is apart from them): one per kind of
 * name chosen free before it is written, so parallel writers of one base
 * see each other's choice instead of choosing alike.
 */
#define DB_LOCK_USERNAME "4702120"  /* key: the username base */
#define DB_LOCK_SLUG "4702121"      /* key: table, organization, slug base */

enum app_err db_begin(struct db *db);
enum app_err db_commit(struct db *db);
void db_rollback(struct db *db);

/* The value at (row, col name), or NULL for SQL NULL or a missing column. */
const char *db_get(const PGresult *res, int row, const char *col);
/* As db_get, as a boolean ("t"). */
bool db_get_bool(const PGresult *res, int row, const char *col);
/* As db_get, as an integer; def for NULL. */
long long db_get_ll(const PGresult *res, int row, const char *col, long long def);

#endif
