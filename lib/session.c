#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "jv.h"
#include "jw.h"
#include "jwt.h"
#include "log.h"
#include "origin.h"
#include "resp.h"
#include "session.h"
#include "signin.h"
#include "sstore.h"
#include "users.h"
#include "workos.h"

#define BODY_MAX (16 * 1024) /* bytes: these bodies hold a token or an id */

/* Who is calling a session route, and through what. */
struct caller {
	long long user_id;
	char sid[SSTORE_ID_LEN + 1];  /* "" when the credential names none */
	bool by_cookie;
};

static const char *
client_ip(struct req *r)
{
	return strcmp(r->remote, "-") != 0 ? r->remote : NULL;
}

static void
unauthorized(struct req *r, const char *message)
{
	resp_error(r, 401, "UnauthorizedError", message, NULL);
}

/*
 * The optional JSON object body.  0 with *o NULL when there is none;
 * -1 when answered (malformed, too large).
 */
static int
body_object(struct req *r, json_object **o)
{
	const char *why = NULL;
	char *body;
	size_t len;
	enum app_err e;

	*o = NULL;
	e = req_body(r, BODY_MAX, &body, &len, &why);
	if (e != APP_OK) {
		if (e == APP_ETOOBIG)
			resp_error(r, 413, "PayloadTooLargeError", why ? why : "Payload Too Large", NULL);
		else if (e == APP_EINPUT)
			resp_error(r, 400, "ValidationError", why ? why : "Bad request body", NULL);
		else
			resp_fail(r, e);
		return -1;
	}
	if (len == 0 || strspn(body, " \t\r\n") == len)
		return 0;
	if (jv_parse(r->arena, body, len, o, NULL) != APP_OK ||
	    !json_object_is_type(*o, json_type_object)) {
		resp_error(r, 400, "ValidationError", "The body must be a JSON object", NULL);
		return -1;
	}
	return 0;
}

/* A cookie may authenticate only a request from an allowed origin (CSRF). */
static int
cookie_origin_ok(struct req *r)
{
	if (origin_request_ok(r))
		return 1;
	log_msg(LOG_WARN, "refused a cookie-authenticated request from a foreign or "
	    "missing Origin");
	resp_error(r, 403, "ForbiddenError",
	    "Cookie-authenticated requests need an Origin of this API or of APP_ORIGINS",
	    NULL);
	return 0;
}

static enum app_err
mint(struct req *r, long long user_id, const char *org, const char *sid,
    long long ttl, char **tok)
{
	const struct cfg *cfg = &r->app->cfg;
	struct jwt_claims c;

	memset(&c, 0, sizeof(c));
	c.id = user_id;
	if (org != NULL)
		snprintf(c.org, sizeof(c.org), "%s", org);
	snprintf(c.sid, sizeof(c.sid), "%s", sid);
	c.iat = (long long)time(NULL);
	c.exp = c.iat + ttl;
	return jwt_sign(r->arena, (const unsigned char *)cfg->jwt_secret,
	    cfg->jwt_secret_len, &c, tok);
}

/*
 * The caller's bearer JWT, verified.  1 found (claims filled), 0 none,
 * -1 answered (a bad token is 401).
 */
static int
bearer(struct req *r, struct jwt_claims *c, bool answer_bad)
{
	const struct cfg *cfg = &r->app->cfg;
	const char *tok, *why = NULL;
	size_t len;

	tok = auth_bearer(r, &len);
	if (tok == NULL)
		return 0;
	if (jwt_verify(r->arena, (const unsigned char *)cfg->jwt_secret,
	    cfg->jwt_secret_len, tok, len, time(NULL), c, &why) != APP_OK) {
		log_msg(LOG_INFO, "refused a token: %s", why ? why : "invalid");
		if (!answer_bad)
			return 0;
		unauthorized(r, "Missing or invalid credentials");
		return -1;
	}
	return 1;
}

/*
 * Identify the caller of sessions, switch-organization: a bearer JWT whose
 * session is live, or the session cookie (from an allowed Origin) holding
 * a current refresh secret.  0 with *who filled, or -1 when answered.
 */
static int
identify(struct req *r, struct caller *who)
{
	struct jwt_claims c;
	unsigned char secret[SSTORE_SECRET_BYTES];
	const char *value;
	struct sstore_row row;
	enum sstore_match m;
	enum app_err e;
	int b, ok;

	memset(who, 0, sizeof(*who));
	b = bearer(r, &c, true);
	if (b < 0)
		return -1;
	if (b == 1) {
		if (c.sid[0] == '\0') {
			unauthorized(r, "This token belongs to no session: sign in again");
			return -1;
		}
		ok = sstore_check(&r->app->db, r->arena, c.sid, c.id, &e);
		if (ok < 0) {
			resp_fail(r, e);
			return -1;
		}
		if (!ok) {
			unauthorized(r, "Session ended");
			return -1;
		}
		who->user_id = c.id;
		memcpy(who->sid, c.sid, sizeof(who->sid));
		return 0;
	}
	value = req_cookie(r, SIGNIN_SESSION_COOKIE);
	if (value == NULL || *value == '\0') {
		unauthorized(r, "Missing or invalid credentials");
		return -1;
	}
	if (!cookie_origin_ok(r))
		return -1;
	if (sstore_token_parse(value, strlen(value), who->sid, secret) != 0) {
		unauthorized(r, "Missing or invalid credentials");
		return -1;
	}
	if ((e = db_begin(&r->app->db)) != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	e = sstore_lock(&r->app->db, r->arena, who->sid, &row);
	m = e == APP_OK ? sstore_match(&row, secret) : SSTORE_WRONG;
	explicit_bzero(secret, sizeof(secret));
	db_rollback(&r->app->db);
	if (e != APP_OK && e != APP_ENOTFOUND) {
		resp_fail(r, e);
		return -1;
	}
	if ((m != SSTORE_CURRENT && m != SSTORE_GRACE) || !row.live || row.user_blocked) {
		unauthorized(r, "Session ended");
		return -1;
	}
	who->user_id = row.user_id;
	who->by_cookie = true;
	return 0;
}

/* End the row's session, commit, answer 401: used once a transaction holds it. */
static void
end_and_refuse(struct req *r, const char *id, const char *reason,
    const char *message, bool clear_cookie)
{
	enum app_err e = sstore_revoke(&r->app->db, r->arena, id, reason);

	if (e == APP_OK)
		e = db_commit(&r->app->db);
	else
		db_rollback(&r->app->db);
	if (e != APP_OK) {
		resp_fail(r, e);
		return;
	}
	log_msg(LOG_WARN, "ended session %s: %s", id, reason);
	if (clear_cookie)
		signin_session_cookie(r, NULL, 0);
	unauthorized(r, message);
}

/*
 * The WorkOS side of a refresh: past the WorkOS access token's lifetime,
 * refresh there too.  0 to go on (WorkOS refreshed, or could not be asked:
 * the session keeps its local state), -1 when WorkOS ended the session
 * (answered).
 */
static int
refresh_at_workos(struct req *r, const struct sstore_row *row, bool cookie)
{
	struct signin *s = r->app->ext;
	struct workos_auth wa;
	const char *plain, *step = NULL;
	enum app_err e;

	if (row->workos_refresh == NULL || row->workos_access_exp == 0 ||
	    (long long)time(NULL) < row->workos_access_exp)
		return 0;
	plain = sstore_workos_refresh(r->arena, &s->skeys, row);
	if (plain == NULL)
		return 0;
	e = workos_refresh(s->workos, r->arena, plain, NULL, client_ip(r),
	    req_param(r, "HTTP_USER_AGENT"), &wa, &step);
	if (e == APP_EAUTH) {
		end_and_refuse(r, row->id, "ended at WorkOS", "Session ended", cookie);
		return -1;
	}
	if (e == APP_EBUSY && wa.refresh_token != NULL) {
		/*
		 * WorkOS signed with a key this process may not fetch yet: keep
		 * the session as it is, and WorkOS's new refresh token (the old
		 * one is used up), and go back to WorkOS after the cooldown.
		 */
		log_msg(LOG_WARN, "session %s: WorkOS's new access token names a key "
		    "not known yet; kept, refreshed there again later", row->id);
		e = sstore_set_workos(&r->app->db, r->arena, &s->skeys, row->id, NULL,
		    false, wa.refresh_token,
		    (long long)time(NULL) + r->app->cfg.workos_jwks_cooldown + 1);
		if (e != APP_OK) {
			db_rollback(&r->app->db);
			resp_fail(r, e);
			return -1;
		}
		return 0;
	}
	if (e != APP_OK) {
		/* Transient (timeout, 5xx, 429): keep the session, try next time. */
		log_msg(LOG_WARN, "session %s: WorkOS could not refresh (%s); kept",
		    row->id, app_strerror(e));
		return 0;
	}
	e = sstore_set_workos(&r->app->db, r->arena, &s->skeys, row->id, NULL, false,
	    wa.refresh_token, wa.access_exp);
	if (e != APP_OK) {
		db_rollback(&r->app->db);
		resp_fail(r, e);
		return -1;
	}
	return 0;
}

void
session_refresh(struct req *r)
{
	struct signin *s = r->app->ext;
	const struct cfg *cfg = &r->app->cfg;
	unsigned char secret[SSTORE_SECRET_BYTES];
	char id[SSTORE_ID_LEN + 1];
	struct sstore_row row;
	enum sstore_match m;
	json_object *body;
	const char *tok;
	char *next = NULL, *jwt;
	size_t toklen = 0;
	bool cookie = false;
	enum app_err e;

	if (body_object(r, &body) != 0)
		return;
	tok = body != NULL ? jv_strn(body, "refreshToken", &toklen) : NULL;
	if (body != NULL && jv_get(body, "refreshToken") != NULL && tok == NULL) {
		resp_error(r, 400, "ValidationError", "refreshToken must be a string", NULL);
		return;
	}
	if (tok == NULL) {
		tok = req_cookie(r, SIGNIN_SESSION_COOKIE);
		if (tok == NULL || *tok == '\0') {
			unauthorized(r, "Missing refresh token");
			return;
		}
		if (!cookie_origin_ok(r))
			return;
		cookie = true;
		toklen = strlen(tok);
	}
	if (sstore_token_parse(tok, toklen, id, secret) != 0) {
		if (cookie)
			signin_session_cookie(r, NULL, 0);
		unauthorized(r, "Invalid refresh token");
		return;
	}
	if ((e = db_begin(&r->app->db)) != APP_OK) {
		resp_fail(r, e);
		return;
	}
	/* One refresh of a session at a time: the row lock. */
	e = sstore_lock(&r->app->db, r->arena, id, &row);
	m = e == APP_OK ? sstore_match(&row, secret) : SSTORE_WRONG;
	if (m == SSTORE_WRONG && e == APP_OK && sstore_older(&s->skeys, &row, secret))
		m = SSTORE_REUSED;
	if (e != APP_OK && e != APP_ENOTFOUND) {
		db_rollback(&r->app->db);
		resp_fail(r, e);
		goto out;
	}
	if (m == SSTORE_WRONG || (m != SSTORE_REUSED && !row.live)) {
		db_rollback(&r->app->db);
		if (cookie)
			signin_session_cookie(r, NULL, 0);
		unauthorized(r, m == SSTORE_WRONG ? "Invalid refresh token" : "Session ended");
		goto out;
	}
	if (m == SSTORE_REUSED) {
		/* A rotated-away secret came back: someone else holds a copy. */
		end_and_refuse(r, id, "refresh token reused", "Invalid refresh token", cookie);
		goto out;
	}
	if (row.user_blocked) {
		end_and_refuse(r, id, "user blocked", "Invalid credentials", cookie);
		goto out;
	}
	e = sstore_refresh(&r->app->db, r->arena, &s->skeys, cfg, &row, m, secret,
	    client_ip(r), req_param(r, "HTTP_USER_AGENT"), &next);
	if (e == APP_EAUTH) {
		db_rollback(&r->app->db);
		unauthorized(r, "Invalid refresh token");
		goto out;
	}
	if (e != APP_OK) {
		db_rollback(&r->app->db);
		resp_fail(r, e);
		goto out;
	}
	if (m == SSTORE_CURRENT && refresh_at_workos(r, &row, cookie) != 0)
		goto out;
	if ((e = db_commit(&r->app->db)) != APP_OK ||
	    (e = mint(r, row.user_id, row.org, id, cfg->access_token_ttl, &jwt)) != APP_OK) {
		resp_fail(r, e);
		goto out;
	}
	{
		struct sbuf sb;
		struct jw w;

		sbuf_init(&sb, r->arena, 8192);
		jw_init(&w, &sb);
		jw_obj_open(&w);
		jw_kstr(&w, "jwt", jwt);
		if (cookie)
			signin_session_cookie(r, next, cfg->session_max_ttl);
		else
			jw_kstr(&w, "refreshToken", next);
		jw_obj_close(&w);
		resp_header(r, "Cache-Control", "no-store");
		resp_json(r, 200, &sb);
	}
out:
	explicit_bzero(secret, sizeof(secret));
}

void
session_logout(struct req *r)
{
	struct signin *s = r->app->ext;
	unsigned char secret[SSTORE_SECRET_BYTES];
	char id[SSTORE_ID_LEN + 1] = "";
	struct sstore_row row;
	struct jwt_claims c;
	json_object *body, *allv;
	const char *tok = NULL, *rt = NULL, *why = NULL, *wid = NULL, *url = NULL;
	const char **wids = NULL;
	size_t toklen = 0, rtlen = 0, nw = 0;
	long long user_id = 0;
	bool all, by_cookie = false;
	enum app_err e;
	int b;

	memset(secret, 0, sizeof(secret));
	memset(&row, 0, sizeof(row));
	if (body_object(r, &body) != 0)
		return;
	allv = body != NULL ? jv_get(body, "all") : NULL;
	if (allv != NULL && !json_object_is_type(allv, json_type_boolean)) {
		resp_error(r, 400, "ValidationError", "all must be a boolean", NULL);
		return;
	}
	all = allv != NULL && json_object_get_boolean(allv);
	if (body != NULL && jv_get(body, "returnTo") != NULL) {
		rt = jv_strn(body, "returnTo", &rtlen);
		if (rt == NULL || origin_check_return_to(&r->app->cfg, rt, rtlen, &why) != 0) {
			resp_error(r, 400, "ValidationError", rt == NULL ?
			    "returnTo must be a string" : why, NULL);
			return;
		}
	}
	if (body != NULL && jv_get(body, "refreshToken") != NULL) {
		tok = jv_strn(body, "refreshToken", &toklen);
		if (tok == NULL) {
			resp_error(r, 400, "ValidationError", "refreshToken must be a string", NULL);
			return;
		}
	}

	/* Who: the bearer JWT, else the body's refresh token, else the cookie. */
	b = bearer(r, &c, false);
	if (b == 1) {
		user_id = c.id;
		memcpy(id, c.sid, sizeof(id));
	} else if (tok == NULL) {
		tok = req_cookie(r, SIGNIN_SESSION_COOKIE);
		if (tok != NULL && *tok != '\0') {
			if (!cookie_origin_ok(r))
				return;
			by_cookie = true;
			toklen = strlen(tok);
		} else {
			tok = NULL;
		}
	}
	if ((e = db_begin(&r->app->db)) != APP_OK) {
		resp_fail(r, e);
		return;
	}
	/*
	 * Only a live credential speaks for its user: an ended session, a
	 * rotated-away refresh secret or a revoked session's JWT can end
	 * nothing more (logout stays 200: there is nothing left to end).
	 */
	if (user_id == 0 && tok != NULL &&
	    sstore_token_parse(tok, toklen, id, secret) == 0) {
		enum sstore_match m;

		e = sstore_lock(&r->app->db, r->arena, id, &row);
		m = e == APP_OK ? sstore_match(&row, secret) : SSTORE_WRONG;
		if (row.live && !row.user_blocked && (m == SSTORE_CURRENT || m == SSTORE_GRACE))
			user_id = row.user_id;
		else
			id[0] = '\0';
		if (e == APP_ENOTFOUND)
			e = APP_OK;
		if (e != APP_OK)
			goto fail;
	} else if (user_id != 0 && id[0] != '\0') {
		e = sstore_lock(&r->app->db, r->arena, id, &row);
		if (e == APP_ENOTFOUND || (e == APP_OK && (row.user_id != user_id ||
		    !row.live || row.user_blocked))) {
			id[0] = '\0';
			user_id = 0;
			e = APP_OK;
		}
		if (e != APP_OK)
			goto fail;
	}
	if (id[0] != '\0' && row.live)
		wid = row.workos_session_id;
	if (all && user_id != 0)
		e = sstore_revoke_user(&r->app->db, r->arena, user_id, "logout (all)",
		    SESSION_REVOKE_AT_WORKOS + 1, &wids, &nw);
	else if (id[0] != '\0')
		e = sstore_revoke(&r->app->db, r->arena, id, "logout");
	if (e != APP_OK || (e = db_commit(&r->app->db)) != APP_OK)
		goto fail;
	explicit_bzero(secret, sizeof(secret));

	/*
	 * The other sessions end at WorkOS too (ours ends through logoutUrl):
	 * the most recently used SESSION_REVOKE_AT_WORKOS of them, and none
	 * more once WorkOS is too slow, so one request makes a bounded number
	 * of calls.  The rest have ended here already; their WorkOS sessions
	 * lapse at WorkOS.
	 */
	for (size_t i = 0, calls = 0; i < nw && calls < SESSION_REVOKE_AT_WORKOS; i++) {
		if (wid != NULL && strcmp(wids[i], wid) == 0)
			continue;
		calls++;
		if (workos_revoke_session(s->workos, r->arena, wids[i]) == APP_ETIMEOUT) {
			log_msg(LOG_WARN, "WorkOS is too slow: the user's remaining "
			    "sessions ended here only");
			break;
		}
	}
	if (nw > SESSION_REVOKE_AT_WORKOS)
		log_msg(LOG_INFO, "logout of every session: at most %d ended at WorkOS, "
		    "the rest here only", SESSION_REVOKE_AT_WORKOS);
	if (wid != NULL) {
		const char *abs = rt != NULL ? origin_absolute(r, rt) : NULL;

		url = workos_logout_url(s->workos, r->arena, wid, abs);
	}
	if (by_cookie || req_cookie(r, SIGNIN_SESSION_COOKIE) != NULL)
		signin_session_cookie(r, NULL, 0);
	{
		struct sbuf sb;
		struct jw w;

		sbuf_init(&sb, r->arena, 16384);
		jw_init(&w, &sb);
		jw_obj_open(&w);
		jw_kbool(&w, "ok", true);
		jw_kstr(&w, "logoutUrl", url);
		jw_obj_close(&w);
		resp_header(r, "Cache-Control", "no-store");
		resp_json(r, 200, &sb);
	}
	return;
fail:
	explicit_bzero(secret, sizeof(secret));
	db_rollback(&r->app->db);
	resp_fail(r, e);
}

static struct db_stmt q_list = DB_STMT("session_list",
    "SELECT id,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created,"
    " to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS used,"
    " ip, user_agent, organization_id FROM sessions"
    " WHERE user_id = $1 AND revoked_at IS NULL AND idle_expires_at > now()"
    " AND expires_at > now() ORDER BY last_used_at DESC, id LIMIT $2");

void
session_list(struct req *r)
{
	struct caller who;
	char uid[32], lim[16];
	const char *p[] = { uid, lim };
	PGresult *res;
	struct sbuf sb;
	struct jw w;
	enum app_err e;

	if (identify(r, &who) != 0)
		return;
	snprintf(uid, sizeof(uid), "%lld", who.user_id);
	snprintf(lim, sizeof(lim), "%d", SESSION_LIST_MAX);
	if ((e = db_exec(&r->app->db, r->arena, &q_list, 2, p, &res, NULL)) != APP_OK) {
		resp_fail(r, e);
		return;
	}
	sbuf_init(&sb, r->arena, 1024 * 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "data");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *sid = db_get(res, i, "id");

		jw_obj_open(&w);
		jw_kstr(&w, "id", sid);
		jw_kstr(&w, "createdAt", db_get(res, i, "created"));
		jw_kstr(&w, "lastUsedAt", db_get(res, i, "used"));
		jw_kstr(&w, "ip", db_get(res, i, "ip"));
		jw_kstr(&w, "userAgent", db_get(res, i, "user_agent"));
		jw_kstr(&w, "organizationId", db_get(res, i, "organization_id"));
		jw_kbool(&w, "current", strcmp(sid, who.sid) == 0);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, &sb);
}

void
session_delete(struct req *r)
{
	struct signin *s = r->app->ext;
	struct caller who;
	const char *wid = NULL;
	enum app_err e;

	if (identify(r, &who) != 0)
		return;
	if (strlen(r->param) != SSTORE_ID_LEN ||
	    strspn(r->param, "abcdefghijklmnopqrstuvwxyz0123456789") != SSTORE_ID_LEN) {
		resp_error(r, 404, "NotFoundError", "Not Found", NULL);
		return;
	}
	e = sstore_revoke_own(&r->app->db, r->arena, r->param, who.user_id, &wid);
	if (e == APP_ENOTFOUND) {
		resp_error(r, 404, "NotFoundError", "Not Found", NULL);
		return;
	}
	if (e != APP_OK) {
		resp_fail(r, e);
		return;
	}
	if (wid != NULL)
		(void)workos_revoke_session(s->workos, r->arena, wid);
	if (who.by_cookie && strcmp(r->param, who.sid) == 0)
		signin_session_cookie(r, NULL, 0);
	resp_empty(r, 204);
}

static void
needs_sign_in(struct req *r, const char *org, const char *step)
{
	struct sbuf d, m;
	struct jw w;

	sbuf_init(&d, r->arena, 1024);
	jw_init(&w, &d);
	jw_obj_open(&w);
	{
		struct sbuf u;

		sbuf_init(&u, r->arena, 512);
		sbuf_printf(&u, "/api/auth/workos/login?organization=%s", org);
		jw_kstr(&w, "loginUrl", sbuf_err(&u) == APP_OK ? u.data : NULL);
	}
	jw_kstr(&w, "reason", step);
	jw_obj_close(&w);
	sbuf_init(&m, r->arena, 512);
	sbuf_printf(&m, "This organization needs a new sign-in (%s)", step ? step : "WorkOS");
	resp_error(r, 403, "ForbiddenError",
	    sbuf_err(&m) == APP_OK ? m.data : "This organization needs a new sign-in",
	    sbuf_err(&d) == APP_OK ? d.data : NULL);
}

static void
inactive_member(struct req *r)
{
	resp_error(r, 403, "ForbiddenError", USERS_MEMBERSHIP_INACTIVE, NULL);
}

void
session_switch_org(struct req *r)
{
	struct signin *s = r->app->ext;
	const struct cfg *cfg = &r->app->cfg;
	struct caller who;
	struct sstore_row row;
	struct workos_auth wa;
	json_object *body;
	const char *org, *plain, *step = NULL;
	char *jwt;
	size_t orglen = 0;
	bool ended, active;
	enum app_err e;

	if (body_object(r, &body) != 0)
		return;
	org = body != NULL ? jv_strn(body, "organizationId", &orglen) : NULL;
	if (org == NULL || !signin_valid_org(org, orglen)) {
		resp_error(r, 400, "ValidationError",
		    "organizationId must be \"org_\" followed by 1 to 64 letters and digits",
		    NULL);
		return;
	}
	if (identify(r, &who) != 0)
		return;
	if ((e = db_begin(&r->app->db)) != APP_OK) {
		resp_fail(r, e);
		return;
	}
	e = sstore_lock(&r->app->db, r->arena, who.sid, &row);
	if (e != APP_OK || !row.live) {
		db_rollback(&r->app->db);
		if (e == APP_OK || e == APP_ENOTFOUND)
			unauthorized(r, "Session ended");
		else
			resp_fail(r, e);
		return;
	}
	plain = sstore_workos_refresh(r->arena, &s->skeys, &row);
	if (plain == NULL) {
		db_rollback(&r->app->db);
		needs_sign_in(r, org, "no WorkOS session to switch");
		return;
	}
	/*
	 * A membership WorkOS or the directory ended stays ended here, as at
	 * sign-in: refuse before asking WorkOS to move the session there.
	 */
	if ((e = users_membership_ended(r, row.user_id, org, &ended)) != APP_OK || ended) {
		db_rollback(&r->app->db);
		if (e != APP_OK)
			resp_fail(r, e);
		else
			inactive_member(r);
		return;
	}
	e = workos_refresh(s->workos, r->arena, plain, org, client_ip(r),
	    req_param(r, "HTTP_USER_AGENT"), &wa, &step);
	switch (e) {
	case APP_OK:
		break;
	case APP_ENOTFOUND:
		db_rollback(&r->app->db);
		resp_error(r, 403, "ForbiddenError", "Not a member of this organization", NULL);
		return;
	case APP_EFORBIDDEN:
		db_rollback(&r->app->db);
		needs_sign_in(r, org, step);
		return;
	case APP_EAUTH:
		end_and_refuse(r, row.id, "ended at WorkOS", "Session ended", who.by_cookie);
		return;
	case APP_ETIMEOUT:
		db_rollback(&r->app->db);
		resp_error(r, 504, "GatewayTimeoutError", "WorkOS did not answer in time", NULL);
		return;
	case APP_EBUSY:
		/*
		 * WorkOS switched, but signed with a key this process may not
		 * fetch yet: keep its new refresh token (the old one is used
		 * up) and the session's organization; the caller tries again.
		 */
		if (wa.refresh_token == NULL ||
		    sstore_set_workos(&r->app->db, r->arena, &s->skeys, row.id, NULL,
		    false, wa.refresh_token, (long long)time(NULL) +
		    r->app->cfg.workos_jwks_cooldown + 1) != APP_OK ||
		    db_commit(&r->app->db) != APP_OK)
			db_rollback(&r->app->db);
		resp_error(r, 502, "BadGatewayError", "WorkOS could not switch the organization", NULL);
		return;
	default:
		db_rollback(&r->app->db);
		resp_error(r, 502, "BadGatewayError", "WorkOS could not switch the organization", NULL);
		return;
	}
	if ((e = users_record_membership(r, row.user_id, wa.org_id, NULL, wa.role,
	    &active)) == APP_OK && !active) {
		/*
		 * Ended meanwhile (a webhook between the check and now): the
		 * session keeps its organization, and WorkOS's new refresh
		 * token, since the old one is used up.
		 */
		if (sstore_set_workos(&r->app->db, r->arena, &s->skeys, row.id, NULL,
		    false, wa.refresh_token, wa.access_exp) != APP_OK ||
		    db_commit(&r->app->db) != APP_OK)
			db_rollback(&r->app->db);
		inactive_member(r);
		return;
	}
	if (e != APP_OK ||
	    (e = sstore_set_workos(&r->app->db, r->arena, &s->skeys, row.id, wa.org_id,
	    true, wa.refresh_token, wa.access_exp)) != APP_OK ||
	    (e = db_commit(&r->app->db)) != APP_OK) {
		db_rollback(&r->app->db);
		resp_fail(r, e);
		return;
	}
	signin_learn_org_name(r, wa.org_id);
	if ((e = mint(r, row.user_id, wa.org_id, row.id, cfg->access_token_ttl, &jwt)) != APP_OK) {
		resp_fail(r, e);
		return;
	}
	{
		struct sbuf sb;
		struct jw w;

		sbuf_init(&sb, r->arena, 8192);
		jw_init(&w, &sb);
		jw_obj_open(&w);
		jw_kstr(&w, "jwt", jwt);
		jw_kstr(&w, "organizationId", wa.org_id);
		jw_kstr(&w, "role", wa.role);
		jw_obj_close(&w);
		resp_header(r, "Cache-Control", "no-store");
		resp_json(r, 200, &sb);
	}
}
