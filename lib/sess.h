/*
 * sess.h - the login-state cookie: the CSRF state and the PKCE verifier of
 * a sign-in in progress, carried by the browser and authenticated with
 * HMAC-SHA256 under a key derived from WORKOS_COOKIE_PASSWORD.
 *
 * Nothing is kept in memory between requests, so a login started on one
 * process or host completes on any other that shares the password.
 * Format: "v1.<expiry unix time>.<state>.<verifier>.<mac>", every part
 * base64url or digits, mac over everything before it.
 */
#ifndef SESS_H
#define SESS_H

#include <stddef.h>
#include <time.h>

#include "app.h"
#include "arena.h"

#define SESS_COOKIE "wos_login"
#define SESS_PATH "/api/auth/workos"
#define SESS_RANDOM_BYTES 32     /* 256 bits of state, and of verifier */
#define SESS_TOKEN_LEN 43        /* B64URL_LEN(32) */

struct sess_key {
	unsigned char k[32];
};

/* Derive the cookie key from the configured password (once per process). */
void sess_key_derive(struct sess_key *key, const char *password);

struct sess_login {
	char state[SESS_TOKEN_LEN + 1];
	char verifier[SESS_TOKEN_LEN + 1];
	long long expires;
};

/* Draw a fresh state and PKCE verifier, valid for ttl seconds from now. */
enum app_err sess_login_new(struct sess_login *l, time_t now, long long ttl);

/* The cookie value for l, allocated on a. */
char *sess_seal(struct arena *a, const struct sess_key *key,
    const struct sess_login *l);

/*
 * Check and read a cookie value.  APP_EAUTH for a forged, malformed or
 * tampered value; APP_ETIMEOUT when it has expired.
 */
enum app_err sess_open(const struct sess_key *key, const char *value,
    time_t now, struct sess_login *l);

/* The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)). */
void sess_challenge(const char *verifier, char out[SESS_TOKEN_LEN + 1]);

#endif
