/*
 * cfg.h - the configuration, read from the environment once at start-up.
 *
 * The variables and their defaults are the contract of DESIGN.md.  Each
 * executable names the groups it needs; a missing or invalid variable in
 * those groups makes cfg_load() fail with one line naming it.  Strings
 * point into the environment, which outlives the process's requests.
 */
#ifndef CFG_H
#define CFG_H

#include <stddef.h>

#include "app.h"

#define CFG_NEED_DB     0x1u /* DATABASE_URL, JWT_SECRET, JWT_EXPIRES_IN,
                               DATABASE_READ_URL, DATABASE_POOLER */
#define CFG_NEED_WORKOS 0x2u /* the WORKOS_* variables (WORKOS_JWKS_COOLDOWN
                               too), LOGIN_STATE_TTL and the
                               session variables (APP_ORIGINS, ACCESS_TOKEN_TTL,
                               SESSION_*) */
#define CFG_NEED_WEBHOOK 0x4u /* WORKOS_WEBHOOK_SECRET */
#define CFG_NEED_DBURL  0x8u /* DATABASE_URL alone (no JWTs made or read) */
#define CFG_NEED_WORKOS_API 0x10u /* WORKOS_API_KEY, WORKOS_API_BASE and
                                     WORKOS_TIMEOUT alone (API calls, no
                                     sign-in) */

#define CFG_ORIGINS_MAX 16   /* entries of APP_ORIGINS */
#define CFG_ORIGIN_LEN 256   /* bytes of one origin */

enum cfg_samesite { CFG_SAMESITE_LAX = 0, CFG_SAMESITE_NONE };

struct cfg {
	const char *database_url;
	const char *database_read_url; /* DATABASE_READ_URL, or NULL */
	int database_pooler;           /* DATABASE_POOLER=transaction */
	const char *jwt_secret;
	size_t jwt_secret_len;
	long long jwt_expires_in;      /* seconds */
	long long read_timeout_ms;     /* budget of an anonymous request's statements */
	const char *workos_api_key;
	const char *workos_client_id;
	const char *workos_redirect_uri;
	const char *workos_cookie_password;
	const char *workos_api_base;   /* without a trailing slash */
	long long workos_timeout_ms;
	long long login_state_ttl;     /* seconds */
	long long workos_jwks_cooldown; /* seconds between JWKS fetches made
	                                  because of an unknown kid (0..86400) */
	int trust_proxy;               /* believe X-Forwarded-Proto (TRUST_PROXY=1) */
	int workos_loopback;           /* WORKOS_API_BASE is plain http on loopback */
	const char *workos_issuer;     /* `iss` of WorkOS access tokens; default
	                                  WORKOS_API_BASE, no trailing slash */
	const char *workos_webhook_secret;
	/* APP_ORIGINS: "scheme://host[:port]", lower-case scheme and host. */
	char app_origins[CFG_ORIGINS_MAX][CFG_ORIGIN_LEN];
	size_t napp_origins;
	/* The API's public origin: that of WORKOS_REDIRECT_URI ("" when unset). */
	char public_origin[CFG_ORIGIN_LEN];
	long long access_token_ttl;    /* seconds */
	long long session_idle_ttl;    /* seconds */
	long long session_max_ttl;     /* seconds */
	enum cfg_samesite session_samesite;
};

/*
 * Fill *c from getenv() for the groups in needs.  On failure returns
 * APP_EINPUT and writes "<VARIABLE>: <what was expected>" to err.
 */
enum app_err cfg_load(struct cfg *c, unsigned needs, char *err, size_t errsz);

/*
 * Parse a duration such as "30d", "12h", "15m", "900s", "2500ms" or a bare
 * number of seconds into milliseconds.  Returns 0 on success, -1 if the
 * text is not a duration or overflows.
 */
int cfg_parse_duration_ms(const char *s, long long *ms);

/*
 * Is origin (n bytes, as sent in an Origin header) exactly one of
 * APP_ORIGINS?  Compared case-insensitively in scheme and host.
 */
int cfg_origin_allowed(const struct cfg *c, const char *origin, size_t n);

/*
 * Normalise an origin "scheme://host[:port]" (http or https, no path,
 * userinfo, query or fragment; a default port is dropped) into out, lower
 * case.  Returns 0, or -1 when s is not such an origin.
 */
int cfg_origin_normalise(const char *s, size_t n, char *out, size_t outsz);

/* Is the host of an http(s) URL a loopback address (127/8, ::1, localhost)? */
int cfg_url_is_loopback(const char *url);

#endif
