/*
 * signin.h - the sign-in routes of login.fcgi and callback.fcgi:
 *   GET /api/auth/workos/login     302 to WorkOS AuthKit, with a state and
 *                                  a PKCE verifier (and return_to) in a
 *                                  signed cookie of this sign-in's own
 *   GET /api/auth/workos/callback  checks the state, exchanges the code,
 *                                  records the user, starts a session:
 *                                  200 {"jwt","refreshToken","user"} for
 *                                  an API client, or the wos_session cookie
 *                                  and 303 to return_to for a browser
 *   GET /api/auth/workos/logout    ends the cookie's session, 302 to the
 *                                  WorkOS logout (or straight to return_to)
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include "req.h"
#include "sess.h"
#include "sstore.h"

#define SIGNIN_SESSION_COOKIE "wos_session"
#define SIGNIN_SESSION_PATH "/api/auth"

/* What the programs that talk to WorkOS keep for their lifetime (app->ext). */
struct signin {
	struct workos *workos;
	struct sess_key key;       /* login-state cookies */
	struct sstore_keys skeys;  /* sessions */
};

/* srv_def hooks: the WorkOS client and the keys, once per process. */
enum app_err signin_init(struct app *app);
void signin_fini(struct app *app);

void signin_login(struct req *r);
void signin_callback(struct req *r);
void signin_logout(struct req *r);

/*
 * Is s (n bytes) a WorkOS organization id as the suite takes it: "org_"
 * and 1 to 64 ASCII letters and digits?  1 or 0.
 */
int signin_valid_org(const char *s, size_t n);

/* A login-state cookie a browser sent: its name and when it expires. */
struct signin_flow {
	char name[SESS_COOKIE_NAME_LEN + 1];
	long long expires;
};

/*
 * The login-state cookies in the Cookie header h (NULL: none), at most
 * max of them, so a browser's oldest sign-in in progress can be dropped.
 */
size_t signin_flows(const char *h, struct signin_flow *out, size_t max);

/*
 * Give an organization recorded here without a name the name WorkOS has
 * for it (best effort: a failure is logged and changes nothing).
 */
void signin_learn_org_name(struct req *r, const char *org);

/*
 * Set (value non-NULL, for max_age seconds) or clear (NULL) the session
 * cookie: HttpOnly, Path=/api/auth, SESSION_COOKIE_SAMESITE, Secure over
 * HTTPS (always with SameSite=None).
 */
void signin_session_cookie(struct req *r, const char *value, long long max_age);

#endif
