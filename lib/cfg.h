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

#define CFG_NEED_DB     0x1u /* DATABASE_URL, JWT_SECRET, JWT_EXPIRES_IN */
#define CFG_NEED_WORKOS 0x2u /* the WORKOS_* variables and LOGIN_STATE_TTL */

struct cfg {
	const char *database_url;
	const char *jwt_secret;
	size_t jwt_secret_len;
	long long jwt_expires_in;      /* seconds */
	const char *workos_api_key;
	const char *workos_client_id;
	const char *workos_redirect_uri;
	const char *workos_cookie_password;
	const char *workos_api_base;   /* without a trailing slash */
	long long workos_timeout_ms;
	long long login_state_ttl;     /* seconds */
	int trust_proxy;               /* believe X-Forwarded-Proto (TRUST_PROXY=1) */
	int workos_loopback;           /* WORKOS_API_BASE is plain http on loopback */
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

/* Is the host of an http(s) URL a loopback address (127/8, ::1, localhost)? */
int cfg_url_is_loopback(const char *url);

#endif
