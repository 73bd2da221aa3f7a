#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hc.h"
#include "jv.h"
#include "jw.h"
#include "log.h"
#include "sbuf.h"
#include "wev.h"
#include "workos.h"

/*
 * A failed JWKS fetch holds the next one back this long (or the cooldown,
 * when that is shorter), so a failing WorkOS is not asked at every sign-in.
 */
#define JWKS_FAIL_HOLD_MS 5000LL

struct workos {
	const struct cfg *cfg;
	struct hc *hc;
	struct jwks *keys;     /* cached for the life of the process */
	long long last_ms;     /* monotonic time of the last fetch, good or not */
	bool failed;           /* the last fetch failed */
};

/* Milliseconds on the monotonic clock (immune to clock changes). */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct workos *
workos_new(const struct cfg *cfg)
{
	struct workos *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->cfg = cfg;
	w->hc = hc_new(cfg);
	if (w->hc == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

void
workos_free(struct workos *w)
{
	if (w == NULL)
		return;
	hc_free(w->hc);
	jwks_free(w->keys);
	free(w);
}

static void
put_escaped(struct sbuf *sb, struct arena *a, const char *v)
{
	char *e = hc_escape(a, v);

	/* Out of memory fails the URL: never a URL without its id (a list). */
	if (e == NULL)
		sb->err = APP_ENOMEM;
	else
		sbuf_puts(sb, e);
}

static void
param(struct sbuf *sb, struct arena *a, const char *k, const char *v)
{
	sbuf_printf(sb, "%s%s=", sb->data[sb->len - 1] == '?' ? "" : "&", k);
	put_escaped(sb, a, v);
}

char *
workos_authorize_url(struct workos *w, struct arena *a, const char *state,
    const char *challenge, const char *org, const char *login_hint,
    const char *screen_hint, const char *invitation_token)
{
	struct sbuf sb;

	sbuf_init(&sb, a, 8192);
	sbuf_printf(&sb, "%s/user_management/authorize?", w->cfg->workos_api_base);
	param(&sb, a, "client_id", w->cfg->workos_client_id);
	param(&sb, a, "code_challenge", challenge);
	param(&sb, a, "code_challenge_method", "S256");
	if (invitation_token != NULL)
		param(&sb, a, "invitation_token", invitation_token);
	if (login_hint != NULL)
		param(&sb, a, "login_hint", login_hint);
	if (org != NULL)
		param(&sb, a, "organization_id", org);
	param(&sb, a, "provider", "authkit");
	param(&sb, a, "redirect_uri", w->cfg->workos_redirect_uri);
	param(&sb, a, "response_type", "code");
	if (screen_hint != NULL)
		param(&sb, a, "screen_hint", screen_hint);
	param(&sb, a, "state", state);
	return sbuf_err(&sb) == APP_OK ? sb.data : NULL;
}

/* The error code of a WorkOS error body: OAuth "error" first, then "code". */
static const char *
error_code(struct arena *a, const struct hc_resp *r)
{
	json_object *o;
	const char *c;

	if (jv_parse(a, r->body.data ? r->body.data : "", r->body.len, &o, NULL) != APP_OK)
		return "(no JSON body)";
	c = jv_str(o, "error");
	if (c == NULL)
		c = jv_str(o, "code");
	return c != NULL ? c : "(no error code)";
}

static enum app_err
fetch_once(struct workos *w, struct arena *a)
{
	struct hc_resp r;
	struct sbuf url;
	struct jwks *k;
	enum app_err e;

	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/sso/jwks/", w->cfg->workos_api_base);
	put_escaped(&url, a, w->cfg->workos_client_id);
	if (sbuf_err(&url) != APP_OK)
		return APP_ENOMEM;
	e = hc_call(w->hc, a, url.data, NULL, NULL, &r);
	if (e != APP_OK)
		return e;
	if (r.status != 200) {
		log_msg(LOG_ERR, "could not fetch the WorkOS JWKS: HTTP %ld (request id \"%s\")",
		    r.status, r.request_id);
		return APP_EUPSTREAM;
	}
	e = jwks_parse(sbuf_str(&r.body), r.body.len, &k);
	if (e != APP_OK) {
		log_msg(LOG_ERR, "could not use the WorkOS JWKS: no valid RS256 key");
		return APP_EUPSTREAM;
	}
	jwks_free(w->keys);
	w->keys = k;
	return APP_OK;
}

/*
 * May the JWKS be fetched now?  With keys in hand (a token named an
 * unknown kid): only when the last fetch, good or failed, is at least the
 * cooldown old.  With none (the first fetch, or every fetch so far
 * failed): always, except JWKS_FAIL_HOLD_MS (capped by the cooldown)
 * after a failed one.  *wait_s gets the seconds left when not.
 */
static bool
may_fetch(const struct workos *w, long long now, long long *wait_s)
{
	long long cool = w->cfg->workos_jwks_cooldown * 1000;
	long long hold = cool < JWKS_FAIL_HOLD_MS ? cool : JWKS_FAIL_HOLD_MS;
	long long until = 0;

	if (w->keys != NULL)
		until = w->last_ms + cool;
	else if (w->failed)
		until = w->last_ms + hold;
	*wait_s = until > now ? (until - now + 999) / 1000 : 0;
	return until <= now;
}

static enum app_err
fetch_keys(struct workos *w, struct arena *a)
{
	enum app_err e = fetch_once(w, a);

	w->last_ms = mono_ms();
	w->failed = e != APP_OK;
	return e;
}

static enum app_err
verify_token(struct workos *w, struct arena *a, const char *tok,
    struct jwks_claims *c)
{
	const char *why = NULL;
	enum app_err e;
	bool fetched = false;
	long long wait_s;

	if (w->keys == NULL) {
		if (!may_fetch(w, mono_ms(), &wait_s)) {
			log_msg(LOG_ERR, "no WorkOS JWKS in hand: the last fetch failed; "
			    "trying again in %lld s", wait_s);
			return APP_EUPSTREAM;
		}
		if ((e = fetch_keys(w, a)) != APP_OK)
			return e;
		fetched = true;
	}
	e = jwks_verify(a, w->keys, tok, strlen(tok), time(NULL),
	    w->cfg->workos_issuer, c, &why);
	if (e == APP_ENOTFOUND && !fetched) {
		/*
		 * Keys rotate: one fresh look before refusing the kid, but
		 * anyone can name a kid, so at most one look a cooldown.
		 */
		if (!may_fetch(w, mono_ms(), &wait_s)) {
			log_msg(LOG_WARN, "refused the WorkOS access token: unknown key "
			    "id; the JWKS refetch is cooling down (next in at most "
			    "%lld s, WORKOS_JWKS_COOLDOWN)", wait_s);
			return APP_EBUSY;
		}
		if ((e = fetch_keys(w, a)) != APP_OK)
			return e;
		e = jwks_verify(a, w->keys, tok, strlen(tok), time(NULL),
		    w->cfg->workos_issuer, c, &why);
	}
	if (e != APP_OK) {
		log_msg(LOG_WARN, "refused the WorkOS access token: %s",
		    e == APP_ENOTFOUND ? "unknown key id" : (why ? why : app_strerror(e)));
		return APP_EAUTH;
	}
	return APP_OK;
}

static const char *
opt_str(json_object *o, const char *k)
{
	const char *s = jv_str(o, k);

	return s != NULL && *s != '\0' ? s : NULL;
}

/* Start the body of an /user_management/authenticate grant. */
static void
grant_open(struct workos *w, struct jw *j, const char *grant)
{
	jw_obj_open(j);
	jw_kstr(j, "grant_type", grant);
	jw_kstr(j, "client_id", w->cfg->workos_client_id);
	jw_kstr(j, "client_secret", w->cfg->workos_api_key);
}

static void
grant_close(struct jw *j, const char *ip, const char *user_agent)
{
	if (ip != NULL)
		jw_kstr(j, "ip_address", ip);
	if (user_agent != NULL)
		jw_kstr(j, "user_agent", user_agent);
	jw_obj_close(j);
}

/* 400 codes that mean "sign in again, through this organization". */
static int
is_step_code(const char *ec)
{
	static const char *const codes[] = {
		"sso_required", "mfa_enrollment", "mfa_challenge",
		"organization_authentication_methods_required",
		"authentication_method_not_allowed", "email_verification_required",
	};

	for (size_t i = 0; i < ARRAY_LEN(codes); i++)
		if (strcmp(ec, codes[i]) == 0)
			return 1;
	return 0;
}

/*
 * POST body to /user_management/authenticate and read the answer: the
 * user, the organization, the tokens, all checked against the verified
 * access token.  what names the grant in logs.
 */
static enum app_err
authenticate(struct workos *w, struct arena *a, const char *what,
    struct sbuf *body, struct workos_auth *out, const char **step)
{
	struct sbuf url;
	struct hc_resp r;
	json_object *o, *user;
	const char *tok, *org;
	struct jwks_claims c;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	*step = NULL;
	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/user_management/authenticate", w->cfg->workos_api_base);
	if (sbuf_err(body) != APP_OK || sbuf_err(&url) != APP_OK)
		return APP_ENOMEM;

	/* Never retried: codes and refresh tokens are single use. */
	e = hc_call(w->hc, a, url.data, w->cfg->workos_api_key, body->data, &r);
	if (e != APP_OK)
		return e;
	if (r.status != 200) {
		const char *ec = error_code(a, &r);

		log_msg(LOG_WARN, "WorkOS refused the %s: HTTP %ld, "
		    "error \"%s\" (request id \"%s\")", what, r.status, ec,
		    r.request_id);
		if (r.status == 403 || (r.status == 400 && is_step_code(ec))) {
			*step = arena_strdup(a, ec);
			return APP_EFORBIDDEN;
		}
		if (r.status == 408 || r.status == 429 || r.status >= 500 ||
		    r.status < 400)
			return APP_EUPSTREAM;
		if (r.status == 404 || strcmp(ec, "organization_membership_not_found") == 0 ||
		    strcmp(ec, "organization_not_found") == 0 ||
		    strcmp(ec, "invalid_organization_id") == 0) {
			*step = arena_strdup(a, ec);
			return APP_ENOTFOUND;
		}
		*step = "Authentication failed";
		return APP_EAUTH;
	}
	if (jv_parse(a, sbuf_str(&r.body), r.body.len, &o, NULL) != APP_OK ||
	    (user = jv_get(o, "user")) == NULL ||
	    !json_object_is_type(user, json_type_object) ||
	    (out->user_id = opt_str(user, "id")) == NULL ||
	    (out->email = opt_str(user, "email")) == NULL ||
	    (tok = opt_str(o, "access_token")) == NULL) {
		log_msg(LOG_ERR, "WorkOS answered the %s with a malformed "
		    "body (request id \"%s\")", what, r.request_id);
		return APP_EUPSTREAM;
	}
	out->email_verified = jv_bool(user, "email_verified");
	out->first_name = opt_str(user, "first_name");
	{
		size_t n = 0;
		const char *u = jv_strn(user, "updated_at", &n);
		long long ms;
		char *norm;

		if (u != NULL && wev_time(u, n, &ms) == 0 &&
		    (norm = arena_alloc(a, WEV_TIME_LEN + 1)) != NULL) {
			wev_time_format(ms, norm);
			out->updated_at = norm;
		}
	}
	out->last_name = opt_str(user, "last_name");
	out->refresh_token = opt_str(o, "refresh_token");
	org = opt_str(o, "organization_id");

	e = verify_token(w, a, tok, &c);
	if (e == APP_EBUSY) {
		/* Only the refresh token is kept (see workos_refresh). */
		*step = "Authentication failed: the WorkOS access token names a "
		    "signing key not known yet";
		return APP_EBUSY;
	}
	if (e == APP_EAUTH) {
		*step = "Authentication failed: the WorkOS access token did not verify";
		return APP_EAUTH;
	}
	if (e != APP_OK)
		return e;
	/* The token and the answer must describe the same session. */
	if (strcmp(c.sub, out->user_id) != 0 ||
	    (org != NULL && strcmp(c.org_id, org) != 0) ||
	    (org == NULL && c.org_id[0] != '\0')) {
		log_msg(LOG_WARN, "refused the WorkOS access token: its subject or "
		    "organization differs from the %s's (request id \"%s\")",
		    what, r.request_id);
		*step = "Authentication failed: the WorkOS access token did not verify";
		return APP_EAUTH;
	}
	/*
	 * An organization session without a role would have to be given one
	 * here; guessing could grant writes, so refuse (WorkOS always sends it).
	 */
	if (org != NULL && c.role[0] == '\0') {
		log_msg(LOG_ERR, "WorkOS access token names organization \"%s\" but no "
		    "role (request id \"%s\")", org, r.request_id);
		return APP_EUPSTREAM;
	}
	out->org_id = org;
	out->role = c.role[0] != '\0' ? arena_strdup(a, c.role) : NULL;
	out->session_id = c.sid[0] != '\0' ? arena_strdup(a, c.sid) : NULL;
	out->access_exp = c.exp;
	return APP_OK;
}

enum app_err
workos_authenticate(struct workos *w, struct arena *a, const char *code,
    const char *verifier, const char *ip, const char *user_agent,
    struct workos_auth *out, const char **step)
{
	struct sbuf body;
	struct jw j;
	enum app_err e;

	sbuf_init(&body, a, 64 * 1024);
	jw_init(&j, &body);
	grant_open(w, &j, "authorization_code");
	jw_kstr(&j, "code", code);
	jw_kstr(&j, "code_verifier", verifier);
	grant_close(&j, ip, user_agent);
	e = authenticate(w, a, "code exchange", &body, out, step);
	return e == APP_EBUSY ? APP_EAUTH : e;
}

enum app_err
workos_refresh(struct workos *w, struct arena *a, const char *refresh_token,
    const char *org, const char *ip, const char *user_agent,
    struct workos_auth *out, const char **step)
{
	struct sbuf body;
	struct jw j;
	enum app_err e;

	sbuf_init(&body, a, 64 * 1024);
	jw_init(&j, &body);
	grant_open(w, &j, "refresh_token");
	jw_kstr(&j, "refresh_token", refresh_token);
	if (org != NULL)
		jw_kstr(&j, "organization_id", org);
	grant_close(&j, ip, user_agent);
	e = authenticate(w, a, "refresh", &body, out, step);
	if (e == APP_OK && out->refresh_token == NULL) {
		log_msg(LOG_ERR, "WorkOS answered a refresh without a refresh token");
		return APP_EUPSTREAM;
	}
	if (e == APP_OK && org != NULL && (out->org_id == NULL || strcmp(out->org_id, org) != 0)) {
		log_msg(LOG_ERR, "WorkOS answered a switch to \"%s\" with another "
		    "organization", org);
		return APP_EUPSTREAM;
	}
	return e;
}

enum app_err
workos_active_memberships(struct workos *w, struct arena *a, const char *user_id,
    struct workos_membership *out, size_t max, size_t *n)
{
	struct sbuf url;
	struct hc_resp r;
	json_object *o, *data;
	enum app_err e;
	size_t len;

	*n = 0;
	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/user_management/organization_memberships?user_id=",
	    w->cfg->workos_api_base);
	put_escaped(&url, a, user_id);
	sbuf_printf(&url, "&statuses=active&limit=%zu", max > 100 ? (size_t)100 : max);
	if (sbuf_err(&url) != APP_OK)
		return APP_ENOMEM;
	e = hc_call(w->hc, a, url.data, w->cfg->workos_api_key, NULL, &r);
	if (e != APP_OK)
		return e;
	if (r.status != 200) {
		log_msg(LOG_WARN, "WorkOS refused the memberships list: HTTP %ld, "
		    "error \"%s\" (request id \"%s\")", r.status, error_code(a, &r),
		    r.request_id);
		return APP_EUPSTREAM;
	}
	if (jv_parse(a, sbuf_str(&r.body), r.body.len, &o, NULL) != APP_OK ||
	    (data = jv_get(o, "data")) == NULL ||
	    !json_object_is_type(data, json_type_array)) {
		log_msg(LOG_ERR, "WorkOS answered the memberships list with a "
		    "malformed body (request id \"%s\")", r.request_id);
		return APP_EUPSTREAM;
	}
	len = json_object_array_length(data);
	for (size_t i = 0; i < len && *n < max; i++) {
		json_object *m = json_object_array_get_idx(data, i), *role;
		const char *org, *status, *slug;

		if (m == NULL || !json_object_is_type(m, json_type_object))
			continue;
		org = opt_str(m, "organization_id");
		status = opt_str(m, "status");
		role = jv_get(m, "role");
		slug = role != NULL && json_object_is_type(role, json_type_object) ?
		    opt_str(role, "slug") : NULL;
		if (org == NULL || slug == NULL || status == NULL ||
		    strcmp(status, "active") != 0)
			continue;
		out[*n].org_id = org;
		out[*n].org_name = opt_str(m, "organization_name");
		out[*n].role = slug;
		(*n)++;
	}
	return APP_OK;
}

char *
workos_logout_url(struct workos *w, struct arena *a, const char *session_id,
    const char *return_to)
{
	struct sbuf sb;

	sbuf_init(&sb, a, 8192);
	sbuf_printf(&sb, "%s/user_management/sessions/logout?", w->cfg->workos_api_base);
	param(&sb, a, "session_id", session_id);
	if (return_to != NULL)
		param(&sb, a, "return_to", return_to);
	return sbuf_err(&sb) == APP_OK ? sb.data : NULL;
}

enum app_err
workos_revoke_session(struct workos *w, struct arena *a, const char *session_id)
{
	struct sbuf url, body;
	struct jw j;
	struct hc_resp r;
	enum app_err e;

	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/user_management/sessions/revoke", w->cfg->workos_api_base);
	sbuf_init(&body, a, 4096);
	jw_init(&j, &body);
	jw_obj_open(&j);
	jw_kstr(&j, "session_id", session_id);
	jw_obj_close(&j);
	if (sbuf_err(&url) != APP_OK || sbuf_err(&body) != APP_OK)
		return APP_ENOMEM;
	e = hc_call(w->hc, a, url.data, w->cfg->workos_api_key, body.data, &r);
	if (e != APP_OK)
		return e;
	/* 404: WorkOS has already forgotten it, which is what we asked. */
	if ((r.status >= 200 && r.status < 300) || r.status == 404)
		return APP_OK;
	log_msg(LOG_WARN, "WorkOS refused to revoke a session: HTTP %ld, error "
	    "\"%s\" (request id \"%s\")", r.status, error_code(a, &r), r.request_id);
	return APP_EUPSTREAM;
}

enum app_err
workos_organization_name(struct workos *w, struct arena *a, const char *org_id,
    const char **name)
{
	struct sbuf url;
	struct hc_resp r;
	json_object *o;
	enum app_err e;

	*name = NULL;
	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/organizations/", w->cfg->workos_api_base);
	put_escaped(&url, a, org_id);
	if (sbuf_err(&url) != APP_OK)
		return APP_ENOMEM;
	e = hc_call(w->hc, a, url.data, w->cfg->workos_api_key, NULL, &r);
	if (e != APP_OK)
		return e;
	if (r.status != 200) {
		log_msg(LOG_WARN, "WorkOS did not give organization \"%s\": HTTP %ld "
		    "(request id \"%s\")", org_id, r.status, r.request_id);
		return r.status == 404 ? APP_ENOTFOUND : APP_EUPSTREAM;
	}
	if (jv_parse(a, sbuf_str(&r.body), r.body.len, &o, NULL) != APP_OK ||
	    (*name = opt_str(o, "name")) == NULL)
		return APP_EUPSTREAM;
	return APP_OK;
}
