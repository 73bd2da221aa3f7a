/*
 * sess.h - the login-state cookie: the CSRF state and the PKCE verifier of
 * a sign-in in progress, carried by the browser and authenticated with
 * HMAC-SHA256 under a key derived from WORKOS_COOKIE_PASSWORD.
 *
 * Nothing is kept in memory between requests, so a login started on one
 * process or host completes on any other that shares the password.
 * Format: "v2.<expiry unix time>.<state>.<verifier>.<return_to>.<mac>",
 * return_to base64url-encoded (empty for an API client's sign-in), every
 * part base64url or digits, mac over everything before it.
 *
 * Each sign-in in progress has a cookie of its own, named after its state
 * (SESS_COOKIE_PREFIX + the state's first SESS_NAME_CHARS characters), so
 * two started in one browser (two tabs, a double click) both finish.
 */
#ifndef SESS_H
#define SESS_H

#include <stddef.h>
#include <time.h>

#include "app.h"
#include "arena.h"

#define SESS_COOKIE_PREFIX "wos_login_"
#define SESS_NAME_CHARS 12       /* of the state, in the cookie's name */
#define SESS_COOKIE_NAME_LEN (sizeof(SESS_COOKIE_PREFIX) - 1 + SESS_NAME_CHARS)
#define SESS_MAX_FLOWS 3         /* sign-ins in progress kept per browser */
#define SESS_PATH "/api/auth/workos"
#define SESS_RANDOM_BYTES 32     /* 256 bits of state, and of verifier */
#define SESS_TOKEN_LEN 43        /* B64URL_LEN(32) */
#define SESS_RETURN_MAX 2048     /* bytes of return_to */
#define SESS_VALUE_MAX 3200      /* bytes of a cookie value */

struct sess_key {
	unsigned char k[32];
};

/* Derive the cookie key from the configured password (once per process). */
void sess_key_derive(struct sess_key *key, const char *password);

struct sess_login {
	char state[SESS_TOKEN_LEN + 1];
	char verifier[SESS_TOKEN_LEN + 1];
	char return_to[SESS_RETURN_MAX + 1]; /* "" for an API client */
	long long expires;
};

/* The cookie name of the sign-in whose state is state (SESS_COOKIE_NAME_LEN + 1). */
void sess_cookie_name(const char *state, char *out);

/* Draw a fresh state and PKCE verifier, valid for ttl seconds from now. */
enum app_err sess_login_new(struct sess_login *l, time_t now, long long ttl);

/* The cookie value for l, allocated on a. */
char *sess_seal(struct arena *a, const struct sess_key *key,
    const struct sess_login *l);

/*
 * Check and read a cookie value.  APP_EAUTH for a forged, malformed or
 * tampered value; APP_ETIMEOUT when it has expired (*l is still filled:
 * the value is authentic, so its return_to may be used to say so).
 */
enum app_err sess_open(const struct sess_key *key, const char *value,
    time_t now, struct sess_login *l);

/*
 * The expiry written in a cookie value, unauthenticated (to pick the
 * oldest sign-in to drop); -1 when there is none.
 */
long long sess_peek_expiry(const char *value);

/* The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)). */
void sess_challenge(const char *verifier, char out[SESS_TOKEN_LEN + 1]);

#endif
