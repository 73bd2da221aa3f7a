#include "health.h"
#include "jw.h"
#include "resp.h"

/*
 * The lag: how long ago the suite last knew itself up to date with WorkOS,
 * i.e. the later of the newest applied event's creation and the last time
 * workos-sync read the Events API to its end.  NULL until an event was
 * ever applied.
 */
static struct db_stmt q_health = DB_STMT("health_sync",
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM workos_events) THEN"
    " greatest(0, floor(extract(epoch FROM now() - greatest("
    "  (SELECT max(created_at) FROM workos_events),"
    "  (SELECT caught_up_at FROM workos_sync_state WHERE id)))))::bigint"
    " END AS lag");

void
health_get(struct req *r)
{
	PGresult *res;
	struct sbuf sb;
	struct jw w;
	enum app_err e;

	resp_header(r, "Cache-Control", "no-store");
	/*
	 * Anyone may ask, and a balancer asks often: the anonymous budget,
	 * so that a blocked database fails the check at once instead of
	 * holding a content worker.
	 */
	db_statement_timeout(&r->app->db, (long)r->app->cfg.read_timeout_ms);
	e = db_exec(&r->app->db, r->arena, &q_health, 0, NULL, &res, NULL);
	if (e == APP_EBUSY) {
		resp_fail(r, e);
		return;
	}
	if (e != APP_OK) {
		resp_error(r, 503, "ServiceUnavailableError", "Database unavailable",
		    "{\"database\":\"down\"}");
		return;
	}
	sbuf_init(&sb, r->arena, 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "database", "up");
	jw_key(&w, "workosSync");
	if (db_get(res, 0, "lag") == NULL) {
		jw_null(&w);
	} else {
		/* A sync that is behind is not an outage: still 200. */
		jw_obj_open(&w);
		jw_kint(&w, "lagSeconds", db_get_ll(res, 0, "lag", 0));
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	resp_json(r, 200, &sb);
}
