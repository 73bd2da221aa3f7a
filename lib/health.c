#include "health.h"
#include "resp.h"

static struct db_stmt q_ping = DB_STMT("health_ping", "SELECT 1");

void
health_get(struct req *r)
{
	static const char ok[] = "{\"status\":\"ok\",\"database\":\"up\"}";
	PGresult *res;

	resp_header(r, "Cache-Control", "no-store");
	if (db_exec(&r->app->db, r->arena, &q_ping, 0, NULL, &res, NULL) != APP_OK) {
		resp_error(r, 503, "ServiceUnavailableError", "Database unavailable",
		    "{\"database\":\"down\"}");
		return;
	}
	resp_send(r, 200, "application/json; charset=utf-8", ok, sizeof(ok) - 1);
}
