#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "jwt.h"
#include "log.h"
#include "resp.h"

/*
 * One round trip answers both questions: the user (with its organization
 * membership) and whether their role holds the action.
 */
static struct db_stmt q_user = DB_STMT("auth_user",
    "SELECT u.id, u.document_id, u.username, u.email, u.provider,"
    " u.first_name, u.last_name, u.confirmed, u.role_id, r.type,"
    /* Deleted at WorkOS: unable to act until a sign-in links it again. */
    " (u.blocked OR u.workos_deleted_at IS NOT NULL) AS blocked,"
    " to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at,"
    " to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at,"
    " m.organization_id, m.role_slug,"
    " EXISTS (SELECT 1 FROM permissions p WHERE p.role_id = u.role_id"
    "         AND p.action = $3) AS allowed,"
    /* The session the token names: ended (logout, revocation, expiry) is 401. */
    " ($4::text IS NULL OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = $4"
    "  AND s.user_id = u.id AND s.revoked_at IS NULL"
    "  AND s.idle_expires_at > now() AND s.expires_at > now())) AS session_ok"
    " FROM users u JOIN roles r ON r.id = u.role_id"
    " LEFT JOIN memberships m ON m.user_id = u.id"
    "  AND m.organization_id = $2 AND m.status = 'active'"
    " WHERE u.id = $1");

static struct db_stmt q_public = DB_STMT("auth_public",
    "SELECT EXISTS (SELECT 1 FROM permissions p JOIN roles r ON r.id = p.role_id"
    " WHERE r.type = 'public' AND p.action = $1) AS allowed");

const char *
auth_bearer(struct req *r, size_t *len)
{
	const char *h = req_param(r, "HTTP_AUTHORIZATION");
	const char *tok;
	size_t n;

	if (h == NULL)
		return NULL;
	h += strspn(h, " \t");
	n = strcspn(h, " \t");
	if (n != 6 || strncasecmp(h, "bearer", 6) != 0)
		return NULL;
	tok = h + n + strspn(h + n, " \t");
	n = strcspn(tok, " \t");
	if (n == 0 || tok[n + strspn(tok + n, " \t")] != '\0')
		return NULL;
	*len = n;
	return tok;
}

static int
unauthorized(struct req *r, const char *message)
{
	resp_error(r, 401, "UnauthorizedError", message, NULL);
	return -1;
}

static int
forbidden(struct req *r)
{
	resp_error(r, 403, "ForbiddenError", "Forbidden", NULL);
	return -1;
}

/* The time budget of the request's next statements. */
static int
budget(struct req *r, long long ms)
{
	enum app_err e = db_statement_timeout(&r->app->db, (long)ms);

	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	return 0;
}

int
auth_require(struct req *r, const char *action)
{
	const struct cfg *cfg = &r->app->cfg;
	struct jwt_claims c;
	struct auth_user *u;
	const char *tok, *why = NULL;
	size_t toklen;
	PGresult *res;
	enum app_err e;
	char idbuf[32];

	r->user = NULL;
	tok = auth_bearer(r, &toklen);
	if (tok == NULL) {
		const char *p[] = { action };

		e = db_exec(&r->app->db, r->arena, &q_public, 1, p, &res, NULL);
		if (e != APP_OK) {
			resp_fail(r, e);
			return -1;
		}
		if (!db_get_bool(res, 0, "allowed"))
			return forbidden(r);
		/* Anyone can send this: what it makes Postgres do gets a budget. */
		return budget(r, cfg->read_timeout_ms);
	}

	e = jwt_verify(r->arena, (const unsigned char *)cfg->jwt_secret,
	    cfg->jwt_secret_len, tok, toklen, time(NULL), &c, &why);
	if (e != APP_OK) {
		log_msg(LOG_INFO, "refused a token: %s", why ? why : app_strerror(e));
		return unauthorized(r, "Missing or invalid credentials");
	}

	snprintf(idbuf, sizeof(idbuf), "%lld", c.id);
	{
		const char *p[] = { idbuf, c.org[0] ? c.org : NULL, action,
		    c.sid[0] ? c.sid : NULL };

		e = db_exec(&r->app->db, r->arena, &q_user, 4, p, &res, NULL);
	}
	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	if (PQntuples(res) != 1) {
		log_msg(LOG_INFO, "token for user %lld who no longer exists", c.id);
		return unauthorized(r, "Invalid credentials");
	}
	if (db_get_bool(res, 0, "blocked")) {
		log_msg(LOG_INFO, "token for blocked user %lld", c.id);
		return unauthorized(r, "Invalid credentials");
	}
	if (!db_get_bool(res, 0, "session_ok")) {
		log_msg(LOG_INFO, "token of an ended session (user %lld)", c.id);
		return unauthorized(r, "Session ended");
	}
	u = arena_calloc(r->arena, 1, sizeof(*u));
	if (u == NULL) {
		resp_fail(r, APP_ENOMEM);
		return -1;
	}
	u->id = c.id;
	u->document_id = db_get(res, 0, "document_id");
	u->username = db_get(res, 0, "username");
	u->email = db_get(res, 0, "email");
	u->provider = db_get(res, 0, "provider");
	u->first_name = db_get(res, 0, "first_name");
	u->last_name = db_get(res, 0, "last_name");
	u->created_at = db_get(res, 0, "created_at");
	u->updated_at = db_get(res, 0, "updated_at");
	u->confirmed = db_get_bool(res, 0, "confirmed");
	u->blocked = false;
	u->role_id = db_get_ll(res, 0, "role_id", 0);
	u->role_type = db_get(res, 0, "type");
	u->org = db_get(res, 0, "organization_id");
	u->org_role = db_get(res, 0, "role_slug");
	u->sid = c.sid[0] ? arena_strdup(r->arena, c.sid) : NULL;
	r->user = u;
	if (!db_get_bool(res, 0, "allowed"))
		return forbidden(r);
	return budget(r, DB_TIMEOUT_MS);
}
