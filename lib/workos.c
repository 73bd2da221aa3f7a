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

struct workos {
	const struct cfg *cfg;
	struct hc *hc;
	struct jwks *keys;     /* cached for the life of the process */
	time_t keys_fetched;
};

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
param(struct sbuf *sb, struct workos *w, struct arena *a, const char *k,
    const char *v)
{
	char *e = hc_escape(w->hc, a, v);

	if (e == NULL) {
		sb->err = APP_ENOMEM;
		return;
	}
	sbuf_printf(sb, "%s%s=%s", sb->data[sb->len - 1] == '?' ? "" : "&", k, e);
}

char *
workos_authorize_url(struct workos *w, struct arena *a, const char *state,
    const char *challenge, const char *org, const char *login_hint)
{
	struct sbuf sb;

	sbuf_init(&sb, a, 8192);
	sbuf_printf(&sb, "%s/user_management/authorize?", w->cfg->workos_api_base);
	param(&sb, w, a, "client_id", w->cfg->workos_client_id);
	param(&sb, w, a, "code_challenge", challenge);
	param(&sb, w, a, "code_challenge_method", "S256");
	if (login_hint != NULL)
		param(&sb, w, a, "login_hint", login_hint);
	if (org != NULL)
		param(&sb, w, a, "organization_id", org);
	param(&sb, w, a, "provider", "authkit");
	param(&sb, w, a, "redirect_uri", w->cfg->workos_redirect_uri);
	param(&sb, w, a, "response_type", "code");
	param(&sb, w, a, "state", state);
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
fetch_keys(struct workos *w, struct arena *a)
{
	struct hc_resp r;
	struct sbuf url;
	struct jwks *k;
	enum app_err e;

	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/sso/jwks/", w->cfg->workos_api_base);
	sbuf_puts(&url, hc_escape(w->hc, a, w->cfg->workos_client_id) ?: "");
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
	w->keys_fetched = time(NULL);
	return APP_OK;
}

static enum app_err
verify_token(struct workos *w, struct arena *a, const char *tok,
    struct jwks_claims *c)
{
	const char *why = NULL;
	enum app_err e;
	bool fetched = false;

	if (w->keys == NULL) {
		if ((e = fetch_keys(w, a)) != APP_OK)
			return e;
		fetched = true;
	}
	e = jwks_verify(a, w->keys, tok, strlen(tok), time(NULL),
	    w->cfg->workos_issuer, c, &why);
	if (e == APP_ENOTFOUND && !fetched) {
		/* Keys rotate: one fresh look before refusing the kid. */
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

enum app_err
workos_authenticate(struct workos *w, struct arena *a, const char *code,
    const char *verifier, const char *ip, const char *user_agent,
    struct workos_auth *out, const char **step)
{
	struct sbuf body, url;
	struct jw j;
	struct hc_resp r;
	json_object *o, *user;
	const char *tok, *org;
	struct jwks_claims c;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	*step = NULL;
	sbuf_init(&body, a, 64 * 1024);
	jw_init(&j, &body);
	jw_obj_open(&j);
	jw_key(&j, "grant_type");
	jw_str(&j, "authorization_code");
	jw_key(&j, "client_id");
	jw_str(&j, w->cfg->workos_client_id);
	jw_key(&j, "client_secret");
	jw_str(&j, w->cfg->workos_api_key);
	jw_key(&j, "code");
	jw_str(&j, code);
	jw_key(&j, "code_verifier");
	jw_str(&j, verifier);
	if (ip != NULL) {
		jw_key(&j, "ip_address");
		jw_str(&j, ip);
	}
	if (user_agent != NULL) {
		jw_key(&j, "user_agent");
		jw_str(&j, user_agent);
	}
	jw_obj_close(&j);
	sbuf_init(&url, a, 4096);
	sbuf_printf(&url, "%s/user_management/authenticate", w->cfg->workos_api_base);
	if (sbuf_err(&body) != APP_OK || sbuf_err(&url) != APP_OK)
		return APP_ENOMEM;

	/* Never retried: a code is single use once it reached WorkOS. */
	e = hc_call(w->hc, a, url.data, w->cfg->workos_api_key, body.data, &r);
	if (e != APP_OK)
		return e;
	if (r.status != 200) {
		const char *ec = error_code(a, &r);

		log_msg(LOG_WARN, "WorkOS refused the code exchange: HTTP %ld, "
		    "error \"%s\" (request id \"%s\")", r.status, ec, r.request_id);
		if (r.status == 403) {
			*step = arena_strdup(a, ec);
			return APP_EFORBIDDEN;
		}
		if (r.status == 429 || r.status >= 500 || r.status < 400)
			return APP_EUPSTREAM;
		*step = "Authentication failed";
		return APP_EAUTH;
	}
	if (jv_parse(a, sbuf_str(&r.body), r.body.len, &o, NULL) != APP_OK ||
	    (user = jv_get(o, "user")) == NULL ||
	    !json_object_is_type(user, json_type_object) ||
	    (out->user_id = opt_str(user, "id")) == NULL ||
	    (out->email = opt_str(user, "email")) == NULL ||
	    (tok = opt_str(o, "access_token")) == NULL) {
		log_msg(LOG_ERR, "WorkOS answered the code exchange with a malformed "
		    "body (request id \"%s\")", r.request_id);
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
	org = opt_str(o, "organization_id");

	e = verify_token(w, a, tok, &c);
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
		    "organization differs from the exchange's (request id \"%s\")",
		    r.request_id);
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
	return APP_OK;
}
