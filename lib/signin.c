#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jw.h"
#include "jwt.h"
#include "origin.h"
#include "log.h"
#include "mac.h"
#include "resp.h"
#include "sess.h"
#include "signin.h"
#include "users.h"
#include "workos.h"

enum app_err
signin_init(struct app *app)
{
	struct signin *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return APP_ENOMEM;
	s->workos = workos_new(&app->cfg);
	if (s->workos == NULL) {
		free(s);
		return APP_EINTERNAL;
	}
	sess_key_derive(&s->key, app->cfg.workos_cookie_password);
	sstore_keys_derive(&s->skeys, app->cfg.workos_cookie_password);
	app->ext = s;
	return APP_OK;
}

void
signin_fini(struct app *app)
{
	struct signin *s = app->ext;

	if (s == NULL)
		return;
	workos_free(s->workos);
	explicit_bzero(&s->key, sizeof(s->key));
	explicit_bzero(&s->skeys, sizeof(s->skeys));
	free(s);
	app->ext = NULL;
}

static void
cookie(struct req *r, const char *name, const char *value, const char *path,
    long long max_age, bool lax)
{
	bool none = !lax;
	struct sbuf sb;

	sbuf_init(&sb, r->arena, 8192);
	/* Clearing: Expires in the past as well, for clients that ignore Max-Age=0. */
	sbuf_printf(&sb, "%s=%s; Path=%s; Max-Age=%lld;%s HttpOnly; SameSite=%s%s",
	    name, value, path, max_age,
	    max_age <= 0 ? " Expires=Thu, 01 Jan 1970 00:00:00 GMT;" : "",
	    none ? "None" : "Lax", r->https || none ? "; Secure" : "");
	if (sbuf_err(&sb) == APP_OK)
		resp_header(r, "Set-Cookie", sb.data);
}

/* The login-state cookies are always Lax: WorkOS sends the browser back
 * with a top-level GET, which Lax allows. */
static void
login_cookie(struct req *r, const char *name, const char *value, long long max_age)
{
	cookie(r, name, value, SESS_PATH, max_age, true);
}

void
signin_session_cookie(struct req *r, const char *value, long long max_age)
{
	cookie(r, SIGNIN_SESSION_COOKIE, value ? value : "", SIGNIN_SESSION_PATH,
	    value ? max_age : 0, r->app->cfg.session_samesite == CFG_SAMESITE_LAX);
}

int
signin_valid_org(const char *s, size_t n)
{
	if (n < 5 || n > 68 || strncmp(s, "org_", 4) != 0)
		return 0;
	for (size_t i = 4; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static int
has_nul_or_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

size_t
signin_flows(const char *h, struct signin_flow *out, size_t max)
{
	size_t n = 0, plen = sizeof(SESS_COOKIE_PREFIX) - 1;

	while (h != NULL && *h != '\0' && n < max) {
		const char *end = strchr(h, ';');
		size_t len = end ? (size_t)(end - h) : strlen(h);
		const char *eq;

		while (len > 0 && (*h == ' ' || *h == '\t'))
			h++, len--;
		eq = memchr(h, '=', len);
		if (eq != NULL && (size_t)(eq - h) == SESS_COOKIE_NAME_LEN &&
		    strncmp(h, SESS_COOKIE_PREFIX, plen) == 0) {
			char v[40];
			size_t vl = len - (size_t)(eq + 1 - h);

			memcpy(out[n].name, h, SESS_COOKIE_NAME_LEN);
			out[n].name[SESS_COOKIE_NAME_LEN] = '\0';
			snprintf(v, sizeof(v), "%.*s", (int)(vl < 39 ? vl : 39), eq + 1);
			out[n].expires = sess_peek_expiry(v);
			n++;
		}
		h = end ? end + 1 : NULL;
	}
	return n;
}

/* An optional query parameter of printable ASCII, at most max bytes. */
static int
opt_param(struct req *r, const char *name, size_t max, const char **out)
{
	size_t n = 0;

	*out = req_query(r, name, &n);
	if (*out == NULL)
		return 0;
	if (n == 0 || n > max || has_nul_or_ctl(*out, n))
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)(*out)[i] >= 0x7f)
			return -1;
	return 0;
}

void
signin_login(struct req *r)
{
	struct signin *s = r->app->ext;
	struct sess_login l;
	struct signin_flow flows[16];
	char challenge[SESS_TOKEN_LEN + 1], name[SESS_COOKIE_NAME_LEN + 1];
	const char *org, *hint, *url, *value, *rt, *screen, *invite, *why = NULL;
	size_t orglen = 0, hintlen = 0, rtlen = 0, nflows;

	org = req_query(r, "organization", &orglen);
	if (org == NULL)
		org = req_query(r, "organization_id", &orglen);
	if (org != NULL && !signin_valid_org(org, orglen)) {
		resp_error(r, 400, "ValidationError",
		    "organization must be \"org_\" followed by 1 to 64 letters and digits",
		    NULL);
		return;
	}
	hint = req_query(r, "login_hint", &hintlen);
	if (hint != NULL && (hintlen == 0 || hintlen > 320 || has_nul_or_ctl(hint, hintlen))) {
		resp_error(r, 400, "ValidationError",
		    "login_hint must be 1 to 320 printable characters", NULL);
		return;
	}
	rt = req_query(r, "return_to", &rtlen);
	if (rt != NULL && origin_check_return_to(&r->app->cfg, rt, rtlen, &why) != 0) {
		log_msg(LOG_INFO, "refused a sign-in with a return_to that is not allowed");
		resp_error(r, 400, "ValidationError", why, NULL);
		return;
	}
	if (opt_param(r, "screen_hint", 16, &screen) != 0 || (screen != NULL &&
	    strcmp(screen, "sign-up") != 0 && strcmp(screen, "sign-in") != 0)) {
		resp_error(r, 400, "ValidationError",
		    "screen_hint must be sign-up or sign-in", NULL);
		return;
	}
	if (opt_param(r, "invitation_token", 512, &invite) != 0) {
		resp_error(r, 400, "ValidationError",
		    "invitation_token must be 1 to 512 printable characters", NULL);
		return;
	}
	if (sess_login_new(&l, time(NULL), r->app->cfg.login_state_ttl) != APP_OK) {
		resp_fail(r, APP_EINTERNAL);
		return;
	}
	if (rt != NULL)
		memcpy(l.return_to, rt, rtlen + 1);
	sess_challenge(l.verifier, challenge);
	url = workos_authorize_url(s->workos, r->arena, l.state, challenge, org, hint,
	    screen, invite);
	value = sess_seal(r->arena, &s->key, &l);
	sess_cookie_name(l.state, name);
	explicit_bzero(&l, sizeof(l));
	if (url == NULL || value == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	/* A few sign-ins in progress at most: drop the oldest beyond that. */
	nflows = signin_flows(req_param(r, "HTTP_COOKIE"), flows, ARRAY_LEN(flows));
	while (nflows >= SESS_MAX_FLOWS) {
		size_t old = 0;

		for (size_t i = 1; i < nflows; i++)
			if (flows[i].expires < flows[old].expires)
				old = i;
		login_cookie(r, flows[old].name, "", 0);
		flows[old] = flows[--nflows];
	}
	login_cookie(r, name, value, r->app->cfg.login_state_ttl);
	resp_header(r, "Location", url);
	resp_header(r, "Cache-Control", "no-store");
	resp_empty(r, 302);
}

/* A fixed message for each error code WorkOS may put on the callback (spec §1). */
static const char *
workos_error_text(const char *code)
{
	static const struct { const char *code, *text; } known[] = {
		{ "access_denied", "WorkOS sign-in failed: access_denied (the sign-in was cancelled or refused)" },
		{ "organization_invalid", "WorkOS sign-in failed: organization_invalid (not a member of that organization)" },
		{ "ambiguous_connection_selector", "WorkOS sign-in failed: ambiguous_connection_selector" },
		{ "invalid_request", "WorkOS sign-in failed: invalid_request" },
		{ "server_error", "WorkOS sign-in failed: server_error" },
		{ "temporarily_unavailable", "WorkOS sign-in failed: temporarily_unavailable" },
	};

	for (size_t i = 0; i < ARRAY_LEN(known); i++)
		if (strcmp(code, known[i].code) == 0)
			return known[i].text;
	return "WorkOS sign-in failed";
}

static void
bad_state(struct req *r, const char *why)
{
	log_msg(LOG_WARN, "refused a callback: %s", why);
	resp_error(r, 400, "ValidationError", why, NULL);
}

/*
 * A failed sign-in: a browser goes back to its app with a fixed error
 * code; an API client gets the error envelope.
 */
static void
fail(struct req *r, const char *return_to, const char *code, int status,
    const char *name, const char *message)
{
	if (return_to != NULL && return_to[0] != '\0') {
		const char *loc = origin_with_error(r->arena, return_to, code);

		if (loc != NULL) {
			resp_header(r, "Location", loc);
			resp_header(r, "Cache-Control", "no-store");
			resp_empty(r, 303);
			return;
		}
	}
	resp_error(r, status, name, message, NULL);
}

static void
answer_api(struct req *r, const struct users_signed_in *u, const char *sid,
    const char *refresh)
{
	const struct cfg *cfg = &r->app->cfg;
	struct jwt_claims c;
	struct sbuf sb;
	struct jw w;
	char *tok;

	memset(&c, 0, sizeof(c));
	c.id = u->id;
	if (u->org != NULL)
		snprintf(c.org, sizeof(c.org), "%s", u->org);
	snprintf(c.sid, sizeof(c.sid), "%s", sid);
	c.iat = (long long)time(NULL);
	c.exp = c.iat + cfg->jwt_expires_in;
	if (jwt_sign(r->arena, (const unsigned char *)cfg->jwt_secret,
	    cfg->jwt_secret_len, &c, &tok) != APP_OK) {
		resp_fail(r, APP_EINTERNAL);
		return;
	}
	sbuf_init(&sb, r->arena, 16 * 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_kstr(&w, "jwt", tok);
	jw_kstr(&w, "refreshToken", refresh);
	jw_key(&w, "user");
	jw_obj_open(&w);
	jw_kint(&w, "id", u->id);
	jw_kstr(&w, "documentId", u->document_id);
	jw_kstr(&w, "username", u->username);
	jw_kstr(&w, "email", u->email);
	jw_kstr(&w, "organizationId", u->org);
	jw_kstr(&w, "role", u->org_role);
	jw_obj_close(&w);
	jw_obj_close(&w);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, &sb);
}

/*
 * A sign-in without an organization by someone with exactly one active
 * membership at WorkOS: move the WorkOS session into it, the way switching
 * does, so the token names it.  Anything else leaves wa as it is.
 */
#define SIGNIN_MEMBERSHIPS 100 /* listed at a sign-in: one page */

/*
 * Ask WorkOS which organizations the person is an active member of (*ms,
 * *nms), so the app can offer them; a sign-in without an organization by
 * a member of exactly one moves the WorkOS session into it, the way
 * switching does, so the token names it.  Failures leave wa as it is.
 */
static void
memberships_at_signin(struct req *r, struct signin *s, struct workos_auth *wa,
    const char *ip, const char *ua, struct workos_membership **ms, size_t *nms)
{
	const char *step = NULL;
	struct workos_auth sw;
	enum app_err e;

	*nms = 0;
	*ms = NULL;
	*ms = arena_calloc(r->arena, SIGNIN_MEMBERSHIPS, sizeof(**ms));
	if (*ms == NULL || workos_active_memberships(s->workos, r->arena, wa->user_id,
	    *ms, SIGNIN_MEMBERSHIPS, nms) != APP_OK) {
		*nms = 0;
		return;
	}
	if (*nms != 1 || wa->org_id != NULL || wa->refresh_token == NULL)
		return;
	e = workos_refresh(s->workos, r->arena, wa->refresh_token, (*ms)[0].org_id, ip,
	    ua, &sw, &step);
	if (e != APP_OK) {
		log_msg(LOG_INFO, "could not enter the only organization at sign-in (%s)",
		    step ? step : "WorkOS failed");
		/* The old refresh token is used up; WorkOS's new one is good. */
		if (e == APP_EBUSY && sw.refresh_token != NULL)
			wa->refresh_token = sw.refresh_token;
		return;
	}
	*wa = sw;
}

/*
 * The browser's previous session, when its cookie holds one: a new
 * sign-in replaces it, so it ends rather than lingering for days.
 */
static void
end_replaced_session(struct req *r)
{
	const char *value = req_cookie(r, SIGNIN_SESSION_COOKIE);
	unsigned char secret[SSTORE_SECRET_BYTES];
	char id[SSTORE_ID_LEN + 1];
	struct sstore_row row;

	if (value == NULL || sstore_token_parse(value, strlen(value), id, secret) != 0)
		return;
	if (db_begin(&r->app->db) != APP_OK)
		return;
	if (sstore_lock(&r->app->db, r->arena, id, &row) == APP_OK &&
	    sstore_match(&row, secret) != SSTORE_WRONG &&
	    sstore_revoke(&r->app->db, r->arena, id, "replaced by a new sign-in") == APP_OK)
		(void)db_commit(&r->app->db);
	else
		db_rollback(&r->app->db);
	explicit_bzero(secret, sizeof(secret));
}

static struct db_stmt q_org_unnamed = DB_STMT("signin_org_unnamed",
    "SELECT 1 FROM organizations WHERE id = $1 AND name IS NULL");
static struct db_stmt q_org_name = DB_STMT("signin_org_name",
    "UPDATE organizations SET name = $2 WHERE id = $1 AND name IS NULL");

void
signin_learn_org_name(struct req *r, const char *org)
{
	struct signin *s = r->app->ext;
	const char *p[2] = { org, NULL };
	PGresult *res;

	if (org == NULL ||
	    db_exec(&r->app->db, r->arena, &q_org_unnamed, 1, p, &res, NULL) != APP_OK ||
	    PQntuples(res) == 0)
		return;
	if (workos_organization_name(s->workos, r->arena, org, &p[1]) != APP_OK)
		return;
	(void)db_exec(&r->app->db, r->arena, &q_org_name, 2, p, &res, NULL);
}

void
signin_callback(struct req *r)
{
	struct signin *s = r->app->ext;
	const struct cfg *cfg = &r->app->cfg;
	struct sess_login l;
	struct workos_auth wa;
	struct users_signed_in u;
	struct sstore_new sn;
	char name[SESS_COOKIE_NAME_LEN + 1], sid[SSTORE_ID_LEN + 1];
	const char *state, *code, *err, *value, *step = NULL, *why = NULL, *rt;
	const char *ip = strcmp(r->remote, "-") != 0 ? r->remote : NULL;
	const char *ua = req_param(r, "HTTP_USER_AGENT");
	char *refresh = NULL;
	struct workos_membership *ms = NULL;
	size_t statelen = 0, codelen = 0, errlen = 0, nms = 0;
	enum app_err e;

	/*
	 * The state is checked first: until it matches this browser's cookie
	 * nothing here may affect the sign-in in progress (not even clearing
	 * its cookie), so a forged link cannot cancel or steer it.
	 */
	state = req_query(r, "state", &statelen);
	if (state == NULL || statelen == 0) {
		bad_state(r, "Missing state");
		return;
	}
	if (statelen != SESS_TOKEN_LEN || memchr(state, '\0', statelen) != NULL) {
		bad_state(r, "State does not match this browser's sign-in");
		return;
	}
	sess_cookie_name(state, name);
	value = req_cookie(r, name);
	if (value == NULL || *value == '\0') {
		bad_state(r, "No sign-in in progress in this browser (login state cookie "
		    "missing): start again at /api/auth/workos/login");
		return;
	}
	e = sess_open(&s->key, value, time(NULL), &l);
	if (e == APP_ETIMEOUT) {
		login_cookie(r, name, "", 0);
		log_msg(LOG_WARN, "refused a callback: the login state expired");
		fail(r, l.return_to, "state_expired", 400, "ValidationError",
		    "The sign-in took too long (state expired): start again at "
		    "/api/auth/workos/login");
		return;
	}
	if (e != APP_OK) {
		bad_state(r, "Invalid login state cookie");
		return;
	}
	if (!mac_equal(state, l.state, SESS_TOKEN_LEN)) {
		bad_state(r, "State does not match this browser's sign-in");
		return;
	}
	/* This browser's sign-in: whatever happens next, it is over. */
	login_cookie(r, name, "", 0);
	rt = arena_strdup(r->arena, l.return_to);

	err = req_query(r, "error", &errlen);
	if (err != NULL) {
		explicit_bzero(&l, sizeof(l));
		/* The link's words are never repeated: only a fixed text per code. */
		log_msg(LOG_INFO, "WorkOS redirected with error \"%.100s\"", err);
		fail(r, rt, "access_denied", 401, "UnauthorizedError", workos_error_text(err));
		return;
	}
	code = req_query(r, "code", &codelen);
	if (code == NULL || codelen == 0 || codelen > 512 || has_nul_or_ctl(code, codelen)) {
		explicit_bzero(&l, sizeof(l));
		fail(r, rt, "sign_in_failed", 400, "ValidationError", "Missing code");
		return;
	}

	e = workos_authenticate(s->workos, r->arena, code, l.verifier, ip, ua, &wa, &step);
	explicit_bzero(&l, sizeof(l));
	switch (e) {
	case APP_OK:
		break;
	case APP_EAUTH:
	case APP_ENOTFOUND:
		fail(r, rt, "sign_in_failed", 401, "UnauthorizedError",
		    step ? step : "Authentication failed");
		return;
	case APP_EFORBIDDEN: {
		struct sbuf m;

		sbuf_init(&m, r->arena, 512);
		sbuf_printf(&m, "Sign-in needs another step at WorkOS: %.100s", step);
		fail(r, rt, "step_required", 403, "ForbiddenError",
		    sbuf_err(&m) == APP_OK ? m.data : "Sign-in needs another step");
		return;
	}
	case APP_ETIMEOUT:
		fail(r, rt, "workos_unavailable", 504, "GatewayTimeoutError",
		    "WorkOS did not answer in time");
		return;
	case APP_EUPSTREAM:
		fail(r, rt, "workos_unavailable", 502, "BadGatewayError",
		    "WorkOS could not complete the sign-in");
		return;
	default:
		fail(r, rt, "server_error", 500, "InternalServerError",
		    "Internal Server Error");
		return;
	}
	memberships_at_signin(r, s, &wa, ip, ua, &ms, &nms);

	e = users_sign_in(r, &wa, &u, &why);
	if (e == APP_EFORBIDDEN) {
		fail(r, rt, "account_conflict", 403, "ForbiddenError", why);
		return;
	}
	if (e == APP_EAUTH) {
		fail(r, rt, "account_blocked", 401, "UnauthorizedError", why);
		return;
	}
	if (e == APP_OK) {
		memset(&sn, 0, sizeof(sn));
		sn.user_id = u.id;
		sn.org = u.org;
		sn.workos_session_id = wa.session_id;
		sn.workos_refresh = wa.refresh_token;
		sn.workos_access_exp = wa.access_exp;
		sn.browser = rt[0] != '\0';
		sn.ip = ip;
		sn.user_agent = ua;
		e = sstore_create(&r->app->db, r->arena, &s->skeys, cfg, &sn, sid, &refresh);
	}
	if (e != APP_OK) {
		if (rt[0] != '\0')
			fail(r, rt, "server_error", 503, "ServiceUnavailableError",
			    "Service Unavailable");
		else
			resp_fail(r, e);
		return;
	}
	/* What WorkOS listed: the memberships the app may switch to. */
	for (size_t i = 0; i < nms; i++)
		if (users_record_membership(r, u.id, ms[i].org_id, ms[i].org_name,
		    ms[i].role, NULL) != APP_OK)
			log_msg(LOG_WARN, "could not record the membership in \"%s\"",
			    ms[i].org_id);
	signin_learn_org_name(r, u.org);
	if (rt[0] == '\0') {
		answer_api(r, &u, sid, refresh);
		return;
	}
	/* A browser: the refresh token travels only in the HttpOnly cookie. */
	end_replaced_session(r);
	signin_session_cookie(r, refresh, cfg->session_max_ttl);
	resp_header(r, "Location", rt);
	resp_header(r, "Cache-Control", "no-store");
	resp_empty(r, 303);
}

void
signin_logout(struct req *r)
{
	struct signin *s = r->app->ext;
	struct sstore_row row;
	unsigned char secret[SSTORE_SECRET_BYTES];
	char id[SSTORE_ID_LEN + 1];
	const char *rt, *value, *why = NULL, *wid = NULL, *loc;
	size_t rtlen = 0;
	enum app_err e;

	rt = req_query(r, "return_to", &rtlen);
	if (rt == NULL) {
		rt = "/";
		rtlen = 1;
	}
	if (origin_check_return_to(&r->app->cfg, rt, rtlen, &why) != 0) {
		resp_error(r, 400, "ValidationError", why, NULL);
		return;
	}
	value = req_cookie(r, SIGNIN_SESSION_COOKIE);
	if (value != NULL &&
	    sstore_token_parse(value, strlen(value), id, secret) == 0) {
		if ((e = db_begin(&r->app->db)) != APP_OK) {
			resp_fail(r, e);
			return;
		}
		e = sstore_lock(&r->app->db, r->arena, id, &row);
		if (e == APP_OK && sstore_match(&row, secret) != SSTORE_WRONG) {
			if (row.live)
				wid = row.workos_session_id;
			e = sstore_revoke(&r->app->db, r->arena, id, "logout");
		} else if (e == APP_ENOTFOUND) {
			e = APP_OK;
		}
		if (e == APP_OK)
			e = db_commit(&r->app->db);
		else
			db_rollback(&r->app->db);
		if (e != APP_OK) {
			resp_fail(r, e);
			return;
		}
	}
	explicit_bzero(secret, sizeof(secret));
	signin_session_cookie(r, NULL, 0);
	if (wid != NULL) {
		const char *abs = origin_absolute(r, rt);

		loc = abs ? workos_logout_url(s->workos, r->arena, wid, abs) : NULL;
	} else {
		loc = rt;
	}
	if (loc == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	resp_header(r, "Location", loc);
	resp_header(r, "Cache-Control", "no-store");
	resp_empty(r, 302);
}
