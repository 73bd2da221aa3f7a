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
#define USER_SQL(extra) \
    "SELECT u.id, u.document_id, u.username, u.email, u.provider," \
    " u.first_name, u.last_name, u.confirmed, u.role_id, r.type," \
    /* Deleted at WorkOS: unable to act until a sign-in links it again. */ \
    " (u.blocked OR u.workos_deleted_at IS NOT NULL) AS blocked," \
    " to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at," \
    " to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at," \
    " m.organization_id, m.role_slug," \
    " EXISTS (SELECT 1 FROM permissions p WHERE p.role_id = u.role_id" \
    "         AND p.action = $3) AS allowed," \
    /* The session the token names: ended (logout, revocation, expiry) is 401. */ \
    " ($4::text IS NULL OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = $4" \
    "  AND s.user_id = u.id AND s.revoked_at IS NULL" \
    "  AND s.idle_expires_at > now() AND s.expires_at > now())) AS session_ok" \
    extra \
    /* \
     * Always one row, the user's columns NULL when there is no such user: \
     * the read scope (extra) is then still set, to ''. \
     */ \
    " FROM (SELECT 1) AS one" \
    " LEFT JOIN (users u JOIN roles r ON r.id = u.role_id) ON u.id = $1" \
    " LEFT JOIN memberships m ON m.user_id = u.id" \
    "  AND m.organization_id = $2 AND m.status = 'active'"

#define PUBLIC_SQL(extra) \
    "SELECT EXISTS (SELECT 1 FROM permissions p JOIN roles r ON r.id = p.role_id" \
    " WHERE r.type = 'public' AND p.action = $1) AS allowed" extra

/*
 * The read scope (sql/0007): app.organization_id for the rest of the
 * pipeline's transaction, the organization of the caller's active
 * membership or '' (anonymous, or no such membership).  Set by the
 * statement that looks the membership up, so that a scoped read costs no
 * statement of its own.
 */
#define SCOPE_SQL(org) ", set_config('app.organization_id', " org ", true) AS read_scope"

static struct db_stmt q_user = DB_STMT("auth_user", USER_SQL(""));
static struct db_stmt q_user_scoped = DB_STMT("auth_user_scoped",
    USER_SQL(SCOPE_SQL("coalesce(m.organization_id, '')")));
static struct db_stmt q_public = DB_STMT("auth_public", PUBLIC_SQL(""));
static struct db_stmt q_public_scoped = DB_STMT("auth_public_scoped",
    PUBLIC_SQL(SCOPE_SQL("''")));

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
auth_begin(struct req *r, const char *action, struct auth_pending *p)
{
	const struct cfg *cfg = &r->app->cfg;
	const char *tok, *why = NULL;
	size_t toklen;
	enum app_err e;

	memset(p, 0, sizeof(*p));
	r->user = NULL;
	p->action = action;
	p->item.n = 1;
	p->item.params = p->params;
	/*
	 * Anyone can send a request: what it makes Postgres do gets the read
	 * budget until the caller is known (auth_finish lifts it).
	 */
	if (budget(r, cfg->read_timeout_ms) != 0)
		return -1;
	tok = auth_bearer(r, &toklen);
	if (tok == NULL) {
		p->params[0] = action;
		p->item.stmt = &q_public;
		return 0;
	}
	e = jwt_verify(r->arena, (const unsigned char *)cfg->jwt_secret,
	    cfg->jwt_secret_len, tok, toklen, time(NULL), &p->claims, &why);
	if (e != APP_OK) {
		log_msg(LOG_INFO, "refused a token: %s", why ? why : app_strerror(e));
		return unauthorized(r, "Missing or invalid credentials");
	}
	p->token = true;
	snprintf(p->idbuf, sizeof(p->idbuf), "%lld", p->claims.id);
	p->params[0] = p->idbuf;
	p->params[1] = p->claims.org[0] ? p->claims.org : NULL;
	p->params[2] = action;
	p->params[3] = p->claims.sid[0] ? p->claims.sid : NULL;
	p->item.n = 4;
	p->item.stmt = &q_user;
	p->org = p->params[1];
	p->uid = p->idbuf;
	return 0;
}

int
auth_finish(struct req *r, struct auth_pending *p)
{
	PGresult *res = p->item.res;
	struct auth_user *u;
	long long id = p->claims.id;

	/*
	 * A signed token's own check ran under the anonymous budget, since
	 * the caller was not yet known.  Its statement waiting past that
	 * budget (a cold connection, a lock) is no reason to refuse the
	 * caller: check again with the signed-in budget.
	 */
	if (p->item.err == APP_EBUSY && p->token &&
	    r->app->cfg.read_timeout_ms < DB_TIMEOUT_MS) {
		if (budget(r, DB_TIMEOUT_MS) != 0)
			return -1;
		db_exec_batch(&r->app->db, r->arena, &p->item, 1);
		res = p->item.res;
	}
	if (p->item.err != APP_OK) {
		resp_fail(r, p->item.err);
		return -1;
	}
	if (!p->token)
		return db_get_bool(res, 0, "allowed") ? 0 : forbidden(r);
	if (PQntuples(res) != 1 || db_get(res, 0, "id") == NULL) {
		log_msg(LOG_INFO, "token for user %lld who no longer exists", id);
		return unauthorized(r, "Invalid credentials");
	}
	if (db_get_bool(res, 0, "blocked")) {
		log_msg(LOG_INFO, "token for blocked user %lld", id);
		return unauthorized(r, "Invalid credentials");
	}
	if (!db_get_bool(res, 0, "session_ok")) {
		log_msg(LOG_INFO, "token of an ended session (user %lld)", id);
		return unauthorized(r, "Session ended");
	}
	u = arena_calloc(r->arena, 1, sizeof(*u));
	if (u == NULL) {
		resp_fail(r, APP_ENOMEM);
		return -1;
	}
	u->id = id;
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
	u->sid = p->claims.sid[0] ? arena_strdup(r->arena, p->claims.sid) : NULL;
	r->user = u;
	if (!db_get_bool(res, 0, "allowed"))
		return forbidden(r);
	return budget(r, DB_TIMEOUT_MS);
}

void
auth_read_scope(struct auth_pending *p)
{
	if (p->item.stmt == &q_user)
		p->item.stmt = &q_user_scoped;
	else if (p->item.stmt == &q_public)
		p->item.stmt = &q_public_scoped;
}

int
auth_run(struct req *r, struct auth_pending *p)
{
	db_exec_batch(&r->app->db, r->arena, &p->item, 1);
	return auth_finish(r, p);
}

int
auth_require(struct req *r, const char *action)
{
	struct auth_pending p;

	if (auth_begin(r, action, &p) != 0)
		return -1;
	return auth_run(r, &p);
}
