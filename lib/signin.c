#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "jw.h"
#include "jwt.h"
#include "log.h"
#include "resp.h"
#include "sess.h"
#include "signin.h"
#include "users.h"
#include "workos.h"

struct signin {
	struct workos *workos;
	struct sess_key key;
};

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
	OPENSSL_cleanse(&s->key, sizeof(s->key));
	free(s);
	app->ext = NULL;
}

static void
set_cookie(struct req *r, const char *value, long long max_age)
{
	struct sbuf sb;

	sbuf_init(&sb, r->arena, 1024);
	sbuf_printf(&sb, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
	    SESS_COOKIE, value, SESS_PATH, max_age, r->https ? "; Secure" : "");
	if (sbuf_err(&sb) == APP_OK)
		resp_header(r, "Set-Cookie", sb.data);
}

/* "org_" and 1 to 64 ASCII letters and digits. */
static int
valid_org(const char *s, size_t n)
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

void
signin_login(struct req *r)
{
	struct signin *s = r->app->ext;
	struct sess_login l;
	char challenge[SESS_TOKEN_LEN + 1];
	const char *org, *hint, *url, *cookie;
	size_t orglen = 0, hintlen = 0;

	org = req_query(r, "organization", &orglen);
	if (org == NULL)
		org = req_query(r, "organization_id", &orglen);
	if (org != NULL && !valid_org(org, orglen)) {
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
	if (sess_login_new(&l, time(NULL), r->app->cfg.login_state_ttl) != APP_OK) {
		resp_fail(r, APP_EINTERNAL);
		return;
	}
	sess_challenge(l.verifier, challenge);
	url = workos_authorize_url(s->workos, r->arena, l.state, challenge, org, hint);
	cookie = sess_seal(r->arena, &s->key, &l);
	OPENSSL_cleanse(&l, sizeof(l));
	if (url == NULL || cookie == NULL) {
		resp_fail(r, APP_ENOMEM);
		return;
	}
	set_cookie(r, cookie, r->app->cfg.login_state_ttl);
	resp_header(r, "Location", url);
	resp_header(r, "Cache-Control", "no-store");
	resp_empty(r, 302);
}

static void
bad_state(struct req *r, const char *why)
{
	log_msg(LOG_WARN, "refused a callback: %s", why);
	resp_error(r, 400, "ValidationError", why, NULL);
}

static void
answer(struct req *r, const struct users_signed_in *u)
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

void
signin_callback(struct req *r)
{
	struct signin *s = r->app->ext;
	struct sess_login l;
	struct workos_auth wa;
	struct users_signed_in u;
	const char *state, *code, *err, *cookie, *step = NULL, *why = NULL;
	size_t statelen = 0, codelen = 0, errlen = 0;
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
	cookie = req_cookie(r, SESS_COOKIE);
	if (cookie == NULL || *cookie == '\0') {
		bad_state(r, "No sign-in in progress in this browser (login state cookie "
		    "missing): start again at /api/auth/workos/login");
		return;
	}
	e = sess_open(&s->key, cookie, time(NULL), &l);
	if (e == APP_ETIMEOUT) {
		set_cookie(r, "", 0);
		bad_state(r, "The sign-in took too long (state expired): start again at "
		    "/api/auth/workos/login");
		return;
	}
	if (e != APP_OK) {
		bad_state(r, "Invalid login state cookie");
		return;
	}
	if (statelen != SESS_TOKEN_LEN ||
	    CRYPTO_memcmp(state, l.state, SESS_TOKEN_LEN) != 0) {
		bad_state(r, "State does not match this browser's sign-in");
		return;
	}
	/* This browser's sign-in: whatever happens next, it is over. */
	set_cookie(r, "", 0);

	err = req_query(r, "error", &errlen);
	if (err != NULL) {
		const char *desc = req_query(r, "error_description", NULL);
		struct sbuf m;

		sbuf_init(&m, r->arena, 2048);
		sbuf_printf(&m, "WorkOS sign-in failed: %.100s%s%.500s", err,
		    desc ? ": " : "", desc ? desc : "");
		log_msg(LOG_INFO, "WorkOS redirected with error \"%.100s\"", err);
		resp_error(r, 401, "UnauthorizedError",
		    sbuf_err(&m) == APP_OK ? m.data : "WorkOS sign-in failed", NULL);
		return;
	}
	code = req_query(r, "code", &codelen);
	if (code == NULL || codelen == 0 || codelen > 512 || has_nul_or_ctl(code, codelen)) {
		resp_error(r, 400, "ValidationError", "Missing code", NULL);
		return;
	}

	e = workos_authenticate(s->workos, r->arena, code, l.verifier,
	    strcmp(r->remote, "-") != 0 ? r->remote : NULL,
	    req_param(r, "HTTP_USER_AGENT"), &wa, &step);
	OPENSSL_cleanse(&l, sizeof(l));
	switch (e) {
	case APP_OK:
		break;
	case APP_EAUTH:
		resp_error(r, 401, "UnauthorizedError",
		    step ? step : "Authentication failed", NULL);
		return;
	case APP_EFORBIDDEN: {
		struct sbuf m;

		sbuf_init(&m, r->arena, 512);
		sbuf_printf(&m, "Sign-in needs another step at WorkOS: %.100s", step);
		resp_error(r, 403, "ForbiddenError",
		    sbuf_err(&m) == APP_OK ? m.data : "Sign-in needs another step", NULL);
		return;
	}
	case APP_ETIMEOUT:
		resp_error(r, 504, "GatewayTimeoutError", "WorkOS did not answer in time", NULL);
		return;
	case APP_EUPSTREAM:
		resp_error(r, 502, "BadGatewayError", "WorkOS could not complete the sign-in", NULL);
		return;
	default:
		resp_fail(r, e);
		return;
	}

	e = users_sign_in(r, &wa, &u, &why);
	if (e == APP_EFORBIDDEN) {
		resp_error(r, 403, "ForbiddenError", why, NULL);
		return;
	}
	if (e == APP_EAUTH) {
		resp_error(r, 401, "UnauthorizedError", why, NULL);
		return;
	}
	if (e != APP_OK) {
		resp_fail(r, e);
		return;
	}
	answer(r, &u);
}
